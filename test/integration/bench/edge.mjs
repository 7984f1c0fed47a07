// `npm run bench:edge [-- flags]`: the edge node benchmark (edge-node.ts, issue 22). Synthesizes the
// prod plan (as the integration suites' globalSetup does), brings up the engines it needs, runs the
// benchmark, and stops the engines again only if this run started them. It holds the Docker hosts
// (namespaces prc-*, bridge prc-br0), which exist once per machine: run it alone, as .ci/run does
// after the integration suites (or under `flock /work/docker-hosts.lock` where lanes share a machine).
// Exit status: the benchmark's (non-zero when a figure could not be measured; figures are not judged).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../lib/engine-context.mjs";

const ENGINES = "tools,moto,ec2-metadata-mock,docker-hosts,edge-agent";
const node = (args, opts = {}) => spawnSync(process.execPath, args, { cwd: ROOT, stdio: "inherit", ...opts });
const env = (args) => node([join(ROOT, "test/integration/env.mjs"), ...args]);
const wasUp = existsSync(join(ROOT, ".integration/state.json")) && node([join(ROOT, "test/integration/env.mjs"), "status"], { stdio: "ignore" }).status === 0;

let status = node([join(ROOT, "tools/build.mjs")]).status;
const plans = mkdtempSync(join(tmpdir(), "pr-cybr-bench-plans-"));
if (status === 0) status = node([join(ROOT, ".build/tools/synth.js"), "--stack", "prod", "--out", plans], { stdio: ["ignore", "ignore", "inherit"] }).status;
if (status === 0) status = env(["up", "--only", ENGINES]).status;
if (status === 0) {
    status = node(["-r", join(ROOT, "test/integration/bench/register-ts.cjs"), join(ROOT, "test/integration/bench/edge-node.ts"), ...process.argv.slice(2)], { env: { ...process.env, PR_CYBR_SHARED_PLANS: plans } }).status ?? 1;
} else {
    console.error("bench:edge: could not measure: the plan or the engines did not come up");
}
if (!wasUp) env(["down", "--only", ENGINES]);
process.exit(status);
