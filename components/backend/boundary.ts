import * as pulumi from "@pulumi/pulumi";

/** Physical names the boundary must know before the roles exist (it names them, and itself). */
export const deployRoleName = (stack: string) => `pr-cybr-deploy-${stack}`;
export const previewRoleName = (stack: string) => `pr-cybr-preview-${stack}`;
export const boundaryName = (stack: string) => `pr-cybr-${stack}-boundary`;

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
    readonly stack: string;
    readonly project: string;
    readonly stateBucketArn: pulumi.Input<string>;
    readonly stateKeyArn: pulumi.Input<string>;
    /** Every stack's secrets-provider key. */
    readonly keyArns: Record<string, pulumi.Input<string>>;
}

/**
 * The permissions boundary of one stack's deploy and preview roles: anything, except the other stacks'
 * state objects, keys, roles and boundaries, its own boundary (neither removed, replaced nor edited),
 * the backend's guard rails and the audit trail.
 */
export function boundaryDocument(args: BoundaryArgs): pulumi.Output<string> {
    const others = Object.keys(args.keyArns).filter((s) => s !== args.stack);
    const iamArn = (resource: string) => pulumi.interpolate`arn:${args.partition}:iam::${args.account}:${resource}`;
    const rolesOf = (stack: string) => [iamArn(`role/${deployRoleName(stack)}`), iamArn(`role/${previewRoleName(stack)}`)];
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            { Sid: "AllowWithinBoundary", Effect: "Allow", Action: "*", Resource: "*" },
            { Sid: "NotOtherStacksState", Effect: "Deny", Action: "s3:*", Resource: others.flatMap((o) => stackStateObjects(args.stateBucketArn, args.project, o)) },
            { Sid: "NotOtherStacksKeys", Effect: "Deny", Action: "kms:*", Resource: others.map((o) => args.keyArns[o]) },
            { Sid: "NotOtherStacksRoles", Effect: "Deny", Action: ["iam:*", "sts:*"], Resource: others.flatMap((o) => [...rolesOf(o), iamArn(`policy/${boundaryName(o)}`)]) },
            { Sid: "NotOwnBoundaryOff", Effect: "Deny", Action: ["iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary"], Resource: rolesOf(args.stack) },
            {
                Sid: "NotOwnBoundaryEdited",
                Effect: "Deny",
                Action: ["iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy"],
                Resource: iamArn(`policy/${boundaryName(args.stack)}`),
            },
            {
                Sid: "NotTheBackendGuardRails",
                Effect: "Deny",
                Action: ["s3:DeleteBucket", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration", "kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"],
                Resource: [args.stateBucketArn, args.stateKeyArn, ...Object.values(args.keyArns)],
            },
            { Sid: "NotTheAuditTrail", Effect: "Deny", Action: ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "organizations:LeaveOrganization", "iam:DeleteOpenIDConnectProvider"], Resource: "*" },
        ],
    });
}
