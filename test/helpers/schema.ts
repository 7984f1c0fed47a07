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
    // An object schema with no properties listed (`properties: {}`, as chart schemas write free-form maps) is open.
    if (!value || typeof value !== "object" || !schema.properties || Object.keys(schema.properties).length === 0) return [];
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

/** A chart's values.schema.json vendored under test/fixtures/charts (see SOURCES.md there). */
export function chartValuesSchema(file: string): Schema & { $schema?: string } {
    return JSON.parse(fs.readFileSync(path.resolve(__dirname, "..", "fixtures", "charts", file), "utf8"));
}

/** Schema errors under the draft the schema declares (2020-12 or draft-07), as `helm install` validates values. */
export function chartSchemaErrors(schema: Schema & { $schema?: string }, value: unknown): string[] {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Ajv2020 = require("ajv/dist/2020").default;
    const ajv = schema.$schema?.includes("2020-12") ? new Ajv2020({ allErrors: true, strict: false }) : new Ajv({ allErrors: true, strict: false });
    const { $schema: _, ...body } = schema;
    const validate = ajv.compile(body);
    return validate(value) ? [] : (validate.errors ?? []).map((e: { instancePath: string; message?: string }) => `${e.instancePath || "/"}: ${e.message}`);
}

/**
 * The values Helm validates against the schema: the chart's values.yaml with ours coalesced over it
 * (maps merge key by key, anything else replaces; helm/helm pkg/chart/v2/util/coalesce.go).
 */
export function withChartDefaults(defaultsFile: string, values: Record<string, unknown>): Record<string, unknown> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const YAML = require("yaml");
    const defaults = YAML.parse(fs.readFileSync(path.resolve(__dirname, "..", "fixtures", "charts", defaultsFile), "utf8"));
    const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
    const merge = (base: unknown, over: unknown): unknown => {
        if (!isMap(base) || !isMap(over)) return over;
        const out: Record<string, unknown> = { ...base };
        for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
        return out;
    };
    return merge(defaults, values) as Record<string, unknown>;
}
