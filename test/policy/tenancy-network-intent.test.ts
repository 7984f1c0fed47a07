/**
 * Default denies that look right but do not hold, read with Cilium's and Kubernetes' semantics
 * (policy/rules/lib/network-peers.ts): empty rule lists do not deny, allow rules of all policies add up,
 * and a selector, entity, CIDR or ports-only rule can re-open what the deny closed.
 */
// Rule modules, not the index: the index loads @pulumi/aws (seconds per test file) for rules these cases do not run.
import { tenantNamespaceGuardrails } from "../../policy/rules/tenant-namespace-guardrails";
import { cnp, NO_DENY, twoTenants } from "./fixtures";
import { runStack, stackResource } from "./harness";

const NS = "k8s:io.kubernetes.pod.namespace";
const DENY = { endpointSelector: {}, enableDefaultDeny: { ingress: true, egress: true } };
/** The program's own tenant policy (components/tenancy/network-policy.ts), for org-b. */
const PLATFORM_SPEC = {
    ...DENY,
    ingress: [
        { fromEndpoints: [{ matchLabels: { [NS]: "org-b" } }] },
        { fromEntities: ["ingress"] },
        { fromEndpoints: [{ matchLabels: { [NS]: "monitoring", "k8s:app.kubernetes.io/name": "prometheus" } }] },
    ],
    egress: [
        { toEndpoints: [{ matchLabels: { [NS]: "org-b" } }] },
        { toEndpoints: [{ matchLabels: { [NS]: "kube-system", "k8s:k8s-app": "kube-dns" } }], toPorts: [{ ports: [{ port: "53", protocol: "UDP" }] }] },
    ],
    egressDeny: [{ toEntities: ["world"] }],
};
const withSpec = (spec: Record<string, unknown>) => twoTenants().map((r) => (r.name === "cnp-org-b" ? cnp("org-b", spec) : r));
const extra = (kind: "CiliumNetworkPolicy" | "NetworkPolicy", name: string, body: Record<string, unknown>) =>
    stackResource(kind === "CiliumNetworkPolicy" ? "kubernetes:cilium.io/v2:CiliumNetworkPolicy" : "kubernetes:networking.k8s.io/v1:NetworkPolicy", name, { metadata: { name, namespace: "org-b" }, ...body });
const guard = async (resources: ReturnType<typeof twoTenants>, config: Record<string, unknown> = {}) => (await runStack(tenantNamespaceGuardrails, resources, config)).messages;
const reopened = (what: string) => `tenant org-b: namespace org-b has network policies re-open the default deny (allow rules of all policies add up): ${what}.`;

describe("tenant-namespace-guardrails: what a default deny is", () => {
    it("passes the program's own policy: self, the shared ingress, Prometheus, kube-dns", async () => {
        expect(await guard(withSpec(PLATFORM_SPEC))).toEqual([]);
    });

    it("does not take empty ingress/egress lists without enableDefaultDeny for a deny (Cilium: an empty list does not apply)", async () => {
        expect(await guard(withSpec({ endpointSelector: {}, ingress: [], egress: [] }))).toEqual([`tenant org-b: namespace org-b has ${NO_DENY}.`]);
    });

    it("needs enableDefaultDeny true both ways, not merely not false", async () => {
        expect(await guard(withSpec({ endpointSelector: {}, enableDefaultDeny: { ingress: true }, ingress: [{ fromEndpoints: [{}] }], egress: [{ toEndpoints: [{}] }] }))).toEqual([`tenant org-b: namespace org-b has ${NO_DENY}.`]);
    });

    it("finds the deny in a `specs` list, and the widening rule hidden there too", async () => {
        const specs = [DENY, { endpointSelector: {}, ingress: [{ fromEntities: ["all"] }] }];
        const resources = twoTenants().map((r) => (r.name === "cnp-org-b" ? stackResource("kubernetes:cilium.io/v2:CiliumNetworkPolicy", "cnp-org-b", { metadata: { name: "tenant-default-deny", namespace: "org-b" }, specs }) : r));
        expect(await guard(resources)).toEqual([reopened("CiliumNetworkPolicy tenant-default-deny ingress[0] fromEntities allows entity all")]);
    });

    it("accepts a Kubernetes NetworkPolicy default deny (podSelector {} and both policyTypes)", async () => {
        const np = extra("NetworkPolicy", "deny", { spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } });
        expect(await guard([...twoTenants().filter((r) => r.name !== "cnp-org-b"), np])).toEqual([]);
    });
});

