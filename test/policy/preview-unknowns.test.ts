/**
 * Rules in a preview: ids, ARNs and other provider-computed values are unknown (the harness's proxy
 * throws on reading one, as the analyzer's does, which turns the rule into an advisory "can't run").
 * A rule that only needs known values (ports, CIDRs, links, the tags it requires) must still decide,
 * or a mandatory check silently becomes advisory in every preview. Found by the real analyzer on the
 * preview of dev and prod (test/integration/policy/analyzer-plans.test.ts, seeded violations).
 */
import * as aws from "@pulumi/aws";
import { awsEksClusterHardened, awsRequiredTags, awsS3BucketHardened, awsSecurityGroupNoPublicAdminPorts, noPlaintextSecrets, tenantNamespaceGuardrails, vpcFlowLogsEnabled } from "../../policy/rules";
import { NO_DENY, twoTenants } from "./fixtures";
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

/**
 * Issue 17: one new resource's unknown value must not hide a violation on another. Each rule reports
 * what it can decide and notes, as the engines' advisory "can't run", only the check it could not.
 */
describe("one unknown degrades only the check that needs it", () => {
    it("aws-sg-no-public-admin-ports: a new group's unknown id does not hide an existing group open on 22", async () => {
        const fresh = stackResource(aws.ec2.SecurityGroup, "fresh", { id: UNKNOWN_STRING, tags: {} });
        const existing = stackResource(aws.ec2.SecurityGroup, "legacy", { id: "sg-legacy", tags: {} });
        const ssh = stackResource(aws.ec2.SecurityGroupRule, "ssh", { type: "ingress", securityGroupId: "sg-legacy", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] });
        // The unlinked rule names the existing group by its known id: matched, reported, nothing deferred.
        const out = await runStack(awsSecurityGroupNoPublicAdminPorts, [fresh, existing, ssh]);
        expect(out.messages).toEqual(['rule "ssh" opens 22 to 0.0.0.0/0.']);
        expect(out.urns).toEqual([existing.urn]);
        expect(out.cannotRun).toBeUndefined();
        // A literal id no known group has may be the new group's: that rule alone is deferred.
        const other = stackResource(aws.ec2.SecurityGroupRule, "other", { type: "ingress", securityGroupId: "sg-new", protocol: "tcp", fromPort: 2376, toPort: 2376, cidrBlocks: ["0.0.0.0/0"] });
        const out1 = await runStack(awsSecurityGroupNoPublicAdminPorts, [fresh, existing, ssh, other]);
        expect(out1.messages).toEqual(['rule "ssh" opens 22 to 0.0.0.0/0.']);
        expect(out1.cannotRun).toMatch(/can't be known during preview/);
        const linkedSsh = stackResource(aws.vpc.SecurityGroupIngressRule, "ssh2", { securityGroupId: "sg-legacy", ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" }, { propertyDependencies: { securityGroupId: [existing] } });
        const out2 = await runStack(awsSecurityGroupNoPublicAdminPorts, [fresh, existing, linkedSsh]);
        expect(out2.messages).toEqual(['rule "ssh2" opens 22 to 0.0.0.0/0.']);
        expect(out2.cannotRun).toBeUndefined();
    });

    it("aws-sg-no-public-admin-ports: a rule whose CIDR is unknown is deferred, the other group's open port is reported", async () => {
        const [a, b] = [stackResource(aws.ec2.SecurityGroup, "a", { id: "sg-a" }), stackResource(aws.ec2.SecurityGroup, "b", { id: "sg-b" })];
        const unknownCidr = stackResource(aws.vpc.SecurityGroupIngressRule, "from-vpc", { securityGroupId: "sg-a", ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: UNKNOWN_STRING }, { propertyDependencies: { securityGroupId: [a] } });
        const open = stackResource(aws.vpc.SecurityGroupIngressRule, "docker", { securityGroupId: "sg-b", ipProtocol: "tcp", fromPort: 2375, toPort: 2375, cidrIpv4: "0.0.0.0/0" }, { propertyDependencies: { securityGroupId: [b] } });
        const out = await runStack(awsSecurityGroupNoPublicAdminPorts, [a, b, unknownCidr, open]);
        expect(out.messages).toEqual(['rule "docker" opens 2375 to 0.0.0.0/0.']);
        expect(out.cannotRun).toMatch(/cidrIpv4/);
    });

    it("aws-s3-bucket-hardened: a new bucket's unknown name does not hide an existing bucket without settings", async () => {
        const fresh = stackResource(aws.s3.Bucket, "fresh", { bucket: UNKNOWN_STRING, id: UNKNOWN_STRING });
        const old = stackResource(aws.s3.Bucket, "old", { bucket: "old", id: "old" });
        const sseForOld = stackResource("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "sse", { bucket: "old", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] });
        const out = await runStack(awsS3BucketHardened, [fresh, old, sseForOld]);
        expect(out.messages).toEqual(['S3 bucket "fresh" lacks a public access block, versioning enabled.', 'S3 bucket "old" lacks a public access block, versioning enabled.']);
        expect(out.cannotRun).toMatch(/can't be known during preview/);
    });

    it("vpc-flow-logs-enabled: a flow log whose traffic type is unknown does not hide a VPC without any", async () => {
        const [a, bare] = [stackResource(aws.ec2.Vpc, "a", { id: UNKNOWN_STRING }), stackResource(aws.ec2.Vpc, "bare", { id: "vpc-bare" })];
        const log = stackResource(aws.ec2.FlowLog, "fl", { vpcId: UNKNOWN_STRING, trafficType: UNKNOWN_STRING, logDestination: "arn:aws:s3:::logs" }, { propertyDependencies: { vpcId: [a] } });
        const out = await runStack(vpcFlowLogsEnabled, [a, bare, log]);
        expect(out.messages).toEqual(['VPC "bare" has no flow log: add one (components/network VpcFlowLogs does it for you).']);
        expect(out.cannotRun).toMatch(/trafficType/);
    });

    it("aws-eks-cluster-hardened: an unknown KMS key ARN counts as set; unknown log types defer only the log check", async () => {
        const props = { name: "c", encryptionConfig: { provider: { keyArn: UNKNOWN_STRING }, resources: ["secrets"] }, enabledClusterLogTypes: UNKNOWN_STRING, vpcConfig: { endpointPublicAccess: true } };
        const out = await runResource(awsEksClusterHardened, aws.eks.Cluster, props);
        expect(out.messages).toEqual(['EKS cluster "c": the API endpoint is public (this environment requires it private).']);
        expect(out.cannotRun).toMatch(/enabledClusterLogTypes/);
    });

    it("no-plaintext-secrets: unknown rendered user data defers only its scan; a literal credential env still fails", async () => {
        const lt = await runResource(noPlaintextSecrets, aws.ec2.LaunchTemplate, { userData: UNKNOWN_STRING }, { name: "lt" });
        expect(lt).toMatchObject({ messages: [] });
        expect(lt.cannotRun).toMatch(/userData/);
        const env = { spec: { template: { spec: { containers: [{ name: "app", env: [{ name: "URL", value: UNKNOWN_STRING }, { name: "API_TOKEN", value: "abc" }] }] } } } };
        const out = await runResource(noPlaintextSecrets, "kubernetes:apps/v1:Deployment", env, { name: "d" });
        expect(out.messages).toEqual(['kubernetes:apps/v1:Deployment "d": container app env API_TOKEN is a literal (use valueFrom.secretKeyRef).']);
        expect(out.cannotRun).toMatch(/value/);
    });

    it("tenant-namespace-guardrails: one namespace's unknown policy spec does not hide another namespace's missing deny", async () => {
        const resources = twoTenants().map((r) =>
            r.name === "cnp-org-a" ? stackResource("kubernetes:cilium.io/v2:CiliumNetworkPolicy", "cnp-org-a", { metadata: { name: "tenant-default-deny", namespace: "org-a" }, spec: UNKNOWN_STRING }) : r,
        );
        const out = await runStack(tenantNamespaceGuardrails, resources.filter((r) => r.name !== "cnp-org-b"));
        expect(out.messages).toEqual([`tenant org-b: namespace org-b has ${NO_DENY}.`]);
        expect(out.cannotRun).toMatch(/spec/);
    });
});
