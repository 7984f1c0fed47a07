// Helm and the cilium chart, to render what the pinned chart really creates: helm built from the Go
// module proxy (helm.sh/helm/v3), the chart read from the Go module github.com/cilium/cilium at the
// pinned version (install/kubernetes/cilium; the chart repository is not reachable from here). Both
// cached under ~/.cache/pr-cybr. No process.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../lib/engine-context.mjs";

export const name = "charts";
export const order = 51;
const HELM = "3.19.2";
const CILIUM = /CILIUM_CHART_VERSION = "([\d.]+)"/.exec(readFileSync(new URL("../../../components/cluster/cilium-values.ts", import.meta.url), "utf8"))[1];

export async function up(ctx) {
    const dir = join(ctx.cache, `helm-${HELM}`);
    const helm = join(dir, "helm");
    const goEnv = { ...process.env, GOFLAGS: "-mod=mod", CGO_ENABLED: "0" };
    if (!existsSync(helm)) {
        ctx.log(`go install helm.sh/helm/v3/cmd/helm@v${HELM}`);
        run("go", ["install", `helm.sh/helm/v3/cmd/helm@v${HELM}`], { env: { ...goEnv, GOBIN: dir }, cwd: ctx.cache });
    }
    ctx.log(`go mod download github.com/cilium/cilium@v${CILIUM}`);
    const mod = JSON.parse(run("go", ["mod", "download", "-json", `github.com/cilium/cilium@v${CILIUM}`], { env: goEnv, cwd: ctx.cache }).stdout);
    const chart = join(mod.Dir, "install", "kubernetes", "cilium");
    if (!existsSync(join(chart, "Chart.yaml"))) throw new Error(`${chart}: no Chart.yaml in the cilium module`);
    return { bin: helm, chart, env: { PR_CYBR_HELM: helm, PR_CYBR_CILIUM_CHART: chart }, versions: { helm: HELM, "cilium chart": CILIUM }, pids: [] };
}

export async function healthy(ctx, recorded) {
    return existsSync(recorded.bin) && existsSync(join(recorded.chart, "Chart.yaml"));
}

export async function down() {}
