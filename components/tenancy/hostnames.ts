import { TENANT_APPS_LABEL } from "../shared/hostnames";
import { TENANT_LABEL } from "./personas";

export const HOSTNAME_POLICY_NAME = "pr-cybr-tenant-hostnames";
/** external-dns's annotations (kubernetes-sigs/external-dns v0.21.0 source/annotations/annotations.go). */
export const EXTERNAL_DNS_ANNOTATIONS = {
    hostname: "external-dns.alpha.kubernetes.io/hostname",
    internalHostname: "external-dns.alpha.kubernetes.io/internal-hostname",
    cloudflareProxied: "external-dns.alpha.kubernetes.io/cloudflare-proxied",
    cloudflareCustomHostname: "external-dns.alpha.kubernetes.io/cloudflare-custom-hostname",
} as const;
/** cert-manager's controller, the only identity that creates CertificateRequests for tenants' Certificates. */
export const CERT_MANAGER_CONTROLLER = "system:serviceaccount:cert-manager:cert-manager";

/** Lowercase labels, an optional leading `*.` label; no trailing dot, no uppercase, no spaces. */
const NAME_RE = "^([*][.])?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?([.][a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$";

/**
 * CEL check of every DNS name a tenant can make the platform publish or certify: it must be the tenant's
 * domain `<tenant>.apps.<zone>` (components/shared/hostnames.ts tenantDomain; the tenant is the
 * namespace's `pr-cybr.io/tenant` label) or under it, written as DNS stores it (lowercase, no trailing
 * dot; a wildcard only as a whole first label under the domain). Checked where each name comes from:
 * - external-dns's hostname and internal-hostname annotations on Services and Ingresses, split as
 *   external-dns splits them (spaces removed, then commas: source/annotations/processors.go
 *   SplitHostnameAnnotation at v0.21.0), so one foreign name in a list refuses the object;
 * - an Ingress's rule hosts and TLS hosts (external-dns's ingress source publishes both; cert-manager's
 *   ingress-shim certifies the TLS hosts);
 * - a Certificate's dnsNames and commonName, and no IP, URI, email or other SAN (the ClusterIssuer
 *   would otherwise certify any name in the zone for whoever asks);
 * - CertificateRequests only from cert-manager itself (their CSR cannot be read in CEL; cert-manager's
 *   approver approves every request for its issuers by default).
 * Records stay DNS-only: the `cloudflare-proxied` annotation may only say "false", and Cloudflare custom
 * hostnames (names outside the zone) are refused. Gateway API routes: none is installed (docs/architecture.md).
 */
export function hostnamePolicySpec(zoneName: string): Record<string, unknown> {
    const ok = (h: string) => `(size(${h}) <= 253 && ${h}.matches('${NAME_RE}') && (${h} == variables.domain || ${h}.endsWith('.' + variables.domain)))`;
    const annotationHosts = (key: string) => `('${key}' in variables.annotations ? variables.annotations['${key}'].replace(' ', '').split(',') : [])`;
    // Any version: one policy over four kinds whose checks guard on `object.kind`; with exact versions the
    // API server type-checks every expression against every kind and flags another kind's fields
    // (seen in k8s-apply when the load-balancer policy briefly matched Ingresses too).
    const rule = (group: string, kinds: string[], operations = ["CREATE", "UPDATE"]) => ({ apiGroups: [group], apiVersions: ["*"], operations, resources: kinds });
    const under = "names under ' + variables.domain + ' (lowercase, no trailing dot)";
    return {
        failurePolicy: "Fail",
        matchConstraints: {
            resourceRules: [rule("", ["services"]), rule("networking.k8s.io", ["ingresses"]), rule("cert-manager.io", ["certificates"]), rule("cert-manager.io", ["certificaterequests"], ["CREATE"])],
        },
        variables: [
            { name: "domain", expression: `namespaceObject.metadata.labels['${TENANT_LABEL}'] + '.${TENANT_APPS_LABEL}.${zoneName}'` },
            { name: "annotations", expression: "has(object.metadata.annotations) ? object.metadata.annotations : {}" },
            { name: "hostnames", expression: annotationHosts(EXTERNAL_DNS_ANNOTATIONS.hostname) },
            { name: "internalHostnames", expression: annotationHosts(EXTERNAL_DNS_ANNOTATIONS.internalHostname) },
        ],
        validations: [
            {
                expression: `variables.hostnames.all(h, ${ok("h")}) && variables.internalHostnames.all(h, ${ok("h")})`,
                messageExpression: `'external-dns hostname annotations in this namespace may only list ${under}'`,
                reason: "Forbidden",
            },
            {
                expression: `object.kind != 'Ingress' || !has(object.spec.rules) || object.spec.rules.all(r, !has(r.host) || ${ok("r.host")})`,
                messageExpression: `'Ingress rule hosts in this namespace must be ${under}'`,
                reason: "Forbidden",
            },
            {
                expression: `object.kind != 'Ingress' || !has(object.spec.tls) || object.spec.tls.all(t, !has(t.hosts) || t.hosts.all(h, ${ok("h")}))`,
                messageExpression: `'Ingress TLS hosts in this namespace must be ${under}'`,
                reason: "Forbidden",
            },
            {
                expression:
                    `object.kind != 'Certificate' || ((!has(object.spec.dnsNames) || object.spec.dnsNames.all(h, ${ok("h")})) && (!has(object.spec.commonName) || ${ok("object.spec.commonName")}) && ` +
                    "!has(object.spec.ipAddresses) && !has(object.spec.uris) && !has(object.spec.emailAddresses) && !has(object.spec.otherNames))",
                messageExpression: `'a Certificate in this namespace may only name ${under}, and no IP, URI, email or other names'`,
                reason: "Forbidden",
            },
            {
                expression: `object.kind != 'CertificateRequest' || request.userInfo.username == '${CERT_MANAGER_CONTROLLER}'`,
                message: "CertificateRequests in tenant namespaces are cert-manager's own: create a Certificate instead",
                reason: "Forbidden",
            },
            {
                expression: `!('${EXTERNAL_DNS_ANNOTATIONS.cloudflareProxied}' in variables.annotations) || variables.annotations['${EXTERNAL_DNS_ANNOTATIONS.cloudflareProxied}'] == 'false'`,
                message: `tenant DNS records are DNS-only: ${EXTERNAL_DNS_ANNOTATIONS.cloudflareProxied} may only be "false" (TLS comes from cert-manager; Cloudflare's universal certificate covers one level only)`,
                reason: "Forbidden",
            },
            {
                expression: `!('${EXTERNAL_DNS_ANNOTATIONS.cloudflareCustomHostname}' in variables.annotations)`,
                message: `${EXTERNAL_DNS_ANNOTATIONS.cloudflareCustomHostname} is not allowed in tenant namespaces (names outside the zone)`,
                reason: "Forbidden",
            },
        ],
    };
}
