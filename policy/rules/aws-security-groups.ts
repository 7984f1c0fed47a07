import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { worldOpenFamilies } from "./lib/cidr";
import { Deferred } from "./lib/unknowns";

export interface SecurityGroupConfig {
    /** Ports that may never be open to the internet (Swarm, Docker API, SSH and the like). */
    forbiddenPorts: number[];
    /** Tag marking load-balancer security groups, which alone may take 80/443 from the internet. */
    loadBalancerTag: { key: string; value: string };
}

interface IngressRule {
    from: number;
    to: number;
    cidrs: string[];
    where: string;
    securityGroup?: PolicyResource;
}

const SG = "aws:ec2/securityGroup:SecurityGroup";
/** "-1" (or "all") is every protocol and port (the provider's docs for fromPort/toPort with protocol -1). */
const ALL_PROTOCOLS = ["-1", "all"];
/** ICMP "ports" are types and codes, not ports a service listens on. */
const ICMP = ["icmp", "1", "icmpv6", "58"];

/** A rule's port range, or undefined for ICMP. */
function portRange(protocol: unknown, from: unknown, to: unknown): [number, number] | undefined {
    const p = String(protocol).toLowerCase();
    if (ALL_PROTOCOLS.includes(p)) return [0, 65535];
    if (ICMP.includes(p)) return undefined;
    return [Number(from ?? 0), Number(to ?? from ?? 65535)];
}

/**
 * Ingress rules from every way @pulumi/aws expresses them: inline, SecurityGroupRule and
 * vpc.SecurityGroupIngressRule. A rule's group is the one its securityGroupId depends on (known in a
 * preview, where ids are not); linked to something else (EKS's cluster group) it is a group this stack
 * does not manage. Only an unlinked rule (a literal id) is matched by id; while some group's id is
 * unknown that match is undecided, and only that rule is deferred.
 */
function ingressRules(resources: PolicyResource[], deferred: Deferred): IngressRule[] {
    let byId: Map<unknown, PolicyResource> | undefined;
    let unknownId: unknown;
    const groupById = (id: unknown) => {
        if (!byId) {
            byId = new Map();
            for (const g of resources.filter((r) => r.type === SG)) {
                try {
                    byId.set(g.props.id, g);
                } catch (err) {
                    unknownId ??= err;
                }
            }
        }
        const found = byId.get(id);
        if (!found && unknownId) throw unknownId;
        return found;
    };
    const sgOf = (r: PolicyResource) => {
        const linked = r.propertyDependencies?.securityGroupId ?? [];
        return linked.length > 0 ? linked.find((d) => d.type === SG) : groupById(r.props.securityGroupId);
    };
    const rules: IngressRule[] = [];
    const add = (range: [number, number] | undefined, cidrs: unknown[], where: string, securityGroup: PolicyResource | undefined) => {
        if (range) rules.push({ from: range[0], to: range[1], cidrs: cidrs.filter((c): c is string => typeof c === "string"), where, securityGroup });
    };
    for (const r of resources) {
        if (r.type === SG) {
            ((deferred.run(() => r.props.ingress) ?? []) as Record<string, any>[]).forEach((_, i) =>
                deferred.run(() => {
                    const rule = r.props.ingress[i];
                    add(portRange(rule.protocol, rule.fromPort, rule.toPort), [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])], `security group "${r.name}"`, r);
                }),
            );
        } else if (r.type === "aws:ec2/securityGroupRule:SecurityGroupRule") {
            deferred.run(() => {
                if (r.props.type !== "ingress") return;
                add(portRange(r.props.protocol, r.props.fromPort, r.props.toPort), [...(r.props.cidrBlocks ?? []), ...(r.props.ipv6CidrBlocks ?? [])], `rule "${r.name}"`, sgOf(r));
            });
        } else if (r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
            deferred.run(() => {
                const cidrs = ["cidrIpv4", "cidrIpv6"].filter((k) => k in r.props).map((k) => r.props[k]);
                add(portRange(r.props.ipProtocol, r.props.fromPort, r.props.toPort), cidrs, `rule "${r.name}"`, sgOf(r));
            });
        }
    }
    return rules;
}

/** Ports of [from, to] that the policy cares about: forbidden ones, and the privileged range's part. */
function sensitive(from: number, to: number, forbidden: number[], webOk: boolean): number[] {
    const out = forbidden.filter((p) => p >= from && p <= to);
    for (let p = from; p <= Math.min(to, 1023); p++) if (!(webOk && (p === 80 || p === 443)) && !out.includes(p)) out.push(p);
    return out.sort((a, b) => a - b);
}

