import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { ArgProblem, throwIfProblems } from "../shared/validation";

export interface EdgeCaArgs {
    /** The CA's common name; node certificates name it as their issuer. Required. */
    readonly commonName: string;
    /** CA lifetime in days. Defaults to 1825. */
    readonly validityDays?: number;
}

export const EDGE_CA_DEFAULTS = { validityDays: 1825 };

export function validateEdgeCaArgs(args: EdgeCaArgs): void {
    const problems: ArgProblem[] = [];
    // Roles Anywhere maps the issuer CN into a session tag, which allows at most 256 characters; X.509 allows 64.
    if (!/^[A-Za-z0-9 .-]{1,64}$/.test(args.commonName)) problems.push({ path: "commonName", reason: `"${args.commonName}" is not 1-64 letters, digits, spaces, dots or dashes` });
    const days = args.validityDays ?? EDGE_CA_DEFAULTS.validityDays;
    if (!Number.isInteger(days) || days < 365 || days > 3650) problems.push({ path: "validityDays", reason: `${days} is not 365-3650 days (the CA outlives many 90-day node certificates)` });
    throwIfProblems("EdgeCa", problems);
}

/**
 * The environment's edge CA: it signs every node certificate and is the IAM Roles Anywhere trust
 * anchor, so holding a certificate it issued is what lets a node fetch its bundle. ECDSA P-256.
 * It has no early renewal on purpose: a silently replaced CA would strand every node that has not yet
 * fetched a certificate from the new one (CA rotation is a planned runbook step, docs/runbooks/edge.md).
 */
export class EdgeCa extends pulumi.ComponentResource {
    public readonly certPem: pulumi.Output<string>;
    /** The CA key, a Pulumi secret; it only ever leaves state as an input to node certificates. */
    public readonly keyPem: pulumi.Output<string>;
    public readonly commonName: string;

    constructor(name: string, args: EdgeCaArgs, opts?: pulumi.ComponentResourceOptions) {
        validateEdgeCaArgs(args);
        super("pr-cybr:edge:EdgeCa", name, {}, opts);
        const key = new tls.PrivateKey(`${name}-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent: this });
        const cert = new tls.SelfSignedCert(
            `${name}-cert`,
            {
                privateKeyPem: key.privateKeyPem,
                isCaCertificate: true,
                validityPeriodHours: (args.validityDays ?? EDGE_CA_DEFAULTS.validityDays) * 24,
                allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
                subject: { commonName: args.commonName, organization: "pr-cybr" },
            },
            { parent: this },
        );
        this.certPem = cert.certPem;
        this.keyPem = pulumi.secret(key.privateKeyPem);
        this.commonName = args.commonName;
        this.registerOutputs({ certPem: this.certPem });
    }
}
