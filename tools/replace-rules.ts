/**
 * replace-rules: checks tools/data/replace-rules.json against the program and the provider SDKs, for
 * when a provider is bumped or the program starts using a new resource type.
 *
 *   node .build/tools/replace-rules.js [--plan <file.plan.json>]... [--inputs]
 *
 * Reports every resource type in the plans that the data does not cover, and every replaceOn path whose
 * first step is not an input of the type in the installed SDK (a renamed or removed input). --inputs
 * also lists, per type, the SDK inputs the entry does not mention (new inputs to read upstream).
 * Exit codes: 0 consistent, 1 problems found, 2 usage error.
 */
import * as fs from "fs";
import { parseArgs } from "util";
import { exitWhenFlushed } from "./lib/exit";
import { isCovered, RULES } from "./lib/replace-rules";
import { sdkInputNames } from "./lib/sdk-inputs";

const USAGE = "usage: node .build/tools/replace-rules.js [--plan <file.plan.json>]... [--inputs] [--help]";

/** Types the plans use that the data does not cover. */
export function uncoveredTypes(planFiles: string[]): string[] {
    const types = new Set<string>();
    for (const file of planFiles) for (const r of JSON.parse(fs.readFileSync(file, "utf8")).resources as { type: string }[]) types.add(r.type);
    return [...types].filter((t) => !isCovered(t)).sort();
}

/** replaceOn entries whose first step is not an input of the type's SDK class. */
export function unknownInputs(root: string): string[] {
    const problems: string[] = [];
    for (const [type, entry] of Object.entries(RULES.types)) {
        const inputs = sdkInputNames(type, root);
        if (!inputs) {
            problems.push(`${type}: no SDK declaration found (is the package installed, the token right?)`);
            continue;
        }
        for (const p of entry.replaceOn) {
            const first = p.split(/[.[]/)[0];
            if (!inputs.has(first)) problems.push(`${type}: replaceOn "${p}": "${first}" is not an input of the installed SDK`);
        }
    }
    return problems;
}

/** SDK inputs an entry neither lists nor mentions in its notes: what to read upstream after a bump. */
export function unmentionedInputs(root: string): string[] {
    const out: string[] = [];
    for (const [type, entry] of Object.entries(RULES.types)) {
        const inputs = sdkInputNames(type, root) ?? new Set<string>();
        const text = `${entry.replaceOn.join(" ")} ${entry.notes ?? ""}`;
        const missing = [...inputs].filter((i) => i !== "tags" && !new RegExp(`\\b${i}\\b`).test(text));
        if (missing.length > 0) out.push(`${type}: ${missing.join(", ")}`);
    }
    return out;
}

function main(): number {
    let values;
    try {
        ({ values } = parseArgs({ args: process.argv.slice(2), options: { plan: { type: "string", multiple: true }, inputs: { type: "boolean" }, help: { type: "boolean", short: "h" } }, strict: true }));
    } catch (err) {
        console.error(`replace-rules: ${(err as Error).message}\n${USAGE}`);
        return 2;
    }
    if (values.help) {
        console.log(USAGE);
        return 0;
    }
    const plans = values.plan ?? [];
    const missing = plans.filter((p) => !fs.existsSync(p));
    if (missing.length > 0) {
        console.error(`replace-rules: --plan ${missing[0]}: no such file (make it with npm run synth)\n${USAGE}`);
        return 2;
    }
    const problems = [...uncoveredTypes(plans).map((t) => `${t}: used by the program, not in tools/data/replace-rules.json`), ...unknownInputs(process.cwd())];
    for (const p of problems) console.log(p);
    if (values.inputs) for (const line of unmentionedInputs(process.cwd())) console.log(`not mentioned: ${line}`);
    console.log(problems.length === 0 ? `replace rules consistent: ${Object.keys(RULES.types).length} types` : `${problems.length} problem${problems.length > 1 ? "s" : ""}`);
    return problems.length === 0 ? 0 : 1;
}

if (require.main === module) exitWhenFlushed(main());
