import * as aws from "@pulumi/aws";
import { awsRequiredTags } from "../../policy/rules";
import { isTaggableAwsType, providerDefaultTags } from "../../policy/rules/lib/aws-types";
import { runResource } from "./harness";

const FULL = { environment: "dev", project: "pr-cybr-platform", owner: "platform-team", "cost-center": "cc-1" };
const providerWith = (tags: Record<string, string> | undefined) => ({
    type: "pulumi:providers:aws",
    name: "aws-dev",
    urn: "urn:pulumi:test::pr-cybr-platform::pulumi:providers:aws::aws-dev",
    // The engine hands provider inputs over as JSON text, as the SDK serializes them.
    props: tags ? { region: "us-east-1", defaultTags: JSON.stringify({ tags }) } : { region: "us-east-1" },
});

describe("aws-required-tags", () => {
    it("passes when the provider's default tags carry every required tag", async () => {
        const out = await runResource(awsRequiredTags, aws.ec2.Vpc, { cidrBlock: "10.0.0.0/16", tags: { Name: "v" } }, { provider: providerWith(FULL) });
        expect(out.messages).toEqual([]);
    });

    it("passes when the resource's own tags fill the gap", async () => {
        const { owner: _o, ...partial } = FULL;
        const out = await runResource(awsRequiredTags, aws.ec2.Subnet, { tags: { owner: "team-x" } }, { provider: providerWith(partial) });
        expect(out.messages).toEqual([]);
    });

    it("fails naming the missing tags when neither the provider nor the resource has them", async () => {
        const out = await runResource(awsRequiredTags, aws.ec2.Vpc, { cidrBlock: "10.0.0.0/16", tags: { environment: "dev" } }, { name: "net", provider: providerWith(undefined) });
        expect(out.messages).toEqual([
            'aws:ec2/vpc:Vpc "net" is missing tags project, owner, cost-center: set them in the AWS provider\'s defaultTags (stacks/providers.ts) or on the resource.',
        ]);
    });

    it("fails on an empty value, which AWS accepts but cost reports cannot use", async () => {
        const out = await runResource(awsRequiredTags, aws.kms.Key, { tags: { owner: " " } }, { name: "k", provider: providerWith(FULL) });
        expect(out.messages).toEqual(['aws:kms/key:Key "k" is missing tag owner: set them in the AWS provider\'s defaultTags (stacks/providers.ts) or on the resource.']);
    });

    it("takes the required keys from policy config", async () => {
        const out = await runResource(awsRequiredTags, aws.ec2.Vpc, {}, { name: "v", provider: providerWith(FULL), config: { requiredTags: ["data-classification"] } });
        expect(out.messages).toEqual(['aws:ec2/vpc:Vpc "v" is missing tag data-classification: set them in the AWS provider\'s defaultTags (stacks/providers.ts) or on the resource.']);
    });

    it("ignores types that cannot be tagged and non-AWS resources", async () => {
        expect((await runResource(awsRequiredTags, aws.ec2.Route, { destinationCidrBlock: "0.0.0.0/0" })).messages).toEqual([]);
        expect((await runResource(awsRequiredTags, aws.ec2.RouteTableAssociation, {})).messages).toEqual([]);
        expect((await runResource(awsRequiredTags, "pr-cybr:network:Vpc", {})).messages).toEqual([]);
    });
});

describe("tag helpers", () => {
    it("knows taggable types from the SDK's generated classes", () => {
        expect(isTaggableAwsType("aws:ec2/vpc:Vpc")).toBe(true);
        expect(isTaggableAwsType("aws:cloudwatch/logGroup:LogGroup")).toBe(true);
        expect(isTaggableAwsType("aws:ec2/route:Route")).toBe(false);
        expect(isTaggableAwsType("aws:iam/rolePolicy:RolePolicy")).toBe(false);
        expect(isTaggableAwsType("aws:nosuch/thing:Thing", { tags: {} })).toBe(true);
        expect(isTaggableAwsType("aws:nosuch/thing:Other")).toBe(false);
    });

    it("reads default tags given as JSON text or as an object", () => {
        expect(providerDefaultTags({ props: { defaultTags: '{"tags":{"a":"1"}}' } })).toEqual({ a: "1" });
        expect(providerDefaultTags({ props: { defaultTags: { tags: { b: "2" } } } })).toEqual({ b: "2" });
        expect(providerDefaultTags({ props: { defaultTags: "not json" } })).toEqual({});
        expect(providerDefaultTags(undefined)).toEqual({});
    });
});
