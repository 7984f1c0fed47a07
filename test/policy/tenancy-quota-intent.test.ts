/**
 * Quotas that look compliant but are not, read as Kubernetes reads them (policy/rules/lib/tenant-quotas.ts):
 * `cpu` is `requests.cpu`, a missing field is unbounded, scoped quotas bind some pods only, several
 * quotas in a namespace bind at their minimum, a tenant's namespaces add up.
 */
// Rule modules, not the index: the index loads @pulumi/aws (seconds per test file) for rules these cases do not run.
import { tenantNoLoadBalancer } from "../../policy/rules/tenant-no-loadbalancer";
import { tenantQuotasFitCluster } from "../../policy/rules/tenant-quotas-fit-cluster";
import { tenantQuotaWithinBudget } from "../../policy/rules/tenant-quota-within-budget";
import { cnp, hard, limits, nodeGroup, ns, quota, twoTenants } from "./fixtures";
import { runStack, stackResource } from "./harness";

const budget = { default: { "requests.cpu": "4", "requests.memory": "8Gi" }, tiers: {}, tenants: {} };
const replaceQuota = (namespace: string, hardMap: Record<string, string>) => twoTenants().map((r) => (r.name === `quota-${namespace}` ? quota(namespace, hardMap) : r));
const extraQuota = (namespace: string, name: string, spec: Record<string, unknown>) =>
    stackResource("kubernetes:core/v1:ResourceQuota", `${name}-${namespace}`, { metadata: { name, namespace }, spec });

describe("tenant-quota-within-budget: intent", () => {
    it("reads the cpu/memory aliases as requests: 1000 CPUs and 4Ti under the short keys are over budget", async () => {
        const out = await runStack(tenantQuotaWithinBudget, replaceQuota("org-b", { cpu: "1000", memory: "4Ti", pods: "20" }), budget);
        expect(out.messages).toEqual(["tenant org-b: quota requests.cpu totals 1000, over the default budget of 4.", "tenant org-b: quota requests.memory totals 4096Gi, over the default budget of 8Gi."]);
    });

    it("fails a quota that bounds neither cpu nor memory: unbounded is not within budget", async () => {
        const out = await runStack(tenantQuotaWithinBudget, replaceQuota("org-b", { pods: "20" }), budget);
        expect(out.messages).toEqual([
            'tenant org-b: namespace org-b has no unscoped ResourceQuota bounding requests.cpu (so it is unlimited); the default budget allows 4: set hard["requests.cpu"] in each namespace\'s quota.',
            'tenant org-b: namespace org-b has no unscoped ResourceQuota bounding requests.memory (so it is unlimited); the default budget allows 8Gi: set hard["requests.memory"] in each namespace\'s quota.',
        ]);
    });

    it("does not take a scoped quota for the namespace's budget (it binds only BestEffort or one priority class)", async () => {
        const scoped = twoTenants().map((r) => (r.name === "quota-org-b" ? extraQuota("org-b", "tenant-quota", { hard: hard("1", "1Gi"), scopes: ["BestEffort"] }) : r));
        const out = await runStack(tenantQuotaWithinBudget, scoped, budget);
        expect(out.messages[0]).toMatch(/^tenant org-b: namespace org-b has no unscoped ResourceQuota bounding requests\.cpu/);
        const bySelector = twoTenants().map((r) =>
            r.name === "quota-org-b" ? extraQuota("org-b", "tenant-quota", { hard: hard("1", "1Gi"), scopeSelector: { matchExpressions: [{ scopeName: "PriorityClass", operator: "In", values: ["low"] }] } }) : r,
        );
        expect((await runStack(tenantQuotaWithinBudget, bySelector, budget)).messages).toHaveLength(2);
    });

    it("binds several quotas in one namespace at their minimum, not their sum (no false positive)", async () => {
        const tight = extraQuota("org-b", "second", { hard: hard("3", "6Gi") });
        expect((await runStack(tenantQuotaWithinBudget, [...replaceQuota("org-b", hard("3", "6Gi")), tight], budget)).messages).toEqual([]);
        // ...and the tighter of the two binds: a loose second quota does not lift it.
        const loose = extraQuota("org-b", "second", { hard: hard("100", "1Ti") });
        expect((await runStack(tenantQuotaWithinBudget, [...twoTenants(), loose], budget)).messages).toEqual([]);
    });

    it("takes the tighter of an alias and its canonical key given together", async () => {
        expect((await runStack(tenantQuotaWithinBudget, replaceQuota("org-b", { ...hard("100", "4Gi"), cpu: "2" }), budget)).messages).toEqual([]);
    });

    it("counts a limits bound as a requests bound (requests never exceed limits), both ways", async () => {
        // Only limits: requests are bounded by them, no false "unbounded".
        expect((await runStack(tenantQuotaWithinBudget, replaceQuota("org-b", { "limits.cpu": "2", "limits.memory": "4Gi", pods: "20" }), budget)).messages).toEqual([]);
        // Loose requests under tight limits fit; tight requests under loose limits fit; limits over budget do not lift requests.
        expect((await runStack(tenantQuotaWithinBudget, replaceQuota("org-b", { ...hard("100", "1Ti"), "limits.cpu": "2", "limits.memory": "4Gi" }), budget)).messages).toEqual([]);
        expect((await runStack(tenantQuotaWithinBudget, replaceQuota("org-b", { "limits.cpu": "6", "limits.memory": "4Gi" }), budget)).messages).toEqual(["tenant org-b: quota requests.cpu totals 6, over the default budget of 4."]);
    });

    it("adds up a tenant's namespaces: two namespaces each within budget can exceed it together", async () => {
        const spread = twoTenants({ quotas: { "org-a": hard("3", "4Gi"), "org-a-data": hard("3", "4Gi") } });
        expect((await runStack(tenantQuotaWithinBudget, spread, budget)).messages).toEqual(["tenant org-a: quota requests.cpu totals 6, over the default budget of 4."]);
    });

    it("a tenant namespace without any quota is unbounded for every budgeted field", async () => {
        const out = await runStack(tenantQuotaWithinBudget, twoTenants().filter((r) => r.name !== "quota-org-a-data"), budget);
        expect(out.messages).toHaveLength(2);
        expect(out.messages[0]).toMatch(/^tenant org-a: namespace org-a-data has no unscoped ResourceQuota bounding requests\.cpu/);
    });
});

