// Who acts in a tenant's namespaces, read from the plan as EKS and Argo CD would see it: each tenant
// principal as the EKS authenticator presents it (its access entry's Kubernetes groups), the EKS access
// policy associated with it (emulated by the equivalent ClusterRole bound at the association's scope),
// and the service account Argo CD impersonates for each destination of a tenant's AppProject.
import { readFileSync } from "fs";
import * as path from "path";
import YAML from "yaml";
import { Identity, serviceAccount } from "../lib/kube";
import { PlanResource } from "./plan-objects";

/**
 * EKS access policies as the user-facing ClusterRoles they mirror. AWS: "The permissions contained in
 * access policies are similar to the permissions in the Kubernetes user-facing cluster roles", and each
 * policy's rule table there matches the role's (e.g. AmazonEKSAdminPolicy lists apps
 * daemonsets/deployments/... create, delete, deletecollection, patch, update as `admin` does).
 * https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html
 * They are authorized by EKS's own authorizer, outside RBAC, so nothing in the cluster can take a right
 * away from them: only admission can refuse what they allow.
 */
export const ACCESS_POLICY_CLUSTER_ROLE: Record<string, string> = {
    AmazonEKSClusterAdminPolicy: "cluster-admin",
    AmazonEKSAdminPolicy: "admin",
    AmazonEKSEditPolicy: "edit",
    AmazonEKSViewPolicy: "view",
};

export interface TenantPrincipal {
    tenant: string;
    persona: string;
    principalArn: string;
    identity: Identity;
    /** The ClusterRole its access policy amounts to and the namespaces it is scoped to (none: no association). */
    accessPolicy?: { clusterRole: string; namespaces: string[] };
}

/**
 * The username EKS gives an IAM role's session when the access entry sets none:
 * `arn:aws:sts::<account>:assumed-role/<role name>/{{SessionName}}` (an IAM user keeps its ARN).
 * https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html
 */
export function eksUsername(principalArn: string, session = "integration"): string {
    const m = /^arn:([^:]+):iam::(\d+):role\/(?:.*\/)?([^/]+)$/.exec(principalArn);
    return m ? `arn:${m[1]}:sts::${m[2]}:assumed-role/${m[3]}/${session}` : principalArn;
}

/** Every tenant principal of the plan (access entries whose groups are a tenant persona's). */
export function tenantPrincipals(resources: PlanResource[]): TenantPrincipal[] {
    const associations = resources.filter((r) => r.type === "aws:eks/accessPolicyAssociation:AccessPolicyAssociation");
    return resources
        .filter((r) => r.type === "aws:eks/accessEntry:AccessEntry")
        .flatMap((entry) => {
            const groups: string[] = entry.inputs.kubernetesGroups ?? [];
            const persona = groups.map((g) => /^pr-cybr:([^:]+):([^:]+)$/.exec(g)).find(Boolean);
            if (!persona) return [];
            const principalArn: string = entry.inputs.principalArn;
            const assoc = associations.find((a) => a.inputs.principalArn === principalArn);
            const policyName = assoc ? String(assoc.inputs.policyArn).split("/").pop()! : undefined;
            if (policyName && !ACCESS_POLICY_CLUSTER_ROLE[policyName]) throw new Error(`${principalArn}: no known ClusterRole for access policy ${policyName}`);
            return [
                {
                    tenant: persona[1],
                    persona: persona[2],
                    principalArn,
                    identity: { user: eksUsername(principalArn), groups: [...groups, "system:authenticated"] },
                    accessPolicy: assoc
                        ? { clusterRole: ACCESS_POLICY_CLUSTER_ROLE[policyName!], namespaces: assoc.inputs.accessScope.type === "cluster" ? ["*"] : assoc.inputs.accessScope.namespaces }
                        : undefined,
                },
            ];
        });
}

/** The RoleBindings that stand in for a principal's namespace-scoped access policy on this API server. */
export function accessPolicyEmulation(p: TenantPrincipal): any[] {
    if (!p.accessPolicy) return [];
    if (p.accessPolicy.namespaces.includes("*")) throw new Error(`${p.principalArn}: a tenant principal with a cluster-scoped access policy`);
    return p.accessPolicy.namespaces.map((namespace) => ({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: `eks-access-policy-${p.persona}-${p.principalArn.split("/").pop()}`, namespace },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: p.accessPolicy!.clusterRole },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: p.identity.user }],
    }));
}

export interface Deployer {
    tenant: string;
    namespace: string;
    /** Namespace and name of the service account. */
    sa: { namespace: string; name: string };
    identity: Identity;
}

/**
 * The service account Argo CD impersonates for each destination namespace of each tenant AppProject:
 * `defaultServiceAccount` is `<namespace>:<name>` or a name in the destination namespace
 * (argoproj/argo-cd v3.3.8 controller/sync.go deriveServiceAccountToImpersonate).
 */
export function tenantDeployers(resources: PlanResource[]): Deployer[] {
    return resources
        .filter((r) => r.type === "kubernetes:argoproj.io/v1alpha1:AppProject" && r.inputs.metadata?.labels?.["pr-cybr.io/tenant"])
        .flatMap((r) =>
            (r.inputs.spec.destinationServiceAccounts ?? []).map((d: any) => {
                const [ns, name] = String(d.defaultServiceAccount).includes(":") ? String(d.defaultServiceAccount).split(":") : [d.namespace, d.defaultServiceAccount];
                return { tenant: r.inputs.metadata.labels["pr-cybr.io/tenant"], namespace: d.namespace, sa: { namespace: ns, name }, identity: serviceAccount(ns, name) };
            }),
        );
}

/** Tenant namespaces of the plan, by tenant. */
export function tenantNamespaces(resources: PlanResource[]): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const r of resources) {
        const tenant = r.type === "kubernetes:core/v1:Namespace" ? r.inputs.metadata?.labels?.["pr-cybr.io/tenant"] : undefined;
        if (tenant) out.set(tenant, [...(out.get(tenant) ?? []), r.inputs.metadata.name]);
    }
    return out;
}

/** A pod that Pod Security "restricted" and the tenant workload policy admit, so only what a test varies can reject it. */
/**
 * An image tenant namespaces of `stack`'s plan admit: their default allowed registry is the stack's own
 * ECR (tenancy.imageRegistries unset; aws:allowedAccountIds and aws:region of Pulumi.<stack>.yaml),
 * pinned by digest (registry.k8s.io/pause:3.10's index digest, as if mirrored there). Dry runs never pull it.
 */
export function tenantImage(stack: "dev" | "prod" = "prod"): string {
    const config = YAML.parse(readFileSync(path.join(__dirname, `../../../Pulumi.${stack}.yaml`), "utf8")).config;
    return `${config["aws:allowedAccountIds"][0]}.dkr.ecr.${config["aws:region"]}.amazonaws.com/mirror/pause@sha256:ee6521f290b2168b6e0935a181d4cff9be1ac3f505666ef0e3c98fae8199917a`;
}
export const TENANT_IMAGE = tenantImage("prod");

/** A pod that passes every tenant rule of `stack`'s plan (Pod Security restricted, the workload and image policies). */
export function compliantPod(namespace: string, name: string, spec: Record<string, unknown> = {}, stack: "dev" | "prod" = "prod"): any {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace },
        spec: {
            securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
                {
                    name: "app",
                    image: tenantImage(stack),
                    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                    resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "50m", memory: "16Mi" } },
                },
            ],
            ...spec,
        },
    };
}
