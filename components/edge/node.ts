import * as aws from "@pulumi/aws";
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { encryptedSecret } from "../shared/encrypted-secret";
import { isDnsLabel } from "../shared/names";
import { Tags } from "../shared/tags";
import { ArgProblem, throwIfProblems } from "../shared/validation";
import { EDGE_IDENTITY_TAG } from "./access";
import { renderEdgeInstallScript } from "./install-script";
import { EdgeProfile, EDGE_PROFILE_NAMES, MAX_EDGE_NODE_NAME } from "./profiles";
import { registryEntryYaml } from "./registry";
import { EdgeVpnArgs, tailscaleAuthKey, VpnBundle, zeroTierMember } from "./vpn";

export interface EdgeNodeArgs {
    /** The node's name (a DNS label of at most 54 characters, so its certificate CN fits in 64). Required. */
    readonly nodeName: string;
    /** The site the node is at (a DNS label). Required. */
    readonly site: string;
    /** The device's architecture (the install script refuses another). Required. */
    readonly arch: "arm64" | "amd64";
    /** Capabilities offered to workloads (DNS labels). Defaults to []. */
    readonly capabilities?: readonly string[];
    /** Resource profile. Defaults to "small". */
    readonly profile?: EdgeProfile;
    /** Environment name, for names and the registry. Required. */
    readonly environment: string;
    /** AWS region of the bundle, the registry and the Roles Anywhere endpoint. Required. */
    readonly region: string;
    /** The edge CA that signs the node certificate. Required. */
    readonly ca: { readonly certPem: pulumi.Input<string>; readonly keyPem: pulumi.Input<string> };
    /** Node certificate lifetime in days (at most 90). Defaults to 90. */
    readonly certValidityDays?: number;
    /** Days before expiry the certificate is re-issued by the next run. Defaults to 30. */
    readonly certEarlyRenewalDays?: number;
    /** Changes when generated values are due for rotation (a rotating timestamp): the node token follows it. Required. */
    readonly rotation: pulumi.Input<string>;
    /** The VPN the node joins the swarm over, and its settings. Required. */
    readonly vpn: EdgeVpnArgs;
    /** The node's site: its public hostname and tunnel connector token (a secret). Required. */
    readonly siteTunnel: { readonly hostname: string; readonly token: pulumi.Input<string> };
    /** Where the bundle goes: its Secrets Manager name prefix (`.../nodes/`) and KMS key. Required. */
    readonly bundle: { readonly secretPrefix: string; readonly kmsKeyArn: pulumi.Input<string> };
    /** How the node gets credentials (IAM Roles Anywhere). Required. */
    readonly access: { readonly trustAnchorArn: pulumi.Input<string>; readonly profileArn: pulumi.Input<string>; readonly roleArn: pulumi.Input<string> };
    /** The swarm the node joins and reports to. Required. */
    readonly swarm: {
        readonly name: string;
        readonly workerTokenSecretArn: pulumi.Input<string>;
        readonly joinAddress: pulumi.Input<string>;
        readonly collectorEndpoint: pulumi.Input<string>;
        readonly collectorServerName: string;
        readonly collectorCaPem: pulumi.Input<string>;
        readonly dockerVersion: string;
    };
    /** The telemetry agent image, by digest. Required. */
    readonly agentImage: pulumi.Input<string>;
    /** SSM parameter path prefix of registry entries, e.g. `/pr-cybr/prod/edge/registry/`. Required. */
    readonly registryPrefix: string;
    /** Tags for the node's AWS resources. Defaults to {}. */
    readonly tags?: Tags;
}

/** A node certificate's CN: its name and the first 8 hex of the SHA-256 of its public key. */
export function edgeCommonName(nodeName: string, publicKeyPem: string): string {
    return `${nodeName}-${crypto.createHash("sha256").update(publicKeyPem).digest("hex").slice(0, 8)}`;
}

export const EDGE_NODE_DEFAULTS = { capabilities: [] as string[], profile: "small" as EdgeProfile, certValidityDays: 90, certEarlyRenewalDays: 30, tags: {} as Tags };