describe("tenant-quotas-fit-cluster: intent", () => {
    const groups = [nodeGroup("general", ["m7g.2xlarge"], 3)]; // 3 x 7.5 = 22.5 CPUs, 91.5Gi

    it("counts cpu/memory alias quotas as requests: 1000 CPUs under `cpu` do not fit", async () => {
        const out = await runStack(tenantQuotasFitCluster, [...replaceQuota("org-b", { cpu: "1000", memory: "4Gi", pods: "20" }), ...groups]);
        expect(out.messages).toEqual(["tenant quotas request 1004.00 CPUs in total, more than the node groups (at minSize) and NodePools (at their limits) offer (22.50 × overcommit 1); largest: org-b, org-a."]);
    });

    it("fails a tenant whose quotas leave CPU unbounded: it cannot be fitted", async () => {
        const out = await runStack(tenantQuotasFitCluster, [...replaceQuota("org-b", { memory: "4Gi", pods: "20" }), ...groups]);
        expect(out.messages).toEqual(['tenant org-b: namespace org-b bounds no requests.cpu (cpu/memory alias included), so its cpu requests are unlimited and cannot be fitted to the cluster: set hard["requests.cpu"].']);
    });

    it("does not count node groups tenant pods cannot schedule on (NoSchedule taint), and fails when nothing counts", async () => {
        const tainted = stackResource("aws:eks/nodeGroup:NodeGroup", "gpu", {
            nodeGroupName: "gpu",
            instanceTypes: ["m7g.2xlarge"],
            scalingConfig: { minSize: 1, maxSize: 100, desiredSize: 1 },
            taints: [{ key: "dedicated", value: "platform", effect: "NO_SCHEDULE" }],
        });
        const out = await runStack(tenantQuotasFitCluster, [...twoTenants(), tainted]);
        expect(out.messages).toEqual([
            "tenants org-a, org-b have quotas, but no node group or NodePool their pods can schedule on (gpu (taint dedicated:NO_SCHEDULE)): the quotas promise capacity nobody provides. Add an untainted node group or NodePool, or list a taint its controller removes in startupTaints.",
        ]);
        // A big tainted group next to a small untainted one: only the small one counts.
        const small = nodeGroup("small", ["m7g.large"], 2); // 2 x 1.5 = 3 CPUs
        expect((await runStack(tenantQuotasFitCluster, [...twoTenants(), tainted, small])).messages[0]).toMatch(/^tenant quotas request 6\.00 CPUs in total, more than the node groups \(at minSize\) and NodePools \(at their limits\) offer \(3\.00/);
    });

    it("still counts a group whose only taint is Cilium's startup taint (the agent removes it), and PreferNoSchedule", async () => {
        const ready = (name: string, key: string, effect: string) =>
            stackResource("aws:eks/nodeGroup:NodeGroup", name, { nodeGroupName: name, instanceTypes: ["m7g.2xlarge"], scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 1 }, taints: [{ key, value: "true", effect }] });
        expect((await runStack(tenantQuotasFitCluster, [...twoTenants(), ready("a", "node.cilium.io/agent-not-ready", "NO_EXECUTE")])).messages).toEqual([]);
        expect((await runStack(tenantQuotasFitCluster, [...twoTenants(), ready("b", "spot", "PREFER_NO_SCHEDULE")])).messages).toEqual([]);
    });

    it("fails tenant quotas in a stack with no node group at all", async () => {
        expect((await runStack(tenantQuotasFitCluster, twoTenants())).messages).toEqual([
            "tenants org-a, org-b have quotas, but no node group or NodePool their pods can schedule on: the quotas promise capacity nobody provides. Add an untainted node group or NodePool, or list a taint its controller removes in startupTaints.",
        ]);
    });

    it("binds several quotas of a namespace at their minimum (no false positive from summing them)", async () => {
        const second = extraQuota("org-b", "second", { hard: hard("2", "4Gi") });
        expect((await runStack(tenantQuotasFitCluster, [...twoTenants(), second, nodeGroup("general", ["m7g.2xlarge"], 1)])).messages).toEqual([]);
    });
});

