import { IN_CLUSTER } from "../shared/kubernetes";
import { Persona, PERSONA_ACCESS, PERSONAS } from "./personas";

export { IN_CLUSTER };
/**
 * The service account Argo CD impersonates when syncing a tenant's apps. It lives in Argo CD's
 * namespace, not the tenant's: a pod can only run as a service account of its own namespace, and a
 * tenant's rights (its access policy's included) stop at its namespaces, so no tenant can run a pod as
 * it, impersonate it or mint its token.
 */
export function tenantDeployerServiceAccount(tenant: string): string {
    return `deployer-${tenant}`;
}

/**
 * Namespaced kinds a tenant's GitOps must not touch: its own guardrails. Kubernetes NetworkPolicies
 * count: Cilium enforces them too, and allow rules of all policies add up. CiliumNetworkPolicies are
 * not listed: a tenant may sync deny-only ones that narrow the platform's (guardrails.ts admits only those).
 */
export const GUARDRAIL_KINDS = [
    { group: "", kind: "ResourceQuota" },
    { group: "", kind: "LimitRange" },
    { group: "networking.k8s.io", kind: "NetworkPolicy" },
];

/**
 * The tenant's Argo CD AppProject spec: its repos only, its namespaces only on this cluster, synced as
 * the tenant's deployer service account (impersonation), no cluster-scoped resources, its guardrails
 * off limits, and one project role per persona bound to the tenant's SSO groups.
 */
export function tenantAppProjectSpec(args: { tenant: string; namespaces: string[]; repos: string[]; ssoGroups: Partial<Record<Persona, string[]>>; argocdNamespace: string }): Record<string, unknown> {
    const { tenant } = args;
    // `<namespace>:<name>` names a service account outside the destination namespace
    // (argoproj/argo-cd v3.3.8 controller/sync.go, deriveServiceAccountToImpersonate).
    const deployer = `${args.argocdNamespace}:${tenantDeployerServiceAccount(tenant)}`;
    return {
        description: `Applications of tenant ${tenant}`,
        sourceRepos: args.repos,
        destinations: args.namespaces.map((namespace) => ({ server: IN_CLUSTER, namespace })),
        destinationServiceAccounts: args.namespaces.map((namespace) => ({ server: IN_CLUSTER, namespace, defaultServiceAccount: deployer })),
        clusterResourceWhitelist: [],
        namespaceResourceBlacklist: GUARDRAIL_KINDS,
        orphanedResources: { warn: true },
        roles: PERSONAS.map((persona) => ({
            name: persona,
            description: `${persona} of tenant ${tenant}`,
            groups: args.ssoGroups[persona] ?? [],
            policies: [
                ...PERSONA_ACCESS[persona].argoActions.map((action) => `p, proj:${tenant}:${persona}, applications, ${action}, ${tenant}/*, allow`),
                // Pod logs are their own resource since Argo CD 3.0 (upgrading/2.14-3.0.md); every persona
                // reads them with kubectl too (admin, edit and view include pods/log).
                `p, proj:${tenant}:${persona}, logs, get, ${tenant}/*, allow`,
            ],
        })),
    };
}
