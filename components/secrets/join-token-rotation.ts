import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { serviceTrustPolicy } from "../shared/iam";
import { ArgProblem, throwIfProblems } from "../shared/validation";
import { Tags } from "../shared/tags";

export interface JoinTokenRotationArgs {
    /** The swarm whose managers rotate the tokens (their instances carry tag `pr-cybr.io:swarm`). Required. */
    readonly swarmName: string;
    /** ARNs of the `…/manager-join-token` and `…/worker-join-token` secrets. Required. */
    readonly tokenSecretArns: { readonly manager: pulumi.Input<string>; readonly worker: pulumi.Input<string> };
    /** The swarm's KMS key: encrypts the function's logs. Required. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** Log group of the function; must match the key's log-group condition. Required. */
    readonly logGroupName: string;
    /** Days between rotations, 1-90. Defaults to 30. */
    readonly rotationDays?: number;
    /** Days the function's logs are kept. Defaults to 90. */
    readonly logRetentionDays?: number;
    /** Tags for every taggable child. Defaults to {}. */
    readonly tags?: Tags;
}

export const JOIN_TOKEN_ROTATION_DEFAULTS = { rotationDays: 30, logRetentionDays: 90, tags: {} as Tags };
export const ROTATION_FUNCTION_FILE = path.join(__dirname, "rotation", "join-token-rotation.js");

export function validateJoinTokenRotationArgs(args: JoinTokenRotationArgs): void {
    const problems: ArgProblem[] = [];
    const days = args.rotationDays ?? JOIN_TOKEN_ROTATION_DEFAULTS.rotationDays;
    if (!Number.isInteger(days) || days < 1 || days > 90) problems.push({ path: "rotationDays", reason: `${days} is not a whole number of days from 1 to 90` });
    throwIfProblems("JoinTokenRotation", problems);
}

/**
 * Rotates the swarm's join tokens on a schedule through Secrets Manager: a function asks an online
 * manager (SSM Run Command) to run `docker swarm join-token --rotate` and store the new token as the
 * pending version, checks it, then makes it current. The function itself never reads a token: it may
 * describe the secrets, move their stages and send commands to this swarm's instances only.
 * Nodes already in the swarm keep working; only new joins need the new token.
 */
export class JoinTokenRotation extends pulumi.ComponentResource {
    public readonly functionArn: pulumi.Output<string>;

    constructor(name: string, args: JoinTokenRotationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pr-cybr:secrets:JoinTokenRotation", name, {}, opts);
        validateJoinTokenRotationArgs(args);
        const d = JOIN_TOKEN_ROTATION_DEFAULTS;
        const tags = { ...d.tags, ...args.tags };
        const invoke = { parent: this };
        const partition = aws.getPartitionOutput({}, invoke).partition;
        const region = aws.getRegionOutput({}, invoke).region;
        const account = aws.getCallerIdentityOutput({}, invoke).accountId;

        const logs = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { name: args.logGroupName, retentionInDays: args.logRetentionDays ?? d.logRetentionDays, kmsKeyId: args.kmsKeyArn, tags: { ...tags, Name: args.logGroupName } },
            { parent: this },
        );
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                description: `Rotates the join tokens of swarm ${args.swarmName}`,
                assumeRolePolicy: serviceTrustPolicy("lambda.amazonaws.com"),
                tags: { ...tags, Name: `${name}-role` },
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            `${name}-policy`,
            {
                role: role.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        { Sid: "Stages", Effect: "Allow", Action: ["secretsmanager:DescribeSecret", "secretsmanager:UpdateSecretVersionStage"], Resource: Object.values(args.tokenSecretArns) },
                        { Sid: "RunOnThisSwarm", Effect: "Allow", Action: "ssm:SendCommand", Resource: pulumi.interpolate`arn:${partition}:ec2:${region}:${account}:instance/*`, Condition: { StringEquals: { "ssm:resourceTag/pr-cybr.io:swarm": args.swarmName } } },
                        { Sid: "ShellDocument", Effect: "Allow", Action: "ssm:SendCommand", Resource: pulumi.interpolate`arn:${partition}:ssm:${region}::document/AWS-RunShellScript` },
                        // Neither action supports resource-level permissions.
                        { Sid: "FindAndWatch", Effect: "Allow", Action: ["ssm:DescribeInstanceInformation", "ssm:GetCommandInvocation"], Resource: "*" },
                        { Sid: "Logs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: pulumi.interpolate`${logs.arn}:*` },
                    ],
                }),
            },
            { parent: this },
        );
        const fn = new aws.lambda.Function(
            `${name}-function`,
            {
                description: `Secrets Manager rotation of the join tokens of swarm ${args.swarmName}`,
                runtime: "nodejs22.x",
                architectures: ["arm64"],
                handler: "index.handler",
                code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.FileAsset(ROTATION_FUNCTION_FILE) }),
                role: role.arn,
                // Two SSM commands of up to 60 s each, polled.
                timeout: 150,
                memorySize: 256,
                environment: { variables: { SWARM_NAME: args.swarmName } },
                loggingConfig: { logFormat: "JSON", logGroup: logs.name },
                tags: { ...tags, Name: `${name}-function` },
            },
            { parent: this, dependsOn: [logs] },
        );
        const permission = new aws.lambda.Permission(
            `${name}-invoke`,
            { action: "lambda:InvokeFunction", function: fn.name, principal: "secretsmanager.amazonaws.com", sourceAccount: account },
            { parent: this },
        );
        Object.entries(args.tokenSecretArns).forEach(
            ([role, secretId]) =>
                new aws.secretsmanager.SecretRotation(
                    `${name}-${role}`,
                    {
                        secretId,
                        rotationLambdaArn: fn.arn,
                        rotationRules: { automaticallyAfterDays: args.rotationDays ?? d.rotationDays },
                        // The first rotation waits for the schedule: at create time the swarm may not exist yet.
                        rotateImmediately: false,
                    },
                    { parent: this, dependsOn: [permission] },
                ),
        );

        this.functionArn = fn.arn;
        this.registerOutputs({ functionArn: this.functionArn });
    }
}
