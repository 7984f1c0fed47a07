import * as aws from "@pulumi/aws";
import * as cloudflare from "@pulumi/cloudflare";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import * as tailscale from "@pulumi/tailscale";
import * as time from "@pulumiverse/time";
import { EdgeAccess, EdgeAgentImage, EdgeCa, EdgeNode, EdgeSite, EdgeVpnRoutes } from "../components/edge";
import { collectorHostname, SwarmManagers, SwarmPki } from "../components/swarm";
import { PlatformConfig } from "./config";
import { edgeNodeConfigArgs, edgeSiteHostname } from "./edge-config";
import { secretValue } from "./providers";
import { globalName } from "../components/shared/names";

/** Stack outputs of the edge area (README "Stack outputs"); none holds a secret. */
export interface EdgeOutputs {
    edgeCaCertPem: pulumi.Output<string>;
    /** Unset without edge nodes (nothing of the edge area is built then but its CA). */
    edgeTrustAnchorArn?: pulumi.Output<string>;
    edgeProfileArn?: pulumi.Output<string>;
    edgeRoleArn?: pulumi.Output<string>;
    edgeAgentImage?: pulumi.Output<string>;
    /** Site -> { hostname, tunnelId }. */
    edgeSites: Record<string, { hostname: string; tunnelId: pulumi.Output<string> }>;
    /** Node -> its registry entry (YAML, as stored in SSM). */
    edgeRegistry: Record<string, pulumi.Output<string>>;
    /** Node -> its rendered install script. */
    edgeInstallScripts: Record<string, pulumi.Output<string>>;
    /** When Pulumi-generated edge secrets next rotate (the scheduled `up --refresh` applies it). */
    edgeRotationDue?: pulumi.Output<string>;
}

interface EdgeContext {
    aws: aws.Provider;
    cloudflare: cloudflare.Provider;
    prefix: string;
    ca: EdgeCa;
    swarm: { managers: SwarmManagers; pki: SwarmPki };
    /** The route tables of the managers' (private) subnets, one per AZ. */
    privateRouteTableIds: pulumi.Input<string>[];
    secretsKeyArn: pulumi.Output<string>;
}

/** A Tailscale OAuth client as stored in Secrets Manager: JSON `{"id": ..., "secret": ...}`. The error never shows the value. */
export function parseTailscaleOAuth(secretId: string, value: string): { id: string; secret: string } {
    let json: { id?: unknown; secret?: unknown } | null;
    try {
        json = JSON.parse(value);
    } catch {
        json = null;
    }
    if (!json || typeof json.id !== "string" || typeof json.secret !== "string" || !json.id || !json.secret) {
        throw new Error(`edge.tailscale.oauthClientSecretId: secret ${secretId} is not JSON with string "id" and "secret" (store {"id": "<client id>", "secret": "<client secret>"})`);
    }
    return { id: json.id, secret: json.secret };
}

function tailscaleProvider(name: string, secretId: string, provider: aws.Provider): tailscale.Provider {
    const parsed = secretValue(secretId, provider).apply((v) => parseTailscaleOAuth(secretId, v));
    return new tailscale.Provider(name, { oauthClientId: pulumi.secret(parsed.id), oauthClientSecret: pulumi.secret(parsed.secret), tailnet: "-" });
}

/**
 * Edge nodes: the access path (Roles Anywhere), the agent image, one tunnel per site (shared by its
 * nodes), and one EdgeNode per `edge.nodes[]` entry. Components get providers; only this file reads config.
 */
