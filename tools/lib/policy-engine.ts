import Ajv, { ValidateFunction } from "ajv";
import type {
    EnforcementLevel,
    Policies,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import * as fs from "fs";
import * as path from "path";
import type { RecordedResource } from "../../test/mocks";
import { PACK_NAME } from "../../policy/rules";
import { unwrapSecrets } from "./values";

// Runtime-only exports of @pulumi/policy 1.21 (proxy.d.ts is stripped): the wrapper the analyzer puts
// around every props object, which throws UnknownValueError when a rule reads an unknown value.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxy = require("@pulumi/policy/proxy") as { unknownCheckingProxy<T>(v: T): T; UnknownValueError: new (...a: unknown[]) => Error };

/**
 * Evaluates CrossGuard rules on recorded resources the way the Pulumi engine does: resource policies get
 * each resource's inputs (with its provider's props, so default tags count), stack policies get every
 * resource's outputs with parents and dependencies linked; levels and config come from the policy-pack
 * config file. Where a verdict depends on the engine, it follows the real analyzer (@pulumi/policy 1.21.0
 * server.ts and pulumi/pulumi v3.248.0 pkg/resource/deploy; test/integration/policy compares both):
 * a resource violation is on the resource analyzed, a stack violation without a URN of the stack is on
 * the root stack, and a rule that reads an unknown value reports the advisory "can't run ... during
 * preview" instead of a verdict (synth's values are all known, so that only happens with unknowns).
 */

export type PolicyConfigFile = Record<string, unknown>;

export interface Violation {
    policy: string;
    enforcementLevel: EnforcementLevel;
    urn: string;
    message: string;
}

export interface PolicyReport {
    evaluated: { policy: string; enforcementLevel: EnforcementLevel }[];
    violations: Violation[];
}

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

class NotApplicable extends Error {}

interface ResolvedPolicy {
    policy: ResourceValidationPolicy | StackValidationPolicy;
    level: EnforcementLevel;
    config: Record<string, unknown>;
}

/** Problems with a policy-pack config file (unknown policy, bad level, config not matching a rule's schema). */
export function policyConfigProblems(policies: Policies, file: PolicyConfigFile): string[] {
    return resolvePolicies(policies, file).problems;
}

function resolvePolicies(policies: Policies, file: PolicyConfigFile): { resolved: ResolvedPolicy[]; problems: string[] } {
    const problems: string[] = [];
    const names = new Set(policies.map((p) => p.name));
    for (const key of Object.keys(file)) {
        if (key !== "all" && !names.has(key)) problems.push(`${key}: no such policy (known: all, ${[...names].join(", ")})`);
    }
    const all = file.all;
    if (all !== undefined && !LEVELS.includes(all as EnforcementLevel)) problems.push(`all: "${String(all)}" is not an enforcement level (${LEVELS.join(", ")})`);
    const resolved = policies.map((policy): ResolvedPolicy => {
        const entry = file[policy.name];
        const { enforcementLevel, ...given } = typeof entry === "string" ? { enforcementLevel: entry } : ((entry ?? {}) as Record<string, unknown>);
        if (enforcementLevel !== undefined && !LEVELS.includes(enforcementLevel as EnforcementLevel)) {
            problems.push(`${policy.name}.enforcementLevel: "${String(enforcementLevel)}" is not an enforcement level (${LEVELS.join(", ")})`);
        }
        // Precedence as in the engine: the policy's own entry, then "all", then the rule's default.
        const level = (enforcementLevel ?? all ?? policy.enforcementLevel ?? "advisory") as EnforcementLevel;
        const config = { ...given };
        const schema = { type: "object", properties: policy.configSchema?.properties ?? {}, required: policy.configSchema?.required ?? [], additionalProperties: false };
        const validate = validatorOf(schema);
        if (!validate(config)) {
            for (const e of validate.errors ?? []) {
                const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, ".") : "";
                const extra = e.keyword === "additionalProperties" ? ` "${String((e.params as { additionalProperty: string }).additionalProperty)}"` : "";
                problems.push(`${policy.name}${where ? "." + where : ""}: ${e.message}${extra}`);
            }
        }
        return { policy, level, config };
    });
    return { resolved, problems };
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
const validators = new Map<string, ValidateFunction>();
/** One compiled validator per schema (compiling is most of a config check's cost). */
function validatorOf(schema: object): ValidateFunction {
    const key = JSON.stringify(schema);
    let v = validators.get(key);
    if (!v) validators.set(key, (v = ajv.compile(schema)));
    return v;
}

/** Runs every rule over the resources; throws when the config file itself is invalid. */
export async function evaluatePolicies(policies: Policies, resources: RecordedResource[], file: PolicyConfigFile): Promise<PolicyReport> {
    const { resolved, problems } = resolvePolicies(policies, file);
    if (problems.length > 0) throw new Error(`invalid policy config:\n  ${problems.join("\n  ")}`);
    const evaluated = resolved.filter((r) => r.level !== "disabled");
    const violations: Violation[] = [];
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const stackResources = linkStackResources(resources);
    const rootStack = resources.length > 0 ? rootStackUrn(resources[0].urn) : "";

    for (const { policy, level, config } of evaluated) {
        // Stack rules cannot remediate, so "remediate" reports as mandatory, as in the engine.
        const enforcementLevel: EnforcementLevel = level === "remediate" ? "mandatory" : level;
        const push = (urn: string, message: string, as = enforcementLevel) => violations.push({ policy: policy.name, enforcementLevel: as, urn, message });
        const getConfig = <T extends object>() => ({ ...defaultsOf(policy), ...config }) as T;
        const notApplicable = (reason?: string): never => {
            throw new NotApplicable(reason);
        };
        // server.ts: an UnknownValueError becomes an advisory diagnostic, whatever the rule's level.
        const cannotRun = (urn: string) => (err: Error) => push(urn, `can't run policy '${policy.name}' from policy pack '${PACK_NAME}@v${packVersion()}' during preview: ${err.message}`, "advisory");
        try {
            if ("validateStack" in policy) {
                const args: StackValidationArgs = { resources: stackResources, stackTags: new Map(), getConfig, notApplicable };
                // step_generator.go AnalyzeResources: a URN that is not in the stack (or none) means the root stack.
                const report = (message: string, urn?: string) => push(urn && byUrn.has(urn) ? urn : rootStack, message);
                await runValidation(() => (policy as StackValidationPolicy).validateStack(args, report), cannotRun(rootStack));
            } else {
                const validations = [(policy as ResourceValidationPolicy).validateResource ?? []].flat();
                // Every registration is analyzed, the root stack's too (step_generator.go generateSteps).
                for (const r of resources) {
                    const args = resourceArgs(r, byUrn, getConfig, notApplicable);
                    // analyze_snapshot.go analyzeResource: every diagnostic is on the resource analyzed.
                    const report = (message: string) => push(r.urn, message);
                    for (const validate of validations) await runValidation(() => validate(args, report), cannotRun(r.urn));
                }
            }
        } catch (err) {
            throw new Error(`policy ${policy.name} failed: ${(err as Error).stack ?? String(err)}`);
        }
    }
    violations.sort((a, b) => a.policy.localeCompare(b.policy) || a.urn.localeCompare(b.urn) || a.message.localeCompare(b.message));
    return { evaluated: evaluated.map(({ policy, level }) => ({ policy: policy.name, enforcementLevel: level })), violations };
}

async function runValidation(fn: () => void | Promise<void>, onUnknown: (err: Error) => void): Promise<void> {
    try {
        await fn();
    } catch (err) {
        if (err instanceof proxy.UnknownValueError) onUnknown(err);
        else if (!(err instanceof NotApplicable)) throw err;
    }
}

/** The root stack's URN (DefaultRootStackURN, pulumi/pulumi sdk/go/common/resource/stack.go) from any URN of the stack. */
function rootStackUrn(anyUrn: string): string {
    const m = /^urn:pulumi:([^:]+)::([^:]+)::/.exec(anyUrn);
    return m ? `urn:pulumi:${m[1]}::${m[2]}::pulumi:pulumi:Stack::${m[2]}-${m[1]}` : "";
}

let version: string | undefined;
/** The pack's version as PolicyPack reads it, from policy/package.json (found from the source tree or from .build/). */
function packVersion(): string {
    if (version === undefined) {
        const candidates = [path.resolve(__dirname, "..", "..", "policy", "package.json"), path.resolve(__dirname, "..", "..", "..", "policy", "package.json")];
        const file = candidates.find((f) => fs.existsSync(f));
        version = file ? String(JSON.parse(fs.readFileSync(file, "utf8")).version) : "unknown";
    }
    return version;
}

function defaultsOf(policy: { configSchema?: { properties?: Record<string, unknown> } }): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
        if (schema && typeof schema === "object" && "default" in schema) out[key] = structuredClone((schema as { default: unknown }).default);
    }
    return out;
}

