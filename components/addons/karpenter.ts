import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CILIUM_AGENT_NOT_READY_TAINT } from "../shared/cilium-taint";
import { podIdentityTrustPolicy, serviceTrustPolicy } from "../shared/iam";
import { Arch } from "../shared/instance-types";
import { isDnsLabel } from "../shared/names";
import { parseQuantity } from "../shared/quantity";
import { Tags } from "../shared/tags";
import { ArgProblem, throwIfProblems } from "../shared/validation";
import { AddonSpec, ClusterAddon, pinnedVersionProblem, PinnedVersion } from "./addon";
import { ebsCsiKmsPolicy } from "./ebs-csi";
import { INTERRUPTION_EVENTS, interruptionQueuePolicy, karpenterControllerPolicy } from "./karpenter-iam";

/**
 * The pinned Karpenter chart (oci://public.ecr.aws/karpenter/karpenter): 1.13.1, tag v1.13.1 of
 * aws/karpenter-provider-aws (commit 245b48b04cc7ce108bb23fafa135230e81ed39e8). Its compatibility
 * matrix (website/content/en/v1.13/upgrading/compatibility.md, as published with v1.14.1) lists 1.13.x
 * for Kubernetes 1.30 to 1.36 (1.35 needs >= 1.9).
 */
export const KARPENTER_CHART_VERSION: PinnedVersion = {
    version: "1.13.1",
    kubernetesVersions: ["1.30", "1.31", "1.32", "1.33", "1.34", "1.35", "1.36"],
    source: "aws/karpenter-provider-aws website/content/en/v1.13/upgrading/compatibility.md",
};
export const KARPENTER_CHART_VERSIONS: readonly PinnedVersion[] = [KARPENTER_CHART_VERSION];
export const KARPENTER_CHART = "oci://public.ecr.aws/karpenter/karpenter";
export const KARPENTER_NAMESPACE = "kube-system";
export const KARPENTER_SERVICE_ACCOUNT = "karpenter";
export const KARPENTER_NODE_CLASS = "default";

/** The node policies Karpenter's nodes need (the same CloudFormation's KarpenterNodeRole), without AmazonEKS_CNI_Policy: Cilium's operator manages ENIs. */
export const KARPENTER_NODE_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonSSMManagedInstanceCore"] as const;

export type CapacityType = "on-demand" | "spot";

/** One NodePool: nodes of one architecture and capacity type, up to its limits. */
export interface KarpenterNodePool {
    /** The NodePool's name (a DNS label). */
    readonly name: string;
    readonly arch: Arch;
    readonly capacityType: CapacityType;
    /** The most CPU and memory the pool's nodes may add up to (Kubernetes quantities): what the autoscaler may provision. */
    readonly limits: { readonly cpu: string; readonly memory: string };
}

/** The EC2NodeClass (karpenter.k8s.aws/v1) every NodePool uses. */
export function ec2NodeClassSpec(args: {
    nodeRoleName: pulumi.Input<string>;
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    securityGroupIds: pulumi.Input<string>[];
    kmsKeyArn: pulumi.Input<string>;
    amiAlias: string;
    diskSizeGiB: number;
    tags: Record<string, pulumi.Input<string>>;
}) {
    return {
        // The node role (not an instance profile): Karpenter creates and tags the profile itself.
        role: args.nodeRoleName,
        amiSelectorTerms: [{ alias: args.amiAlias }],
        subnetSelectorTerms: pulumi.output(args.subnetIds).apply((ids) => ids.map((id) => ({ id }))),
        securityGroupSelectorTerms: args.securityGroupIds.map((id) => ({ id })),
        // Hop limit 1, as the managed node groups (components/cluster/node-group.ts IMDS_HOP_LIMIT): no pod in
        // its own network namespace reaches the node role; the Cilium agent runs on the host network.
        metadataOptions: { httpEndpoint: "enabled", httpProtocolIPv6: "disabled", httpPutResponseHopLimit: 1, httpTokens: "required" },
        // The root volume (AL2023 keeps containers there) on gp3, encrypted with the environment's key.
        blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: `${args.diskSizeGiB}Gi`, volumeType: "gp3", encrypted: true, kmsKeyID: args.kmsKeyArn, deleteOnTermination: true } }],
        detailedMonitoring: true,
        // Provider default tags do not reach what Karpenter launches; these do (instances, volumes, ENIs).
        tags: args.tags,
    };
}

