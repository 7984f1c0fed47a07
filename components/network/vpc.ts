import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags } from "../shared/tags";
import { ArgProblem, throwIfProblems } from "../shared/validation";
import { InterfaceEndpointService, VpcEndpoints } from "./endpoints";
import { VpcFlowLogs } from "./flow-logs";
import { AZ_SLOTS, planSubnets, SubnetTier, vpcCidrProblem } from "./subnet-plan";

export type NatGatewayStrategy = "single" | "onePerAz";

export interface VpcArgs {
    /** The VPC's IPv4 CIDR: a private range, /16 to /20, written as its network address. Required. */
    readonly cidr: string;
    /** How many availability zones to use: the first N the region offers without opt-in (2 to 6). Defaults to 3. */
    readonly azCount?: number;
    /** One shared NAT gateway (cheaper, egress fails with its AZ) or one per AZ. Defaults to "onePerAz". */
    readonly natGateways?: NatGatewayStrategy;
    /** Interface endpoints to create in the private subnets, so private nodes reach AWS APIs without NAT. Defaults to []. */
    readonly interfaceEndpoints?: readonly InterfaceEndpointService[];
    /** Days the flow logs are kept. Defaults to 90. */
    readonly flowLogRetentionDays?: number;
    /** KMS key ARN for the flow-log group; unset makes a dedicated key. Defaults to a key of this component. */
    readonly flowLogKmsKeyArn?: pulumi.Input<string>;
    /** EKS cluster name written to the private subnets' `karpenter.sh/discovery` tag; unset omits the tag. Defaults to undefined. */
    readonly clusterName?: string;
    /** Tags added to every taggable child (provider default tags come on top). Defaults to {}. */
    readonly tags?: Tags;
}

export const VPC_DEFAULTS = {
    azCount: 3,
    natGateways: "onePerAz" as NatGatewayStrategy,
    interfaceEndpoints: [] as readonly InterfaceEndpointService[],
    flowLogRetentionDays: 90,
    tags: {} as Tags,
};
export const MIN_AZ_COUNT = 2;
export const MAX_AZ_COUNT = 6;

/** Pure check of VpcArgs, run before anything is registered; throws every problem at once. */
export function validateVpcArgs(args: VpcArgs): void {
    const problems: ArgProblem[] = [];
    const cidrProblem = vpcCidrProblem(args.cidr);
    if (cidrProblem) problems.push({ path: "cidr", reason: cidrProblem });
    const azCount = args.azCount ?? VPC_DEFAULTS.azCount;
    if (!Number.isInteger(azCount) || azCount < MIN_AZ_COUNT || azCount > Math.min(MAX_AZ_COUNT, AZ_SLOTS)) {
        problems.push({ path: "azCount", reason: `${azCount} is out of range (a whole number from ${MIN_AZ_COUNT} to ${MAX_AZ_COUNT})` });
    }
    const nat = args.natGateways ?? VPC_DEFAULTS.natGateways;
    if (nat !== "single" && nat !== "onePerAz") {
        problems.push({ path: "natGateways", reason: `"${nat}" is not a NAT strategy ("single" or "onePerAz")` });
    }
    throwIfProblems("Vpc", problems);
}

const TIER_TAGS = (clusterName?: string): Record<SubnetTier, Tags> => ({
    // Load balancers: the AWS Load Balancer Controller picks subnets by these role tags.
    public: { tier: "public", "kubernetes.io/role/elb": "1" },
    private: {
        tier: "private",
        "kubernetes.io/role/internal-elb": "1",
        ...(clusterName ? { "karpenter.sh/discovery": clusterName } : {}),
    },
    intra: { tier: "intra" },
});

/**
 * A VPC over `azCount` AZs with three subnet tiers: public (NAT, internet-facing load balancers),
 * private (nodes and pods, egress through NAT) and intra (no internet route at all). Flow logs are always
 * on; the S3 gateway endpoint always exists; interface endpoints are opt-in.
 *
 * Logical names are index-based (`${name}-private-0`) and must never change: a renamed subnet is
 * deleted and recreated, which fails while ENIs are attached.
 */
