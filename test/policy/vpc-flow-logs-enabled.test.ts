import * as aws from "@pulumi/aws";
import { vpcFlowLogsEnabled } from "../../policy/rules";
import { runStack, stackResource, UNKNOWN_STRING } from "./harness";

const vpc = stackResource(aws.ec2.Vpc, "main", { id: "vpc-0abc", cidrBlock: "10.0.0.0/16" });
const other = stackResource(aws.ec2.Vpc, "other", { id: "vpc-0def", cidrBlock: "10.1.0.0/16" });
const flowLog = (props: Record<string, unknown>, linkedTo = vpc) =>
    stackResource(aws.ec2.FlowLog, `fl-${linkedTo.name}`, { logDestination: "arn:aws:logs:us-east-1:1:log-group:x", ...props }, { propertyDependencies: { vpcId: [linkedTo] } });

describe("vpc-flow-logs-enabled", () => {
    it("passes when every VPC has a flow log recording ALL traffic", async () => {
        const out = await runStack(vpcFlowLogsEnabled, [vpc, other, flowLog({ vpcId: "vpc-0abc", trafficType: "ALL" }), flowLog({ vpcId: "vpc-0def", trafficType: "ALL" }, other)]);
        expect(out.messages).toEqual([]);
    });

    it("matches a flow log by id when there is no property dependency", async () => {
        const byId = stackResource(aws.ec2.FlowLog, "imported", { vpcId: "vpc-0abc", trafficType: "ALL", logDestination: "arn:aws:s3:::logs" });
        expect((await runStack(vpcFlowLogsEnabled, [vpc, byId])).messages).toEqual([]);
    });

    it("fails for a VPC without any flow log, on that VPC's URN", async () => {
        const out = await runStack(vpcFlowLogsEnabled, [vpc, other, flowLog({ vpcId: "vpc-0abc", trafficType: "ALL" })]);
        expect(out.messages).toEqual(['VPC "other" has no flow log: add one (components/network VpcFlowLogs does it for you).']);
        expect(out.urns).toEqual([other.urn]);
    });

    it("fails when the only flow log records rejected traffic alone", async () => {
        const out = await runStack(vpcFlowLogsEnabled, [vpc, flowLog({ vpcId: "vpc-0abc", trafficType: "REJECT" })]);
        expect(out.messages).toEqual(['VPC "main" has flow logs, but none records ALL traffic to a destination (fl-main: trafficType REJECT).']);
    });

    it("accepts the traffic types policy config allows", async () => {
        const out = await runStack(vpcFlowLogsEnabled, [vpc, flowLog({ vpcId: "vpc-0abc", trafficType: "REJECT" })], { trafficTypes: ["ALL", "REJECT"] });
        expect(out.messages).toEqual([]);
    });

    it("an unknown VPC id in a preview leaves that VPC undecided (the engine's can't-run), not a silent pass or a false finding", async () => {
        const unknownLog = stackResource(aws.ec2.FlowLog, "fl", { vpcId: UNKNOWN_STRING, trafficType: "ALL" });
        const out = await runStack(vpcFlowLogsEnabled, [vpc, unknownLog]);
        expect(out.messages).toEqual([]);
        expect(out.cannotRun).toMatch(/can't be known during preview/);
    });
});
