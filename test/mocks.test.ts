import * as aws from "@pulumi/aws";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, SecretValue } from "./mocks";

const harness = installMocks({ stack: "mocktest", cloud: { region: "us-west-2", accountId: "210987654321" } });

class FakePassword extends pulumi.CustomResource {
    declare readonly result: pulumi.Output<string>;
    constructor(name: string, opts?: pulumi.CustomResourceOptions) {
        super("random:index/randomPassword:RandomPassword", name, { length: 32, result: undefined }, { ...opts, additionalSecretOutputs: ["result"] });
    }
}

describe("mock harness", () => {
    it("answers invokes realistically for the configured fake cloud", async () => {
        const zones = await aws.getAvailabilityZones({ state: "available" });
        expect(zones.names).toEqual(["us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"]);
        const me = await aws.getCallerIdentity({});
        expect(me.accountId).toBe("210987654321");
        expect(harness.invokes.map((i) => i.token)).toEqual(["aws:index/getAvailabilityZones:getAvailabilityZones", "aws:index/getCallerIdentity:getCallerIdentity"]);
    });

    it("records every resource option a diff needs, and the plan writes only those set (DESIGN §5 options)", async () => {
        const provider = new aws.Provider("opts-p", { region: "us-west-2" });
        new aws.ec2.Vpc(
            "opts-vpc",
            { cidrBlock: "10.9.0.0/16" },
            {
                provider,
                ignoreChanges: ["tags"],
                replaceOnChanges: ["enableDnsHostnames"],
                deleteBeforeReplace: true,
                retainOnDelete: true,
                aliases: [{ name: "old-vpc" }],
                customTimeouts: { create: "30m", delete: "1h" },
                additionalSecretOutputs: ["arn"],
            },
        );
        new aws.ec2.Vpc("plain-vpc", { cidrBlock: "10.8.0.0/16" });
        await harness.settle();
        const { planOptions } = await import("../tools/lib/plan");
        expect(planOptions(harness.get(aws.ec2.Vpc, "opts-vpc"))).toEqual({
            additionalSecretOutputs: ["arn"],
            aliases: [{ name: "old-vpc" }],
            customTimeouts: { create: "30m", delete: "1h" },
            deleteBeforeReplace: true,
            ignoreChanges: ["tags"],
            provider: harness.get("pulumi:providers:aws", "opts-p").urn,
            replaceOnChanges: ["enableDnsHostnames"],
            retainOnDelete: true,
        });
        expect(planOptions(harness.get(aws.ec2.Vpc, "plain-vpc"))).toBeUndefined();
    });

    it("throws on an invoke nobody mocked, naming the file to add it to", async () => {
        await expect(aws.ec2.getAmi({ owners: ["amazon"], mostRecent: true })).rejects.toThrow(
            "unmocked invoke aws:ec2/getAmi:getAmi: add a realistic answer to test/mocks/invokes.ts",
        );
    });

    it("records type, parent, dependencies, provider and inputs; ids and ARNs are realistic and stable", async () => {
        const provider = new aws.Provider("p", { region: "us-west-2" });
        const parent = new pulumi.ComponentResource("pr-cybr:test:Parent", "parent", {}, { providers: { aws: provider } });
        const vpc = new aws.ec2.Vpc("v", { cidrBlock: "10.1.0.0/16" }, { parent });
        new aws.ec2.Subnet("s", { vpcId: vpc.id, cidrBlock: "10.1.0.0/20" }, { parent, protect: true });
        await harness.settle();

        const recordedVpc = harness.get(aws.ec2.Vpc, "v");
        const subnet = harness.get(aws.ec2.Subnet, "s");
        expect(recordedVpc.id).toMatch(/^vpc-[0-9a-f]{17}$/);
        expect(recordedVpc.outputs.arn).toBe(`arn:aws:ec2:us-west-2:210987654321:vpc/${recordedVpc.id}`);
        expect(subnet.parent).toBe(harness.get("pr-cybr:test:Parent", "parent").urn);
        expect(subnet.dependsOn).toEqual([recordedVpc.urn]);
        expect(subnet.propertyDependencies.vpcId).toEqual([recordedVpc.urn]);
        expect(subnet.protect).toBe(true);
        expect(subnet.inputs).toMatchObject({ vpcId: recordedVpc.id, cidrBlock: "10.1.0.0/20" });
        expect(subnet.providerRef.startsWith(harness.get("pulumi:providers:aws", "p").urn + "::")).toBe(true);

    });

    it("keeps secrets secret: secret inputs and additionalSecretOutputs are recorded as SecretValue, generated values are tracked", async () => {
        const password = new FakePassword("db");
        const role = new aws.iam.Role("r", { assumeRolePolicy: "{}", description: pulumi.secret("classified") });
        new aws.ec2.Vpc("uses-secret", { cidrBlock: "10.2.0.0/16", tags: { token: password.result } });
        await harness.settle();

        expect(harness.get(aws.iam.Role, "r").inputs.description).toEqual(new SecretValue("classified"));
        const generated = [...harness.generatedSecrets];
        expect(generated).toHaveLength(1);
        expect(generated[0]).toMatch(/^\S{32}$/);
        expect(harness.get("random:index/randomPassword:RandomPassword", "db").outputs.result).toEqual(new SecretValue(generated[0]));
        // A secret output flowing into another resource stays secret there.
        expect(harness.get(aws.ec2.Vpc, "uses-secret").inputs.tags).toEqual(new SecretValue({ token: generated[0] }));
        expect(await new Promise((resolve) => pulumi.isSecret(role.description).then(resolve))).toBe(true);
    });

    // Last: installing a second harness replaces the global monitor for the rest of this file.
    it("is deterministic: an id is a function of type and name only", async () => {
        const first = harness.get(aws.ec2.Vpc, "v").id;
        const again = installMocks({ stack: "mocktest", cloud: { region: "us-west-2", accountId: "210987654321" } });
        new aws.ec2.Vpc("v", { cidrBlock: "10.1.0.0/16" });
        await again.settle();
        expect(again.get(aws.ec2.Vpc, "v").id).toBe(first);
    });

    it("records assets by path and content hash, and fails settle() when a registration cannot be recorded", async () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "asset-")), "index.js");
        fs.writeFileSync(file, "exports.handler = async () => 1;\n");
        const harness = installMocks({ stack: "assets" });
        new aws.lambda.Function("fn", { role: "arn:aws:iam::210987654321:role/r", runtime: "nodejs22.x", handler: "index.handler", code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.FileAsset(file) }) });
        await harness.settle();
        const code = harness.get(aws.lambda.Function, "fn").inputs.code as Record<string, any>;
        expect(code.archive["index.js"]).toMatchObject({ asset: "file", sha256: crypto.createHash("sha256").update("exports.handler = async () => 1;\n").digest("hex") });

        new aws.lambda.Function("gone", { role: "arn:aws:iam::210987654321:role/r", runtime: "nodejs22.x", handler: "index.handler", code: new pulumi.asset.FileArchive("/nonexistent/code.zip") });
        await expect(harness.settle()).rejects.toThrow(/lost registrations:\n  aws:lambda\/function:Function::gone: ENOENT/);
        harness.recorder.failures.length = 0;
    });
});
