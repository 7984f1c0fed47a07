/**
 * Unit-test harness for CrossGuard rules: hand-built args, the engine's own proxy around props (so a
 * rule reading an unknown value fails here as it would in a preview), schema defaults merged into
 * getConfig like the engine does, and notApplicable that throws.
 */
import type { PolicyResource, PolicyResourceOptions, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { CorpusResource, recordCase } from "./corpus";

// Runtime-only exports of @pulumi/policy 1.21 (their .d.ts is stripped).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxy = require("@pulumi/policy/proxy") as { unknownCheckingProxy<T>(v: T): T; UnknownValueError: new (...a: unknown[]) => Error; unknownStringValue: string };

export const UNKNOWN_STRING = proxy.unknownStringValue;

class NotApplicable extends Error {}

const emptyOpts: PolicyResourceOptions = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    additionalSecretOutputs: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
};

const urnOf = (type: string, name: string) => `urn:pulumi:test::pr-cybr-platform::${type}::${name}`;
type Cls = { __pulumiType?: string };
/** A type token or a resource class (whose token is its SDK-internal static __pulumiType). */
type TypeRef = string | (abstract new (...args: never[]) => unknown);
const typeOf = (t: TypeRef) => (typeof t === "string" ? t : String((t as unknown as Cls).__pulumiType));

function configFor(policy: { configSchema?: { properties?: Record<string, unknown> } }, config: Record<string, unknown>) {
    const defaults = Object.fromEntries(
        Object.entries(policy.configSchema?.properties ?? {}).flatMap(([k, s]) => (s && typeof s === "object" && "default" in s ? [[k, (s as { default: unknown }).default]] : [])),
    );
    return { ...defaults, ...config };
}

export interface Outcome {
    messages: string[];
    urns: (string | undefined)[];
    notApplicable: boolean;
    /** The unknown value that stopped the rule (the engines' advisory "can't run ... during preview"), after the violations it reported. */
    cannotRun?: string;
}

const notApplicable = (reason?: string): never => {
    throw new NotApplicable(reason);
};

/** Runs one validation into `out`: violations collected, notApplicable recorded, anything else rethrown. */
async function collect(out: Outcome, run: (report: (message: string, urn?: string) => void) => void | Promise<void>): Promise<void> {
    try {
        await run((message, urn) => {
            out.messages.push(message);
            out.urns.push(urn);
        });
    } catch (err) {
        if (err instanceof NotApplicable) out.notApplicable = true;
        else if (err instanceof proxy.UnknownValueError) out.cannotRun = err.message;
        else throw err;
    }
}

/** Runs a resource rule on one resource. */
export async function runResource(
    policy: ResourceValidationPolicy,
    type: TypeRef,
    props: Record<string, unknown>,
    o: { name?: string; provider?: ResourceValidationArgs["provider"]; config?: Record<string, unknown> } = {},
): Promise<Outcome> {
    const t = typeOf(type);
    const name = o.name ?? "test";
    recordCase({
        kind: "resource",
        policy: policy.name,
        config: o.config ?? {},
        resources: [{ type: t, name, urn: urnOf(t, name), props, dependencies: [], propertyDependencies: {} }],
        provider: o.provider && { ...o.provider, props: rawProps.get(o.provider.props as object) ?? o.provider.props },
    });
    const proxied = proxy.unknownCheckingProxy(props);
    const out: Outcome = { messages: [], urns: [], notApplicable: false };
    const args: ResourceValidationArgs = {
        type: t,
        name,
        urn: urnOf(t, name),
        props: proxied,
        opts: emptyOpts,
        provider: o.provider,
        stackTags: new Map(),
        isType: ((c: Cls) => c.__pulumiType === t) as ResourceValidationArgs["isType"],
        asType: ((c: Cls) => (c.__pulumiType === t ? proxied : undefined)) as ResourceValidationArgs["asType"],
        getConfig: <T extends object>() => configFor(policy, o.config ?? {}) as T,
        notApplicable,
    };
    for (const validate of [policy.validateResource ?? []].flat()) await collect(out, (report) => validate(args, report));
    return out;
}

/** The unproxied props of each stack resource (and provider), for the corpus recording. */
const rawProps = new WeakMap<object, Record<string, unknown>>();

/** A resource as a stack rule sees it. */
export function stackResource(type: TypeRef, name: string, props: Record<string, unknown>, links: { propertyDependencies?: Record<string, PolicyResource[]> } = {}): PolicyResource {
    const t = typeOf(type);
    const proxied = proxy.unknownCheckingProxy(props);
    rawProps.set(proxied, props);
    return {
        type: t,
        name,
        urn: urnOf(t, name),
        props: proxied,
        opts: emptyOpts,
        dependencies: Object.values(links.propertyDependencies ?? {}).flat(),
        propertyDependencies: links.propertyDependencies ?? {},
        isType: ((c: Cls) => c.__pulumiType === t) as PolicyResource["isType"],
        asType: ((c: Cls) => (c.__pulumiType === t ? proxied : undefined)) as PolicyResource["asType"],
    };
}

/** Runs a stack rule over resources. */
export async function runStack(policy: StackValidationPolicy, resources: PolicyResource[], config: Record<string, unknown> = {}): Promise<Outcome> {
    recordCase({ kind: "stack", policy: policy.name, config, resources: resources.map(corpusResource) });
    const out: Outcome = { messages: [], urns: [], notApplicable: false };
    const args = { resources, stackTags: new Map<string, string>(), getConfig: <T extends object>() => configFor(policy, config) as T, notApplicable };
    await collect(out, (report) => policy.validateStack(args, report));
    return out;
}

function corpusResource(r: PolicyResource): CorpusResource {
    const urns = (rs: PolicyResource[]) => rs.map((d) => d.urn);
    return {
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: rawProps.get(r.props) ?? r.props,
        dependencies: urns(r.dependencies),
        propertyDependencies: Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, v]) => [k, urns(v)])),
    };
}

export const isUnknownValueError = (err: unknown) => err instanceof proxy.UnknownValueError;
