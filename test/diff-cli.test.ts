import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "./helpers/config";
import { derivedStackFile, runTool, sharedPlan, tempDir } from "./helpers/cli";
import { diffPlans } from "../tools/lib/diff";

/** Synthesizes a derived dev stack without blocking, so the scenarios below synthesize side by side. */
function synthDerived(label: string, edit: (c: Record<string, any>) => void): Promise<string> {
    const dir = tempDir(label);
    const file = derivedStackFile(dir, "dev", edit);
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(ROOT, ".build", "tools", "synth.js"), "--stack", "dev", "--config", file, "--out", dir], { cwd: ROOT, stdio: "ignore" });
        child.on("exit", () => {
            const plan = path.join(dir, "dev.plan.json");
            // A scenario may break a tenant budget on purpose (exit 1): the plan is still written.
            if (fs.existsSync(plan)) resolve(plan);
            else reject(new Error(`synth of scenario ${label} wrote no plan`));
        });
    });
}

// The semantics are asserted on the diff itself, in process; the CLI runs below cover its output and exit codes.
const diffs = new Map<string, any>();
const json = ([a, b]: string[]) => {
    const key = `${a}\u0000${b}`;
    if (!diffs.has(key)) diffs.set(key, JSON.parse(JSON.stringify(diffPlans(readJson(a), readJson(b)))));
    return diffs.get(key);
};
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, "utf8"));
const change = (d: any, type: string, name: string) => d.changes.find((c: any) => c.type === type && c.name === name);

