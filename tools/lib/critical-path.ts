/**
 * The critical path of a fresh `pulumi up` (issue 19, "Done when"): the plan's dependency graph (each
 * resource waits for its `dependsOn` — which the SDK fills with explicit and property dependencies, a
 * component's expanded to its resources — and for its provider), weighted by typical create times per
 * resource type (tools/data/create-times.json). The engine starts a resource as soon as everything it
 * waits for is created, so a resource finishes at max(its waits) + its create time, and no earlier than
 * its runtime prerequisites allow (pods need nodes; names need cluster DNS).
 */
import type { Plan, PlanResource } from "./plan";

export type RuntimeNeed = "nodes" | "cluster-dns";

export interface CreateTimeRule {
    /** The resource type; a trailing `*` matches every type with that prefix. */
    readonly type: string;
    readonly inputs?: Record<string, unknown>;
    /** A regular expression on the resource's name. */
    readonly name?: string;
    readonly minutes: number;
    /** Minutes the create lasts at least after each runtime prerequisite is ready. */
    readonly after?: Partial<Record<RuntimeNeed, number>>;
    readonly source: string;
}

export interface CreateTimes {
    readonly defaultMinutes: number;
    readonly rules: readonly CreateTimeRule[];
}

export interface PathStep {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly start: number;
    readonly finish: number;
    /** How the step follows the previous one: a Pulumi dependency, or a runtime wait. */
    readonly via: "dependency" | RuntimeNeed | "start";
}

export interface CriticalPath {
    /** Minutes until the last resource is created. */
    readonly minutes: number;
    /** From the first resource to the last, each the one its successor waited for longest. */
    readonly steps: PathStep[];
    readonly finishByUrn: ReadonlyMap<string, number>;
}

type Res = PlanResource & { options?: { provider?: string } };

const COMPONENT = /^(pr-cybr:|pulumi:pulumi:Stack$)/;

/** The rule for a resource: the first whose type, inputs and name match. */
export function ruleFor(times: CreateTimes, r: Pick<PlanResource, "type" | "name" | "inputs">): CreateTimeRule | undefined {
    return times.rules.find(
        (rule) =>
            (rule.type.endsWith("*") ? r.type.startsWith(rule.type.slice(0, -1)) : rule.type === r.type) &&
            Object.entries(rule.inputs ?? {}).every(([k, v]) => JSON.stringify(r.inputs?.[k]) === JSON.stringify(v)) &&
            (rule.name === undefined || new RegExp(rule.name).test(r.name)),
    );
}

/** What each runtime prerequisite is in a plan: every node group; the CoreDNS add-on. */
export function runtimeProviders(plan: Plan): Record<RuntimeNeed, string[]> {
    return {
        nodes: plan.resources.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup").map((r) => r.urn),
        "cluster-dns": plan.resources.filter((r) => r.type === "aws:eks/addon:Addon" && r.inputs.addonName === "coredns").map((r) => r.urn),
    };
}

export function criticalPath(plan: Plan, times: CreateTimes): CriticalPath {
    const resources = plan.resources as Res[];
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const children = new Map<string, string[]>();
    for (const r of resources) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r.urn]);
    const runtime = runtimeProviders(plan);

    const finish = new Map<string, number>();
    const cause = new Map<string, { from?: string; via: PathStep["via"]; start: number }>();
    const visiting = new Set<string>();

    const visit = (urn: string): number => {
        const known = finish.get(urn);
        if (known !== undefined) return known;
        const r = byUrn.get(urn);
        if (!r) return 0; // outside the plan (an alias or a provider reference): nothing to wait for
        if (visiting.has(urn)) throw new Error(`critical path: dependency cycle through ${urn}`);
        visiting.add(urn);
        let end: number;
        if (COMPONENT.test(r.type)) {
            // A component is created when everything under it is (what waits for it waits for them).
            let best: { from?: string; t: number } = { t: 0 };
            for (const c of children.get(urn) ?? []) {
                const t = visit(c);
                if (t > best.t) best = { from: c, t };
            }
            cause.set(urn, { from: best.from, via: "dependency", start: best.t });
            end = best.t;
        } else {
            const waits = [...r.dependsOn, ...(r.options?.provider ? [r.options.provider] : [])];
            let best: { from?: string; t: number; via: PathStep["via"] } = { t: 0, via: "start" };
            for (const d of waits) {
                const t = visit(d);
                if (t > best.t) best = { from: d, t, via: "dependency" };
            }
            const rule = ruleFor(times, r);
            const minutes = rule?.minutes ?? times.defaultMinutes;
            // It starts when its waits are created; it ends no earlier than its runtime prerequisites allow.
            const start = best.t;
            end = start + minutes;
            for (const [need, tail] of Object.entries(rule?.after ?? {}) as [RuntimeNeed, number][]) {
                for (const p of runtime[need]) {
                    const t = visit(p) + tail;
                    if (t > end) {
                        end = t;
                        best = { from: p, t: visit(p), via: need };
                    }
                }
            }
            cause.set(urn, { from: best.from, via: best.via, start });
        }
        visiting.delete(urn);
        finish.set(urn, end);
        return end;
    };
    for (const r of resources) visit(r.urn);

    // Walk back from the last custom resource to finish, through what each waited for longest.
    const last = resources.filter((r) => !COMPONENT.test(r.type)).reduce<Res | undefined>((a, r) => (!a || finish.get(r.urn)! > finish.get(a.urn)! ? r : a), undefined);
    const steps: PathStep[] = [];
    let cur = last?.urn;
    const seen = new Set<string>();
    while (cur && !seen.has(cur)) {
        seen.add(cur);
        const r = byUrn.get(cur)!;
        const c = cause.get(cur)!;
        if (!COMPONENT.test(r.type)) steps.push({ urn: cur, type: r.type, name: r.name, start: round(c.start), finish: round(finish.get(cur)!), via: c.via });
        cur = c.from;
    }
    steps.reverse();
    if (steps.length > 0) steps[0] = { ...steps[0], via: "start" };
    return { minutes: round(last ? finish.get(last.urn)! : 0), steps, finishByUrn: finish };
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Plain-text rendering: one line per step. */
export function renderCriticalPath(stack: string, cp: CriticalPath): string {
    const lines = [`critical path of a fresh up (${stack}): ${cp.minutes.toFixed(1)} min`];
    for (const s of cp.steps) {
        const how = s.via === "start" ? "" : s.via === "dependency" ? "  (waits for the above)" : `  (runtime: waits for ${s.via})`;
        lines.push(`  ${s.start.toFixed(1).padStart(5)} -> ${s.finish.toFixed(1).padStart(5)}  ${s.type}  ${s.name}${how}`);
    }
    return lines.join("\n");
}
