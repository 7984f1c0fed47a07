import type * as pulumi from "@pulumi/pulumi";
import type { EdgeVpnArgs } from "../components/edge";
import type { PlatformConfig } from "./config-schema";

type EdgeNodeConfig = PlatformConfig["edge"]["nodes"][number];

/**
 * A site's public hostname, proxied by Cloudflare: directly under the zone (what its Universal SSL
 * certificate covers) unless edge.domain, with an Advanced certificate, says otherwise.
 */
export function edgeSiteHostname(cfg: PlatformConfig, site: string): string {
    return `${site}.${cfg.edge.domain ?? cfg.cloudflare.zoneName}`;
}

/**
 * The EdgeNode args config decides, shared by the stack and the preflight check so both judge the same
 * values; the rest (CA, tunnel, access, swarm, image) are other resources' outputs.
 */
export function edgeNodeConfigArgs(cfg: PlatformConfig, n: EdgeNodeConfig, outputs: { zerotierToken: pulumi.Input<string>; bundleKmsKeyArn: pulumi.Input<string> }) {
    const env = cfg.environment;
    const vpn: EdgeVpnArgs =
        n.vpn === "tailscale"
            ? { kind: "tailscale", tag: cfg.edge.tailscale?.tag ?? "", keyExpiryDays: Math.min(cfg.secrets.rotationDays, 90) }
            : { kind: "zerotier", networkId: cfg.edge.zerotier?.networkId ?? "", apiToken: outputs.zerotierToken };
    return {
        nodeName: n.name,
        site: n.site,
        arch: n.arch,
        capabilities: n.capabilities,
        profile: n.profile,
        environment: env,
        region: cfg.region,
        vpn,
        bundle: { secretPrefix: `pr-cybr/${env}/edge/nodes/`, kmsKeyArn: outputs.bundleKmsKeyArn },
        registryPrefix: `/pr-cybr/${env}/edge/registry/`,
    };
}
