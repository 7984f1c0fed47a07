import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { StackValidationPolicy } from "@pulumi/policy";
import { K8sObject, objectsOfKind, tenantNamespaces } from "./lib/k8s";
import { ciliumSpecs, ciliumWidening, clusterwideSelects, isCiliumDefaultDeny, isNetworkPolicyDefaultDeny, networkPolicyWidening, PeerPolicy, PlatformPeer } from "./lib/network-peers";
import { isUnscoped } from "./lib/tenant-quotas";
import { Deferred } from "./lib/unknowns";

export interface TenantGuardrailsConfig {
    /** Platform pods tenant namespaces may be reached from (ingress) or reach (egress). */
    platformPeers: { ingress: PlatformPeer[]; egress: PlatformPeer[] };
    /** Cilium entities tenant policies may allow, per direction. */
    allowedEntities: { ingress: string[]; egress: string[] };
    /** Tenants whose namespaces may send to the world (world entities, CIDRs, FQDNs). */
    worldEgress: string[];
}

const peerSchema: PolicyConfigJSONSchema = { type: "array", items: { type: "object", properties: { namespace: { type: "string", minLength: 1 }, labels: { type: "object", additionalProperties: { type: "string" } } }, required: ["namespace", "labels"] } };

const DEFAULT_PEERS = {
    ingress: [{ namespace: "monitoring", labels: { "app.kubernetes.io/name": "prometheus" } }],
    egress: [{ namespace: "kube-system", labels: { "k8s-app": "kube-dns" } }],
};

/** Why a namespace's network policies fail: no default deny, and every rule (of any policy) that re-opens it. */
function networkProblems(ns: string, policies: K8sObject[], cfg: PeerPolicy, deferred: Deferred): string[] {
    let denies = false;
    let undecided = false;
    const widening: string[] = [];
    for (const p of policies) {
        const read = deferred.run(() => {
            if (p.kind === "CiliumNetworkPolicy") {
                for (const spec of ciliumSpecs(p.resource.props)) {
                    denies ||= isCiliumDefaultDeny(spec);
                    for (const w of ciliumWidening(spec, ns, cfg)) widening.push(`CiliumNetworkPolicy ${p.name} ${w}`);
                }
            } else if (p.kind === "CiliumClusterwideNetworkPolicy") {
                // Clusterwide: its allow rules add up with the namespace's own wherever it selects pods.
                for (const spec of ciliumSpecs(p.resource.props).filter((sp) => clusterwideSelects(sp, ns))) {
                    for (const w of ciliumWidening(spec, ns, cfg, true)) widening.push(`CiliumClusterwideNetworkPolicy ${p.name} ${w}`);
                }
            } else {
                denies ||= isNetworkPolicyDefaultDeny(p.spec);
                for (const w of networkPolicyWidening(p.spec, ns, cfg)) widening.push(`NetworkPolicy ${p.name} ${w}`);
            }
            return true;
        });
        undecided ||= read === undefined;
    }
    const problems: string[] = [];
    if (!denies && !undecided) {
        problems.push(
            "no default-deny network policy (a CiliumNetworkPolicy selecting every pod with enableDefaultDeny {ingress: true, egress: true} — empty or omitted rule lists do not deny — or a NetworkPolicy with podSelector {} and both policyTypes)",
        );
    }
    if (widening.length > 0) problems.push(`network policies re-open the default deny (allow rules of all policies add up): ${widening.join("; ")}`);
    return problems;
}

/**
 * A tenant namespace without a quota can starve the cluster, without a limit range its unbounded pods
 * escape the quota's intent, and without a default deny that holds it can reach every other tenant.
 * "Holds" is read with Cilium's and Kubernetes' semantics (lib/network-peers.ts): explicit
 * enableDefaultDeny both ways, and no allow rule of any policy in the namespace reaching past the
 * tenant's own namespaces, the platform peers and the entities policy config permits.
 */
export const tenantNamespaceGuardrails: StackValidationPolicy = {
    name: "tenant-namespace-guardrails",
    description:
        "Every tenant namespace (labelled pr-cybr.io/tenant) has an unscoped ResourceQuota, a LimitRange and an explicit default deny both ways (CiliumNetworkPolicy with enableDefaultDeny, or NetworkPolicy), and no network policy in it (nor a clusterwide one selecting its pods) allows peers beyond the tenant's namespaces, the platform peers, entities in policy config and, inbound, the stack's own load-balancer subnets (world egress only for tenants listed in worldEgress).",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            platformPeers: { type: "object", properties: { ingress: peerSchema, egress: peerSchema }, required: ["ingress", "egress"], default: DEFAULT_PEERS },
            allowedEntities: {
                type: "object",
                properties: { ingress: { type: "array", items: { type: "string" } }, egress: { type: "array", items: { type: "string" } } },
                required: ["ingress", "egress"],
                default: { ingress: ["ingress"], egress: [] },
            },
            worldEgress: { type: "array", items: { type: "string", minLength: 1 }, default: [] },
        },
    },
    validateStack: (args, reportViolation) => {
        const cfg = args.getConfig<TenantGuardrailsConfig>();
        const deferred = new Deferred();
        const namespaces = tenantNamespaces(args.resources);
        const inNs = (kind: string, ns: string) => objectsOfKind(args.resources, kind).filter((o) => o.namespace === ns);
        // The stack's internet-facing load-balancer subnets, as the controller finds them (its role tag).
        const loadBalancerSubnets = args.resources
            .filter((r) => r.type === "aws:ec2/subnet:Subnet" && r.props.tags?.["kubernetes.io/role/elb"] === "1" && typeof r.props.cidrBlock === "string")
            .map((r) => r.props.cidrBlock as string);
        const tenantNs = (tenant: string) => [...namespaces.entries()].filter(([, v]) => v.tenant === tenant).map(([n]) => n);
        for (const [ns, { tenant, object }] of namespaces) {
            const problems: string[] = [];
            const quotas = inNs("ResourceQuota", ns);
            const unscoped = quotas.filter((q) => deferred.run(() => isUnscoped(q.spec)) !== false);
            if (unscoped.length === 0) problems.push(quotas.length > 0 ? "no unscoped ResourceQuota (scoped quotas bind only the pods their scopes match)" : "no ResourceQuota");
            if (inNs("LimitRange", ns).length === 0) problems.push("no LimitRange");
            const peers: PeerPolicy = { tenantNamespaces: tenantNs(tenant), peers: cfg.platformPeers, entities: cfg.allowedEntities, worldEgress: cfg.worldEgress.includes(tenant), loadBalancerSubnets };
            const clusterwide = objectsOfKind(args.resources, "CiliumClusterwideNetworkPolicy");
            problems.push(...networkProblems(ns, [...inNs("CiliumNetworkPolicy", ns), ...inNs("NetworkPolicy", ns), ...clusterwide], peers, deferred));
            if (problems.length > 0) reportViolation(`tenant ${tenant}: namespace ${ns} has ${problems.join("; ")}.`, object.resource.urn);
        }
        deferred.finish();
    },
};
