// Tenant workload roles (components/tenancy/workload-identity.ts, issue 19 item 5): only EKS Pod Identity
// of this cluster assumes one, and only for a pod in that tenant's namespaces (the session tag
// `kubernetes-namespace`); a session reads the tenant's secrets under pr-cybr/<env>/tenants/<tenant>/,
// decrypts them only through Secrets Manager, and reads no other tenant's secrets, no platform secret,
// and only the buckets its config entry names.
import { Claim, request } from "../lib/claims";
import { resourcesOfType } from "../lib/plans";
import { RoleModel, World } from "../lib/world";

const POD_ID_DOC = "https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html";
const DOC = "docs/architecture.md#tenant-workload-identity";
const SM_KMS_DOC = "https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html";

/** The tenant workload roles of a plan, by tenant. */
export async function tenantWorkloadRoles(world: World): Promise<{ tenant: string; role: RoleModel; namespaces: string[] }[]> {
    const out = [];
    for (const r of world.rolesNamed()) {
        const m = /-tenant-(.+)-workload-role$/.exec(r.name);
        if (!m) continue;
        const role = await world.role(r.name);
        const namespaces = [role.trust.Statement[0].Condition.StringEquals["aws:RequestTag/kubernetes-namespace"]].flat();
        out.push({ tenant: m[1], role, namespaces });
    }
    return out;
}

/** A secret ARN as Secrets Manager forms it (name, `-`, six random characters). */
export const secretArn = (world: World, name: string) => world.arn("secretsmanager", `secret:${name}-Ab12Cd`);

/** What a session of `role` may do with the tenants' secrets: `own` readable, every other denied. */
export function tenantSecretClaims(world: World, label: string, role: RoleModel, sessionName: string, tenant: string, others: string[], source: string): Claim[] {
    const env = world.plan.stack;
    const as = { principal: world.session(role, sessionName), identityPolicies: role.identityPolicies, boundary: role.boundary, resourceAccount: world.account };
    const keyArn = world.keyArnOfAlias(`alias/pr-cybr-${env}-secrets`);
    const own = secretArn(world, `pr-cybr/${env}/tenants/${tenant}/database`);
    const claims: Claim[] = [
        request(`${env}: ${label} reads ${tenant}'s secret under its prefix`, source, "Allowed", () => ({ ...as, action: "secretsmanager:GetSecretValue", resource: own })),
        request(`${env}: ${label} describes ${tenant}'s secret`, source, "Allowed", () => ({ ...as, action: "secretsmanager:DescribeSecret", resource: own })),
        request(`${env}: ${label} cannot change ${tenant}'s secret`, source, "Denied", () => ({ ...as, action: "secretsmanager:PutSecretValue", resource: own })),
        request(`${env}: ${label} cannot read a tenant whose name extends ${tenant}'s (${tenant}x)`, source, "Denied", () => ({ ...as, action: "secretsmanager:GetSecretValue", resource: secretArn(world, `pr-cybr/${env}/tenants/${tenant}x/database`) })),
        request(`${env}: ${label} cannot read the platform's secrets`, source, "Denied", () => ({ ...as, action: "secretsmanager:GetSecretValue", resource: secretArn(world, `pr-cybr/${env}/argocd/oidc-client-secret`) })),
        request(`${env}: ${label} cannot list every secret's value in one call`, source, "Denied", () => ({ ...as, action: "secretsmanager:BatchGetSecretValue", resource: "*" })),
        request(`${env}: ${label} decrypts ${tenant}'s secret through Secrets Manager`, SM_KMS_DOC, "Allowed", () => ({
            ...as,
            action: "kms:Decrypt",
            resource: keyArn,
            resourcePolicy: world.keyPolicy(keyArn),
            context: { "kms:ViaService": `secretsmanager.${world.region}.amazonaws.com`, "kms:EncryptionContext:SecretARN": own },
        })),
        request(`${env}: ${label} cannot decrypt with the environment key outside Secrets Manager`, SM_KMS_DOC, "Denied", () => ({ ...as, action: "kms:Decrypt", resource: keyArn, resourcePolicy: world.keyPolicy(keyArn), context: { "kms:EncryptionContext:SecretARN": own } })),
    ];
    for (const other of others) {
        const theirs = secretArn(world, `pr-cybr/${env}/tenants/${other}/database`);
        claims.push(
            request(`${env}: ${label} cannot read ${other}'s secret`, source, "Denied", () => ({ ...as, action: "secretsmanager:GetSecretValue", resource: theirs })),
            request(`${env}: ${label} cannot decrypt ${other}'s secret through Secrets Manager`, SM_KMS_DOC, "Denied", () => ({
                ...as,
                action: "kms:Decrypt",
                resource: keyArn,
                resourcePolicy: world.keyPolicy(keyArn),
                context: { "kms:ViaService": `secretsmanager.${world.region}.amazonaws.com`, "kms:EncryptionContext:SecretARN": theirs },
            })),
        );
    }
    return claims;
}

