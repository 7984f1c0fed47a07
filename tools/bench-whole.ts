/**
 * The whole-process benchmark a PR pays (`npm run bench -- --whole`): `npm run synth -- --stack prod`
 * as a user types it (npm, the build check, synth) against the floor — the same resources replayed
 * under Pulumi's mock runtime through the provider SDKs (bench-floor.js --replay) — run alternately so
 * both see the same machine load, plus the diff of dev against prod. Prints medians of wall and CPU
 * time (CPU is steadier on a shared machine); asserts nothing.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

interface Sample {
    wallMs: number;
    cpuMs: number;
}

/** CPU time (user + system) of reaped children so far, from /proc (Linux); NaN elsewhere. */
function childrenCpuMs(): number {
    try {
        const fields = fs.readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
        // Fields 16 and 17 of stat (cutime, cstime) are the 14th and 15th after the command name.
        return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
    } catch {
        return NaN;
    }
}

function measure(command: string, args: string[], cwd: string): Sample {
    const cpu = childrenCpuMs();
    const started = performance.now();
    const child = spawnSync(command, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const wallMs = performance.now() - started;
    if (child.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${child.status}:\n${(child.stderr || child.stdout).slice(-2000)}`);
    return { wallMs, cpuMs: childrenCpuMs() - cpu };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (ms: number) => (ms / 1000).toFixed(2);

export function benchWhole(root: string, runs: number): void {
    const out = path.join(root, ".bench", "whole");
    fs.mkdirSync(out, { recursive: true });
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    // One run to build and to write the plan the floor replays.
    measure(npm, ["run", "-s", "synth", "--", "--stack", "prod", "--out", out], root);
    const plan = path.join(out, "prod.plan.json");
    const floorScript = path.join(root, ".build", "tools", "bench-floor.js");
    const synth: Sample[] = [];
    const floor: Sample[] = [];
    for (let i = 0; i < runs; i++) {
        synth.push(measure(npm, ["run", "-s", "synth", "--", "--stack", "prod", "--out", out], root));
        floor.push(measure(process.execPath, [floorScript, "--replay", plan], root));
    }
    const devPlan = path.join(out, "dev.plan.json");
    measure(process.execPath, [path.join(root, ".build", "tools", "synth.js"), "--stack", "dev", "--out", out], root);
    const diffArgs = [path.join(root, ".build", "tools", "diff.js"), devPlan, plan, "--markdown"];
    const diffs = Array.from({ length: runs }, () => measure(process.execPath, diffArgs, root));
    const markdown = spawnSync(process.execPath, diffArgs, { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }).stdout;
    const resources = JSON.parse(fs.readFileSync(plan, "utf8")).stats.resourceCount as number;
    const row = (label: string, xs: Sample[]) => `${label.padEnd(44)} ${s(median(xs.map((x) => x.wallMs))).padStart(7)} ${s(median(xs.map((x) => x.cpuMs))).padStart(7)}`;
    console.log(`prod: ${resources} resources, ${runs} alternating runs each, medians`);
    console.log(`${"".padEnd(44)} ${"wall s".padStart(7)} ${"cpu s".padStart(7)}`);
    console.log(row("npm run synth -- --stack prod (whole process)", synth));
    console.log(row("floor: same resources replayed (mock runtime)", floor));
    console.log(`${"synth / floor".padEnd(44)} ${(median(synth.map((x) => x.wallMs)) / median(floor.map((x) => x.wallMs))).toFixed(2).padStart(7)} ${(median(synth.map((x) => x.cpuMs)) / median(floor.map((x) => x.cpuMs))).toFixed(2).padStart(7)}`);
    console.log(row("diff dev -> prod --markdown", diffs));
    console.log(`dev -> prod Markdown: ${markdown.length.toLocaleString("en-US")} characters`);
}
