import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { isHostname } from "../shared/hostnames";
import { ArgProblem, throwIfProblems } from "../shared/validation";
import { AddonSpec, ClusterAddon, pinnedVersionProblem, forwardedDependsOn, PinnedVersion } from "./addon";

/**
 * The pinned external-dns chart (https://kubernetes-sigs.github.io/external-dns, chart 1.21.1, app
 * v0.21.0: kubernetes-sigs/external-dns tag external-dns-helm-chart-1.21.1, commit
 * 9f26451346774099a8b3e3e5cc46a53bf2fd1461). README "Kubernetes version compatibility": 0.18 and later
 * run on Kubernetes 1.21 and later; the list is the EKS versions the config allows.
 */
export const EXTERNAL_DNS_CHART: PinnedVersion & { appVersion: string } = {
    version: "1.21.1",
    appVersion: "0.21.0",
    kubernetesVersions: ["1.30", "1.31", "1.32", "1.33", "1.34", "1.35"],
    source: "kubernetes-sigs/external-dns external-dns-helm-chart-1.21.1 README.md (Kubernetes version compatibility: >= 1.21)",
};
export const EXTERNAL_DNS_CHARTS: readonly PinnedVersion[] = [EXTERNAL_DNS_CHART];
export const EXTERNAL_DNS_REPOSITORY = "https://kubernetes-sigs.github.io/external-dns";
export const EXTERNAL_DNS_NAMESPACE = "external-dns";
export const EXTERNAL_DNS_TOKEN_SECRET = "cloudflare-dns-token";
export const EXTERNAL_DNS_TOKEN_KEY = "api-token";

export interface ExternalDnsArgs {
    /** The cluster's Kubernetes version, "1.NN", checked against the pinned chart. Required. */
    readonly kubernetesVersion: string;
    /** The Cloudflare zone records are written in (the only domain filter). Required. */
    readonly zoneName: string;
    /** The zone's id (a second filter: the token may see other zones). Required. */
    readonly zoneId: string;
    /** Owner id in the TXT registry: external-dns changes only records it created under this id. Required. */
    readonly ownerId: string;
    /** Secrets Manager secret (name or ARN) holding a Cloudflare token with Zone:DNS:Edit on the zone. Required. */
    readonly cloudflareTokenSecretId: string;
    /** The chart version. Defaults to EXTERNAL_DNS_CHART.version. */
    readonly chartVersion?: string;
}

export const EXTERNAL_DNS_DEFAULTS = { chartVersion: EXTERNAL_DNS_CHART.version };

/** Pure check of ExternalDnsArgs; throws every problem at once. */
export function validateExternalDnsArgs(args: ExternalDnsArgs): void {
    const problems: ArgProblem[] = [];
    const version = args.chartVersion ?? EXTERNAL_DNS_DEFAULTS.chartVersion;
    const versionProblem = pinnedVersionProblem({ addon: "external-dns", path: "chartVersion", version, known: EXTERNAL_DNS_CHARTS, knownName: "EXTERNAL_DNS_CHARTS", kubernetesVersion: args.kubernetesVersion, what: "chart version" });
    if (versionProblem) problems.push(versionProblem);
    if (!isHostname(args.zoneName)) problems.push({ path: "zoneName", reason: `"${args.zoneName}" is not a DNS name (lowercase, e.g. example.com)` });
    if (!/^[0-9a-f]{32}$/.test(args.zoneId)) problems.push({ path: "zoneId", reason: `"${args.zoneId}" is not a Cloudflare zone id (32 hex characters)` });
    if (!/^[a-z0-9-]{1,63}$/.test(args.ownerId)) problems.push({ path: "ownerId", reason: `"${args.ownerId}" is not an owner id (lowercase letters, digits and '-')` });
    if (!/\S/.test(args.cloudflareTokenSecretId)) problems.push({ path: "cloudflareTokenSecretId", reason: "is empty (name the Secrets Manager secret holding the Cloudflare DNS token)" });
    throwIfProblems("ExternalDns", problems);
}

