// Each stack's deploy role (bootstrap, components/backend) stays off the other stack's state objects,
// secrets-provider key and roles, and cannot loosen its own permissions boundary (README "Backend
// bootstrap": "each with a permissions boundary that keeps it off the other stack's state and keys").
import { Claim, request } from "../lib/claims";
import { resourceNamed } from "../lib/plans";
import { RoleModel, World } from "../lib/world";

const DOC = "README.md#backend-bootstrap-once-per-aws-account";

/**
 * Every object the self-managed (DIY) backend writes for one stack, from pulumi/pulumi
 * pkg/backend/diy (commit 1b5949891b3cefcb9974752b24a5ecef0acc86c8): store.go StackBasePath/HistoryDir/
 * BackupDir for project-scoped stacks, state.go's `.bak` copy and `<name>.<unixnano>.json` backups,
 * `<stack>-<unixnano>.history.json`/`.checkpoint.json` history entries, and lock.go's
 * `.pulumi/locks/<FullyQualifiedName>/<lock id>.json`, where the name is `organization/<project>/<stack>`,
 * and stack_tags.go's `<stack>.pulumi-tags` beside the checkpoint.
 */
export function stateObjects(project: string, stack: string): string[] {
    const t = "1764612345678901234";
    return [
        `.pulumi/stacks/${project}/${stack}.json`,
        `.pulumi/stacks/${project}/${stack}.json.bak`,
        `.pulumi/stacks/${project}/${stack}.pulumi-tags`,
        `.pulumi/history/${project}/${stack}/${stack}-${t}.history.json`,
        `.pulumi/history/${project}/${stack}/${stack}-${t}.checkpoint.json`,
        `.pulumi/backups/${project}/${stack}/${stack}.${t}.json`,
        `.pulumi/locks/organization/${project}/${stack}/0b2f7c1e-3d4a-4e5f-9a6b-7c8d9e0f1a2b.json`,
    ];
}

const READ = ["s3:GetObject", "s3:GetObjectVersion"];
const WRITE = ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"];

export async function backendClaims(global: World, project: string, stacks: string[]): Promise<Claim[]> {
    const bucket = String(resourceNamed(global.plan, "pr-cybr-state-bucket").inputs.bucket);
    const bucketPolicy = global.bucketPolicy(bucket);
    const claims: Claim[] = [];
    for (const stack of stacks) {
        const deploy = await global.role(`pr-cybr-ci-${stack}-deploy`);
        const preview = await global.role(`pr-cybr-ci-${stack}-preview`);
        const as = (role: RoleModel) => ({ principal: global.session(role, "GitHubActions"), identityPolicies: role.identityPolicies, boundary: role.boundary, resourceAccount: global.account });
        const object = (role: RoleModel, action: string, key: string) => () => ({ ...as(role), action, resource: `arn:aws:s3:::${bucket}/${key}`, resourcePolicy: bucketPolicy, context: { "aws:SecureTransport": "true" } });
        for (const other of stacks.filter((s) => s !== stack)) {
            for (const key of stateObjects(project, other)) {
                for (const action of [...READ, ...WRITE]) claims.push(request(`${stack} deploy role cannot ${action} ${key}`, DOC, "Denied", object(deploy, action, key)));
            }
            const otherKey = global.keyArnOfAlias(`alias/pr-cybr-${other}`);
            for (const action of ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:CreateGrant", "kms:DisableKeyRotation", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"]) {
                claims.push(request(`${stack} deploy role cannot ${action} on ${other}'s secrets-provider key`, DOC, "Denied", () => ({ ...as(deploy), action, resource: otherKey, resourcePolicy: global.keyPolicy(otherKey) })));
            }
            for (const otherRole of [await global.role(`pr-cybr-ci-${other}-deploy`), await global.role(`pr-cybr-ci-${other}-preview`)]) {
                for (const action of ["iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DeleteRolePermissionsBoundary"]) {
                    claims.push(request(`${stack} deploy role cannot ${action} on ${otherRole.name}`, DOC, "Denied", () => ({ ...as(deploy), action, resource: otherRole.arn })));
                }
                claims.push(request(`${stack} deploy role cannot assume ${otherRole.name}`, DOC, "Denied", () => ({ ...as(deploy), action: "sts:AssumeRole", resource: otherRole.arn, resourcePolicy: otherRole.trust })));
            }
            const otherBoundary = String((await global.role(`pr-cybr-ci-${other}-deploy`)).resource.inputs.permissionsBoundary);
            claims.push(request(`${stack} deploy role cannot edit ${other}'s boundary (iam:CreatePolicyVersion)`, DOC, "Denied", () => ({ ...as(deploy), action: "iam:CreatePolicyVersion", resource: otherBoundary })));
        }
        for (const key of stateObjects(project, stack)) {
            for (const action of ["s3:GetObject", "s3:PutObject"]) claims.push(request(`${stack} deploy role may ${action} its own ${key}`, DOC, "Allowed", object(deploy, action, key)));
        }
        const ownKey = global.keyArnOfAlias(`alias/pr-cybr-${stack}`);
        for (const action of ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]) {
            claims.push(request(`${stack} deploy role may ${action} with its own secrets-provider key`, DOC, "Allowed", () => ({ ...as(deploy), action, resource: ownKey, resourcePolicy: global.keyPolicy(ownKey) })));
        }
        // Its own boundary: neither detached or replaced on the roles it bounds, nor edited.
        for (const bounded of [deploy, preview]) {
            claims.push(request(`${stack} deploy role cannot remove the boundary of ${bounded.name}`, DOC, "Denied", () => ({ ...as(deploy), action: "iam:DeleteRolePermissionsBoundary", resource: bounded.arn })));
            claims.push(request(`${stack} deploy role cannot replace the boundary of ${bounded.name}`, DOC, "Denied", () => ({ ...as(deploy), action: "iam:PutRolePermissionsBoundary", resource: bounded.arn, context: { "iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess" } })));
        }
        const boundaryArn = String(deploy.resource.inputs.permissionsBoundary);
        for (const action of ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicyVersion", "iam:DeletePolicy"]) {
            claims.push(request(`${stack} deploy role cannot ${action} on its own boundary`, DOC, "Denied", () => ({ ...as(deploy), action, resource: boundaryArn })));
        }
    }
    return claims;
}
