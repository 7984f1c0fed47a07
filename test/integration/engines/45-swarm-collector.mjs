// A test-only build of the managers' collector (test/integration/tools/swarm-collector: the components
// of components/swarm/service-specs.ts collectorConfig that feed Prometheus, at release 0.128.0), built
// by its build.sh and cached in ~/.cache/pr-cybr keyed by the manifest, go.sum, build script and Go
// version, as the edge agent's engine does. No process: the swarm-metrics suite runs the binary on the
// simulated managers.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { run } from "../lib/engine-context.mjs";

export const name = "swarm-collector";
export const order = 45;
const SOURCES = ["manifest.yaml", "go.sum", "build.sh"];

function buildDir(ctx) {
    const src = join(ctx.root, "test/integration/tools/swarm-collector");
    const hash = createHash("sha256");
    for (const f of SOURCES) hash.update(f).update(readFileSync(join(src, f)));
    const go = run("go", ["env", "GOVERSION"]).stdout.trim();
    return { src, go, dir: join(ctx.cache, `swarm-collector-${hash.digest("hex").slice(0, 12)}-${go}`) };
}

export async function up(ctx) {
    const { src, go, dir } = buildDir(ctx);
    const binary = join(dir, "otelcol-managers");
    if (!existsSync(binary)) {
        const started = Date.now();
        const tmp = `${dir}.tmp-${process.pid}`;
        rmSync(tmp, { recursive: true, force: true });
        run("bash", [join(src, "build.sh"), tmp], { stdio: ["ignore", "ignore", "inherit"] });
        rmSync(dir, { recursive: true, force: true });
        renameSync(tmp, dir);
        ctx.log(`swarm-collector: built otelcol-managers with ${go} in ${((Date.now() - started) / 1000).toFixed(1)} s (cached in ${dir})`);
    }
    return { dir, env: { PR_CYBR_SWARM_COLLECTOR: binary }, versions: { "otelcol-managers": "0.128.0" }, pids: [] };
}

export async function healthy(ctx, recorded) {
    return existsSync(join(recorded.dir, "otelcol-managers")) && recorded.dir === buildDir(ctx).dir;
}

export async function down() {
    // The build stays in the cache: it is a file, not a process.
}
