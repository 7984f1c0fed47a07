/** RFC 1123 DNS label: what Kubernetes namespaces, hostnames and our resource names must be. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const DNS_LABEL_HELP = "lowercase letters, digits and '-', 1-63 characters, starting and ending with a letter or digit";

/** True when the value is a DNS label. */
export function isDnsLabel(value: string): boolean {
    return DNS_LABEL.test(value);
}

/** What `globalNameSuffix` may be: a short DNS label (8 characters: the managers' user data, near EC2's 16 KiB, carries it once). */
export const GLOBAL_NAME_SUFFIX = /^[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?$/;
export const GLOBAL_NAME_SUFFIX_HELP = "up to 8 lowercase letters, digits and '-', starting and ending with a letter or digit, e.g. use2";

/**
 * An account-wide name (IAM, Budgets, a Cloudflare account's tunnels; S3 bucket names are world-wide)
 * with the stack's suffix, if any. Regional names need none; these would collide when a recovery stack
 * in another region of the same account creates them again (docs/runbooks/disaster-recovery.md).
 * Without a suffix the name is unchanged, so existing stacks keep their resources.
 */
export function globalName(base: string, suffix: string | undefined): string {
    return suffix ? `${base}-${suffix}` : base;
}

/** The problem with a globalNameSuffix argument, if any. */
export function globalNameSuffixProblem(suffix: string | undefined): string | undefined {
    return suffix === undefined || suffix === "" || GLOBAL_NAME_SUFFIX.test(suffix) ? undefined : `"${suffix}" is not a name suffix (${GLOBAL_NAME_SUFFIX_HELP})`;
}

/** The last path segment of an IAM ARN as a short name part: `arn:...:role/team/org-a-admin` -> `org-a-admin`. */
export function principalSlug(arn: string): string {
    return (arn.split("/").pop() ?? arn).toLowerCase().replace(/[^a-z0-9-]/g, "-").slice(0, 48);
}
