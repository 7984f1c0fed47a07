import * as aws from "@pulumi/aws";
import { awsEbsEncrypted, awsEksClusterHardened, awsImdsv2Required, awsKmsKeyRotation, awsS3BucketHardened, awsSecretsRotationPeriod, awsSecurityGroupNoPublicAdminPorts, rotationDays } from "../../policy/rules";
import { runResource, runStack, stackResource } from "./harness";

describe("aws-imdsv2-required", () => {
    const v2 = { httpTokens: "required", httpPutResponseHopLimit: 1 };
    const hopMessage = (type: string, name: string, shown: string) =>
        `${type} "${name}" sets metadataOptions.httpPutResponseHopLimit to ${shown}; set 1: with more, every container or pod one hop away can take the instance role's credentials (host-network processes need only 1).`;
    it("passes IMDSv2-only instances and launch templates with hop limit 1", async () => {
        expect((await runResource(awsImdsv2Required, aws.ec2.LaunchTemplate, { metadataOptions: v2 })).messages).toEqual([]);
        expect((await runResource(awsImdsv2Required, aws.ec2.Instance, { metadataOptions: v2 })).messages).toEqual([]);
    });
    it("fails optional tokens and missing metadata options; ignores other types", async () => {
        expect((await runResource(awsImdsv2Required, aws.ec2.Instance, { metadataOptions: { ...v2, httpTokens: "optional" } }, { name: "i" })).messages).toEqual(['aws:ec2/instance:Instance "i" sets metadataOptions.httpTokens to "optional"; set "required".']);
        expect((await runResource(awsImdsv2Required, aws.ec2.LaunchTemplate, {}, { name: "lt" })).messages).toEqual([
            'aws:ec2/launchTemplate:LaunchTemplate "lt" sets metadataOptions.httpTokens to nothing (IMDSv1 stays on); set "required".',
            hopMessage("aws:ec2/launchTemplate:LaunchTemplate", "lt", "nothing (the AMI's default, 2 on AL2023)"),
        ]);
        expect((await runResource(awsImdsv2Required, aws.ec2.Vpc, {})).messages).toEqual([]);
    });
    it("fails a hop limit that lets containers reach the instance role, also when it is unset", async () => {
        expect((await runResource(awsImdsv2Required, aws.ec2.LaunchTemplate, { metadataOptions: { ...v2, httpPutResponseHopLimit: 2 } }, { name: "ng" })).messages).toEqual([hopMessage("aws:ec2/launchTemplate:LaunchTemplate", "ng", "2")]);
        expect((await runResource(awsImdsv2Required, aws.ec2.Instance, { metadataOptions: { httpTokens: "required" } }, { name: "i" })).messages).toEqual([hopMessage("aws:ec2/instance:Instance", "i", "nothing (the AMI's default, 2 on AL2023)")]);
    });
});

