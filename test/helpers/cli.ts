import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "./config";

export interface CliResult {
    status: number | null;
    stdout: string;
    stderr: string;
}

/** Runs a built tool (`synth`, `diff`) as `npm run <tool>` does, from the project root. */
export function runTool(tool: "synth" | "diff", args: string[]): CliResult {
    const child = spawnSync(process.execPath, [path.join(ROOT, ".build", "tools", `${tool}.js`), ...args], { cwd: ROOT, encoding: "utf8" });
    return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

/** A fresh temporary directory for one test's outputs. */
export function tempDir(label: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), `pr-cybr-${label}-`));
}

/** Writes a stack file derived from a real one, with `edit` applied to its `config:` map. */
export function derivedStackFile(dir: string, from: "dev" | "prod", edit: (config: Record<string, any>) => void): string {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const YAML = require("yaml") as typeof import("yaml");
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${from}.yaml`), "utf8"));
    edit(doc.config);
    const file = path.join(dir, `Pulumi.derived.yaml`);
    fs.writeFileSync(file, YAML.stringify(doc));
    return file;
}

/** The dev or prod plan synthesized once for the whole run (test/global-setup.js). Read it, do not write it. */
export function sharedPlan(stack: "dev" | "prod"): string {
    const dir = process.env.PR_CYBR_SHARED_PLANS;
    if (!dir) throw new Error("PR_CYBR_SHARED_PLANS is unset: run the tests through jest (its globalSetup synthesizes the plans)");
    return path.join(dir, `${stack}.plan.json`);
}

/** What `runTool("synth", ["--stack", stack, "--out", <dir>])` printed and returned when globalSetup wrote sharedPlan(stack). */
export function sharedSynthRun(stack: "dev" | "prod"): CliResult {
    return JSON.parse(fs.readFileSync(path.join(path.dirname(sharedPlan(stack)), `${stack}.run.json`), "utf8")) as CliResult;
}
