import { CILIUM_NAMESPACE, ciliumServiceMonitors } from "../shared/cilium-monitoring";
import { CILIUM_AGENT_NOT_READY_TAINT } from "../shared/cilium-taint";
/** The taint every node starts with until the Cilium agent on it is ready (nothing else schedules before). */
export { CILIUM_AGENT_NOT_READY_TAINT };

/** The pinned cilium chart: 1.19 is the current stable line, tested against the Kubernetes versions EKS offers. */
export const CILIUM_CHART_VERSION = "1.19.4";
export { CILIUM_NAMESPACE, ciliumServiceMonitors };
export const CILIUM_OPERATOR_SERVICE_ACCOUNT = "cilium-operator";

export interface CiliumValuesInput {
    /** EKS cluster name; also Cilium's cluster name. */
    clusterName: string;
    /** The API server hostname. Never an IP: EKS endpoint addresses change (cilium/cilium#22039). */
    apiServerHost: string;
    /** The VPC CIDR: pods get addresses from it and are routed natively inside it. */
    vpcCidr: string;
    /** IAM role the operator assumes through IRSA for ENI operations. */
    operatorRoleArn: string;
    /** Operator replicas (2 for a rolling restart without losing IPAM). */
    operatorReplicas: number;
    /** Hubble UI on or off (relay and metrics stay on). */
    hubbleUi: boolean;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * Helm values for the cilium chart on a bare EKS cluster: ENI IPAM with prefix delegation, native
 * routing in the VPC, no masquerade (pods keep VPC addresses; the NAT gateway translates for the
 * internet), kube-proxy replacement talking to the API by hostname, Hubble, HA operator on IRSA.
 */
export function ciliumValues(input: CiliumValuesInput): Record<string, unknown> {
    if (IPV4.test(input.apiServerHost) || input.apiServerHost.includes("/")) {
        throw new Error(`apiServerHost must be the endpoint hostname, not "${input.apiServerHost}": EKS API addresses change`);
    }
    return {
        cluster: { name: input.clusterName },
        eni: {
            enabled: true,
            awsEnablePrefixDelegation: true,
            awsReleaseExcessIPs: true,
            // Tags on the ENIs Cilium creates: cost allocation, and garbage collection of leaked ENIs.
            eniTags: { "cilium.io/cluster": input.clusterName },
        },
        ipam: { mode: "eni" },
        routingMode: "native",
        ipv4NativeRoutingCIDR: input.vpcCidr,
        enableIPv4Masquerade: false,
        kubeProxyReplacement: true,
        k8sServiceHost: input.apiServerHost,
        k8sServicePort: 443,
        agentNotReadyTaintKey: CILIUM_AGENT_NOT_READY_TAINT.key,
        priorityClassName: "system-node-critical",
        rollOutCiliumPods: true,
        operator: {
            replicas: input.operatorReplicas,
            priorityClassName: "system-node-critical",
            rollOutPods: true,
            // The Service only: ServiceMonitors come with kube-prometheus-stack (ciliumServiceMonitors).
            prometheus: { enabled: true, metricsService: true },
        },
        serviceAccounts: {
            operator: {
                name: CILIUM_OPERATOR_SERVICE_ACCOUNT,
                annotations: { "eks.amazonaws.com/role-arn": input.operatorRoleArn },
            },
        },
        hubble: {
            enabled: true,
            relay: { enabled: true },
            ui: { enabled: input.hubbleUi },
            metrics: { enabled: ["dns", "drop", "tcp", "flow", "port-distribution", "icmp", "httpV2:exemplars=true;labelsContext=source_ip,source_namespace,source_workload,destination_ip,destination_namespace,destination_workload,traffic_direction"] },
        },
        // The agent's metrics Service; its ServiceMonitor cannot come from this chart: the release precedes
        // the Prometheus operator's CRDs, and the chart refuses ServiceMonitors without them (validate.yaml).
        prometheus: { enabled: true, metricsService: true },
        // The shared ingress for every tenant: traffic from it carries the `ingress` identity, which is
        // what tenant network policies allow in. Load balancers belong to the AWS Load Balancer Controller
        // (NLB IP targets, as tenants' must be; the add-ons issue installs it). It needs pod networking, so
        // it cannot serve a Service of this release: a LoadBalancer here would hold Helm's wait
        // (pkg/kube/ready.go) on EKS's legacy in-tree controller. NodePort until then: no public entry yet.
        ingressController: {
            enabled: true,
            default: true,
            loadbalancerMode: "shared",
            service: { type: "NodePort" },
        },
    };
}

