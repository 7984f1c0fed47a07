/**
 * Whether a set of CIDRs opens a port to the internet however it is written: 0.0.0.0/0, or
 * 0.0.0.0/1 + 128.0.0.0/1, or every public block but one private range. A set is world-open when its
 * union covers all public unicast space: IPv4 except the special-purpose blocks below (IANA
 * special-purpose registry, RFC 6890), IPv6 2000::/3 (global unicast, RFC 4291 §2.4).
 */

type Range = [bigint, bigint];

function parseV4(ip: string): bigint | undefined {
    const parts = ip.split(".");
    if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
    return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

function parseV6(ip: string): bigint | undefined {
    if (!/^[0-9a-fA-F:.]+$/.test(ip) || ip.split("::").length > 2) return undefined;
    const [head, tail] = ip.includes("::") ? ip.split("::") : [ip, undefined];
    const groups = (s: string | undefined) => (s ? s.split(":") : []);
    const h = groups(head);
    const t = groups(tail);
    const missing = 8 - h.length - t.length;
    if (tail === undefined ? h.length !== 8 : missing < 0) return undefined;
    const all = [...h, ...Array(tail === undefined ? 0 : missing).fill("0"), ...t];
    if (all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
    return all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** A CIDR as an address range and its family, or undefined when malformed. */
export function cidrRange(cidr: string): { family: 4 | 6; range: Range } | undefined {
    const m = /^\s*([^/\s]+)\/(\d{1,3})\s*$/.exec(cidr);
    if (!m) return undefined;
    const family = m[1].includes(":") ? 6 : 4;
    const bits = family === 4 ? 32 : 128;
    const prefix = Number(m[2]);
    const addr = family === 4 ? parseV4(m[1]) : parseV6(m[1]);
    if (addr === undefined || prefix > bits) return undefined;
    const size = 1n << BigInt(bits - prefix);
    const start = (addr / size) * size;
    return { family, range: [start, start + size - 1n] };
}

const ranges = (cidrs: string[]) => cidrs.map(cidrRange).filter((r): r is NonNullable<typeof r> => r !== undefined);

/** IPv4 public unicast space: everything outside the special-purpose blocks. */
const V4_NOT_PUBLIC = ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/3"];
const V6_PUBLIC = "2000::/3";

/** Whether the union of ranges covers [lo, hi] minus the holes. */
function covers(have: Range[], lo: bigint, hi: bigint, holes: Range[]): boolean {
    const all = [...have, ...holes].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    let next = lo;
    for (const [s, e] of all) {
        if (s > next) return false;
        if (e + 1n > next) next = e + 1n;
        if (next > hi) return true;
    }
    return next > hi;
}

/** Which families (as "0.0.0.0/0" / "::/0") the CIDRs open to the whole internet. */
export function worldOpenFamilies(cidrs: string[]): string[] {
    const rs = ranges(cidrs);
    const out: string[] = [];
    const v4 = rs.filter((r) => r.family === 4).map((r) => r.range);
    if (v4.length > 0 && covers(v4, 0n, (1n << 32n) - 1n, ranges(V4_NOT_PUBLIC).map((r) => r.range))) out.push("0.0.0.0/0");
    const v6 = rs.filter((r) => r.family === 6).map((r) => r.range);
    const [lo, hi] = cidrRange(V6_PUBLIC)!.range;
    if (v6.length > 0 && covers(v6, lo, hi, [])) out.push("::/0");
    return out;
}
