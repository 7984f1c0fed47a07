import * as aws from "@pulumi/aws";

const cache = new Map<string, boolean>();

/** The @pulumi/aws class for a type token (`aws:ec2/vpc:Vpc` -> aws.ec2.Vpc), if the SDK has one. */
export function awsResourceClass(type: string): ((...args: never[]) => unknown) | undefined {
    const m = /^aws:([A-Za-z0-9]+)\/[A-Za-z0-9]+:([A-Za-z0-9]+)$/.exec(type);
    if (!m) return undefined;
    const sdk = aws as unknown as Record<string, Record<string, unknown>>;
    const mod = m[1] === "index" ? (sdk as Record<string, unknown>) : sdk[m[1]];
    const cls = mod?.[m[2]];
    return typeof cls === "function" ? (cls as (...args: never[]) => unknown) : undefined;
}

/**
 * Whether an AWS resource type accepts tags. The generated SDK class is the schema we have at hand:
 * a taggable type copies `args.tags` into its inputs (route, association and attachment types do not).
 * Unknown types count as taggable when they were given tags.
 */
export function isTaggableAwsType(type: string, props: Record<string, unknown> = {}): boolean {
    const known = cache.get(type);
    if (known !== undefined) return known;
    const cls = awsResourceClass(type);
    if (!cls) return "tags" in props;
    const taggable = /resourceInputs\["tags"\]\s*=\s*args/.test(Function.prototype.toString.call(cls));
    cache.set(type, taggable);
    return taggable;
}

/** The provider's default tags, whether the engine hands them over as an object or as JSON text. */
export function providerDefaultTags(provider: { props?: Record<string, unknown> } | undefined): Record<string, string> {
    const raw = provider?.props?.defaultTags;
    const parsed = typeof raw === "string" ? safeJson(raw) : raw;
    const tags = (parsed as { tags?: unknown } | undefined)?.tags;
    return tags && typeof tags === "object" ? (tags as Record<string, string>) : {};
}

function safeJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}
