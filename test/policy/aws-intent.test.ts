/**
 * AWS configurations that look compliant but are not: a launch template with no devices, buckets of
 * the other types, the internet split into pieces, tags that never reach what an ASG launches.
 */
import * as aws from "@pulumi/aws";
import { awsEbsEncrypted, awsEksClusterHardened, awsRequiredTags, awsS3BucketHardened, awsSecurityGroupNoPublicAdminPorts } from "../../policy/rules";
import { worldOpenFamilies } from "../../policy/rules/lib/cidr";
import { runResource, runStack, stackResource } from "./harness";

describe("aws-ebs-encrypted: intent", () => {
    it("fails a launch template that maps no block device (the AMI's unencrypted mappings apply)", async () => {
        expect((await runResource(awsEbsEncrypted, aws.ec2.LaunchTemplate, { imageId: "ami-1" }, { name: "lt" })).messages).toEqual([
            'aws:ec2/launchTemplate:LaunchTemplate "lt" maps no block device, so instances get the AMI\'s mappings (unencrypted unless the AMI or the account default says otherwise): map the root device with ebs.encrypted: true.',
        ]);
        expect((await runResource(awsEbsEncrypted, aws.ec2.LaunchTemplate, { blockDeviceMappings: [] }, { name: "lt" })).messages).toHaveLength(1);
    });
    it("fails an unencrypted device next to an encrypted one, and the string \"false\"", async () => {
        const lt = { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true" } }, { deviceName: "/dev/xvdb", ebs: { encrypted: "false" } }] };
        expect((await runResource(awsEbsEncrypted, aws.ec2.LaunchTemplate, lt, { name: "lt" })).messages).toEqual(['aws:ec2/launchTemplate:LaunchTemplate "lt": block device /dev/xvdb is not encrypted.']);
    });
});

describe("aws-s3-bucket-hardened: every bucket type", () => {
    const hardened = (bucket: ReturnType<typeof stackResource>) => {
        const link = { propertyDependencies: { bucket: [bucket] } };
        return [
            stackResource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${bucket.name}-block`, { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, link),
            stackResource("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `${bucket.name}-sse`, { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] }, link),
            stackResource("aws:s3/bucketVersioning:BucketVersioning", `${bucket.name}-ver`, { versioningConfiguration: { status: "Enabled" } }, link),
        ];
    };

    it("judges the deprecated BucketV2 like a Bucket (it is the same AWS resource)", async () => {
        const v2 = stackResource("aws:s3/bucketV2:BucketV2", "legacy", { bucket: "legacy" });
        expect((await runStack(awsS3BucketHardened, [v2])).messages).toEqual(['S3 bucket "legacy" lacks a public access block, default server-side encryption, versioning enabled.']);
        expect((await runStack(awsS3BucketHardened, [v2, ...hardened(v2)])).messages).toEqual([]);
    });

    it("asks a directory bucket only for encryption (AWS blocks its public access and it has no versioning)", async () => {
        const dir = stackResource("aws:s3/directoryBucket:DirectoryBucket", "express", { bucket: "express--use1-az4--x-s3" });
        expect((await runStack(awsS3BucketHardened, [dir])).messages).toEqual(['S3 bucket "express" lacks default server-side encryption.']);
        const sse = stackResource("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "express-sse", { bucket: "express--use1-az4--x-s3", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] });
        expect((await runStack(awsS3BucketHardened, [dir, sse])).messages).toEqual([]);
    });

    it("asks table and vector buckets to state their encryption", async () => {
        const table = stackResource("aws:s3tables/tableBucket:TableBucket", "tables", { name: "tables" });
        const vectors = stackResource("aws:s3/vectorsVectorBucket:VectorsVectorBucket", "vectors", { vectorBucketName: "v", encryptionConfigurations: [{ sseType: "aws:kms" }] });
        expect((await runStack(awsS3BucketHardened, [table, vectors])).messages).toEqual(['S3 TableBucket "tables" sets no encryptionConfiguration: set one (a KMS key of this stack) so the encryption is stated, not assumed.']);
    });

    it("counts the inline (deprecated) encryption and versioning of s3.Bucket, but not versioning suspended", async () => {
        const inline = stackResource(aws.s3.Bucket, "inline", { bucket: "inline", versioning: { enabled: true }, serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } } } });
        const block = stackResource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "inline-block", { bucket: "inline", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
        expect((await runStack(awsS3BucketHardened, [inline, block])).messages).toEqual([]);
        const b = stackResource(aws.s3.Bucket, "b", { bucket: "b" });
        const [blk, sse] = hardened(b);
        const suspended = stackResource("aws:s3/bucketVersioning:BucketVersioning", "b-ver", { versioningConfiguration: { status: "Suspended" } }, { propertyDependencies: { bucket: [b] } });
        expect((await runStack(awsS3BucketHardened, [b, blk, sse, suspended])).messages).toEqual(['S3 bucket "b" lacks versioning enabled.']);
    });

    it("does not credit one bucket's settings to another (linked by dependency to a different bucket)", async () => {
        const a = stackResource(aws.s3.Bucket, "a", { bucket: "a" });
        const b = stackResource(aws.s3.Bucket, "b", { bucket: "b" });
        expect((await runStack(awsS3BucketHardened, [a, b, ...hardened(a)])).messages).toEqual(['S3 bucket "b" lacks a public access block, default server-side encryption, versioning enabled.']);
    });
});

describe("aws-sg-no-public-admin-ports: the internet however it is split", () => {
    const sg = (name: string, tags: Record<string, string> = {}) => stackResource(aws.ec2.SecurityGroup, name, { id: `sg-${name}`, tags });
    const rule = (group: ReturnType<typeof sg>, name: string, props: Record<string, unknown>) =>
        stackResource(aws.vpc.SecurityGroupIngressRule, name, { securityGroupId: group.props.id, ipProtocol: "tcp", ...props }, { propertyDependencies: { securityGroupId: [group] } });

    it("knows the public space: halves, everything but private ranges, IPv6 global unicast; not private ranges alone", () => {
        expect(worldOpenFamilies(["0.0.0.0/1", "128.0.0.0/1"])).toEqual(["0.0.0.0/0"]);
        expect(worldOpenFamilies(["0.0.0.0/5", "8.0.0.0/7", "11.0.0.0/8", "12.0.0.0/6", "16.0.0.0/4", "32.0.0.0/3", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/3"])).toEqual(["0.0.0.0/0"]); // all but 10/8
        expect(worldOpenFamilies(["2000::/4", "3000::/4"])).toEqual(["::/0"]);
        expect(worldOpenFamilies(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"])).toEqual([]);
        expect(worldOpenFamilies(["0.0.0.0/1"])).toEqual([]);
    });

    it("fails SSH opened by one rule whose CIDRs add up to the internet", async () => {
        const mgr = sg("mgr");
        const split = stackResource(aws.ec2.SecurityGroupRule, "ssh", { type: "ingress", securityGroupId: "sg-mgr", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/1", "128.0.0.0/1"] }, { propertyDependencies: { securityGroupId: [mgr] } });
        expect((await runStack(awsSecurityGroupNoPublicAdminPorts, [mgr, split])).messages).toEqual(['rule "ssh" opens 22 to 0.0.0.0/0 (its CIDRs 0.0.0.0/1, 128.0.0.0/1 add up to it).']);
    });

    it("fails SSH opened by two rules of one group, half the internet each", async () => {
        const mgr = sg("mgr");
        const out = await runStack(awsSecurityGroupNoPublicAdminPorts, [mgr, rule(mgr, "low", { fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/1" }), rule(mgr, "high", { fromPort: 20, toPort: 30, cidrIpv4: "128.0.0.0/1" })]);
        expect(out.messages).toEqual(['security group "mgr": rule "low", rule "high" together open 22 to 0.0.0.0/0 (their CIDRs add up to the whole internet).']);
        expect(out.urns).toEqual([mgr.urn]);
    });

    it("does not add up rules of different groups", async () => {
        const [a, b] = [sg("a"), sg("b")];
        expect((await runStack(awsSecurityGroupNoPublicAdminPorts, [a, b, rule(a, "a22", { fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/1" }), rule(b, "b22", { fromPort: 22, toPort: 22, cidrIpv4: "128.0.0.0/1" })])).messages).toEqual([]);
    });

    it("reads protocol -1 as every port (fromPort/toPort 0 say nothing then), and ignores ICMP", async () => {
        const legacy = stackResource(aws.ec2.SecurityGroup, "legacy", { id: "sg-legacy", ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] });
        expect((await runStack(awsSecurityGroupNoPublicAdminPorts, [legacy])).messages).toEqual(['security group "legacy" opens 0-1023, 2375-2377, 4789, 7946 to 0.0.0.0/0.']);
        const ping = stackResource(aws.ec2.SecurityGroup, "ping", { id: "sg-ping", ingress: [{ protocol: "icmp", fromPort: 8, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] });
        expect((await runStack(awsSecurityGroupNoPublicAdminPorts, [ping])).messages).toEqual([]);
    });

    it("fails 22 from the IPv6 internet split in two, while 443 on a load balancer stays allowed", async () => {
        const lb = sg("lb", { "pr-cybr.io/role": "load-balancer" });
        const out = await runStack(awsSecurityGroupNoPublicAdminPorts, [lb, rule(lb, "https", { fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" }), rule(lb, "ssh", { fromPort: 22, toPort: 22, cidrIpv6: "2000::/4" }), rule(lb, "ssh2", { fromPort: 22, toPort: 22, cidrIpv6: "3000::/4" })]);
        expect(out.messages).toEqual(['security group "lb": rule "ssh", rule "ssh2" together open 22 to ::/0 (their CIDRs add up to the whole internet).']);
    });
});

describe("aws-eks-cluster-hardened: intent", () => {
    it("fails a public endpoint open to the internet split in two CIDRs", async () => {
        const props = { name: "c", encryptionConfig: { provider: { keyArn: "arn:aws:kms:us-east-1:1:key/k" }, resources: ["secrets"] }, enabledClusterLogTypes: ["audit", "authenticator"], vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/1", "128.0.0.0/1"] } };
        expect((await runResource(awsEksClusterHardened, aws.eks.Cluster, props, { config: { requirePrivateEndpoint: false } })).messages).toEqual(['EKS cluster "c": the public API endpoint is open to the whole internet (0.0.0.0/1, 128.0.0.0/1).']);
    });
    it("fails encryption of something other than secrets", async () => {
        const props = { name: "c", encryptionConfig: { provider: { keyArn: "arn:aws:kms:us-east-1:1:key/k" }, resources: ["configmaps"] }, enabledClusterLogTypes: ["audit", "authenticator"], vpcConfig: { endpointPublicAccess: false } };
        expect((await runResource(awsEksClusterHardened, aws.eks.Cluster, props)).messages).toEqual(['EKS cluster "c": secrets are not envelope-encrypted with a KMS key.']);
    });
});

describe("aws-required-tags: where default tags do not reach", () => {
    const full = { environment: "dev", project: "pr-cybr-platform", owner: "platform-team", "cost-center": "cc-1" };
    const provider = { type: "pulumi:providers:aws", name: "aws", urn: "urn:pulumi:test::pr-cybr-platform::pulumi:providers:aws::aws", props: { defaultTags: JSON.stringify({ tags: full }) } };
    const asgTags = (tags: Record<string, string>, propagateAtLaunch = true) => Object.entries(tags).map(([key, value]) => ({ key, value, propagateAtLaunch }));

    it("gives a list-form Auto Scaling group no credit for provider default tags", async () => {
        const out = await runResource(awsRequiredTags, aws.autoscaling.Group, { tags: asgTags({ Name: "mgr" }) }, { name: "asg", provider });
        expect(out.messages).toEqual([
            'aws:autoscaling/group:Group "asg" does not tag environment, project, owner, cost-center with propagateAtLaunch: true: an Auto Scaling group gets no provider default tags, so list every required tag in its tags (as components/swarm does).',
        ]);
        expect((await runResource(awsRequiredTags, aws.autoscaling.Group, { tags: asgTags(full) }, { name: "asg", provider })).messages).toEqual([]);
    });

    it("fails required tags on an ASG that are not propagated to its instances", async () => {
        const tags = [...asgTags(full).filter((t) => t.key !== "owner"), { key: "owner", value: "platform-team", propagateAtLaunch: false }];
        expect((await runResource(awsRequiredTags, aws.autoscaling.Group, { tags }, { name: "asg", provider })).messages[0]).toMatch(/^aws:autoscaling\/group:Group "asg" does not tag owner with propagateAtLaunch: true/);
    });

    it("fails launch-template tagSpecifications without the required tags, even with default tags on the template", async () => {
        const props = { tags: {}, tagSpecifications: [{ resourceType: "instance", tags: { ...full } }, { resourceType: "volume", tags: { Name: "v" } }] };
        expect((await runResource(awsRequiredTags, aws.ec2.LaunchTemplate, props, { name: "lt", provider })).messages).toEqual([
            'aws:ec2/launchTemplate:LaunchTemplate "lt": tagSpecifications for volume lack environment, project, owner, cost-center; provider default tags do not reach launched resources, so list them there.',
        ]);
    });

    it("fails a required tag set to blank", async () => {
        expect((await runResource(awsRequiredTags, aws.ec2.Vpc, { tags: { owner: " " } }, { name: "v", provider })).messages).toEqual([
            'aws:ec2/vpc:Vpc "v" is missing tag owner: set them in the AWS provider\'s defaultTags (stacks/providers.ts) or on the resource.',
        ]);
    });
});