export function validateEdgeNodeArgs(args: EdgeNodeArgs): void {
    const d = EDGE_NODE_DEFAULTS;
    const problems: ArgProblem[] = [];
    if (!isDnsLabel(args.nodeName) || args.nodeName.length > MAX_EDGE_NODE_NAME) problems.push({ path: "nodeName", reason: `"${args.nodeName}" is not a DNS label of at most ${MAX_EDGE_NODE_NAME} characters` });
    if (!isDnsLabel(args.site)) problems.push({ path: "site", reason: `"${args.site}" is not a DNS label` });
    (args.capabilities ?? []).forEach((c, i) => {
        if (!isDnsLabel(c)) problems.push({ path: `capabilities[${i}]`, reason: `"${c}" is not a DNS label` });
    });
    if (args.profile !== undefined && !EDGE_PROFILE_NAMES.includes(args.profile)) problems.push({ path: "profile", reason: `"${args.profile}" is not one of ${EDGE_PROFILE_NAMES.join(", ")}` });
    const v = args.certValidityDays ?? d.certValidityDays;
    const e = args.certEarlyRenewalDays ?? d.certEarlyRenewalDays;
    if (!Number.isInteger(v) || v < 7 || v > 90) problems.push({ path: "certValidityDays", reason: `${v} is not 7-90 days (policy tls-cert-max-validity)` });
    if (!Number.isInteger(e) || e < 1 || e >= v) problems.push({ path: "certEarlyRenewalDays", reason: `${e} must be at least 1 and less than certValidityDays (${v})` });
    if (!args.bundle.secretPrefix.endsWith("/")) problems.push({ path: "bundle.secretPrefix", reason: `"${args.bundle.secretPrefix}" must end with "/"` });
    if (!/^\/[\w./-]+\/$/.test(args.registryPrefix)) problems.push({ path: "registryPrefix", reason: `"${args.registryPrefix}" is not an SSM path that starts and ends with "/"` });
    if (args.vpn.kind === "tailscale" && !(args.vpn.keyExpiryDays >= 1 && args.vpn.keyExpiryDays <= 90)) problems.push({ path: "vpn.keyExpiryDays", reason: `${args.vpn.keyExpiryDays} is not 1-90 days (Tailscale's limit)` });
    if (args.vpn.kind === "zerotier" && !/^[0-9a-f]{16}$/.test(args.vpn.networkId)) problems.push({ path: "vpn.networkId", reason: `"${args.vpn.networkId}" is not a ZeroTier network id (16 hex characters)` });
    throwIfProblems("EdgeNode", problems);
}

/**
 * One edge device: its identity (an ECDSA key and a 90-day client+server certificate from the edge
 * CA, with a CN made unique by the key's fingerprint), a rotating node token, its VPN credential, a bundle
 * of everything secret it needs (one Secrets Manager secret, encrypted with the environment key and
 * readable only with its own certificate), its registry entry (a versioned SSM parameter) and its
 * install script (no secret in it). Removing the node deletes all of these.
 */
/** The hash the installer checks a newer copy of itself against: sha256 of its bytes, hex. */
export function installScriptSha256(script: string): string {
    return crypto.createHash("sha256").update(script, "utf8").digest("hex");
}

export class EdgeNode extends pulumi.ComponentResource {
    /** The certificate CN: `<nodeName>-<8 hex>`. */
    public readonly commonName: pulumi.Output<string>;
    public readonly certPem: pulumi.Output<string>;
    public readonly certNotAfter: pulumi.Output<string>;
    public readonly bundleSecretArn: pulumi.Output<string>;
    public readonly registryParameterName: pulumi.Output<string>;
    /** The registry entry (YAML) as stored. */
    public readonly registryEntry: pulumi.Output<string>;
    /** The rendered install script; it holds no secret. */
    public readonly installScript: pulumi.Output<string>;

