import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceTrustPolicy } from "../shared/iam";
import { logsKmsKey } from "../shared/kms";
import { LOG_RETENTION_DAYS } from "../shared/logs";
import { Tags } from "../shared/tags";
import { ArgProblem, throwIfProblems } from "../shared/validation";

export { LOG_RETENTION_DAYS };

export interface VpcFlowLogsArgs {
    /** The VPC whose traffic is logged. */
    readonly vpcId: pulumi.Input<string>;
    /** Days CloudWatch keeps the flow logs (a value CloudWatch accepts). Defaults to 90. */
    readonly retentionDays?: number;
    /** Which traffic is recorded. Defaults to "ALL". */
    readonly trafficType?: "ALL" | "ACCEPT" | "REJECT";
    /** KMS key ARN that encrypts the log group; when unset a dedicated key with rotation is created. Defaults to a key of this component. */
    readonly kmsKeyArn?: pulumi.Input<string>;
    /** Tags added to every taggable child (provider default tags come on top). Defaults to {}. */
    readonly tags?: Tags;
}

export const VPC_FLOW_LOGS_DEFAULTS = {
    retentionDays: 90,
    trafficType: "ALL",
    tags: {},
} as const;

/** Pure check of VpcFlowLogsArgs; throws every problem at once. */
export function validateVpcFlowLogsArgs(args: VpcFlowLogsArgs): void {
    const problems: ArgProblem[] = [];
    const days = args.retentionDays ?? VPC_FLOW_LOGS_DEFAULTS.retentionDays;
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(days)) {
        problems.push({ path: "retentionDays", reason: `${days} is not a CloudWatch retention (one of ${LOG_RETENTION_DAYS.join(", ")})` });
    }
    throwIfProblems("VpcFlowLogs", problems);
}

/**
 * VPC flow logs into a KMS-encrypted CloudWatch log group with retention, written by a role that can
 * only write that group and that only the flow-logs service of this account can assume.
 */
export class VpcFlowLogs extends pulumi.ComponentResource {
    public readonly logGroupName: pulumi.Output<string>;
    public readonly logGroupArn: pulumi.Output<string>;
    public readonly kmsKeyArn: pulumi.Output<string>;
    public readonly flowLogId: pulumi.Output<string>;

    constructor(name: string, args: VpcFlowLogsArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before super(): invalid args must not leave even the component registered.
        validateVpcFlowLogsArgs(args);
        super("pr-cybr:network:VpcFlowLogs", name, {}, opts);
        const tags = { ...VPC_FLOW_LOGS_DEFAULTS.tags, ...args.tags };
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        // An explicit name lets the key policy scope the logs service to exactly this group.
        const logGroupName = `/aws/vpc-flow-logs/${name}`;

        const kmsKeyArn = args.kmsKeyArn
            ? pulumi.output(args.kmsKeyArn)
            : logsKmsKey(this, name, { purpose: `the VPC flow-log group of ${name}`, logGroupName, alias: name, tags }).arn;

        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-group`,
            {
                name: logGroupName,
                retentionInDays: args.retentionDays ?? VPC_FLOW_LOGS_DEFAULTS.retentionDays,
                kmsKeyId: kmsKeyArn,
                tags: { ...tags, Name: logGroupName },
            },
            { parent: this },
        );

        const role = new aws.iam.Role(
            `${name}-role`,
            {
                description: `Writes VPC flow logs to ${logGroupName}`,
                // Confused-deputy guard: only flow logs of this account may use the role.
                assumeRolePolicy: serviceTrustPolicy("vpc-flow-logs.amazonaws.com", account),
                tags: { ...tags, Name: `${name}-role` },
            },
            { parent: this },
        );

        new aws.iam.RolePolicy(
            `${name}-write`,
            {
                role: role.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                            Resource: [logGroup.arn, pulumi.interpolate`${logGroup.arn}:*`],
                        },
                    ],
                }),
            },
            { parent: this },
        );

        const flowLog = new aws.ec2.FlowLog(
            `${name}-flow-log`,
            {
                vpcId: args.vpcId,
                trafficType: args.trafficType ?? VPC_FLOW_LOGS_DEFAULTS.trafficType,
                logDestinationType: "cloud-watch-logs",
                logDestination: logGroup.arn,
                iamRoleArn: role.arn,
                // One-minute aggregation: incident timelines need better than the 10-minute default.
                maxAggregationInterval: 60,
                tags: { ...tags, Name: `${name}-flow-log` },
            },
            { parent: this },
        );

        this.logGroupName = logGroup.name;
        this.logGroupArn = logGroup.arn;
        this.kmsKeyArn = kmsKeyArn;
        this.flowLogId = flowLog.id;
        this.registerOutputs({
            logGroupName: this.logGroupName,
            logGroupArn: this.logGroupArn,
            kmsKeyArn: this.kmsKeyArn,
            flowLogId: this.flowLogId,
        });
    }
}