export function buildEdge(cfg: PlatformConfig, ctx: EdgeContext): EdgeOutputs {
    const env = cfg.environment;
    const base = `${ctx.prefix}-edge`;
    const opts = { providers: { aws: ctx.aws } };
    const nodes = cfg.edge.nodes;
    const tags = { component: "edge" };
    // No nodes, no image to build, no role to assume: an environment without edge needs no buildx or VPN credentials.
    if (nodes.length === 0) return { edgeCaCertPem: ctx.ca.certPem, edgeSites: {}, edgeRegistry: {}, edgeInstallScripts: {} };

    const agent = new EdgeAgentImage(
        `${base}-agent`,
        { repositoryName: `pr-cybr-${env}/edge-agent`, collectorVersion: cfg.edge.agentVersion, tags },
        { providers: { aws: ctx.aws, "docker-build": new dockerBuild.Provider(`docker-build-${env}`, {}) } },
    );
    const access = new EdgeAccess(
        `${base}-access`,
        {
            namePrefix: base,
            caCertPem: ctx.ca.certPem,
            caCommonName: ctx.ca.commonName,
            bundleSecretPrefix: `pr-cybr/${env}/edge/nodes/`,
            bundleKmsKeyArn: ctx.secretsKeyArn,
            workerToken: { secretArn: ctx.swarm.managers.workerTokenSecretArn, kmsKeyArn: ctx.swarm.managers.kmsKeyArn },
            agentRepositoryArn: agent.repositoryArn,
            revokedCommonNames: cfg.edge.revokedCommonNames,
            tags,
            globalNameSuffix: cfg.globalNameSuffix,
        },
        opts,
    );
    // One clock for every generated edge secret: it expires after rotationDays, and the scheduled
    // `pulumi up --refresh` (rotate.yml) replaces it, which regenerates the values keyed to it.
    const rotation = new time.Rotating(`${base}-rotation`, { rotationDays: cfg.secrets.rotationDays });

    const sites: Record<string, EdgeSite> = {};
    const siteNames = [...new Set(nodes.map((n) => n.site))];
    // The schema requires accountId whenever there are nodes (and so sites).
    for (const site of siteNames) {
        sites[site] = new EdgeSite(
            `${base}-site-${site}`,
            { accountId: cfg.cloudflare.accountId!, zoneId: cfg.cloudflare.zoneId, tunnelName: globalName(`${ctx.prefix}-${site}`, cfg.globalNameSuffix), hostname: edgeSiteHostname(cfg, site), secretRotation: cfg.edge.tunnelRotations[site] },
            { provider: ctx.cloudflare },
        );
    }
    // The way back to the nodes' VPN addresses (managers gossip and send VXLAN to them).
    if (cfg.edge.vpnRouterNetworkInterfaceId) {
        new EdgeVpnRoutes(`${base}-vpn-routes`, { vpnCidr: cfg.edge.vpnCidr, routerNetworkInterfaceId: cfg.edge.vpnRouterNetworkInterfaceId, routeTableIds: ctx.privateRouteTableIds }, { provider: ctx.aws });
    }
    const tailscaleProv = cfg.edge.tailscale ? tailscaleProvider(`tailscale-${env}`, cfg.edge.tailscale.oauthClientSecretId, ctx.aws) : undefined;
    const zerotierToken = cfg.edge.zerotier ? secretValue(cfg.edge.zerotier.apiTokenSecretId, ctx.aws) : undefined;

    const edgeNodes = nodes.map((n) => {
        return new EdgeNode(
            `${base}-node-${n.name}`,
            {
                ...edgeNodeConfigArgs(cfg, n, { zerotierToken: zerotierToken!, bundleKmsKeyArn: ctx.secretsKeyArn }),
                ca: { certPem: ctx.ca.certPem, keyPem: ctx.ca.keyPem },
                rotation: rotation.rfc3339,
                siteTunnel: { hostname: sites[n.site].hostname, token: sites[n.site].tunnelToken },
                access: { trustAnchorArn: access.trustAnchorArn, profileArn: access.profileArn, roleArn: access.roleArn },
                swarm: {
                    name: `${ctx.prefix}-swarm`,
                    workerTokenSecretArn: ctx.swarm.managers.workerTokenSecretArn,
                    joinAddress: ctx.swarm.managers.joinAddress,
                    collectorEndpoint: ctx.swarm.managers.collectorEndpoint,
                    collectorServerName: collectorHostname(`${ctx.prefix}-swarm`),
                    collectorCaPem: ctx.swarm.pki.caCertPem,
                    dockerVersion: cfg.swarm.dockerVersion,
                },
                agentImage: agent.ref,
                tags,
            },
            { providers: { aws: ctx.aws, ...(tailscaleProv ? { tailscale: tailscaleProv } : {}) } },
        );
    });

    return {
        edgeCaCertPem: ctx.ca.certPem,
        edgeTrustAnchorArn: access.trustAnchorArn,
        edgeProfileArn: access.profileArn,
        edgeRoleArn: access.roleArn,
        edgeAgentImage: agent.ref,
        edgeSites: Object.fromEntries(Object.entries(sites).map(([site, s]) => [site, { hostname: s.hostname, tunnelId: s.tunnelId }])),
        edgeRegistry: Object.fromEntries(edgeNodes.map((node, i) => [nodes[i].name, node.registryEntry])),
        edgeInstallScripts: Object.fromEntries(edgeNodes.map((node, i) => [nodes[i].name, node.installScript])),
        edgeRotationDue: rotation.rotationRfc3339,
    };
}
