// The edge agent, the custom OpenTelemetry Collector the image ships (components/edge/agent), built
// by the same script its Dockerfile runs (build.sh: the OpenTelemetry Collector Builder from the Go
// module proxy, CGO_ENABLED=0 for linux/amd64 and linux/arm64), cached in ~/.cache/pr-cybr keyed by
// the manifest, go.sum, build script and Go version. No process: the suites run the binary (validate)
// and the edge benchmark puts it in an image.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { run } from "../lib/engine-context.mjs";

export const name = "edge-agent";
export const order = 44;
export const ARCHES = ["amd64", "arm64"];
const SOURCES = ["manifest.yaml", "go.sum", "build.sh"];

export function agentBuildDir(ctx) {
    const agent = join(ctx.root, "components/edge/agent");
    const hash = createHash("sha256");
    for (const f of SOURCES) hash.update(f).update(readFileSync(join(agent, f)));
    const go = run("go", ["env", "GOVERSION"]).stdout.trim();
    return { agent, go, dir: join(ctx.cache, `edge-agent-${hash.digest("hex").slice(0, 12)}-${go}`) };
}

export async function up(ctx) {
    const { agent, go, dir } = agentBuildDir(ctx);
    const built = () => ARCHES.every((a) => existsSync(join(dir, a, "otelcol-edge")));
    if (!built()) {
        const started = Date.now();
        const tmp = `${dir}.tmp-${process.pid}`;
        rmSync(tmp, { recursive: true, force: true });
        run("bash", [join(agent, "build.sh"), tmp, ...ARCHES], { stdio: ["ignore", "ignore", "inherit"] });
        rmSync(dir, { recursive: true, force: true });
        renameSync(tmp, dir);
        // The cold cost (module downloads and two compiles), printed as the other cached engines print theirs.
        ctx.log(`edge-agent: built otelcol-edge for ${ARCHES.join(" and ")} with ${go} in ${((Date.now() - started) / 1000).toFixed(1)} s (cached in ${dir})`);
    }
    const version = /^\s*version:\s*(\S+)/m.exec(readFileSync(join(agent, "manifest.yaml"), "utf8"))?.[1] ?? "unknown";
    return {
        dir,
        env: { PR_CYBR_EDGE_AGENT_DIR: dir },
        versions: { "otelcol-edge": version, "otelcol-edge go": go },
        pids: [],
    };
}

export async function healthy(ctx, recorded) {
    return ARCHES.every((a) => existsSync(join(recorded.dir, a, "otelcol-edge"))) && recorded.dir === agentBuildDir(ctx).dir;
}

export async function down() {
    // The build stays in the cache: it is a file, not a process.
}
