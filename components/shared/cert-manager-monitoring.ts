/** The namespace the cert-manager release runs in (what the add-on installs and monitoring scrapes). */
export const CERT_MANAGER_NAMESPACE = "cert-manager";

/**
 * The ServiceMonitor for cert-manager's controller, as a kube-prometheus-stack
 * `prometheus.additionalServiceMonitors` entry: the cert-manager v1.21.1 chart renders the metrics
 * Service (templates/service.yaml: labels app.kubernetes.io/name cert-manager, component controller,
 * port `http-metrics` 9402) but its own ServiceMonitor is off by default and could not install before
 * the Prometheus operator's CRDs anyway, so without this its certificate gauges never reach Prometheus.
 * honorLabels keeps the gauges' `namespace` (the Certificate's): without it Prometheus renames it
 * `exported_namespace` and sets the target's, cert-manager, on every certificate (scrape_config
 * honor_labels), which the alerts and Alertmanager's grouping by namespace would report.
 */
export function certManagerServiceMonitor(): Record<string, unknown> {
    return {
        name: "cert-manager",
        namespaceSelector: { matchNames: [CERT_MANAGER_NAMESPACE] },
        selector: { matchLabels: { "app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/component": "controller" } },
        // The chart's own ServiceMonitor scrapes every 60 s (values.yaml prometheus.servicemonitor.interval).
        endpoints: [{ port: "http-metrics", path: "/metrics", interval: "60s", honorLabels: true }],
    };
}
