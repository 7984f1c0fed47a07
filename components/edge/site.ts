import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ArgProblem, throwIfProblems } from "../shared/validation";

export interface EdgeSiteArgs {
    /** Cloudflare account that owns the tunnel. Required. */
    readonly accountId: string;
    /** Cloudflare zone of the site hostname. Required. */
    readonly zoneId: string;
    /** Tunnel name, unique in the account, e.g. `pr-cybr-prod-san-juan`. Required. */
    readonly tunnelName: string;
    /** Public hostname of the site, e.g. `san-juan.edge.example.com`. Required. */
    readonly hostname: string;
    /** Where the site's connectors send the hostname's traffic on a node. Defaults to `http://localhost:8080`, the node's Traefik. */
    readonly originService?: string;
    /**
     * How many times the tunnel's secret has been rotated; raising it makes a new secret (and so a new
     * connector token) for the same tunnel: the old token can open no new connection. Defaults to 0.
     */
    readonly secretRotation?: number;
}

/**
 * The port the node's Traefik listens on, on the loopback only (install-edge-node.sh run_origin): above
 * 1024, so Traefik runs as nobody without a capability on the host's network, where the connector is.
 */
export const EDGE_ORIGIN_PORT = 8080;
export const EDGE_SITE_DEFAULTS = { originService: `http://localhost:${EDGE_ORIGIN_PORT}` };

export function validateEdgeSiteArgs(args: EdgeSiteArgs): void {
    const problems: ArgProblem[] = [];
    if (!/^[0-9a-f]{32}$/.test(args.accountId)) problems.push({ path: "accountId", reason: `"${args.accountId}" is not a Cloudflare account id (32 hex characters)` });
    if (!/^[a-z0-9.-]+$/.test(args.hostname) || !args.hostname.includes(".")) problems.push({ path: "hostname", reason: `"${args.hostname}" is not a hostname` });
    const origin = args.originService ?? EDGE_SITE_DEFAULTS.originService;
    const rotation = args.secretRotation ?? 0;
    if (!Number.isInteger(rotation) || rotation < 0) problems.push({ path: "secretRotation", reason: `${rotation} is not a rotation number (a whole number from 0)` });
    if (!/^(https?|tcp|ssh):\/\/[^\s]+$/.test(origin)) problems.push({ path: "originService", reason: `"${origin}" is not an origin URL (http://, https://, tcp:// or ssh://)` });
    throwIfProblems("EdgeSite", problems);
}

/**
 * What the nodes of one site share: a Cloudflare Tunnel (remotely managed config), its ingress rules
 * and the proxied CNAME of the site hostname. Every node at the site runs a connector with the same
 * token, so the tunnel stays up while one node is down; nothing listens on the site's public IP.
 */
export class EdgeSite extends pulumi.ComponentResource {
    public readonly tunnelId: pulumi.Output<string>;
    public readonly hostname: string;
    /** The connector token (from Cloudflare's token lookup), a Pulumi secret. */
    public readonly tunnelToken: pulumi.Output<string>;

    constructor(name: string, args: EdgeSiteArgs, opts?: pulumi.ComponentResourceOptions) {
        validateEdgeSiteArgs(args);
        super("pr-cybr:edge:EdgeSite", name, {}, opts);
        // The program owns the tunnel's secret (32 random bytes, base64, the provider's minimum), so a lost
        // device's token can be revoked: a new secret is an in-place update of the same tunnel
        // (tunnel_secret has no RequiresReplace in terraform-provider-cloudflare v5
        // zero_trust_tunnel_cloudflared/schema.go), the token lookup then returns the new token, and
        // Cloudflare refuses new connections with the old one ("Tunnel tokens", Rotate a token).
        const secret = new random.RandomBytes(`${name}-tunnel-secret`, { length: 32, keepers: { rotation: String(args.secretRotation ?? 0) } }, { parent: this });
        const tunnel = new cloudflare.ZeroTrustTunnelCloudflared(
            `${name}-tunnel`,
            { accountId: args.accountId, name: args.tunnelName, configSrc: "cloudflare", tunnelSecret: secret.base64 },
            { parent: this },
        );
        new cloudflare.ZeroTrustTunnelCloudflaredConfig(
            `${name}-tunnel-config`,
            {
                accountId: args.accountId,
                tunnelId: tunnel.id,
                // One config per tunnel (a second one would overwrite it); the catch-all rule must be last.
                config: { ingresses: [{ hostname: args.hostname, service: args.originService ?? EDGE_SITE_DEFAULTS.originService }, { service: "http_status:404" }] },
            },
            { parent: this },
        );
        new cloudflare.DnsRecord(
            `${name}-dns`,
            { zoneId: args.zoneId, name: args.hostname, type: "CNAME", content: pulumi.interpolate`${tunnel.id}.cfargotunnel.com`, proxied: true, ttl: 1, comment: "managed by pr-cybr-platform (edge site tunnel)" },
            { parent: this },
        );
        // Looked up after the secret is set, so a rotation's `up` reads the new token.
        const tunnelId = pulumi.all([tunnel.id, tunnel.tunnelSecret]).apply(([id]) => id);
        const token = cloudflare.getZeroTrustTunnelCloudflaredTokenOutput({ accountId: args.accountId, tunnelId }, { parent: this });

        this.tunnelId = tunnel.id;
        this.hostname = args.hostname;
        this.tunnelToken = pulumi.secret(token.token);
        this.registerOutputs({ tunnelId: this.tunnelId, hostname: this.hostname });
    }
}