export async function tenantIdentityClaims(world: World): Promise<Claim[]> {
    const env = world.plan.stack;
    const roles = await tenantWorkloadRoles(world);
    if (roles.length === 0) throw new Error(`${env}: no tenant workload role in the plan (a tenant with workloadIdentity is expected)`);
    const tenants = [...new Set(resourcesOfType(world.plan, "kubernetes:core/v1:Namespace").map((n) => n.inputs.metadata.labels?.["pr-cybr.io/tenant"]).filter(Boolean))] as string[];
    const cluster = resourcesOfType(world.plan, "aws:eks/cluster:Cluster")[0];
    const clusterArn = world.arn("eks", `cluster/${cluster.inputs.name}`);
    const claims: Claim[] = [];
    for (const { tenant, role, namespaces } of roles) {
        const otherNamespace = resourcesOfType(world.plan, "kubernetes:core/v1:Namespace").map((n) => n.inputs.metadata).find((m) => m.labels?.["pr-cybr.io/tenant"] && m.labels["pr-cybr.io/tenant"] !== tenant)!.name;
        const assume = (action: string, namespace: string, sourceArn = clusterArn, sourceAccount = world.account) => () => ({
            principal: "pods.eks.amazonaws.com",
            action,
            resource: role.arn,
            resourceAccount: world.account,
            resourcePolicy: role.trust,
            context: { "aws:SourceAccount": sourceAccount, "aws:SourceArn": sourceArn, "aws:RequestTag/kubernetes-namespace": namespace, "aws:RequestTag/kubernetes-service-account": "api", "aws:TagKeys": ["kubernetes-namespace", "kubernetes-service-account"] },
        });
        for (const ns of namespaces) {
            for (const action of ["sts:AssumeRole", "sts:TagSession"]) claims.push(request(`${env}: Pod Identity of this cluster may ${action} ${tenant}'s role for a pod in ${ns}`, POD_ID_DOC, "Allowed", assume(action, ns)));
        }
        claims.push(
            request(`${env}: Pod Identity cannot assume ${tenant}'s role for a pod of another tenant (${otherNamespace})`, POD_ID_DOC, "Denied", assume("sts:AssumeRole", otherNamespace)),
            request(`${env}: Pod Identity cannot tag a session of ${tenant}'s role for a pod in kube-system`, POD_ID_DOC, "Denied", assume("sts:TagSession", "kube-system")),
            request(`${env}: Pod Identity of another cluster cannot assume ${tenant}'s role`, POD_ID_DOC, "Denied", assume("sts:AssumeRole", namespaces[0], world.arn("eks", "cluster/someone-else"))),
            request(`${env}: Pod Identity acting for another account cannot assume ${tenant}'s role`, POD_ID_DOC, "Denied", assume("sts:AssumeRole", namespaces[0], clusterArn, "210987654321")),
            request(`${env}: an IAM user of the account cannot assume ${tenant}'s role`, POD_ID_DOC, "Denied", () => ({ principal: `arn:aws:iam::${world.account}:user/someone`, action: "sts:AssumeRole", resource: role.arn, resourceAccount: world.account, resourcePolicy: role.trust })),
        );
        claims.push(...tenantSecretClaims(world, `${tenant}'s workload role`, role, "eks-pod", tenant, tenants.filter((t) => t !== tenant), DOC));

        // Buckets: exactly the ones its config entry names (read from the role's own policy would restate it; the
        // stack file is the promise).
        const as = { principal: world.session(role, "eks-pod"), identityPolicies: role.identityPolicies, boundary: role.boundary, resourceAccount: world.account };
        const granted = role.identityPolicies.flatMap((p) => [p.policy.Statement].flat()).filter((s: any) => s.Sid === "ListTheTenantsBuckets").flatMap((s: any) => [s.Resource].flat()) as string[];
        for (const bucketArn of granted) {
            claims.push(
                request(`${env}: ${tenant}'s role lists ${bucketArn}`, DOC, "Allowed", () => ({ ...as, action: "s3:ListBucket", resource: bucketArn })),
                request(`${env}: ${tenant}'s role writes objects of ${bucketArn}`, DOC, "Allowed", () => ({ ...as, action: "s3:PutObject", resource: `${bucketArn}/uploads/a.bin` })),
                request(`${env}: ${tenant}'s role cannot delete ${bucketArn} itself`, DOC, "Denied", () => ({ ...as, action: "s3:DeleteBucket", resource: bucketArn })),
                request(`${env}: ${tenant}'s role cannot change ${bucketArn}'s policy`, DOC, "Denied", () => ({ ...as, action: "s3:PutBucketPolicy", resource: bucketArn })),
            );
        }
        claims.push(request(`${env}: ${tenant}'s role reads no other bucket`, DOC, "Denied", () => ({ ...as, action: "s3:GetObject", resource: `arn:aws:s3:::pr-cybr-${env}-velero-backups/x` })));
        claims.push(request(`${env}: ${tenant}'s role cannot assume another role`, DOC, "Denied", () => ({ ...as, action: "sts:AssumeRole", resource: world.arn("iam", `role/pr-cybr-${env}-ebs-csi-role-0000000`, false) })));
    }
    return claims;
}
