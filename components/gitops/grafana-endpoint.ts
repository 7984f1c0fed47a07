import * as aws from "@pulumi/aws";
import * as cloudflare from "@pulumi/cloudflare";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NLB_CLASS, platformNlbAnnotations } from "../shared/certificates";
import { isHostname } from "../shared/hostnames";
import { Tags } from "../shared/tags";
import { ArgProblem, throwIfProblems } from "../shared/validation";
import { MONITORING_NAMESPACE } from "./applications";

/**
 * Grafana's pods: kube-prometheus-stack's grafana subchart (grafana-community/helm-charts grafana-11.1.1,
 * the dependency of kube-prometheus-stack 81.6.2) labels them with `grafana.selectorLabels`: its chart
 * name and the release name, which Argo CD sets to the Application's name.
 */
export const GRAFANA_SELECTOR = { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": "kube-prometheus-stack" };
/** Grafana's container port (grafana-11.1.1 values `podPortName: grafana`, `service.targetPort: 3000`): plain HTTP. */
export const GRAFANA_POD_PORT = "grafana";
export const GRAFANA_LOAD_BALANCER_NAME = "grafana-nlb";
/**
 * TLS 1.2 and 1.3 only. The controller's default is ELBSecurityPolicy-2016-08, which still accepts TLS
 * 1.0 (aws-load-balancer-controller v3.5.0 pkg/config/controller_config.go defaultSSLPolicy).
 */
export const GRAFANA_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

export interface GrafanaEndpointArgs {
    /** Grafana's public hostname; the certificate's only name. Required. */
    readonly hostname: string;
    /** The Cloudflare zone the hostname (and so its validation record) is in. Required. */
    readonly zoneId: string;
    /** Who reaches the NLB: the VPC and what is routed to it, or the internet. Required. */
    readonly scheme: "internal" | "internet-facing";
    /** The monitoring Namespace object (the Service lives in it). Required. */
    readonly namespace: pulumi.Input<pulumi.Resource>;
    /** What signals the load balancer controller is ready (the Service is its to reconcile). Required. */
    readonly loadBalancerReady: pulumi.Input<pulumi.Resource>[];
    /** Tags on the certificate. Defaults to {}. */
    readonly tags?: Tags;
}

export function validateGrafanaEndpointArgs(args: GrafanaEndpointArgs): void {
    const problems: ArgProblem[] = [];
    // ACM refuses a trailing dot (terraform-provider-aws internal/service/acm/certificate.go domain_name: "cannot end with a period").
    if (!isHostname(args.hostname)) problems.push({ path: "hostname", reason: `"${args.hostname}" is not a lowercase hostname without a trailing dot` });
    if (!/^[0-9a-f]{32}$/.test(args.zoneId)) problems.push({ path: "zoneId", reason: `"${args.zoneId}" is not a Cloudflare zone id (32 hex characters)` });
    throwIfProblems("GrafanaEndpoint", problems);
}

/**
 * The Cloudflare record of ACM's DNS validation, without the trailing dots ACM writes: Cloudflare stores
 * names and CNAME targets without them, and the provider compares a CNAME's content as written
 * (cloudflare/terraform-provider-cloudflare internal/services/dns_record/custom.go ModifyPlan), so a
 * dot would show as a change on every preview. Not proxied: ACM must resolve the CNAME itself.
 */
export function validationRecord(option: { resourceRecordName: string; resourceRecordType: string; resourceRecordValue: string }) {
    const bare = (s: string) => s.replace(/\.$/, "");
    return { name: bare(option.resourceRecordName), type: option.resourceRecordType, content: bare(option.resourceRecordValue) };
}

/**
 * A LoadBalancer Service of its own beside the chart's ClusterIP one: an NLB of the AWS Load Balancer
 * Controller with a TLS listener on 443 carrying the ACM certificate, forwarding TCP to Grafana's HTTP
 * port on pod IPs (backend protocol `tcp`, the default: docs/guide/service/annotations.md at v3.5.0,
 * "ssl-cert", "ssl-ports", "backend-protocol"), health-checked on /api/health; external-dns publishes
 * the hostname. Not the chart's Service: the chart's ServiceMonitor and sidecars reach Grafana through
 * that one, and Argo CD would report the app Progressing until the NLB has an address.
 * `pulumi.com/skipAwait`: Pulumi does not wait for the address either.
 */
export function grafanaLoadBalancer(input: { hostname: string; scheme: "internal" | "internet-facing"; certificateArn: pulumi.Input<string> }): Record<string, unknown> {
    return {
        metadata: {
            name: GRAFANA_LOAD_BALANCER_NAME,
            namespace: MONITORING_NAMESPACE,
            annotations: {
                ...platformNlbAnnotations({ hostname: input.hostname, scheme: input.scheme }),
                "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": input.certificateArn,
                "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "443",
                "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy": GRAFANA_TLS_POLICY,
                "service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol": "http",
                "service.beta.kubernetes.io/aws-load-balancer-healthcheck-path": "/api/health",
                "pulumi.com/skipAwait": "true",
            },
        },
        spec: { type: "LoadBalancer", loadBalancerClass: NLB_CLASS, selector: GRAFANA_SELECTOR, ports: [{ name: "https", port: 443, targetPort: GRAFANA_POD_PORT, protocol: "TCP" }] },
    };
}

/**
 * Grafana at `https://<hostname>`: an ACM certificate validated through a CNAME in the Cloudflare zone
 * and renewed by ACM itself (managed renewal, while the record stays and the certificate is in use), on
 * the TLS listener of an NLB in front of Grafana's plain HTTP port. Grafana never holds a certificate, so
 * nothing restarts at renewal; the chart's probes, sidecars and ServiceMonitor keep speaking HTTP to it.
 */
export class GrafanaEndpoint extends pulumi.ComponentResource {
    public readonly url: string;
    public readonly certificateArn: pulumi.Output<string>;

    constructor(name: string, args: GrafanaEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
        validateGrafanaEndpointArgs(args);
        super("pr-cybr:gitops:GrafanaEndpoint", name, {}, opts);
        // domainName, validationMethod and keyAlgorithm force a new certificate: Pulumi creates the new one
        // before deleting the old (create-before-replace), the Service moves to its ARN, and the provider
        // retries the old one's delete while the listener still holds it (ResourceInUseException, 20 min:
        // terraform-provider-aws internal/service/acm/certificate.go resourceCertificateDelete).
        const certificate = new aws.acm.Certificate(
            `${name}-certificate`,
            { domainName: args.hostname, validationMethod: "DNS", keyAlgorithm: "RSA_2048", tags: { ...args.tags, Name: args.hostname } },
            { parent: this },
        );
        // One name, one validation option (ACM lists one per name); its record is known once ACM assigned it.
        const option = certificate.domainValidationOptions.apply((options) => {
            const o = options.find((v) => v.domainName === args.hostname);
            if (!o) throw new Error(`ACM returned no DNS validation option for ${args.hostname}`);
            return validationRecord(o);
        });
        const record = new cloudflare.DnsRecord(
            `${name}-validation-record`,
            { zoneId: args.zoneId, name: option.name, type: option.type, content: option.content, ttl: 300, proxied: false, comment: "managed by pr-cybr-platform (ACM validation of Grafana's certificate)" },
            { parent: this },
        );
        // Waits until ACM issued the certificate (75 min at most); the listener needs an issued one.
        const validation = new aws.acm.CertificateValidation(`${name}-validation`, { certificateArn: certificate.arn, validationRecordFqdns: [option.name] }, { parent: this, dependsOn: [record] });

        new k8s.core.v1.Service(
            `${name}-nlb`,
            // The validation's ARN (not the certificate's): the listener is built only with an issued certificate.
            grafanaLoadBalancer({ hostname: args.hostname, scheme: args.scheme, certificateArn: validation.certificateArn }),
            { parent: this, dependsOn: [args.namespace, ...args.loadBalancerReady, validation] },
        );
        this.url = `https://${args.hostname}/`;
        this.certificateArn = validation.certificateArn;
        this.registerOutputs({ url: this.url, certificateArn: this.certificateArn });
    }
}
