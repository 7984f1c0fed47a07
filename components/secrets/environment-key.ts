import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ArgProblem, throwIfProblems } from "../shared/validation";
import { Tags } from "../shared/tags";
import { encryptedSecret, EncryptedSecretArgs } from "./encrypted-secret";

export interface EnvironmentKeyArgs {
    /** Alias without `alias/`, e.g. `pr-cybr-prod-secrets`. Required. */
    readonly alias: string;
    /** Roles that may decrypt secrets encrypted with the key, through Secrets Manager only. Defaults to []. */
    readonly readerRoleArns?: pulumi.Input<string>[];
    /** Roles that may also create secrets with the key (the deploy role). Defaults to []. */
    readonly writerRoleArns?: pulumi.Input<string>[];
    /** Days a deleted key waits before it is gone (7-30). Defaults to 30. */
    readonly deletionWindowInDays?: number;
    /** Tags for the key. Defaults to {}. */
    readonly tags?: Tags;
}

export const ENVIRONMENT_KEY_DEFAULTS = { deletionWindowInDays: 30, tags: {} as Tags };
const ALIAS = /^(?!aws\/)[a-zA-Z0-9/_-]{1,250}$/;

export function validateEnvironmentKeyArgs(args: EnvironmentKeyArgs): void {
    const problems: ArgProblem[] = [];
    if (!ALIAS.test(args.alias)) problems.push({ path: "alias", reason: `"${args.alias}" is not a KMS alias name (letters, digits, '/', '_', '-'; not under aws/)` });
    const days = args.deletionWindowInDays ?? ENVIRONMENT_KEY_DEFAULTS.deletionWindowInDays;
    if (!Number.isInteger(days) || days < 7 || days > 30) problems.push({ path: "deletionWindowInDays", reason: `${days} is not 7-30 days` });
    throwIfProblems("EnvironmentKey", problems);
}

/**
 * The environment's key for Secrets Manager: yearly automatic rotation, an alias, and a key policy
 * where the account administers the key through IAM and the named roles may use it only through
 * Secrets Manager in this account (`kms:ViaService`), so a leaked role cannot decrypt data elsewhere.
 */
export class EnvironmentKey extends pulumi.ComponentResource {
    public readonly keyArn: pulumi.Output<string>;
    public readonly aliasName: pulumi.Output<string>;

    constructor(name: string, args: EnvironmentKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pr-cybr:secrets:EnvironmentKey", name, {}, opts);
        validateEnvironmentKeyArgs(args);
        const d = ENVIRONMENT_KEY_DEFAULTS;
        const invoke = { parent: this };
        const partition = aws.getPartitionOutput({}, invoke).partition;
        const region = aws.getRegionOutput({}, invoke).region;
        const account = aws.getCallerIdentityOutput({}, invoke).accountId;
        const viaSecretsManager = { StringEquals: { "kms:ViaService": pulumi.interpolate`secretsmanager.${region}.amazonaws.com`, "kms:CallerAccount": account } };
        const readers = args.readerRoleArns ?? [];
        const writers = args.writerRoleArns ?? [];
        const statements: pulumi.Input<Record<string, unknown>>[] = [
            { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: pulumi.interpolate`arn:${partition}:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
        ];
        if (readers.length + writers.length > 0) {
            statements.push({ Sid: "DecryptThroughSecretsManager", Effect: "Allow", Principal: { AWS: [...readers, ...writers] }, Action: ["kms:Decrypt", "kms:DescribeKey"], Resource: "*", Condition: viaSecretsManager });
        }
        if (writers.length > 0) {
            statements.push({ Sid: "EncryptThroughSecretsManager", Effect: "Allow", Principal: { AWS: writers }, Action: ["kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"], Resource: "*", Condition: viaSecretsManager });
        }
        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `Secrets Manager secrets of ${args.alias}`,
                enableKeyRotation: true,
                deletionWindowInDays: args.deletionWindowInDays ?? d.deletionWindowInDays,
                policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements }),
                tags: { ...d.tags, ...args.tags, Name: args.alias },
            },
            { parent: this },
        );
        const alias = new aws.kms.Alias(`${name}-alias`, { name: `alias/${args.alias}`, targetKeyId: key.keyId }, { parent: this });

        this.keyArn = key.arn;
        this.aliasName = alias.name;
        this.registerOutputs({ keyArn: this.keyArn, aliasName: this.aliasName });
    }

    /**
     * A Secrets Manager secret encrypted with this key, as a child of `parent` named `${name}`, with
     * its value (a Pulumi secret) as `${name}-value` when given.
     */
    public secret(parent: pulumi.Resource, name: string, args: Omit<EncryptedSecretArgs, "kmsKeyArn">): aws.secretsmanager.Secret {
        return encryptedSecret(parent, name, { ...args, kmsKeyArn: this.keyArn });
    }
}