describe("tenant-namespace-guardrails: rules that re-open the deny", () => {
    it("fails entities that reach past the tenant: all, cluster, world (without world egress), host", async () => {
        const spec = { ...DENY, ingress: [{ fromEntities: ["cluster"] }, { fromEntities: ["host", "ingress"] }], egress: [{ toEntities: ["world"] }, { toEntities: ["all"] }] };
        expect(await guard(withSpec(spec))).toEqual([
            reopened(
                "CiliumNetworkPolicy tenant-default-deny ingress[0] fromEntities allows entity cluster; CiliumNetworkPolicy tenant-default-deny ingress[1] fromEntities allows entity host; CiliumNetworkPolicy tenant-default-deny egress[0] toEntities allows entity world; CiliumNetworkPolicy tenant-default-deny egress[1] toEntities allows entity all",
            ),
        ]);
    });

    it("allows world egress only to tenants policy config lists in worldEgress", async () => {
        const spec = { ...DENY, egress: [{ toEntities: ["world"] }, { toCIDRSet: [{ cidr: "0.0.0.0/0" }] }, { toFQDNs: [{ matchName: "api.example.com" }] }] };
        expect(await guard(withSpec(spec), { worldEgress: ["org-b"] })).toEqual([]);
        expect(await guard(withSpec(spec), { worldEgress: ["org-a"] })).toHaveLength(1);
        // World egress never opens ingress from the world.
        expect(await guard(withSpec({ ...DENY, ingress: [{ fromCIDR: ["0.0.0.0/0"] }] }), { worldEgress: ["org-b"] })).toEqual([reopened("CiliumNetworkPolicy tenant-default-deny ingress[0] fromCIDR allows addresses outside the cluster (only the stack's load-balancer subnets may be named)")]);
    });

    it("fails selectors that reach other namespaces: another tenant, every namespace by expression, namespace labels", async () => {
        const spec = {
            ...DENY,
            ingress: [
                { fromEndpoints: [{ matchLabels: { [NS]: "org-a" } }] }, // org-a is another tenant
                { fromEndpoints: [{ matchExpressions: [{ key: NS, operator: "Exists" }] }] },
                { fromEndpoints: [{ matchLabels: { "io.cilium.k8s.namespace.labels.team": "x" } }] },
                { fromEndpoints: [{ matchLabels: { "io.kubernetes.pod.namespace": "kube-system" } }] }, // bare key, any source
            ],
        };
        const out = await guard(withSpec(spec));
        expect(out).toHaveLength(1);
        expect(out[0]).toContain("ingress[0] fromEndpoints reaches namespace org-a");
        expect(out[0]).toContain('ingress[1] fromEndpoints selects pods in any namespace ({"matchExpressions":[{"key":"k8s:io.kubernetes.pod.namespace","operator":"Exists"}]})');
        expect(out[0]).toContain("ingress[2] fromEndpoints selects pods in any namespace");
        expect(out[0]).toContain("ingress[3] fromEndpoints reaches namespace kube-system");
    });

    it("fails a platform namespace selected without the platform pod's labels (all of kube-system, not kube-dns)", async () => {
        const spec = { ...DENY, egress: [{ toEndpoints: [{ matchLabels: { [NS]: "kube-system" } }] }] };
        expect(await guard(withSpec(spec))).toEqual([reopened("CiliumNetworkPolicy tenant-default-deny egress[0] toEndpoints reaches namespace kube-system beyond the permitted platform pods")]);
        // Prometheus is permitted inbound only, not as an egress target.
        const out = await guard(withSpec({ ...DENY, egress: [{ toEndpoints: [{ matchLabels: { [NS]: "monitoring", "k8s:app.kubernetes.io/name": "prometheus" } }] }] }));
        expect(out).toHaveLength(1);
    });

    it("fails a ports-only rule (any layer-3 peer), reserved identities and node rules", async () => {
        const spec = { ...DENY, ingress: [{ toPorts: [{ ports: [{ port: "443" }] }] }, { fromEndpoints: [{ matchLabels: { "reserved:host": "" } }] }, { fromNodes: [{}] }] };
        expect(await guard(withSpec(spec))).toEqual([
            reopened(
                "CiliumNetworkPolicy tenant-default-deny ingress[0] names no peer, so it allows every source or destination (a ports-only rule applies to any layer-3 peer); CiliumNetworkPolicy tenant-default-deny ingress[1] fromEndpoints selects reserved identity reserved:host; CiliumNetworkPolicy tenant-default-deny ingress[2] fromNodes allows cluster nodes",
            ),
        ]);
    });

    it("counts every other policy in the namespace: a NetworkPolicy allowing everything next to a proper deny fails", async () => {
        const allowAll = extra("NetworkPolicy", "allow-all", { spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [{}], egress: [{}] } });
        expect(await guard([...withSpec(PLATFORM_SPEC), allowAll])).toEqual([reopened("NetworkPolicy allow-all ingress[0] has no from, so it allows every peer; NetworkPolicy allow-all egress[0] has no to, so it allows every peer")]);
    });

    it("reads NetworkPolicy peers: namespaceSelector {} or by label is every namespace, ipBlock is outside, podSelector alone stays home", async () => {
        const np = extra("NetworkPolicy", "np", {
            spec: {
                podSelector: { matchLabels: { app: "web" } },
                ingress: [{ from: [{ podSelector: { matchLabels: { app: "api" } } }] }, { from: [{ namespaceSelector: {} }] }, { from: [{ namespaceSelector: { matchLabels: { team: "x" } } }] }],
                egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }, { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "org-a-data" } } }] }],
            },
        });
        const out = await guard([...withSpec(PLATFORM_SPEC), np]);
        expect(out).toEqual([
            reopened(
                'NetworkPolicy np ingress[1] namespaceSelector {} reaches every namespace it matches (only kubernetes.io/metadata.name pins one); NetworkPolicy np ingress[2] namespaceSelector {"matchLabels":{"team":"x"}} reaches every namespace it matches (only kubernetes.io/metadata.name pins one); NetworkPolicy np egress[0] allows ipBlock 0.0.0.0/0; NetworkPolicy np egress[1] reaches namespace org-a-data',
            ),
        ]);
    });

    it("lets a policy allow the tenant's own other namespaces, and deny-only policies (they only narrow)", async () => {
        const sibling = extra("CiliumNetworkPolicy", "sibling", { spec: { endpointSelector: {}, egress: [{ toEndpoints: [{ matchLabels: { [NS]: "org-b" } }] }], egressDeny: [{ toEntities: ["all"] }] } });
        expect(await guard([...withSpec(PLATFORM_SPEC), sibling])).toEqual([]);
        const a = twoTenants().map((r) => (r.name === "cnp-org-a" ? cnp("org-a", { ...DENY, egress: [{ toEndpoints: [{ matchLabels: { [NS]: "org-a-data" } }] }] }) : r));
        expect((await runStack(tenantNamespaceGuardrails, a)).messages).toEqual([]);
    });

    it("a second policy disabling default deny does not undo it (any policy requesting it wins), but its allow rules still count", async () => {
        const lax = extra("CiliumNetworkPolicy", "lax", { spec: { endpointSelector: {}, enableDefaultDeny: { ingress: false, egress: false }, egress: [{ toEntities: ["cluster"] }] } });
        expect(await guard([...withSpec(PLATFORM_SPEC), lax])).toEqual([reopened("CiliumNetworkPolicy lax egress[0] toEntities allows entity cluster")]);
    });
});

