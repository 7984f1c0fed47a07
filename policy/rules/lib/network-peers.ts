/**
 * What a tenant namespace's network policies let in and out, read with Cilium's and Kubernetes'
 * semantics, to tell a default deny that holds from one that is re-opened.
 *
 * Cilium (cilium/cilium):
 * - Allow rules of every policy selecting an endpoint add up ("If there is an intersection between two
 *   or more rules, then traffic matching the union of those rules will be allowed",
 *   Documentation/security/policy/intro.rst, commit 1ba78805). So every policy in the namespace is read,
 *   not only the default deny. Deny rules (ingressDeny/egressDeny) only take away.
 * - An `ingress`/`egress` list that is omitted or empty "does not apply"; default deny per direction
 *   comes from a rule that has one, or from `enableDefaultDeny` (pkg/policy/api/rule.go). Only an
 *   explicit `enableDefaultDeny: {ingress: true, egress: true}` denies both ways whatever the lists hold.
 * - `fromEndpoints`/`toEndpoints` selectors of a CiliumNetworkPolicy are confined to its namespace
 *   unless they name `io.kubernetes.pod.namespace` (any source prefix) or a namespace-label key
 *   (`io.cilium.k8s.namespace.labels.*`), and reserved labels are never confined
 *   (pkg/k8s/apis/cilium.io/utils/utils.go getEndpointSelector, commit 0457444e).
 * - A rule with ports but no layer-3 peer allows that port "to any layer 3 destination"
 *   (Documentation/security/policy/layer4.rst, commit 2a6c3300); entities, CIDRs, FQDNs, services,
 *   nodes and groups reach outside the tenant.
 *
 * Kubernetes NetworkPolicy (https://kubernetes.io/docs/concepts/services-networking/network-policies/):
 * a rule with no `from`/`to` allows every peer; a peer with only `podSelector` stays in the policy's
 * namespace; `namespaceSelector` reaches the namespaces it selects (`{}` = all); `ipBlock` is a CIDR.
 */

/** A peer the platform permits tenants: pods with these labels in that namespace. */
export interface PlatformPeer {
    namespace: string;
    labels: Record<string, string>;
}

export interface PeerPolicy {
    /** The tenant's own namespaces (reaching them is intra-tenant). */
    tenantNamespaces: string[];
    /** Platform peers per direction. */
    peers: { ingress: PlatformPeer[]; egress: PlatformPeer[] };
    /** Cilium entities permitted per direction (e.g. `ingress`, the shared ingress). */
    entities: { ingress: string[]; egress: string[] };
    /** Whether the tenant may send to the world (world entities, CIDRs, FQDNs). */
    worldEgress: boolean;
    /**
     * CIDRs inbound rules may name: the stack's own load-balancer subnets (tagged kubernetes.io/role/elb),
     * from which the AWS Load Balancer Controller's NLBs and ALBs reach pod-IP targets. Defaults to none.
     */
    loadBalancerSubnets?: string[];
}

export type Direction = "ingress" | "egress";

const NS_KEY = "io.kubernetes.pod.namespace";
const NS_LABELS_PREFIX = "io.cilium.k8s.namespace.labels.";
const K8S_NS_NAME = "kubernetes.io/metadata.name";
const WORLD_ENTITIES = ["world", "world-ipv4", "world-ipv6"];

/** A Cilium label key without its source prefix (`k8s:`, `any:`), lower-cased source kept for `reserved:`. */
function bareKey(key: string): { source?: string; key: string } {
    const m = /^([a-z0-9-]+):(.*)$/.exec(key);
    return m && !m[1].includes(".") ? { source: m[1], key: m[2] } : { key };
}

type Selector = { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };

/**
 * The namespaces a selector can reach: a list, or "any". `unpinned` is what a selector that names no
 * namespace reaches: the policy's own namespace for Cilium endpoint selectors (unless it keys on
 * namespace labels), every matching namespace for a NetworkPolicy namespaceSelector.
 */
function namespacesOf(sel: Selector, own: string, nsKey: (k: string) => boolean, unpinned: "own" | "any", prefixKey?: (k: string) => boolean): string[] | "any" {
    const labels = Object.entries(sel.matchLabels ?? {});
    const exprs = sel.matchExpressions ?? [];
    const pinned = labels.filter(([k]) => nsKey(k)).map(([, v]) => v);
    const nsExprs = exprs.filter((e) => nsKey(e.key));
    if (pinned.length === 0 && nsExprs.length === 0) {
        if (prefixKey && [...labels.map(([k]) => k), ...exprs.map((e) => e.key)].some(prefixKey)) return "any";
        return unpinned === "own" ? [own] : "any";
    }
    let reach: string[] | "any" = pinned.length > 0 ? [...new Set(pinned)] : "any";
    for (const e of nsExprs) {
        if (e.operator !== "In") continue; // NotIn, Exists, DoesNotExist narrow nothing to a known list
        const values = e.values ?? [];
        reach = reach === "any" ? values : reach.filter((n) => values.includes(n));
    }
    return reach;
}

