/**
 * Violations seeded into a stack's policy inputs, to see whether a preview catches them: an ingress
 * rule opening SSH to the internet on an existing security group (linked as the program links one,
 * by a property dependency on securityGroupId), a VPC without a flow log, and a bare S3 bucket next to
 * a hardened one (its settings linked by a property dependency on bucket). The rules decide on values
 * a preview knows (ports, CIDRs, settings, links); only names, ids and ARNs are unknown there.
 */
import { WireResource } from "./wire";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const UNKNOWN = (require("@pulumi/pulumi/runtime/rpc") as { unknownValue: string }).unknownValue;

/** A hardened bucket with its three settings, and a bare one, as a component's children would be. */
function buckets(like: WireResource, mode: "known" | "preview"): { resources: WireResource[]; bare: string } {
    const [stack, project] = /^urn:pulumi:([^:]+)::([^:]+)/.exec(like.urn)!.slice(1);
    const make = (type: string, name: string, props: Record<string, unknown>, bucket?: WireResource): WireResource => ({
        ...like,
        urn: `urn:pulumi:${stack}::${project}::${type}::${name}`,
        type,
        name,
        parent: "",
        dependencies: bucket ? [bucket.urn] : [],
        propertyDependencies: bucket ? { bucket: [bucket.urn] } : {},
        inputs: props,
        outputs: props,
        providerUrn: like.providerUrn,
    });
    const known = (v: string) => (mode === "known" ? v : UNKNOWN);
    const state = make("aws:s3/bucket:Bucket", "seeded-state", { bucket: known("seeded-state-0a1b2c"), id: known("seeded-state-0a1b2c"), arn: known("arn:aws:s3:::seeded-state-0a1b2c") });
    const bare = make("aws:s3/bucket:Bucket", "seeded-bare", { bucket: known("seeded-bare-3d4e5f"), id: known("seeded-bare-3d4e5f"), arn: known("arn:aws:s3:::seeded-bare-3d4e5f") });
    const settings = [
        make("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "seeded-state-block", { bucket: known("seeded-state-0a1b2c"), blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, state),
        make("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "seeded-state-sse", { bucket: known("seeded-state-0a1b2c"), rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] }, state),
        make("aws:s3/bucketVersioning:BucketVersioning", "seeded-state-versioning", { bucket: known("seeded-state-0a1b2c"), versioningConfiguration: { status: "Enabled" } }, state),
    ];
    return { resources: [state, bare, ...settings], bare: bare.urn };
}

const renamed = (r: WireResource, suffix: string): WireResource => {
    const name = `${r.name}-${suffix}`;
    return { ...r, name, urn: `${r.urn.slice(0, r.urn.lastIndexOf("::"))}::${name}` };
};

export function seedViolations(resources: WireResource[], mode: "known" | "preview"): { resources: WireResource[]; expected: { policy: string; urn: string }[] } {
    const groups = new Set(resources.filter((r) => r.type === "aws:ec2/securityGroup:SecurityGroup").map((r) => r.urn));
    const rule = resources.find((r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" && groups.has(r.propertyDependencies.securityGroupId?.[0]));
    const vpc = resources.find((r) => r.type === "aws:ec2/vpc:Vpc");
    if (!rule || !vpc) throw new Error("the stack has no security group ingress rule or no VPC to seed next to");
    const ssh = renamed(rule, "seeded-ssh");
    const open = { cidrIpv4: "0.0.0.0/0", fromPort: 22, toPort: 22, description: "seeded: SSH from anywhere" };
    ssh.inputs = { ...rule.inputs, ...open };
    ssh.outputs = { ...rule.outputs, ...open };
    const bare = renamed(vpc, "seeded-bare");
    // Known, a VPC has an id of its own (the existing flow log must not match it by id).
    if (mode === "known") bare.outputs = { ...vpc.outputs, id: "vpc-0seeded0000000000" };
    const s3 = buckets(vpc, mode);
    return {
        resources: [...resources, ssh, bare, ...s3.resources],
        expected: [
            { policy: "aws-sg-no-public-admin-ports", urn: rule.propertyDependencies.securityGroupId[0] },
            { policy: "vpc-flow-logs-enabled", urn: bare.urn },
            { policy: "aws-s3-bucket-hardened", urn: s3.bare },
        ],
    };
}
