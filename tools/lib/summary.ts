import { Plan, PlanResource } from "./plan";

const isComponent = (r: PlanResource) => r.type.startsWith("pr-cybr:") || r.type === "pulumi:pulumi:Stack";

/**
 * A readable summary: the component tree (each component with its resources counted by type, so a
 * 1,000-node stack stays a page long), the counts by type, and the policy table with violations.
 */
export function renderSummary(plan: Plan, durationMs: number, phases?: { programMs: number; policyMs: number; planMs: number }): string {
    const lines: string[] = [];
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const split = phases ? ` (program ${s(phases.programMs)}, policies ${s(phases.policyMs)}, plan ${s(phases.planMs)})` : "";
    lines.push(`${plan.project}/${plan.stack}: ${plan.stats.resourceCount} resources, synthesized in ${s(durationMs)}${split}`);
    lines.push("", "Resource tree (components, with the resources each owns directly):");
    const children = new Map<string | null, PlanResource[]>();
    for (const r of plan.resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
    const walk = (r: PlanResource, depth: number): void => {
        const own = children.get(r.urn) ?? [];
        const subtree = countSubtree(r.urn, children);
        lines.push(`${"  ".repeat(depth + 1)}${r.type}  ${r.name}  (${subtree} total)`);
        const leafCounts = countBy(own.filter((c) => !isComponent(c)).map((c) => c.type));
        for (const [type, n] of leafCounts) lines.push(`${"  ".repeat(depth + 2)}${n} x ${type}`);
        for (const c of own.filter(isComponent)) walk(c, depth + 1);
    };
    for (const root of children.get(null) ?? []) if (isComponent(root)) walk(root, 0);

    lines.push("", "Resources by type:");
    const byType = countBy(plan.resources.map((r) => r.type));
    const width = Math.max(...[...byType.keys()].map((k) => k.length));
    for (const [type, n] of byType) lines.push(`  ${type.padEnd(width)}  ${String(n).padStart(5)}`);

    lines.push("", "Policies:");
    const violationsBy = countBy(plan.policies.violations.map((v) => v.policy));
    const pw = Math.max(6, ...plan.policies.evaluated.map((p) => p.policy.length));
    lines.push(`  ${"policy".padEnd(pw)}  ${"level".padEnd(9)}  violations`);
    for (const p of plan.policies.evaluated) lines.push(`  ${p.policy.padEnd(pw)}  ${p.enforcementLevel.padEnd(9)}  ${violationsBy.get(p.policy) ?? 0}`);
    for (const v of plan.policies.violations) lines.push(`  [${v.enforcementLevel}] ${v.policy}: ${v.message}${v.urn ? `\n      at ${v.urn}` : ""}`);
    return lines.join("\n");
}

function countSubtree(urn: string, children: Map<string | null, PlanResource[]>): number {
    return (children.get(urn) ?? []).reduce((n, c) => n + 1 + countSubtree(c.urn, children), 0);
}

function countBy(keys: string[]): Map<string, number> {
    const counts = new Map<string, number>();
    for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
    return new Map([...counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
}
