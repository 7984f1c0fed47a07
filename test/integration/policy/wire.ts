import type { RecordedResource } from "../../mocks";

/**
 * A resource as the Pulumi engine hands it to an analyzer: property values in their wire form (what
 * the SDK serialized: secrets as `{sig: secret, value}` envelopes, unknowns as the sentinel string,
 * assets as asset envelopes), inputs for `Analyze`, outputs for `AnalyzeStack`.
 */
export interface WireResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    parent: string;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    options: WireOptions;
    inputs: Record<string, unknown>;
    outputs: Record<string, unknown>;
    /** The explicit provider's URN (resources on default providers have none under the mocks). */
    providerUrn?: string;
}

export interface WireOptions {
    protect: boolean;
    ignoreChanges: string[];
    /** Undefined when the program did not set it (the engine sends deleteBeforeReplaceDefined = false). */
    deleteBeforeReplace?: boolean;
    additionalSecretOutputs: string[];
    aliases: string[];
}

/** A recorded resource in the engine's wire form, with its inputs and outputs already serialized. */
export function wireResource(r: RecordedResource, inputs: Record<string, unknown>, outputs: Record<string, unknown>): WireResource {
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        custom: r.custom,
        parent: r.parent ?? "",
        dependencies: r.dependsOn,
        propertyDependencies: r.propertyDependencies,
        options: { protect: r.protect, ignoreChanges: r.ignoreChanges, deleteBeforeReplace: r.deleteBeforeReplace || undefined, additionalSecretOutputs: r.additionalSecretOutputs, aliases: [] },
        inputs,
        outputs,
        providerUrn: r.providerRef ? r.providerRef.slice(0, r.providerRef.lastIndexOf("::")) : undefined,
    };
}

/** One violation as a CLI user sees it: the policy, where, what, and how bad. */
export interface Verdict {
    policy: string;
    urn: string;
    message: string;
    level: string;
}

export const byVerdict = (a: Verdict, b: Verdict) => a.policy.localeCompare(b.policy) || a.urn.localeCompare(b.urn) || a.message.localeCompare(b.message) || a.level.localeCompare(b.level);

/** The root stack's URN, which the engine reports a stack violation on when the policy names no (known) URN. */
export function rootStackUrn(stack: string, project: string): string {
    // DefaultRootStackURN, pulumi/pulumi sdk/go/common/resource/stack.go @ a88168d8 (v3.248.0)
    return `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack::${project}-${stack}`;
}
