/**
 * Benchmark: synth wall time and peak memory at growing scale, next to two floors: Pulumi's bare mock
 * runtime registering the same number of trivial resources, and the same program under the mocks'
 * answers without our recorder, policies and plan (bench-floor.ts). Prints figures; asserts nothing.
 *
 *   npm run bench [-- --sizes 10x50,50x250,200x1000]   (tenants x edge nodes, derived from Pulumi.prod.yaml)
 *   npm run bench -- --whole [--runs 5]                  (see bench-whole.ts)
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import * as YAML from "yaml";

const USAGE = `usage: npm run bench [-- --sizes 10x50,50x250,200x1000]   (tenants x edge nodes, derived from Pulumi.prod.yaml)
       npm run bench -- --whole [--runs 5]   (npm run synth of prod, whole process, against the same resources replayed; the diff)`;
const ROOT = process.cwd();
const OUT = path.join(ROOT, ".bench");
const RSS_HOOK = path.join(__dirname, "lib", "report-rss.js");

interface Run {
    ms: number;
    rssMiB: number;
    ok: boolean;
    status: number | null;
    output: string;
}

function timed(args: string[]): Run {
    const rssFile = path.join(OUT, `rss-${process.pid}.txt`);
    const started = performance.now();
    const child = spawnSync(process.execPath, ["-r", RSS_HOOK, ...args], { cwd: ROOT, env: { ...process.env, BENCH_RSS_FILE: rssFile }, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const ms = performance.now() - started;
    const rssKiB = fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, "utf8")) : NaN;
    return { ms, rssMiB: rssKiB / 1024, ok: child.status === 0, status: child.status, output: `${child.stdout}${child.stderr}` };
}

/** Prod's config with `tenants` tenants and `nodes` edge nodes spread over one site per 50 nodes. */
function scaledConfig(tenants: number, nodes: number): string {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8"));
    const cfg = doc.config;
    const baseTenants = cfg["pr-cybr-platform:tenants"];
    cfg["pr-cybr-platform:tenants"] = Array.from({ length: tenants }, (_, i) => {
        const base = baseTenants[i % baseTenants.length];
        const name = `tenant-${String(i).padStart(4, "0")}`;
        // Each tenant needs its own principals (one access entry per principal) and its own namespaces.
        const own = (arns: string[] | undefined) => arns?.map((arn) => arn.replace(/role\/.*$/, `role/${name}-${arn.split("/").pop()}`));
        return {
            ...base,
            name,
            admins: own(base.admins),
            developers: own(base.developers),
            viewers: own(base.viewers),
            namespaces: base.namespaces?.map((ns: string) => ns.replace(base.name, name)),
        };
    });
    const sites = Math.max(1, Math.ceil(nodes / 50));
    cfg["pr-cybr-platform:edge"].nodes = Array.from({ length: nodes }, (_, i) => ({
        name: `n0d3-s${String(i % sites).padStart(3, "0")}-${String(i).padStart(4, "0")}`,
        arch: i % 3 === 0 ? "amd64" : "arm64",
        site: `site-${String(i % sites).padStart(3, "0")}`,
        vpn: i % 2 === 0 ? "tailscale" : "zerotier",
    }));
    return YAML.stringify(doc);
}

function main(): void {
    let values;
    try {
        ({ values } = parseArgs({ args: process.argv.slice(2), options: { sizes: { type: "string" }, whole: { type: "boolean" }, runs: { type: "string" }, help: { type: "boolean", short: "h" } }, strict: true }));
    } catch (err) {
        console.error(`bench: ${(err as Error).message}\n${USAGE}`);
        process.exitCode = 2;
        return;
    }
    if (values.help) {
        console.log(USAGE);
        return;
    }
    if (values.whole) {
        const runs = Number(values.runs ?? "5");
        if (!Number.isInteger(runs) || runs < 1 || runs > 50) {
            console.error(`bench: --runs "${values.runs}" is not a whole number from 1 to 50\n${USAGE}`);
            process.exitCode = 2;
            return;
        }
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        (require("./bench-whole") as typeof import("./bench-whole")).benchWhole(ROOT, runs);
        return;
    }
    const sizes = (values.sizes ?? "10x50,50x250,200x1000").split(",").map((s) => s.split("x").map(Number) as [number, number]);
    fs.mkdirSync(OUT, { recursive: true });
    const header: [string, number][] = [["size (tenants x nodes)", -22], ["resources", 9], ["synth s", 8], ["synth MiB", 10], ["floor s", 8], ["floor MiB", 10], ["synth/floor", 12], ["program s", 10], ["program MiB", 12], ["synth/program", 14], ["violations", 11]];
    console.log(header.map(([h, w]) => (w < 0 ? h.padEnd(-w) : h.padStart(w))).join(" "));
    for (const [tenants, nodes] of sizes) {
        const stack = `bench-${tenants}x${nodes}`;
        const configFile = path.join(OUT, `Pulumi.${stack}.yaml`);
        fs.writeFileSync(configFile, scaledConfig(tenants, nodes));
        const synth = timed([path.join(__dirname, "synth.js"), "--stack", stack, "--config", configFile, "--policy-config", "policy/config/prod.json", "--out", OUT]);
        // Scaled configs knowingly break tenant budgets and cluster capacity: a run that evaluated every
        // policy and wrote its plan (exit 1 with violations) is measured; anything else is a failure.
        const violations = /^\s*(\d+) mandatory policy violations?$/m.exec(synth.output)?.[1] ?? "0";
        if (!synth.ok && !(synth.status === 1 && violations !== "0")) {
            console.error(`${stack}: synth failed\n${synth.output.split("\n").slice(0, 20).join("\n")}`);
            process.exitCode = 1;
            continue;
        }
        const plan = JSON.parse(fs.readFileSync(path.join(OUT, `${stack}.plan.json`), "utf8"));
        const count: number = plan.stats.resourceCount;
        const floor = timed([path.join(__dirname, "bench-floor.js"), String(count)]);
        const bare = timed([path.join(__dirname, "bench-floor.js"), "--program", configFile]);
        if (!bare.ok) console.error(`${stack}: program floor failed\n${bare.output.split("\n").slice(0, 20).join("\n")}`);
        const row = [
            `${tenants}x${nodes}`.padEnd(22),
            String(count).padStart(9),
            (synth.ms / 1000).toFixed(2).padStart(8),
            synth.rssMiB.toFixed(0).padStart(10),
            (floor.ms / 1000).toFixed(2).padStart(8),
            floor.rssMiB.toFixed(0).padStart(10),
            (synth.ms / floor.ms).toFixed(2).padStart(12),
            (bare.ms / 1000).toFixed(2).padStart(10),
            bare.rssMiB.toFixed(0).padStart(12),
            (synth.ms / bare.ms).toFixed(2).padStart(14),
            violations.padStart(11),
        ];
        console.log(row.join(" "));
    }
}

main();
