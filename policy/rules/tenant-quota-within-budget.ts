import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { StackValidationPolicy } from "@pulumi/policy";
import { parseQuantity, QUOTA_FIELDS } from "./lib/quantities";
import { tenantQuotas, tenantTotal, unboundedIn, undecided } from "./lib/tenant-quotas";
import { Deferred } from "./lib/unknowns";

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
 * what a tenant's quotas actually bind must stay within its budget, field by field. Read as Kubernetes
 * reads them (lib/tenant-quotas.ts): `cpu` is `requests.cpu`, scoped quotas bind only some pods, the
 * tightest of several quotas in a namespace binds, the tenant's namespaces add up, and a budgeted field
 * that some namespace leaves unbounded is unbounded for the tenant.
 */
export const tenantQuotaWithinBudget: StackValidationPolicy = {
    name: "tenant-quota-within-budget",
    description: "What each tenant's ResourceQuotas bind (cpu = requests.cpu, unscoped quotas only, the tightest per namespace, summed over its namespaces) stays within the budget policy config gives it (its own, its tier's, or the default), and every budgeted field is bounded.",
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
        const deferred = new Deferred();
        for (const t of tenantQuotas(args.resources, deferred).values()) {
            const { budget, source } = budgetFor(cfg, t.tenant);
            for (const [field, limit] of Object.entries(budget)) {
                const max = parseQuantity(limit as string | number);
                if (max === undefined) throw new Error(`tenant-quota-within-budget: budget ${field} "${limit}" is not a quantity`);
                if (undecided(t, field)) continue; // a value unknown in this preview; deferred reports it
                const open = unboundedIn(t, field);
                if (open.length > 0) {
                    reportViolation(`tenant ${t.tenant}: ${open.map((ns) => `namespace ${ns}`).join(", ")} ${open.length > 1 ? "have" : "has"} no unscoped ResourceQuota bounding ${field} (so it is unlimited); ${source} allows ${limit}: set hard["${field}"] in each namespace's quota.`, t.urn);
                    continue;
                }
                const used = tenantTotal(t, field);
                if (used > max + 1e-9) reportViolation(`tenant ${t.tenant}: quota ${field} totals ${formatNumber(field, used)}, over ${source} of ${limit}.`, t.urn);
            }
        }
        deferred.finish();
    },
};

function formatNumber(field: string, n: number): string {
    if (field.includes("memory") || field.includes("storage")) return n % 2 ** 30 === 0 ? `${n / 2 ** 30}Gi` : `${Math.round(n / 2 ** 20)}Mi`;
    return Number.isInteger(n) ? String(n) : `${Math.round(n * 1000)}m`;
}
