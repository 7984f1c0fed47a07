import * as fs from "fs";
import * as path from "path";
import { derivedStackFile, runTool, sharedPlan, tempDir } from "./helpers/cli";

describe("npm run diff", () => {
    const dir = tempDir("diff");
    let base: string;
    let head: string;

    beforeAll(() => {
        const headDir = path.join(dir, "head");
        const file = derivedStackFile(dir, "dev", (c) => {
            c["pr-cybr-platform:network"].azCount = 3;
            c["pr-cybr-platform:tags"].owner = "network-team";
        });
        expect(runTool("synth", ["--stack", "dev", "--config", file, "--out", headDir]).status).toBe(0);
        base = sharedPlan("dev");
        head = path.join(headDir, "dev.plan.json");
    });

    it("prints adds, deletes and updates with changed paths, exit 0", () => {
        const run = runTool("diff", [base, head]);
        expect(run.status).toBe(0);
        const count = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")).stats.resourceCount;
        // A third AZ adds 3 subnets, a private route table with its route, and 3 associations; nothing is deleted.
        expect(run.stdout.split("\n")[0]).toMatch(new RegExp(`^\\+8 -0 ~\\d+, ${count(base)} -> ${count(base) + 8} resources$`));
        expect(run.stdout).toContain("+ urn:pulumi:dev::pr-cybr-platform::pr-cybr:network:Vpc$aws:ec2/subnet:Subnet::pr-cybr-dev-private-2");
        expect(run.stdout).toContain("~ urn:pulumi:dev::pr-cybr-platform::pulumi:pulumi:Stack$pulumi:providers:aws::aws-dev\n    changed: defaultTags");
        // Growing 2 -> 3 AZs must not touch the existing subnets (stable CIDR plan).
        expect(run.stdout).not.toMatch(/~ \S+subnet:Subnet::/);
        // The gateway endpoint lists intra first, so a new AZ appends a route table rather than shifting them.
        expect(run.stdout).toContain("pr-cybr-dev-endpoints-s3\n    changed: routeTableIds[3], (dependsOn)");
    });

    it("--markdown gives a PR comment: counts first, details folded", () => {
        const run = runTool("diff", [base, head, "--markdown"]);
        expect(run.status).toBe(0);
        expect(run.stdout).toMatch(/^### Plan diff: `dev` → `dev`\n\n\| adds \| deletes \| updates \|/);
        expect(run.stdout).toContain("<details><summary>Adds (8)</summary>");
    });

    it("compares a plan with itself as no changes", () => {
        const count = JSON.parse(fs.readFileSync(base, "utf8")).stats.resourceCount;
        expect(runTool("diff", [base, base]).stdout).toBe(`no changes (${count} resources)\n`);
    });

    it.each([[["only-one.json"]], [["missing.json", "missing2.json"]]])("exits 2 on a usage error: %j", (args) => {
        const run = runTool("diff", args);
        expect(run.status).toBe(2);
        expect(run.stderr).toMatch(/^diff: /);
    });
});
