import { ResourceValidationPolicy } from "@pulumi/policy";

export interface CertValidityConfig {
    /** Longest validity of a leaf certificate, in days. */
    maxDays: number;
}

/**
 * Short-lived leaf certificates (edge node identities, Docker API certificates) bound the damage of a
 * stolen key without a revocation story, and force the scheduled rotation to keep working.
 */
export const tlsCertMaxValidity: ResourceValidationPolicy = {
    name: "tls-cert-max-validity",
    description: "Leaf certificates the program issues (@pulumi/tls locally signed, or self-signed non-CA) are valid for at most maxDays (90 by default) and renew early.",
    enforcementLevel: "mandatory",
    configSchema: { properties: { maxDays: { type: "integer", minimum: 1, maximum: 825, default: 90 } } },
    validateResource: (args, reportViolation) => {
        const leaf = args.type === "tls:index/locallySignedCert:LocallySignedCert" || (args.type === "tls:index/selfSignedCert:SelfSignedCert" && args.props.isCaCertificate !== true);
        if (!leaf) return;
        const { maxDays } = args.getConfig<CertValidityConfig>();
        const hours = Number(args.props.validityPeriodHours);
        if (!(hours > 0)) reportViolation(`certificate "${args.name}" states no validityPeriodHours.`);
        else if (hours > maxDays * 24) reportViolation(`certificate "${args.name}" is valid for ${Math.round(hours / 24)} days; the maximum is ${maxDays}.`);
        else if (!(Number(args.props.earlyRenewalHours) > 0)) reportViolation(`certificate "${args.name}" sets no earlyRenewalHours, so it is only replaced after it expires.`);
    },
};
