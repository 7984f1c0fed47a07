import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags } from "../shared/tags";
import { ArgProblem, throwIfProblems } from "../shared/validation";

/**
 * AWS APIs a private EKS node needs without a NAT hop: image pulls (ecr.api, ecr.dkr; layers come
 * through the S3 gateway endpoint), IRSA/Pod Identity (sts), SSM sessions (ssm, ssmmessages), Cilium's
 * ENI IPAM (ec2) and log shipping (logs).
 */
export const INTERFACE_ENDPOINT_SERVICES = ["ecr.api", "ecr.dkr", "sts", "ssm", "ssmmessages", "ec2", "logs"] as const;
export type InterfaceEndpointService = (typeof INTERFACE_ENDPOINT_SERVICES)[number];

export interface VpcEndpointsArgs {
    /** The VPC the endpoints live in. */
    readonly vpcId: pulumi.Input<string>;
    /** The VPC CIDR, the only source allowed to reach the endpoints (HTTPS). */
    readonly vpcCidr: string;
    /** Route tables the S3 gateway endpoint is added to. */
    readonly gatewayRouteTableIds: pulumi.Input<string>[];
    /** Subnets (one per AZ) that hold the interface endpoints' ENIs; none means no interface endpoints. Defaults to []. */
    readonly interfaceSubnetIds?: pulumi.Input<string>[];
    /** Which interface endpoints to create. Defaults to INTERFACE_ENDPOINT_SERVICES. */
    readonly services?: readonly InterfaceEndpointService[];
    /** Tags added to every taggable child. Defaults to {}. */
    readonly tags?: Tags;
}

export const VPC_ENDPOINTS_DEFAULTS = {
    interfaceSubnetIds: [] as pulumi.Input<string>[],
    services: INTERFACE_ENDPOINT_SERVICES,
    tags: {},
} as const;

/** Pure check of VpcEndpointsArgs; throws every problem at once. */
export function validateVpcEndpointsArgs(args: VpcEndpointsArgs): void {
    const problems: ArgProblem[] = [];
    const services = args.services ?? VPC_ENDPOINTS_DEFAULTS.services;
    services.forEach((s, i) => {
        if (!INTERFACE_ENDPOINT_SERVICES.includes(s)) {
            problems.push({ path: `services[${i}]`, reason: `"${s}" is not supported (one of ${INTERFACE_ENDPOINT_SERVICES.join(", ")})` });
        }
    });
    if (new Set(services).size !== services.length) problems.push({ path: "services", reason: "lists a service twice (list each once)" });
    throwIfProblems("VpcEndpoints", problems);
}

/** The S3 gateway endpoint (free, always) and, when subnets are given, HTTPS interface endpoints. */
export class VpcEndpoints extends pulumi.ComponentResource {
    public readonly s3EndpointId: pulumi.Output<string>;
    public readonly interfaceEndpointIds: pulumi.Output<Record<string, string>>;
    public readonly securityGroupId: pulumi.Output<string | undefined>;

    constructor(name: string, args: VpcEndpointsArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before super(): invalid args must not leave even the component registered.
        validateVpcEndpointsArgs(args);
        super("pr-cybr:network:VpcEndpoints", name, {}, opts);
        const tags = { ...VPC_ENDPOINTS_DEFAULTS.tags, ...args.tags };
        const region = aws.getRegionOutput({}, { parent: this }).region;

        const s3 = new aws.ec2.VpcEndpoint(
            `${name}-s3`,
            {
                vpcId: args.vpcId,
                serviceName: pulumi.interpolate`com.amazonaws.${region}.s3`,
                vpcEndpointType: "Gateway",
                routeTableIds: args.gatewayRouteTableIds,
                tags: { ...tags, Name: `${name}-s3` },
            },
            { parent: this },
        );

        const subnetIds = args.interfaceSubnetIds ?? VPC_ENDPOINTS_DEFAULTS.interfaceSubnetIds;
        const services = subnetIds.length > 0 ? (args.services ?? VPC_ENDPOINTS_DEFAULTS.services) : [];
        let securityGroupId: pulumi.Output<string> | undefined;
        const endpointIds: Record<string, pulumi.Output<string>> = {};
        if (services.length > 0) {
            const sg = new aws.ec2.SecurityGroup(
                `${name}-sg`,
                {
                    vpcId: args.vpcId,
                    description: "HTTPS from inside the VPC to AWS interface endpoints",
                    tags: { ...tags, Name: `${name}-sg` },
                },
                { parent: this },
            );
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-https-in`,
                { securityGroupId: sg.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: args.vpcCidr, description: "HTTPS from the VPC" },
                { parent: this },
            );
            securityGroupId = sg.id;
            for (const service of services) {
                const role = service.replace(".", "-");
                endpointIds[service] = new aws.ec2.VpcEndpoint(
                    `${name}-${role}`,
                    {
                        vpcId: args.vpcId,
                        serviceName: pulumi.interpolate`com.amazonaws.${region}.${service}`,
                        vpcEndpointType: "Interface",
                        privateDnsEnabled: true,
                        subnetIds,
                        securityGroupIds: [sg.id],
                        tags: { ...tags, Name: `${name}-${role}` },
                    },
                    { parent: this },
                ).id;
            }
        }

        this.s3EndpointId = s3.id;
        this.interfaceEndpointIds = pulumi.output(endpointIds);
        this.securityGroupId = pulumi.output(securityGroupId);
        this.registerOutputs({
            s3EndpointId: this.s3EndpointId,
            interfaceEndpointIds: this.interfaceEndpointIds,
            securityGroupId: this.securityGroupId,
        });
    }
}
