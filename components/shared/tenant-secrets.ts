import * as pulumi from "@pulumi/pulumi";

/**
 * Where a tenant's Secrets Manager secrets live (issue 19 items 4 and 5): `pr-cybr/<env>/tenants/<tenant>/`.
 * The trailing slash matters: `.../tenants/org-a/*` does not match `.../tenants/org-ab/...`.
 */
export function tenantSecretsPrefix(environment: string, tenant: string): string {
    return `pr-cybr/${environment}/tenants/${tenant}/`;
}

export interface TenantSecretsScope {
    readonly environment: string;
    readonly tenant: string;
    readonly partition: pulumi.Input<string>;
    readonly region: pulumi.Input<string>;
    readonly account: pulumi.Input<string>;
    /** The environment's key the secrets are encrypted with (operators create them with it). */
    readonly keyArn: pulumi.Input<string>;
}

/** The ARN pattern of every secret under the tenant's prefix (Secrets Manager appends `-` and 6 characters). */
export function tenantSecretsArnPattern(s: TenantSecretsScope): pulumi.Output<string> {
    return pulumi.interpolate`arn:${s.partition}:secretsmanager:${s.region}:${s.account}:secret:${tenantSecretsPrefix(s.environment, s.tenant)}*`;
}

/**
 * Read one tenant's secrets and nothing else: GetSecretValue and DescribeSecret under its prefix, and
 * the environment key's Decrypt only when Secrets Manager asks for it on behalf of one of those secrets
 * (Secrets Manager's encryption context is `SecretARN`: "How AWS Secrets Manager uses AWS KMS",
 * https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html).
 */
export function tenantSecretsReadStatements(s: TenantSecretsScope): pulumi.Input<Record<string, unknown>>[] {
    const secrets = tenantSecretsArnPattern(s);
    return [
        { Sid: "ReadTheTenantsSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: secrets },
        {
            Sid: "DecryptThemThroughSecretsManager",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: s.keyArn,
            Condition: { StringEquals: { "kms:ViaService": pulumi.interpolate`secretsmanager.${s.region}.amazonaws.com` }, StringLike: { "kms:EncryptionContext:SecretARN": secrets } },
        },
    ];
}
