import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";

export interface VpcFlowLogsConfig {
    /** Flow-log traffic types that count as "logging this VPC". */
    trafficTypes: ("ALL" | "ACCEPT" | "REJECT")[];
}

const attachedTo = (vpc: PolicyResource) => (log: PolicyResource) =>
    // propertyDependencies work in preview too, when the VPC id is still unknown.
    (log.propertyDependencies?.vpcId ?? []).some((dep) => dep.urn === vpc.urn) || (log.props.vpcId !== undefined && log.props.vpcId === vpc.props.id);

/** Without flow logs there is no record of who talked to what: incident response and forensics go blind. */
export const vpcFlowLogsEnabled: StackValidationPolicy = {
    name: "vpc-flow-logs-enabled",
    description: "Every VPC has a flow log that records its traffic (ALL by default) to a destination, so incidents can be reconstructed.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            trafficTypes: { type: "array", items: { type: "string", enum: ["ALL", "ACCEPT", "REJECT"] }, minItems: 1, default: ["ALL"] },
        },
    },
    validateStack: (args, reportViolation) => {
        const { trafficTypes } = args.getConfig<VpcFlowLogsConfig>();
        const flowLogs = args.resources.filter((r) => r.type === "aws:ec2/flowLog:FlowLog");
        for (const vpc of args.resources.filter((r) => r.type === "aws:ec2/vpc:Vpc")) {
            const attached = flowLogs.filter(attachedTo(vpc));
            if (attached.length === 0) {
                reportViolation(`VPC "${vpc.name}" has no flow log: add one (components/network VpcFlowLogs does it for you).`, vpc.urn);
                continue;
            }
            const recording = attached.filter((l) => trafficTypes.includes(l.props.trafficType) && (l.props.logDestination || l.props.logGroupName));
            if (recording.length === 0) {
                const found = attached.map((l) => `${l.name}: trafficType ${l.props.trafficType ?? "unset"}`).join("; ");
                reportViolation(`VPC "${vpc.name}" has flow logs, but none records ${trafficTypes.join(" or ")} traffic to a destination (${found}).`, vpc.urn);
            }
        }
    },
};
