// External Secrets Operator (components/addons/external-secrets.ts, issue 19 item 4): only this cluster's
// Pod Identity assumes the controller role; the controller role does nothing but assume the tenants'
// reader roles; a reader role is assumed only by the controller's Pod Identity session (the session tags
// EKS puts on it) and only with ESO's own session tags for an ExternalSecret in that tenant's namespaces
// of the platform's store; a reader session reads that tenant's secrets and no other tenant's or the
// platform's.
import { Claim, request } from "../lib/claims";
import { podIdentityTrustClaims } from "../lib/pod-identity";
import { resourcesOfType } from "../lib/plans";
import { World } from "../lib/world";
import { secretArn, tenantSecretClaims, tenantWorkloadRoles } from "./tenant-identity";

const POD_ID_DOC = "https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html";
const ESO_DOC = "external-secrets helm-chart-2.8.0 providers/v1/aws/provider.go buildSessionTags; docs/architecture.md#secrets-for-tenant-workloads";

export async function externalSecretsClaims(world: World): Promise<Claim[]> {
    const env = world.plan.stack;
    const prefix = `pr-cybr-${env}-external-secrets`;
    const controller = await world.role(`${prefix}-controller-role`);
    const cluster = resourcesOfType(world.plan, "aws:eks/cluster:Cluster")[0];
    const clusterArn = world.arn("eks", `cluster/${cluster.inputs.name}`);
    const stores = resourcesOfType(world.plan, "kubernetes:external-secrets.io/v1:SecretStore");
    const tenants = [...new Set(stores.map((s) => s.inputs.metadata.labels["pr-cybr.io/tenant"] as string))];
    if (tenants.length < 2) throw new Error(`${env}: fewer than two tenant SecretStores in the plan`);
    const namespacesOf = (t: string) => stores.filter((s) => s.inputs.metadata.labels["pr-cybr.io/tenant"] === t).map((s) => s.inputs.metadata.namespace as string);
    const claims: Claim[] = [];

    claims.push(...podIdentityTrustClaims(world, { label: "the ESO controller role", role: controller, clusterArn }));

    // The controller's Pod Identity session, as EKS tags it.
    const podTags = { "aws:PrincipalTag/kubernetes-namespace": "external-secrets", "aws:PrincipalTag/kubernetes-service-account": "external-secrets", "aws:PrincipalTag/eks-cluster-arn": clusterArn };
    const controllerSession = { principal: world.session(controller, "eks-pr-cybr-de-external-s-0a1b2c"), identityPolicies: controller.identityPolicies, boundary: controller.boundary, resourceAccount: world.account };
    claims.push(
        request(`${env}: the ESO controller role reads no tenant's secret itself`, ESO_DOC, "Denied", () => ({ ...controllerSession, action: "secretsmanager:GetSecretValue", resource: secretArn(world, `pr-cybr/${env}/tenants/${tenants[0]}/database`) })),
        request(`${env}: the ESO controller role reads no platform secret`, ESO_DOC, "Denied", () => ({ ...controllerSession, action: "secretsmanager:GetSecretValue", resource: secretArn(world, `pr-cybr/${env}/argocd/oidc-client-secret`) })),
    );
    for (const w of await tenantWorkloadRoles(world)) {
        claims.push(request(`${env}: the ESO controller role cannot assume ${w.tenant}'s workload role`, ESO_DOC, "Denied", () => ({ ...controllerSession, action: "sts:AssumeRole", resource: w.role.arn, resourcePolicy: w.role.trust, context: podTags })));
    }

    for (const tenant of tenants) {
        const reader = await world.role(`${prefix}-${tenant}-reader-role`);
        const own = namespacesOf(tenant);
        const other = tenants.find((t) => t !== tenant)!;
        const esoTags = (namespace: string, storeName = "tenant-secrets", storeKind = "SecretStore") => ({
            "aws:RequestTag/esoNamespace": namespace,
            "aws:RequestTag/esoStoreName": storeName,
            "aws:RequestTag/esoStoreKind": storeKind,
            "aws:TagKeys": ["esoNamespace", "esoStoreName", "esoStoreKind"],
        });
        const assume = (action: string, context: Record<string, string | string[]>, principal = controllerSession) => () => ({ ...principal, action, resource: reader.arn, resourcePolicy: reader.trust, context });
        for (const ns of own) {
            for (const action of ["sts:AssumeRole", "sts:TagSession"]) {
                claims.push(request(`${env}: the ESO controller may ${action} ${tenant}'s reader role for an ExternalSecret in ${ns}`, ESO_DOC, "Allowed", assume(action, { ...podTags, ...esoTags(ns) })));
            }
        }
        claims.push(
            request(`${env}: the ESO controller cannot assume ${tenant}'s reader role for an ExternalSecret of ${other} (${namespacesOf(other)[0]})`, ESO_DOC, "Denied", assume("sts:AssumeRole", { ...podTags, ...esoTags(namespacesOf(other)[0]) })),
            request(`${env}: the ESO controller cannot assume ${tenant}'s reader role without ESO's session tags`, ESO_DOC, "Denied", assume("sts:AssumeRole", podTags)),
            request(`${env}: the ESO controller cannot assume ${tenant}'s reader role through a ClusterSecretStore of the same name`, ESO_DOC, "Denied", assume("sts:AssumeRole", { ...podTags, ...esoTags(own[0], "tenant-secrets", "ClusterSecretStore") })),
            request(`${env}: the ESO controller cannot assume ${tenant}'s reader role through another store`, ESO_DOC, "Denied", assume("sts:AssumeRole", { ...podTags, ...esoTags(own[0], "my-store") })),
            request(`${env}: the controller role used from another service account cannot assume ${tenant}'s reader role`, ESO_DOC, "Denied", assume("sts:AssumeRole", { ...podTags, "aws:PrincipalTag/kubernetes-namespace": own[0], "aws:PrincipalTag/kubernetes-service-account": "default", ...esoTags(own[0]) })),
            request(`${env}: EKS Pod Identity cannot hand ${tenant}'s reader role to a pod`, POD_ID_DOC, "Denied", () => ({ principal: "pods.eks.amazonaws.com", action: "sts:AssumeRole", resource: reader.arn, resourceAccount: world.account, resourcePolicy: reader.trust, context: { "aws:SourceAccount": world.account, "aws:SourceArn": clusterArn } })),
        );
        for (const w of (await tenantWorkloadRoles(world)).filter((x) => x.tenant === tenant)) {
            const workloadSession = { principal: world.session(w.role, "eks-pod"), identityPolicies: w.role.identityPolicies, boundary: w.role.boundary, resourceAccount: world.account };
            claims.push(request(`${env}: ${tenant}'s own workload role cannot assume its ESO reader role`, ESO_DOC, "Denied", assume("sts:AssumeRole", { ...esoTags(own[0]), "aws:PrincipalTag/kubernetes-namespace": own[0] }, workloadSession)));
        }
        claims.push(...tenantSecretClaims(world, `${tenant}'s ESO reader role`, reader, "aws-go-sdk-1733100000", tenant, tenants.filter((t) => t !== tenant), ESO_DOC));
    }
    return claims;
}