describe("aws-ebs-encrypted", () => {
    it("passes encrypted volumes (booleans or the provider's string form)", async () => {
        expect((await runResource(awsEbsEncrypted, aws.ec2.LaunchTemplate, { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true" } }] })).messages).toEqual([]);
        expect((await runResource(awsEbsEncrypted, aws.ec2.Instance, { rootBlockDevice: { encrypted: true }, ebsBlockDevices: [{ deviceName: "/dev/sdb", encrypted: true }] })).messages).toEqual([]);
        expect((await runResource(awsEbsEncrypted, aws.ebs.Volume, { encrypted: true })).messages).toEqual([]);
    });
    it("fails each unencrypted device", async () => {
        const out = await runResource(awsEbsEncrypted, aws.ec2.Instance, { rootBlockDevice: {}, ebsBlockDevices: [{ deviceName: "/dev/sdb", encrypted: false }] }, { name: "mgr" });
        expect(out.messages).toEqual(['aws:ec2/instance:Instance "mgr": the root volume, volume /dev/sdb are not encrypted.']);
        expect((await runResource(awsEbsEncrypted, aws.ebs.Volume, {}, { name: "v" })).messages).toEqual(['aws:ebs/volume:Volume "v": the volume is not encrypted.']);
        expect((await runResource(awsEbsEncrypted, aws.s3.Bucket, {})).messages).toEqual([]);
    });
});

describe("aws-s3-bucket-hardened", () => {
    const bucket = stackResource(aws.s3.Bucket, "state", { bucket: "pr-cybr-state", id: "pr-cybr-state" });
    const linked = (type: string, name: string, props: Record<string, unknown>) => stackResource(type, name, props, { propertyDependencies: { bucket: [bucket] } });
    const block = linked("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "block", { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    const sse = linked("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "sse", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] });
    const versioning = stackResource("aws:s3/bucketVersioning:BucketVersioning", "ver", { bucket: "pr-cybr-state", versioningConfiguration: { status: "Enabled" } });

    it("passes a bucket joined with all three settings (by dependency or by bucket name)", async () => {
        expect((await runStack(awsS3BucketHardened, [bucket, block, sse, versioning])).messages).toEqual([]);
    });
    it("fails a bucket missing any of them, on the bucket", async () => {
        const partial = linked("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "block", { blockPublicAcls: true });
        const out = await runStack(awsS3BucketHardened, [bucket, partial]);
        expect(out.messages).toEqual(['S3 bucket "state" lacks a public access block with all four settings on, default server-side encryption, versioning enabled.']);
        expect(out.urns).toEqual([bucket.urn]);
    });
});

describe("aws-sg-no-public-admin-ports", () => {
    const sg = (name: string, tags: Record<string, string> = {}) => stackResource(aws.ec2.SecurityGroup, name, { id: `sg-${name}`, tags });
    const rule = (group: ReturnType<typeof sg>, from: number, to: number, cidr = "0.0.0.0/0") =>
        stackResource(aws.vpc.SecurityGroupIngressRule, `${group.name}-${from}`, { securityGroupId: group.props.id, ipProtocol: "tcp", fromPort: from, toPort: to, cidrIpv4: cidr }, { propertyDependencies: { securityGroupId: [group] } });

    it("passes web ports on a load-balancer group and admin ports from private ranges", async () => {
        const lb = sg("lb", { "pr-cybr.io/role": "load-balancer" });
        const mgr = sg("mgr");
        expect((await runStack(awsSecurityGroupNoPublicAdminPorts, [lb, rule(lb, 443, 443), rule(lb, 80, 80), mgr, rule(mgr, 2377, 2377, "10.0.0.0/16")])).messages).toEqual([]);
    });
    it("fails Swarm, Docker API and SSH from the internet, and web ports on a non-LB group", async () => {
        const mgr = sg("mgr");
        const inline = stackResource(aws.ec2.SecurityGroup, "legacy", { id: "sg-legacy", ingress: [{ fromPort: 22, toPort: 22, protocol: "tcp", cidrBlocks: [], ipv6CidrBlocks: ["::/0"] }] });
        const out = await runStack(awsSecurityGroupNoPublicAdminPorts, [mgr, rule(mgr, 2375, 2377), rule(mgr, 443, 443), inline]);
        expect(out.messages).toEqual([
            'rule "mgr-2375" opens 2375-2377 to 0.0.0.0/0.',
            'rule "mgr-443" opens 443 to 0.0.0.0/0 (80/443 from the internet are for load-balancer security groups only).',
            'security group "legacy" opens 22 to ::/0.',
        ]);
    });
});

describe("aws-eks-cluster-hardened", () => {
    const cluster = (overrides: Record<string, unknown> = {}) => ({
        name: "c",
        encryptionConfig: { provider: { keyArn: "arn:aws:kms:us-east-1:1:key/k" }, resources: ["secrets"] },
        enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
        vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: false },
        ...overrides,
    });
    it("passes a private, encrypted, logged cluster", async () => {
        expect((await runResource(awsEksClusterHardened, aws.eks.Cluster, cluster())).messages).toEqual([]);
    });
    it("fails each weakness, and a public endpoint where config requires private", async () => {
        const weak = cluster({ encryptionConfig: undefined, enabledClusterLogTypes: ["api"], vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] } });
        expect((await runResource(awsEksClusterHardened, aws.eks.Cluster, weak)).messages).toEqual([
            'EKS cluster "c": secrets are not envelope-encrypted with a KMS key; control-plane logs miss audit, authenticator; the API endpoint is public (this environment requires it private).',
        ]);
        const devOpen = cluster({ vpcConfig: { endpointPublicAccess: true } });
        expect((await runResource(awsEksClusterHardened, aws.eks.Cluster, devOpen, { config: { requirePrivateEndpoint: false } })).messages).toEqual(['EKS cluster "c": the public API endpoint is open to the whole internet (0.0.0.0/0).']);
        expect((await runResource(awsEksClusterHardened, aws.eks.Cluster, cluster({ vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["198.51.100.24/32"] } }), { config: { requirePrivateEndpoint: false } })).messages).toEqual([]);
    });
});

describe("aws-kms-key-rotation and aws-secretsmanager-rotation-period", () => {
    it("passes rotating keys and rotations within 90 days; skips asymmetric keys", async () => {
        expect((await runResource(awsKmsKeyRotation, aws.kms.Key, { enableKeyRotation: true })).messages).toEqual([]);
        expect((await runResource(awsKmsKeyRotation, aws.kms.Key, { customerMasterKeySpec: "RSA_2048" })).messages).toEqual([]);
        expect((await runResource(awsSecretsRotationPeriod, aws.secretsmanager.SecretRotation, { rotationRules: { automaticallyAfterDays: 30 } })).messages).toEqual([]);
        expect((await runResource(awsSecretsRotationPeriod, aws.secretsmanager.SecretRotation, { rotationRules: { scheduleExpression: "rate(7 days)" } })).messages).toEqual([]);
    });
    it("fails a key that never rotates and a rotation every 120 days or unreadable", async () => {
        expect((await runResource(awsKmsKeyRotation, aws.kms.Key, {}, { name: "k" })).messages).toEqual(['KMS key "k" does not rotate (set enableKeyRotation: true).']);
        expect((await runResource(awsSecretsRotationPeriod, aws.secretsmanager.SecretRotation, { rotationRules: { automaticallyAfterDays: 120 } }, { name: "r" })).messages).toEqual(['secret rotation "r" runs every 120 days; the maximum is 90.']);
        expect((await runResource(awsSecretsRotationPeriod, aws.secretsmanager.SecretRotation, { rotationRules: { scheduleExpression: "cron(0 0 1 * ? *)" } }, { name: "r" })).messages).toEqual([
            'secret rotation "r" has no period it can read (use automaticallyAfterDays or rate(N days)).',
        ]);
        expect(rotationDays({ scheduleExpression: "rate(1 day)" })).toBe(1);
    });
});
