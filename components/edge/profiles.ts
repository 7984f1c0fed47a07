/** The VPNs an edge node can join the swarm over. */
export const EDGE_VPNS = ["tailscale", "zerotier"] as const;
export type EdgeVpn = (typeof EDGE_VPNS)[number];

/**
 * Resource profiles for the registry and the `profile` engine label. The numbers are what placement
 * may assume a node of the profile has, not what it must have.
 */
export const EDGE_PROFILES = {
    small: { cpu: 2, memoryMiB: 2048 },
    medium: { cpu: 4, memoryMiB: 8192 },
    large: { cpu: 8, memoryMiB: 16384 },
} as const;
export const EDGE_PROFILE_NAMES = ["small", "medium", "large"] as const;
export type EdgeProfile = (typeof EDGE_PROFILE_NAMES)[number];

/** Longest node name whose certificate CN (`<name>-<8 hex>`) fits X.509's 64 characters. */
export const MAX_EDGE_NODE_NAME = 54;
