import { Plan, PlanResource } from "./plan";
import { formatPath, Segment } from "./paths";
import { Violation } from "./policy-engine";
import { findRenames, LikelyRename } from "./renames";
import { isComponentType, isCovered, isIgnored, isProviderType, optionReasons, ReplaceReason, schemaReasons } from "./replace-rules";
import { statefulReason } from "./stateful";

export type Action = "add" | "delete" | "replace" | "update" | "ignored";
export const ACTIONS: readonly Action[] = ["replace", "delete", "update", "ignored", "add"];

/** One changed leaf: old and new are absent (undefined) when the value is not there on that side. */
export interface ValueChange {
    path: string;
    old?: unknown;
    new?: unknown;
}

interface Located {
    urn: string;
    type: string;
    name: string;
    /** The top-level component it belongs to (`network:Vpc pr-cybr-dev`), or `(stack)`. */
    component: string;
    protect: boolean;
    /** Why replacing or deleting it loses data, for the stateful types (see stateful.ts). */
    stateful?: string;
}

export type AddedOrDeleted = Located;

/** A resource in both plans whose inputs or options differ. */
export interface ResourceChange extends Located {
    action: "replace" | "update" | "ignored";
    /** Input changes the engine acts on, in path order, with values. */
    changes: ValueChange[];
    /** Input changes under `ignoreChanges`: the engine keeps the old values. */
    ignoredChanges: ValueChange[];
    /** Changed options and relations: parent, dependsOn, protect, provider, and the keys of `options`. */
    optionChanges: string[];
    /** For a replace: every change that forces it and what forces it. */
    replaceReasons: ReplaceReason[];
    deleteBeforeReplace: boolean;
    retainOnDelete: boolean;
    /** No replace rules cover this type: a replace cannot be told from an update. */
    unknownRules?: true;
}

export interface PlanDiff {
    base: { stack: string; resourceCount: number };
    head: { stack: string; resourceCount: number };
    adds: AddedOrDeleted[];
    deletes: AddedOrDeleted[];
    /** Replaces, updates and ignored changes, in URN order. */
    changes: ResourceChange[];
    renames: LikelyRename[];
    outputsChanged: ValueChange[];
    newViolations: Violation[];
    resolvedViolations: Violation[];
    /** Changed resource types the replace data does not cover (their updates may be replaces). */
    uncoveredTypes: string[];
    /** What this diff could not compare, e.g. options against a base plan written before plans had them. */
    notes: string[];
}

/**
 * Compares two plans by URN. A resource in both is a replace when a changed input is one its provider
 * replaces on (replace-rules.json) or its `replaceOnChanges` option names, ignored when every change is
 * under `ignoreChanges`, else an update. Options and rules are the head's, as the engine uses them.
 */
export function diffPlans(base: Plan, head: Plan): PlanDiff {
    const before = new Map(base.resources.map((r) => [r.urn, r]));
    const after = new Map(head.resources.map((r) => [r.urn, r]));
    const baseTop = topComponents(base);
    const headTop = topComponents(head);
    const addsRaw = head.resources.filter((r) => !before.has(r.urn));
    const deletesRaw = base.resources.filter((r) => !after.has(r.urn));
    const changes: ResourceChange[] = [];
    // A plan written before plans carried options has none at all: comparing would flag every resource.
    const optionsKnown = base.resources.some((r) => r.options) || !head.resources.some((r) => r.options);
    for (const r of head.resources) {
        const old = before.get(r.urn);
        if (old) {
            const change = compareResource(old, r, headTop, optionsKnown);
            if (change) changes.push(change);
        }
    }
    const key = (v: Violation) => `${v.policy}\u0000${v.urn}\u0000${v.message}`;
    const baseViolations = new Set(base.policies.violations.map(key));
    const headViolations = new Set(head.policies.violations.map(key));
    const typeMap = (p: Plan) => new Map(p.resources.map((r) => [r.urn, r.type]));
    return {
        base: { stack: base.stack, resourceCount: base.resources.length },
        head: { stack: head.stack, resourceCount: head.resources.length },
        adds: addsRaw.map((r) => locate(r, headTop)),
        deletes: deletesRaw.map((r) => locate(r, baseTop)),
        changes,
        // An alias cannot carry a resource from one stack to another: renames exist within a stack only.
        renames: base.stack === head.stack ? findRenames(deletesRaw, addsRaw, typeMap(base), typeMap(head)) : [],
        outputsChanged: valueChanges(base.outputs, head.outputs, false).map((c) => c.change),
        newViolations: head.policies.violations.filter((v) => !baseViolations.has(key(v))),
        resolvedViolations: base.policies.violations.filter((v) => !headViolations.has(key(v))),
        uncoveredTypes: [...new Set(changes.filter((c) => c.unknownRules).map((c) => c.type))].sort(),
        notes: optionsKnown ? [] : ["the base plan has no resource options (written before plans carried them): option changes are not compared"],
    };
}