/** The add-on's declared contract: no AWS access (Cloudflare, with a token from Secrets Manager). */
export function externalDnsSpec(version: string): AddonSpec {
    return {
        name: "external-dns",
        version,
        kubernetesVersions: (EXTERNAL_DNS_CHARTS.find((v) => v.version === version) ?? EXTERNAL_DNS_CHART).kubernetesVersions,
        namespace: EXTERNAL_DNS_NAMESPACE,
        podIdentity: [],
        // It resolves api.cloudflare.com: started before CoreDNS answers, it restarts until it does (within
        // Helm's wait). Nothing waits for it (records follow when it runs), and a Pulumi dependency on
        // CoreDNS would set the end of a fresh up (npm run critical-path).
        needs: ["pod-network", "nodes"],
    };
}

/**
 * The chart's values, checked against its values.schema.json (test/addons-tls.test.ts):
 * - Cloudflare, records DNS-only: `--cloudflare-proxied` is not set and the provider's default is
 *   unproxied (provider/cloudflare/cloudflare.go at v0.21.0); a tenant's `cloudflare-proxied`
 *   annotation is refused by admission. Proxied names would get Cloudflare's universal certificate,
 *   which covers one level below the zone only; the certificates come from cert-manager instead.
 * - only the zone (`domainFilters`, `--zone-id-filter`), only Services and Ingresses (no Gateway API
 *   is installed), `sync` with a TXT registry under the cluster's owner id: it deletes what it created
 *   and nothing else (the swarm's and edge's records, made by Pulumi, carry no owner TXT).
 */
export function externalDnsValues(input: { zoneName: string; zoneId: string; ownerId: string }): Record<string, unknown> {
    return {
        provider: { name: "cloudflare" },
        env: [{ name: "CF_API_TOKEN", valueFrom: { secretKeyRef: { name: EXTERNAL_DNS_TOKEN_SECRET, key: EXTERNAL_DNS_TOKEN_KEY } } }],
        sources: ["service", "ingress"],
        domainFilters: [input.zoneName],
        policy: "sync",
        registry: "txt",
        txtOwnerId: input.ownerId,
        txtPrefix: "_extdns.",
        extraArgs: [`--zone-id-filter=${input.zoneId}`],
        interval: "1m",
        resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } },
    };
}

/** external-dns for the Cloudflare zone, its token read from Secrets Manager into a Secret (a Pulumi secret). */
export class ExternalDns extends pulumi.ComponentResource implements ClusterAddon {
    public readonly spec: AddonSpec;
    public readonly ready: pulumi.Resource[];
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: ExternalDnsArgs, opts?: pulumi.ComponentResourceOptions) {
        validateExternalDnsArgs(args);
        super("pr-cybr:addons:ExternalDns", name, {}, opts);
        const version = args.chartVersion ?? EXTERNAL_DNS_DEFAULTS.chartVersion;
        this.spec = externalDnsSpec(version);
        const namespace = new k8s.core.v1.Namespace(`${name}-ns`, { metadata: { name: EXTERNAL_DNS_NAMESPACE, labels: { "pr-cybr.io/platform": "true" } } }, { parent: this });
        const token = pulumi.secret(aws.secretsmanager.getSecretVersionOutput({ secretId: args.cloudflareTokenSecretId }, { parent: this }).secretString);
        const tokenSecret = new k8s.core.v1.Secret(
            `${name}-cloudflare-token`,
            { metadata: { name: EXTERNAL_DNS_TOKEN_SECRET, namespace: EXTERNAL_DNS_NAMESPACE }, type: "Opaque", stringData: { [EXTERNAL_DNS_TOKEN_KEY]: token } },
            { parent: this, dependsOn: [namespace] },
        );
        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: "external-dns",
                chart: "external-dns",
                version,
                repositoryOpts: { repo: EXTERNAL_DNS_REPOSITORY },
                namespace: EXTERNAL_DNS_NAMESPACE,
                values: externalDnsValues({ zoneName: args.zoneName, zoneId: args.zoneId, ownerId: args.ownerId }),
                skipAwait: false,
                timeout: 600,
                maxHistory: 10,
            },
            { parent: this, dependsOn: [...forwardedDependsOn(opts?.dependsOn), tokenSecret] },
        );
        this.ready = [this.release];
        this.registerOutputs({ chartVersion: version });
    }
}
