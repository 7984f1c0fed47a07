import { ResourceValidationPolicy } from "@pulumi/policy";
import { isTaggableAwsType, providerDefaultTags } from "./lib/aws-types";
import { REQUIRED_TAG_KEYS } from "./lib/required-tags";
import { Deferred } from "./lib/unknowns";

export interface AwsRequiredTagsConfig {
    /** Tag keys that must be present with a non-empty value. */
    requiredTags: string[];
}

const ASG = "aws:autoscaling/group:Group";
const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";

const filled = (v: unknown) => typeof v === "string" && v.trim() !== "";

/**
 * Cost allocation, ownership and incident routing all key on these tags; an untagged resource is an
 * orphan nobody pays for or answers for. Provider default tags count where AWS applies them — on the
 * resource's own tags map — and nowhere else:
 * - an Auto Scaling group's tags are a list (`tags: [{key, value, propagateAtLaunch}]`) with no
 *   `tagsAll`, so default tags never reach it or what it launches (@pulumi/aws 7.48 autoscaling/group.d.ts);
 * - a launch template's `tagSpecifications` are what instances, volumes and interfaces launched from it
 *   get, and "Default tags are currently not propagated to ASG created resources"
 *   (@pulumi/aws 7.48 ec2/launchTemplate.d.ts, tagSpecifications), so each must carry the tags itself.
 * Only the required keys are read: other tags may be unknown in a preview (an identity's fingerprint).
 */
export const awsRequiredTags: ResourceValidationPolicy = {
    name: "aws-required-tags",
    description:
        "Every taggable AWS resource carries the required tags (environment, project, owner, cost-center), from the provider's defaultTags or its own tags; Auto Scaling groups (list-form tags, propagated at launch) and launch-template tagSpecifications carry them themselves, since default tags do not reach them.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            requiredTags: { type: "array", items: { type: "string", minLength: 1 }, minItems: 1, default: [...REQUIRED_TAG_KEYS] },
        },
    },
    validateResource: (args, reportViolation) => {
        if (!args.type.startsWith("aws:") || !isTaggableAwsType(args.type, args.props)) return;
        const { requiredTags } = args.getConfig<AwsRequiredTagsConfig>();
        const deferred = new Deferred();
        const label = `${args.type} "${args.name}"`;
        if (args.type === ASG) {
            const tags = (deferred.run(() => args.props.tags ?? []) ?? []) as Record<string, any>[];
            const missing = requiredTags.filter((key) => {
                const ok = deferred.run(() => tags.some((t) => t.key === key && filled(t.value) && (t.propagateAtLaunch === true || t.propagateAtLaunch === "true")));
                return ok === false;
            });
            if (missing.length > 0) {
                reportViolation(`${label} does not tag ${missing.join(", ")} with propagateAtLaunch: true: an Auto Scaling group gets no provider default tags, so list every required tag in its tags (as components/swarm does).`);
            }
            return deferred.finish();
        }
        const own = (deferred.run(() => args.props.tags ?? {}) ?? {}) as Record<string, unknown>;
        const defaults = providerDefaultTags(args.provider) as Record<string, unknown>;
        const missing = requiredTags.filter((key) => deferred.run(() => filled(own[key] !== undefined ? own[key] : defaults[key])) === false);
        if (missing.length > 0) {
            reportViolation(`${label} is missing tag${missing.length > 1 ? "s" : ""} ${missing.join(", ")}: set them in the AWS provider's defaultTags (stacks/providers.ts) or on the resource.`);
        }
        if (args.type === LAUNCH_TEMPLATE) {
            const specs = (deferred.run(() => args.props.tagSpecifications ?? []) ?? []) as Record<string, any>[];
            specs.forEach((_, i) =>
                deferred.run(() => {
                    const spec = args.props.tagSpecifications[i];
                    const tags = (spec.tags ?? {}) as Record<string, unknown>;
                    const lacking = requiredTags.filter((key) => deferred.run(() => filled(tags[key])) === false);
                    if (lacking.length > 0) reportViolation(`${label}: tagSpecifications for ${spec.resourceType} lack ${lacking.join(", ")}; provider default tags do not reach launched resources, so list them there.`);
                }),
            );
        }
        deferred.finish();
    },
};
