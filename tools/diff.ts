/**
 * diff: compares two plan files by URN (DESIGN §5).
 *
 *   npm run diff -- <base.plan.json> <head.plan.json> [--markdown]
 *
 * Exit codes: 0 after printing the diff (changes are not an error), 2 usage or unreadable plan.
 */
import * as fs from "fs";
import { parseArgs } from "util";
import { diffPlans, renderMarkdown, renderText } from "./lib/diff";
import { Plan } from "./lib/plan";
import { exitWhenFlushed } from "./lib/exit";

const USAGE = "usage: npm run diff -- <base.plan.json> <head.plan.json> [--markdown]";

function readPlan(file: string): Plan {
    if (!fs.existsSync(file)) throw new Error(`${file}: no such file`);
    let plan: Plan;
    try {
        plan = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new Error(`${file}: invalid JSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(plan?.resources) || !plan.policies) throw new Error(`${file}: not a plan file (no resources/policies; make it with npm run synth)`);
    return plan;
}

function main(): number {
    try {
        const { values, positionals } = parseArgs({ args: process.argv.slice(2), options: { markdown: { type: "boolean" } }, allowPositionals: true, strict: true });
        if (positionals.length !== 2) throw new Error(`expected two plan files, got ${positionals.length}`);
        const d = diffPlans(readPlan(positionals[0]), readPlan(positionals[1]));
        process.stdout.write(values.markdown ? renderMarkdown(d) : renderText(d) + "\n");
        return 0;
    } catch (err) {
        console.error(`diff: ${(err as Error).message}\n${USAGE}`);
        return 2;
    }
}

exitWhenFlushed(main());
