import { PolicyResource } from "@pulumi/policy";
import { stackResource } from "./harness";

/** Hand-built stack resources for tenancy rules: two tenants, each fully guarded, to mutate per test. */
export const ns = (name: string, tenant?: string) => stackResource("kubernetes:core/v1:Namespace", `ns-${name}`, { metadata: { name, labels: tenant ? { "pr-cybr.io/tenant": tenant } : {} } });
export const quota = (namespace: string, hard: Record<string, string>) => stackResource("kubernetes:core/v1:ResourceQuota", `quota-${namespace}`, { metadata: { name: "tenant-quota", namespace }, spec: { hard } });
export const limits = (namespace: string) => stackResource("kubernetes:core/v1:LimitRange", `limits-${namespace}`, { metadata: { name: "tenant-limits", namespace }, spec: { limits: [] } });
export const cnp = (namespace: string, spec: Record<string, unknown> = { endpointSelector: {}, enableDefaultDeny: { ingress: true, egress: true }, ingress: [], egress: [] }) =>
    stackResource("kubernetes:cilium.io/v2:CiliumNetworkPolicy", `cnp-${namespace}`, { metadata: { name: "tenant-default-deny", namespace }, spec });
export const appProject = (tenant: string, spec: Record<string, unknown>) =>
    stackResource("kubernetes:argoproj.io/v1alpha1:AppProject", `project-${tenant}`, { metadata: { name: tenant, namespace: "argocd", labels: { "pr-cybr.io/tenant": tenant } }, spec });
/** A node group of a fixed size (minSize = desiredSize = maxSize): the policy counts minSize. */
export const nodeGroup = (name: string, instanceTypes: string[], size: number) =>
    stackResource("aws:eks/nodeGroup:NodeGroup", name, { nodeGroupName: name, instanceTypes, scalingConfig: { minSize: size, maxSize: size, desiredSize: size } });

export const hard = (cpu: string, memory: string, extra: Record<string, string> = {}) => ({ "requests.cpu": cpu, "requests.memory": memory, pods: "20", "services.loadbalancers": "0", "count/ingresses.networking.k8s.io": "0", ...extra });

/** org-a (namespaces org-a, org-a-data) and org-b (org-b), each with quota, limits and default deny. */
export function twoTenants(overrides: { quotas?: Record<string, Record<string, string>> } = {}): PolicyResource[] {
    const namespaces: [string, string][] = [
        ["org-a", "org-a"],
        ["org-a-data", "org-a"],
        ["org-b", "org-b"],
    ];
    return namespaces.flatMap(([name, tenant]) => [ns(name, tenant), quota(name, overrides.quotas?.[name] ?? hard("2", "4Gi")), limits(name), cnp(name)]);
}

/** The guardrails rule's finding for a namespace without a default deny that holds. */
export const NO_DENY =
    "no default-deny network policy (a CiliumNetworkPolicy selecting every pod with enableDefaultDeny {ingress: true, egress: true} — empty or omitted rule lists do not deny — or a NetworkPolicy with podSelector {} and both policyTypes)";
