import { ResourceValidationPolicy } from "@pulumi/policy";
import { REQUIRED_TAG_KEYS } from "../../components/shared/tags";
import { isTaggableAwsType, providerDefaultTags } from "./lib/aws-types";

export interface AwsRequiredTagsConfig {
    /** Tag keys that must be present with a non-empty value. */
    requiredTags: string[];
}

/**
 * Cost allocation, ownership and incident routing all key on these tags; an untagged resource is an
 * orphan nobody pays for or answers for. Provider default tags count, as AWS applies them.
 */
export const awsRequiredTags: ResourceValidationPolicy = {
    name: "aws-required-tags",
    description: "Every taggable AWS resource carries the required tags (environment, project, owner, cost-center), from the provider's defaultTags or its own tags.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            requiredTags: { type: "array", items: { type: "string", minLength: 1 }, minItems: 1, default: [...REQUIRED_TAG_KEYS] },
        },
    },
    validateResource: (args, reportViolation) => {
        if (!args.type.startsWith("aws:") || !isTaggableAwsType(args.type, args.props)) return;
        const { requiredTags } = args.getConfig<AwsRequiredTagsConfig>();
        // Only the required keys are read: other tags may be unknown in a preview (an identity's fingerprint).
        const own = (args.props.tags ?? {}) as Record<string, unknown>;
        const defaults = providerDefaultTags(args.provider) as Record<string, unknown>;
        const valueOf = (key: string) => (own[key] !== undefined ? own[key] : defaults[key]);
        const missing = requiredTags.filter((key) => {
            const value = valueOf(key);
            return typeof value !== "string" || value.trim() === "";
        });
        if (missing.length > 0) {
            reportViolation(
                `${args.type} "${args.name}" is missing tag${missing.length > 1 ? "s" : ""} ${missing.join(", ")}: set them in the AWS provider's defaultTags (stacks/providers.ts) or on the resource.`,
            );
        }
    },
};
