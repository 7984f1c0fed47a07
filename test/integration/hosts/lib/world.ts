// The AWS side of a swarm, created in moto from the plan: the swarm's KMS key, its Secrets Manager
// secrets (TLS material stored as the PKI's SecretVersions do), the backup bucket with its default
// encryption, the manager Auto Scaling groups with their lifecycle hook, and an EC2 instance, tagged
// as the launch template tags it, for every host that boots.
import { aws } from "./aws";
import { SwarmPki } from "./pki";
import { managerUserData, one, Plan, resources } from "./plan";
import { HostIdentity } from "./host";

/** Subnets of the simulated VPC: one per AZ, all on the bridge's 10.99.0.0/24. */
const ZONES = [
    { az: "us-east-1a", cidr: "10.99.0.0/26", first: 10 },
    { az: "us-east-1b", cidr: "10.99.0.64/26", first: 74 },
    { az: "us-east-1c", cidr: "10.99.0.128/26", first: 138 },
];

export interface SwarmWorld {
    plan: Plan;
    settings: Record<string, string>;
    keyArn: string;
    groups: string[];
    /** Launches an instance for manager group `index` (a new address each time) and returns its identity. */
    launch(index: number, name: string): HostIdentity;
    terminate(instanceId: string): void;
}

export function createSwarmWorld(plan: Plan, pki: SwarmPki): SwarmWorld {
    const { launchTemplate, settings } = managerUserData(plan);
    const key = one(plan, "aws:kms/key:Key", "swarm-key");
    const keyArn: string = aws(["kms", "create-key", "--description", key.inputs.description]).KeyMetadata.Arn;
    // The plan names the swarm's key by its mock ARN (the managers' volumes use it too).
    const swarmKeyPlanArn = launchTemplate.inputs.blockDeviceMappings?.[0]?.ebs?.kmsKeyId;
    const planKeyArn = (arn: string) => {
        if (arn !== swarmKeyPlanArn) throw new Error(`plan: ${arn} is not the swarm's key ${swarmKeyPlanArn}`);
        return keyArn;
    };

    const secretIds: Record<string, string> = {};
    for (const s of resources(plan, "aws:secretsmanager/secret:Secret", "swarm")) {
        if (!s.inputs.name?.startsWith(settings.SWARM_NAME)) continue;
        const tags = Object.entries(s.inputs.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
        secretIds[s.inputs.name] = aws(["secretsmanager", "create-secret", "--name", s.inputs.name, "--kms-key-id", planKeyArn(s.inputs.kmsKeyId), "--tags", JSON.stringify(tags)]).ARN;
    }
    const tls = { ca: pki.ca.certPem, cert: pki.dockerd.certPem, key: pki.dockerd.keyPem };
    for (const [part, value] of Object.entries(tls)) {
        const version = one(plan, "aws:secretsmanager/secretVersion:SecretVersion", `swarm-pki-store-${part}`);
        const name = Object.keys(secretIds).find((n) => version.inputs.secretId.includes(`:secret:${n}-`));
        if (!name) throw new Error(`no secret in the plan for ${version.name}`);
        aws(["secretsmanager", "put-secret-value", "--secret-id", name, "--secret-string", value]);
    }

    const bucket = settings.BACKUP_BUCKET;
    aws(["s3api", "create-bucket", "--bucket", bucket]);
    aws(["s3api", "put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", "Status=Enabled"]);
    const enc = resources(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "swarm")[0].inputs;
    const rules = enc.rules.map((r: any) => ({
        ApplyServerSideEncryptionByDefault: { SSEAlgorithm: r.applyServerSideEncryptionByDefault.sseAlgorithm, KMSMasterKeyID: planKeyArn(r.applyServerSideEncryptionByDefault.kmsMasterKeyId) },
        BucketKeyEnabled: r.bucketKeyEnabled,
    }));
    aws(["s3api", "put-bucket-encryption", "--bucket", bucket, "--server-side-encryption-configuration", JSON.stringify({ Rules: rules })]);

    const vpc = aws(["ec2", "create-vpc", "--cidr-block", "10.99.0.0/24"]).Vpc.VpcId;
    const subnets = ZONES.map((z) => aws(["ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", z.cidr, "--availability-zone", z.az]).Subnet.SubnetId);
    const image = aws(["ec2", "describe-images", "--owners", "amazon", "--query", "Images[0].ImageId"]);
    const ltName = launchTemplate.inputs.name ?? `${settings.SWARM_NAME}-lt`;
    aws(["ec2", "create-launch-template", "--launch-template-name", ltName, "--launch-template-data", JSON.stringify({ ImageId: image, InstanceType: launchTemplate.inputs.instanceType })]);
    const instanceTags = launchTemplate.inputs.tagSpecifications.find((t: any) => t.resourceType === "instance").tags as Record<string, string>;

    const groups = resources(plan, "aws:autoscaling/group:Group", "swarm-manager").sort((a, b) => a.name.localeCompare(b.name));
    groups.forEach((g, i) => {
        aws(["autoscaling", "create-auto-scaling-group", "--auto-scaling-group-name", g.inputs.name, "--launch-template", `LaunchTemplateName=${ltName},Version=$Latest`, "--min-size", "0", "--max-size", String(g.inputs.maxSize), "--desired-capacity", "0", "--vpc-zone-identifier", subnets[i % subnets.length]]);
        for (const hook of g.inputs.initialLifecycleHooks ?? []) {
            aws(["autoscaling", "put-lifecycle-hook", "--auto-scaling-group-name", g.inputs.name, "--lifecycle-hook-name", hook.name, "--lifecycle-transition", hook.lifecycleTransition, "--heartbeat-timeout", String(hook.heartbeatTimeout), "--default-result", hook.defaultResult]);
        }
    });

    const launched = [0, 0, 0];
    const metadataTagsEnabled = launchTemplate.inputs.metadataOptions?.instanceMetadataTags === "enabled";
    // EC2's default PUT response hop limit is 1 when the launch template sets none (EC2 user guide, "Configure the instance metadata options").
    const hopLimit: number = launchTemplate.inputs.metadataOptions?.httpPutResponseHopLimit ?? 1;
    return {
        plan,
        settings,
        keyArn,
        groups: groups.map((g) => g.inputs.name),
        launch(index, name) {
            const zone = ZONES[index % ZONES.length];
            const ip = `10.99.0.${zone.first + launched[index]++}`;
            const group = groups[index].inputs;
            const tags = { ...instanceTags, ...Object.fromEntries((group.tags ?? []).filter((t: any) => t.propagateAtLaunch).map((t: any) => [t.key, t.value])) };
            const spec = [{ ResourceType: "instance", Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }];
            const instanceId: string = aws(["ec2", "run-instances", "--image-id", image, "--instance-type", launchTemplate.inputs.instanceType, "--subnet-id", subnets[index % subnets.length], "--private-ip-address", ip, "--count", "1", "--tag-specifications", JSON.stringify(spec)]).Instances[0].InstanceId;
            aws(["autoscaling", "attach-instances", "--auto-scaling-group-name", group.name, "--instance-ids", instanceId]);
            const metadataTags = metadataTagsEnabled ? { Name: tags.Name, "aws:autoscaling:groupName": group.name } : undefined;
            return { name, ip, az: zone.az, instanceId, group: index, metadataTags, hopLimit };
        },
        terminate(instanceId) {
            // As an Auto Scaling group does with a terminated instance: it leaves the group, which launches another.
            const member = aws(["autoscaling", "describe-auto-scaling-instances", "--instance-ids", instanceId]).AutoScalingInstances[0];
            if (member) aws(["autoscaling", "detach-instances", "--auto-scaling-group-name", member.AutoScalingGroupName, "--instance-ids", instanceId, "--should-decrement-desired-capacity"]);
            aws(["ec2", "terminate-instances", "--instance-ids", instanceId]);
        },
    };
}
