import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";

export interface SecurityGroupConfig {
    /** Ports that may never be open to the internet (Swarm, Docker API, SSH and the like). */
    forbiddenPorts: number[];
    /** Tag marking load-balancer security groups, which alone may take 80/443 from the internet. */
    loadBalancerTag: { key: string; value: string };
}

const WORLD = ["0.0.0.0/0", "::/0"];

interface IngressRule {
    from: number;
    to: number;
    protocol: string;
    cidrs: string[];
    where: string;
    securityGroup?: PolicyResource;
}

/** Ingress rules from every way @pulumi/aws expresses them: inline, SecurityGroupRule and vpc.SecurityGroupIngressRule. */
function ingressRules(resources: PolicyResource[]): IngressRule[] {
    // A rule's group is the one its securityGroupId depends on (known in a preview, where ids are not);
    // linked to something else (EKS's cluster group), it is a group this stack does not manage. Only an
    // unlinked rule (a literal id) is matched by id, so ids are read only then.
    let byId: Map<unknown, PolicyResource> | undefined;
    const groupById = (id: unknown) => (byId ??= new Map(resources.filter((r) => r.type === "aws:ec2/securityGroup:SecurityGroup").map((r) => [r.props.id, r]))).get(id);
    const sgOf = (r: PolicyResource) => {
        const linked = r.propertyDependencies?.securityGroupId ?? [];
        return linked.length > 0 ? linked.find((d) => d.type === "aws:ec2/securityGroup:SecurityGroup") : groupById(r.props.securityGroupId);
    };
    const rules: IngressRule[] = [];
    for (const r of resources) {
        if (r.type === "aws:ec2/securityGroup:SecurityGroup") {
            for (const i of r.props.ingress ?? []) rules.push({ from: i.fromPort, to: i.toPort, protocol: String(i.protocol), cidrs: [...(i.cidrBlocks ?? []), ...(i.ipv6CidrBlocks ?? [])], where: `security group "${r.name}"`, securityGroup: r });
        } else if (r.type === "aws:ec2/securityGroupRule:SecurityGroupRule" && r.props.type === "ingress") {
            rules.push({ from: r.props.fromPort, to: r.props.toPort, protocol: String(r.props.protocol), cidrs: [...(r.props.cidrBlocks ?? []), ...(r.props.ipv6CidrBlocks ?? [])], where: `rule "${r.name}"`, securityGroup: sgOf(r) });
        } else if (r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
            const all = r.props.ipProtocol === "-1";
            rules.push({ from: all ? 0 : r.props.fromPort, to: all ? 65535 : r.props.toPort, protocol: String(r.props.ipProtocol), cidrs: [r.props.cidrIpv4, r.props.cidrIpv6].filter(Boolean), where: `rule "${r.name}"`, securityGroup: sgOf(r) });
        }
    }
    return rules;
}

/**
 * The ports attackers scan for first: SSH, the Docker API (2375/2376 is root on the host), Swarm's
 * control and data plane, and every privileged port. Only load balancers may take web traffic.
 */
export const awsSecurityGroupNoPublicAdminPorts: StackValidationPolicy = {
    name: "aws-sg-no-public-admin-ports",
    description: "No security group takes traffic from 0.0.0.0/0 or ::/0 on 22, 2375-2377, 7946, 4789 or any port below 1024, except 80/443 on security groups tagged as load balancers.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            forbiddenPorts: { type: "array", items: { type: "integer", minimum: 0, maximum: 65535 }, default: [22, 2375, 2376, 2377, 7946, 4789] },
            loadBalancerTag: { type: "object", properties: { key: { type: "string" }, value: { type: "string" } }, required: ["key", "value"], default: { key: "pr-cybr.io/role", value: "load-balancer" } },
        },
    },
    validateStack: (args, reportViolation) => {
        const cfg = args.getConfig<SecurityGroupConfig>();
        for (const rule of ingressRules(args.resources)) {
            const world = rule.cidrs.filter((c) => WORLD.includes(c));
            if (world.length === 0) continue;
            const from = Number(rule.from ?? 0);
            const to = Number(rule.to ?? 65535);
            const isLb = rule.securityGroup?.props.tags?.[cfg.loadBalancerTag.key] === cfg.loadBalancerTag.value;
            const web = from === to && (from === 80 || from === 443);
            const hits = [...cfg.forbiddenPorts.filter((p) => p >= from && p <= to), ...(from < 1024 && !(web && isLb) ? [`${from}${to !== from ? `-${to}` : ""}`] : [])];
            if (hits.length > 0) {
                const ports = [...new Set(hits.map(String))].join(", ");
                reportViolation(`${rule.where} opens ${ports} to ${world.join(" and ")}${web && !isLb ? " (80/443 from the internet are for load-balancer security groups only)" : ""}.`, rule.securityGroup?.urn);
            }
        }
    },
};
