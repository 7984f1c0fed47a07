/**
 * What kube-prometheus-stack alerts on beyond its default rules, and where Alertmanager sends it. Only
 * rules whose metrics exist in this Prometheus are here (each names its source):
 * - cert-manager's certificate gauges (cert-manager v1.21.1 internal/collectors/certificate_collector.go:
 *   `certmanager_certificate_renewal_timestamp_seconds`, `certmanager_certificate_expiration_timestamp_seconds`,
 *   labelled name, namespace, issuer_*; 0 while the Certificate has no status.renewalTime / notAfter, i.e.
 *   before its first issuance), scraped by components/shared/cert-manager-monitoring.ts;
 * - the API server's own metrics on EKS (`apiserver_storage_size_bytes`, Kubernetes >= 1.28, the etcd
 *   database EKS caps at 8 GiB; `apiserver_flowcontrol_rejected_requests_total`, API priority and fairness);
 * - kube-state-metrics' `kube_node_status_condition` (the chart's KubeNodeNotReady covers one node; these
 *   page on pressure at warning, replacing the chart's info-level KubeNodePressure, and on a cluster-wide
 *   share of nodes not Ready).
 * Each rule has promtool unit tests, firing and look-alike silent cases: test/integration/prometheus/.
 * The Swarm, Raft-backup and edge-node alerts live in alerting-swarm.ts (their metrics come from the
 * managers' collectors, scraped per manager).
 */

import { swarmAlertGroups } from "./alerting-swarm";

export const ALERTMANAGER_SLACK_SECRET = "alertmanager-slack";
export const ALERTMANAGER_SLACK_KEY = "webhook-url";

export interface AlertRule {
    alert: string;
    expr: string;
    for: string;
    labels: { severity: "warning" | "critical" };
    annotations: { summary: string; description: string };
}

/** The EKS cluster's etcd database quota (EKS best practices, "Control plane monitoring": 8 GiB). */
const EKS_ETCD_QUOTA_BYTES = 8 * 2 ** 30;

/**
 * The chart's default alerts the platform's replace (the chart's `defaultRules.disabled`). KubeNodePressure
 * is NodeUnderPressure at severity info; with both, a pressure warning in namespace monitoring (where
 * kube-state-metrics' alerts land) stops the InfoInhibitor there and Slack gets the same node twice.
 */
export const REPLACED_DEFAULT_ALERTS = ["KubeNodePressure"] as const;

export function platformAlertGroups(): { name: string; rules: AlertRule[] }[] {
    return [
        {
            name: "pr-cybr-certificates",
            rules: [
                {
                    alert: "CertificateNotRenewed",
                    // cert-manager moves the renewal time forward when it renews; past it by an hour means it failed.
                    // `> 0` drops a Certificate not issued yet (gauge 0), which has nothing to renew.
                    expr: "time() - (certmanager_certificate_renewal_timestamp_seconds > 0) > 3600",
                    for: "15m",
                    labels: { severity: "warning" },
                    annotations: { summary: "Certificate {{ $labels.namespace }}/{{ $labels.name }} is in its renewal window but was not renewed", description: "cert-manager should have renewed it over an hour ago; check the Certificate's and its CertificateRequest's events." },
                },
                {
                    alert: "CertificateExpiresWithinAWeek",
                    // As above: a gauge of 0 is "no certificate yet", not "expired in 1970".
                    expr: "(certmanager_certificate_expiration_timestamp_seconds > 0) - time() < 7 * 86400",
                    for: "15m",
                    labels: { severity: "critical" },
                    annotations: { summary: "Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in less than 7 days", description: "Renewal has been failing; the certificate will expire." },
                },
            ],
        },
        {
            name: "pr-cybr-eks-control-plane",
            rules: [
                {
                    alert: "EksEtcdDatabaseNearQuota",
                    expr: `max(apiserver_storage_size_bytes) > ${0.8 * EKS_ETCD_QUOTA_BYTES}`,
                    for: "30m",
                    labels: { severity: "warning" },
                    annotations: { summary: "The cluster's etcd database is over 80% of EKS's 8 GiB quota", description: "At the quota the API server refuses writes; find what stores many objects (events, secrets, CRs)." },
                },
                {
                    alert: "EksApiServerRejectingRequests",
                    expr: "sum by (priority_level) (rate(apiserver_flowcontrol_rejected_requests_total[5m])) > 1",
                    for: "15m",
                    labels: { severity: "warning" },
                    annotations: { summary: "The API server rejects requests of priority level {{ $labels.priority_level }}", description: "API priority and fairness is shedding load: a controller or client floods the API." },
                },
            ],
        },
        {
            name: "pr-cybr-eks-nodes",
            rules: [
                {
                    alert: "NodeUnderPressure",
                    // The chart's KubeNodePressure (info) with the same expression, which this replaces at warning:
                    // a cordoned node (kubectl drain) is left out (rules-1.14/kubernetes-system-kubelet.yaml).
                    expr: 'kube_node_status_condition{condition=~"MemoryPressure|DiskPressure|PIDPressure",status="true"} == 1 and on (node) kube_node_spec_unschedulable == 0',
                    for: "10m",
                    labels: { severity: "warning" },
                    annotations: { summary: "Node {{ $labels.node }} reports {{ $labels.condition }}", description: "The kubelet is evicting or about to evict pods." },
                },
                {
                    alert: "ManyNodesNotReady",
                    expr: 'count(kube_node_status_condition{condition="Ready",status="true"} == 0) / count(kube_node_status_condition{condition="Ready",status="true"}) > 0.25',
                    for: "5m",
                    labels: { severity: "critical" },
                    annotations: { summary: "More than a quarter of the nodes are not Ready", description: "A zone, the CNI or the node groups are failing; workloads are being evicted." },
                },
            ],
        },
        ...swarmAlertGroups(),
    ];
}

/**
 * Alertmanager's config (the chart's `alertmanager.config`, which Helm merges over the chart's default:
 * its inhibit_rules and templates stay): everything but Watchdog and InfoInhibitor to Slack. The
 * webhook URL is read from a file, `api_url_file` (Alertmanager configuration, slack_config), mounted
 * from the Secret `alertmanagerSpec.secrets` names: it never enters Helm values, the Application or a plan.
 */
export function alertmanagerConfig(args: { slackChannel: string } | undefined): Record<string, unknown> {
    const receivers: Record<string, unknown>[] = [{ name: "null" }];
    if (args) {
        receivers.push({
            name: "slack",
            slack_configs: [
                {
                    api_url_file: `/etc/alertmanager/secrets/${ALERTMANAGER_SLACK_SECRET}/${ALERTMANAGER_SLACK_KEY}`,
                    channel: args.slackChannel,
                    send_resolved: true,
                    title: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}',
                    text: "{{ range .Alerts }}{{ .Annotations.summary }}\n{{ end }}",
                },
            ],
        });
    }
    return {
        global: { resolve_timeout: "5m" },
        route: {
            group_by: ["namespace", "alertname"],
            group_wait: "30s",
            group_interval: "5m",
            repeat_interval: "12h",
            receiver: args ? "slack" : "null",
            // Watchdog always fires (a dead man's switch for an outside system) and the chart's InfoInhibitor
            // only inhibits info alerts: its rule's description asks for a null receiver (kube-prometheus-stack
            // 81.6.2 templates/prometheus/rules-1.14/general.rules.yaml). This list replaces the chart's.
            routes: [{ receiver: "null", matchers: ['alertname =~ "Watchdog|InfoInhibitor"'] }],
        },
        receivers,
    };
}
