import { ResourceValidationPolicy } from "@pulumi/policy";

export interface KeyRotationConfig {
    /** Longest rotation period of a key, in days (AWS allows 90-2560; its default is 365). */
    maxRotationDays: number;
}

/**
 * A key that never rotates keeps every past ciphertext exposed to one compromise of its material, and
 * one that rotates every seven years nearly so. Only symmetric encryption keys rotate automatically
 * (`customerMasterKeySpec` SYMMETRIC_DEFAULT, not an HMAC or asymmetric spec), and `rotationPeriodInDays`
 * ("a number between 90 and 2560", default 365: @pulumi/aws 7.48 kms/key.d.ts) says how often.
 */
export const awsKmsKeyRotation: ResourceValidationPolicy = {
    name: "aws-kms-key-rotation",
    description: "Symmetric customer-managed KMS keys have automatic rotation enabled, at most every maxRotationDays (365).",
    enforcementLevel: "mandatory",
    configSchema: { properties: { maxRotationDays: { type: "integer", minimum: 90, maximum: 2560, default: 365 } } },
    validateResource: (args, reportViolation) => {
        if (args.type !== "aws:kms/key:Key") return;
        const { maxRotationDays } = args.getConfig<KeyRotationConfig>();
        const spec = args.props.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
        if (spec !== "SYMMETRIC_DEFAULT") return;
        if (args.props.enableKeyRotation !== true) return void reportViolation(`KMS key "${args.name}" does not rotate (set enableKeyRotation: true).`);
        const period = args.props.rotationPeriodInDays;
        if (period !== undefined && Number(period) > maxRotationDays) reportViolation(`KMS key "${args.name}" rotates every ${period} days; the maximum is ${maxRotationDays} (set rotationPeriodInDays).`);
    },
};

export interface SecretRotationConfig {
    maxDays: number;
}

/** Days between rotations of a rotation schedule (`automaticallyAfterDays`, or `rate(N days)`), if it can tell. */
export function rotationDays(rules: Record<string, any> | undefined): number | undefined {
    if (!rules) return undefined;
    if (typeof rules.automaticallyAfterDays === "number") return rules.automaticallyAfterDays;
    const m = /^rate\((\d+) days?\)$/.exec(String(rules.scheduleExpression ?? ""));
    return m ? Number(m[1]) : undefined;
}

/** A credential older than its rotation window is one that may have leaked unnoticed for that long. */
export const awsSecretsRotationPeriod: ResourceValidationPolicy = {
    name: "aws-secretsmanager-rotation-period",
    description: "Secrets Manager rotation runs at least every maxDays (90 by default), stated as automaticallyAfterDays or rate(N days).",
    enforcementLevel: "mandatory",
    configSchema: { properties: { maxDays: { type: "integer", minimum: 1, maximum: 365, default: 90 } } },
    validateResource: (args, reportViolation) => {
        if (args.type !== "aws:secretsmanager/secretRotation:SecretRotation") return;
        const { maxDays } = args.getConfig<SecretRotationConfig>();
        const days = rotationDays(args.props.rotationRules);
        if (days === undefined) reportViolation(`secret rotation "${args.name}" has no period it can read (use automaticallyAfterDays or rate(N days)).`);
        else if (days > maxDays) reportViolation(`secret rotation "${args.name}" runs every ${days} days; the maximum is ${maxDays}.`);
    },
};