type Cls = { __pulumiType?: unknown; isInstance?: (o: unknown) => boolean };

/**
 * isType as the analyzer does it (@pulumi/policy 1.21.0 server.ts isTypeOf): the class's __pulumiType
 * alone when it has one, else its isInstance. A provider class's __pulumiType is its package ("aws"),
 * so a provider resource ("pulumi:providers:aws") is never isType(aws.Provider) there, nor here.
 */
const isTypeOf = (type: string) => (cls: Cls) => {
    const token = cls.__pulumiType;
    if (typeof token === "string" && token.length > 0) return token === type;
    return typeof cls.isInstance === "function" && cls.isInstance({ __pulumiType: type }) === true;
};

function options(r: RecordedResource): PolicyResourceOptions {
    return {
        protect: r.protect,
        ignoreChanges: r.ignoreChanges,
        deleteBeforeReplace: r.deleteBeforeReplace,
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: r.additionalSecretOutputs,
        parent: r.parent,
    };
}

/** `<provider urn>::<id>` -> the recorded provider resource. */
function providerOf(r: RecordedResource, byUrn: Map<string, RecordedResource>): RecordedResource | undefined {
    if (!r.providerRef) return undefined;
    return byUrn.get(r.providerRef.slice(0, r.providerRef.lastIndexOf("::")));
}

