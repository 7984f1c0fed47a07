// Each account's deploy role (bootstrap, components/backend) reaches nothing of the other account's
// (state, keys, roles, secrets: another account, which trusts nothing of this one) and cannot step
// outside its own boundary: no unbounded role or user, no boundary removed, replaced or edited, no
// rewrite of the backend's roles or the OIDC provider they trust (docs/architecture.md "Delivery").
import { Claim, request } from "../lib/claims";
import { resourceNamed } from "../lib/plans";
import { RoleModel, World } from "../lib/world";

const DOC = "docs/architecture.md#delivery";

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

/** One account: its bootstrap plan and its platform plan. */
export interface Account {
    stack: string;
    backend: World;
    platform: World;
}

const session = (world: World, role: RoleModel) => ({ principal: world.session(role, "GitHubActions"), identityPolicies: role.identityPolicies, boundary: role.boundary, resourceAccount: world.account });
const bucketOf = (backend: World) => String(resourceNamed(backend.plan, "pr-cybr-state-bucket").inputs.bucket);

/** What `from`'s deploy role can do to `to`'s account: nothing. */
async function crossAccountClaims(project: string, from: Account, to: Account): Promise<Claim[]> {
    const deploy = await from.backend.role(`pr-cybr-ci-${from.stack}-deploy`);
    const as = { ...session(from.backend, deploy), resourceAccount: to.backend.account };
    const claims: Claim[] = [];
    const bucket = bucketOf(to.backend);
    for (const key of stateObjects(project, to.stack)) {
        for (const action of [...READ, ...WRITE]) {
            claims.push(request(`${from.stack} deploy role cannot ${action} ${to.stack}'s ${key}`, DOC, "Denied", () => ({ ...as, action, resource: `arn:aws:s3:::${bucket}/${key}`, resourcePolicy: to.backend.bucketPolicy(bucket), context: { "aws:SecureTransport": "true" } })));
        }
    }
    const providerKey = to.backend.keyArnOfAlias(`alias/pr-cybr-${to.stack}`);
    for (const action of ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:CreateGrant", "kms:DisableKeyRotation", "kms:ScheduleKeyDeletion", "kms:PutKeyPolicy"]) {
        claims.push(request(`${from.stack} deploy role cannot ${action} on ${to.stack}'s secrets-provider key`, DOC, "Denied", () => ({ ...as, action, resource: providerKey, resourcePolicy: to.backend.keyPolicy(providerKey) })));
    }
    for (const otherRole of [await to.backend.role(`pr-cybr-ci-${to.stack}-deploy`), await to.backend.role(`pr-cybr-ci-${to.stack}-preview`)]) {
        for (const action of ["iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DeleteRolePermissionsBoundary"]) {
            claims.push(request(`${from.stack} deploy role cannot ${action} on ${otherRole.name}`, DOC, "Denied", () => ({ ...as, action, resource: otherRole.arn })));
        }
        claims.push(request(`${from.stack} deploy role cannot assume ${otherRole.name}`, DOC, "Denied", () => ({ ...as, action: "sts:AssumeRole", resource: otherRole.arn, resourcePolicy: otherRole.trust })));
    }
    // The other environment's workloads: its Secrets Manager secrets and the key they are encrypted with.
    const envKey = to.platform.keyArnOfAlias(`alias/pr-cybr-${to.stack}-secrets`);
    claims.push(
        request(`${from.stack} deploy role cannot decrypt with ${to.stack}'s environment key through Secrets Manager`, DOC, "Denied", () => ({
            ...as,
            action: "kms:Decrypt",
            resource: envKey,
            resourcePolicy: to.platform.keyPolicy(envKey),
            context: { "kms:ViaService": `secretsmanager.${to.platform.region}.amazonaws.com`, "kms:CallerAccount": from.backend.account },
        })),
    );
    const secret = to.platform.secrets()[0];
    const { arn } = to.platform.secret(String(secret.inputs.name));
    claims.push(request(`${from.stack} deploy role cannot read ${to.stack}'s secret ${secret.inputs.name}`, DOC, "Denied", () => ({ ...as, action: "secretsmanager:GetSecretValue", resource: arn, resourcePolicy: secret.inputs.policy ? JSON.parse(secret.inputs.policy) : undefined })));
    return claims;
}

