import { certManagerServiceMonitor } from "../shared/cert-manager-monitoring";
import { ciliumServiceMonitors } from "../shared/cilium-monitoring";
import { ALERTMANAGER_SLACK_SECRET, alertmanagerConfig, platformAlertGroups, REPLACED_DEFAULT_ALERTS } from "./alerting";
import { IN_CLUSTER } from "../shared/kubernetes";
import { KUBE_PROMETHEUS_STACK_REPOSITORY, KUBE_PROMETHEUS_STACK_VERSION } from "./versions";

export const PLATFORM_PROJECT = "platform";
export const MONITORING_NAMESPACE = "monitoring";

/**
 * Prometheus' service account, named in the chart's values (prometheus.serviceAccount.name) so its Pod
 * Identity association (PrometheusIdentity) does not depend on the release name
 * (kube-prometheus-stack 81.6.2 templates/_helpers.tpl: `<fullname>-prometheus` otherwise).
 */
export const PROMETHEUS_SERVICE_ACCOUNT = "kube-prometheus-stack-prometheus";

const automated = { automated: { prune: true, selfHeal: true }, retry: { limit: 5, backoff: { duration: "10s", factor: 2, maxDuration: "5m" } } };

/**
 * The account platform apps sync as: the argo-cd chart's application controller (its values.yaml
 * `controller.serviceAccount.name`, bound to a `*` ClusterRole), in Argo CD's namespace.
 */
export const PLATFORM_SYNC_SERVICE_ACCOUNT = "argocd:argocd-application-controller";

/**
 * The platform's own AppProject: its repo and the charts it installs, the platform namespaces,
 * cluster-scoped resources allowed. With sync impersonation on, Argo CD fails every sync whose
 * destination matches no `destinationServiceAccounts` entry ("failed to find a matching service account
 * to impersonate", argoproj/argo-cd v3.3.8 controller/sync.go), so each destination names the account.
 */
export function platformProjectSpec(args: { repoUrl: string; namespaces: string[] }): Record<string, unknown> {
    return {
        description: "Platform add-ons, managed by the platform team",
        sourceRepos: [args.repoUrl, KUBE_PROMETHEUS_STACK_REPOSITORY],
        destinations: args.namespaces.map((namespace) => ({ server: IN_CLUSTER, namespace })),
        destinationServiceAccounts: args.namespaces.map((namespace) => ({ server: IN_CLUSTER, namespace, defaultServiceAccount: PLATFORM_SYNC_SERVICE_ACCOUNT })),
        clusterResourceWhitelist: [{ group: "*", kind: "*" }],
    };
}

/** The root app-of-apps: everything under the environment's path in the platform repository. */
export function rootApplicationSpec(args: { repoUrl: string; path: string; targetRevision: string }): Record<string, unknown> {
    return {
        project: PLATFORM_PROJECT,
        source: { repoURL: args.repoUrl, path: args.path, targetRevision: args.targetRevision },
        destination: { server: IN_CLUSTER, namespace: "argocd" },
        syncPolicy: automated,
    };
}

/** One element per tenant repository; the ApplicationSet turns each into an Application in the tenant's project. */
export interface TenantRepo {
    tenant: string;
    app: string;
    repoURL: string;
    namespace: string;
}

/** The name an app gets from its repository URL: the last path segment without `.git`. */
export function appNameOf(repoUrl: string): string {
    return (repoUrl.split(/[/:]/).pop() ?? repoUrl).replace(/\.git$/, "").toLowerCase().replace(/[^a-z0-9-]/g, "-");
}

/**
 * A tenant repository's generated app: named after the repository, prefixed by the namespace's suffix
 * when it deploys elsewhere than the tenant's own namespace (`org-a-data` + apps -> `data-apps`), so one
 * repository may serve two namespaces.
 */
export function tenantRepo(tenant: string, repoURL: string, namespace: string): TenantRepo {
    const app = appNameOf(repoURL);
    return { tenant, app: namespace === tenant ? app : `${namespace.slice(tenant.length + 1)}-${app}`, repoURL, namespace };
}

