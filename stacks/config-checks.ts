import { archOfInstanceType } from "../components/shared/instance-types";
import { cidrsOverlap, cidrSyntaxProblem } from "../components/network/subnet-plan";

/** A problem found in the stack config: its path (`tenants[2].name`) and the message. */
export interface ConfigProblem {
    readonly path: string;
    readonly message: string;
}

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Raw) : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const int = (v: unknown): number | undefined => (typeof v === "number" && Number.isInteger(v) ? v : undefined);

/**
 * Rules that span fields. They read the raw config defensively and run even when the schema found
 * other problems, so a user sees every problem in one run instead of one per attempt.
 */
export function crossFieldProblems(raw: Raw): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const cluster = obj(raw.cluster);
    const edge = obj(raw.edge);
    const network = obj(raw.network);

    duplicates(problems, "tenants", arr(raw.tenants), "tenant");
    duplicates(problems, "edge.nodes", arr(edge?.nodes), "edge node");
    duplicates(problems, "cluster.nodeGroups", arr(cluster?.nodeGroups), "node group");

    arr(cluster?.nodeGroups).forEach((g, i) => {
        const group = obj(g);
        if (!group) return;
        const path = `cluster.nodeGroups[${i}]`;
        const [min, desired, max] = [int(group.minSize), int(group.desiredSize), int(group.maxSize)];
        if (min !== undefined && max !== undefined && min > max) {
            problems.push({ path: `${path}.minSize`, message: `${min} is more than maxSize ${max} (minSize <= desiredSize <= maxSize)` });
        }
        if (desired !== undefined && min !== undefined && desired < min) {
            problems.push({ path: `${path}.desiredSize`, message: `${desired} is less than minSize ${min} (minSize <= desiredSize <= maxSize)` });
        }
        if (desired !== undefined && max !== undefined && desired > max) {
            problems.push({ path: `${path}.desiredSize`, message: `${desired} is more than maxSize ${max} (minSize <= desiredSize <= maxSize)` });
        }
        archMismatch(problems, `${path}.instanceTypes`, arr(group.instanceTypes), str(group.arch));
    });

    // The API endpoint may be public only from named networks; "public to the world" is never allowed.
    const publicCidrs = arr(cluster?.publicAccessCidrs);
    if (cluster?.endpointPublicAccess === true && publicCidrs.length === 0) {
        problems.push({
            path: "cluster.publicAccessCidrs",
            message: "is empty while endpointPublicAccess is true (list the networks allowed to reach the API, e.g. your VPN egress x.x.x.x/32)",
        });
    }
    publicCidrs.forEach((c, i) => {
        if (c === "0.0.0.0/0") {
            problems.push({ path: `cluster.publicAccessCidrs[${i}]`, message: '"0.0.0.0/0" opens the API to the internet (list specific networks, or set endpointPublicAccess: false)' });
        }
    });

    const vpcCidr = str(network?.cidr);
    const vpnCidr = str(edge?.vpnCidr) ?? (edge ? "100.64.0.0/10" : undefined);
    if (vpcCidr && vpnCidr && !cidrSyntaxProblem(vpcCidr) && !cidrSyntaxProblem(vpnCidr) && cidrsOverlap(vpcCidr, vpnCidr)) {
        problems.push({ path: "edge.vpnCidr", message: `${vpnCidr} overlaps network.cidr ${vpcCidr} (edge VPN and VPC ranges must be disjoint for routing)` });
    }
    return problems;
}

function duplicates(problems: ConfigProblem[], path: string, items: unknown[], what: string): void {
    const firstIndex = new Map<string, number>();
    items.forEach((item, i) => {
        const name = str(obj(item)?.name);
        if (name === undefined) return;
        const first = firstIndex.get(name);
        if (first === undefined) firstIndex.set(name, i);
        else problems.push({ path: `${path}[${i}].name`, message: `"${name}" is already used by ${path}[${first}] (${what} names must be unique)` });
    });
}

function archMismatch(problems: ConfigProblem[], path: string, types: unknown[], arch: string | undefined): void {
    if (arch !== "arm64" && arch !== "amd64") return;
    types.forEach((t, i) => {
        if (typeof t !== "string" || archOfInstanceType(t) === arch) return;
        const hint = arch === "arm64" ? "use a Graviton type such as m7g.large" : "use an x86 type such as m7i.large";
        problems.push({
            path: `${path}[${i}]`,
            message: `"${t}" is an ${archOfInstanceType(t)} type but arch is ${arch} (${hint}, or change arch)`,
        });
    });
}
