/**
 * DNS names the platform hands out. Shared by the add-ons (external-dns, cert-manager), tenancy (the
 * admission rule on tenants' hostnames) and, later, the tenant example app.
 */

/** A lowercase DNS name of labels (no trailing dot, no wildcard), at most 253 characters. */
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export function isHostname(value: string): boolean {
    return HOSTNAME.test(value);
}

/** The label under the zone that holds every tenant's names. */
export const TENANT_APPS_LABEL = "apps";

/**
 * The only names a tenant may claim: `<tenant>.apps.<zone>` and names under it
 * (`web.org-a.apps.pr-cybr.example`). One label per tenant, so no tenant's domain is a suffix of
 * another's (`org-a` and `evil-org-a` are different labels).
 */
export function tenantDomain(tenant: string, zoneName: string): string {
    return `${tenant}.${TENANT_APPS_LABEL}.${zoneName}`;
}

/** Whether `hostname` is `domain` or under it. */
export function isUnder(hostname: string, domain: string): boolean {
    return hostname === domain || hostname.endsWith(`.${domain}`);
}
