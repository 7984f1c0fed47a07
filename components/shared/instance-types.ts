/** CPU architectures we run on; "amd64" is x86_64 in EC2 terms. */
export type Arch = "arm64" | "amd64";
export const ARCHES: readonly Arch[] = ["arm64", "amd64"];

/** family.size, e.g. m7g.large, c7gn.2xlarge, t3a.medium. */
export const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;

/**
 * The architecture of an EC2 instance type: Graviton families carry a "g" right after the generation
 * digit (m7g, c7gn, r8g, t4g, im4gn, is4gen, x2gd) and a1 is the first Graviton; everything else we
 * accept is x86_64. GPU families (g5, g6) have their "g" *before* the digit, so they stay amd64, as
 * does g5g's counterpart g5; g5g itself is arm64.
 */
export function archOfInstanceType(instanceType: string): Arch {
    const family = instanceType.split(".")[0];
    return family === "a1" || /^[a-z]+\d+g/.test(family) ? "arm64" : "amd64";
}
