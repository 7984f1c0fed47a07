/** The namespace the cilium release runs in (what the cluster installs and monitoring scrapes). */
export const CILIUM_NAMESPACE = "kube-system";

/**
 * ServiceMonitors for the agent, the operator and Hubble, as kube-prometheus-stack's
 * `prometheus.additionalServiceMonitors` entries: they select the metrics Services the cilium 1.19.4
 * chart renders (templates/cilium-agent/service.yaml, cilium-operator/service.yaml,
 * hubble/metrics-service.yaml: labels and port names) and keep the node label the chart's own
 * ServiceMonitors add.
 */
export function ciliumServiceMonitors(): Record<string, unknown>[] {
    const inCilium = { namespaceSelector: { matchNames: [CILIUM_NAMESPACE] } };
    const nodeLabel = [{ sourceLabels: ["__meta_kubernetes_pod_node_name"], targetLabel: "node", action: "replace", replacement: "${1}" }];
    return [
        { name: "cilium-agent", ...inCilium, selector: { matchLabels: { "app.kubernetes.io/name": "cilium-agent", "app.kubernetes.io/part-of": "cilium" } }, endpoints: [{ port: "metrics", interval: "30s", honorLabels: true, relabelings: nodeLabel }] },
        { name: "cilium-operator", ...inCilium, selector: { matchLabels: { "app.kubernetes.io/name": "cilium-operator", "app.kubernetes.io/part-of": "cilium" } }, endpoints: [{ port: "metrics", interval: "30s", honorLabels: true }] },
        { name: "hubble", ...inCilium, selector: { matchLabels: { "app.kubernetes.io/name": "hubble", "app.kubernetes.io/part-of": "cilium" } }, endpoints: [{ port: "hubble-metrics", interval: "30s", honorLabels: true, relabelings: nodeLabel }] },
    ];
}
