/**
 * Turns config into the cluster's add-ons (issue 19): one entry per add-on, each built only when its
 * config enables it, each waiting for exactly the cluster prerequisites its spec declares
 * (components/addons/addon.ts). What must wait for an add-on takes its `ready` resources.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AwsLoadBalancerController, awsLoadBalancerControllerSpec, ClusterAddon, dependenciesOf, EbsCsiDriver, ebsCsiSpec, PrerequisiteResources } from "../components/addons";
import { PlatformConfig } from "./config";

export interface AddonContext {
    prefix: string;
    providers: { aws: aws.Provider; kubernetes: k8s.Provider };
    clusterName: pulumi.Output<string>;
    clusterArn: pulumi.Output<string>;
    /** The environment's customer-managed key (volumes are encrypted with it). */
    environmentKeyArn: pulumi.Output<string>;
    /** The cluster's VPC (the load balancer controller is told it: pods cannot reach instance metadata). */
    vpcId: pulumi.Output<string>;
    prerequisites: PrerequisiteResources;
    tags: Record<string, string>;
    /** Tags for what controllers create outside Pulumi (provider default tags do not reach those). */
    platformTags: Record<string, string>;
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
    const lbc = cfg.addons.loadBalancerController;
    if (lbc.enabled) {
        addons.push(
            new AwsLoadBalancerController(
                `${ctx.prefix}-lbc`,
                {
                    clusterName: ctx.clusterName,
                    clusterArn: ctx.clusterArn,
                    kubernetesVersion: cfg.cluster.version,
                    vpcId: ctx.vpcId,
                    region: cfg.region,
                    chartVersion: lbc.version,
                    replicas: 2,
                    tags: { ...ctx.platformTags, ...ctx.tags },
                },
                { providers: ctx.providers, dependsOn: dependenciesOf(awsLoadBalancerControllerSpec(lbc.version), ctx.prerequisites) },
            ),
        );
    }
    return addons;
}
