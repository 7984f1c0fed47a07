/**
 * What a tenant's ResourceQuotas actually bound, read with Kubernetes' own quota semantics:
 *
 * - Aliases. The pod evaluator charges a container's cpu request to both `cpu` and `requests.cpu`
 *   (likewise memory and ephemeral-storage), so a quota on `cpu` bounds requests exactly as one on
 *   `requests.cpu` (kubernetes/kubernetes pkg/quota/v1/evaluator/core/pods.go, podComputeUsageHelper,
 *   commit 05e7cb29). `count/pods` counts every pod, `pods` only non-terminal ones (PodUsageFunc), so a
 *   bound on `count/pods` bounds `pods` too.
 * - Scopes. A quota with `scopes` or a `scopeSelector` only charges the pods its scopes match
 *   (podMatchesScopeFunc: Terminating, BestEffort, PriorityClass, ...); it is not the namespace's budget.
 * - Several quotas. Admission checks a request against every matching quota, so in one namespace the
 *   tightest one binds: the minimum per resource, not the sum.
 * - Limits bound requests. A quota on `limits.cpu` makes every container state a cpu limit
 *   (podEvaluator.Constraints), and validation keeps each request at or under its limit
 *   (pkg/apis/core/validation ValidateResourceRequirements: "must be less than or equal to %s limit"),
 *   so the requests bound is the smaller of `requests.cpu` and `limits.cpu` (memory, ephemeral-storage alike).
 * - Several namespaces. A tenant's namespaces each get their own quota: the tenant's total is the sum,
 *   and one namespace that leaves a resource unbounded leaves the tenant unbounded.
 */
import { PolicyResource } from "@pulumi/policy";
import { K8sObject, objectsOfKind, tenantNamespaces } from "./k8s";
import { parseQuantity } from "./quantity";
import { Deferred } from "./unknowns";

/** Quota resource names and the canonical field they bound (the canonical field itself included). */
const BOUNDS: Record<string, string> = {
    cpu: "requests.cpu",
    memory: "requests.memory",
    "ephemeral-storage": "requests.ephemeral-storage",
    "count/pods": "pods",
    "count/persistentvolumeclaims": "persistentvolumeclaims",
};

/** The canonical field a quota resource name bounds (`cpu` -> `requests.cpu`). */
export const canonicalField = (resource: string): string => BOUNDS[resource] ?? resource;

/** Whether a quota applies to every pod and object of its namespace (no scopes, no scope selector). */
export function isUnscoped(spec: Record<string, any>): boolean {
    return !(spec.scopes?.length > 0) && !(spec.scopeSelector?.matchExpressions?.length > 0);
}

/** One quota's bounds per canonical field (the tighter of two aliases given together). */
export function quotaBounds(hard: Record<string, unknown> | undefined): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [resource, value] of Object.entries(hard ?? {})) {
        const n = typeof value === "string" || typeof value === "number" ? parseQuantity(value) : undefined;
        if (n === undefined) continue;
        const field = canonicalField(resource);
        out[field] = Math.min(out[field] ?? Infinity, n);
    }
    return out;
}

export interface NamespaceQuota {
    /** Bound per canonical field: the minimum over the namespace's unscoped quotas (absent = unbounded). */
    bounds: Record<string, number>;
    /** Fields a quota value unknown in a preview leaves undecided here ("all" when a whole spec is unknown). */
    undecided: Set<string> | "all";
    /** The namespace's unscoped quotas. */
    quotas: K8sObject[];
    /** Scoped quotas, which bound only some pods. */
    scoped: K8sObject[];
}

export interface TenantQuota {
    tenant: string;
    namespaces: string[];
    /** Per namespace, what its quotas bind. */
    perNamespace: Map<string, NamespaceQuota>;
    /** Where to report: the tenant's first namespace (known in a preview, unlike which quota binds). */
    urn: string;
}

/** Every tenant's namespaces and what their quotas bind. Quotas whose spec is unknown in a preview are left to `deferred`. */
export function tenantQuotas(resources: PolicyResource[], deferred: Deferred): Map<string, TenantQuota> {
    const namespaces = tenantNamespaces(resources);
    const tenants = new Map<string, TenantQuota>();
    for (const [ns, { tenant, object }] of namespaces) {
        const t: TenantQuota = tenants.get(tenant) ?? { tenant, namespaces: [], perNamespace: new Map(), urn: object.resource.urn };
        t.namespaces.push(ns);
        t.perNamespace.set(ns, { bounds: {}, quotas: [], scoped: [], undecided: new Set() });
        tenants.set(tenant, t);
    }
    for (const quota of objectsOfKind(resources, "ResourceQuota")) {
        const owner = quota.namespace ? namespaces.get(quota.namespace) : undefined;
        if (!owner || !quota.namespace) continue;
        const entry = tenants.get(owner.tenant)!;
        const nsQuota = entry.perNamespace.get(quota.namespace)!;
        const read = deferred.run(() => {
            if (!isUnscoped(quota.spec)) {
                nsQuota.scoped.push(quota);
                return true;
            }
            const hardMap = (quota.spec.hard ?? {}) as Record<string, unknown>;
            nsQuota.quotas.push(quota);
            // Field by field: one value unknown in a preview leaves only that field undecided here.
            for (const resource of Object.keys(hardMap)) {
                const n = deferred.run(() => quotaBounds({ [resource]: hardMap[resource] })[canonicalField(resource)] ?? NaN);
                const field = canonicalField(resource);
                if (n === undefined) {
                    if (nsQuota.undecided !== "all") nsQuota.undecided.add(field);
                } else if (!Number.isNaN(n)) nsQuota.bounds[field] = Math.min(nsQuota.bounds[field] ?? Infinity, n);
            }
            return true;
        });
        if (read === undefined) nsQuota.undecided = "all";
    }
    return tenants;
}

/** For a requests field, the limits field that bounds it too. */
const LIMIT_OF: Record<string, string> = { "requests.cpu": "limits.cpu", "requests.memory": "limits.memory", "requests.ephemeral-storage": "limits.ephemeral-storage" };

const isUndecided = (q: NamespaceQuota, field: string): boolean => q.undecided === "all" || q.undecided.has(field) || (field in LIMIT_OF && isUndecided(q, LIMIT_OF[field]));

/** What a namespace's quotas bind for a field, a requests field also by its limit; undefined = unbounded. */
function boundOf(q: NamespaceQuota, field: string): number | undefined {
    const own = q.bounds[field];
    const limit = field in LIMIT_OF ? q.bounds[LIMIT_OF[field]] : undefined;
    return own === undefined ? limit : limit === undefined ? own : Math.min(own, limit);
}

/** Whether some namespace of the tenant leaves a field undecided (a preview): rules then skip that field. */
export function undecided(t: TenantQuota, field: string): boolean {
    return [...t.perNamespace.values()].some((q) => isUndecided(q, field));
}

/** The tenant's total bound of a field: the sum over its namespaces, Infinity when one leaves it unbounded. */
export function tenantTotal(t: TenantQuota, field: string): number {
    let total = 0;
    for (const q of t.perNamespace.values()) total += boundOf(q, field) ?? Infinity;
    return total;
}

/** Namespaces of a tenant that leave a field unbounded (undecided ones excepted: a value still unknown may bound it). */
export function unboundedIn(t: TenantQuota, field: string): string[] {
    return [...t.perNamespace.entries()].filter(([, q]) => boundOf(q, field) === undefined && !isUndecided(q, field)).map(([ns]) => ns);
}
