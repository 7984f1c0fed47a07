import { countActions, criticalChanges, noChanges, PlanDiff, ResourceChange, ValueChange } from "./diff";
import { renderValue } from "./render-value";

export const RENAME_NOTE = "the same resource under a new name: the engine would replace it — add an alias if unintended";

/** One value change as `path: old → new`. */
export function changeLine(c: ValueChange): string {
    return `${c.path}: ${renderValue(c.old)} → ${renderValue(c.new)}`;
}

/** What forces a replacement, e.g. `cidrBlock (provider schema)`, one entry per rule. */
export function reasonText(c: ResourceChange): string {
    const seen = new Set<string>();
    const parts: string[] = [];
    for (const r of c.replaceReasons) {
        const text = r.by === "replaceOnChanges" ? `${r.path} (replaceOnChanges: ${r.rule})` : r.path === r.rule ? `${r.path} (provider schema)` : `${r.path} (provider schema: ${r.rule})`;
        if (!seen.has(text)) parts.push(text);
        seen.add(text);
    }
    return parts.join(", ");
}

/** The options a reviewer must know about a replace: order, protection, retention. */
export function replaceFlags(c: ResourceChange): string[] {
    return [...(c.deleteBeforeReplace ? ["delete-before-replace"] : []), ...(c.protect ? ["protected"] : []), ...(c.retainOnDelete ? ["retain-on-delete"] : [])];
}

export function headline(d: PlanDiff): string {
    if (noChanges(d)) return `no changes (${d.head.resourceCount} resources)`;
    const n = countActions(d);
    return `+${n.add} -${n.delete} ~${n.update}, ${n.replace} to replace, ${n.ignored} ignored; ${d.base.resourceCount} -> ${d.head.resourceCount} resources`;
}

/** Plain-text report for a terminal: everything, most dangerous first. */
export function renderText(d: PlanDiff): string {
    const lines = [headline(d)];
    for (const { action, item } of criticalChanges(d)) {
        lines.push(`!! ${action} ${item.protect ? "protected " : ""}${item.type} ${item.name}${item.stateful ? `: loses ${item.stateful}` : ""}`);
    }
    const detail = (c: ResourceChange) => {
        for (const v of c.changes) lines.push(`    ${changeLine(v)}`);
        for (const v of c.ignoredChanges) lines.push(`    ${changeLine(v)} (ignored: ignoreChanges)`);
        if (c.optionChanges.length > 0) lines.push(`    options changed: ${c.optionChanges.join(", ")}`);
    };
    for (const c of d.changes.filter((x) => x.action === "replace")) {
        const flags = replaceFlags(c);
        lines.push(`+- ${c.urn}\n    replaced because of ${reasonText(c)}${flags.length > 0 ? ` [${flags.join(", ")}]` : ""}`);
        detail(c);
    }
    for (const r of d.deletes) lines.push(`- ${r.urn}`);
    for (const c of d.changes.filter((x) => x.action === "update")) {
        lines.push(`~ ${c.urn}${c.unknownRules ? " (no replace rules for this type: may be a replace)" : ""}`);
        detail(c);
    }
    for (const c of d.changes.filter((x) => x.action === "ignored")) {
        lines.push(`= ${c.urn} (only ignored changes)`);
        detail(c);
    }
    for (const r of d.adds) lines.push(`+ ${r.urn}`);
    for (const p of d.renames) lines.push(`! ${p.type}: ${RENAME_NOTE}\n    - ${p.deleted}\n    + ${p.added}`);
    if (d.outputsChanged.length > 0) lines.push(`outputs changed: ${d.outputsChanged.map((o) => o.path).join(", ")}`);
    for (const v of d.newViolations) lines.push(`policy [${v.enforcementLevel}] ${v.policy} (new): ${v.message}`);
    for (const v of d.resolvedViolations) lines.push(`policy ${v.policy} (resolved): ${v.message}`);
    for (const n of d.notes) lines.push(`note: ${n}`);
    return lines.join("\n");
}
