import { ResourceValidationPolicy } from "@pulumi/policy";

/** A key that never rotates keeps every past ciphertext exposed to one compromise of its material. */
export const awsKmsKeyRotation: ResourceValidationPolicy = {
    name: "aws-kms-key-rotation",
    description: "Symmetric customer-managed KMS keys have automatic rotation enabled.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== "aws:kms/key:Key") return;
        const spec = args.props.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
        if (spec === "SYMMETRIC_DEFAULT" && args.props.enableKeyRotation !== true) reportViolation(`KMS key "${args.name}" does not rotate (set enableKeyRotation: true).`);
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