/** "22, 80-443" from a sorted port list. */
function spans(ports: number[]): string {
    const out: string[] = [];
    for (let i = 0; i < ports.length; ) {
        let j = i;
        while (j + 1 < ports.length && ports[j + 1] === ports[j] + 1) j++;
        out.push(i === j ? String(ports[i]) : `${ports[i]}-${ports[j]}`);
        i = j + 1;
    }
    return out.join(", ");
}

/**
 * The ports attackers scan for first: SSH, the Docker API (2375/2376 is root on the host), Swarm's
 * control and data plane, and every privileged port. Only load balancers may take web traffic. The
 * internet is matched however the CIDRs split it (lib/cidr.ts), within one rule or across the rules of
 * one group, since a group allows the union of its rules.
 */
export const awsSecurityGroupNoPublicAdminPorts: StackValidationPolicy = {
    name: "aws-sg-no-public-admin-ports",
    description:
        "No security group takes traffic from the whole internet (0.0.0.0/0, ::/0, or CIDRs that add up to it, within a rule or across a group's rules) on 22, 2375-2377, 7946, 4789 or any port below 1024, except 80/443 on security groups tagged as load balancers.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            forbiddenPorts: { type: "array", items: { type: "integer", minimum: 0, maximum: 65535 }, default: [22, 2375, 2376, 2377, 7946, 4789] },
            loadBalancerTag: { type: "object", properties: { key: { type: "string" }, value: { type: "string" } }, required: ["key", "value"], default: { key: "pr-cybr.io/role", value: "load-balancer" } },
        },
    },
    validateStack: (args, reportViolation) => {
        const cfg = args.getConfig<SecurityGroupConfig>();
        const deferred = new Deferred();
        const rules = ingressRules(args.resources, deferred);
        const isLb = (g?: PolicyResource) => g !== undefined && deferred.run(() => (g.props.tags ?? {})[cfg.loadBalancerTag.key] === cfg.loadBalancerTag.value) === true;
        const reported = new Set<IngressRule>();
        for (const rule of rules) {
            const world = worldOpenFamilies(rule.cidrs);
            if (world.length === 0) continue;
            const lb = isLb(rule.securityGroup);
            const ports = sensitive(rule.from, rule.to, cfg.forbiddenPorts, lb);
            if (ports.length === 0) continue;
            reported.add(rule);
            const web = rule.from === rule.to && (rule.from === 80 || rule.from === 443);
            const split = world.some((w) => !rule.cidrs.includes(w)) ? ` (its CIDRs ${rule.cidrs.join(", ")} add up to it)` : "";
            reportViolation(`${rule.where} opens ${spans(ports)} to ${world.join(" and ")}${split}${web && !lb ? " (80/443 from the internet are for load-balancer security groups only)" : ""}.`, rule.securityGroup?.urn);
        }
        // Across rules: a group allows the union of its rules, so halves in two rules are the whole.
        const byGroup = new Map<PolicyResource, IngressRule[]>();
        for (const r of rules) if (r.securityGroup) byGroup.set(r.securityGroup, [...(byGroup.get(r.securityGroup) ?? []), r]);
        for (const [group, groupRules] of byGroup) {
            if (groupRules.length < 2) continue;
            const lb = isLb(group);
            const candidates = new Set(groupRules.flatMap((r) => sensitive(r.from, r.to, cfg.forbiddenPorts, lb)));
            const open = new Map<string, number[]>();
            for (const port of [...candidates].sort((a, b) => a - b)) {
                const covering = groupRules.filter((r) => r.from <= port && port <= r.to);
                if (covering.some((r) => reported.has(r) && worldOpenFamilies(r.cidrs).length > 0)) continue;
                const world = worldOpenFamilies(covering.flatMap((r) => r.cidrs));
                if (world.length === 0) continue;
                const key = `${covering.map((r) => r.where).join(", ")}|${world.join(" and ")}`;
                open.set(key, [...(open.get(key) ?? []), port]);
            }
            for (const [key, ports] of open) {
                const [where, world] = key.split("|");
                reportViolation(`security group "${group.name}": ${where} together open ${spans(ports)} to ${world} (their CIDRs add up to the whole internet).`, group.urn);
            }
        }
        deferred.finish();
    },
};
