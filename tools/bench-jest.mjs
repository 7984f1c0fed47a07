// Benchmark: the whole jest suite (`npm test`) as one process tree, with the figures DESIGN §9's
// "whole jest suite ≤ 60 s" is about: wall time, CPU time of jest and everything it spawned (the
// steadier figure on a shared machine), the globalSetup's share, and the slowest test files. Prints
// figures; asserts nothing (no timed tests).
//
//   npm run bench:jest [-- --runs 3] [--top 15] [--json <file>] [-- <jest args>]
import { spawnSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join, relative } from "path";
import { parseArgs } from "util";

const USAGE = "usage: npm run bench:jest [-- --runs <n>] [--top <n>] [--json <file>] [-- <jest args>]";
const dashdash = process.argv.indexOf("--", 2);
const own = dashdash < 0 ? process.argv.slice(2) : process.argv.slice(2, dashdash);
const jestArgs = dashdash < 0 ? [] : process.argv.slice(dashdash + 1);
let values;
try {
    ({ values } = parseArgs({ args: own, options: { runs: { type: "string", default: "1" }, top: { type: "string", default: "12" }, json: { type: "string" }, help: { type: "boolean" } }, strict: true }));
} catch (err) {
    console.error(`bench:jest: ${err.message}\n${USAGE}`);
    process.exit(2);
}
if (values.help) {
    console.log(USAGE);
    process.exit(0);
}
const runs = Number(values.runs);
const top = Number(values.top);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(top) || top < 0) {
    console.error(`bench:jest: --runs and --top take whole numbers\n${USAGE}`);
    process.exit(2);
}

const ROOT = process.cwd();
const TICKS = 100; // USER_HZ on Linux

/** CPU seconds of every child this process has waited for (Linux: /proc/self/stat cutime + cstime). */
function childCpu() {
    if (!existsSync("/proc/self/stat")) return NaN;
    const fields = readFileSync("/proc/self/stat", "utf8").replace(/^.*\) /, "").split(" ");
    return (Number(fields[13]) + Number(fields[14])) / TICKS;
}

const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

const results = [];
for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), "pr-cybr-bench-jest-"));
    const out = values.json && runs === 1 ? values.json : join(dir, "results.json");
    const load = existsSync("/proc/loadavg") ? loadavg() : "n/a";
    const cpu0 = childCpu();
    const t0 = performance.now();
    const started = Date.now();
    const child = spawnSync(process.execPath, [join(ROOT, "node_modules", "jest", "bin", "jest.js"), "--json", "--outputFile", out, ...jestArgs], { cwd: ROOT, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    const wall = (performance.now() - t0) / 1000;
    const cpu = childCpu() - cpu0;
    if (!existsSync(out)) {
        console.error(`bench:jest: jest wrote no results (exit ${child.status})\n${child.stderr.slice(-4000)}`);
        process.exit(1);
    }
    const report = JSON.parse(readFileSync(out, "utf8"));
    const files = report.testResults.map((t) => ({ file: relative(ROOT, t.name), seconds: (t.endTime - t.startTime) / 1000, tests: t.assertionResults.length }));
    const firstStart = Math.min(...report.testResults.map((t) => t.startTime));
    // Until the first test file starts: jest's start, globalSetup (build, shared synths and platform run).
    results.push({ wall, cpu, load, setup: (firstStart - started) / 1000, files, passed: report.numPassedTests, failed: report.numFailedTests, total: report.numTotalTests, suites: report.numTotalTestSuites, ok: child.status === 0 });
    if (out !== values.json) rmSync(dir, { recursive: true, force: true });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [i, r] of results.entries()) {
    console.log(`run ${i + 1}: ${r.wall.toFixed(1)} s wall, ${r.cpu.toFixed(1)} s CPU (jest and its children), ${r.setup.toFixed(1)} s until the first test file started (globalSetup); ${r.passed}/${r.total} tests passed in ${r.suites} files${r.ok ? "" : " (jest FAILED)"}; load average before: ${r.load}`);
}
if (results.length > 1) console.log(`median: ${median(results.map((r) => r.wall)).toFixed(1)} s wall, ${median(results.map((r) => r.cpu)).toFixed(1)} s CPU`);
const last = results.at(-1);
const sum = last.files.reduce((s, f) => s + f.seconds, 0);
console.log(`\nslowest test files (last run; their times add up to ${sum.toFixed(1)} s over the workers):`);
for (const f of [...last.files].sort((a, b) => b.seconds - a.seconds).slice(0, top)) console.log(`  ${f.seconds.toFixed(1).padStart(6)} s  ${String(f.tests).padStart(4)} tests  ${f.file}`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
