/**
 * diff: compares two plan files by URN (DESIGN §5).
 *
 * Exit codes: 0 the diff was printed (changes are not an error), 1 `--fail-on` matched a change,
 * 2 usage error or an unreadable plan.
 */
import * as fs from "fs";
import { parseArgs } from "util";
import { Action, ACTIONS, diffPlans, hasActions } from "./lib/diff";
import { exitWhenFlushed } from "./lib/exit";
import { Plan } from "./lib/plan";
import { MARKDOWN_LIMIT, renderMarkdown } from "./lib/render-markdown";
import { renderText } from "./lib/render-text";
import { UsageError } from "./lib/stack-files";

const USAGE = `usage: npm run diff -- <base.plan.json> <head.plan.json> [--markdown | --json] [--fail-on <actions>] [--full-diff <url or text>]
       npm run diff -- --base <git-ref> --stack <stack> [<head.plan.json>] [options]

  --markdown           a PR-comment summary under 60,000 characters (replaces and deletes first)
  --json               the full diff as JSON (every change with old and new values)
  --fail-on <actions>  exit 1 when a change has one of these actions (comma-separated: ${ACTIONS.join(", ")})
  --base <git-ref>     synthesize the base plan from that ref in a temporary worktree (needs --stack);
                       without a head plan the head is synthesized from the working tree
  --stack <stack>      the stack to synthesize for --base
  --full-diff <where>  where the full JSON diff is (a URL is linked), named in --markdown's summary note
  --max-chars <n>      --markdown's budget (1,000 to 60,000; default 60,000): e.g. 30000 for each of two
                       stacks in one PR comment
  --help               this text

exit codes: 0 diff printed, 1 --fail-on matched, 2 usage error or unreadable plan`;

function readPlan(file: string): Plan {
    if (!fs.existsSync(file)) throw new UsageError(`${file}: no such file`);
    let plan: Plan;
    try {
        plan = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new UsageError(`${file}: invalid JSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(plan?.resources) || !plan.policies) throw new UsageError(`${file}: not a plan file (no resources/policies; make it with npm run synth)`);
    return plan;
}

interface Options {
    files: string[];
    format: "text" | "markdown" | "json";
    failOn: Action[];
    base?: string;
    stack?: string;
    fullDiff?: string;
    maxChars?: number;
}

function parseCommandLine(argv: string[]): Options | "help" {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            options: {
                markdown: { type: "boolean" },
                json: { type: "boolean" },
                "fail-on": { type: "string" },
                base: { type: "string" },
                stack: { type: "string" },
                "full-diff": { type: "string" },
                "max-chars": { type: "string" },
                help: { type: "boolean", short: "h" },
            },
            allowPositionals: true,
            strict: true,
        });
    } catch (err) {
        throw new UsageError((err as Error).message);
    }
    const { values, positionals } = parsed;
    if (values.help) return "help";
    if (values.markdown && values.json) throw new UsageError("--markdown and --json: choose one output");
    const maxChars = values["max-chars"] === undefined ? undefined : Number(values["max-chars"]);
    if (maxChars !== undefined && (!Number.isInteger(maxChars) || maxChars < 1000 || maxChars > MARKDOWN_LIMIT)) {
        throw new UsageError(`--max-chars "${values["max-chars"]}": not a whole number from 1000 to ${MARKDOWN_LIMIT}`);
    }
    if (maxChars !== undefined && !values.markdown) throw new UsageError("--max-chars is only used with --markdown");
    const failOn = (values["fail-on"] ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    const unknown = failOn.filter((a) => !ACTIONS.includes(a as Action));
    if (values["fail-on"] !== undefined && (failOn.length === 0 || unknown.length > 0)) {
        throw new UsageError(`--fail-on "${values["fail-on"]}": ${unknown.length > 0 ? `unknown action ${unknown.map((u) => `"${u}"`).join(", ")}` : "no action given"} (allowed: ${ACTIONS.join(", ")}, comma-separated)`);
    }
    if (values.base !== undefined) {
        if (!values.stack) throw new UsageError("--base needs --stack <stack> (the stack to synthesize at that ref)");
        if (!/^[A-Za-z0-9_.-]+$/.test(values.stack)) throw new UsageError(`--stack "${values.stack}" is not a stack name (letters, digits, _ . -)`);
        if (positionals.length > 1) throw new UsageError(`with --base, expected at most one plan file (the head), got ${positionals.length}`);
    } else {
        if (values.stack !== undefined) throw new UsageError("--stack is only used with --base");
        if (positionals.length !== 2) throw new UsageError(`expected two plan files (base and head), got ${positionals.length}`);
    }
    return {
        files: positionals,
        format: values.markdown ? "markdown" : values.json ? "json" : "text",
        failOn: failOn as Action[],
        base: values.base,
        stack: values.stack,
        fullDiff: values["full-diff"],
        maxChars,
    };
}

function main(): number {
    const cleanups: (() => void)[] = [];
    try {
        const o = parseCommandLine(process.argv.slice(2));
        if (o === "help") {
            console.log(USAGE);
            return 0;
        }
        let [baseFile, headFile] = o.files;
        if (o.base !== undefined) {
            // Loaded only for --base: plain diffs do not pay for child-process plumbing.
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const { synthesizeAtRef, synthesizeWorkingTree } = require("./lib/base-plan") as typeof import("./lib/base-plan");
            const log = (line: string) => console.error(line);
            const base = synthesizeAtRef(o.base, o.stack!, process.cwd(), log);
            cleanups.push(base.cleanup);
            baseFile = base.plan;
            headFile = o.files[0];
            if (!headFile) {
                const head = synthesizeWorkingTree(o.stack!, process.cwd(), log);
                cleanups.push(head.cleanup);
                headFile = head.plan;
            }
        }
        const d = diffPlans(readPlan(baseFile), readPlan(headFile));
        if (o.format === "json") process.stdout.write(JSON.stringify(d, null, 2) + "\n");
        else if (o.format === "markdown") process.stdout.write(renderMarkdown(d, { fullDiff: o.fullDiff, limit: o.maxChars }));
        else process.stdout.write(renderText(d) + "\n");
        if (o.failOn.length > 0 && hasActions(d, o.failOn)) {
            console.error(`diff: changes with ${o.failOn.join(" or ")} found (--fail-on)`);
            return 1;
        }
        return 0;
    } catch (err) {
        const usage = err instanceof UsageError;
        console.error(`diff: ${(err as Error).message}${usage ? `\n${USAGE.split("\n")[0]}\n(npm run diff -- --help for every option)` : ""}`);
        return 2;
    } finally {
        for (const c of cleanups) c();
    }
}

exitWhenFlushed(main());
