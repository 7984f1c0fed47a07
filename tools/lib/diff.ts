import { Plan, PlanResource } from "./plan";
import { Violation } from "./policy-engine";

export interface ResourceUpdate {
    urn: string;
    type: string;
    /** Changed input paths (`tags.Name`, `ingress[0].fromPort`) and options (`(parent)`, `(dependsOn)`, `(protect)`). */
    changed: string[];
}

export interface LikelyReplacement {
    type: string;
    deleted: string;
    added: string;
}

export interface PlanDiff {
    base: { stack: string; resourceCount: number };
    head: { stack: string; resourceCount: number };
    adds: PlanResource[];
    deletes: PlanResource[];
    updates: ResourceUpdate[];
    replacements: LikelyReplacement[];
    outputsChanged: string[];
    newViolations: Violation[];
    resolvedViolations: Violation[];
}

/**
 * Compares two plans by URN. A delete and an add of the same type are paired as a likely replacement:
 * that is what a rename or a move into a component looks like without an alias. Secret values are
 * "[secret]" in both plans, so only a change of secretness or of the path itself shows.
 */
export function diffPlans(base: Plan, head: Plan): PlanDiff {
    const before = new Map(base.resources.map((r) => [r.urn, r]));
    const after = new Map(head.resources.map((r) => [r.urn, r]));
    const adds = head.resources.filter((r) => !before.has(r.urn));
    const deletes = base.resources.filter((r) => !after.has(r.urn));
    const updates: ResourceUpdate[] = [];
    for (const r of head.resources) {
        const old = before.get(r.urn);
        if (!old) continue;
        const changed = [
            ...changedPaths(old.inputs, r.inputs, ""),
            ...(old.parent !== r.parent ? ["(parent)"] : []),
            ...(JSON.stringify(old.dependsOn) !== JSON.stringify(r.dependsOn) ? ["(dependsOn)"] : []),
            ...(old.protect !== r.protect ? ["(protect)"] : []),
        ];
        if (changed.length > 0) updates.push({ urn: r.urn, type: r.type, changed });
    }
    const key = (v: Violation) => `${v.policy}\u0000${v.urn}\u0000${v.message}`;
    const baseViolations = new Set(base.policies.violations.map(key));
    const headViolations = new Set(head.policies.violations.map(key));
    return {
        base: { stack: base.stack, resourceCount: base.resources.length },
        head: { stack: head.stack, resourceCount: head.resources.length },
        adds,
        deletes,
        updates,
        replacements: pairReplacements(deletes, adds),
        outputsChanged: changedPaths(base.outputs, head.outputs, ""),
        newViolations: head.policies.violations.filter((v) => !baseViolations.has(key(v))),
        resolvedViolations: base.policies.violations.filter((v) => !headViolations.has(key(v))),
    };
}

/** Leaf paths whose values differ, in a stable order. */
export function changedPaths(a: unknown, b: unknown, path: string): string[] {
    if (Array.isArray(a) && Array.isArray(b)) {
        const out: string[] = [];
        for (let i = 0; i < Math.max(a.length, b.length); i++) out.push(...changedPaths(a[i], b[i], `${path}[${i}]`));
        return out;
    }
    if (isObject(a) && isObject(b)) {
        const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
        return keys.flatMap((k) => changedPaths(a[k], b[k], path ? `${path}.${k}` : k));
    }
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [path || "(value)"];
}

/** Greedy pairing per type: same logical name first (a move), then the most similar inputs (a rename). */
function pairReplacements(deletes: PlanResource[], adds: PlanResource[]): LikelyReplacement[] {
    const pairs: LikelyReplacement[] = [];
    const freeAdds = new Set(adds);
    for (const d of deletes) {
        const candidates = [...freeAdds].filter((a) => a.type === d.type);
        if (candidates.length === 0) continue;
        const best = candidates.find((a) => a.name === d.name) ?? candidates.sort((x, y) => similarity(d, y) - similarity(d, x))[0];
        freeAdds.delete(best);
        pairs.push({ type: d.type, deleted: d.urn, added: best.urn });
    }
    return pairs;
}

