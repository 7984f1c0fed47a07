import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { isDnsLabel } from "../shared/names";
import { ArgProblem, throwIfProblems } from "../shared/validation";
import { swarmScrapeConfig } from "./alerting-swarm";
import { GRAFANA_OIDC_SECRET_KEY, GrafanaSso, kubePrometheusStackSpec, MONITORING_NAMESPACE, PLATFORM_PROJECT, platformProjectSpec, rootApplicationSpec, TenantRepo, tenantApplicationSetSpec } from "./applications";
import { certificateSpec } from "../shared/certificates";
import { ARGOCD_NAMESPACE, ARGOCD_SERVER_TLS_SECRET, ArgoCdSso, argocdServerLoadBalancer, argocdValues, NOTIFICATIONS_SECRET_NAME, OIDC_SECRET_NAME } from "./argocd-values";
import { RepoCredential, REPO_CREDS_LABEL, repoCredsData, repoCredsSecretName } from "./repo-credentials";
import { ALERTMANAGER_SLACK_KEY, ALERTMANAGER_SLACK_SECRET } from "./alerting";
import { ARGOCD_CHART_REPOSITORY, ARGOCD_CHART_VERSION } from "./versions";

export interface ArgoCdArgs {
    /** Environment name (labels, tenant app paths `envs/<environment>`). Required. */
    readonly environment: string;
    /** Hostname of the Argo CD UI (SSO redirect URL). Required. */
    readonly hostname: string;
    /** The platform repository the root app-of-apps follows. Required. */
    readonly repoUrl: string;
    /** Path of this environment in the platform repository. Required. */
    readonly path: string;
    /** Branch, tag or commit of the platform repository. Defaults to "main". */
    readonly targetRevision?: string;
    /** Run every Argo CD component with 2 replicas, redis-ha and anti-affinity. Defaults to false. */
    readonly ha?: boolean;
    /** argo-cd chart version. Defaults to ARGOCD_CHART_VERSION. */
    readonly chartVersion?: string;
    /** Role every signed-in user holds on top of its own grants ("readonly" reads every project). Defaults to "none". */
    readonly defaultRole?: "readonly" | "none";
    /** OIDC SSO; the client secret is read from Secrets Manager at deploy time. Defaults to none (local admin). */
    readonly sso?: ArgoCdSso & { readonly clientSecretId: string };
    /** Secrets Manager secret holding the Slack webhook URL for notifications. Defaults to none. */
    readonly slackWebhookSecretId?: string;
    /** Tenants' repositories, generated into Applications by the tenants ApplicationSet. Defaults to []. */
    readonly tenantRepos?: TenantRepo[];
    /** Credential templates for private repositories, from Secrets Manager. Defaults to []. */
    readonly repoCredentials?: RepoCredential[];
    /** Prometheus retention. Defaults to "15d". */
    readonly prometheusRetention?: string;
    /**
     * TLS on `hostname`: a Certificate from this ClusterIssuer in argocd-server-tls, the server on an NLB
     * of the given scheme (a Service of its own, so the release never waits for a load balancer), its DNS
     * record by external-dns; `after` are what the Certificate needs (the issuer). Defaults to none (the chart's self-signed certificate behind a ClusterIP Service).
     */
    readonly tls?: {
        readonly clusterIssuer: string;
        readonly scheme: "internal" | "internet-facing";
        readonly after: pulumi.Input<pulumi.Resource>[];
        /** What signals the load balancer controller is ready (the NLB Service is its to reconcile). */
        readonly loadBalancerReady: pulumi.Input<pulumi.Resource>[];
    };
    /** The StorageClass of Prometheus' and Alertmanager's volumes. Defaults to none (emptyDir). */
    readonly monitoringStorageClass?: string;
    /** Alertmanager's Slack webhook (Secrets Manager) and the channel it names. Defaults to none (alerts go nowhere). */
    readonly alertsSlack?: { readonly webhookSecretId: string; readonly channel: string };
    /** Grafana's public hostname when a GrafanaEndpoint serves it (its root_url). Defaults to none (not served). */
    readonly grafanaHostname?: string;
    /** Grafana's OIDC sign-in; its client secret is read from Secrets Manager at deploy time. Defaults to none (local admin only). */
    readonly grafanaSso?: Omit<GrafanaSso, "secretName"> & { readonly clientSecretId: string };
    /** The Swarm whose managers' collectors Prometheus scrapes (EC2 discovery by the swarm's tag). Defaults to none. */
    readonly swarmScrape?: { readonly region: string; readonly swarmName: string };
}

