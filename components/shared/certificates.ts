/**
 * A cert-manager Certificate's spec (cert-manager.io/v1), shared by the areas that serve TLS with the
 * platform's ClusterIssuer (components/addons/cert-manager.ts). ECDSA P-256 with a new key at every
 * renewal; Let's Encrypt sets the lifetime, cert-manager renews at two thirds of it by default.
 */
export function certificateSpec(input: { secretName: string; hostnames: string[]; clusterIssuer: string }): Record<string, unknown> {
    return {
        secretName: input.secretName,
        dnsNames: input.hostnames,
        issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: input.clusterIssuer },
        privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
    };
}

/** The LoadBalancer Service annotations of a platform UI: an NLB of the AWS Load Balancer Controller, pod-IP targets, its DNS name by external-dns. */
export function platformNlbAnnotations(input: { hostname: string; scheme: "internal" | "internet-facing" }): Record<string, string> {
    return {
        "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": input.scheme,
        "external-dns.alpha.kubernetes.io/hostname": input.hostname,
    };
}

/** The class of the AWS Load Balancer Controller's NLBs (its chart's `loadBalancerClass` default). */
export const NLB_CLASS = "service.k8s.aws/nlb";