function similarity(a: PlanResource, b: PlanResource): number {
    const total = new Set([...leafPaths(a.inputs, ""), ...leafPaths(b.inputs, "")]).size || 1;
    return (total - changedPaths(a.inputs, b.inputs, "").length) / total;
}

function leafPaths(v: unknown, path: string): string[] {
    if (Array.isArray(v)) return v.flatMap((x, i) => leafPaths(x, `${path}[${i}]`));
    if (isObject(v)) return Object.entries(v).flatMap(([k, x]) => leafPaths(x, path ? `${path}.${k}` : k));
    return [path];
}

function isObject(v: unknown): v is Record<string, unknown> {
    return !!v && typeof v === "object" && !Array.isArray(v);
}

const REPLACE_NOTE = "would replace — add an alias if unintended";

/** Plain-text report for a terminal. */
export function renderText(d: PlanDiff): string {
    const lines = [headline(d)];
    for (const r of d.adds) lines.push(`+ ${r.urn}`);
    for (const r of d.deletes) lines.push(`- ${r.urn}`);
    for (const u of d.updates) lines.push(`~ ${u.urn}\n    changed: ${u.changed.join(", ")}`);
    for (const p of d.replacements) lines.push(`! ${p.type}: ${REPLACE_NOTE}\n    - ${p.deleted}\n    + ${p.added}`);
    if (d.outputsChanged.length > 0) lines.push(`outputs changed: ${d.outputsChanged.join(", ")}`);
    for (const v of d.newViolations) lines.push(`policy [${v.enforcementLevel}] ${v.policy} (new): ${v.message}`);
    for (const v of d.resolvedViolations) lines.push(`policy ${v.policy} (resolved): ${v.message}`);
    return lines.join("\n");
}

/** A PR-comment body: counts first, details folded. */
export function renderMarkdown(d: PlanDiff): string {
    const out: string[] = [];
    out.push(`### Plan diff: \`${d.base.stack}\` → \`${d.head.stack}\``, "");
    out.push("| adds | deletes | updates | likely replacements | new policy violations | resources |");
    out.push("|---:|---:|---:|---:|---:|---:|");
    out.push(`| ${d.adds.length} | ${d.deletes.length} | ${d.updates.length} | ${d.replacements.length} | ${d.newViolations.length} | ${d.base.resourceCount} → ${d.head.resourceCount} |`, "");
    if (d.replacements.length > 0) {
        out.push(`> [!WARNING]\n> ${d.replacements.length} delete/add pair(s) of one type: ${REPLACE_NOTE}.`, "");
    }
    if (noChanges(d)) out.push("No changes.");
    const fold = (title: string, rows: string[]) => {
        if (rows.length === 0) return;
        out.push(`<details><summary>${title} (${rows.length})</summary>`, "", ...rows, "", "</details>", "");
    };
    fold("Likely replacements", d.replacements.map((p) => `- \`${p.type}\`: \`${p.deleted}\` → \`${p.added}\``));
    fold("Adds", d.adds.map((r) => `- \`${r.urn}\``));
    fold("Deletes", d.deletes.map((r) => `- \`${r.urn}\``));
    fold("Updates", d.updates.map((u) => `- \`${u.urn}\`: ${u.changed.map((c) => `\`${c}\``).join(", ")}`));
    fold("Outputs changed", d.outputsChanged.map((p) => `- \`${p}\``));
    fold("New policy violations", d.newViolations.map((v) => `- **${v.enforcementLevel}** \`${v.policy}\`: ${v.message}`));
    fold("Resolved policy violations", d.resolvedViolations.map((v) => `- \`${v.policy}\`: ${v.message}`));
    return out.join("\n").trimEnd() + "\n";
}

function noChanges(d: PlanDiff): boolean {
    return d.adds.length + d.deletes.length + d.updates.length + d.outputsChanged.length + d.newViolations.length + d.resolvedViolations.length === 0;
}

function headline(d: PlanDiff): string {
    if (noChanges(d)) return `no changes (${d.head.resourceCount} resources)`;
    const r = d.replacements.length > 0 ? ` (${d.replacements.length} likely replacement${d.replacements.length > 1 ? "s" : ""})` : "";
    return `+${d.adds.length} -${d.deletes.length} ~${d.updates.length}${r}, ${d.base.resourceCount} -> ${d.head.resourceCount} resources`;
}