/** A NodePool (karpenter.sh/v1) for one architecture and capacity type. */
export function nodePoolSpec(pool: KarpenterNodePool) {
    return {
        template: {
            metadata: { labels: { "pr-cybr.io/node-pool": pool.name } },
            spec: {
                nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: KARPENTER_NODE_CLASS },
                requirements: [
                    { key: "kubernetes.io/arch", operator: "In", values: [pool.arch] },
                    { key: "karpenter.sh/capacity-type", operator: "In", values: [pool.capacityType] },
                    { key: "karpenter.k8s.aws/instance-category", operator: "In", values: ["c", "m", "r"] },
                    { key: "karpenter.k8s.aws/instance-generation", operator: "Gt", values: ["5"] },
                ],
                // A startup taint, not a taint: the agent lifts it, and Karpenter expects it to be there and
                // does not launch more nodes for pods that do not tolerate it (cztack#895: 72% redundant
                // nodeclaims without it). Cilium's Karpenter guide sets it NoExecute like the node groups.
                startupTaints: [CILIUM_AGENT_NOT_READY_TAINT],
                expireAfter: "720h",
            },
        },
        limits: { cpu: pool.limits.cpu, memory: pool.limits.memory },
        disruption: { consolidationPolicy: "WhenEmptyOrUnderutilized", consolidateAfter: "5m", budgets: [{ nodes: "10%" }] },
        // Spot first where a spot pool exists for the same pods (Karpenter tries higher weights first).
        weight: pool.capacityType === "spot" ? 20 : 10,
    };
}

/** Helm values of the pinned chart (its values.yaml at v1.13.1: settings, serviceAccount, replicas, controller). */
export function karpenterValues(args: { clusterName: string; queueName: pulumi.Input<string>; replicas: number }) {
    return {
        settings: { clusterName: args.clusterName, interruptionQueue: args.queueName },
        serviceAccount: { create: true, name: KARPENTER_SERVICE_ACCOUNT },
        replicas: args.replicas,
        controller: { resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } } },
    };
}

export interface KarpenterArgs {
    /** The cluster's name (known now: it names the tags the controller's policy requires). Required. */
    readonly clusterName: string;
    /** The cluster's ARN (the Pod Identity trust names it). Required. */
    readonly clusterArn: pulumi.Input<string>;
    /** The cluster's Kubernetes version, "1.NN", checked against the pinned chart. Required. */
    readonly kubernetesVersion: string;
    /** Subnets nodes launch in (the private ones). Required. */
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Security groups of the nodes (the cluster security group, as the managed node groups). Required. */
    readonly securityGroupIds: pulumi.Input<string>[];
    /** The key node volumes are encrypted with (the environment's). Required. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** The NodePools. Required (at least one). */
    readonly nodePools: readonly KarpenterNodePool[];
    /** Chart version. Defaults to KARPENTER_CHART_VERSION.version. */
    readonly chartVersion?: string;
    /** EKS-optimized AMI alias. Defaults to "al2023@latest". */
    readonly amiAlias?: string;
    /** Root volume size, GiB. Defaults to 50. */
    readonly diskSizeGiB?: number;
    /** Controller replicas. Defaults to 2. */
    readonly replicas?: number;
    /** Tags on the AWS resources and on everything Karpenter launches. Defaults to {}. */
    readonly tags?: Tags;
}

export const KARPENTER_DEFAULTS = { chartVersion: KARPENTER_CHART_VERSION.version, amiAlias: "al2023@latest", diskSizeGiB: 50, replicas: 2, tags: {} as Tags };

/** Pure check of KarpenterArgs; throws every problem at once. */
export function validateKarpenterArgs(args: KarpenterArgs): void {
    const problems: ArgProblem[] = [];
    const version = args.chartVersion ?? KARPENTER_DEFAULTS.chartVersion;
    const versionProblem = pinnedVersionProblem({ addon: "karpenter", path: "chartVersion", version, known: KARPENTER_CHART_VERSIONS, knownName: "KARPENTER_CHART_VERSIONS", kubernetesVersion: args.kubernetesVersion });
    if (versionProblem) problems.push(versionProblem);
    if (args.nodePools.length === 0) problems.push({ path: "nodePools", reason: "is empty (list at least one NodePool, or turn the autoscaler off)" });
    const names = new Set<string>();
    args.nodePools.forEach((p, i) => {
        if (!isDnsLabel(p.name)) problems.push({ path: `nodePools[${i}].name`, reason: `"${p.name}" is not a DNS label` });
        if (names.has(p.name)) problems.push({ path: `nodePools[${i}].name`, reason: `"${p.name}" appears twice (NodePool names are unique)` });
        names.add(p.name);
        for (const r of ["cpu", "memory"] as const) {
            const q = parseQuantity(p.limits[r]);
            if (q === undefined || !(q > 0)) problems.push({ path: `nodePools[${i}].limits.${r}`, reason: `"${p.limits[r]}" is not a positive quantity (e.g. ${r === "cpu" ? '"64"' : '"256Gi"'})` });
        }
    });
    const alias = args.amiAlias ?? KARPENTER_DEFAULTS.amiAlias;
    if (!/^(al2023|bottlerocket)@.+$/.test(alias)) problems.push({ path: "amiAlias", reason: `"${alias}" is not an al2023@<version> or bottlerocket@<version> alias` });
    throwIfProblems("Karpenter", problems);
}

