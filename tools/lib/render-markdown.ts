import { Action, ACTIONS, countActions, criticalChanges, noChanges, PlanDiff, ResourceChange } from "./diff";
import { renderValue } from "./render-value";
import { RENAME_NOTE, reasonText, replaceFlags } from "./render-text";

/** GitHub refuses comments over 65,536 characters; stay well below with room for a wrapper. */
export const MARKDOWN_LIMIT = 60_000;
/** Value changes shown per resource; the JSON has all of them. */
const CHANGES_PER_RESOURCE = 12;
const CRITICAL_SHOWN = 40;
const COMPONENT_ROWS = 60;

export interface MarkdownOptions {
    /** Character budget, 60,000 unless a test asks for less. */
    limit?: number;
    /** Where the full JSON diff is: a URL (linked) or a command (shown). */
    fullDiff?: string;
}

/**
 * A PR-comment body under the budget: counts per component and action, replaces and deletes first
 * (the dangerous ones called out above everything), then updates with old → new values, ignored
 * changes, adds, renames, outputs and policy changes. When the budget runs out the remaining entries
 * are counted, not listed, and a note points at the full JSON diff.
 */
export function renderMarkdown(d: PlanDiff, options: MarkdownOptions = {}): string {
    const limit = options.limit ?? MARKDOWN_LIMIT;
    const head: string[] = [`### Plan diff: \`${d.base.stack}\` → \`${d.head.stack}\``, ""];
    if (noChanges(d)) return [...head, `No changes (${d.head.resourceCount} resources).`, ""].join("\n");
    const n = countActions(d);
    head.push(`**${n.replace} to replace · ${n.delete} to delete · ${n.update} to update · ${n.ignored} ignored · ${n.add} to add** (${d.base.resourceCount} → ${d.head.resourceCount} resources)`, "");
    head.push(...criticalCallout(d), ...componentTable(d));
    for (const note of d.notes) head.push(`> [!NOTE]\n> ${note[0].toUpperCase()}${note.slice(1)}.`, "");
    if (d.uncoveredTypes.length > 0) head.push(`> [!NOTE]\n> No replace rules for ${d.uncoveredTypes.map(code).join(", ")}: their updates may be replaces.`, "");

    const sections = [
        section("Replacements", d.changes.filter((c) => c.action === "replace").map(replaceItem), false),
        section("Deletes", d.deletes.map((r) => `- ${code(r.type)} ${code(r.name)}${r.protect ? " · protected" : ""} · ${r.component}`), false),
        section("Updates", d.changes.filter((c) => c.action === "update").map(updateItem), true),
        section("Ignored (under `ignoreChanges`: the engine keeps the old values)", d.changes.filter((c) => c.action === "ignored").map(updateItem), true),
        section("Adds", d.adds.map((r) => `- ${code(r.type)} ${code(r.name)} · ${r.component}`), true),
        section(`Likely renames (${RENAME_NOTE})`, d.renames.map((p) => `- ${code(p.type)}: ${code(p.deleted)} → ${code(p.added)}`), true),
        section("Outputs changed", d.outputsChanged.map((o) => `- ${code(o.path)}: ${code(renderValue(o.old))} → ${code(renderValue(o.new))}`), true),
        section("New policy violations", d.newViolations.map((v) => `- **${v.enforcementLevel}** ${code(v.policy)}: ${v.message}`), false),
        section("Resolved policy violations", d.resolvedViolations.map((v) => `- ${code(v.policy)}: ${v.message}`), true),
    ].filter((s) => s.items.length > 0);

    const where = options.fullDiff ? (/^https?:\/\//.test(options.fullDiff) ? `[the JSON diff](${options.fullDiff})` : code(options.fullDiff)) : "`npm run diff -- <base> <head> --json`";
    const note = (omitted: number) => `> [!NOTE]\n> Summarised: ${omitted} entr${omitted === 1 ? "y is" : "ies are"} counted above but not listed, to keep this comment under ${limit.toLocaleString("en-US")} characters. The full diff is in ${where}.\n`;
    const skeleton = (t: (typeof sections)[number]) => ({
        open: t.folded ? `<details><summary>${t.title} (${t.items.length})</summary>\n` : `#### ${t.title} (${t.items.length})\n`,
        close: t.folded ? "\n</details>\n" : "",
        more: `- … and ${t.items.length} more (not listed: see the note below)`,
    });
    // Every section's frame and the note are paid for up front; the items fill what is left, in order.
    let used = head.join("\n").length + note(d.adds.length + d.deletes.length + d.changes.length + 99).length + 8;
    for (const t of sections) used += Object.values(skeleton(t)).join("\n").length + 4;
    const out = [...head];
    let omitted = 0;
    let full = false;
    for (const t of sections) {
        const { open, close, more } = skeleton(t);
        const shown: string[] = [];
        for (const item of full ? [] : t.items) {
            if (used + item.length + 1 > limit) {
                full = true;
                break;
            }
            shown.push(item);
            used += item.length + 1;
        }
        const hidden = t.items.length - shown.length;
        omitted += hidden;
        out.push([open, ...shown, ...(hidden > 0 ? [more.replace(String(t.items.length), String(hidden))] : []), close].join("\n"));
    }
    if (omitted > 0) out.push(note(omitted));
    return out.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd() + "\n";
}

/** Sections longer than this are folded (a short list reads better open). */
const FOLD_OVER = 10;

function section(title: string, items: string[], foldable: boolean) {
    return { title, items, folded: foldable && items.length > FOLD_OVER };
}

function criticalCallout(d: PlanDiff): string[] {
    const critical = criticalChanges(d);
    if (critical.length === 0) return [];
    const lines = critical.slice(0, CRITICAL_SHOWN).map(({ action, item }) => `> - **${action}** ${item.protect ? "protected " : ""}${code(item.type)} ${code(item.name)}${item.stateful ? `: loses ${item.stateful}` : ""}`);
    if (critical.length > CRITICAL_SHOWN) lines.push(`> - … and ${critical.length - CRITICAL_SHOWN} more`);
    return ["> [!CAUTION]", `> ${critical.length} replacement${critical.length === 1 ? "" : "s"} or deletion${critical.length === 1 ? "" : "s"} of protected or stateful resources:`, ...lines, ""];
}

function componentTable(d: PlanDiff): string[] {
    const rows = new Map<string, Record<Action, number>>();
    const bump = (component: string, action: Action) => {
        const row = rows.get(component) ?? { replace: 0, delete: 0, update: 0, ignored: 0, add: 0 };
        row[action]++;
        rows.set(component, row);
    };
    for (const c of d.changes) bump(c.component, c.action);
    for (const r of d.deletes) bump(r.component, "delete");
    for (const r of d.adds) bump(r.component, "add");
    const sorted = [...rows.entries()].sort(([a], [b]) => a.localeCompare(b));
    const lines = ["| component | " + ACTIONS.join(" | ") + " |", "|---|" + ACTIONS.map(() => "---:").join("|") + "|"];
    for (const [component, row] of sorted.slice(0, COMPONENT_ROWS)) lines.push(`| ${component} | ${ACTIONS.map((a) => row[a] || "").join(" | ")} |`);
    if (sorted.length > COMPONENT_ROWS) lines.push(`| … ${sorted.length - COMPONENT_ROWS} more components | ${ACTIONS.map(() => "").join(" | ")} |`);
    return [...lines, ""];
}

function replaceItem(c: ResourceChange): string {
    const flags = replaceFlags(c).map((f) => ` · **${f}**`).join("");
    return [`- ${code(c.type)} ${code(c.name)} · ${c.component}${flags}`, `  - forced by ${reasonText(c)}`, ...valueLines(c)].join("\n");
}

function updateItem(c: ResourceChange): string {
    const unknown = c.unknownRules ? " · no replace rules for this type: may be a replace" : "";
    return [`- ${code(c.type)} ${code(c.name)} · ${c.component}${unknown}`, ...valueLines(c)].join("\n");
}

function valueLines(c: ResourceChange): string[] {
    const all = [...c.changes.map((v) => ({ v, ignored: false })), ...c.ignoredChanges.map((v) => ({ v, ignored: true }))];
    const lines = all.slice(0, CHANGES_PER_RESOURCE).map(({ v, ignored }) => `  - ${code(v.path)}: ${code(renderValue(v.old))} → ${code(renderValue(v.new))}${ignored ? " (ignored)" : ""}`);
    if (all.length > CHANGES_PER_RESOURCE) lines.push(`  - … and ${all.length - CHANGES_PER_RESOURCE} more changes`);
    if (c.optionChanges.length > 0) lines.push(`  - options: ${c.optionChanges.map(code).join(", ")}`);
    return lines;
}

/** Inline code that survives backticks in the text. */
function code(text: string): string {
    if (!text.includes("`")) return `\`${text}\``;
    return `\`\` ${text} \`\``;
}
