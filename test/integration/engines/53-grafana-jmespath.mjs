// The JMESPath evaluator Grafana's generic OAuth uses (github.com/jmespath-community/go-jmespath v1.1.1,
// grafana/grafana go.mod and pkg/util/json.go), wrapped in ./grafana-jmespath and built from the Go module
// proxy into ~/.cache/pr-cybr keyed by the wrapper's content. No process: tools/grafana-sso.test.ts runs
// it on the role and groups paths of the plans' grafana.ini.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { run } from "../lib/engine-context.mjs";

export const name = "grafana-jmespath";
export const order = 53;
const MODULE_DIR = new URL("./grafana-jmespath/", import.meta.url).pathname;
const JMESPATH = /github\.com\/jmespath-community\/go-jmespath (v\S+)/;

export async function up(ctx) {
    const sources = ["go.mod", "go.sum", "main.go"].map((f) => readFileSync(join(MODULE_DIR, f)));
    const key = createHash("sha256").update(Buffer.concat(sources)).digest("hex").slice(0, 12);
    const dir = join(ctx.cache, `grafana-jmespath-${key}`);
    const bin = join(dir, "grafana-jmespath");
    if (!existsSync(bin)) {
        ctx.log("go build ./grafana-jmespath (go-jmespath from the Go module proxy)");
        mkdirSync(dir, { recursive: true });
        run("go", ["build", "-trimpath", "-o", `${bin}.partial`, "."], { cwd: MODULE_DIR, env: { ...process.env, CGO_ENABLED: "0", GOFLAGS: "-mod=readonly -buildvcs=false" } });
        renameSync(`${bin}.partial`, bin);
    }
    const version = JMESPATH.exec(sources[0].toString())[1];
    return { bin, env: { PR_CYBR_GRAFANA_JMESPATH: bin }, versions: { "go-jmespath": version }, pids: [] };
}

export async function healthy(ctx, recorded) {
    return existsSync(recorded.bin);
}

export async function down() {}
