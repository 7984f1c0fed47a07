/** Tag keys every taggable AWS resource carries (via the provider's default tags). */
export const REQUIRED_TAG_KEYS = ["environment", "project", "owner", "cost-center"] as const;

export type RequiredTagKey = (typeof REQUIRED_TAG_KEYS)[number];
export type Tags = Record<string, string>;

/** Tags merged left to right; later sources win, like the AWS provider merges default and resource tags. */
export function mergeTags(...sources: (Tags | undefined)[]): Tags {
    return Object.assign({}, ...sources.filter(Boolean));
}
