import * as pulumi from "@pulumi/pulumi";
import { INTERFACE_ENDPOINT_SERVICES, Vpc } from "../components/network";
import { PlatformConfig } from "./config";
import { awsProvider } from "./providers";

/** The stack outputs consumers (CI, other stacks, runbooks) rely on. */
export interface PlatformOutputs {
    environment: string;
    region: string;
    vpcId: pulumi.Output<string>;
    vpcCidr: pulumi.Output<string>;
    availabilityZones: pulumi.Output<string[]>;
    publicSubnetIds: pulumi.Output<string[]>;
    privateSubnetIds: pulumi.Output<string[]>;
    intraSubnetIds: pulumi.Output<string[]>;
    natPublicIps: pulumi.Output<string[]>;
    flowLogGroupName: pulumi.Output<string>;
}

/**
 * Composes one environment from validated config. Areas are added here in dependency order
 * (network -> cluster -> gitops/tenancy; network -> swarm -> edge); components never read config.
 */
export function buildPlatform(cfg: PlatformConfig): PlatformOutputs {
    const prefix = `pr-cybr-${cfg.environment}`;
    const aws = awsProvider(cfg);

    const network = new Vpc(
        prefix,
        {
            cidr: cfg.network.cidr,
            azCount: cfg.network.azCount,
            natGateways: cfg.network.natGateways,
            interfaceEndpoints: cfg.network.interfaceEndpoints ? INTERFACE_ENDPOINT_SERVICES : [],
            flowLogRetentionDays: cfg.network.flowLogRetentionDays,
            clusterName: cfg.cluster.name,
            tags: { component: "network" },
        },
        { providers: { aws } },
    );

    return {
        environment: cfg.environment,
        region: cfg.region,
        vpcId: network.vpcId,
        vpcCidr: network.cidrBlock,
        availabilityZones: network.availabilityZones,
        publicSubnetIds: network.publicSubnetIds,
        privateSubnetIds: network.privateSubnetIds,
        intraSubnetIds: network.intraSubnetIds,
        natPublicIps: network.natPublicIps,
        flowLogGroupName: network.flowLogGroupName,
    };
}
