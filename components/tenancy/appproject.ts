import { Persona, PERSONA_ACCESS, PERSONAS } from "./personas";

/** The in-cluster API server as Argo CD names it. */
export const IN_CLUSTER = "https://kubernetes.default.svc";
/** The service account Argo CD impersonates when syncing a tenant's apps (namespace admin, nothing more). */
export const TENANT_DEPLOYER_SA = "argocd-deployer";

/** Namespaced kinds a tenant's GitOps must not touch: its own guardrails. */
export const GUARDRAIL_KINDS = [
    { group: "", kind: "ResourceQuota" },
    { group: "", kind: "LimitRange" },
    { group: "cilium.io", kind: "CiliumNetworkPolicy" },
];

/**
 * The tenant's Argo CD AppProject spec: its repos only, its namespaces only on this cluster, synced as
 * the tenant's deployer service account (impersonation), no cluster-scoped resources, its guardrails
 * off limits, and one project role per persona bound to the tenant's SSO groups.
 */
export function tenantAppProjectSpec(args: { tenant: string; namespaces: string[]; repos: string[]; ssoGroups: Partial<Record<Persona, string[]>> }): Record<string, unknown> {
    const { tenant } = args;
    return {
        description: `Applications of tenant ${tenant}`,
        sourceRepos: args.repos,
        destinations: args.namespaces.map((namespace) => ({ server: IN_CLUSTER, namespace })),
        destinationServiceAccounts: args.namespaces.map((namespace) => ({ server: IN_CLUSTER, namespace, defaultServiceAccount: TENANT_DEPLOYER_SA })),
        clusterResourceWhitelist: [],
        namespaceResourceBlacklist: GUARDRAIL_KINDS,
        orphanedResources: { warn: true },
        roles: PERSONAS.map((persona) => ({
            name: persona,
            description: `${persona} of tenant ${tenant}`,
            groups: args.ssoGroups[persona] ?? [],
            policies: PERSONA_ACCESS[persona].argoActions.map((action) => `p, proj:${tenant}:${persona}, applications, ${action}, ${tenant}/*, allow`),
        })),
    };
}
