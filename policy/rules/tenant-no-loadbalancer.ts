import { StackValidationPolicy } from "@pulumi/policy";
import { objectsOfKind, tenantNamespaces } from "./lib/k8s";
import { tenantQuotas, tenantTotal, unboundedIn, undecided } from "./lib/tenant-quotas";
import { Deferred } from "./lib/unknowns";

export interface TenantLoadBalancerConfig {
    /** Tenants allowed LoadBalancer Services, and how many at most (over all their namespaces). */
    allowed: Record<string, number>;
}

/**
 * What one allowance bounds: LoadBalancer Services (NLBs) and Ingresses, because every tenant Ingress is
 * an ALB of its own (the only IngressClass is the controller's, IngressGroups are refused at admission:
 * components/tenancy/guardrails.ts). A ResourceQuota cannot bound their sum, so each kind gets the
 * allowance (docs/architecture.md "Who owns type: LoadBalancer").
 */
const KINDS = [
    { field: "services.loadbalancers", what: "LoadBalancer Services", counts: (o: { kind: string; spec?: any }) => o.kind === "Service" && o.spec?.type === "LoadBalancer" },
    { field: "count/ingresses.networking.k8s.io", what: "Ingresses (one ALB each)", counts: (o: { kind: string }) => o.kind === "Ingress" },
];

/**
 * Each LoadBalancer Service is a public cloud load balancer outside the shared ingress (and its
 * policies and costs). Tenants get none unless policy config allows them some. The allowance is the
 * tenant's, not each namespace's: what its namespaces' quotas bind (the tightest quota per namespace,
 * lib/tenant-quotas.ts) adds up, and so do the Services the program creates in them.
 */
export const tenantNoLoadBalancer: StackValidationPolicy = {
    name: "tenant-no-loadbalancer",
    description: "Each tenant's quotas, summed over its namespaces, allow at most the load balancers policy config allows that tenant (0 by default) as LoadBalancer Services and as Ingresses (one ALB each), every namespace bounds both, and the program creates no more than that.",
    enforcementLevel: "mandatory",
    configSchema: { properties: { allowed: { type: "object", additionalProperties: { type: "integer", minimum: 0 }, default: {} } } },
    validateStack: (args, reportViolation) => {
        const { allowed } = args.getConfig<TenantLoadBalancerConfig>();
        const deferred = new Deferred();
        const namespaces = tenantNamespaces(args.resources);
        const quotas = [...tenantQuotas(args.resources, deferred).values()];
        for (const { field, what, counts } of KINDS) {
            const created = new Map<string, number>();
            for (const o of [...objectsOfKind(args.resources, "Service"), ...objectsOfKind(args.resources, "Ingress")]) {
                const owner = o.namespace ? namespaces.get(o.namespace) : undefined;
                if (owner && deferred.run(() => counts(o))) created.set(owner.tenant, (created.get(owner.tenant) ?? 0) + 1);
            }
            for (const t of quotas) {
                const max = allowed[t.tenant] ?? 0;
                const open = unboundedIn(t, field);
                if (undecided(t, field)) {
                    // a quota value unknown in this preview: deferred says so
                } else if (open.length > 0) reportViolation(`tenant ${t.tenant}: namespace ${open.join(", ")} quota allows unlimited ${what}; policy allows ${max} for the tenant: set hard["${field}"].`, t.urn);
                else if (tenantTotal(t, field) > max) reportViolation(`tenant ${t.tenant}: quotas allow ${tenantTotal(t, field)} ${what} over ${t.namespaces.join(", ")}; policy allows ${max} for the tenant.`, t.urn);
                const n = created.get(t.tenant) ?? 0;
                if (n > max) reportViolation(`tenant ${t.tenant}: the program creates ${n} ${what} in its namespaces; policy allows ${max}.`, t.urn);
            }
        }
        deferred.finish();
    },
};