/** ApplicationSet generating each tenant's apps from its repositories (path `envs/<environment>`). */
export function tenantApplicationSetSpec(args: { environment: string; repos: TenantRepo[] }): Record<string, unknown> {
    return {
        goTemplate: true,
        goTemplateOptions: ["missingkey=error"],
        generators: [{ list: { elements: args.repos } }],
        template: {
            metadata: { name: "{{.tenant}}-{{.app}}", labels: { "pr-cybr.io/tenant": "{{.tenant}}" } },
            spec: {
                project: "{{.tenant}}",
                source: { repoURL: "{{.repoURL}}", targetRevision: "HEAD", path: `envs/${args.environment}` },
                destination: { server: IN_CLUSTER, namespace: "{{.namespace}}" },
                syncPolicy: { ...automated, syncOptions: ["CreateNamespace=false"] },
            },
        },
    };
}

/**
 * Grafana's public URL, so the links and OAuth redirects it builds (`<root_url>login/generic_oauth`) name
 * the hostname the browser uses, over https: behind the NLB's TLS listener Grafana itself serves HTTP, and
 * its default root_url, `%(protocol)s://%(domain)s:%(http_port)s/`, would say http and port 3000
 * (grafana/grafana conf/defaults.ini). Helm merges these keys into the chart's grafana.ini. Session
 * cookies only over TLS, the only way in from outside. No enforce_domain: the kubelet's probes come by
 * pod IP and would be redirected.
 */
export function grafanaServerIni(hostname: string): Record<string, unknown> {
    return { server: { domain: hostname, root_url: `https://${hostname}/` }, security: { cookie_secure: true } };
}

/** Grafana's OIDC sign-in (GrafanaSso below). */
export interface GrafanaSso {
    readonly clientId: string;
    readonly authUrl: string;
    readonly tokenUrl: string;
    readonly apiUrl: string;
    /** The only groups that may sign in, as Admin: the dashboards show every tenant's metrics. */
    readonly adminGroups: string[];
    /** The Secret in the monitoring namespace holding the client secret under GRAFANA_OIDC_SECRET_KEY. */
    readonly secretName: string;
}

export const GRAFANA_OIDC_SECRET_KEY = "client-secret";

/** A JMESPath raw string literal (`'...'`, `\'` inside). */
const jmespathString = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/**
 * Grafana's generic OAuth (grafana.ini `[auth.generic_oauth]`, Grafana docs "Configure Generic OAuth
 * authentication"): PKCE, the groups claim, and only the admin groups in (`allowed_groups`; with
 * `role_attribute_strict` a user whose groups map to no role is refused rather than made Viewer). The
 * client secret never enters the values: Grafana reads `GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET` (its
 * `GF_<section>_<key>` override) from the Secret through the chart's `envValueFrom`.
 */
export function grafanaSsoValues(sso: GrafanaSso): { ini: Record<string, unknown>; envValueFrom: Record<string, unknown> } {
    const admins = sso.adminGroups.map((g) => `contains(groups[*], ${jmespathString(g)})`).join(" || ");
    return {
        ini: {
            "auth.generic_oauth": {
                enabled: true,
                name: "SSO",
                allow_sign_up: true,
                client_id: sso.clientId,
                scopes: "openid email profile groups",
                auth_url: sso.authUrl,
                token_url: sso.tokenUrl,
                api_url: sso.apiUrl,
                use_pkce: true,
                groups_attribute_path: "groups",
                allowed_groups: sso.adminGroups.join(","),
                role_attribute_path: `(${admins}) && 'Admin'`,
                role_attribute_strict: true,
            },
        },
        envValueFrom: { GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET: { secretKeyRef: { name: sso.secretName, key: GRAFANA_OIDC_SECRET_KEY } } },
    };
}

