import * as YAML from "yaml";
import { EDGE_PROFILES, EdgeProfile, EdgeVpn } from "./profiles";

/** Schema id of a registry entry; bump it when a field changes meaning. */
export const REGISTRY_API_VERSION = "registry.pr-cybr.io/v1";

export interface RegistryEntryInput {
    readonly name: string;
    readonly environment: string;
    readonly site: string;
    readonly siteHostname: string;
    readonly arch: "arm64" | "amd64";
    readonly vpn: EdgeVpn;
    readonly capabilities: readonly string[];
    readonly profile: EdgeProfile;
    /** The certificate's CN (node name + key fingerprint) and when the certificate expires. */
    readonly identity: { readonly commonName: string; readonly notAfter: string };
    readonly bundleSecretArn: string;
    /** The management plane the node reports to. */
    readonly management: { readonly swarm: string; readonly joinAddress: string; readonly collectorEndpoint: string };
}

/**
 * A node's registry entry (the seeds' codex.yaml shape: metadata, capabilities, resource profile,
 * management-node reference), as a plain object. It holds names, ARNs and dates, never a secret.
 */
export function registryEntry(e: RegistryEntryInput) {
    return {
        apiVersion: REGISTRY_API_VERSION,
        kind: "EdgeNode",
        metadata: { name: e.name, environment: e.environment, site: e.site, labels: { site: e.site, arch: e.arch, profile: e.profile, ...Object.fromEntries(e.capabilities.map((c) => [`capability.${c}`, "true"])) } },
        spec: {
            arch: e.arch,
            vpn: e.vpn,
            capabilities: [...e.capabilities],
            resources: { profile: e.profile, ...EDGE_PROFILES[e.profile] },
            site: { name: e.site, hostname: e.siteHostname },
            identity: { commonName: e.identity.commonName, certificateNotAfter: e.identity.notAfter, bundleSecretArn: e.bundleSecretArn },
            management: e.management,
        },
    };
}

export type RegistryEntry = ReturnType<typeof registryEntry>;

/** The entry as the YAML document stored in SSM (keys in a fixed order: the same node gives the same text). */
export function registryEntryYaml(e: RegistryEntryInput): string {
    return YAML.stringify(registryEntry(e), { lineWidth: 0 });
}
