import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { evaluatePolicies, policyConfigProblems } from "../../tools/lib/policy-engine";
import { installMocks } from "../mocks";

const harness = installMocks({ stack: "engine" });

const seen: { props: unknown; provider?: unknown }[] = [];
const flagEveryVpc: ResourceValidationPolicy = {
    name: "flag-every-vpc",
    description: "test rule: reports each VPC so levels and config can be observed",
    enforcementLevel: "advisory",
    configSchema: { properties: { label: { type: "string", default: "vpc" } } },
    validateResource: (args, report) => {
        if (args.type !== "aws:ec2/vpc:Vpc") return;
        seen.push({ props: args.props, provider: args.provider?.props });
        report(`${args.getConfig<{ label: string }>().label} ${args.name}`);
    },
};
const countStack: StackValidationPolicy = {
    name: "count-stack",
    description: "test rule: reports how many resources and which parent links it saw",
    enforcementLevel: "remediate",
    validateStack: (args, report) => {
        const subnet = args.resources.find((r) => r.type === "aws:ec2/subnet:Subnet")!;
        report(`subnet parent ${subnet.parent?.name}, vpcId from ${subnet.propertyDependencies.vpcId.map((d) => d.name).join(",")}`, subnet.urn);
    },
};
const rules = [flagEveryVpc, countStack];

beforeAll(async () => {
    const provider = new aws.Provider("aws-x", { region: "us-east-1", defaultTags: { tags: { owner: "t" } } });
    const vpc = new aws.ec2.Vpc("v", { cidrBlock: "10.0.0.0/16", tags: { secret: "plain" } }, { provider });
    new aws.ec2.Subnet("s", { vpcId: vpc.id, cidrBlock: "10.0.0.0/20" }, { parent: vpc, provider });
    await harness.settle();
});

describe("policy engine", () => {
    it("gives resource rules the inputs and the provider's props, and stack rules linked outputs", async () => {
        const report = await evaluatePolicies(rules, harness.recorder.list(), {});
        expect(seen[0].props).toMatchObject({ cidrBlock: "10.0.0.0/16" });
        expect(JSON.parse(String((seen[0].provider as { defaultTags: string }).defaultTags))).toEqual({ tags: { owner: "t" } });
        expect(report.violations.map((v) => v.message)).toEqual(["subnet parent v, vpcId from v", "vpc v"]);
        expect(report.violations[1].urn).toBe(harness.get(aws.ec2.Vpc, "v").urn);
    });

    it("applies levels as the engine does: own entry, then 'all', then the rule's default; remediate reports as mandatory", async () => {
        expect((await evaluatePolicies(rules, harness.recorder.list(), {})).evaluated).toEqual([
            { policy: "flag-every-vpc", enforcementLevel: "advisory" },
            { policy: "count-stack", enforcementLevel: "remediate" },
        ]);
        const withAll = await evaluatePolicies(rules, harness.recorder.list(), { all: "mandatory", "count-stack": "advisory" });
        expect(withAll.violations.map((v) => [v.policy, v.enforcementLevel])).toEqual([
            ["count-stack", "advisory"],
            ["flag-every-vpc", "mandatory"],
        ]);
        const defaults = await evaluatePolicies(rules, harness.recorder.list(), {});
        expect(defaults.violations.find((v) => v.policy === "count-stack")!.enforcementLevel).toBe("mandatory");
    });

    it("skips disabled rules and passes config (with schema defaults) to getConfig", async () => {
        const report = await evaluatePolicies(rules, harness.recorder.list(), { "count-stack": "disabled", "flag-every-vpc": { label: "network" } });
        expect(report.evaluated.map((e) => e.policy)).toEqual(["flag-every-vpc"]);
        expect(report.violations.map((v) => v.message)).toEqual(["network v"]);
    });

    it("rejects config for an unknown rule, a bad level, or params outside the schema", () => {
        expect(policyConfigProblems(rules, { "flag-every-vcp": "mandatory", all: "strict", "flag-every-vpc": { label: 3, colour: "red" } })).toEqual([
            "flag-every-vcp: no such policy (known: all, flag-every-vpc, count-stack)",
            'all: "strict" is not an enforcement level (advisory, mandatory, remediate, disabled)',
            "flag-every-vpc: must NOT have additional properties \"colour\"",
            "flag-every-vpc.label: must be string",
        ]);
        return expect(evaluatePolicies(rules, [], { all: "strict" })).rejects.toThrow("invalid policy config");
    });
});
