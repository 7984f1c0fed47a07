import type { PlatformConfig } from "./config-schema";

/**
 * A site's public hostname, proxied by Cloudflare: directly under the zone (what its Universal SSL
 * certificate covers) unless edge.domain, with an Advanced certificate, says otherwise.
 */
export function edgeSiteHostname(cfg: PlatformConfig, site: string): string {
    return `${site}.${cfg.edge.domain ?? cfg.cloudflare.zoneName}`;
}
