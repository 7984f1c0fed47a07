import { ResourceValidationPolicy } from "@pulumi/policy";
import { Deferred } from "./lib/unknowns";

export interface CertValidityConfig {
    /** Longest validity of a leaf certificate, in days. */
    maxDays: number;
    /** Longest validity of a certificate authority (root or intermediate), in days. */
    caMaxDays: number;
}

const SELF_SIGNED = "tls:index/selfSignedCert:SelfSignedCert";
const LOCALLY_SIGNED = "tls:index/locallySignedCert:LocallySignedCert";

/** Key usages that make a certificate an identity (a leaf), not an issuer (RFC 5280 §4.2.1.3/§4.2.1.12, as @pulumi/tls names them). */
const LEAF_USES = ["server_auth", "client_auth", "key_encipherment", "code_signing", "email_protection"];

/**
 * Short-lived leaf certificates (edge node identities, Docker API certificates) bound the damage of a
 * stolen key without a revocation story, and force the scheduled rotation to keep working. A
 * certificate authority — self-signed or locally signed (an intermediate), `isCaCertificate: true` —
 * is judged as a CA: it must be able to sign certificates (`cert_signing`, RFC 5280 §4.2.1.3
 * keyCertSign), carry no leaf usage (so a long-lived "CA" cannot double as a server or client
 * identity and escape the leaf limit), and live at most caMaxDays.
 */
export const tlsCertMaxValidity: ResourceValidationPolicy = {
    name: "tls-cert-max-validity",
    description:
        "Leaf certificates the program issues (@pulumi/tls, not a CA) are valid for at most maxDays (90 by default) and renew early; CA certificates (self-signed or locally signed with isCaCertificate) allow cert_signing, no leaf usage, and last at most caMaxDays (3650).",
    enforcementLevel: "mandatory",
    configSchema: { properties: { maxDays: { type: "integer", minimum: 1, maximum: 825, default: 90 }, caMaxDays: { type: "integer", minimum: 1, maximum: 7300, default: 3650 } } },
    validateResource: (args, reportViolation) => {
        if (args.type !== SELF_SIGNED && args.type !== LOCALLY_SIGNED) return;
        const { maxDays, caMaxDays } = args.getConfig<CertValidityConfig>();
        const deferred = new Deferred();
        const p = args.props;
        const isCa = deferred.run(() => p.isCaCertificate === true || p.isCaCertificate === "true");
        if (isCa === undefined) return deferred.finish();
        const hours = deferred.run(() => Number(p.validityPeriodHours));
        const days = hours === undefined ? undefined : Math.round(hours / 24);
        if (isCa) {
            const problems: string[] = [];
            deferred.run(() => {
                const uses = ((p.allowedUses ?? []) as string[]).map(String);
                if (!uses.includes("cert_signing")) problems.push("does not allow cert_signing, so it cannot issue certificates");
                const leaf = uses.filter((u) => LEAF_USES.includes(u));
                if (leaf.length > 0) problems.push(`also allows leaf usage ${leaf.join(", ")} (a CA must not double as an identity; issue a leaf certificate for that)`);
            });
            if (hours !== undefined && !(hours > 0)) problems.push("states no validityPeriodHours");
            else if (days !== undefined && hours! > caMaxDays * 24) problems.push(`is valid for ${days} days; a CA may last at most ${caMaxDays}`);
            if (problems.length > 0) reportViolation(`CA certificate "${args.name}" ${problems.join("; ")}.`);
            return deferred.finish();
        }
        if (hours !== undefined && !(hours > 0)) reportViolation(`certificate "${args.name}" states no validityPeriodHours.`);
        else if (hours !== undefined && hours > maxDays * 24) reportViolation(`certificate "${args.name}" is valid for ${days} days; the maximum is ${maxDays}.`);
        else if (hours !== undefined && deferred.run(() => Number(p.earlyRenewalHours) > 0) === false) reportViolation(`certificate "${args.name}" sets no earlyRenewalHours, so it is only replaced after it expires.`);
        deferred.finish();
    },
};
