/**
 * Turns config into the cluster's add-ons (issue 19): one entry per add-on, each built only when its
 * config enables it, each waiting for exactly the cluster prerequisites its spec declares
 * (components/addons/addon.ts). What must wait for an add-on takes its `ready` resources.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterAddon, ContainerLogs, containerLogsSpec, dependenciesOf, EbsCsiDriver, ebsCsiSpec, Karpenter, karpenterSpec, MetricsServer, metricsServerSpec, PrerequisiteResources, SnapshotController, snapshotControllerSpec } from "../components/addons";
import { PlatformConfig } from "./config";

export interface AddonContext {
    prefix: string;
    providers: { aws: aws.Provider; kubernetes: k8s.Provider };
    clusterName: pulumi.Output<string>;
    clusterArn: pulumi.Output<string>;
    /** The private subnets and the cluster security group (what autoscaled nodes launch in and with). */
    privateSubnetIds: pulumi.Output<string[]>;
    clusterSecurityGroupId: pulumi.Output<string>;
    /** Tags every resource carries, for what the provider's default tags do not reach (Karpenter's nodes). */
    platformTags: Record<string, string>;
    /** The environment's customer-managed key (volumes are encrypted with it). */
    environmentKeyArn: pulumi.Output<string>;
    prerequisites: PrerequisiteResources;
    tags: Record<string, string>;
}

/** The add-ons the config enables, in declaration order. */
export function buildAddons(cfg: PlatformConfig, ctx: AddonContext): ClusterAddon[] {
    const addons: ClusterAddon[] = [];
    const ebs = cfg.addons.ebsCsi;
    if (ebs.enabled) {
        addons.push(
            new EbsCsiDriver(
                `${ctx.prefix}-ebs-csi`,
                {
                    clusterName: ctx.clusterName,
                    clusterArn: ctx.clusterArn,
                    kubernetesVersion: cfg.cluster.version,
                    kmsKeyArn: ctx.environmentKeyArn,
                    addonVersion: ebs.version,
                    storageClassName: ebs.storageClass,
                    defaultStorageClass: true,
                    tags: ctx.tags,
                },
                { providers: ctx.providers, dependsOn: dependenciesOf(ebsCsiSpec(ebs.version), ctx.prerequisites) },
            ),
        );
    }
    const snapshots = cfg.addons.snapshots;
    if (snapshots.enabled) {
        addons.push(
            new SnapshotController(
                `${ctx.prefix}-snapshots`,
                { clusterName: ctx.clusterName, kubernetesVersion: cfg.cluster.version, addonVersion: snapshots.version, snapshotClassName: snapshots.snapshotClass, tags: ctx.tags },
                { providers: ctx.providers, dependsOn: dependenciesOf(snapshotControllerSpec(snapshots.version), ctx.prerequisites) },
            ),
        );
    }
    const metrics = cfg.addons.metricsServer;
    if (metrics.enabled) {
        addons.push(
            new MetricsServer(
                `${ctx.prefix}-metrics-server`,
                { clusterName: ctx.clusterName, kubernetesVersion: cfg.cluster.version, addonVersion: metrics.version, tags: ctx.tags },
                { providers: ctx.providers, dependsOn: dependenciesOf(metricsServerSpec(metrics.version), ctx.prerequisites) },
            ),
        );
    }
    const autoscaler = cfg.addons.autoscaler;
    if (autoscaler.enabled) {
        addons.push(
            new Karpenter(
                `${ctx.prefix}-karpenter`,
                {
                    clusterName: cfg.cluster.name,
                    clusterArn: ctx.clusterArn,
                    kubernetesVersion: cfg.cluster.version,
                    subnetIds: ctx.privateSubnetIds,
                    securityGroupIds: [ctx.clusterSecurityGroupId],
                    kmsKeyArn: ctx.environmentKeyArn,
                    nodePools: autoscaler.nodePools,
                    chartVersion: autoscaler.version,
                    amiAlias: autoscaler.amiAlias,
                    replicas: cfg.environment === "prod" ? 2 : 1,
                    tags: { ...ctx.platformTags, ...ctx.tags },
                },
                { providers: ctx.providers, dependsOn: dependenciesOf(karpenterSpec(autoscaler.version), ctx.prerequisites) },
            ),
        );
    }
    const logs = cfg.addons.containerLogs;
    if (logs.enabled) {
        addons.push(
            new ContainerLogs(
                `${ctx.prefix}-container-logs`,
                {
                    environment: cfg.environment,
                    clusterName: ctx.clusterName,
                    clusterArn: ctx.clusterArn,
                    kubernetesVersion: cfg.cluster.version,
                    region: cfg.region,
                    retentionDays: containerLogRetention(cfg),
                    chartVersion: logs.version,
                    tags: ctx.tags,
                },
                { providers: ctx.providers, dependsOn: dependenciesOf(containerLogsSpec(logs.version), ctx.prerequisites) },
            ),
        );
    }
    return addons;
}

/** Container logs' retention: the config's, else 30 days in dev and a year in prod (as the swarm's telemetry). */
export function containerLogRetention(cfg: PlatformConfig): number {
    return cfg.addons.containerLogs.retentionDays ?? (cfg.environment === "prod" ? 365 : 30);
}