export function karpenterSpec(version: string): AddonSpec {
    return {
        name: "karpenter",
        version,
        kubernetesVersions: (KARPENTER_CHART_VERSIONS.find((v) => v.version === version) ?? KARPENTER_CHART_VERSION).kubernetesVersions,
        namespace: KARPENTER_NAMESPACE,
        podIdentity: [{ namespace: KARPENTER_NAMESPACE, serviceAccount: KARPENTER_SERVICE_ACCOUNT }],
        // Nothing: its pods wait at run time for nodes (the managed groups; its affinity keeps it off its
        // own nodes) and for DNS (it resolves AWS endpoints), and Helm waits for them.
        needs: [],
    };
}

/**
 * Karpenter: the controller (chart, on the managed node groups) with its IAM through an EKS Pod
 * Identity association, its nodes' role with an EC2_LINUX access entry, the interruption queue fed by
 * EventBridge, one EC2NodeClass and the NodePools.
 */
export class Karpenter extends pulumi.ComponentResource implements ClusterAddon {
    public readonly spec: AddonSpec;
    public readonly ready: pulumi.Resource[];
    public readonly controllerRoleArn: pulumi.Output<string>;
    /** The controller's role, as the GitOps bridge announces it (`karpenter_iam_role_arn`): an add-on moved to Git keeps its identity. */
    public readonly roleArn: pulumi.Output<string>;
    public readonly nodeRoleArn: pulumi.Output<string>;
    public readonly queueName: pulumi.Output<string>;

