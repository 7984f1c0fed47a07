import { IPv4CidrRange, IPv4Prefix, Validator } from "ip-num";
import { cidrSyntaxProblem } from "../shared/cidr";

export { cidrSyntaxProblem };

export type SubnetTier = "public" | "private" | "intra";
export const SUBNET_TIERS: readonly SubnetTier[] = ["public", "private", "intra"];

/**
 * Every tier is cut into this many equal slots, one per AZ index, whatever azCount is. Growing from 2 to 3
 * AZs then adds subnets without renumbering existing ones (a changed CIDR replaces a subnet, which
 * fails while ENIs are attached).
 */
export const AZ_SLOTS = 8;
export const MIN_VPC_PREFIX = 16;
export const MAX_VPC_PREFIX = 20;

/** Subnet CIDRs per tier, index i being AZ i. */
export type SubnetPlan = Record<SubnetTier, string[]>;

/**
 * Why private gets half: Cilium in ENI mode gives pods VPC addresses from the nodes' (private) subnets,
 * so they need the most room. Public (NAT, load balancers) and intra (endpoints, no internet route) get
 * a quarter each. For a /16: private /20 (4,096 addresses), public and intra /21 (2,048) per AZ.
 */
export function planSubnets(vpcCidr: string, azCount: number): SubnetPlan {
    const problem = vpcCidrProblem(vpcCidr);
    if (problem) throw new Error(`cidr: ${problem}`);
    if (!Number.isInteger(azCount) || azCount < 1 || azCount > AZ_SLOTS) {
        throw new Error(`azCount: ${azCount} is out of range (1 to ${AZ_SLOTS})`);
    }
    const vpc = IPv4CidrRange.fromCidr(vpcCidr);
    const [privateRegion, rest] = vpc.split();
    const [publicRegion, intraRegion] = rest.split();
    const slots = (region: IPv4CidrRange) =>
        region
            .splitInto(new IPv4Prefix(region.getPrefix().getValue() + BigInt(Math.log2(AZ_SLOTS))))
            .slice(0, azCount)
            .map((r) => r.toCidrString());
    return { public: slots(publicRegion), private: slots(privateRegion), intra: slots(intraRegion) };
}

/** Why a VPC CIDR is unusable, or undefined when it is fine. Shared by the config schema and the component. */
export function vpcCidrProblem(cidr: string): string | undefined {
    const [syntaxOk] = Validator.isValidIPv4CidrNotation(cidr);
    if (!syntaxOk) return `"${cidr}" is not an IPv4 CIDR (a.b.c.d/n, e.g. 10.20.0.0/16)`;
    const prefix = Number(cidr.split("/")[1]);
    if (prefix < MIN_VPC_PREFIX || prefix > MAX_VPC_PREFIX) {
        return `prefix /${prefix} is out of range (/${MIN_VPC_PREFIX} to /${MAX_VPC_PREFIX}: each tier needs ${AZ_SLOTS} AZ slots)`;
    }
    const [rangeOk] = Validator.isValidIPv4CidrRange(cidr);
    if (!rangeOk) {
        const network = IPv4CidrRange.fromCidr(cidr).getFirst().toString();
        return `"${cidr}" has host bits set (use its network address, ${network}/${prefix})`;
    }
    if (!PRIVATE_RANGES.some((r) => IPv4CidrRange.fromCidr(cidr).inside(r))) {
        return `"${cidr}" is not a private range (use 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10)`;
    }
    return undefined;
}

const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"].map((c) =>
    IPv4CidrRange.fromCidr(c),
);

/** True when two IPv4 CIDRs share any address. */
export function cidrsOverlap(a: string, b: string): boolean {
    return IPv4CidrRange.fromCidr(a).isOverlapping(IPv4CidrRange.fromCidr(b));
}

