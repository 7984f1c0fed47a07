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

    // One process validates the real plans and a broken copy (loading the schemas costs ~2.5 s CPU per
    // process); the tool reports per file, and exits 1 exactly when some file has a problem.
    let run: { status: number | null; stdout: string };
    let bad: string;
    beforeAll(() => {
        const plan = JSON.parse(fs.readFileSync(plans[0], "utf8"));
        const byKind = (kind: string) => plan.resources.find((r: { type: string }) => r.type.endsWith(`:${kind}`)).inputs;
        byKind("CiliumNetworkPolicy").spec.ingress[1].fromEntities = ["internet"];
        byKind("CiliumNetworkPolicy").spec.egres = [];
        byKind("AppProject").spec.destinations = "org-a";
        byKind("ResourceQuota").spec.hard.pods = { many: true };
        bad = path.join(dir, "bad.plan.json");
        fs.writeFileSync(bad, JSON.stringify(plan));
        run = validatePlans(...plans, bad);
    });
    const linesOf = (file: string) => run.stdout.split("\n").filter((l) => l.startsWith(`${file}: `));

    it("every Kubernetes object of dev and prod is valid, with no field the API server would prune", () => {
        for (const [plan, name] of [[plans[0], "dev"], [plans[1], "prod"]]) {
            expect(linesOf(plan)).toEqual([expect.stringMatching(new RegExp(`${name}\\.plan\\.json: \\d+ Kubernetes objects checked, 0 problems$`))]);
        }
    });

    it("catches what a cluster would reject or silently drop", () => {
        expect(run.status).toBe(1);
        const problems = linesOf(bad).join("\n");
        expect(problems).toContain("(CiliumNetworkPolicy): /spec/ingress/1/fromEntities/0 must be equal to one of the allowed values");
        expect(problems).toContain("(CiliumNetworkPolicy).spec.egres: not in the schema (the API server would prune it)");
        expect(problems).toContain("(AppProject): data/spec/destinations must be array");
        expect(problems).toMatch(/\(ResourceQuota\): data\/spec\/hard\/pods must be/);
    });
});
