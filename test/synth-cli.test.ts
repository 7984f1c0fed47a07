import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { policies } from "../policy/rules";
import { ROOT as ROOT_DIR } from "./helpers/config";
import { derivedStackFile, runTool, sharedPlan, sharedSynthRun, tempDir } from "./helpers/cli";

const STACK_TRACE = /^\s+at .+:\d+:\d+\)?$/m;

describe("exiting", () => {
    it("delivers all queued output to a pipe before the process exits (large summaries were cut off)", () => {
        const helper = path.join(ROOT_DIR, ".build", "tools", "lib", "exit.js");
        const script = `const { exitWhenFlushed } = require(${JSON.stringify(helper)}); console.log("x".repeat(4 * 1024 * 1024)); console.error("last line"); exitWhenFlushed(3);`;
        const child = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
        expect(child.status).toBe(3);
        expect(child.stdout.length).toBe(4 * 1024 * 1024 + 1);
        expect(child.stderr).toBe("last line\n");
    });
});

describe("npm run synth", () => {
    it("synthesizes dev: exit 0, the plan file per DESIGN §5, and the summary", () => {
        // globalSetup ran exactly this (`synth --stack dev --out <dir>`) and kept its output.
        const run = sharedSynthRun("dev");
        expect(run.stderr).toBe("");
        expect(run.status).toBe(0);
        const plan = JSON.parse(fs.readFileSync(sharedPlan("dev"), "utf8"));
        expect(Object.keys(plan)).toEqual(["project", "stack", "resources", "outputs", "policies", "stats"]);
        expect(plan).toMatchObject({ project: "pr-cybr-platform", stack: "dev", stats: { resourceCount: plan.resources.length, durationMs: 0 } });
        for (const r of plan.resources) expect(Object.keys(r).filter((k) => k !== "options")).toEqual(["urn", "type", "name", "parent", "dependsOn", "protect", "inputs"]);
        // Resource options a diff needs (§5), only those set: the node group's ignoreChanges, every explicit provider by URN.
        const nodeGroup = plan.resources.find((r: { type: string }) => r.type === "aws:eks/nodeGroup:NodeGroup");
        expect(nodeGroup.options).toEqual({ ignoreChanges: ["scalingConfig.desiredSize"], provider: "urn:pulumi:dev::pr-cybr-platform::pulumi:pulumi:Stack$pulumi:providers:aws::aws-dev" });
        expect(plan.resources.find((r: { type: string }) => r.type === "pr-cybr:network:Vpc").options).toBeUndefined();
        const types = plan.resources.map((r: { type: string }) => r.type);
        expect(types.filter((t: string) => t === "aws:ec2/vpc:Vpc")).toHaveLength(1);
        expect(types.filter((t: string) => t === "aws:ec2/subnet:Subnet")).toHaveLength(6);
        expect(types.filter((t: string) => t === "aws:ec2/natGateway:NatGateway")).toHaveLength(1);
        expect(types.filter((t: string) => t === "aws:ec2/flowLog:FlowLog")).toHaveLength(1);
        expect(plan.policies.evaluated.map((p: { policy: string }) => p.policy)).toEqual(policies.map((p) => p.name));
        expect(plan.policies.violations).toEqual([]);
        expect(plan.outputs).toMatchObject({ environment: "dev", vpcCidr: "10.20.0.0/16", availabilityZones: ["us-east-1a", "us-east-1b"] });
        expect(run.stdout).toContain("pr-cybr-platform/dev: ");
        expect(run.stdout).toContain("pr-cybr:network:Vpc  pr-cybr-dev");
        for (const component of ["pr-cybr:cluster:EksCluster  pr-cybr-dev-cluster", "pr-cybr:cluster:ManagedNodeGroup  pr-cybr-dev-ng-system", "pr-cybr:cluster:Cilium  pr-cybr-dev-cilium", "pr-cybr:cluster:CoreDns  pr-cybr-dev-coredns"]) {
            expect(run.stdout).toContain(component);
        }
        expect(run.stdout).toMatch(/aws:ec2\/subnet:Subnet\s+6/);
        expect(run.stdout).toMatch(/aws-required-tags\s+mandatory\s+0/);
    });

    it("is deterministic: two prod runs write byte-identical plans; --timings records the duration", () => {
        const a = tempDir("a");
        expect(runTool("synth", ["--stack", "prod", "--out", a]).status).toBe(0);
        const first = fs.readFileSync(path.join(a, "prod.plan.json"));
        expect(first.equals(fs.readFileSync(sharedPlan("prod")))).toBe(true);
        const prod = JSON.parse(first.toString());
        expect(prod.resources.filter((r: { type: string }) => r.type === "aws:ec2/natGateway:NatGateway")).toHaveLength(3);
        expect(prod.resources.filter((r: { type: string }) => r.type === "aws:ec2/subnet:Subnet")).toHaveLength(9);
        expect(runTool("synth", ["--stack", "prod", "--out", a, "--timings"]).status).toBe(0);
        expect(JSON.parse(fs.readFileSync(path.join(a, "prod.plan.json"), "utf8")).stats.durationMs).toBeGreaterThan(0);
    });

    it("rejects invalid config with exit 2, every problem as `path: what (allowed)`, no stack trace and no plan", () => {
        const dir = tempDir("badcfg");
        const file = derivedStackFile(dir, "dev", (c) => {
            c["pr-cybr-platform:tenants"][2].name = "Org_A";
            c["pr-cybr-platform:swarm"].managers = 2;
        });
        const run = runTool("synth", ["--stack", "dev", "--config", file, "--out", dir]);
        expect(run.status).toBe(2);
        expect(run.stderr).toContain("invalid stack config: 2 problems\n  swarm.managers: 2 is not an odd manager count for Raft quorum (one of 1, 3, 5)\n");
        expect(run.stderr).toContain(`  tenants[2].name: "Org_A" is not a DNS label (lowercase letters, digits and '-', 1-63 characters, starting and ending with a letter or digit)`);
        expect(run.stderr).not.toMatch(STACK_TRACE);
        expect(fs.existsSync(path.join(dir, "dev.plan.json"))).toBe(false);
    });

    it("rejects an unknown project config key, a misspelled project namespace and a config area stored as a secret (exit 2)", () => {
        const dir = tempDir("keys");
        const file = derivedStackFile(dir, "dev", (c) => {
            c["pr-cybr-platform:tenant"] = [];
            c["pr-cybr-platform:tags"] = { secure: "v1:AAAAbogusciphertext" };
            c["pr-cybr-platfrom:budget"] = c["pr-cybr-platform:budget"];
            delete c["pr-cybr-platform:budget"];
        });
        const run = runTool("synth", ["--stack", "dev", "--config", file, "--out", dir]);
        expect(run.status).toBe(2);
        expect(run.stderr).toContain("tags: is stored as a secret, but it is plain config that ends up in names, tags and plans (set it without --secret)");
        expect(run.stderr).toContain("tenant: is not a config key of this project (did you mean tenants? allowed: environment, globalNameSuffix, tags, network, cluster, tenants, gitops, swarm, edge, secrets, budget, cloudflare, addons)");
        expect(run.stderr).toContain(`pr-cybr-platfrom:budget: "pr-cybr-platfrom" is not this project's namespace (did you mean pr-cybr-platform:budget?)`);
        expect(run.stderr).not.toContain("budget: is required");
        expect(run.stderr).not.toMatch(STACK_TRACE);
    });

    it.each([
        [[], "--stack is required"],
        [["--stack", "dev", "--frobnicate"], "Unknown option '--frobnicate'"],
        [["--stack", "qa"], "Pulumi.qa.yaml: no such file"],
        [["--stack", "dev", "--policy-config", "nope.json"], "nope.json: no such file"],
    ])("exits 2 on a usage error: %j", (args, message) => {
        const run = runTool("synth", args as string[]);
        expect(run.status).toBe(2);
        expect(run.stderr).toContain(message);
        expect(run.stderr).not.toMatch(STACK_TRACE);
    });

    it("exits 2 on a policy config that names no rule or breaks a rule's schema", () => {
        const dir = tempDir("polcfg");
        const file = path.join(dir, "p.json");
        fs.writeFileSync(file, JSON.stringify({ "aws-required-tag": "mandatory", "vpc-flow-logs-enabled": { trafficTypes: ["SOME"] } }));
        const run = runTool("synth", ["--stack", "dev", "--policy-config", file, "--out", dir]);
        expect(run.status).toBe(2);
        expect(run.stderr).toContain(`aws-required-tag: no such policy (known: all, ${policies.map((p) => p.name).join(", ")})`);
        expect(run.stderr).toContain("vpc-flow-logs-enabled.trafficTypes.0: must be equal to one of the allowed values");
    });

    it("exits 1 on a mandatory violation (plan still written, with the violations) and 0 when it is advisory", () => {
        const dir = tempDir("violations");
        const file = path.join(dir, "p.json");
        fs.writeFileSync(file, JSON.stringify({ "aws-required-tags": { enforcementLevel: "mandatory", requiredTags: ["data-classification"] } }));
        const mandatory = runTool("synth", ["--stack", "dev", "--policy-config", file, "--out", dir]);
        expect(mandatory.status).toBe(1);
        const plan = JSON.parse(fs.readFileSync(path.join(dir, "dev.plan.json"), "utf8"));
        const tagViolations = plan.policies.violations.filter((v: { policy: string }) => v.policy === "aws-required-tags");
        expect(tagViolations.length).toBeGreaterThan(10);
        expect(tagViolations[0]).toMatchObject({ enforcementLevel: "mandatory", urn: expect.stringMatching(/^urn:pulumi:dev::/) });
        const mandatoryCount = plan.policies.violations.filter((v: { enforcementLevel: string }) => v.enforcementLevel === "mandatory").length;
        expect(mandatory.stderr).toContain(`${mandatoryCount} mandatory policy violations`);

        const devConfig = JSON.parse(fs.readFileSync(path.join(ROOT_DIR, "policy", "config", "dev.json"), "utf8"));
        fs.writeFileSync(file, JSON.stringify({ ...devConfig, "aws-required-tags": { enforcementLevel: "advisory", requiredTags: ["data-classification"] } }));
        const advisory = runTool("synth", ["--stack", "dev", "--policy-config", file, "--out", dir]);
        expect(advisory.status).toBe(0);
        expect(advisory.stdout).toMatch(/\[advisory\] aws-required-tags: aws:ec2\/vpc:Vpc "pr-cybr-dev-vpc" is missing tag data-classification/);
    });

    it("reports a cloud mismatch found while running (too few AZs) as one clean line, exit 1", () => {
        const dir = tempDir("azs");
        const file = derivedStackFile(dir, "dev", (c) => {
            c["aws:region"] = "eu-west-1";
            c["pr-cybr-platform:network"].azCount = 4;
        });
        const run = runTool("synth", ["--stack", "dev", "--config", file, "--out", dir]);
        expect(run.status).toBe(1);
        expect(run.stderr).toBe("synth failed:\n  azCount is 4 but the region offers 3 AZs without opt-in (eu-west-1a, eu-west-1b, eu-west-1c); lower network.azCount\n");
    });
});
