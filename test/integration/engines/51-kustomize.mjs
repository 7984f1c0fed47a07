// kustomize, as Argo CD runs it on a tenant repository's path (`kustomize build <path>`), installed from
// the Go module proxy at a pinned version into ~/.cache/pr-cybr. No process: the k8s suite runs it.
// v5.8.1 is the one Argo CD v3.3.8 bundles (argoproj/argo-cd v3.3.8 hack/tool-versions.sh:
// kustomize5_version=5.8.1), so the suite renders exactly what the repo server would.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { run } from "../lib/engine-context.mjs";

export const name = "kustomize";
export const order = 51;
export const KUSTOMIZE_VERSION = "v5.8.1";

export async function up(ctx) {
    const dir = join(ctx.cache, `kustomize-${KUSTOMIZE_VERSION}`);
    const bin = join(dir, "kustomize");
    if (!existsSync(bin)) {
        ctx.log(`go install sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_VERSION} (from the Go module proxy)`);
        run("go", ["install", `sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_VERSION}`], { env: { ...process.env, GOBIN: dir, CGO_ENABLED: "0" } });
    }
    const version = run(bin, ["version"]).stdout.trim();
    return { bin, env: { PR_CYBR_KUSTOMIZE: bin }, versions: { kustomize: version }, pids: [] };
}

export async function healthy(ctx, recorded) {
    return existsSync(recorded.bin);
}

export async function down() {}