describe("npm run diff", () => {
    let base: string;
    let az: string;
    let review: string;
    let scaled: string;

    beforeAll(async () => {
        base = sharedPlan("dev");
        [az, review, scaled] = await Promise.all([
            synthDerived("diff-az", (c) => {
                c["pr-cybr-platform:network"].azCount = 3;
                c["pr-cybr-platform:tags"].owner = "network-team";
            }),
            // What a reviewer meets in one PR: a new VPC range, a bigger instance type, a quota raise, a tenant swap.
            synthDerived("diff-review", (c) => {
                c["pr-cybr-platform:network"].cidr = "10.30.0.0/16";
                c["pr-cybr-platform:cluster"].nodeGroups[0].instanceTypes = ["m7g.xlarge"];
                const tenants = c["pr-cybr-platform:tenants"];
                tenants[0].quota.cpu = "6";
                const b = tenants.findIndex((t: any) => t.name === "org-b");
                tenants[b] = { ...tenants[b], name: "org-e", admins: ["arn:aws:iam::111111111111:role/org-e-admin"], repos: ["https://github.com/pr-cybr/org-e-apps.git"] };
            }),
            synthDerived("diff-scaled", (c) => {
                c["pr-cybr-platform:cluster"].nodeGroups[0].desiredSize = 3;
            }),
        ]);
    });

    it("prints adds, deletes and updates with old → new values, exit 0", () => {
        const run = runTool("diff", [base, az]);
        expect(run.status).toBe(0);
        const count = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")).stats.resourceCount;
        // A third AZ adds 3 subnets, a private route table with its route, and 3 associations; nothing is deleted.
        expect(run.stdout.split("\n")[0]).toMatch(new RegExp(`^\\+8 -0 ~\\d+, 1 to replace, 0 ignored; ${count(base)} -> ${count(base) + 8} resources$`));
        expect(run.stdout).toContain("+ urn:pulumi:dev::pr-cybr-platform::pr-cybr:network:Vpc$aws:ec2/subnet:Subnet::pr-cybr-dev-private-2");
        expect(run.stdout).toContain('~ urn:pulumi:dev::pr-cybr-platform::pulumi:pulumi:Stack$pulumi:providers:aws::aws-dev\n    defaultTags.tags.owner: "platform-team" → "network-team"');
        // Growing 2 -> 3 AZs must not touch the existing subnets (stable CIDR plan).
        expect(run.stdout).not.toMatch(/[~+]- \S+subnet:Subnet::/);
        // The gateway endpoint lists intra first, so a new AZ appends a route table rather than shifting them.
        expect(run.stdout).toMatch(/pr-cybr-dev-endpoints-s3\n {4}routeTableIds\[3\]: \(none\) → "rtb-[0-9a-f]+"\n {4}options changed: dependsOn/);
        // node_group.go (012e0a32): subnet_ids is a ForceNew set, so the node group in the new AZ's subnet is a new node group.
        expect(run.stdout).toMatch(/\+- \S+aws:eks\/nodeGroup:NodeGroup::pr-cybr-dev-ng-system-ng\n {4}replaced because of subnetIds\[2\] \(provider schema: subnetIds\)/);
    });

    it("reports a changed network.cidr as replacing the VPC and every subnet, with the path that forces it", () => {
        const d = json([base, review]);
        const replaced = d.changes.filter((c: any) => c.action === "replace" && /aws:ec2\/(vpc|subnet)/.test(c.type));
        expect(replaced.map((c: any) => c.name).sort()).toEqual(["intra-0", "intra-1", "private-0", "private-1", "public-0", "public-1", "vpc"].map((n) => `pr-cybr-dev-${n}`));
        // vpc_.go (00081ce4) and vpc_subnet.go (00cda125): cidr_block is ForceNew.
        for (const c of replaced) expect(c.replaceReasons).toEqual([{ path: "cidrBlock", rule: "cidrBlock", by: "provider schema" }]);
        expect(change(d, "aws:ec2/vpc:Vpc", "pr-cybr-dev-vpc").changes).toEqual([{ path: "cidrBlock", old: "10.20.0.0/16", new: "10.30.0.0/16" }]);
    });

    it("reports an instanceTypes change as replacing the node group", () => {
        const ng = change(json([base, review]), "aws:eks/nodeGroup:NodeGroup", "pr-cybr-dev-ng-system-ng");
        expect(ng.action).toBe("replace");
        expect(ng.replaceReasons).toEqual([{ path: "instanceTypes[0]", rule: "instanceTypes", by: "provider schema" }]);
    });

    it("reports a desiredSize change as ignored (the node group's ignoreChanges), not as an update", () => {
        const d = json([base, scaled]);
        const ng = change(d, "aws:eks/nodeGroup:NodeGroup", "pr-cybr-dev-ng-system-ng");
        expect(ng).toMatchObject({ action: "ignored", changes: [], ignoredChanges: [{ path: "scalingConfig.desiredSize", old: 2, new: 3 }] });
        expect(d.changes.filter((c: any) => c.action !== "ignored")).toEqual([]);
    });

    it("reports org-b out and org-e in as removals and additions, with no alias advice", () => {
        const run = runTool("diff", [base, review, "--fail-on", "ignored"]);
        expect(run.status).toBe(0);
        const d = json([base, review]);
        // A tenant's resources: its Tenant component's, and its reader role and stores in External Secrets.
        const tenantOf = (r: any) => /(?:tenant|external-secrets(?:-store)?)-(org-[a-z])\b/.exec(r.urn)?.[1];
        expect(new Set(d.deletes.map(tenantOf))).toEqual(new Set(["org-b"]));
        expect(new Set(d.adds.map(tenantOf))).toEqual(new Set(["org-e"]));
        expect(d.renames).toEqual([]);
        expect(run.stdout).not.toMatch(/alias/);
        // Its namespace holds every tenant object: its deletion is called out first.
        expect(run.stdout.split("\n")[1]).toBe("!! delete kubernetes:core/v1:Namespace pr-cybr-dev-tenant-org-b-ns-org-b: loses every object in the namespace");
    });

    it("--markdown shows a quota raise as old → new values", () => {
        const run = runTool("diff", [base, review, "--markdown"]);
        expect(run.status).toBe(0);
        expect(run.stdout).toMatch(/^### Plan diff: `dev` → `dev`\n\n\*\*8 to replace · 21 to delete · \d+ to update · 0 ignored · 21 to add\*\*/);
        expect(run.stdout).toContain('- `kubernetes:core/v1:ResourceQuota` `pr-cybr-dev-tenant-org-a-quota-org-a` · tenancy:Tenant pr-cybr-dev-tenant-org-a\n  - `spec.hard["limits.cpu"]`: `"8"` → `"12"`\n  - `spec.hard["requests.cpu"]`: `"4"` → `"6"`');
        expect(run.stdout.indexOf("#### Replacements (8)")).toBeLessThan(run.stdout.indexOf("#### Deletes (21)"));
    });

    it("keeps a dev → prod diff's Markdown under 60,000 characters", () => {
        const run = runTool("diff", [sharedPlan("dev"), sharedPlan("prod"), "--markdown"]);
        expect(run.status).toBe(0);
        expect(run.stdout.length).toBeLessThan(60_000);
        expect(run.stdout).toContain("The full diff is in `npm run diff -- <base> <head> --json`.");
    });

    it("--max-chars sets the Markdown budget (two stacks share one PR comment)", () => {
        const run = runTool("diff", [sharedPlan("dev"), sharedPlan("prod"), "--markdown", "--max-chars", "30000"]);
        expect(run.status).toBe(0);
        expect(run.stdout.length).toBeLessThanOrEqual(30_000);
        expect(run.stdout).toContain("to keep this comment under 30,000 characters");
    });

    it("--fail-on exits 1 only when such a change exists", () => {
        const failing = runTool("diff", [base, review, "--fail-on", "replace,delete", "--json"]);
        expect([failing.status, failing.stderr]).toEqual([1, "diff: changes with replace or delete found (--fail-on)\n"]);
        expect(JSON.parse(failing.stdout).changes.length).toBeGreaterThan(0);
        expect(runTool("diff", [base, scaled, "--fail-on", "replace,delete,update"]).status).toBe(0);
    });

    it("--base synthesizes the base at a git ref in a temporary worktree, removed afterwards", () => {
        // Paths only: other worktrees of the repository may commit meanwhile.
        const worktrees = () => spawnSync("git", ["worktree", "list", "--porcelain"], { cwd: ROOT, encoding: "utf8" }).stdout.split("\n").filter((l) => l.startsWith("worktree "));
        const before = worktrees();
        const run = runTool("diff", ["--base", "HEAD", "--stack", "dev", base, "--json"]);
        expect(run.status).toBe(0);
        expect(run.stderr).toMatch(/^diff: synthesizing dev at HEAD \([0-9a-f]{12}\) in a temporary worktree\n/);
        // Nothing in a plan may depend on where the checkout is (the base is synthesized elsewhere).
        expect(run.stdout).not.toMatch(/pr-cybr-base-/);
        expect(JSON.parse(run.stdout).base.stack).toBe("dev");
        expect(worktrees()).toEqual(before);
    });

    it("compares a plan with itself as no changes", () => {
        const count = JSON.parse(fs.readFileSync(base, "utf8")).stats.resourceCount;
        expect(runTool("diff", [base, base]).stdout).toBe(`no changes (${count} resources)\n`);
    });

    it("--help prints usage and exits 0", () => {
        const run = runTool("diff", ["--help"]);
        expect([run.status, run.stderr]).toEqual([0, ""]);
        expect(run.stdout).toMatch(/^usage: npm run diff -- <base.plan.json> <head.plan.json>/);
        expect(run.stdout).toContain("--fail-on <actions>");
    });

    it.each([
        [["only-one.json"], /^diff: expected two plan files \(base and head\), got 1/],
        [["missing.json", "missing2.json"], /^diff: missing.json: no such file/],
        [["a", "b", "--fail-on", "replace,explode"], /^diff: --fail-on "replace,explode": unknown action "explode" \(allowed: replace, delete, update, ignored, add, comma-separated\)/],
        [["a", "b", "--markdown", "--json"], /^diff: --markdown and --json: choose one output/],
        [["--base", "main"], /^diff: --base needs --stack <stack>/],
        [["--base", "no-such-ref-xyz", "--stack", "dev"], /^diff: --base "no-such-ref-xyz": not a commit in this repository/],
        [["a", "b", "--colour"], /^diff: Unknown option '--colour'/],
        [["a", "b", "--markdown", "--max-chars", "70000"], /^diff: --max-chars "70000": not a whole number from 1000 to 60000/],
    ])("exits 2 with a clear message on a usage error: %j", (args, message) => {
        const run = runTool("diff", args as string[]);
        expect(run.status).toBe(2);
        expect(run.stderr).toMatch(message as RegExp);
        expect(run.stderr).not.toMatch(/\n\s+at /);
    });
});