function resourceArgs(
    r: RecordedResource,
    byUrn: Map<string, RecordedResource>,
    getConfig: <T extends object>() => T,
    notApplicable: (reason?: string) => never,
): ResourceValidationArgs {
    const props = proxy.unknownCheckingProxy(unwrapSecrets(r.inputs) as Record<string, unknown>);
    const isType = isTypeOf(r.type);
    return {
        type: r.type,
        props,
        urn: r.urn,
        name: r.name,
        opts: options(r),
        provider: policyProvider(r, byUrn),
        stackTags: new Map(),
        isType: isType as ResourceValidationArgs["isType"],
        asType: ((cls: Cls) => (isType(cls) ? props : undefined)) as ResourceValidationArgs["asType"],
        getConfig,
        notApplicable,
    };
}

/** The provider as the engine hands it to a rule: its type, name, URN and inputs. */
function policyProvider(r: RecordedResource, byUrn: Map<string, RecordedResource>): PolicyProviderResource | undefined {
    const provider = providerOf(r, byUrn);
    return provider && { type: provider.type, props: proxy.unknownCheckingProxy(unwrapSecrets(provider.inputs) as Record<string, unknown>), urn: provider.urn, name: provider.name };
}

/** PolicyResources for stack rules: outputs as props, with provider, parent and dependencies linked. */
function linkStackResources(resources: RecordedResource[]): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    const recorded = new Map(resources.map((r) => [r.urn, r]));
    for (const r of resources) {
        const isType = isTypeOf(r.type);
        const props = proxy.unknownCheckingProxy(unwrapSecrets(r.outputs) as Record<string, unknown>);
        byUrn.set(r.urn, {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: options(r),
            provider: policyProvider(r, recorded),
            dependencies: [],
            propertyDependencies: {},
            isType: isType as PolicyResource["isType"],
            asType: ((cls: Cls) => (isType(cls) ? props : undefined)) as PolicyResource["asType"],
        });
    }
    const resolve = (urns: string[]) => urns.map((u) => byUrn.get(u)).filter((x): x is PolicyResource => x !== undefined);
    for (const r of resources) {
        const target = byUrn.get(r.urn)!;
        target.parent = r.parent ? byUrn.get(r.parent) : undefined;
        target.dependencies = resolve(r.dependsOn);
        target.propertyDependencies = Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, urns]) => [k, resolve(urns)]));
    }
    return [...byUrn.values()];
}
