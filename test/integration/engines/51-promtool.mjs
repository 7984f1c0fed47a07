// promtool (Prometheus v3.9.1, Go module github.com/prometheus/prometheus v0.309.1), built from the Go
// module proxy (./promtool: a wrapper module, since `go install` refuses a module whose go.mod has
// exclude directives) into ~/.cache/pr-cybr, keyed by its sources. No process: the monitoring suite
// runs `promtool check rules` and `promtool test rules` on the plan's alert rules.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../lib/engine-context.mjs";

export const name = "promtool";
export const order = 51;
const MODULE_DIR = new URL("./promtool/", import.meta.url).pathname;
const PROMETHEUS = /github\.com\/prometheus\/prometheus (v\S+)/;

export async function up(ctx) {
    const sources = ["go.mod", "go.sum", "tools.go"].map((f) => readFileSync(join(MODULE_DIR, f)));
    const hash = createHash("sha256");
    for (const s of sources) hash.update(s);
    const dir = join(ctx.cache, `promtool-${hash.digest("hex").slice(0, 12)}`);
    const bin = join(dir, "promtool");
    if (!existsSync(bin)) {
        ctx.log("go build promtool (Prometheus from the Go module proxy; a few minutes cold)");
        run("go", ["build", "-trimpath", "-o", bin, "github.com/prometheus/prometheus/cmd/promtool"], { cwd: MODULE_DIR, env: { ...process.env, GOFLAGS: "-mod=readonly -buildvcs=false", CGO_ENABLED: "0" } });
    }
    const prometheus = PROMETHEUS.exec(sources[0].toString())?.[1] ?? "unknown";
    return { bin, env: { PR_CYBR_PROMTOOL: bin }, versions: { "prometheus (promtool)": prometheus }, pids: [] };
}

export async function healthy(ctx, recorded) {
    return existsSync(recorded.bin);
}

export async function down() {}
