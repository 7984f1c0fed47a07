/**
 * How the Pulumi CLI turns `--policy-pack-config <file>` into the analyzer's `Configure` request, read
 * from pulumi/pulumi v3.248.0 (a88168d8): pkg/resource/analyzer/config.go (parsePolicyPackConfig,
 * ReconcilePolicyPackConfig: schema defaults per policy, then the pack's initial config, then the
 * file, "all" before per-policy entries, properties merged key by key, each policy's result validated
 * against {type: object, properties, required} of its configSchema plus the enforcementLevel enum that
 * sdk/go/common/resource/plugin/analyzer_plugin.go GetAnalyzerInfo injects). The CLI validates with
 * gojsonschema; Ajv stands in for it here (same draft-4-compatible keywords in our schemas).
 */
import Ajv, { ValidateFunction } from "ajv";

export const LEVELS = ["advisory", "mandatory", "remediate", "disabled"] as const;
export type Level = (typeof LEVELS)[number];

export interface PolicyConfigEntry {
    enforcementLevel?: Level;
    properties?: Record<string, unknown>;
}

export interface AnalyzerPolicyInfo {
    name: string;
    enforcementLevel: Level;
    configSchema?: { properties: Record<string, Record<string, unknown>>; required: string[] };
}

const isLevel = (v: unknown): v is Level => typeof v === "string" && (LEVELS as readonly string[]).includes(v);

/** parsePolicyPackConfig: a level string or an object whose enforcementLevel is split off; empty entries dropped. */
export function parsePolicyPackConfig(text: string): Record<string, PolicyConfigEntry> {
    if (text.trim() === "") return {};
    const raw = JSON.parse(text) as Record<string, unknown>;
    delete raw.environments; // ESC environment references, not policy config
    const out: Record<string, PolicyConfigEntry> = {};
    for (const [key, value] of Object.entries(raw)) {
        let entry: PolicyConfigEntry;
        if (typeof value === "string") {
            if (!isLevel(value)) throw new Error(`parsing enforcement level for "${key}": "${value}" is not a valid enforcement level`);
            entry = { enforcementLevel: value };
        } else if (value && typeof value === "object" && !Array.isArray(value)) {
            const { enforcementLevel, ...properties } = value as Record<string, unknown>;
            if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) throw new Error(`parsing enforcement level for "${key}": "${String(enforcementLevel)}" is not a valid enforcement level`);
            entry = { enforcementLevel: enforcementLevel as Level | undefined, properties: Object.keys(properties).length > 0 ? properties : undefined };
        } else {
            throw new Error(`parsing "${key}": ${String(value)} is not a valid value; must be a string or object`);
        }
        if (entry.enforcementLevel || entry.properties) out[key] = entry;
    }
    return out;
}

function applyConfig(result: Record<string, PolicyConfigEntry>, given: Record<string, PolicyConfigEntry>): void {
    const all = given.all?.enforcementLevel;
    if (all) for (const key of Object.keys(result)) result[key] = { ...result[key], enforcementLevel: all };
    for (const [policy, entry] of Object.entries(given)) {
        const current = result[policy] ?? {};
        const properties = entry.properties ? { ...(current.properties ?? {}), ...entry.properties } : current.properties;
        result[policy] = { enforcementLevel: entry.enforcementLevel ?? current.enforcementLevel, properties };
    }
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new Map<string, ValidateFunction>();
function validatorOf(schema: object): ValidateFunction {
    const key = JSON.stringify(schema);
    let v = validators.get(key);
    if (!v) validators.set(key, (v = ajv.compile(schema)));
    return v;
}

/** ReconcilePolicyPackConfig: the config every policy is configured with, or the validation errors the CLI stops on. */
export function reconcilePolicyPackConfig(
    policies: AnalyzerPolicyInfo[],
    initialConfig: Record<string, PolicyConfigEntry>,
    fileConfig: Record<string, PolicyConfigEntry>,
): { config: Record<string, PolicyConfigEntry>; errors: string[] } {
    const result: Record<string, PolicyConfigEntry> = {};
    for (const p of policies) {
        const defaults = Object.entries(p.configSchema?.properties ?? {}).filter(([, s]) => "default" in s);
        result[p.name] = { enforcementLevel: p.enforcementLevel, properties: defaults.length > 0 ? Object.fromEntries(defaults.map(([k, s]) => [k, s.default])) : undefined };
    }
    applyConfig(result, initialConfig);
    applyConfig(result, fileConfig);
    const errors: string[] = [];
    for (const p of policies) {
        if (!p.configSchema) continue;
        const schema = { type: "object", properties: { ...p.configSchema.properties, enforcementLevel: { type: "string", enum: [...LEVELS] } }, required: p.configSchema.required };
        const validate = validatorOf(schema);
        if (!validate(result[p.name]?.properties ?? {})) for (const e of validate.errors ?? []) errors.push(`${p.name}: ${e.instancePath || "(root)"} ${e.message}`);
    }
    return { config: result, errors: errors.sort() };
}
