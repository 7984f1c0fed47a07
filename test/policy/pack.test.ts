import * as fs from "fs";
import * as path from "path";
import { PACK_NAME, policies } from "../../policy/rules";
import { ROOT } from "../helpers/config";
import { policyConfigProblems } from "../../tools/lib/policy-engine";

/** What PolicyPack's serve() would exit(1) on, checked without starting it. */
describe("policy pack invariants", () => {
    it("has a valid pack name and unique policy names, none called 'all'", () => {
        expect(PACK_NAME).toMatch(/^[a-zA-Z0-9-_.]{1,100}$/);
        const names = policies.map((p) => p.name);
        expect(new Set(names).size).toBe(names.length);
        expect(names).not.toContain("all");
        expect(names).toEqual(expect.arrayContaining(["tenant-namespace-guardrails", "tenant-quota-within-budget", "tenant-quotas-fit-cluster", "aws-required-tags", "vpc-flow-logs-enabled"]));
    });

    it("keeps enforcementLevel out of every configSchema and describes every rule", () => {
        for (const p of policies) {
            expect(p.configSchema?.properties ?? {}).not.toHaveProperty("enforcementLevel");
            expect(p.configSchema?.required ?? []).not.toContain("enforcementLevel");
            expect(p.description.length).toBeGreaterThan(40);
            expect(p.enforcementLevel).toBeDefined();
        }
    });

    it("ships a package.json with a version (the PolicyPack constructor requires one) and PulumiPolicy.yaml", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "package.json"), "utf8"));
        expect(pkg.version).toMatch(/^\d+\.\d+\.\d+$/);
        expect(fs.readFileSync(path.join(ROOT, "policy", "PulumiPolicy.yaml"), "utf8")).toMatch(/^runtime: nodejs$/m);
    });

    it.each(["dev", "prod"])("config/%s.json is valid for every rule and sets every rule's level (each advisory one is documented)", (stack) => {
        const file = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "config", `${stack}.json`), "utf8"));
        expect(policyConfigProblems(policies, file)).toEqual([]);
        for (const p of policies) expect(file[p.name]?.enforcementLevel ?? file.all).toBeDefined();
        const readme = fs.readFileSync(path.join(ROOT, "policy", "README.md"), "utf8");
        for (const p of policies.filter((r) => (file[r.name]?.enforcementLevel ?? file.all) === "advisory")) {
            const row = readme.split("\n").find((l) => l.startsWith(`| \`${p.name}\``))!;
            expect(row).toMatch(new RegExp(`Advisory in ${stack}`));
        }
    });

    it("prod makes every rule mandatory", () => {
        const file = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "config", "prod.json"), "utf8"));
        for (const p of policies) expect(file[p.name]?.enforcementLevel ?? file.all).toBe("mandatory");
    });

    it("is documented: the README table has exactly one row per rule, in pack order", () => {
        const readme = fs.readFileSync(path.join(ROOT, "policy", "README.md"), "utf8");
        const rows = readme.split("\n").map((l) => /^\| `([a-z0-9-]+)` \|/.exec(l)?.[1]).filter(Boolean);
        expect(rows).toEqual(policies.map((p) => p.name));
    });

    it("every config schema compiles and its defaults satisfy it", () => {
        expect(policyConfigProblems(policies, {})).toEqual([]);
    });
});
