import { parseQuantity } from "./quantity";

/** Resource fields a quota or budget is compared on, with how to read their values. */
export const QUOTA_FIELDS = ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory", "requests.ephemeral-storage", "pods", "requests.storage", "persistentvolumeclaims", "services.loadbalancers"] as const;
export type QuotaField = (typeof QUOTA_FIELDS)[number];

/** A quota's `hard` map as numbers (cores, bytes, counts); unparsable values are left out. */
export function quotaNumbers(hard: Record<string, unknown> | undefined): Partial<Record<string, number>> {
    const out: Partial<Record<string, number>> = {};
    for (const [k, v] of Object.entries(hard ?? {})) {
        const n = typeof v === "string" || typeof v === "number" ? parseQuantity(v) : undefined;
        if (n !== undefined) out[k] = n;
    }
    return out;
}

export { parseQuantity };
