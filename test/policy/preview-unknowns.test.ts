/**
 * Rules in a preview: ids, ARNs and other provider-computed values are unknown (the harness's proxy
 * throws on reading one, as the analyzer's does, which turns the rule into an advisory "can't run").
 * A rule that only needs known values (ports, CIDRs, links, the tags it requires) must still decide,
 * or a mandatory check silently becomes advisory in every preview. Found by the real analyzer on the
 * preview of dev and prod (test/integration/policy/analyzer-plans.test.ts, seeded violations).
 */
import * as aws from "@pulumi/aws";
import { awsRequiredTags, awsS3BucketHardened, awsSecurityGroupNoPublicAdminPorts, vpcFlowLogsEnabled } from "../../policy/rules";
import { runResource, runStack, stackResource, UNKNOWN_STRING } from "./harness";

describe("rules on preview-shaped resources", () => {
    it("aws-sg-no-public-admin-ports follows the property dependency to the group without reading ids", async () => {
        const sg = stackResource(aws.ec2.SecurityGroup, "mgr", { id: UNKNOWN_STRING, arn: UNKNOWN_STRING, tags: { Name: "mgr" } });
        const ssh = stackResource(aws.vpc.SecurityGroupIngressRule, "ssh", { securityGroupId: UNKNOWN_STRING, ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" }, { propertyDependencies: { securityGroupId: [sg] } });
        const cluster = stackResource(aws.eks.Cluster, "eks", { arn: UNKNOWN_STRING });
        const onClusterGroup = stackResource(aws.vpc.SecurityGroupIngressRule, "docker", { securityGroupId: UNKNOWN_STRING, ipProtocol: "tcp", fromPort: 2376, toPort: 2376, cidrIpv4: "0.0.0.0/0" }, { propertyDependencies: { securityGroupId: [cluster] } });
        const out = await runStack(awsSecurityGroupNoPublicAdminPorts, [sg, ssh, cluster, onClusterGroup]);
        expect(out.messages).toEqual(['rule "ssh" opens 22 to 0.0.0.0/0.', 'rule "docker" opens 2376 to 0.0.0.0/0.']);
        expect(out.urns).toEqual([sg.urn, undefined]);
    });

    it("vpc-flow-logs-enabled matches linked flow logs and counts a linked destination without reading ids or ARNs", async () => {
        const vpc = stackResource(aws.ec2.Vpc, "main", { id: UNKNOWN_STRING, cidrBlock: "10.0.0.0/16" });
        const bare = stackResource(aws.ec2.Vpc, "bare", { id: UNKNOWN_STRING, cidrBlock: "10.1.0.0/16" });
        const group = stackResource(aws.cloudwatch.LogGroup, "logs", { arn: UNKNOWN_STRING });
        const log = stackResource(aws.ec2.FlowLog, "fl", { vpcId: UNKNOWN_STRING, trafficType: "ALL", logDestination: UNKNOWN_STRING }, { propertyDependencies: { vpcId: [vpc], logDestination: [group] } });
        const out = await runStack(vpcFlowLogsEnabled, [vpc, bare, group, log]);
        expect(out.messages).toEqual(['VPC "bare" has no flow log: add one (components/network VpcFlowLogs does it for you).']);
        expect(out.urns).toEqual([bare.urn]);
    });

    it("aws-required-tags reads only the tags it requires", async () => {
        const provider = (tags: Record<string, string>) => ({ type: "pulumi:providers:aws", name: "aws", urn: "urn:pulumi:test::pr-cybr-platform::pulumi:providers:aws::aws", props: { defaultTags: JSON.stringify({ tags }) } });
        const full = { environment: "dev", project: "pr-cybr-platform", owner: "platform-team", "cost-center": "cc-1" };
        const props = { name: "bundle", tags: { "pr-cybr.io/edge-identity": UNKNOWN_STRING } };
        expect((await runResource(awsRequiredTags, aws.secretsmanager.Secret, props, { name: "bundle", provider: provider(full) })).messages).toEqual([]);
        const { owner: _owner, ...noOwner } = full;
        expect((await runResource(awsRequiredTags, aws.secretsmanager.Secret, props, { name: "bundle", provider: provider(noOwner) })).messages).toEqual([
            'aws:secretsmanager/secret:Secret "bundle" is missing tag owner: set them in the AWS provider\'s defaultTags (stacks/providers.ts) or on the resource.',
        ]);
    });
});

describe("aws-s3-bucket-hardened on preview-shaped resources", () => {
    it("joins a bucket's settings by their property dependency without reading bucket names or ids", async () => {
        const bucket = (name: string) => stackResource(aws.s3.Bucket, name, { bucket: UNKNOWN_STRING, id: UNKNOWN_STRING, arn: UNKNOWN_STRING });
        const [state, bare] = [bucket("state"), bucket("bare")];
        const linked = (type: string, name: string, props: Record<string, unknown>) => stackResource(type, name, { bucket: UNKNOWN_STRING, ...props }, { propertyDependencies: { bucket: [state] } });
        const block = linked("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "block", { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
        const sse = linked("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "sse", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] });
        const versioning = linked("aws:s3/bucketVersioning:BucketVersioning", "ver", { versioningConfiguration: { status: "Enabled" } });
        const out = await runStack(awsS3BucketHardened, [state, bare, block, sse, versioning]);
        expect(out.messages).toEqual(['S3 bucket "bare" lacks a public access block, default server-side encryption, versioning enabled.']);
        expect(out.urns).toEqual([bare.urn]);
    });
});