/** What a deploy role may do in its own account, and where its boundary stops it. */
async function ownAccountClaims(project: string, own: Account): Promise<Claim[]> {
    const { backend, stack } = own;
    const deploy = await backend.role(`pr-cybr-ci-${stack}-deploy`);
    const preview = await backend.role(`pr-cybr-ci-${stack}-preview`);
    const as = session(backend, deploy);
    const bucket = bucketOf(backend);
    const claims: Claim[] = [];
    for (const key of stateObjects(project, stack)) {
        for (const action of ["s3:GetObject", "s3:PutObject"]) {
            claims.push(request(`${stack} deploy role may ${action} its own ${key}`, DOC, "Allowed", () => ({ ...as, action, resource: `arn:aws:s3:::${bucket}/${key}`, resourcePolicy: backend.bucketPolicy(bucket), context: { "aws:SecureTransport": "true" } })));
        }
    }
    const ownKey = backend.keyArnOfAlias(`alias/pr-cybr-${stack}`);
    for (const action of ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]) {
        claims.push(request(`${stack} deploy role may ${action} with its own secrets-provider key`, DOC, "Allowed", () => ({ ...as, action, resource: ownKey, resourcePolicy: backend.keyPolicy(ownKey) })));
    }
    claims.push(request(`${stack} deploy role cannot kms:CreateGrant on its own secrets-provider key`, DOC, "Denied", () => ({ ...as, action: "kms:CreateGrant", resource: ownKey, resourcePolicy: backend.keyPolicy(ownKey) })));

    const boundaryArn = String(deploy.resource.inputs.permissionsBoundary);
    const bounded = { "iam:PermissionsBoundary": boundaryArn };
    const adminBoundary = { "iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess" };
    const newRole = backend.arn("iam", "role/escape", false);
    const outsider = backend.arn("iam", "role/platform-admin", false);
    claims.push(
        request(`${stack} deploy role may create a role that carries its boundary`, DOC, "Allowed", () => ({ ...as, action: "iam:CreateRole", resource: newRole, context: bounded })),
        request(`${stack} deploy role cannot create a role without a boundary`, DOC, "Denied", () => ({ ...as, action: "iam:CreateRole", resource: newRole })),
        request(`${stack} deploy role cannot create a role bounded by AdministratorAccess`, DOC, "Denied", () => ({ ...as, action: "iam:CreateRole", resource: newRole, context: adminBoundary })),
        request(`${stack} deploy role cannot create a user without a boundary`, DOC, "Denied", () => ({ ...as, action: "iam:CreateUser", resource: backend.arn("iam", "user/escape", false) })),
        request(`${stack} deploy role cannot attach a policy to an unbounded role (platform-admin)`, DOC, "Denied", () => ({ ...as, action: "iam:AttachRolePolicy", resource: outsider, context: { "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess" } })),
        request(`${stack} deploy role cannot rewrite the trust of an unbounded role (platform-admin)`, DOC, "Denied", () => ({ ...as, action: "iam:UpdateAssumeRolePolicy", resource: outsider })),
        request(`${stack} deploy role may pass its platform's roles to services (EKS, EC2, Lambda)`, DOC, "Allowed", () => ({ ...as, action: "iam:PassRole", resource: backend.arn("iam", `role/pr-cybr-${stack}-cluster-role-fcfe2c0`, false), context: { "iam:PassedToService": "eks.amazonaws.com" } })),
        request(`${stack} deploy role cannot pass an unbounded role (platform-admin) to EC2`, DOC, "Denied", () => ({ ...as, action: "iam:PassRole", resource: outsider, context: { "iam:PassedToService": "ec2.amazonaws.com" } })),
        request(`${stack} deploy role cannot assume an unbounded role (platform-admin, even one that trusts the account)`, DOC, "Denied", () => ({
            ...as,
            action: "sts:AssumeRole",
            resource: outsider,
            resourcePolicy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${backend.account}:root` }, Action: "sts:AssumeRole" }] },
        })),
        request(`${stack} deploy role cannot change the thumbprint of the GitHub OIDC provider`, DOC, "Denied", () => ({ ...as, action: "iam:UpdateOpenIDConnectProviderThumbprint", resource: backend.arn("iam", "oidc-provider/token.actions.githubusercontent.com", false) })),
    );
    for (const role of [deploy, preview]) {
        claims.push(
            request(`${stack} deploy role cannot remove the boundary of ${role.name}`, DOC, "Denied", () => ({ ...as, action: "iam:DeleteRolePermissionsBoundary", resource: role.arn, context: bounded })),
            request(`${stack} deploy role cannot replace the boundary of ${role.name}`, DOC, "Denied", () => ({ ...as, action: "iam:PutRolePermissionsBoundary", resource: role.arn, context: adminBoundary })),
            // A pull request's token must never get deploy's session, nor preview's more rights.
            request(`${stack} deploy role cannot rewrite the trust of ${role.name}`, DOC, "Denied", () => ({ ...as, action: "iam:UpdateAssumeRolePolicy", resource: role.arn, context: bounded })),
            request(`${stack} deploy role cannot add a policy to ${role.name}`, DOC, "Denied", () => ({ ...as, action: "iam:PutRolePolicy", resource: role.arn, context: bounded })),
        );
    }
    // Grafana's ACM certificate (components/gitops/grafana-endpoint.ts): what the provider calls to request,
    // tag, read, wait for and delete it (terraform-provider-aws internal/service/acm certificate.go,
    // certificate_validation.go). RequestCertificate names no resource (AWS service authorization reference, ACM).
    const certificate = own.platform.arn("acm", "certificate/0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9");
    claims.push(request(`${stack} deploy role may acm:RequestCertificate (Grafana's)`, DOC, "Allowed", () => ({ ...as, action: "acm:RequestCertificate", resource: "*" })));
    for (const action of ["acm:AddTagsToCertificate", "acm:DescribeCertificate", "acm:ListTagsForCertificate", "acm:DeleteCertificate"]) {
        claims.push(request(`${stack} deploy role may ${action} on a certificate of its account (Grafana's)`, DOC, "Allowed", () => ({ ...as, action, resource: certificate })));
    }
    for (const action of ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicyVersion", "iam:DeletePolicy"]) {
        claims.push(request(`${stack} deploy role cannot ${action} on its own boundary`, DOC, "Denied", () => ({ ...as, action, resource: boundaryArn })));
    }
    return claims;
}

export async function backendClaims(project: string, accounts: Account[]): Promise<Claim[]> {
    const claims: Claim[] = [];
    for (const own of accounts) {
        claims.push(...(await ownAccountClaims(project, own)));
        for (const other of accounts.filter((a) => a !== own)) claims.push(...(await crossAccountClaims(project, own, other)));
    }
    return claims;
}
