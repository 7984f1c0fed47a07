/**
 * What kube-prometheus-stack alerts on beyond its default rules, and where Alertmanager sends it. Only
 * rules whose metrics exist in this Prometheus are here (each names its source):
 * - cert-manager's certificate gauges (cert-manager pkg/metrics/certificates.go at 2d0d7f7f:
 *   `certmanager_certificate_renewal_timestamp_seconds`, `certmanager_certificate_expiration_timestamp_seconds`);
 * - the API server's own metrics on EKS (`apiserver_storage_size_bytes`, Kubernetes >= 1.28, the etcd
 *   database EKS caps at 8 GiB; `apiserver_flowcontrol_rejected_requests_total`, API priority and fairness);
 * - kube-state-metrics' `kube_node_status_condition` (the chart's KubeNodeNotReady covers Ready; this adds
 *   the pressure conditions and a cluster-wide share).
 * The Swarm, Raft-backup and edge alerts of issue 19 are not here: no metric of them reaches Prometheus
 * (the collector on the managers exports to CloudWatch only, dockerd's metrics endpoint is off and the
 * backup script records nothing), see docs/architecture.md "Monitoring".
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

export function platformAlertGroups(): { name: string; rules: AlertRule[] }[] {
    return [
        {
            name: "pr-cybr-certificates",
            rules: [
                {
                    alert: "CertificateNotRenewed",
                    // cert-manager moves the renewal time forward when it renews; past it by an hour means it failed.
                    expr: "time() - certmanager_certificate_renewal_timestamp_seconds > 3600",
                    for: "15m",
                    labels: { severity: "warning" },
                    annotations: { summary: "Certificate {{ $labels.namespace }}/{{ $labels.name }} is in its renewal window but was not renewed", description: "cert-manager should have renewed it over an hour ago; check the Certificate's and its CertificateRequest's events." },
                },
                {
                    alert: "CertificateExpiresWithinAWeek",
                    expr: "certmanager_certificate_expiration_timestamp_seconds - time() < 7 * 86400",
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
                    expr: 'kube_node_status_condition{condition=~"MemoryPressure|DiskPressure|PIDPressure",status="true"} == 1',
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
 * Alertmanager's config (the chart's `alertmanager.config`): everything but Watchdog to Slack. The
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
            routes: [{ receiver: "null", matchers: ['alertname = "Watchdog"'] }],
        },
        receivers,
    };
}
