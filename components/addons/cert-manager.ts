import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CERT_MANAGER_NAMESPACE } from "../shared/cert-manager-monitoring";
import { isHostname } from "../shared/hostnames";
import { ArgProblem, throwIfProblems } from "../shared/validation";
import { AddonSpec, ClusterAddon, pinnedVersionProblem, forwardedDependsOn, PinnedVersion } from "./addon";

/**
 * The pinned cert-manager chart (https://charts.jetstack.io, chart and app v1.21.1: cert-manager/cert-manager
 * tag v1.21.1, commit 24e33194fb39488eff2bbf10c6dc640f407cad44). Its end-to-end clusters are kind
 * images 1.33 to 1.36 (make/cluster.sh at that commit); cert-manager supports a release on the
 * Kubernetes versions it tests (cert-manager.io/docs/releases: 1.20 is "1.32 → 1.35").
 */
export const CERT_MANAGER_CHART: PinnedVersion = {
    version: "v1.21.1",
    kubernetesVersions: ["1.33", "1.34", "1.35", "1.36"],
    source: "cert-manager/cert-manager v1.21.1 make/cluster.sh (kind images 1.33-1.36), https://cert-manager.io/docs/releases/",
};
export const CERT_MANAGER_CHARTS: readonly PinnedVersion[] = [CERT_MANAGER_CHART];
export const CERT_MANAGER_REPOSITORY = "https://charts.jetstack.io";
// Shared with monitoring, which scrapes the controller there (components/shared/cert-manager-monitoring.ts).
export { CERT_MANAGER_NAMESPACE };
/** The ClusterIssuer every platform Certificate names. */
export const CLUSTER_ISSUER_NAME = "letsencrypt";
/** The Secret (in cert-manager's namespace, where a ClusterIssuer's secrets are read) with the Cloudflare token. */
export const CLOUDFLARE_TOKEN_SECRET = "cloudflare-dns-token";
export const CLOUDFLARE_TOKEN_KEY = "api-token";

/** Let's Encrypt's ACME v2 directories (https://letsencrypt.org/docs/staging-environment/). */
export const ACME_SERVERS = {
    production: "https://acme-v02.api.letsencrypt.org/directory",
    staging: "https://acme-staging-v02.api.letsencrypt.org/directory",
} as const;

export interface CertManagerArgs {
    /** The cluster's Kubernetes version, "1.NN", checked against the pinned chart. Required. */
    readonly kubernetesVersion: string;
    /** The Cloudflare zone certificates are issued in (DNS-01 TXT records go there). Required. */
    readonly zoneName: string;
    /** The ACME account's contact email. Required. */
    readonly acmeEmail: string;
    /** Secrets Manager secret (name or ARN) holding a Cloudflare token with Zone:DNS:Edit on the zone. Required. */
    readonly cloudflareTokenSecretId: string;
    /** Let's Encrypt's production or staging directory. Defaults to "production". */
    readonly acmeServer?: keyof typeof ACME_SERVERS;
    /** The chart version. Defaults to CERT_MANAGER_CHART.version. */
    readonly chartVersion?: string;
    /** Replicas of the controller and its webhook (leader-elected controller). Defaults to 1. */
    readonly replicas?: number;
}

export const CERT_MANAGER_DEFAULTS = { chartVersion: CERT_MANAGER_CHART.version, acmeServer: "production" as const, replicas: 1 };

/** Pure check of CertManagerArgs; throws every problem at once. */
export function validateCertManagerArgs(args: CertManagerArgs): void {
    const problems: ArgProblem[] = [];
    const version = args.chartVersion ?? CERT_MANAGER_DEFAULTS.chartVersion;
    const versionProblem = pinnedVersionProblem({ addon: "cert-manager", path: "chartVersion", version, known: CERT_MANAGER_CHARTS, knownName: "CERT_MANAGER_CHARTS", kubernetesVersion: args.kubernetesVersion, what: "chart version" });
    if (versionProblem) problems.push(versionProblem);
    if (!isHostname(args.zoneName)) problems.push({ path: "zoneName", reason: `"${args.zoneName}" is not a DNS name (lowercase, e.g. example.com)` });
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(args.acmeEmail)) problems.push({ path: "acmeEmail", reason: `"${args.acmeEmail}" is not an email address` });
    if (!/\S/.test(args.cloudflareTokenSecretId)) problems.push({ path: "cloudflareTokenSecretId", reason: "is empty (name the Secrets Manager secret holding the Cloudflare DNS token)" });
    const replicas = args.replicas ?? CERT_MANAGER_DEFAULTS.replicas;
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) problems.push({ path: "replicas", reason: `${replicas} is not a replica count (1-5)` });
    throwIfProblems("CertManager", problems);
}