export const ARGOCD_DEFAULTS = {
    targetRevision: "main",
    ha: false,
    chartVersion: ARGOCD_CHART_VERSION,
    defaultRole: "none" as const,
    tenantRepos: [] as TenantRepo[],
    repoCredentials: [] as RepoCredential[],
    prometheusRetention: "15d",
};

/** Pure check of ArgoCdArgs; throws every problem at once. */
export function validateArgoCdArgs(args: ArgoCdArgs): void {
    const problems: ArgProblem[] = [];
    if (!/^[a-z0-9.-]+\.[a-z]{2,}$/.test(args.hostname)) problems.push({ path: "hostname", reason: `"${args.hostname}" is not a hostname` });
    if (args.grafanaHostname !== undefined && !/^[a-z0-9.-]+\.[a-z]{2,}$/.test(args.grafanaHostname)) problems.push({ path: "grafanaHostname", reason: `"${args.grafanaHostname}" is not a hostname` });
    if (!/^https:\/\//.test(args.repoUrl)) problems.push({ path: "repoUrl", reason: `"${args.repoUrl}" is not an https URL` });
    if (args.sso && args.sso.adminGroups.length === 0) problems.push({ path: "sso.adminGroups", reason: "is empty (with SSO the local admin is off: name the platform team's group)" });
    const names = new Set<string>();
    (args.tenantRepos ?? []).forEach((r, i) => {
        const app = `${r.tenant}-${r.app}`;
        if (!isDnsLabel(app)) problems.push({ path: `tenantRepos[${i}]`, reason: `app name "${app}" is not a DNS label (<tenant>-<repository name> must be at most 63 lowercase letters, digits and '-')` });
        if (names.has(app)) problems.push({ path: `tenantRepos[${i}]`, reason: `app name "${app}" is generated twice (two repositories with one name in one tenant: rename one)` });
        names.add(app);
    });
    const prefixes = new Set<string>();
    (args.repoCredentials ?? []).forEach((c, i) => {
        if (!/^(https:\/\/|ssh:\/\/|git@)\S+$/.test(c.url)) problems.push({ path: `repoCredentials[${i}].url`, reason: `"${c.url}" is not a git URL prefix (https://, ssh:// or git@)` });
        if (prefixes.has(c.url)) problems.push({ path: `repoCredentials[${i}].url`, reason: `"${c.url}" has credentials twice (one template per URL prefix)` });
        prefixes.add(c.url);
    });
    throwIfProblems("ArgoCd", problems);
}

/**
 * Argo CD (HA in prod), with SSO and Slack notifications whose secrets come from Secrets Manager into
 * Kubernetes Secrets (never into Helm values), the platform AppProject, the root app-of-apps, the
 * ApplicationSet that generates tenants' apps, and the platform add-ons it delivers (monitoring).
 */
/** The Secret in the monitoring namespace holding Grafana's OIDC client secret. */
export const GRAFANA_OIDC_SECRET = "grafana-oidc";

export class ArgoCd extends pulumi.ComponentResource {
    public readonly namespace: string;
    /** The Namespace object (what must exist before objects in it; the release takes minutes more). */
    public readonly namespaceObject: k8s.core.v1.Namespace;
    public readonly chartVersion: string;
    /** The Helm release; what needs Argo CD's CRDs depends on it. */
    public readonly release: k8s.helm.v3.Release;
    /** The monitoring Namespace object (kube-prometheus-stack's, Grafana's load balancer's). */
    public readonly monitoringNamespace: k8s.core.v1.Namespace;

    constructor(name: string, args: ArgoCdArgs, opts?: pulumi.ComponentResourceOptions) {
        validateArgoCdArgs(args);
        super("pr-cybr:gitops:ArgoCd", name, {}, opts);
        const d = ARGOCD_DEFAULTS;
        const ha = args.ha ?? d.ha;
        const labels = { "app.kubernetes.io/part-of": "argocd" };

        // Forwarded dependsOn (options do not flow to children). The platform passes none: these need only the
        // API server, and the release's pods wait for nodes and DNS at run time.
        const clusterReady = { parent: this, dependsOn: opts?.dependsOn };
        const namespace = new k8s.core.v1.Namespace(`${name}-ns`, { metadata: { name: ARGOCD_NAMESPACE, labels: { "pr-cybr.io/platform": "true" } } }, clusterReady);
        const inNs = { parent: this, dependsOn: [namespace] };
        const secrets: pulumi.Resource[] = [];
        if (args.sso) {
            const clientSecret = this.secretFromSecretsManager(args.sso.clientSecretId);
            secrets.push(new k8s.core.v1.Secret(`${name}-oidc`, { metadata: { name: OIDC_SECRET_NAME, namespace: ARGOCD_NAMESPACE, labels }, stringData: { clientSecret } }, inNs));
        }
        const webhook = args.slackWebhookSecretId ? this.secretFromSecretsManager(args.slackWebhookSecretId) : undefined;
        secrets.push(
            new k8s.core.v1.Secret(
                `${name}-notifications`,
                { metadata: { name: NOTIFICATIONS_SECRET_NAME, namespace: ARGOCD_NAMESPACE, labels }, stringData: webhook ? { "slack-webhook-url": webhook } : {} },
                inNs,
            ),
        );

        // Credential templates: Argo CD uses the longest matching URL prefix for a repository without
        // credentials of its own (Argo CD v3.3.8 operator-manual/declarative-setup.md "Repository Credentials").
        for (const cred of args.repoCredentials ?? d.repoCredentials) {
            const stringData = this.secretFromSecretsManager(cred.secretId).apply((v) => repoCredsData(cred, v));
            const secretName = repoCredsSecretName(cred.url);
            secrets.push(new k8s.core.v1.Secret(`${name}-${secretName}`, { metadata: { name: secretName, namespace: ARGOCD_NAMESPACE, labels: { ...labels, ...REPO_CREDS_LABEL } }, stringData: pulumi.secret(stringData) }, inNs));
        }

        this.chartVersion = args.chartVersion ?? d.chartVersion;
        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: "argocd",
                chart: "argo-cd",
                version: this.chartVersion,
                repositoryOpts: { repo: ARGOCD_CHART_REPOSITORY },
                namespace: ARGOCD_NAMESPACE,
                values: argocdValues({
                    hostname: args.hostname,
                    ha,
                    defaultRole: args.defaultRole ?? d.defaultRole,
                    sso: args.sso,
                    slack: webhook !== undefined,
                }),
                skipAwait: false,
                timeout: 900,
                maxHistory: 10,
            },
            { parent: this, dependsOn: [namespace, ...secrets] },
        );

        if (args.tls) {
            // Beside the release, not before it: argocd-server starts on its self-signed certificate and
            // picks this one up when cert-manager writes it.
            new k8s.apiextensions.CustomResource(
                `${name}-server-certificate`,
                {
                    apiVersion: "cert-manager.io/v1",
                    kind: "Certificate",
                    metadata: { name: ARGOCD_SERVER_TLS_SECRET, namespace: ARGOCD_NAMESPACE },
                    spec: certificateSpec({ secretName: ARGOCD_SERVER_TLS_SECRET, hostnames: [args.hostname], clusterIssuer: args.tls.clusterIssuer }),
                },
                { parent: this, dependsOn: [namespace, ...args.tls.after] },
            );
            new k8s.core.v1.Service(`${name}-server-nlb`, argocdServerLoadBalancer(args.hostname, args.tls.scheme), { parent: this, dependsOn: [namespace, ...args.tls.loadBalancerReady] });
        }

        const monitoring = new k8s.core.v1.Namespace(`${name}-monitoring-ns`, { metadata: { name: MONITORING_NAMESPACE, labels: { "pr-cybr.io/platform": "true" } } }, clusterReady);
        const grafanaPassword = new random.RandomPassword(`${name}-grafana-admin-password`, { length: 32, special: false }, { parent: this });
        const grafanaSecret = new k8s.core.v1.Secret(
            `${name}-grafana-admin`,
            { metadata: { name: "grafana-admin", namespace: MONITORING_NAMESPACE }, stringData: { "admin-user": "admin", "admin-password": grafanaPassword.result } },
            { parent: this, dependsOn: [monitoring] },
        );

        // Alertmanager's Slack webhook, from Secrets Manager into the Secret alertmanagerSpec.secrets mounts (a Pulumi secret end to end).
        const monitoringSecrets: pulumi.Resource[] = [grafanaSecret];
        if (args.alertsSlack) {
            const webhookUrl = this.secretFromSecretsManager(args.alertsSlack.webhookSecretId);
            monitoringSecrets.push(
                new k8s.core.v1.Secret(
                    `${name}-alertmanager-slack`,
                    { metadata: { name: ALERTMANAGER_SLACK_SECRET, namespace: MONITORING_NAMESPACE }, stringData: { [ALERTMANAGER_SLACK_KEY]: webhookUrl } },
                    { parent: this, dependsOn: [monitoring] },
                ),
            );
        }

        // Grafana's OIDC client secret, likewise (the env var GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET reads it).
        let grafanaSso: GrafanaSso | undefined;
        if (args.grafanaSso) {
            const { clientSecretId, ...sso } = args.grafanaSso;
            const clientSecret = this.secretFromSecretsManager(clientSecretId);
            monitoringSecrets.push(
                new k8s.core.v1.Secret(`${name}-grafana-oidc`, { metadata: { name: GRAFANA_OIDC_SECRET, namespace: MONITORING_NAMESPACE }, stringData: { [GRAFANA_OIDC_SECRET_KEY]: clientSecret } }, { parent: this, dependsOn: [monitoring] }),
            );
            grafanaSso = { ...sso, secretName: GRAFANA_OIDC_SECRET };
        }

        // Argo CD's own objects need its CRDs, which the release installs.
        const crd = (role: string, kind: string, metadataName: string, spec: Record<string, unknown>, extra: pulumi.Resource[] = []) =>
            new k8s.apiextensions.CustomResource(
                `${name}-${role}`,
                { apiVersion: "argoproj.io/v1alpha1", kind, metadata: { name: metadataName, namespace: ARGOCD_NAMESPACE }, spec },
                { parent: this, dependsOn: [this.release, ...extra] },
            );
        const platformProject = crd("platform-project", "AppProject", PLATFORM_PROJECT, platformProjectSpec({ repoUrl: args.repoUrl, namespaces: [ARGOCD_NAMESPACE, MONITORING_NAMESPACE, "kube-system"] }));
        crd("root", "Application", "platform-root", rootApplicationSpec({ repoUrl: args.repoUrl, path: args.path, targetRevision: args.targetRevision ?? d.targetRevision }), [platformProject]);
        crd(
            "monitoring",
            "Application",
            "kube-prometheus-stack",
            kubePrometheusStackSpec({
                ha,
                retention: args.prometheusRetention ?? d.prometheusRetention,
                grafanaAdminSecret: "grafana-admin",
                storageClass: args.monitoringStorageClass,
                prometheusStorage: ha ? "100Gi" : "20Gi",
                alertsSlack: args.alertsSlack && { channel: args.alertsSlack.channel },
                grafanaHostname: args.grafanaHostname,
                grafanaSso,
                additionalScrapeConfigs: args.swarmScrape ? [swarmScrapeConfig(args.swarmScrape)] : [],
            }),
            [platformProject, ...monitoringSecrets],
        );
        crd("tenant-apps", "ApplicationSet", "tenant-apps", tenantApplicationSetSpec({ environment: args.environment, repos: args.tenantRepos ?? d.tenantRepos }));

        this.namespace = ARGOCD_NAMESPACE;
        this.namespaceObject = namespace;
        this.monitoringNamespace = monitoring;
        this.registerOutputs({ namespace: this.namespace, chartVersion: this.chartVersion });
    }

    /** A secret string read from Secrets Manager at deploy time, kept a Pulumi secret. */
    private secretFromSecretsManager(secretId: string): pulumi.Output<string> {
        return pulumi.secret(aws.secretsmanager.getSecretVersionOutput({ secretId }, { parent: this }).secretString);
    }
}
