// The notifications engine's templating (Go text/template with sprig v3.3.0's functions, as
// argoproj/notifications-engine renders Argo CD v3.3.8's templates), built from the Go module proxy
// (./notify-render) into ~/.cache/pr-cybr, keyed by its sources. No process: the gitops suite runs it.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../lib/engine-context.mjs";

export const name = "notifications-templates";
export const order = 50;
const MODULE_DIR = new URL("./notify-render/", import.meta.url).pathname;
const SPRIG = /github\.com\/Masterminds\/sprig\/v3 (v\S+)/;

export async function up(ctx) {
    const sources = ["go.mod", "go.sum", "main.go"].map((f) => readFileSync(join(MODULE_DIR, f)));
    const hash = createHash("sha256");
    for (const s of sources) hash.update(s);
    const dir = join(ctx.cache, `notify-render-${hash.digest("hex").slice(0, 12)}`);
    const bin = join(dir, "notify-render");
    if (!existsSync(bin)) {
        ctx.log("go build notify-render (sprig from the Go module proxy)");
        run("go", ["build", "-trimpath", "-o", bin, "."], { cwd: MODULE_DIR, env: { ...process.env, GOFLAGS: "-mod=readonly -buildvcs=false", CGO_ENABLED: "0" } });
    }
    const sprig = SPRIG.exec(sources[0].toString())?.[1] ?? "unknown";
    return { bin, env: { PR_CYBR_NOTIFY_RENDER: bin }, versions: { sprig, "go text/template": run("go", ["env", "GOVERSION"]).stdout.trim() }, pids: [] };
}

export async function healthy(ctx, recorded) {
    return existsSync(recorded.bin);
}

export async function down() {}