    constructor(name: string, args: KarpenterArgs, opts?: pulumi.ComponentResourceOptions) {
        validateKarpenterArgs(args);
        super("pr-cybr:addons:Karpenter", name, {}, opts);
        const d = KARPENTER_DEFAULTS;
        const tags = { ...d.tags, ...args.tags };
        const version = args.chartVersion ?? d.chartVersion;
        this.spec = karpenterSpec(version);
        const invoke = { parent: this };
        const account = aws.getCallerIdentityOutput({}, invoke).accountId;
        const partition = aws.getPartitionOutput({}, invoke).partition;
        const region = aws.getRegionOutput({}, invoke).region;
        const forwarded = { parent: this, dependsOn: opts?.dependsOn };

        const nodeRole = new aws.iam.Role(`${name}-node-role`, { description: `Karpenter nodes of ${args.clusterName}`, assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com"), tags: { ...tags, Name: `${name}-node-role` } }, { parent: this });
        const nodePolicies = KARPENTER_NODE_POLICIES.map(
            (policy) => new aws.iam.RolePolicyAttachment(`${name}-node-${policy}`, { role: nodeRole.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/${policy}` }, { parent: this }),
        );
        // Nodes join through an access entry of type EC2_LINUX (EKS maps it to system:nodes); managed node
        // groups get theirs from EKS, Karpenter's role needs its own.
        const access = new aws.eks.AccessEntry(`${name}-node-access`, { clusterName: args.clusterName, principalArn: nodeRole.arn, type: "EC2_LINUX", tags }, forwarded);

        const queue = new aws.sqs.Queue(`${name}-interruptions`, { name: `${args.clusterName}-karpenter`, messageRetentionSeconds: 300, sqsManagedSseEnabled: true, tags: { ...tags, Name: `${name}-interruptions` } }, { parent: this });
        const rules = Object.entries(INTERRUPTION_EVENTS).map(([role, e]) => {
            const rule = new aws.cloudwatch.EventRule(`${name}-${role}`, { description: `Karpenter: ${e.detailType}`, eventPattern: JSON.stringify({ source: [e.source], "detail-type": [e.detailType] }), tags }, { parent: this });
            new aws.cloudwatch.EventTarget(`${name}-${role}-target`, { rule: rule.name, arn: queue.arn, targetId: "KarpenterInterruptionQueueTarget" }, { parent: this });
            return rule;
        });
        const queuePolicy = new aws.sqs.QueuePolicy(`${name}-interruptions-policy`, { queueUrl: queue.url, policy: interruptionQueuePolicy(queue.arn, rules.map((r) => r.arn)) }, { parent: this });

        const role = new aws.iam.Role(`${name}-controller-role`, { description: "Karpenter controller (EKS Pod Identity)", assumeRolePolicy: podIdentityTrustPolicy({ account, clusterArn: args.clusterArn, serviceAccount: { namespace: KARPENTER_NAMESPACE, name: KARPENTER_SERVICE_ACCOUNT } }), tags: { ...tags, Name: `${name}-controller-role` } }, { parent: this });
        const controllerPolicy = new aws.iam.RolePolicy(
            `${name}-controller`,
            { role: role.id, policy: karpenterControllerPolicy({ partition, region, account, clusterName: args.clusterName, nodeRoleArn: nodeRole.arn, queueArn: queue.arn }) },
            { parent: this },
        );
        // Launching a node whose volume the environment's key encrypts: EC2 uses the caller's rights on the
        // key (Karpenter troubleshooting.md, "Node terminates before ready on failed encrypted EBS volume").
        const kms = new aws.iam.RolePolicy(`${name}-controller-kms`, { role: role.id, policy: ebsCsiKmsPolicy(args.kmsKeyArn, region) }, { parent: this });
        const association = new aws.eks.PodIdentityAssociation(
            `${name}-pod-identity`,
            { clusterName: args.clusterName, namespace: KARPENTER_NAMESPACE, serviceAccount: KARPENTER_SERVICE_ACCOUNT, roleArn: role.arn, tags },
            { ...forwarded, dependsOn: [...toResources(opts?.dependsOn), controllerPolicy, kms] },
        );

        const release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: "karpenter",
                chart: KARPENTER_CHART,
                version,
                namespace: KARPENTER_NAMESPACE,
                values: karpenterValues({ clusterName: args.clusterName, queueName: queue.name, replicas: args.replicas ?? d.replicas }),
                skipAwait: false,
                timeout: 900,
                maxHistory: 10,
            },
            // Credentials and the queue exist before the controller starts; the node role before it launches.
            { parent: this, dependsOn: [...toResources(opts?.dependsOn), association, queuePolicy, access, ...nodePolicies] },
        );

        const nodeClass = new k8s.apiextensions.CustomResource(
            `${name}-node-class`,
            {
                apiVersion: "karpenter.k8s.aws/v1",
                kind: "EC2NodeClass",
                metadata: { name: KARPENTER_NODE_CLASS },
                spec: ec2NodeClassSpec({ nodeRoleName: nodeRole.name, subnetIds: args.subnetIds, securityGroupIds: args.securityGroupIds, kmsKeyArn: args.kmsKeyArn, amiAlias: args.amiAlias ?? d.amiAlias, diskSizeGiB: args.diskSizeGiB ?? d.diskSizeGiB, tags }),
            },
            // The CRDs come with the release.
            { parent: this, dependsOn: [release] },
        );
        const pools = args.nodePools.map(
            (pool) => new k8s.apiextensions.CustomResource(`${name}-pool-${pool.name}`, { apiVersion: "karpenter.sh/v1", kind: "NodePool", metadata: { name: pool.name }, spec: nodePoolSpec(pool) }, { parent: this, dependsOn: [release, nodeClass] }),
        );

        this.controllerRoleArn = role.arn;

        this.roleArn = this.controllerRoleArn;
        this.nodeRoleArn = nodeRole.arn;
        this.queueName = queue.name;
        this.ready = [release, nodeClass, ...pools];
        this.registerOutputs({ controllerRoleArn: this.controllerRoleArn, nodeRoleArn: this.nodeRoleArn, queueName: this.queueName, chartVersion: version });
    }
}

function toResources(deps: pulumi.Input<pulumi.Input<pulumi.Resource>[]> | pulumi.Input<pulumi.Resource> | undefined): pulumi.Input<pulumi.Resource>[] {
    if (deps === undefined) return [];
    return Array.isArray(deps) ? deps : [deps as pulumi.Input<pulumi.Resource>];
}
