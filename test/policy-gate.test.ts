import * as fs from "fs";
import * as path from "path";
import { policies } from "../policy/rules";
import { derivedStackFile, runTool, sharedPlan, tempDir } from "./helpers/cli";

/** The pack as CI's gate: synth of the real stacks and of mutated copies, with the real policy config. */
describe("policy gate on the stacks", () => {
    it.each(["dev", "prod"] as const)("%s evaluates every rule and has no mandatory violation", (stack) => {
        const plan = JSON.parse(fs.readFileSync(sharedPlan(stack), "utf8"));
        expect(plan.policies.evaluated.map((e: { policy: string }) => e.policy)).toEqual(policies.map((p) => p.name));
        expect(plan.policies.violations.filter((v: { enforcementLevel: string }) => v.enforcementLevel === "mandatory")).toEqual([]);
    });

    it("stops a tenant over its budget, naming the tenant and the field (exit 1)", () => {
        const dir = tempDir("over-budget");
        const file = derivedStackFile(dir, "prod", (c) => {
            const orgD = c["pr-cybr-platform:tenants"].find((t: { name: string }) => t.name === "org-d");
            orgD.quota.cpu = "6";
        });
        const run = runTool("synth", ["--stack", "prod", "--config", file, "--out", dir]);
        expect(run.status).toBe(1);
        expect(run.stdout).toContain("[mandatory] tenant-quota-within-budget: tenant org-d: quota requests.cpu totals 6, over the default budget of 4.");
        expect(run.stderr).toContain("1 mandatory policy violation");
    });

    it("stops tenants whose quotas together exceed the cluster (exit 1)", () => {
        const dir = tempDir("over-capacity");
        const file = derivedStackFile(dir, "prod", (c) => {
            const extra = Array.from({ length: 25 }, (_, i) => ({
                name: `burst-${i}`,
                quota: { cpu: "4", memory: "8Gi", pods: 40 },
                admins: [`arn:aws:iam::222222222222:role/burst-${i}-admin`],
            }));
            c["pr-cybr-platform:tenants"].push(...extra);
        });
        const run = runTool("synth", ["--stack", "prod", "--config", file, "--out", dir]);
        expect(run.status).toBe(1);
        expect(run.stdout).toMatch(/\[mandatory\] tenant-quotas-fit-cluster: tenant quotas request 158\.00 CPUs in total, more than the node groups \(at minSize\) and NodePools \(at their limits\) offer \(138\.00 × overcommit 1\); largest: org-a, soc-analytics, org-b\./);
        expect(fs.existsSync(path.join(dir, "prod.plan.json"))).toBe(true);
    });
});
