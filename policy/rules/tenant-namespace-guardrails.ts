import { StackValidationPolicy } from "@pulumi/policy";
import { objectsOfKind, tenantNamespaces } from "./lib/k8s";

/** A network policy that denies by default: Cilium's (default deny unless disabled) or Kubernetes' (both policy types). */
function isDefaultDeny(kind: string, spec: Record<string, any>): boolean {
    if (kind === "CiliumNetworkPolicy") {
        const selectsAll = spec.endpointSelector !== undefined && Object.keys(spec.endpointSelector.matchLabels ?? {}).length === 0 && !(spec.endpointSelector.matchExpressions ?? []).length;
        const deny = spec.enableDefaultDeny ?? {};
        return selectsAll && deny.ingress !== false && deny.egress !== false && spec.ingress !== undefined && spec.egress !== undefined;
    }
    const selectsAll = Object.keys(spec.podSelector?.matchLabels ?? {}).length === 0 && !(spec.podSelector?.matchExpressions ?? []).length;
    const types: string[] = spec.policyTypes ?? [];
    return selectsAll && types.includes("Ingress") && types.includes("Egress");
}

/**
 * A tenant namespace without a quota can starve the cluster, without a limit range its unbounded pods
 * escape the quota's intent, and without a default-deny policy it can reach every other tenant.
 */
export const tenantNamespaceGuardrails: StackValidationPolicy = {
    name: "tenant-namespace-guardrails",
    description: "Every tenant namespace (labelled pr-cybr.io/tenant) has a ResourceQuota, a LimitRange and a default-deny network policy (CiliumNetworkPolicy or NetworkPolicy) selecting all its pods in both directions.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const namespaces = tenantNamespaces(args.resources);
        const has = (kind: string, ns: string, ok: (spec: Record<string, any>, kind: string) => boolean = () => true) =>
            objectsOfKind(args.resources, kind).some((o) => o.namespace === ns && ok(o.spec, kind));
        for (const [ns, { tenant, object }] of namespaces) {
            const missing: string[] = [];
            if (!has("ResourceQuota", ns)) missing.push("a ResourceQuota");
            if (!has("LimitRange", ns)) missing.push("a LimitRange");
            if (!has("CiliumNetworkPolicy", ns, (s, k) => isDefaultDeny(k, s)) && !has("NetworkPolicy", ns, (s, k) => isDefaultDeny(k, s))) missing.push("a default-deny network policy");
            if (missing.length > 0) reportViolation(`tenant ${tenant}: namespace ${ns} has no ${missing.join(", no ")}.`, object.resource.urn);
        }
    },
};