describe("tenant-namespace-guardrails: clusterwide policies", () => {
    const ccnp = (name: string, spec: Record<string, unknown>) => stackResource("kubernetes:cilium.io/v2:CiliumClusterwideNetworkPolicy", name, { metadata: { name }, spec });

    it("counts a clusterwide policy selecting every namespace's pods: its allow rules re-open each tenant", async () => {
        const wide = ccnp("allow-cluster", { endpointSelector: {}, ingress: [{ fromEndpoints: [{ matchLabels: { app: "scanner" } }] }] });
        const out = await guard([...withSpec(PLATFORM_SPEC), wide]);
        // In a clusterwide policy a selector without a namespace key matches pods in every namespace.
        expect(out).toContain(reopened('CiliumClusterwideNetworkPolicy allow-cluster ingress[0] fromEndpoints selects pods in any namespace ({"matchLabels":{"app":"scanner"}})'));
        expect(out).toHaveLength(3); // org-a, org-a-data and org-b
    });

    it("leaves tenants alone when the clusterwide policy selects only platform namespaces", async () => {
        const platformOnly = ccnp("dns", { endpointSelector: { matchLabels: { [NS]: "kube-system" } }, ingress: [{ fromEntities: ["cluster"] }] });
        expect(await guard([...withSpec(PLATFORM_SPEC), platformOnly])).toEqual([]);
    });
});