/** The add-on's declared contract: no AWS access (the token comes from Secrets Manager at deploy time). */
export function certManagerSpec(version: string): AddonSpec {
    return {
        name: "cert-manager",
        version,
        kubernetesVersions: (CERT_MANAGER_CHARTS.find((v) => v.version === version) ?? CERT_MANAGER_CHART).kubernetesVersions,
        namespace: CERT_MANAGER_NAMESPACE,
        podIdentity: [],
        // The release waits for its pods and the start-up API check (the API server calling the webhook by
        // its Service, no cluster DNS). ACME and Cloudflare need names only when a certificate is ordered,
        // which cert-manager retries, so the release need not wait for CoreDNS (that put it, and Argo CD's
        // certificate behind it, on the critical path of a fresh up: npm run critical-path).
        needs: ["pod-network", "nodes"],
    };
}

/**
 * The chart's values, checked against its values.schema.json (test/addons-tls.test.ts). The chart
 * installs and keeps the CRDs (`crds.enabled`, `crds.keep`: an uninstall must not delete every
 * Certificate). Its webhooks match only the cert-manager.io and acme.cert-manager.io groups
 * (templates/webhook-*-webhook.yaml at v1.21.1), so nothing else waits for them; the ClusterIssuer
 * and Certificates wait for the release, which waits for the start-up API check.
 */
export function certManagerValues(input: { replicas: number }): Record<string, unknown> {
    const ha = input.replicas > 1;
    return {
        crds: { enabled: true, keep: true },
        replicaCount: input.replicas,
        podDisruptionBudget: { enabled: ha },
        webhook: { replicaCount: input.replicas, podDisruptionBudget: { enabled: ha } },
        cainjector: { replicaCount: input.replicas, podDisruptionBudget: { enabled: ha } },
        resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
    };
}

/**
 * The ClusterIssuer: ACME with one DNS-01 solver through Cloudflare, used only for names in the zone
 * (`selector.dnsZones` also matches names under it). The token Secret is read from cert-manager's own
 * namespace, the cluster resource namespace (cert-manager docs, "ClusterIssuer").
 */
export function clusterIssuerSpec(input: { zoneName: string; acmeEmail: string; server: string }): Record<string, unknown> {
    return {
        acme: {
            email: input.acmeEmail,
            server: input.server,
            privateKeySecretRef: { name: `${CLUSTER_ISSUER_NAME}-account-key` },
            solvers: [
                {
                    selector: { dnsZones: [input.zoneName] },
                    dns01: { cloudflare: { apiTokenSecretRef: { name: CLOUDFLARE_TOKEN_SECRET, key: CLOUDFLARE_TOKEN_KEY } } },
                },
            ],
        },
    };
}

/**
 * cert-manager with the environment's ClusterIssuer. The Cloudflare token is read from Secrets Manager
 * at deploy time into a Kubernetes Secret and stays a Pulumi secret (never in values or the plan).
 */
export class CertManager extends pulumi.ComponentResource implements ClusterAddon {
    public readonly spec: AddonSpec;
    public readonly ready: pulumi.Resource[];
    public readonly release: k8s.helm.v3.Release;
    public readonly issuerName: string;

    constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
        validateCertManagerArgs(args);
        super("pr-cybr:addons:CertManager", name, {}, opts);
        const d = CERT_MANAGER_DEFAULTS;
        const version = args.chartVersion ?? d.chartVersion;
        this.spec = certManagerSpec(version);

        // The namespace and the token Secret need no nodes: they do not wait for the prerequisites.
        const namespace = new k8s.core.v1.Namespace(`${name}-ns`, { metadata: { name: CERT_MANAGER_NAMESPACE, labels: { "pr-cybr.io/platform": "true" } } }, { parent: this });
        const token = pulumi.secret(aws.secretsmanager.getSecretVersionOutput({ secretId: args.cloudflareTokenSecretId }, { parent: this }).secretString);
        const tokenSecret = new k8s.core.v1.Secret(
            `${name}-cloudflare-token`,
            { metadata: { name: CLOUDFLARE_TOKEN_SECRET, namespace: CERT_MANAGER_NAMESPACE }, type: "Opaque", stringData: { [CLOUDFLARE_TOKEN_KEY]: token } },
            { parent: this, dependsOn: [namespace] },
        );
        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: "cert-manager",
                chart: "cert-manager",
                version,
                repositoryOpts: { repo: CERT_MANAGER_REPOSITORY },
                namespace: CERT_MANAGER_NAMESPACE,
                values: certManagerValues({ replicas: args.replicas ?? d.replicas }),
                skipAwait: false,
                timeout: 600,
                maxHistory: 10,
            },
            { parent: this, dependsOn: [...forwardedDependsOn(opts?.dependsOn), namespace] },
        );
        // The CRDs and the validating webhook come with the release.
        const issuer = new k8s.apiextensions.CustomResource(
            `${name}-issuer`,
            {
                apiVersion: "cert-manager.io/v1",
                kind: "ClusterIssuer",
                metadata: { name: CLUSTER_ISSUER_NAME },
                spec: clusterIssuerSpec({ zoneName: args.zoneName, acmeEmail: args.acmeEmail, server: ACME_SERVERS[args.acmeServer ?? d.acmeServer] }),
            },
            { parent: this, dependsOn: [this.release, tokenSecret] },
        );
        this.issuerName = CLUSTER_ISSUER_NAME;
        this.ready = [this.release, issuer];
        this.registerOutputs({ chartVersion: version, issuerName: this.issuerName });
    }
}