function compareResource(old: PlanResource, r: PlanResource, top: TopComponents, optionsKnown: boolean): ResourceChange | undefined {
    const o = r.options ?? {};
    const effective: ValueChange[] = [];
    const ignoredChanges: ValueChange[] = [];
    const reasons: ReplaceReason[] = [];
    const [oldInputs, newInputs] = isProviderType(r.type) ? [decodeProviderConfig(old.inputs), decodeProviderConfig(r.inputs)] : [old.inputs, r.inputs];
    for (const { segments, change } of valueChanges(oldInputs, newInputs)) {
        if (isIgnored(o.ignoreChanges, segments)) {
            ignoredChanges.push(change);
            continue;
        }
        effective.push(change);
        reasons.push(...schemaReasons(r.type, segments, oldInputs, newInputs, change.path), ...optionReasons(o.replaceOnChanges, segments, change.path));
    }
    const optionChanges = [
        ...(old.parent !== r.parent ? ["parent"] : []),
        ...(!sameJson(old.dependsOn, r.dependsOn) ? ["dependsOn"] : []),
        ...(old.protect !== r.protect ? ["protect"] : []),
        ...(optionsKnown ? changedOptionKeys({ ...old.options }, { ...o }) : []),
    ];
    if (effective.length + ignoredChanges.length + optionChanges.length === 0) return undefined;
    const action = reasons.length > 0 ? "replace" : effective.length === 0 && optionChanges.length === 0 ? "ignored" : "update";
    return {
        ...locate(r, top),
        action,
        changes: effective,
        ignoredChanges,
        optionChanges,
        replaceReasons: reasons,
        deleteBeforeReplace: o.deleteBeforeReplace === true,
        retainOnDelete: o.retainOnDelete === true,
        ...(effective.length > 0 && !isCovered(r.type) ? { unknownRules: true as const } : {}),
    };
}

/** Provider inputs carry structured config as JSON text (`defaultTags`): diff it as the structure it is. */
function decodeProviderConfig(inputs: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(inputs)) {
        out[k] = v;
        if (typeof v === "string" && /^[[{]/.test(v)) {
            try {
                out[k] = JSON.parse(v);
            } catch {
                // Not JSON after all: keep the text.
            }
        }
    }
    return out;
}

function changedOptionKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().filter((k) => !sameJson(a[k], b[k]));
}

/**
 * Leaf paths whose values differ, with both values, in a stable order. A value present on one side
 * only is expanded to its leaves (so an added block lists every field it sets) unless `expand` is false.
 */
export function valueChanges(a: unknown, b: unknown, expand = true): { segments: Segment[]; change: ValueChange }[] {
    const out: { segments: Segment[]; change: ValueChange }[] = [];
    const walk = (x: unknown, y: unknown, path: Segment[]): void => {
        const kx = kindOf(x);
        const ky = kindOf(y);
        // Same kind of container, or a container on one side only: compare (or expand) member by member.
        if ((kx !== "leaf" || ky !== "leaf") && (kx === ky || (expand && (x === undefined || y === undefined)))) {
            if ((kx === "array" || ky === "array") && (kx !== "object" && ky !== "object")) {
                const xa = (x ?? []) as unknown[];
                const ya = (y ?? []) as unknown[];
                if (xa.length + ya.length > 0) {
                    for (let i = 0; i < Math.max(xa.length, ya.length); i++) walk(xa[i], ya[i], [...path, i]);
                    return;
                }
            } else {
                const xs = (x ?? {}) as Record<string, unknown>;
                const ys = (y ?? {}) as Record<string, unknown>;
                const keys = [...new Set([...Object.keys(xs), ...Object.keys(ys)])].sort();
                if (keys.length > 0) {
                    for (const k of keys) walk(xs[k], ys[k], [...path, k]);
                    return;
                }
            }
        }
        if (sameJson(x, y)) return;
        const change: ValueChange = { path: formatPath(path) };
        if (x !== undefined) change.old = x;
        if (y !== undefined) change.new = y;
        out.push({ segments: path, change });
    };
    walk(a, b, []);
    return out;
}

type TopComponents = (r: PlanResource) => string;

/** Names each resource's top-level component (the child of the stack it sits under). */
function topComponents(plan: Plan): TopComponents {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const memo = new Map<string, string>();
    const label = (r: PlanResource): string => {
        const hit = memo.get(r.urn);
        if (hit !== undefined) return hit;
        const parent = r.parent ? byUrn.get(r.parent) : undefined;
        let result: string;
        if (!parent || parent.type === "pulumi:pulumi:Stack") result = isComponentType(r.type) && r.type !== "pulumi:pulumi:Stack" ? `${r.type.replace(/^pr-cybr:/, "")} ${r.name}` : "(stack)";
        else result = label(parent);
        memo.set(r.urn, result);
        return result;
    };
    return label;
}

function locate(r: PlanResource, top: TopComponents): Located {
    const stateful = statefulReason(r.type);
    return { urn: r.urn, type: r.type, name: r.name, component: top(r), protect: r.protect, ...(stateful ? { stateful } : {}) };
}

/** The changes a reviewer must look at first: replaces and deletes of protected or stateful resources. */
export function criticalChanges(d: PlanDiff): { action: "replace" | "delete"; item: Located }[] {
    const risky = (x: Located) => x.protect || !!x.stateful;
    return [
        ...d.changes.filter((c) => c.action === "replace" && risky(c)).map((item) => ({ action: "replace" as const, item })),
        ...d.deletes.filter(risky).map((item) => ({ action: "delete" as const, item })),
    ];
}

/** Counts per action. */
export function countActions(d: PlanDiff): Record<Action, number> {
    const counts: Record<Action, number> = { replace: 0, delete: d.deletes.length, update: 0, ignored: 0, add: d.adds.length };
    for (const c of d.changes) counts[c.action]++;
    return counts;
}

export function noChanges(d: PlanDiff): boolean {
    return d.adds.length + d.deletes.length + d.changes.length + d.outputsChanged.length + d.newViolations.length + d.resolvedViolations.length === 0;
}

/** Whether any change has one of these actions (`--fail-on`). */
export function hasActions(d: PlanDiff, actions: readonly Action[]): boolean {
    const counts = countActions(d);
    return actions.some((a) => counts[a] > 0);
}

const kindOf = (v: unknown) => (Array.isArray(v) ? "array" : v && typeof v === "object" ? "object" : "leaf");
const sameJson = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);
