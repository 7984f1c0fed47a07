import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { Deferred, peek } from "./lib/unknowns";

export interface VpcFlowLogsConfig {
    /** Flow-log traffic types that count as "logging this VPC". */
    trafficTypes: ("ALL" | "ACCEPT" | "REJECT")[];
}

/**
 * propertyDependencies work in a preview too, where ids are unknown: a flow log linked to VPCs is
 * attached to those; only an unlinked one (a literal id) is matched by id.
 */
const attachedTo = (vpc: PolicyResource) => (log: PolicyResource) => {
    const linked = log.propertyDependencies?.vpcId ?? [];
    if (linked.length > 0) return linked.some((dep) => dep.urn === vpc.urn);
    // Unknown ids (a preview) leave the match undecided: undefined.
    return peek(() => log.props.vpcId !== undefined && log.props.vpcId === vpc.props.id);
};

/** A destination is set when it comes from another resource (a log group's or bucket's ARN, unknown in a preview: the link decides) or is a non-empty literal. */
const hasDestination = (log: PolicyResource) =>
    ["logDestination", "logGroupName"].some((k) => (log.propertyDependencies?.[k] ?? []).length > 0 || (k in log.props && log.props[k] !== "" && log.props[k] !== null));

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
        const deferred = new Deferred();
        const flowLogs = args.resources.filter((r) => r.type === "aws:ec2/flowLog:FlowLog");
        for (const vpc of args.resources.filter((r) => r.type === "aws:ec2/vpc:Vpc")) {
            const matches = flowLogs.map(attachedTo(vpc));
            const attached = flowLogs.filter((_, i) => matches[i] === true);
            if (attached.length === 0 && matches.includes(undefined)) {
                deferred.run(() => flowLogs.forEach((l) => l.props.vpcId === vpc.props.id)); // records the unknown
                continue;
            }
            if (attached.length === 0) {
                reportViolation(`VPC "${vpc.name}" has no flow log: add one (components/network VpcFlowLogs does it for you).`, vpc.urn);
                continue;
            }
            const verdicts = attached.map((l) => deferred.run(() => trafficTypes.includes(l.props.trafficType) && hasDestination(l)));
            if (!verdicts.includes(true) && !verdicts.includes(undefined)) {
                const found = attached.map((l) => `${l.name}: trafficType ${peek(() => l.props.trafficType) ?? "unset"}`).join("; ");
                reportViolation(`VPC "${vpc.name}" has flow logs, but none records ${trafficTypes.join(" or ")} traffic to a destination (${found}).`, vpc.urn);
            }
        }
        deferred.finish();
    },
};