export class Vpc extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    public readonly cidrBlock: pulumi.Output<string>;
    public readonly availabilityZones: pulumi.Output<string[]>;
    public readonly publicSubnetIds: pulumi.Output<string[]>;
    public readonly privateSubnetIds: pulumi.Output<string[]>;
    public readonly intraSubnetIds: pulumi.Output<string[]>;
    public readonly privateRouteTableIds: pulumi.Output<string[]>;
    public readonly natPublicIps: pulumi.Output<string[]>;
    public readonly flowLogGroupName: pulumi.Output<string>;
    /** What private subnets need for egress (NAT gateways, default routes, endpoints): nodes should wait for these. */
    public readonly privateEgress: pulumi.Resource[];

    constructor(name: string, args: VpcArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before super(): invalid args must not leave even the component registered.
        validateVpcArgs(args);
        super("pr-cybr:network:Vpc", name, {}, opts);
        const azCount = args.azCount ?? VPC_DEFAULTS.azCount;
        const natStrategy = args.natGateways ?? VPC_DEFAULTS.natGateways;
        const tags = { ...VPC_DEFAULTS.tags, ...args.tags };
        const plan = planSubnets(args.cidr, azCount);

        const zones = aws
            .getAvailabilityZonesOutput({ state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] }, { parent: this })
            .names.apply((names) => {
                if (names.length < azCount) {
                    throw new pulumi.ResourceError(
                        `azCount is ${azCount} but the region offers ${names.length} AZs without opt-in (${names.join(", ")}); lower network.azCount`,
                        this,
                    );
                }
                return names.slice(0, azCount);
            });

        const vpc = new aws.ec2.Vpc(
            `${name}-vpc`,
            { cidrBlock: args.cidr, enableDnsSupport: true, enableDnsHostnames: true, tags: { ...tags, Name: name } },
            { parent: this },
        );
        // Adopt the default security group and strip its rules (CIS AWS 5.4): nothing may rely on it.
        new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, ingress: [], egress: [], tags: { ...tags, Name: `${name}-default-deny` } }, { parent: this });

        const subnets = {} as Record<SubnetTier, aws.ec2.Subnet[]>;
        const tierTags = TIER_TAGS(args.clusterName);
        for (const tier of ["public", "private", "intra"] as const) {
            subnets[tier] = plan[tier].map(
                (cidrBlock, i) =>
                    new aws.ec2.Subnet(
                        `${name}-${tier}-${i}`,
                        {
                            vpcId: vpc.id,
                            cidrBlock,
                            availabilityZone: zones[i],
                            // Nothing gets a public address by accident; load balancers and NAT use EIPs.
                            mapPublicIpOnLaunch: false,
                            tags: { ...tags, ...tierTags[tier], Name: `${name}-${tier}-${i}` },
                        },
                        { parent: this },
                    ),
            );
        }

        const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: { ...tags, Name: `${name}-igw` } }, { parent: this });
        const publicRt = new aws.ec2.RouteTable(`${name}-public-rt`, { vpcId: vpc.id, tags: { ...tags, Name: `${name}-public` } }, { parent: this });
        new aws.ec2.Route(`${name}-public-default`, { routeTableId: publicRt.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id }, { parent: this });
        subnets.public.forEach((s, i) =>
            new aws.ec2.RouteTableAssociation(`${name}-public-rta-${i}`, { subnetId: s.id, routeTableId: publicRt.id }, { parent: this }),
        );

        const natCount = natStrategy === "single" ? 1 : azCount;
        const nats = Array.from({ length: natCount }, (_, i) => {
            const eip = new aws.ec2.Eip(`${name}-nat-eip-${i}`, { domain: "vpc", tags: { ...tags, Name: `${name}-nat-${i}` } }, { parent: this });
            const nat = new aws.ec2.NatGateway(
                `${name}-nat-${i}`,
                { allocationId: eip.id, subnetId: subnets.public[i].id, connectivityType: "public", tags: { ...tags, Name: `${name}-nat-${i}` } },
                // The NAT needs the IGW attached before it can pass traffic.
                { parent: this, dependsOn: [igw] },
            );
            return { eip, nat };
        });

        const privateEgress: pulumi.Resource[] = [];
        const privateRts = subnets.private.map((s, i) => {
            const rt = new aws.ec2.RouteTable(`${name}-private-rt-${i}`, { vpcId: vpc.id, tags: { ...tags, Name: `${name}-private-${i}` } }, { parent: this });
            const nat = nats[natStrategy === "single" ? 0 : i].nat;
            const route = new aws.ec2.Route(`${name}-private-default-${i}`, { routeTableId: rt.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id }, { parent: this });
            const association = new aws.ec2.RouteTableAssociation(`${name}-private-rta-${i}`, { subnetId: s.id, routeTableId: rt.id }, { parent: this });
            privateEgress.push(route, association);
            return rt;
        });

        // Intra subnets have a route table with the local route only: no path to the internet.
        const intraRt = new aws.ec2.RouteTable(`${name}-intra-rt`, { vpcId: vpc.id, tags: { ...tags, Name: `${name}-intra` } }, { parent: this });
        subnets.intra.forEach((s, i) =>
            new aws.ec2.RouteTableAssociation(`${name}-intra-rta-${i}`, { subnetId: s.id, routeTableId: intraRt.id }, { parent: this }),
        );

        const flowLogs = new VpcFlowLogs(
            `${name}-flow-logs`,
            { vpcId: vpc.id, retentionDays: args.flowLogRetentionDays ?? VPC_DEFAULTS.flowLogRetentionDays, kmsKeyArn: args.flowLogKmsKeyArn, tags },
            { parent: this },
        );

        const endpoints = new VpcEndpoints(
            `${name}-endpoints`,
            {
                vpcId: vpc.id,
                vpcCidr: args.cidr,
                // Intra first: a new AZ then appends its route table instead of shifting the list.
                gatewayRouteTableIds: [intraRt.id, ...privateRts.map((rt) => rt.id)],
                interfaceSubnetIds: subnets.private.map((s) => s.id),
                services: args.interfaceEndpoints ?? VPC_DEFAULTS.interfaceEndpoints,
                tags,
            },
            { parent: this },
        );

        this.vpcId = vpc.id;
        this.cidrBlock = vpc.cidrBlock;
        this.availabilityZones = zones;
        this.publicSubnetIds = pulumi.output(subnets.public.map((s) => s.id));
        this.privateSubnetIds = pulumi.output(subnets.private.map((s) => s.id));
        this.intraSubnetIds = pulumi.output(subnets.intra.map((s) => s.id));
        this.privateRouteTableIds = pulumi.output(privateRts.map((rt) => rt.id));
        this.natPublicIps = pulumi.output(nats.map(({ eip }) => eip.publicIp));
        this.flowLogGroupName = flowLogs.logGroupName;
        this.privateEgress = [...privateEgress, endpoints];
        this.registerOutputs({
            vpcId: this.vpcId,
            cidrBlock: this.cidrBlock,
            availabilityZones: this.availabilityZones,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            intraSubnetIds: this.intraSubnetIds,
            privateRouteTableIds: this.privateRouteTableIds,
            natPublicIps: this.natPublicIps,
            flowLogGroupName: this.flowLogGroupName,
        });
    }
}
