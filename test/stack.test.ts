import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { policies } from "../policy/rules";
import { parseStackConfig, readStackConfig, ConfigError } from "../stacks/config";
import { buildPlatform } from "../stacks/platform";
import { platformTags } from "../stacks/providers";
import { evaluatePolicies } from "../tools/lib/policy-engine";
import { rawConfigOf, ROOT } from "./helpers/config";
import { MockHarness } from "./mocks";
import { promiseOf } from "./helpers/outputs";
import { platformUnderMocks, stackConfig } from "./helpers/platform";

describe.each([
    ["dev", 2, 1, 1],
    ["prod", 3, 3, 8],
] as const)("the %s stack", (stack, azCount, nats, interfaceEndpoints) => {
    let harness: MockHarness;
    let outputs: ReturnType<typeof buildPlatform>;
    const config = stackConfig(stack);

    beforeAll(async () => ({ harness, outputs } = await platformUnderMocks(stack, config)));

    it(`has one VPC, 3 tiers x ${azCount} subnets, ${nats} NAT gateway(s) and a flow log`, () => {
        expect(harness.ofType(aws.ec2.Vpc)).toHaveLength(1);
        expect(harness.ofType(aws.ec2.Subnet)).toHaveLength(3 * azCount);
        expect(harness.ofType(aws.ec2.NatGateway)).toHaveLength(nats);
        expect(harness.ofType(aws.ec2.FlowLog)).toHaveLength(1);
        expect(harness.ofType(aws.ec2.VpcEndpoint)).toHaveLength(interfaceEndpoints);
    });

    it("puts every AWS resource on the one explicit provider, whose default tags carry the four required tags", () => {
        const [provider] = harness.ofType("pulumi:providers:aws");
        expect(JSON.parse(String(provider.inputs.defaultTags))).toEqual({
            tags: { environment: stack, project: "pr-cybr-platform", owner: "platform-team", "cost-center": `cc-4100-platform-${stack}` },
        });
        expect(platformTags(config)).toEqual(JSON.parse(String(provider.inputs.defaultTags)).tags);
        const awsResources = harness.recorder.list().filter((r) => r.type.startsWith("aws:"));
        for (const r of awsResources) expect(r.providerRef.split("::").slice(0, -1).join("::")).toBe(provider.urn);
    });

    it("passes every policy at the stack's levels", async () => {
        const file = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "config", `${stack}.json`), "utf8"));
        const report = await evaluatePolicies(policies, harness.recorder.list(), file);
        expect(report.violations).toEqual([]);
    });

    it("exports the network outputs", async () => {
        expect(outputs.environment).toBe(stack);
        expect(await promiseOf(outputs.availabilityZones)).toHaveLength(azCount);
        expect(await promiseOf(outputs.vpcCidr)).toBe(config.network.cidr);
        expect(await promiseOf(outputs.natPublicIps)).toHaveLength(nats);
    });
});

describe("readStackConfig (the only reader of pulumi.Config)", () => {
    const asPulumiConfig = (stack: "dev" | "prod", extra: Record<string, string> = {}) => {
        const raw = rawConfigOf(stack);
        const values: Record<string, string> = { "aws:region": String(raw.region), "aws:allowedAccountIds": JSON.stringify([raw.accountId]) };
        for (const [k, v] of Object.entries(raw)) if (k !== "region" && k !== "accountId") values[`pr-cybr-platform:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
        return { ...values, ...extra };
    };

    it("reads the stack's structured config and validates it", () => {
        pulumi.runtime.setAllConfig(asPulumiConfig("prod"));
        expect(readStackConfig()).toEqual(parseStackConfig(rawConfigOf("prod")).config);
    });

    it("takes the environment's one account from aws:allowedAccountIds, and names that key when it lists more", () => {
        pulumi.runtime.setAllConfig(asPulumiConfig("prod"));
        expect(readStackConfig().accountId).toBe("222222222222");
        pulumi.runtime.setAllConfig(asPulumiConfig("prod", { "aws:allowedAccountIds": '["111111111111","222222222222"]' }));
        expect(() => readStackConfig()).toThrow('aws:allowedAccountIds: ["111111111111","222222222222"] is not one account (a list of exactly the environment\'s account id: each environment is its own account)');
    });

    it("reports project keys it does not know (a typo would otherwise be ignored)", () => {
        pulumi.runtime.setAllConfig(asPulumiConfig("dev", { "pr-cybr-platform:tenant": "[]" }));
        expect(() => readStackConfig()).toThrow(new ConfigError([{ path: "tenant", message: "is not a config key of this project (did you mean tenants? allowed: environment, globalNameSuffix, tags, network, cluster, tenants, gitops, swarm, edge, secrets, budget, cloudflare, addons)" }]).message);
    });

    it("names a misspelled project namespace as such, with the key it meant, instead of reporting the key missing", () => {
        const values = asPulumiConfig("dev");
        values["pr-cybr-platfrom:budget"] = values["pr-cybr-platform:budget"];
        delete values["pr-cybr-platform:budget"];
        pulumi.runtime.setAllConfig(values);
        expect(() => readStackConfig()).toThrow(
            new ConfigError([{ path: "pr-cybr-platfrom:budget", message: '"pr-cybr-platfrom" is not this project\'s namespace (did you mean pr-cybr-platform:budget?)' }]).message,
        );
    });

    it("suggests the nearest project key for an unknown one", () => {
        pulumi.runtime.setAllConfig(asPulumiConfig("dev", { "pr-cybr-platform:budgte": "{}" }));
        expect(() => readStackConfig()).toThrow('budgte: is not a config key of this project (did you mean budget? allowed: environment, globalNameSuffix, tags, network, cluster, tenants, gitops, swarm, edge, secrets, budget, cloudflare, addons)');
    });

    it("refuses plain-config areas stored as secrets instead of leaking them into tags and plans", () => {
        const values = asPulumiConfig("dev");
        pulumi.runtime.setAllConfig(values, ["pr-cybr-platform:tags"]);
        expect(() => readStackConfig()).toThrow("tags: is stored as a secret, but it is plain config that ends up in names, tags and plans (set it without --secret)");
    });
});
