import * as aws from "@pulumi/aws";
import { Policies } from "@pulumi/policy";
import { evaluatePolicies as evaluate, PolicyConfigFile, policyConfigProblems } from "../../tools/lib/policy-engine";
import { installMocks, RecordedResource } from "../mocks";
import { recordEngineCase } from "./corpus";
import { countStack, everyType, flagEveryVpc, providerIsType, stackProviders, readsCidr, readsIds, reportsAnywhere, reportsOnOther, seen } from "./engine-rules";

const harness = installMocks({ stack: "engine" });

const rules = [flagEveryVpc, countStack];

/** The engine under test; each call is also a corpus case for the real analyzer (test/policy/corpus.ts). */
function evaluatePolicies(policies: Policies, resources: RecordedResource[], file: PolicyConfigFile) {
    recordEngineCase(policies, resources, file);
    return evaluate(policies, resources, file);
}

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

// What the real analyzer does (test/integration/policy/policy-differential.test.ts compares the two).
describe("policy engine, as the CLI attributes and degrades violations", () => {
    const ROOT_STACK = "urn:pulumi:engine::pr-cybr-platform::pulumi:pulumi:Stack::pr-cybr-platform-engine";
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const UNKNOWN = (require("@pulumi/policy/proxy") as { unknownStringValue: string }).unknownStringValue;

    it("puts a stack violation without a URN of the stack on the root stack, and a resource violation on the resource analyzed", async () => {
        const report = await evaluatePolicies([reportsAnywhere, reportsOnOther], harness.recorder.list(), {});
        const subnet = harness.get(aws.ec2.Subnet, "s").urn;
        expect(report.violations.map((v) => [v.message, v.urn])).toEqual([
            ["on the subnet", subnet],
            ["no urn", ROOT_STACK],
            ["outside", ROOT_STACK],
            ["vpc", harness.get(aws.ec2.Vpc, "v").urn],
        ]);
    });

    it("matches isType by the class's __pulumiType alone, as the analyzer does: a provider resource is not isType(aws.Provider)", async () => {
        expect((await evaluatePolicies([providerIsType], harness.recorder.list(), {})).violations).toEqual([]);
    });

    it("analyzes every resource, the root stack included, and gives stack rules each resource's provider", async () => {
        const stack = { ...harness.get(aws.ec2.Vpc, "v"), urn: ROOT_STACK, type: "pulumi:pulumi:Stack", name: "pr-cybr-platform-engine", custom: false, providerRef: "", inputs: {}, outputs: {} };
        const report = await evaluatePolicies([everyType, stackProviders], [...harness.recorder.list(), stack], {});
        const messages = (policy: string) => report.violations.filter((v) => v.policy === policy).map((v) => v.message).sort();
        expect(messages("every-type")).toEqual(["aws:ec2/subnet:Subnet", "aws:ec2/vpc:Vpc", "pulumi:providers:aws", "pulumi:pulumi:Stack"]);
        expect(messages("stack-providers")).toEqual(["s provider aws-x in us-east-1", "v provider aws-x in us-east-1"]);
    });

    it("turns a read of an unknown value into the engine's advisory 'can't run' diagnostic, not a verdict on the sentinel", async () => {
        const preview = harness.recorder.list().map((r) => (r.type === "aws:ec2/vpc:Vpc" ? { ...r, inputs: { ...r.inputs, cidrBlock: UNKNOWN }, outputs: { ...r.outputs, id: UNKNOWN } } : r));
        const report = await evaluatePolicies([readsCidr, readsIds], preview, {});
        expect(report.violations).toEqual([
            {
                policy: "reads-cidr",
                enforcementLevel: "advisory",
                urn: harness.get(aws.ec2.Vpc, "v").urn,
                message: "can't run policy 'reads-cidr' from policy pack 'pr-cybr-platform@v0.1.0' during preview: string value at .cidrBlock can't be known during preview",
            },
            {
                policy: "reads-ids",
                enforcementLevel: "advisory",
                urn: ROOT_STACK,
                message: "can't run policy 'reads-ids' from policy pack 'pr-cybr-platform@v0.1.0' during preview: string value at .id can't be known during preview",
            },
        ]);
    });
});
