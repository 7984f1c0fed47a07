import { REQUIRED_TAG_KEYS } from "../../policy/rules/lib/required-tags";

/** Tag keys every taggable AWS resource carries (via the provider's default tags); defined by the policy pack. */
export { REQUIRED_TAG_KEYS };

export type RequiredTagKey = (typeof REQUIRED_TAG_KEYS)[number];
export type Tags = Record<string, string>;

/** Tags merged left to right; later sources win, like the AWS provider merges default and resource tags. */
export function mergeTags(...sources: (Tags | undefined)[]): Tags {
    return Object.assign({}, ...sources.filter(Boolean));
}
