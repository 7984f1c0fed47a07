/** Where the platform's shared services run; tenant policies allow exactly these. */
export interface PlatformEndpoints {
    /** Namespace of Prometheus, which scrapes tenant metrics. */
    readonly monitoringNamespace: string;
    /**
     * Subnets the tenants' load balancers live in (the VPC's public subnets). An NLB or ALB with pod-IP
     * targets connects from its own addresses in them, which Cilium sees as `world`. Defaults to none.
     */
    readonly loadBalancerSubnets?: readonly string[];
}

const NS = "k8s:io.kubernetes.pod.namespace";

/**
 * The tenant namespace's CiliumNetworkPolicy spec: default-deny both ways (explicit), then allow the
 * namespace to itself, DNS to kube-dns only (through Cilium's DNS proxy, which also makes FQDN rules
 * possible), inbound from the shared Cilium ingress (`ingress` entity), Prometheus and the tenants' load
 * balancers, and the world only when the tenant may have egress to it. Other tenants are never allowed.
 *
 * Load balancers: the AWS Load Balancer Controller's NLBs and ALBs target pod IPs, and connect from
 * their own private addresses in the subnets they were placed in (NLB IP targets keep client IP
 * preservation off by default; an ALB always proxies). Those addresses are outside the cluster, so the
 * `ingress` entity does not cover them; a CIDR rule does ("CIDR rules do not apply to traffic where
 * both sides of the connection are either managed by Cilium or use an IP belonging to a node", cilium
 * v1.19.4 layer3.rst), and only the public subnets are allowed: they hold nothing but NAT gateways and
 * internet-facing load balancers, while the private ones hold every other VPC host (the Swarm managers
 * among them). Tenant load balancers are therefore internet-facing (guardrails.ts requires it).
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
            ...(opts.platform.loadBalancerSubnets?.length ? [{ fromCIDRSet: opts.platform.loadBalancerSubnets.map((cidr) => ({ cidr })) }] : []),
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
