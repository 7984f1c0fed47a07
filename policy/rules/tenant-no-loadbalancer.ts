import { StackValidationPolicy } from "@pulumi/policy";
import { objectsOfKind, tenantNamespaces } from "./lib/k8s";
import { quotaNumbers } from "./lib/quantities";

export interface TenantLoadBalancerConfig {
    /** Tenants allowed LoadBalancer Services, and how many at most. */
    allowed: Record<string, number>;
}

/**
 * Each LoadBalancer Service is a public cloud load balancer outside the shared ingress (and its
 * policies and costs). Tenants get none unless policy config allows them some.
 */
export const tenantNoLoadBalancer: StackValidationPolicy = {
    name: "tenant-no-loadbalancer",
    description: "Tenant namespaces allow no LoadBalancer Services (quota services.loadbalancers 0, and none created) unless policy config allows that tenant a number.",
    enforcementLevel: "mandatory",
    configSchema: { properties: { allowed: { type: "object", additionalProperties: { type: "integer", minimum: 0 }, default: {} } } },
    validateStack: (args, reportViolation) => {
        const { allowed } = args.getConfig<TenantLoadBalancerConfig>();
        const namespaces = tenantNamespaces(args.resources);
        for (const [ns, { tenant, object }] of namespaces) {
            const max = allowed[tenant] ?? 0;
            const quotas = objectsOfKind(args.resources, "ResourceQuota").filter((q) => q.namespace === ns);
            const granted = quotas.map((q) => quotaNumbers(q.spec.hard)["services.loadbalancers"]);
            if (quotas.length > 0 && granted.every((g) => g === undefined || g > max)) {
                const value = granted.find((g) => g !== undefined);
                reportViolation(`tenant ${tenant}: namespace ${ns} quota allows ${value ?? "unlimited"} LoadBalancer Services; policy allows ${max}.`, quotas[0].resource.urn);
            }
            const services = objectsOfKind(args.resources, "Service").filter((s) => s.namespace === ns && s.spec.type === "LoadBalancer");
            if (services.length > max) reportViolation(`tenant ${tenant}: namespace ${ns} has ${services.length} LoadBalancer Services; policy allows ${max}.`, object.resource.urn);
        }
    },
};
