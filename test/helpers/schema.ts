import Ajv from "ajv";
import * as fs from "fs";
import * as path from "path";

const SCHEMAS = path.resolve(__dirname, "..", "fixtures", "schemas");

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; additionalProperties?: unknown; patternProperties?: unknown; items?: Schema };

/** The cilium chart's own values schema (JSON Schema draft-07). */
export function ciliumValuesSchema(): Schema {
    return JSON.parse(fs.readFileSync(path.join(SCHEMAS, "cilium-values.schema.json"), "utf8"));
}

/** Schema errors as `path: message` lines (what the chart's `helm install` would reject). */
export function schemaErrors(schema: Schema, value: unknown): string[] {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"}: ${e.message}`);
}

/**
 * Keys the schema does not know. The cilium schema never sets additionalProperties, so a typo would
 * pass validation and be silently ignored by the chart; this walks the value beside the schema instead.
 * Objects the schema leaves open (no `properties`, e.g. annotations or eniTags) may hold any key.
 */
export function unknownKeys(schema: Schema, value: unknown, at = ""): string[] {
    if (Array.isArray(value)) return schema.items ? value.flatMap((v, i) => unknownKeys(schema.items!, v, `${at}[${i}]`)) : [];
    if (!value || typeof value !== "object" || !schema.properties) return [];
    return Object.entries(value).flatMap(([key, v]) => {
        const child = schema.properties![key];
        const where = at ? `${at}.${key}` : key;
        return child ? unknownKeys(child, v, where) : [where];
    });
}

/**
 * Keys a chart's values.yaml does not declare, for charts that ship no values schema: every key we set
 * must be in the chart's defaults. A default that is empty (`{}`) or null is an open value (annotations,
 * resources, a PodDisruptionBudget spec) and may hold anything.
 */
export function unknownValuesKeys(defaults: unknown, value: unknown, at = ""): string[] {
    if (!value || typeof value !== "object" || Array.isArray(value)) return [];
    if (!defaults || typeof defaults !== "object" || Array.isArray(defaults) || Object.keys(defaults).length === 0) return [];
    return Object.entries(value).flatMap(([key, v]) => {
        const where = at ? `${at}.${key}` : key;
        if (!(key in (defaults as Record<string, unknown>))) return [where];
        return unknownValuesKeys((defaults as Record<string, unknown>)[key], v, where);
    });
}

/** A vendored chart file (test/fixtures/charts, see its SOURCES.md). */
export function chartFixture(file: string): string {
    return fs.readFileSync(path.resolve(__dirname, "..", "fixtures", "charts", file), "utf8");
}
