import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Arch, archOfInstanceType, INSTANCE_TYPE } from "../shared/instance-types";
import { isDnsLabel } from "../shared/names";
import { Tags } from "../shared/tags";
import { ArgProblem, throwIfProblems } from "../shared/validation";
import { CILIUM_AGENT_NOT_READY_TAINT } from "./cilium-values";

export type AmiFamily = "AL2023" | "Bottlerocket";
export type CapacityType = "ON_DEMAND" | "SPOT";

/** The EKS AMI type for an OS family and architecture. */
export function amiTypeFor(family: AmiFamily, arch: Arch): string {
    if (family === "Bottlerocket") return arch === "arm64" ? "BOTTLEROCKET_ARM_64" : "BOTTLEROCKET_x86_64";
    return arch === "arm64" ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
}

/** Bottlerocket keeps containers on its second volume; AL2023 on the root volume. */
export function dataVolumeDevice(family: AmiFamily): string {
    return family === "Bottlerocket" ? "/dev/xvdb" : "/dev/xvda";
}

export interface ManagedNodeGroupArgs {
    /** The cluster the group joins. Required. */
    readonly clusterName: pulumi.Input<string>;
    /** Kubernetes version of the nodes (upgraded after the control plane). Required. */
    readonly kubernetesVersion: string;
    /** The node IAM role (from EksCluster). Required. */
    readonly nodeRoleArn: pulumi.Input<string>;
    /** Subnets the nodes go in (the private ones). Required. */
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** The group's name inside the cluster (a DNS label). Required. */
    readonly groupName: string;
    /** Instance types, all of the group's architecture. Required. */
    readonly instanceTypes: string[];
    /** CPU architecture of the nodes. Required. */
    readonly arch: Arch;
    /** Sizes: minSize <= desiredSize <= maxSize. Required. */
    readonly minSize: number;
    readonly maxSize: number;
    readonly desiredSize: number;
    /** On-demand or spot capacity. Defaults to "ON_DEMAND". */
    readonly capacityType?: CapacityType;
    /** Node OS. Defaults to "AL2023". */
    readonly amiFamily?: AmiFamily;
    /** Size of the (encrypted gp3) volume holding containers, GiB. Defaults to 50. */
    readonly diskSizeGiB?: number;
    /** KMS key for the node volumes; unset uses the account's EBS default key. Defaults to undefined. */
    readonly volumeKmsKeyArn?: pulumi.Input<string>;
    /** Kubernetes labels on every node. Defaults to {}. */
    readonly labels?: Record<string, string>;
    /** Share of nodes replaced at once during a rolling update. Defaults to 33. */
    readonly maxUnavailablePercentage?: number;
    /** Tags for the group and, through the launch template, its instances, volumes and ENIs. Defaults to {}. */
    readonly tags?: Tags;
}

export const MANAGED_NODE_GROUP_DEFAULTS = {
    capacityType: "ON_DEMAND" as CapacityType,
    amiFamily: "AL2023" as AmiFamily,
    diskSizeGiB: 50,
    labels: {} as Record<string, string>,
    maxUnavailablePercentage: 33,
    tags: {} as Tags,
};

/**
 * Hop limit 1: the IMDSv2 token's response may not cross one routed hop, so pods in their own network
 * namespace (one hop behind the node) cannot fetch the node role's credentials, while host-network pods
 * (the Cilium agent and operator) still can: they are on the node itself. 2 would hand the node role to
 * every pod with egress. EKS best practices, Security > "Restrict access to the instance profile assigned
 * to the worker node"; EC2 user guide, "Configure the instance metadata options" (hop limit).
 */
export const IMDS_HOP_LIMIT = 1;

