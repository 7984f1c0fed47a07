import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { ArgProblem, throwIfProblems } from "../shared/validation";

export interface SwarmPkiArgs {
    /** Names the certificates are issued for. Required. */
    readonly swarmName: string;
    /** Hostnames the Docker API is reached by (the API load balancer's DNS name). Required. */
    readonly apiHostnames: pulumi.Input<string>[];
    /** Hostnames the telemetry collector is reached by. Defaults to [`collector.<swarmName>.internal`]. */
    readonly collectorHostnames?: string[];
    /** Leaf certificate lifetime in days (at most 90: policy tls-cert-max-validity). Defaults to 90. */
    readonly validityDays?: number;
    /** Days before expiry a leaf certificate is replaced by the next `up` (the weekly rotate run). Defaults to 30. */
    readonly earlyRenewalDays?: number;
    /** CA lifetime in days. Defaults to 1825. */
    readonly caValidityDays?: number;
    /** Secrets Manager secrets to store the dockerd CA, certificate and key in, for the hosts. Defaults to none. */
    readonly store?: { readonly ca: pulumi.Input<string>; readonly cert: pulumi.Input<string>; readonly key: pulumi.Input<string> };
}

/** The name the collector's certificate is issued for by default; clients check it (TLS server name). */
export const collectorHostname = (swarmName: string) => `collector.${swarmName}.internal`;

export const SWARM_PKI_DEFAULTS = { validityDays: 90, earlyRenewalDays: 30, caValidityDays: 1825 };

export function validateSwarmPkiArgs(args: SwarmPkiArgs): void {
    const problems: ArgProblem[] = [];
    const v = args.validityDays ?? SWARM_PKI_DEFAULTS.validityDays;
    const e = args.earlyRenewalDays ?? SWARM_PKI_DEFAULTS.earlyRenewalDays;
    if (!(v >= 1 && v <= 90)) problems.push({ path: "validityDays", reason: `${v} is out of range (1 to 90 days)` });
    if (!(e >= 1 && e < v)) problems.push({ path: "earlyRenewalDays", reason: `${e} must be at least 1 and less than validityDays (${v})` });
    throwIfProblems("SwarmPki", problems);
}

/** A private key and a certificate signed by the CA; the key is a Pulumi secret. */
export interface IssuedCert {
    readonly certPem: pulumi.Output<string>;
    readonly keyPem: pulumi.Output<string>;
}

/**
 * The swarm's own CA and its leaf certificates: the dockerd server certificate (the TLS Docker API on
 * 2376), the deployer's client certificate (the docker provider), and the telemetry collector's server
 * certificate. ECDSA P-256 keys; 90-day leaves renewed 30 days early; every key is a Pulumi secret.
 */
export class SwarmPki extends pulumi.ComponentResource {
    public readonly caCertPem: pulumi.Output<string>;
    public readonly dockerdServer: IssuedCert;
    public readonly deployerClient: IssuedCert;
    public readonly collectorServer: IssuedCert;

    constructor(name: string, args: SwarmPkiArgs, opts?: pulumi.ComponentResourceOptions) {
        validateSwarmPkiArgs(args);
        super("pr-cybr:swarm:SwarmPki", name, {}, opts);
        const d = SWARM_PKI_DEFAULTS;
        const hours = (days: number) => days * 24;
        const caKey = new tls.PrivateKey(`${name}-ca-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent: this });
        const ca = new tls.SelfSignedCert(
            `${name}-ca`,
            {
                privateKeyPem: caKey.privateKeyPem,
                isCaCertificate: true,
                validityPeriodHours: hours(args.caValidityDays ?? d.caValidityDays),
                earlyRenewalHours: hours(90),
                allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
                subject: { commonName: `${args.swarmName} CA`, organization: "pr-cybr" },
            },
            { parent: this },
        );
        const issue = (role: string, commonName: string, uses: string[], dnsNames: pulumi.Input<string>[], ipAddresses: string[] = []): IssuedCert => {
            const key = new tls.PrivateKey(`${name}-${role}-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent: this });
            const csr = new tls.CertRequest(`${name}-${role}-csr`, { privateKeyPem: key.privateKeyPem, subject: { commonName, organization: "pr-cybr" }, dnsNames, ipAddresses }, { parent: this });
            const cert = new tls.LocallySignedCert(
                `${name}-${role}-cert`,
                {
                    certRequestPem: csr.certRequestPem,
                    caCertPem: ca.certPem,
                    caPrivateKeyPem: caKey.privateKeyPem,
                    validityPeriodHours: hours(args.validityDays ?? d.validityDays),
                    earlyRenewalHours: hours(args.earlyRenewalDays ?? d.earlyRenewalDays),
                    allowedUses: ["digital_signature", "key_encipherment", ...uses],
                },
                { parent: this },
            );
            return { certPem: cert.certPem, keyPem: pulumi.secret(key.privateKeyPem) };
        };
        this.caCertPem = ca.certPem;
        this.dockerdServer = issue("dockerd", `${args.swarmName} Docker API`, ["server_auth"], [...args.apiHostnames, "localhost"], ["127.0.0.1"]);
        this.deployerClient = issue("deployer", `${args.swarmName} deployer`, ["client_auth"], []);
        this.collectorServer = issue("collector", `${args.swarmName} collector`, ["server_auth"], args.collectorHostnames ?? [collectorHostname(args.swarmName)]);
        if (args.store) {
            const put = (role: string, secretId: pulumi.Input<string>, value: pulumi.Input<string>) =>
                new aws.secretsmanager.SecretVersion(`${name}-store-${role}`, { secretId, secretString: pulumi.secret(value) }, { parent: this });
            put("ca", args.store.ca, this.caCertPem);
            put("cert", args.store.cert, this.dockerdServer.certPem);
            put("key", args.store.key, this.dockerdServer.keyPem);
        }
        this.registerOutputs({ caCertPem: this.caCertPem });
    }
}
