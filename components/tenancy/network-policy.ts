/** Where the platform's shared services run; tenant policies allow exactly these. */
export interface PlatformEndpoints {
    /** Namespace of Prometheus, which scrapes tenant metrics. */
    readonly monitoringNamespace: string;
}

const NS = "k8s:io.kubernetes.pod.namespace";

/**
 * The tenant namespace's CiliumNetworkPolicy spec: default-deny both ways (explicit), then allow the
 * namespace to itself, DNS to kube-dns only (through Cilium's DNS proxy, which also makes FQDN rules
 * possible), inbound from the shared Cilium ingress (`ingress` entity) and Prometheus, and the world
 * only when the tenant may have egress to it. Other tenants are never allowed.
 *
 * Allow rules of every policy selecting a pod add up, Kubernetes NetworkPolicies included, so a tenant
 * without world egress also gets an explicit `egressDeny` of the world: "Deny policies take precedence
 * over allow policies, regardless of whether they are a Cilium Network Policy, a Clusterwide Cilium
 * Network Policy or even a Kubernetes Network Policy" (cilium/cilium v1.19.4
 * Documentation/security/policy/deny.rst), and `world` is every endpoint outside the cluster, the same
 * as 0.0.0.0/0 (layer3.rst).
 */
export function tenantNetworkPolicySpec(namespace: string, opts: { allowWorldEgress: boolean; platform: PlatformEndpoints }): Record<string, unknown> {
    const self = { matchLabels: { [NS]: namespace } };
    return {
        description: `Default deny for tenant namespace ${namespace}; platform allowances only.`,
        endpointSelector: {},
        enableDefaultDeny: { ingress: true, egress: true },
        ingress: [
            { fromEndpoints: [self] },
            { fromEntities: ["ingress"] },
            { fromEndpoints: [{ matchLabels: { [NS]: opts.platform.monitoringNamespace, "k8s:app.kubernetes.io/name": "prometheus" } }] },
        ],
        egress: [
            { toEndpoints: [self] },
            {
                toEndpoints: [{ matchLabels: { [NS]: "kube-system", "k8s:k8s-app": "kube-dns" } }],
                toPorts: [{ ports: [{ port: "53", protocol: "UDP" }, { port: "53", protocol: "TCP" }], rules: { dns: [{ matchPattern: "*" }] } }],
            },
            ...(opts.allowWorldEgress ? [{ toEntities: ["world"] }] : []),
        ],
        ...(opts.allowWorldEgress ? {} : { egressDeny: [{ toEntities: ["world"] }] }),
    };
}
