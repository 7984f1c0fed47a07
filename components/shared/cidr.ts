import { Validator } from "ip-num";

/** Why a CIDR (any prefix) is malformed, or undefined. */
export function cidrSyntaxProblem(cidr: string): string | undefined {
    const [syntaxOk] = Validator.isValidIPv4CidrNotation(cidr);
    if (!syntaxOk) return `"${cidr}" is not an IPv4 CIDR (a.b.c.d/n, e.g. 203.0.113.0/24)`;
    const [rangeOk] = Validator.isValidIPv4CidrRange(cidr);
    if (!rangeOk) return `"${cidr}" has host bits set (use its network address)`;
    return undefined;
}
