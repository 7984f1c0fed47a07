/** RFC 1123 DNS label: what Kubernetes namespaces, hostnames and our resource names must be. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const DNS_LABEL_HELP = "lowercase letters, digits and '-', 1-63 characters, starting and ending with a letter or digit";

/** True when the value is a DNS label. */
export function isDnsLabel(value: string): boolean {
    return DNS_LABEL.test(value);
}