/** Whether a selector with a single reachable namespace is a permitted platform peer (its labels a superset of the peer's). */
function isPlatformPeer(namespace: string, labels: Record<string, string>, peers: PlatformPeer[]): boolean {
    return peers.some((p) => p.namespace === namespace && Object.entries(p.labels).every(([k, v]) => labels[k] === v));
}

const strip = (labels: Record<string, string>) => Object.fromEntries(Object.entries(labels).map(([k, v]) => [bareKey(k).key, v]));

/**
 * Why an endpoint selector reaches outside what the tenant may reach, or undefined. In a clusterwide
 * policy a selector without a namespace key matches every namespace (getEndpointSelector adds only
 * `Exists` on the namespace label), so nothing is confined to "own".
 */
function ciliumSelectorProblem(sel: Selector, own: string, dir: Direction, policy: PeerPolicy, clusterwide = false): string | undefined {
    const keys = [...Object.keys(sel.matchLabels ?? {}), ...(sel.matchExpressions ?? []).map((e) => e.key)];
    const reserved = keys.find((k) => bareKey(k).source === "reserved");
    if (reserved) return `selects reserved identity ${reserved}`;
    const reach = namespacesOf(sel, own, (k) => bareKey(k).key === NS_KEY, clusterwide ? "any" : "own", (k) => bareKey(k).key.startsWith(NS_LABELS_PREFIX));
    if (reach === "any") return `selects pods in any namespace (${JSON.stringify(sel)})`;
    const foreign = reach.filter((n) => !policy.tenantNamespaces.includes(n));
    if (foreign.length === 0) return undefined;
    if (foreign.length === 1 && reach.length === 1 && isPlatformPeer(foreign[0], strip(sel.matchLabels ?? {}), policy.peers[dir])) return undefined;
    return `reaches namespace ${foreign.join(", ")}${policy.peers[dir].some((p) => foreign.includes(p.namespace)) ? " beyond the permitted platform pods" : ""}`;
}

const CILIUM_PEER_FIELDS: Record<Direction, string[]> = {
    ingress: ["fromEndpoints", "fromEntities", "fromCIDR", "fromCIDRSet", "fromNodes", "fromGroups"],
    egress: ["toEndpoints", "toEntities", "toCIDR", "toCIDRSet", "toFQDNs", "toServices", "toNodes", "toGroups"],
};

/** Problems of one Cilium allow rule: each way it reaches past the tenant's permitted peers. */
function ciliumRuleProblems(rule: Record<string, any>, own: string, dir: Direction, policy: PeerPolicy, clusterwide: boolean): string[] {
    const present = CILIUM_PEER_FIELDS[dir].filter((f) => Array.isArray(rule[f]) && rule[f].length > 0);
    if (present.length === 0) return ["names no peer, so it allows every source or destination (a ports-only rule applies to any layer-3 peer)"];
    const problems: string[] = [];
    const worldOk = dir === "egress" && policy.worldEgress;
    for (const field of present) {
        const values = rule[field] as unknown[];
        if (field === "fromEndpoints" || field === "toEndpoints") {
            for (const sel of values) {
                const p = ciliumSelectorProblem((sel ?? {}) as Selector, own, dir, policy, clusterwide);
                if (p) problems.push(`${field} ${p}`);
            }
        } else if (field === "fromEntities" || field === "toEntities") {
            const bad = (values as string[]).filter((e) => !policy.entities[dir].includes(e) && !(worldOk && WORLD_ENTITIES.includes(e)));
            if (bad.length > 0) problems.push(`${field} allows entit${bad.length > 1 ? "ies" : "y"} ${bad.join(", ")}`);
        } else if (field === "fromNodes" || field === "toNodes") {
            problems.push(`${field} allows cluster nodes`);
        } else if (dir === "ingress" && (field === "fromCIDR" || field === "fromCIDRSet") && values.every((v) => loadBalancerSubnet(v, policy))) {
            // Only the stack's load-balancer subnets, named exactly (no cidrGroupRef, whose addresses live elsewhere).
        } else if (!worldOk) {
            problems.push(`${field} allows addresses outside the cluster${dir === "egress" ? " (the tenant has no world egress in policy config)" : " (only the stack's load-balancer subnets may be named)"}`);
        }
    }
    return problems;
}

