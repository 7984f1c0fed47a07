import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ArgProblem, throwIfProblems } from "../shared/validation";

export interface EdgeVpnRoutesArgs {
    /** The edge VPN's range (edge.vpnCidr). Required. */
    readonly vpnCidr: string;
    /**
     * The network interface of the VPN's router in the VPC (a Tailscale subnet router or ZeroTier
     * member that forwards between the VPC and the VPN, with source/destination check off). Required.
     */
    readonly routerNetworkInterfaceId: string;
    /** The route tables of the subnets the managers run in (the VPC's private ones). Required. */
    readonly routeTableIds: pulumi.Input<string>[];
}

export function validateEdgeVpnRoutesArgs(args: EdgeVpnRoutesArgs): void {
    const problems: ArgProblem[] = [];
    if (!/^eni-[0-9a-f]{8,17}$/.test(args.routerNetworkInterfaceId)) problems.push({ path: "routerNetworkInterfaceId", reason: `"${args.routerNetworkInterfaceId}" is not a network interface id (eni- and 8 or 17 hex digits)` });
    if (args.routeTableIds.length === 0) problems.push({ path: "routeTableIds", reason: "is empty (the managers' subnets' route tables)" });
    throwIfProblems("EdgeVpnRoutes", problems);
}

/**
 * The way back from the VPC to the edge nodes. Edge nodes join the swarm advertising their VPN
 * addresses, so managers send gossip (7946), VXLAN (4789/udp) and ESP to addresses in the VPN range,
 * which no VPC route table knows: without a route those packets take the default route (the NAT
 * gateway) and are lost. One route per table sends the VPN range to the VPN's router. The router
 * must forward without source NAT (Tailscale: `--snat-subnet-routes=false`), or the managers would
 * see the router's address instead of the node's and the overlay's IPsec associations, keyed by the
 * peers' addresses, would not match (docs/runbooks/edge.md, "Routes to the managers").
 */
export class EdgeVpnRoutes extends pulumi.ComponentResource {
    constructor(name: string, args: EdgeVpnRoutesArgs, opts?: pulumi.ComponentResourceOptions) {
        validateEdgeVpnRoutesArgs(args);
        super("pr-cybr:edge:EdgeVpnRoutes", name, {}, opts);
        args.routeTableIds.forEach(
            (routeTableId, i) => new aws.ec2.Route(`${name}-${i}`, { routeTableId, destinationCidrBlock: args.vpnCidr, networkInterfaceId: args.routerNetworkInterfaceId }, { parent: this }),
        );
        this.registerOutputs({});
    }
}
