import * as fs from "fs";
import * as path from "path";
import { shellAssignments } from "../shared/shell";
import { EdgeProfile, EdgeVpn } from "./profiles";
import { EDGE_ORIGIN_PORT } from "./site";

/** Versions the install script pins on every node (Docker comes from the swarm config). */
export const EDGE_HOST_VERSIONS = {
    awsCli: "2.27.0",
    signingHelper: "1.4.0",
    tailscale: "1.76.6",
    zerotier: "1.14.2",
    cloudflared: "2025.4.0",
    /** The sites' origin on the node; the release the swarm's Traefik runs (components/swarm/service-specs.ts). */
    traefik: "v3.4.4",
};

/** Everything a node's install script knows. None of it is secret: secrets are fetched at run time. */
export interface EdgeInstallSettings {
    readonly nodeName: string;
    readonly site: string;
    readonly arch: "arm64" | "amd64";
    readonly profile: EdgeProfile;
    readonly capabilities: readonly string[];
    readonly environment: string;
    readonly region: string;
    readonly bundleSecretArn: string;
    readonly trustAnchorArn: string;
    readonly profileArn: string;
    readonly roleArn: string;
    readonly dockerVersion: string;
    readonly vpn: EdgeVpn;
    readonly tailscaleTag: string;
    readonly zerotierNetworkId: string;
    /** `host:2377` of the managers' join endpoint, reached over the VPN. */
    readonly swarmJoinAddress: string;
    /** `host:4317` of the telemetry collector, and the name its certificate is issued for. */
    readonly collectorEndpoint: string;
    readonly collectorServerName: string;
    /** The agent image by digest. */
    readonly agentImage: string;
}

const TEMPLATE = path.join(__dirname, "host", "install-edge-node.sh");
const MARKER = "# @@SETTINGS@@";

/** The node's install script: the template with its settings in place of the marker line. */
export function renderEdgeInstallScript(s: EdgeInstallSettings): string {
    const template = fs.readFileSync(TEMPLATE, "utf8");
    if (template.split("\n").filter((l) => l === MARKER).length !== 1) throw new Error(`${TEMPLATE} must contain the line "${MARKER}" once`);
    const v = EDGE_HOST_VERSIONS;
    const settings = shellAssignments(
        [
            ["NODE_NAME", s.nodeName],
            ["NODE_SITE", s.site],
            ["NODE_ARCH", s.arch],
            ["NODE_PROFILE", s.profile],
            ["NODE_CAPABILITIES", s.capabilities.join(",")],
            ["ENVIRONMENT", s.environment],
            ["AWS_REGION", s.region],
            ["BUNDLE_SECRET_ARN", s.bundleSecretArn],
            ["TRUST_ANCHOR_ARN", s.trustAnchorArn],
            ["PROFILE_ARN", s.profileArn],
            ["ROLE_ARN", s.roleArn],
            ["DOCKER_VERSION", s.dockerVersion],
            ["VPN", s.vpn],
            ["TAILSCALE_TAG", s.tailscaleTag],
            ["ZEROTIER_NETWORK", s.zerotierNetworkId],
            ["SWARM_JOIN_ADDR", s.swarmJoinAddress],
            ["COLLECTOR_ENDPOINT", s.collectorEndpoint],
            ["COLLECTOR_SERVER_NAME", s.collectorServerName],
            ["AGENT_IMAGE", s.agentImage],
            ["AWS_CLI_VERSION", v.awsCli],
            ["SIGNING_HELPER_VERSION", v.signingHelper],
            ["TAILSCALE_VERSION", v.tailscale],
            ["ZEROTIER_VERSION", v.zerotier],
            ["CLOUDFLARED_VERSION", v.cloudflared],
            ["TRAEFIK_VERSION", v.traefik],
            ["ORIGIN_PORT", String(EDGE_ORIGIN_PORT)],
        ],
        `edge node ${s.nodeName}`,
    );
    return template.replace(MARKER, `# Settings for ${s.nodeName} (rendered by Pulumi; no secrets).\n${settings.trimEnd()}`);
}
