// promtool and amtool at the versions kube-prometheus-stack 81.6.2 runs (values.yaml:
// prometheus.prometheusSpec.image.tag v3.9.1, alertmanager.alertmanagerSpec.image.tag v0.31.0; chart tag
// kube-prometheus-stack-81.6.2), built from the Go module proxy into ~/.cache/pr-cybr keyed by version.
// No process: the suite in tools/prometheus-rules.test.ts runs them.
// - promtool: Prometheus v3.9.1 is module github.com/prometheus/prometheus v0.309.1. `go install
//   …/cmd/promtool@v0.309.1` refuses its go.mod's exclude directives, so ./promtool is a wrapper module
//   that repeats them (its build list is Prometheus' own go.mod's, checked when it was written).
// - amtool: github.com/prometheus/alertmanager v0.31.0 has neither replace nor exclude: `go install`.
// Both with the ldflags of the projects' .promu.yml, so `--version` names the release.
import { existsSync, readFileSync, renameSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { run } from "../lib/engine-context.mjs";

export const name = "prometheus-tools";
export const order = 52;
export const PROMETHEUS_VERSION = "3.9.1";
export const ALERTMANAGER_VERSION = "0.31.0";
const PROMTOOL_MODULE_DIR = new URL("./promtool/", import.meta.url).pathname;
const PROMETHEUS_MODULE = /github\.com\/prometheus\/prometheus (v\S+)/;

const ldflags = (version, revision) =>
    Object.entries({ Version: version, Revision: revision, Branch: "HEAD" })
        .map(([k, v]) => `-X github.com/prometheus/common/version.${k}=${v}`)
        .join(" ");

// Nice: the first build (≈1,300 packages for promtool) shares the machine with everything else.
const goEnv = { ...process.env, CGO_ENABLED: "0", GOFLAGS: "-mod=readonly -buildvcs=false" };

function buildPromtool(ctx) {
    const moduleVersion = PROMETHEUS_MODULE.exec(readFileSync(join(PROMTOOL_MODULE_DIR, "go.mod"), "utf8"))[1];
    const dir = join(ctx.cache, `promtool-${moduleVersion}`);
    const bin = join(dir, "promtool");
    if (!existsSync(bin)) {
        ctx.log(`go build github.com/prometheus/prometheus/cmd/promtool@${moduleVersion} (Prometheus v${PROMETHEUS_VERSION}, from the Go module proxy; several minutes the first time)`);
        mkdirSync(dir, { recursive: true });
        // Written next to the target and renamed: an interrupted build leaves no binary that looks finished.
        run("nice", ["-n", "10", "go", "build", "-trimpath", "-tags", "netgo,builtinassets", "-ldflags", ldflags(PROMETHEUS_VERSION, moduleVersion), "-o", `${bin}.partial`, "github.com/prometheus/prometheus/cmd/promtool"], { cwd: PROMTOOL_MODULE_DIR, env: goEnv });
        renameSync(`${bin}.partial`, bin);
    }
    return bin;
}

function buildAmtool(ctx) {
    const dir = join(ctx.cache, `amtool-v${ALERTMANAGER_VERSION}`);
    const bin = join(dir, "amtool");
    if (!existsSync(bin)) {
        ctx.log(`go install github.com/prometheus/alertmanager/cmd/amtool@v${ALERTMANAGER_VERSION} (from the Go module proxy)`);
        run("nice", ["-n", "10", "go", "install", "-trimpath", "-ldflags", ldflags(ALERTMANAGER_VERSION, `v${ALERTMANAGER_VERSION}`), `github.com/prometheus/alertmanager/cmd/amtool@v${ALERTMANAGER_VERSION}`], { env: { ...goEnv, GOFLAGS: "-buildvcs=false", GOBIN: dir } });
    }
    return bin;
}

/** "promtool, version 3.9.1 (branch: …" → "3.9.1". */
const reportedVersion = (bin) => /version (\S+)/.exec(run(bin, ["--version"]).stdout + "")?.[1] ?? "unknown";

export async function up(ctx) {
    const promtool = buildPromtool(ctx);
    const amtool = buildAmtool(ctx);
    const versions = { promtool: reportedVersion(promtool), amtool: reportedVersion(amtool) };
    for (const [tool, want] of [["promtool", PROMETHEUS_VERSION], ["amtool", ALERTMANAGER_VERSION]]) {
        if (versions[tool] !== want) throw new Error(`${tool} reports version ${versions[tool]}, expected ${want} (remove its folder under ${ctx.cache} to rebuild)`);
    }
    return { promtool, amtool, env: { PR_CYBR_PROMTOOL: promtool, PR_CYBR_AMTOOL: amtool }, versions, pids: [] };
}

export async function healthy(ctx, recorded) {
    return existsSync(recorded.promtool) && existsSync(recorded.amtool);
}

export async function down() {}
