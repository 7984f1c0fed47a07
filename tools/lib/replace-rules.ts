/**
 * Which input changes make a provider replace a resource, from tools/data/replace-rules.json (vendored
 * from the providers' upstream schemas; provenance in tools/data/SOURCES.md).
 */
import { ANY, isPrefix, parsePath, Segment, valueAt } from "./paths";
// Bundled by esbuild and loaded by jest as plain JSON: no file lookup at run time.
import data from "../data/replace-rules.json";

/** How a listed path matches a change: see `pathMatch._notes` in the data file. */
export type PathMatch = "sdkv2" | "value";

export interface TypeRules {
    readonly replaceOn: readonly string[];
    readonly notes?: string;
    readonly source: string;
    readonly commit?: string | null;
    readonly pathMatch?: PathMatch;
    /** sdkv2 objects that are MaxItems-1 blocks, not maps, although no path inside them is listed. */
    readonly blocks?: readonly string[];
}

export interface ReplaceRulesData {
    readonly types: Readonly<Record<string, TypeRules>>;
    readonly kubernetesDefault: TypeRules;
    readonly pathMatch: Readonly<Record<string, string>>;
    readonly provenance: Readonly<Record<string, { repo: string; commit: string; version: string }>>;
}

export const RULES = data as unknown as ReplaceRulesData;

/** A change that forces a replacement, with the listed path (or option) that forces it. */
export interface ReplaceReason {
    /** The changed input path. */
    path: string;
    /** The replaceOn entry or replaceOnChanges option that matched. */
    rule: string;
    by: "provider schema" | "replaceOnChanges";
}

interface CompiledRules {
    mode: PathMatch;
    rules: { text: string; segments: Segment[]; isBlock: boolean }[];
}

const cache = new Map<string, CompiledRules | null>();

/** The provider a type token belongs to (`aws:ec2/vpc:Vpc` → aws). */
export const providerOf = (type: string) => type.slice(0, type.indexOf(":"));

/** Resources that have no provider of their own: components and the stack never replace. */
export const isComponentType = (type: string) => type === "pulumi:pulumi:Stack" || type.startsWith("pr-cybr:");

/** Provider resources: their config changes are diffed by the engine (DiffConfig), not by these rules. */
export const isProviderType = (type: string) => type.startsWith("pulumi:providers:");

/** The rules for a type, or null when the data does not cover it. */
export function rulesFor(type: string): CompiledRules | null {
    if (cache.has(type)) return cache.get(type)!;
    const entry = RULES.types[type] ?? (providerOf(type) === "kubernetes" ? RULES.kubernetesDefault : undefined);
    let compiled: CompiledRules | null = null;
    if (entry) {
        const mode = (entry.pathMatch ?? RULES.pathMatch[providerOf(type)] ?? "value") as PathMatch;
        const parsed = entry.replaceOn.map((text) => ({ text, segments: parsePath(text) }));
        const blocks = (entry.blocks ?? []).map(parsePath);
        const rules = parsed.map((r) => ({
            ...r,
            // An sdkv2 object is a block (not a map) when fields inside it are listed, or the data says so.
            isBlock: parsed.some((o) => o.segments.length > r.segments.length && isPrefix(r.segments, o.segments)) || blocks.some((b) => b.length === r.segments.length && isPrefix(b, r.segments)),
        }));
        compiled = { mode, rules };
    }
    cache.set(type, compiled);
    return compiled;
}

/** Whether the replace data covers a type (components, the stack and providers need no entry). */
export function isCovered(type: string): boolean {
    return isComponentType(type) || isProviderType(type) || rulesFor(type) !== null;
}

/**
 * The provider-schema reasons a changed leaf path forces a replacement. `old` and `next` are the
 * resource's whole inputs before and after; `path` is a leaf where they differ.
 */
export function schemaReasons(type: string, path: Segment[], old: unknown, next: unknown, text: string): ReplaceReason[] {
    const compiled = rulesFor(type);
    if (!compiled) return [];
    const out: ReplaceReason[] = [];
    for (const rule of compiled.rules) {
        if (forces(compiled.mode, rule, path, old, next)) out.push({ path: text, rule: rule.text, by: "provider schema" });
    }
    return out;
}

function forces(mode: PathMatch, rule: { segments: Segment[]; isBlock: boolean }, path: Segment[], old: unknown, next: unknown): boolean {
    // The path at or above the rule: the listed value itself changed (or a block around it came or went).
    if (isPrefix(path, rule.segments)) return true;
    if (!isPrefix(rule.segments, path)) return false;
    if (mode === "value") return true;
    // sdkv2: below a ForceNew list, set or map. Adding or removing it, or changing its element count,
    // replaces; so does any element of a list/set/map of primitives; a field inside a block only when listed.
    const before = valueAt(old, rule.segments, path);
    const after = valueAt(next, rule.segments, path);
    if (isAbsent(before) !== isAbsent(after)) return true;
    if (Array.isArray(before) && Array.isArray(after)) {
        if (before.length !== after.length) return true;
        const index = path[rule.segments.length];
        return isPrimitive(before[index as number]) && isPrimitive(after[index as number]);
    }
    return isObject(before) && isObject(after) && !rule.isBlock;
}

/** Reasons from a `replaceOnChanges` option: the named property or anything under it (`*` = all). */
export function optionReasons(patterns: readonly string[] | undefined, path: Segment[], text: string): ReplaceReason[] {
    const out: ReplaceReason[] = [];
    for (const p of patterns ?? []) {
        const segments = p === "*" ? [] : parsePath(p);
        if (isPrefix(segments, path) || isPrefix(path, segments)) out.push({ path: text, rule: p, by: "replaceOnChanges" });
    }
    return out;
}

/** Whether a changed path falls under an `ignoreChanges` entry (`*` ignores every input). */
export function isIgnored(patterns: readonly string[] | undefined, path: Segment[]): boolean {
    return (patterns ?? []).some((p) => p === "*" || isPrefix(parsePath(p), path));
}

const isAbsent = (v: unknown) => v === undefined || v === null;
const isPrimitive = (v: unknown) => v === null || v === undefined || typeof v !== "object";
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

export { ANY };
