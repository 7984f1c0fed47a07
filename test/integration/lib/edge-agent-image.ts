// The agent image's final stage (components/edge/agent/Dockerfile, `FROM scratch`) assembled locally
// from the engine's build of the same binary (engine edge-agent: build.sh, as the build stage runs it):
// its files as the stage's COPY lines place them, its USER/ENTRYPOINT/CMD as `docker import --change`
// takes them. Read from the Dockerfile, so the image the suites and the benchmark run is the one a
// `pulumi up` pushes, but for where the binary was compiled (here, not in the golang image).
import * as fs from "fs";
import * as path from "path";
import { engine, ROOT } from "./env";

export const AGENT_CONTEXT = path.join(ROOT, "components", "edge", "agent");

export interface AgentImageStage {
    base: string;
    copies: { from?: string; src: string; dest: string }[];
    /** Dockerfile instructions that `docker import --change` applies (USER, ENTRYPOINT, CMD). */
    changes: string[];
}

/** The last stage of the Dockerfile, ${TARGETARCH} expanded. Throws on an instruction it cannot reproduce. */
export function finalStage(arch: string, dockerfile = path.join(AGENT_CONTEXT, "Dockerfile")): AgentImageStage {
    const lines = fs
        .readFileSync(dockerfile, "utf8")
        .replace(/\\\n/g, " ")
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith("#"));
    const from = lines.map((l, i) => (/^FROM\s/i.test(l) ? i : -1)).filter((i) => i >= 0).pop();
    if (from === undefined) throw new Error(`${dockerfile}: no FROM`);
    const stage: AgentImageStage = { base: lines[from].split(/\s+/)[1], copies: [], changes: [] };
    for (const line of lines.slice(from + 1)) {
        const [op, ...rest] = line.split(/\s+/);
        const args = rest.join(" ").replace(/\$\{TARGETARCH\}|\$TARGETARCH/g, arch);
        switch (op.toUpperCase()) {
            case "ARG":
                break;
            case "COPY": {
                const parts = args.split(/\s+/);
                const fromFlag = parts.find((p) => p.startsWith("--from="));
                const [src, dest] = parts.filter((p) => !p.startsWith("--"));
                stage.copies.push({ from: fromFlag?.slice("--from=".length), src, dest });
                break;
            }
            case "USER":
            case "ENTRYPOINT":
            case "CMD":
                stage.changes.push(`${op.toUpperCase()} ${args}`);
                break;
            default:
                throw new Error(`${dockerfile}: the final stage's ${op} cannot be reproduced by docker import (teach test/integration/lib/edge-agent-image.ts)`);
        }
    }
    return stage;
}

/** The built binary for `arch` (engine edge-agent). */
export function agentBinary(arch: "amd64" | "arm64"): string {
    return path.join((engine("edge-agent").env as Record<string, string>).PR_CYBR_EDGE_AGENT_DIR, arch, "otelcol-edge");
}

/**
 * Writes the image's root file system for `arch` under `dir`: the build stage's /out is the engine's
 * build directory, other sources are the build context's files.
 */
export function assembleRootfs(dir: string, arch: "amd64" | "arm64"): AgentImageStage {
    const stage = finalStage(arch);
    if (stage.base !== "scratch") throw new Error(`the agent image is FROM ${stage.base}: only scratch is assembled locally`);
    const out = (engine("edge-agent").env as Record<string, string>).PR_CYBR_EDGE_AGENT_DIR;
    for (const c of stage.copies) {
        const src = c.from ? (c.src.startsWith("/out/") ? path.join(out, c.src.slice("/out/".length)) : "") : path.join(AGENT_CONTEXT, c.src);
        if (!src || !fs.existsSync(src)) throw new Error(`COPY ${c.from ? `--from=${c.from} ` : ""}${c.src}: not found locally (${src || "only the build stage's /out is known"})`);
        const dest = path.join(dir, c.dest);
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.copyFileSync(src, dest);
        // COPY keeps the source's mode: the binary executable, the config readable by every user.
        fs.chmodSync(dest, fs.statSync(src).mode & 0o777);
    }
    fs.chmodSync(dir, 0o755);
    return stage;
}
