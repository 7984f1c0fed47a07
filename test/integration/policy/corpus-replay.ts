/**
 * One corpus case (test/policy/corpus.ts) as both engines take it: the pack's whole policy list with a
 * config file that disables every policy but the case's own (at its own level, with the case's config),
 * the resources as the engine would send them (props as inputs and outputs), and the verdict compared:
 * violations (policy, URN, message, level) or the error the run stops with.
 */
import type { Policies } from "@pulumi/policy";
import { CorpusCase, EngineCase, unenveloped } from "../../policy/corpus";
import type { RecordedResource } from "../../mocks";
import { evaluatePolicies } from "../../../tools/lib/policy-engine";
import { byVerdict, Verdict, WireResource, wireResource } from "./wire";

export type CaseVerdict = { violations: Verdict[] } | { error: string };

export function configFileOf(c: CorpusCase, policies: Policies): Record<string, unknown> {
    const policy = policies.find((p) => p.name === c.policy);
    if (!policy) throw new Error(`corpus case for unknown policy ${c.policy}`);
    return { all: "disabled", [c.policy]: { enforcementLevel: policy.enforcementLevel ?? "advisory", ...c.config } };
}

const copy = (v: Record<string, unknown>): Record<string, unknown> => JSON.parse(JSON.stringify(v));
const PROVIDER_ID = "00000000-0000-4000-8000-000000000000";

/** The case's resources, the provider of a resource case included (the engine analyzes providers too). */
function resourcesOf(c: CorpusCase): { resource: CorpusCase["resources"][number]; providerUrn?: string }[] {
    const providerUrn = c.provider?.urn;
    const own = c.resources.map((resource) => ({ resource, providerUrn }));
    return c.provider ? [...own, { resource: { ...c.provider, dependencies: [], propertyDependencies: {} } }] : own;
}

export function wireResources(c: CorpusCase): WireResource[] {
    return resourcesOf(c).map(({ resource: r, providerUrn }) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        custom: true,
        parent: "",
        dependencies: r.dependencies,
        propertyDependencies: r.propertyDependencies,
        options: { protect: false, ignoreChanges: [], additionalSecretOutputs: [], aliases: [] },
        inputs: r.props,
        outputs: r.props,
        providerUrn,
    }));
}

function recordedResources(c: CorpusCase): RecordedResource[] {
    return resourcesOf(c).map(({ resource: r, providerUrn }) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        custom: true,
        parent: undefined,
        dependsOn: r.dependencies,
        propertyDependencies: r.propertyDependencies,
        protect: false,
        ignoreChanges: [],
        additionalSecretOutputs: [],
        deleteBeforeReplace: false,
        retainOnDelete: false,
        providerRef: providerUrn ? `${providerUrn}::${PROVIDER_ID}` : "",
        // A JSON copy, not structuredClone: under jest that makes objects of another realm, which the
        // policy SDK's unknownCheckingProxy does not wrap (it checks `instanceof Object`).
        inputs: copy(r.props),
        outputs: copy(r.props),
    }));
}

/** The message the error carries, whichever engine wrapped it (both keep the thrown error's stack). */
export function thrownMessage(err: unknown): string {
    const text = err instanceof Error ? err.message : String(err);
    return /(?:^|\s)\w*Error: (.*)$/m.exec(text)?.[1] ?? text.split("\n")[0];
}

export async function offlineVerdict(c: CorpusCase, policies: Policies): Promise<CaseVerdict> {
    try {
        const report = await evaluatePolicies(policies, recordedResources(c), configFileOf(c, policies));
        return { violations: report.violations.map((v) => ({ policy: v.policy, urn: v.urn, message: v.message, level: v.enforcementLevel })).sort(byVerdict) };
    } catch (err) {
        return { error: thrownMessage(err) };
    }
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const UNKNOWN = (require("@pulumi/pulumi/runtime/rpc") as { unknownValue: string }).unknownValue;

/** Every value below the props' root, as a key path. */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
    if (Array.isArray(value)) return value.flatMap((v, i) => [[...at, i], ...paths(v, [...at, i])]);
    if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => [[...at, k], ...paths(v, [...at, k])]);
    return [];
}

function withUnknown(props: Record<string, unknown>, at: (string | number)[]): Record<string, unknown> {
    const out = copy(props);
    let node: Record<string | number, unknown> = out;
    for (const k of at.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
    node[at[at.length - 1]] = UNKNOWN;
    return out;
}

/**
 * The case preview-shaped, one value at a time: each value of each resource (and provider) the
 * unknown sentinel the engine sends for a value not known until the update.
 */
export function unknownVariants(c: CorpusCase): { at: string; variant: CorpusCase }[] {
    const out: { at: string; variant: CorpusCase }[] = [];
    c.resources.forEach((r, i) => {
        for (const p of paths(r.props)) out.push({ at: `${r.name}.${p.join(".")}`, variant: { ...c, resources: c.resources.map((x, j) => (j === i ? { ...x, props: withUnknown(x.props, p) } : x)) } });
    });
    if (c.provider) for (const p of paths(c.provider.props)) out.push({ at: `provider ${c.provider.name}.${p.join(".")}`, variant: { ...c, provider: { ...c.provider, props: withUnknown(c.provider.props, p) } } });
    return out;
}

/** The engine test's config file, with the pack's other test rules disabled (the pack serves them all). */
export function engineFile(c: EngineCase, all: Policies): Record<string, unknown> {
    return { ...c.file, ...Object.fromEntries(all.filter((p) => !c.rules.includes(p.name)).map((p) => [p.name, "disabled"])) };
}

export function engineWire(c: EngineCase): WireResource[] {
    return c.resources.map((r) => wireResource(r, r.inputs, r.outputs));
}

/** An invalid config file stops both engines before any rule runs; the wording differs (CLI vs synth). */
export const CONFIG_ERROR: CaseVerdict = { error: "invalid policy config" };

export async function offlineEngineVerdict(c: EngineCase, all: Policies): Promise<CaseVerdict> {
    const resources = c.resources.map((r) => ({ ...r, inputs: unenveloped(copy(r.inputs)), outputs: unenveloped(copy(r.outputs)) }) as RecordedResource);
    try {
        const report = await evaluatePolicies(all, resources, engineFile(c, all));
        return { violations: report.violations.map((v) => ({ policy: v.policy, urn: v.urn, message: v.message, level: v.enforcementLevel })).sort(byVerdict) };
    } catch (err) {
        return (err as Error).message.startsWith("invalid policy config") ? CONFIG_ERROR : { error: thrownMessage(err) };
    }
}
