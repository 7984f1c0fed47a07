import { StackValidationPolicy } from "@pulumi/policy";
import { objectsOfKind, tenantNamespaces } from "./lib/k8s";
import { tenantQuotas, tenantTotal, unboundedIn, undecided } from "./lib/tenant-quotas";
import { Deferred } from "./lib/unknowns";

export interface TenantLoadBalancerConfig {
    /** Tenants allowed LoadBalancer Services, and how many at most (over all their namespaces). */
    allowed: Record<string, number>;
}

const FIELD = "services.loadbalancers";

/**
 * Each LoadBalancer Service is a public cloud load balancer outside the shared ingress (and its
 * policies and costs). Tenants get none unless policy config allows them some. The allowance is the
 * tenant's, not each namespace's: what its namespaces' quotas bind (the tightest quota per namespace,
 * lib/tenant-quotas.ts) adds up, and so do the Services the program creates in them.
 */
export const tenantNoLoadBalancer: StackValidationPolicy = {
    name: "tenant-no-loadbalancer",
    description: "Each tenant's quotas, summed over its namespaces, allow at most the LoadBalancer Services policy config allows that tenant (0 by default), every namespace bounds them, and the program creates no more than that.",
    enforcementLevel: "mandatory",
    configSchema: { properties: { allowed: { type: "object", additionalProperties: { type: "integer", minimum: 0 }, default: {} } } },
    validateStack: (args, reportViolation) => {
        const { allowed } = args.getConfig<TenantLoadBalancerConfig>();
        const deferred = new Deferred();
        const namespaces = tenantNamespaces(args.resources);
        const services = new Map<string, number>();
        for (const s of objectsOfKind(args.resources, "Service")) {
            const owner = s.namespace ? namespaces.get(s.namespace) : undefined;
            if (owner && deferred.run(() => s.spec.type === "LoadBalancer")) services.set(owner.tenant, (services.get(owner.tenant) ?? 0) + 1);
        }
        for (const t of tenantQuotas(args.resources, deferred).values()) {
            const max = allowed[t.tenant] ?? 0;
            const open = unboundedIn(t, FIELD);
            if (undecided(t, FIELD)) {
                // a quota value unknown in this preview: deferred says so
            } else if (open.length > 0) reportViolation(`tenant ${t.tenant}: namespace ${open.join(", ")} quota allows unlimited LoadBalancer Services; policy allows ${max} for the tenant: set hard["${FIELD}"].`, t.urn);
            else if (tenantTotal(t, FIELD) > max) reportViolation(`tenant ${t.tenant}: quotas allow ${tenantTotal(t, FIELD)} LoadBalancer Services over ${t.namespaces.join(", ")}; policy allows ${max} for the tenant.`, t.urn);
            const created = services.get(t.tenant) ?? 0;
            if (created > max) reportViolation(`tenant ${t.tenant}: the program creates ${created} LoadBalancer Services in its namespaces; policy allows ${max}.`, t.urn);
        }
        deferred.finish();
    },
};