describe("tenant-quotas-fit-cluster: what the autoscaler may provision", () => {
    // twoTenants(): 6 CPUs and 12Gi of requests over three namespaces.
    const nodeClass = (name = "default") => stackResource("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass", `class-${name}`, { apiVersion: "karpenter.k8s.aws/v1", kind: "EC2NodeClass", metadata: { name }, spec: {} });
    const pool = (name: string, limits: Record<string, string> | undefined, template: Record<string, unknown> = {}) =>
        stackResource("kubernetes:karpenter.sh/v1:NodePool", `pool-${name}`, {
            apiVersion: "karpenter.sh/v1",
            kind: "NodePool",
            metadata: { name },
            spec: {
                template: { spec: { nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "default" }, requirements: [], startupTaints: [{ key: "node.cilium.io/agent-not-ready", value: "true", effect: "NoExecute" }], ...template } },
                ...(limits ? { limits } : {}),
            },
        });
    const small = nodeGroup("system", ["m7g.large"], 2); // 2 x 1.5 = 3 CPUs, 13Gi

    it("never counts a node group's maxSize, which nothing reaches: a group of 1 to 100 nodes is one node", async () => {
        const growable = stackResource("aws:eks/nodeGroup:NodeGroup", "general", { nodeGroupName: "general", instanceTypes: ["m7g.large"], scalingConfig: { minSize: 1, maxSize: 100, desiredSize: 1 } });
        expect((await runStack(tenantQuotasFitCluster, [...twoTenants(), growable])).messages[0]).toMatch(/^tenant quotas request 6\.00 CPUs in total, more than .* offer \(1\.50 × overcommit 1\)/);
    });

    it("counts a NodePool's limits (with Cilium's startup taint) on top of the node groups", async () => {
        expect((await runStack(tenantQuotasFitCluster, [...twoTenants(), small, nodeClass(), pool("arm64-on-demand", { cpu: "4", memory: "16Gi" })])).messages).toEqual([]);
        expect((await runStack(tenantQuotasFitCluster, [...twoTenants(), small, nodeClass(), pool("arm64-on-demand", { cpu: "2", memory: "16Gi" })])).messages[0]).toMatch(/offer \(5\.00 × overcommit 1\)/);
    });

    it("does not count a pool tenant pods cannot use: a repelling taint, a startup taint nobody lifts, a node class that does not exist, zero limits", async () => {
        const big = { cpu: "1000", memory: "4000Gi" };
        const cases = [
            pool("gpu", big, { taints: [{ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }] }),
            pool("stuck", big, { startupTaints: [{ key: "example.com/never-lifted", value: "true", effect: "NoSchedule" }] }),
            pool("ghost", big, { nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "missing" } }),
            pool("empty", { cpu: "0", memory: "0" }),
        ];
        for (const c of cases) {
            const out = await runStack(tenantQuotasFitCluster, [...twoTenants(), small, nodeClass(), c]);
            expect([c.name, out.messages[0]]).toEqual([c.name, expect.stringMatching(/^tenant quotas request 6\.00 CPUs in total, more than .* offer \(3\.00 × overcommit 1\)/)]);
        }
        const alone = await runStack(tenantQuotasFitCluster, [...twoTenants(), nodeClass(), cases[0], cases[2]]);
        expect(alone.messages[0]).toMatch(/no node group or NodePool their pods can schedule on \(NodePool gpu \(taint nvidia\.com\/gpu:NoSchedule\); NodePool ghost \(its EC2NodeClass missing is not in the stack: it launches nothing\)\)/);
    });

    it("fails a NodePool without limits: what it may provision is unbounded, so nothing can be promised from it", async () => {
        const out = await runStack(tenantQuotasFitCluster, [...twoTenants(), small, nodeClass(), pool("open", undefined)]);
        expect(out.messages).toEqual(["NodePool open has no cpu limit: the autoscaler may provision without bound, so the capacity tenant quotas rely on cannot be counted. Set spec.limits.cpu and spec.limits.memory."]);
    });
});

