/**
 * Tag keys every taggable AWS resource carries. Owned by the pack (it is published alone, from policy/)
 * and imported by the program's components/shared/tags.ts, so the rule and the tags the program sets
 * have one source.
 */
export const REQUIRED_TAG_KEYS = ["environment", "project", "owner", "cost-center"] as const;