/** kube-prometheus-stack, scraping Cilium and Hubble and picking up tenants' ServiceMonitors, PodMonitors and PrometheusRules. */
export function kubePrometheusStackSpec(args: {
    ha: boolean;
    retention: string;
    grafanaAdminSecret: string;
    /** The StorageClass of Prometheus' and Alertmanager's volumes; unset keeps them on emptyDir. */
    storageClass?: string;
    /** Prometheus' volume (sized for its retention). */
    prometheusStorage?: string;
    /** Alertmanager posts to Slack through the webhook in Secret ALERTMANAGER_SLACK_SECRET; unset, alerts go nowhere. */
    alertsSlack?: { channel: string };
    /** Grafana's public hostname when it is served (GrafanaEndpoint); unset, Grafana keeps the chart's server settings. */
    grafanaHostname?: string;
    /** Grafana's OIDC sign-in; unset, only the local admin signs in. */
    grafanaSso?: GrafanaSso;
    /** Scrape jobs beyond the chart's monitors (prometheusSpec.additionalScrapeConfigs), e.g. the Swarm managers. Defaults to none. */
    additionalScrapeConfigs?: Record<string, unknown>[];
}): Record<string, unknown> {
    const sso = args.grafanaSso && grafanaSsoValues(args.grafanaSso);
    const ini = { ...(args.grafanaHostname ? grafanaServerIni(args.grafanaHostname) : {}), ...(sso?.ini ?? {}) };
    const volume = (size: string) => (args.storageClass ? { volumeClaimTemplate: { spec: { storageClassName: args.storageClass, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: size } } } } } : undefined);
    return {
        project: PLATFORM_PROJECT,
        source: {
            repoURL: KUBE_PROMETHEUS_STACK_REPOSITORY,
            chart: "kube-prometheus-stack",
            targetRevision: KUBE_PROMETHEUS_STACK_VERSION,
            helm: {
                valuesObject: {
                    // EKS runs the control plane out of reach (no scrape endpoint for the controller manager,
                    // scheduler or etcd) and Cilium replaces kube-proxy: on, the chart's monitors find no
                    // targets and its "...Down" alerts fire forever. enabled: false drops monitor and rules
                    // alike (kube-prometheus-stack 81.6.2 values.yaml, templates/prometheus/rules-1.14).
                    kubeControllerManager: { enabled: false },
                    kubeScheduler: { enabled: false },
                    kubeEtcd: { enabled: false },
                    kubeProxy: { enabled: false },
                    prometheus: {
                        // Named: its Pod Identity association (PrometheusIdentity) names it too.
                        serviceAccount: { create: true, name: PROMETHEUS_SERVICE_ACCOUNT },
                        // cert-manager's gauges feed the certificate alerts (alerting.ts); with the add-on off it selects nothing.
                        additionalServiceMonitors: [...ciliumServiceMonitors(), certManagerServiceMonitor()],
                        prometheusSpec: {
                            replicas: args.ha ? 2 : 1,
                            retention: args.retention,
                            // Empty selectors select every namespace's monitors and rules, tenants' included.
                            serviceMonitorSelectorNilUsesHelmValues: false,
                            podMonitorSelectorNilUsesHelmValues: false,
                            ruleSelectorNilUsesHelmValues: false,
                            ...(args.additionalScrapeConfigs?.length ? { additionalScrapeConfigs: args.additionalScrapeConfigs } : {}),
                            // On the encrypted gp3 class (WaitForFirstConsumer: the volume follows the pod's zone).
                            ...(volume(args.prometheusStorage ?? "50Gi") ? { storageSpec: volume(args.prometheusStorage ?? "50Gi") } : {}),
                        },
                    },
                    // Rules rendered by the chart itself (its PrometheusRule objects), so they exist as soon as its CRDs do.
                    additionalPrometheusRulesMap: { "pr-cybr-platform": { groups: platformAlertGroups() } },
                    defaultRules: { disabled: Object.fromEntries(REPLACED_DEFAULT_ALERTS.map((a) => [a, true])) },
                    alertmanager: {
                        config: alertmanagerConfig(args.alertsSlack ? { slackChannel: args.alertsSlack.channel } : undefined),
                        alertmanagerSpec: {
                            replicas: args.ha ? 2 : 1,
                            ...(volume("10Gi") ? { storage: volume("10Gi") } : {}),
                            ...(args.alertsSlack ? { secrets: [ALERTMANAGER_SLACK_SECRET] } : {}),
                        },
                    },
                    grafana: {
                        admin: { existingSecret: args.grafanaAdminSecret, userKey: "admin-user", passwordKey: "admin-password" },
                        ...(Object.keys(ini).length > 0 ? { "grafana.ini": ini } : {}),
                        ...(sso ? { envValueFrom: sso.envValueFrom } : {}),
                    },
                },
            },
        },
        destination: { server: IN_CLUSTER, namespace: MONITORING_NAMESPACE },
        // The chart's CRDs exceed the client-side apply annotation limit.
        syncPolicy: { ...automated, syncOptions: ["ServerSideApply=true"] },
    };
}
