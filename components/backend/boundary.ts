import * as pulumi from "@pulumi/pulumi";

/** Physical names the boundary must know before the roles exist (it names them, and itself). */
export const deployRoleName = (stack: string) => `pr-cybr-deploy-${stack}`;
export const previewRoleName = (stack: string) => `pr-cybr-preview-${stack}`;
export const boundaryName = (stack: string) => `pr-cybr-${stack}-boundary`;

/** The boundary's ARN in an account: every role the deploy role creates must carry it. */
export const boundaryArn = (partition: string, account: string, stack: string) => `arn:${partition}:iam::${account}:policy/${boundaryName(stack)}`;

/**
 * IAM writes that could hand out rights beyond the boundary: creating or changing a role or user (its
 * policies, its trust, its boundary). Each carries `iam:PermissionsBoundary` (the entity's boundary;
 * AWS's service authorization reference, IAM actions table), so one condition keeps them to entities
 * bounded like the caller.
 */
export const BOUNDED_IAM_WRITES = [
    "iam:CreateRole",
    "iam:PutRolePermissionsBoundary",
    "iam:AttachRolePolicy",
    "iam:PutRolePolicy",
    "iam:UpdateAssumeRolePolicy",
    "iam:CreateUser",
    "iam:PutUserPermissionsBoundary",
    "iam:AttachUserPolicy",
    "iam:PutUserPolicy",
];

/**
 * Every object the self-managed backend writes for one stack of `project`: the checkpoint and its
 * `.bak`/compressed/tags siblings, history, backups and locks. Layout of pulumi/pulumi pkg/backend/diy
 * (commit 1b5949891b3cefcb9974752b24a5ecef0acc86c8): store.go (StackBasePath, HistoryDir, BackupDir of
 * project-scoped stacks) and lock.go (`.pulumi/locks/organization/<project>/<stack>/`).
 */
export function stackStateObjects(bucketArn: pulumi.Input<string>, project: string, stack: string): pulumi.Output<string>[] {
    return [
        pulumi.interpolate`${bucketArn}/.pulumi/stacks/${project}/${stack}.*`,
        pulumi.interpolate`${bucketArn}/.pulumi/history/${project}/${stack}/*`,
        pulumi.interpolate`${bucketArn}/.pulumi/backups/${project}/${stack}/*`,
        pulumi.interpolate`${bucketArn}/.pulumi/locks/organization/${project}/${stack}/*`,
    ];
}

export interface BoundaryArgs {
    readonly partition: pulumi.Input<string>;
    readonly account: pulumi.Input<string>;
    /** The one platform stack of this account. */
    readonly stack: string;
    readonly stateBucketArn: pulumi.Input<string>;
    readonly stateKeyArn: pulumi.Input<string>;
    /** The stack's secrets-provider key. */
    readonly secretsKeyArn: pulumi.Input<string>;
    /** The GitHub OIDC provider the backend's roles trust. */
    readonly oidcProviderArn: pulumi.Input<string>;
}

/**
 * The permissions boundary of the account's deploy and preview roles, and of every role the deploy
 * role creates: anything in this account, except stepping outside the boundary (an entity without
 * it, or its own removed, replaced or edited), rewriting the backend's roles or the OIDC provider
 * they trust, the backend's guard rails and the audit trail. The other environment is another
 * account: nothing here names it, and nothing there trusts this one (docs/architecture.md "Delivery").
 */
export function boundaryDocument(args: BoundaryArgs): pulumi.Output<string> {
    const iamArn = (resource: string) => pulumi.interpolate`arn:${args.partition}:iam::${args.account}:${resource}`;
    const self = iamArn(`policy/${boundaryName(args.stack)}`);
    const backendRoles = [iamArn(`role/${deployRoleName(args.stack)}`), iamArn(`role/${previewRoleName(args.stack)}`)];
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            { Sid: "AllowWithinBoundary", Effect: "Allow", Action: "*", Resource: "*" },
            { Sid: "OnlyBoundedEntities", Effect: "Deny", Action: BOUNDED_IAM_WRITES, Resource: "*", Condition: { StringNotEquals: { "iam:PermissionsBoundary": self } } },
            // Replacing a boundary is a bounded write above; removing one is never needed.
            // A role the account already holds (platform-admin, breakglass) is not bounded: never handed to a
            // service nor assumed. Every role of the platform is named `pr-cybr-<stack>-*` and bounded.
            { Sid: "OnlyOwnRolesPassedOrAssumed", Effect: "Deny", Action: ["iam:PassRole", "sts:AssumeRole"], NotResource: iamArn(`role/pr-cybr-${args.stack}-*`) },
            { Sid: "NotBoundariesOff", Effect: "Deny", Action: ["iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"], Resource: "*" },
            { Sid: "NotOwnBoundaryEdited", Effect: "Deny", Action: ["iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy"], Resource: self },
            // Their trust decides who gets a session (a pull request must never get deploy's), their policies what it may do.
            {
                Sid: "NotTheBackendRoles",
                Effect: "Deny",
                Action: ["iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:UpdateRole", "iam:DeleteRole", "iam:TagRole", "iam:UntagRole"],
                Resource: backendRoles,
            },
            {
                Sid: "NotTheOidcProvider",
                Effect: "Deny",
                Action: ["iam:DeleteOpenIDConnectProvider", "iam:AddClientIDToOpenIDConnectProvider", "iam:RemoveClientIDFromOpenIDConnectProvider", "iam:UpdateOpenIDConnectProviderThumbprint", "iam:TagOpenIDConnectProvider", "iam:UntagOpenIDConnectProvider"],
                Resource: args.oidcProviderArn,
            },
            {
                Sid: "NotTheBackendGuardRails",
                Effect: "Deny",
                Action: ["s3:DeleteBucket", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration", "s3:PutBucketObjectLockConfiguration", "kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy", "kms:CreateGrant"],
                Resource: [args.stateBucketArn, args.stateKeyArn, args.secretsKeyArn],
            },
            { Sid: "NotTheAuditTrail", Effect: "Deny", Action: ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors", "organizations:LeaveOrganization"], Resource: "*" },
        ],
    });
}