describe("tenant-namespace-guardrails: quotas", () => {
    it("does not take a scoped quota for the namespace's ResourceQuota", async () => {
        const scoped = stackResource("kubernetes:core/v1:ResourceQuota", "quota-org-b", { metadata: { name: "tenant-quota", namespace: "org-b" }, spec: { hard: { pods: "1" }, scopes: ["BestEffort"] } });
        const out = await guard(twoTenants().map((r) => (r.name === "quota-org-b" ? scoped : r)));
        expect(out).toEqual(["tenant org-b: namespace org-b has no unscoped ResourceQuota (scoped quotas bind only the pods their scopes match)."]);
    });
});

describe("tenant-namespace-guardrails: the load balancers' subnets", () => {
    // The Load Balancer Controller's NLBs and ALBs reach pod-IP targets from their own addresses in the
    // subnets it placed them in: internet-facing ones in the subnets tagged kubernetes.io/role/elb.
    const subnet = (name: string, cidr: string, tags: Record<string, string>) => stackResource("aws:ec2/subnet:Subnet", name, { cidrBlock: cidr, tags });
    const subnets = [subnet("public-a", "10.20.128.0/21", { tier: "public", "kubernetes.io/role/elb": "1" }), subnet("private-a", "10.20.0.0/20", { tier: "private", "kubernetes.io/role/internal-elb": "1" })];
    const withIngress = (rule: Record<string, unknown>) => [...subnets, ...withSpec({ ...PLATFORM_SPEC, ingress: [...PLATFORM_SPEC.ingress, rule] })];

    it("passes inbound rules that name the stack's load-balancer subnets exactly", async () => {
        expect(await guard(withIngress({ fromCIDRSet: [{ cidr: "10.20.128.0/21" }] }))).toEqual([]);
        expect(await guard(withIngress({ fromCIDR: ["10.20.128.0/21"] }))).toEqual([]);
        expect(await guard(withIngress({ fromCIDRSet: [{ cidr: "10.20.128.0/21", except: ["10.20.128.0/24"] }] }))).toEqual([]);
    });

    it("fails what only looks like them: a private subnet, a wider or different range, a group reference, an egress rule", async () => {
        const bad = "fromCIDRSet allows addresses outside the cluster (only the stack's load-balancer subnets may be named)";
        expect(await guard(withIngress({ fromCIDRSet: [{ cidr: "10.20.0.0/20" }] }))).toEqual([reopened(`CiliumNetworkPolicy tenant-default-deny ingress[3] ${bad}`)]);
        expect(await guard(withIngress({ fromCIDRSet: [{ cidr: "10.20.0.0/16" }] }))).toEqual([reopened(`CiliumNetworkPolicy tenant-default-deny ingress[3] ${bad}`)]);
        expect(await guard(withIngress({ fromCIDRSet: [{ cidr: "10.20.128.0/21" }, { cidr: "0.0.0.0/0" }] }))).toEqual([reopened(`CiliumNetworkPolicy tenant-default-deny ingress[3] ${bad}`)]);
        expect(await guard(withIngress({ fromCIDRSet: [{ cidrGroupRef: "public" }] }))).toEqual([reopened(`CiliumNetworkPolicy tenant-default-deny ingress[3] ${bad}`)]);
        const egress = [...subnets, ...withSpec({ ...PLATFORM_SPEC, egress: [...PLATFORM_SPEC.egress, { toCIDRSet: [{ cidr: "10.20.128.0/21" }] }] })];
        expect(await guard(egress)).toEqual([reopened("CiliumNetworkPolicy tenant-default-deny egress[2] toCIDRSet allows addresses outside the cluster (the tenant has no world egress in policy config)")]);
        // Without such subnets in the stack, no CIDR is one.
        expect(await guard(withSpec({ ...PLATFORM_SPEC, ingress: [...PLATFORM_SPEC.ingress, { fromCIDRSet: [{ cidr: "10.20.128.0/21" }] }] }))).toEqual([reopened(`CiliumNetworkPolicy tenant-default-deny ingress[3] ${bad}`)]);
    });
});
