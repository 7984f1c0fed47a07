import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { StackValidationPolicy } from "@pulumi/policy";
import { objectsOfKind, tenantNamespaces } from "./lib/k8s";
import { parseQuantity, QUOTA_FIELDS, quotaNumbers } from "./lib/quantities";

/** A budget: the most a tenant's quotas may add up to, per field (quantities as strings). */
export type Budget = Partial<Record<(typeof QUOTA_FIELDS)[number], string | number>>;

export interface TenantBudgetConfig {
    /** Budget for tenants with no entry of their own and no tier. */
    default: Budget;
    /** Named budgets tenants can be assigned to. */
    tiers: Record<string, Budget>;
    /** Per tenant: its own budget, or `{ tier: "<name>" }`. */
    tenants: Record<string, Budget | { tier: string }>;
}


/** A budget object: only quota fields, each a quantity. */
const budgetSchema: PolicyConfigJSONSchema = {
    type: "object",
    properties: Object.fromEntries(QUOTA_FIELDS.map((f) => [f, { type: ["string", "number"] }])),
    additionalProperties: false,
};

/** The budget that applies to a tenant, and where it came from (for the message). */
export function budgetFor(cfg: TenantBudgetConfig, tenant: string): { budget: Budget; source: string } {
    const own = cfg.tenants[tenant];
    if (own && "tier" in own) {
        const tier = cfg.tiers[String(own.tier)];
        if (!tier) throw new Error(`tenant-quota-within-budget: tenant ${tenant} names tier "${own.tier}", which policy config does not define`);
        return { budget: tier, source: `tier ${own.tier}` };
    }
    if (own) return { budget: own as Budget, source: "its own budget" };
    return { budget: cfg.default, source: "the default budget" };
}

/**
 * The people who edit tenants (stack config) are not the people who set their limits (policy config):
 * a tenant's quota, summed over its namespaces, must stay within its budget, field by field.
 */
export const tenantQuotaWithinBudget: StackValidationPolicy = {
    name: "tenant-quota-within-budget",
    description: "Each tenant's ResourceQuotas, summed over its namespaces, stay within the budget policy config gives it (its own, its tier's, or the default), field by field.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            default: { ...budgetSchema, default: { "requests.cpu": "4", "requests.memory": "8Gi", pods: 50 } },
            tiers: { type: "object", additionalProperties: budgetSchema, default: {} },
            tenants: { type: "object", additionalProperties: { type: "object" }, default: {} },
        },
    },
    validateStack: (args, reportViolation) => {
        const cfg = args.getConfig<TenantBudgetConfig>();
        const namespaces = tenantNamespaces(args.resources);
        const totals = new Map<string, { sums: Record<string, number>; urn: string }>();
        for (const quota of objectsOfKind(args.resources, "ResourceQuota")) {
            const owner = quota.namespace ? namespaces.get(quota.namespace) : undefined;
            if (!owner) continue;
            const entry = totals.get(owner.tenant) ?? { sums: {}, urn: quota.resource.urn };
            for (const [field, n] of Object.entries(quotaNumbers(quota.spec.hard))) entry.sums[field] = (entry.sums[field] ?? 0) + (n ?? 0);
            totals.set(owner.tenant, entry);
        }
        for (const [tenant, { sums, urn }] of totals) {
            const { budget, source } = budgetFor(cfg, tenant);
            for (const [field, limit] of Object.entries(budget)) {
                const max = parseQuantity(limit as string | number);
                const used = sums[field];
                if (max === undefined) throw new Error(`tenant-quota-within-budget: budget ${field} "${limit}" is not a quantity`);
                if (used !== undefined && used > max + 1e-9) {
                    reportViolation(`tenant ${tenant}: quota ${field} totals ${formatNumber(field, used)}, over ${source} of ${limit}.`, urn);
                }
            }
        }
    },
};

function formatNumber(field: string, n: number): string {
    if (field.includes("memory") || field.includes("storage")) return n % 2 ** 30 === 0 ? `${n / 2 ** 30}Gi` : `${Math.round(n / 2 ** 20)}Mi`;
    return Number.isInteger(n) ? String(n) : `${Math.round(n * 1000)}m`;
}
