import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags } from "./tags";

export interface LogsKeyArgs {
    /** What the key protects, for its description. */
    readonly purpose: string;
    /** The CloudWatch log group name (or a `*` pattern) the logs service may use the key for. */
    readonly logGroupName: string;
    /** Alias, without the `alias/` prefix. */
    readonly alias: string;
    readonly tags: Tags;
    /** Refuse to delete the key through Pulumi (data encrypted with it would be lost). */
    readonly protect?: boolean;
    /**
     * Service-linked roles that launch instances whose EBS volumes this key encrypts (Auto Scaling's):
     * their own permissions cover only AWS managed keys, so the key policy must let them use it.
     */
    readonly volumeLauncherRoleArns?: pulumi.Input<string>[];
}

/**
 * The two statements AWS requires for a service-linked role that launches instances with volumes
 * encrypted by a customer-managed key: EC2 Auto Scaling user guide, "Required AWS KMS key policy for
 * use with encrypted volumes" (docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html).
 */
export function volumeLauncherStatements(roleArns: pulumi.Input<string>[]): Record<string, unknown>[] {
    if (roleArns.length === 0) return [];
    return [
        { Sid: "ServiceLinkedRolesUseForVolumes", Effect: "Allow", Principal: { AWS: roleArns }, Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], Resource: "*" },
        { Sid: "ServiceLinkedRolesAttachVolumes", Effect: "Allow", Principal: { AWS: roleArns }, Action: "kms:CreateGrant", Resource: "*", Condition: { Bool: { "kms:GrantIsForAWSResource": true } } },
    ];
}

/**
 * A customer-managed KMS key with rotation whose policy lets the account administer it (through IAM)
 * and lets CloudWatch Logs use it for exactly one log group (encryption-context condition). Children
 * are `${name}-key` and `${name}-key-alias`, parented to `parent`.
 */
export function logsKmsKey(parent: pulumi.Resource, name: string, args: LogsKeyArgs): aws.kms.Key {
    const invoke = { parent };
    const account = aws.getCallerIdentityOutput({}, invoke).accountId;
    const partition = aws.getPartitionOutput({}, invoke).partition;
    const region = aws.getRegionOutput({}, invoke).region;
    const key = new aws.kms.Key(
        `${name}-key`,
        {
            description: `Encrypts ${args.purpose}`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: pulumi.interpolate`arn:${partition}:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
                    {
                        Sid: "CloudWatchLogsForOneGroup",
                        Effect: "Allow",
                        Principal: { Service: pulumi.interpolate`logs.${region}.amazonaws.com` },
                        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                        Resource: "*",
                        Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:${partition}:logs:${region}:${account}:log-group:${args.logGroupName}` } },
                    },
                    ...volumeLauncherStatements(args.volumeLauncherRoleArns ?? []),
                ],
            }),
            tags: { ...args.tags, Name: `${name}-key` },
        },
        { parent, protect: args.protect },
    );
    new aws.kms.Alias(`${name}-key-alias`, { name: `alias/${args.alias}`, targetKeyId: key.keyId }, { parent });
    return key;
}
