/** A Role rule, as rbac.authorization.k8s.io/v1 spells it. */
export interface PolicyRule {
    apiGroups: string[];
    resources: string[];
    verbs: string[];
}

const MANAGE = ["get", "list", "watch", "create", "update", "patch", "delete"];
const READ = ["get", "list", "watch"];

/**
 * What Argo CD needs to apply, diff and prune a tenant repository's objects as the tenant's deployer:
 * the workload kinds, their configuration, the app's own RBAC (escalation prevention keeps any Role it
 * writes within these rules) and the monitors the platform's Prometheus picks up. Not the built-in
 * `admin`: no NetworkPolicies, quotas or limit ranges (CiliumNetworkPolicies that only deny), no exec/attach/port-forward/proxy, no
 * impersonating or minting tokens for the namespace's other service accounts.
 */
export function tenantDeployerRules(): PolicyRule[] {
    return [
        { apiGroups: [""], resources: ["configmaps", "secrets", "services", "serviceaccounts", "persistentvolumeclaims", "pods"], verbs: MANAGE },
        { apiGroups: [""], resources: ["endpoints", "events", "limitranges", "resourcequotas"], verbs: READ },
        { apiGroups: ["apps"], resources: ["deployments", "statefulsets", "daemonsets"], verbs: MANAGE },
        { apiGroups: ["apps"], resources: ["replicasets", "controllerrevisions"], verbs: READ },
        { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: MANAGE },
        { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: MANAGE },
        { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: MANAGE },
        { apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: MANAGE },
        { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"], verbs: MANAGE },
        { apiGroups: ["monitoring.coreos.com"], resources: ["servicemonitors", "podmonitors", "prometheusrules"], verbs: MANAGE },
        // Deny-only policies that narrow the platform's (admission refuses anything else: guardrails.ts).
        { apiGroups: ["cilium.io"], resources: ["ciliumnetworkpolicies"], verbs: MANAGE },
        // TLS for its own names (pr-cybr-tenant-hostnames keeps them under <tenant>.apps.<zone>); the
        // CertificateRequests are cert-manager's, read only.
        { apiGroups: ["cert-manager.io"], resources: ["certificates"], verbs: MANAGE },
        { apiGroups: ["cert-manager.io"], resources: ["certificaterequests"], verbs: READ },
        ...tenantExternalSecretsRules(),
    ];
}

/**
 * ExternalSecrets (from the platform's per-namespace SecretStore, which admission keeps them to) and a
 * read of the store itself. Never SecretStores, PushSecrets or generators: those choose whose
 * credentials ESO uses and where it writes (guardrails.ts refuses them in tenant namespaces too).
 */
export function tenantExternalSecretsRules(): PolicyRule[] {
    return [
        { apiGroups: ["external-secrets.io"], resources: ["externalsecrets"], verbs: MANAGE },
        { apiGroups: ["external-secrets.io"], resources: ["secretstores"], verbs: READ },
    ];
}