/** Pure check of ManagedNodeGroupArgs; throws every problem at once. */
export function validateManagedNodeGroupArgs(args: ManagedNodeGroupArgs): void {
    const problems: ArgProblem[] = [];
    if (!isDnsLabel(args.groupName)) problems.push({ path: "groupName", reason: `"${args.groupName}" is not a DNS label` });
    if (args.instanceTypes.length === 0) problems.push({ path: "instanceTypes", reason: "is empty (list at least one instance type)" });
    args.instanceTypes.forEach((t, i) => {
        if (!INSTANCE_TYPE.test(t)) problems.push({ path: `instanceTypes[${i}]`, reason: `"${t}" is not an instance type` });
        else if (archOfInstanceType(t) !== args.arch) problems.push({ path: `instanceTypes[${i}]`, reason: `"${t}" is ${archOfInstanceType(t)}, the group is ${args.arch}` });
    });
    const { minSize, desiredSize, maxSize } = args;
    if (!(0 <= minSize && minSize <= desiredSize && desiredSize <= maxSize && maxSize >= 1)) {
        problems.push({ path: "desiredSize", reason: `sizes ${minSize}/${desiredSize}/${maxSize} break 0 <= minSize <= desiredSize <= maxSize, maxSize >= 1` });
    }
    const pct = args.maxUnavailablePercentage ?? MANAGED_NODE_GROUP_DEFAULTS.maxUnavailablePercentage;
    if (!(pct >= 1 && pct <= 100)) problems.push({ path: "maxUnavailablePercentage", reason: `${pct} is out of range (1 to 100)` });
    throwIfProblems("ManagedNodeGroup", problems);
}

/**
 * An EKS managed node group for a Cilium cluster: every node starts tainted
 * `node.cilium.io/agent-not-ready=true:NoExecute` (nothing but Cilium and host-network system pods run
 * until its agent is ready), IMDSv2 only, an encrypted gp3 volume, tags on what the group launches,
 * rolling updates and automatic node repair.
 */
export class ManagedNodeGroup extends pulumi.ComponentResource {
    public readonly nodeGroupName: pulumi.Output<string>;
    public readonly nodeGroupArn: pulumi.Output<string>;

    constructor(name: string, args: ManagedNodeGroupArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before super(): invalid args must not leave even the component registered.
        validateManagedNodeGroupArgs(args);
        super("pr-cybr:cluster:ManagedNodeGroup", name, {}, opts);
        const d = MANAGED_NODE_GROUP_DEFAULTS;
        const tags = { ...d.tags, ...args.tags };
        const family = args.amiFamily ?? d.amiFamily;

        const launchTemplate = new aws.ec2.LaunchTemplate(
            `${name}-lt`,
            {
                description: `Nodes of group ${args.groupName}`,
                updateDefaultVersion: true,
                metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: IMDS_HOP_LIMIT, instanceMetadataTags: "disabled" },
                blockDeviceMappings: [
                    {
                        deviceName: dataVolumeDevice(family),
                        ebs: { volumeSize: args.diskSizeGiB ?? d.diskSizeGiB, volumeType: "gp3", encrypted: "true", kmsKeyId: args.volumeKmsKeyArn, deleteOnTermination: "true" },
                    },
                ],
                monitoring: { enabled: true },
                // Provider default tags do not reach what an Auto Scaling group launches; these do.
                tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({ resourceType, tags: { ...tags, Name: `${args.groupName}-node` } })),
                tags: { ...tags, Name: `${name}-lt` },
            },
            { parent: this },
        );

        const group = new aws.eks.NodeGroup(
            `${name}-ng`,
            {
                clusterName: args.clusterName,
                nodeGroupName: args.groupName,
                version: args.kubernetesVersion,
                nodeRoleArn: args.nodeRoleArn,
                subnetIds: args.subnetIds,
                instanceTypes: args.instanceTypes,
                capacityType: args.capacityType ?? d.capacityType,
                amiType: amiTypeFor(family, args.arch),
                launchTemplate: { id: launchTemplate.id, version: pulumi.interpolate`${launchTemplate.latestVersion}` },
                scalingConfig: { minSize: args.minSize, maxSize: args.maxSize, desiredSize: args.desiredSize },
                labels: { ...(args.labels ?? d.labels), "pr-cybr.io/node-group": args.groupName },
                taints: [{ key: CILIUM_AGENT_NOT_READY_TAINT.key, value: CILIUM_AGENT_NOT_READY_TAINT.value, effect: "NO_EXECUTE" }],
                updateConfig: { maxUnavailablePercentage: args.maxUnavailablePercentage ?? d.maxUnavailablePercentage },
                nodeRepairConfig: { enabled: true },
                tags: { ...tags, Name: args.groupName },
            },
            // The autoscaler owns the current size; Pulumi owns the bounds. dependsOn is forwarded (options
            // do not flow to children) so nodes wait for what the caller says they need, e.g. NAT egress.
            { parent: this, dependsOn: opts?.dependsOn, ignoreChanges: ["scalingConfig.desiredSize"] },
        );

        this.nodeGroupName = group.nodeGroupName;
        this.nodeGroupArn = group.arn;
        this.registerOutputs({ nodeGroupName: this.nodeGroupName, nodeGroupArn: this.nodeGroupArn });
    }
}