describe("tenant-no-loadbalancer: intent", () => {
    const lb = (n: string) => ({ ...hard("2", "4Gi"), "services.loadbalancers": n });

    it("counts the allowance per tenant: one load balancer in each of two namespaces is two", async () => {
        const out = await runStack(tenantNoLoadBalancer, twoTenants({ quotas: { "org-a": lb("1"), "org-a-data": lb("1") } }), { allowed: { "org-a": 1 } });
        expect(out.messages).toEqual(["tenant org-a: quotas allow 2 LoadBalancer Services over org-a, org-a-data; policy allows 1 for the tenant."]);
        expect((await runStack(tenantNoLoadBalancer, twoTenants({ quotas: { "org-a": lb("1"), "org-a-data": lb("0") } }), { allowed: { "org-a": 1 } })).messages).toEqual([]);
    });

    it("is not fooled by a second, tighter-looking quota: the tightest binds, so a zero quota next to a loose one holds", async () => {
        const zero = extraQuota("org-b", "no-lb", { hard: { "services.loadbalancers": "0" } });
        const loose = twoTenants({ quotas: { "org-b": lb("5") } });
        expect((await runStack(tenantNoLoadBalancer, [...loose, zero])).messages).toEqual([]);
        // ...but a scoped zero quota does not bind the namespace's Services.
        const scopedZero = extraQuota("org-b", "no-lb", { hard: { "services.loadbalancers": "0" }, scopes: ["NotTerminating"] });
        expect((await runStack(tenantNoLoadBalancer, [...loose, scopedZero])).messages).toEqual(["tenant org-b: quotas allow 5 LoadBalancer Services over org-b; policy allows 0 for the tenant."]);
    });

    it("counts LoadBalancer Services over the tenant's namespaces", async () => {
        const svc = (name: string, namespace: string) => stackResource("kubernetes:core/v1:Service", name, { metadata: { name, namespace }, spec: { type: "LoadBalancer" } });
        const resources = [...twoTenants({ quotas: { "org-a": lb("1"), "org-a-data": lb("0") } }), svc("a", "org-a"), svc("b", "org-a-data")];
        expect((await runStack(tenantNoLoadBalancer, resources, { allowed: { "org-a": 1 } })).messages).toEqual(["tenant org-a: the program creates 2 LoadBalancer Services in its namespaces; policy allows 1."]);
    });

    it("does not let a quota that bounds Services leave Ingresses, which are ALBs too, unbounded", async () => {
        const { "count/ingresses.networking.k8s.io": _, ...noIngressBound } = lb("1");
        const out = await runStack(tenantNoLoadBalancer, twoTenants({ quotas: { "org-a": noIngressBound, "org-a-data": lb("0") } }), { allowed: { "org-a": 1 } });
        expect(out.messages).toEqual(['tenant org-a: namespace org-a quota allows unlimited Ingresses (one ALB each); policy allows 1 for the tenant: set hard["count/ingresses.networking.k8s.io"].']);
    });

    it("leaves namespaces that are no tenant's alone", async () => {
        const platform = [ns("ingress"), quota("ingress", { "services.loadbalancers": "9", "count/ingresses.networking.k8s.io": "9" }), limits("ingress"), cnp("ingress")];
        expect((await runStack(tenantNoLoadBalancer, [...twoTenants(), ...platform])).messages).toEqual([]);
    });
});
