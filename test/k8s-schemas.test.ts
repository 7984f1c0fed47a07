import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "./helpers/config";
import { sharedPlan, tempDir } from "./helpers/cli";

/** tools/validate-k8s.mjs: official models and published CRDs (ESM-only packages, so a child process). */
function validatePlans(...files: string[]) {
    const child = spawnSync(process.execPath, [path.join(ROOT, "tools", "validate-k8s.mjs"), ...files], { cwd: ROOT, encoding: "utf8" });
    return { status: child.status, stdout: child.stdout };
}

describe("Kubernetes objects in the plans against the official schemas", () => {
    const dir = tempDir("k8s");
    const plans = [sharedPlan("dev"), sharedPlan("prod")];

    it("every Kubernetes object of dev and prod is valid, with no field the API server would prune", () => {
        const run = validatePlans(...plans);
        expect(run.stdout).toMatch(/dev\.plan\.json: \d+ Kubernetes objects checked, 0 problems/);
        expect(run.stdout).toMatch(/prod\.plan\.json: \d+ Kubernetes objects checked, 0 problems/);
        expect(run.status).toBe(0);
    });

    it("catches what a cluster would reject or silently drop", () => {
        const plan = JSON.parse(fs.readFileSync(plans[0], "utf8"));
        const byKind = (kind: string) => plan.resources.find((r: { type: string }) => r.type.endsWith(`:${kind}`)).inputs;
        byKind("CiliumNetworkPolicy").spec.ingress[1].fromEntities = ["internet"];
        byKind("CiliumNetworkPolicy").spec.egres = [];
        byKind("AppProject").spec.destinations = "org-a";
        byKind("ResourceQuota").spec.hard.pods = { many: true };
        const bad = path.join(dir, "bad.plan.json");
        fs.writeFileSync(bad, JSON.stringify(plan));
        const run = validatePlans(bad);
        expect(run.status).toBe(1);
        expect(run.stdout).toContain("(CiliumNetworkPolicy): /spec/ingress/1/fromEntities/0 must be equal to one of the allowed values");
        expect(run.stdout).toContain("(CiliumNetworkPolicy).spec.egres: not in the schema (the API server would prune it)");
        expect(run.stdout).toContain("(AppProject): data/spec/destinations must be array");
        expect(run.stdout).toMatch(/\(ResourceQuota\): data\/spec\/hard\/pods must be/);
    });
});
