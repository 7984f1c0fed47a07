/**
 * Violations seeded into a stack's policy inputs, to see whether a preview catches them: an ingress
 * rule opening SSH to the internet on an existing security group (linked as the program links one,
 * by a property dependency on securityGroupId), and a VPC without a flow log. Both rules decide on
 * values a preview knows (ports, CIDRs, links); only ids and ARNs are unknown there.
 */
import { WireResource } from "./wire";

const renamed = (r: WireResource, suffix: string): WireResource => {
    const name = `${r.name}-${suffix}`;
    return { ...r, name, urn: `${r.urn.slice(0, r.urn.lastIndexOf("::"))}::${name}` };
};

export function seedViolations(resources: WireResource[], mode: "known" | "preview"): { resources: WireResource[]; expected: { policy: string; urn: string }[] } {
    const groups = new Set(resources.filter((r) => r.type === "aws:ec2/securityGroup:SecurityGroup").map((r) => r.urn));
    const rule = resources.find((r) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" && groups.has(r.propertyDependencies.securityGroupId?.[0]));
    const vpc = resources.find((r) => r.type === "aws:ec2/vpc:Vpc");
    if (!rule || !vpc) throw new Error("the stack has no security group ingress rule or no VPC to seed next to");
    const ssh = renamed(rule, "seeded-ssh");
    const open = { cidrIpv4: "0.0.0.0/0", fromPort: 22, toPort: 22, description: "seeded: SSH from anywhere" };
    ssh.inputs = { ...rule.inputs, ...open };
    ssh.outputs = { ...rule.outputs, ...open };
    const bare = renamed(vpc, "seeded-bare");
    // Known, a VPC has an id of its own (the existing flow log must not match it by id).
    if (mode === "known") bare.outputs = { ...vpc.outputs, id: "vpc-0seeded0000000000" };
    return {
        resources: [...resources, ssh, bare],
        expected: [
            { policy: "aws-sg-no-public-admin-ports", urn: rule.propertyDependencies.securityGroupId[0] },
            { policy: "vpc-flow-logs-enabled", urn: bare.urn },
        ],
    };
}
