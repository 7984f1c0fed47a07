/**
 * critical-path: how long a fresh `pulumi up` of a stack takes at best, from its synthesized plan's
 * dependency graph weighted by typical create times (tools/lib/critical-path.ts,
 * tools/data/create-times.json), and which chain of resources sets that figure. See USAGE.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { CreateTimes, criticalPath, renderCriticalPath } from "./lib/critical-path";
import { exitWhenFlushed } from "./lib/exit";
import type { Plan } from "./lib/plan";

const USAGE = `usage: npm run critical-path -- [--stack <dev|prod>] [--plan <plan.json>] [--json] [--max <minutes>]

Prints the critical path of a fresh up: every resource starts when all it waits for (its dependencies
and its provider) is created and lasts its type's typical create time (tools/data/create-times.json,
reasons in tools/data/SOURCES.md); pods wait for nodes and cluster DNS at run time.

  --stack <name>    the stack (default prod); synthesizes it first unless --plan is given
  --plan <file>     read this plan file instead (no synth)
  --json            print {stack, minutes, steps} as JSON
  --max <minutes>   exit 1 when the path is longer
  --help            this text

Exit codes: 0 ok, 1 over --max or synth failed, 2 usage.`;

class UsageError extends Error {}
class SynthFailed extends Error {}

function parseCommandLine(argv: string[]) {
    let values;
    try {
        ({ values } = parseArgs({ args: argv, options: { stack: { type: "string" }, plan: { type: "string" }, json: { type: "boolean" }, max: { type: "string" }, help: { type: "boolean" } }, strict: true, allowPositionals: false }));
    } catch (err) {
        throw new UsageError((err as Error).message);
    }
    if (values.help) return "help" as const;
    const stacks = fs.readdirSync(".").flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []);
    const stack = values.stack ?? "prod";
    if (!values.plan && !stacks.includes(stack)) throw new UsageError(`--stack "${stack}" is not a stack of this project (${stacks.sort().join(", ")})`);
    const max = values.max === undefined ? undefined : Number(values.max);
    if (max !== undefined && !(max > 0)) throw new UsageError(`--max "${values.max}" is not a positive number of minutes`);
    return { stack, planFile: values.plan, json: values.json ?? false, max };
}

/** The create-time table shipped beside the tools (the build copies nothing: read it from the repository). */
export function loadCreateTimes(): CreateTimes {
    return JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "tools", "data", "create-times.json"), "utf8")) as CreateTimes;
}

function synthesize(stack: string): string {
    const run = spawnSync(process.execPath, [path.join(__dirname, "synth.js"), "--stack", stack, "--out", ".synth"], { encoding: "utf8" });
    if (run.status !== 0) throw new SynthFailed(`critical-path: synth --stack ${stack} failed (exit ${run.status}):\n${run.stderr || run.stdout}`);
    return path.join(".synth", `${stack}.plan.json`);
}

function main(argv: string[]): number {
    const opts = parseCommandLine(argv);
    if (opts === "help") {
        console.log(USAGE);
        return 0;
    }
    const plan = JSON.parse(fs.readFileSync(opts.planFile ?? synthesize(opts.stack), "utf8")) as Plan;
    const cp = criticalPath(plan, loadCreateTimes());
    if (opts.json) console.log(JSON.stringify({ stack: plan.stack, minutes: cp.minutes, steps: cp.steps }, null, 2));
    else console.log(renderCriticalPath(plan.stack, cp));
    if (opts.max !== undefined && cp.minutes > opts.max) {
        console.error(`critical-path: ${cp.minutes} min is over --max ${opts.max}`);
        return 1;
    }
    return 0;
}

if (require.main === module) {
    try {
        exitWhenFlushed(main(process.argv.slice(2)));
    } catch (err) {
        if (err instanceof UsageError) {
            console.error(`critical-path: ${err.message}\n\n${USAGE}`);
            exitWhenFlushed(2);
        } else if (err instanceof SynthFailed) {
            console.error(err.message);
            exitWhenFlushed(1);
        } else {
            console.error(`critical-path: ${(err as Error).message}`);
            exitWhenFlushed(1);
        }
    }
}