    constructor(name: string, args: EdgeNodeArgs, opts?: pulumi.ComponentResourceOptions) {
        validateEdgeNodeArgs(args);
        super("pr-cybr:edge:EdgeNode", name, {}, opts);
        const d = EDGE_NODE_DEFAULTS;
        const capabilities = args.capabilities ?? d.capabilities;
        const profile = args.profile ?? d.profile;
        const tags = { ...d.tags, ...args.tags, "pr-cybr.io/edge-node": args.nodeName, "pr-cybr.io/edge-site": args.site };

        const key = new tls.PrivateKey(`${name}-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent: this });
        // The CN ends in the key's fingerprint: a new key (a re-added node) is a new identity, and an old
        // certificate can never match the new node's secrets.
        const commonName = key.publicKeyPem.apply((pem) => edgeCommonName(args.nodeName, pem));
        const csr = new tls.CertRequest(
            `${name}-csr`,
            { privateKeyPem: key.privateKeyPem, subject: { commonName, organization: "pr-cybr", organizationalUnit: `edge-${args.environment}` }, dnsNames: [args.nodeName, `${args.nodeName}.${args.siteTunnel.hostname}`] },
            { parent: this },
        );
        const cert = new tls.LocallySignedCert(
            `${name}-cert`,
            {
                certRequestPem: csr.certRequestPem,
                caCertPem: args.ca.certPem,
                caPrivateKeyPem: args.ca.keyPem,
                validityPeriodHours: (args.certValidityDays ?? d.certValidityDays) * 24,
                earlyRenewalHours: (args.certEarlyRenewalDays ?? d.certEarlyRenewalDays) * 24,
                allowedUses: ["digital_signature", "key_encipherment", "client_auth", "server_auth"],
            },
            { parent: this },
        );
        const token = new random.RandomPassword(`${name}-token`, { length: 48, special: false, keepers: { rotation: args.rotation } }, { parent: this });

        // Everything secret sits under the node's own prefix, tagged with its CN: the only thing it may read.
        const secretPrefix = `${args.bundle.secretPrefix}${args.nodeName}`;
        const ownSecret = (role: string, secretName: string, description: string, value?: pulumi.Input<string>) =>
            // No recovery window: a removed node's secrets are gone at once, and a re-added node can reuse the name.
            encryptedSecret(this, `${name}-${role}`, { secretName, description, value, kmsKeyArn: args.bundle.kmsKeyArn, recoveryWindowInDays: 0, tags: { ...tags, [EDGE_IDENTITY_TAG]: commonName } });
        let vpn: VpnBundle;
        if (args.vpn.kind === "tailscale") {
            vpn = tailscaleAuthKey(this, name, { nodeName: args.nodeName, environment: args.environment, tag: args.vpn.tag, keyExpiryDays: args.vpn.keyExpiryDays });
        } else {
            const identitySecret = ownSecret("zerotier-identity-secret", `${secretPrefix}/zerotier-identity`, `ZeroTier identity of edge node ${args.nodeName} (written by the deploy runner)`);
            vpn = zeroTierMember(this, name, { nodeName: args.nodeName, region: args.region, networkId: args.vpn.networkId, apiToken: args.vpn.apiToken, identitySecret });
        }
        // The bundle's value is set below, once the install script (which names the bundle's ARN) is rendered.
        const bundle = ownSecret("bundle", `${secretPrefix}/bundle`, `Everything secret edge node ${args.nodeName} needs; readable only with its certificate`);

        const parameterName = `${args.registryPrefix}${args.nodeName}`;
        const entry = pulumi
            .all([commonName, cert.validityEndTime, bundle.arn, args.swarm.joinAddress, args.swarm.collectorEndpoint])
            .apply(([cn, notAfter, bundleArn, joinAddress, collectorEndpoint]) =>
                registryEntryYaml({
                    name: args.nodeName,
                    environment: args.environment,
                    site: args.site,
                    siteHostname: args.siteTunnel.hostname,
                    arch: args.arch,
                    vpn: args.vpn.kind,
                    capabilities,
                    profile,
                    identity: { commonName: cn, notAfter },
                    bundleSecretArn: bundleArn,
                    management: { swarm: args.swarm.name, joinAddress, collectorEndpoint },
                }),
            );
        const parameter = new aws.ssm.Parameter(
            `${name}-registry`,
            // insecureValue: the provider marks `value` secret, which would hide the entry from plans and previews.
            { name: parameterName, type: "String", tier: "Standard", dataType: "text", insecureValue: entry, description: `Registry entry of edge node ${args.nodeName} (history kept by SSM)`, tags },
            { parent: this },
        );

        this.installScript = pulumi
            .all([bundle.arn, args.access.trustAnchorArn, args.access.profileArn, args.access.roleArn, args.swarm.joinAddress, args.swarm.collectorEndpoint, args.agentImage])
            .apply(([bundleSecretArn, trustAnchorArn, profileArn, roleArn, swarmJoinAddress, collectorEndpoint, agentImage]) =>
                renderEdgeInstallScript({
                    nodeName: args.nodeName,
                    site: args.site,
                    arch: args.arch,
                    profile,
                    capabilities,
                    environment: args.environment,
                    region: args.region,
                    bundleSecretArn,
                    trustAnchorArn,
                    profileArn,
                    roleArn,
                    dockerVersion: args.swarm.dockerVersion,
                    vpn: args.vpn.kind,
                    tailscaleTag: args.vpn.kind === "tailscale" ? args.vpn.tag : "",
                    zerotierNetworkId: args.vpn.kind === "zerotier" ? args.vpn.networkId : "",
                    swarmJoinAddress,
                    collectorEndpoint,
                    collectorServerName: args.swarm.collectorServerName,
                    agentImage,
                }),
            );
        // The bundle carries the current rendered installer and its hash: the node's daily run fetches the
        // bundle with its own certificate, and runs a newer installer (a new agent image, endpoint or
        // pinned version) only once its hash matches (install-edge-node.sh update_installer). Same name
        // as encryptedSecret gives a value: the version of an existing stack is updated, not replaced.
        new aws.secretsmanager.SecretVersion(
            `${name}-bundle-value`,
            {
                secretId: bundle.id,
                secretString: pulumi.secret(
                    pulumi.jsonStringify({
                        certificatePem: cert.certPem,
                        privateKeyPem: key.privateKeyPem,
                        caCertPem: args.ca.certPem,
                        collectorCaPem: args.swarm.collectorCaPem,
                        nodeToken: token.result,
                        vpn,
                        tunnelToken: args.siteTunnel.token,
                        workerTokenSecretArn: args.swarm.workerTokenSecretArn,
                        installScript: this.installScript,
                        installScriptSha256: this.installScript.apply(installScriptSha256),
                    }),
                ),
            },
            { parent: this },
        );
        this.commonName = commonName;
        this.certPem = cert.certPem;
        this.certNotAfter = cert.validityEndTime;
        this.bundleSecretArn = bundle.arn;
        this.registryParameterName = parameter.name;
        this.registryEntry = entry;
        this.registerOutputs({ commonName: this.commonName, certNotAfter: this.certNotAfter, bundleSecretArn: this.bundleSecretArn, registryParameterName: this.registryParameterName });
    }
}
