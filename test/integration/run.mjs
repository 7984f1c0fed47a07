// `npm run test:integration`: brings the engines up (installing and building what they need), runs the
// real-engine suites, and stops the engines again only if this run started them. Extra arguments go
// to jest (e.g. a path pattern). INTEGRATION_ONLY=kube,policy-analyzer starts only those engines (the
// docker-hosts engine's fixed namespace names allow one at a time per machine; a suite whose engine is
// not up fails). Results: .integration/jest-results.json and summary.json.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./lib/engine-context.mjs";

const env = (args) => spawnSync(process.execPath, [join(ROOT, "test/integration/env.mjs"), ...args], { cwd: ROOT, stdio: "inherit" });
const wasUp = existsSync(join(ROOT, ".integration/state.json")) && spawnSync(process.execPath, [join(ROOT, "test/integration/env.mjs"), "status"], { cwd: ROOT, stdio: "ignore" }).status === 0;

const results = join(ROOT, ".integration/jest-results.json");
rmSync(join(ROOT, ".integration/summary.json"), { force: true });
rmSync(results, { force: true });

const only = process.env.INTEGRATION_ONLY ? ["--only", process.env.INTEGRATION_ONLY] : [];
let status = env(["up", ...only]).status;
if (status === 0) {
    const jest = spawnSync(process.execPath, [join(ROOT, "node_modules/jest/bin/jest.js"), "-c", "test/integration/jest.config.js", "--json", `--outputFile=${results}`, ...process.argv.slice(2)], { cwd: ROOT, stdio: "inherit" });
    status = jest.status ?? 1;
}
if (!wasUp) env(["down", ...only]);
if (existsSync(join(ROOT, ".integration/summary.json"))) {
    const summary = JSON.parse(readFileSync(join(ROOT, ".integration/summary.json"), "utf8"));
    console.log("\nengines: " + Object.entries(summary.engines).map(([k, v]) => `${k} ${v}`).join(", "));
    for (const s of summary.scenarios) console.log(`  ${s.passed ? "ok  " : "FAIL"} ${s.id.padEnd(26)} ${s.seconds.toFixed(1)} s`);
}
process.exit(status);