/** Whether a fromCIDR / fromCIDRSet entry names exactly one of the stack's load-balancer subnets. */
function loadBalancerSubnet(entry: unknown, policy: PeerPolicy): boolean {
    const cidr = typeof entry === "string" ? entry : entry && typeof entry === "object" && Object.keys(entry).every((k) => k === "cidr" || k === "except") ? (entry as { cidr?: unknown }).cidr : undefined;
    return typeof cidr === "string" && (policy.loadBalancerSubnets ?? []).includes(cidr);
}

/** The rule lists of a CiliumNetworkPolicy object (`spec` and/or `specs`). */
export function ciliumSpecs(props: Record<string, any>): Record<string, any>[] {
    return [...(props.spec ? [props.spec] : []), ...(Array.isArray(props.specs) ? props.specs : [])];
}

/** Each allow rule of a Cilium policy spec that re-opens the tenant's default deny, as `<direction>[i]: <why>`. */
export function ciliumWidening(spec: Record<string, any>, own: string, policy: PeerPolicy, clusterwide = false): string[] {
    const out: string[] = [];
    for (const dir of ["ingress", "egress"] as const) {
        ((spec[dir] ?? []) as Record<string, any>[]).forEach((rule, i) => {
            for (const p of ciliumRuleProblems(rule ?? {}, own, dir, policy, clusterwide)) out.push(`${dir}[${i}] ${p}`);
        });
    }
    return out;
}

/** Each allow rule of a Kubernetes NetworkPolicy spec that re-opens the tenant's default deny. */
export function networkPolicyWidening(spec: Record<string, any>, own: string, policy: PeerPolicy): string[] {
    const out: string[] = [];
    for (const [dir, peersField] of [["ingress", "from"], ["egress", "to"]] as const) {
        ((spec[dir] ?? []) as Record<string, any>[]).forEach((rule, i) => {
            const peers = (rule?.[peersField] ?? []) as Record<string, any>[];
            if (peers.length === 0) return void out.push(`${dir}[${i}] has no ${peersField}, so it allows every peer`);
            for (const peer of peers) {
                if (peer.ipBlock) {
                    if (!(dir === "egress" && policy.worldEgress)) out.push(`${dir}[${i}] allows ipBlock ${peer.ipBlock.cidr}`);
                    continue;
                }
                if (!peer.namespaceSelector) {
                    if (!peer.podSelector) out.push(`${dir}[${i}] has a peer selecting nothing it can read`);
                    continue; // podSelector alone: the policy's own namespace
                }
                const named = namespacesOf(peer.namespaceSelector, own, (k) => k === K8S_NS_NAME, "any");
                if (named === "any") {
                    out.push(`${dir}[${i}] namespaceSelector ${JSON.stringify(peer.namespaceSelector)} reaches every namespace it matches (only kubernetes.io/metadata.name pins one)`);
                    continue;
                }
                const foreign = named.filter((n) => !policy.tenantNamespaces.includes(n));
                const labels = (peer.podSelector?.matchLabels ?? {}) as Record<string, string>;
                if (foreign.length > 0 && !(foreign.length === 1 && named.length === 1 && isPlatformPeer(foreign[0], labels, policy.peers[dir]))) out.push(`${dir}[${i}] reaches namespace ${foreign.join(", ")}`);
            }
        });
    }
    return out;
}

/** Whether a selector selects every pod of the namespace. */
export const selectsAll = (sel: Selector | undefined) => sel !== undefined && sel !== null && Object.keys(sel.matchLabels ?? {}).length === 0 && !(sel.matchExpressions ?? []).length;

/** A Cilium spec that explicitly denies by default both ways for every pod. */
export const isCiliumDefaultDeny = (spec: Record<string, any>) => selectsAll(spec.endpointSelector) && spec.enableDefaultDeny?.ingress === true && spec.enableDefaultDeny?.egress === true;

/** A NetworkPolicy selecting every pod for both policy types (Kubernetes then denies what no rule allows). */
export const isNetworkPolicyDefaultDeny = (spec: Record<string, any>) => selectsAll(spec.podSelector ?? {}) && (spec.policyTypes ?? []).includes("Ingress") && (spec.policyTypes ?? []).includes("Egress");

/**
 * Whether a CiliumClusterwideNetworkPolicy spec can select pods in a namespace: its endpointSelector
 * names no namespace (every namespace), or names this one. A nodeSelector spec selects nodes, not pods.
 */
export function clusterwideSelects(spec: Record<string, any>, namespace: string): boolean {
    if (!spec.endpointSelector) return false;
    const reach = namespacesOf(spec.endpointSelector as Selector, namespace, (k) => bareKey(k).key === NS_KEY, "any", (k) => bareKey(k).key.startsWith(NS_LABELS_PREFIX));
    return reach === "any" || reach.includes(namespace);
}
