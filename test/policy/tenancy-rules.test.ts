import { tenantAppProjectScoped, tenantNamespaceGuardrails, tenantNoLoadBalancer, tenantQuotasFitCluster, tenantQuotaWithinBudget } from "../../policy/rules";
import { appProject, cnp, hard, NO_DENY, ns, nodeGroup, twoTenants } from "./fixtures";
import { runStack } from "./harness";

describe("tenant-namespace-guardrails", () => {
    it("passes two fully guarded tenants and ignores namespaces that are not a tenant's", async () => {
        expect((await runStack(tenantNamespaceGuardrails, [...twoTenants(), ns("kube-system")])).messages).toEqual([]);
    });

    it("names the tenant and namespace missing each guardrail", async () => {
        const resources = twoTenants().filter((r) => r.name !== "quota-org-a-data" && r.name !== "limits-org-a-data" && r.name !== "cnp-org-b");
        const out = await runStack(tenantNamespaceGuardrails, resources);
        expect(out.messages).toEqual(["tenant org-a: namespace org-a-data has no ResourceQuota; no LimitRange.", `tenant org-b: namespace org-b has ${NO_DENY}.`]);
    });

    it("does not count a network policy that does not deny by default or selects only some pods", async () => {
        const weak = twoTenants().map((r) => (r.name === "cnp-org-b" ? cnp("org-b", { endpointSelector: { matchLabels: { app: "web" } }, ingress: [], egress: [] }) : r));
        expect((await runStack(tenantNamespaceGuardrails, weak)).messages).toEqual([`tenant org-b: namespace org-b has ${NO_DENY}.`]);
        const disabled = twoTenants().map((r) => (r.name === "cnp-org-b" ? cnp("org-b", { endpointSelector: {}, enableDefaultDeny: { ingress: true, egress: false }, ingress: [], egress: [] }) : r));
        expect((await runStack(tenantNamespaceGuardrails, disabled)).messages).toHaveLength(1);
    });
});

describe("tenant-quota-within-budget", () => {
    const config = {
        default: { "requests.cpu": "4", "requests.memory": "8Gi" },
        tiers: { gold: { "requests.cpu": "8", "requests.memory": "16Gi" } },
        tenants: { "org-a": { tier: "gold" } },
    };

    it("sums a tenant's namespaces and passes within budget (tier for org-a, default for org-b)", async () => {
        expect((await runStack(tenantQuotaWithinBudget, twoTenants(), config)).messages).toEqual([]);
    });

    it("fails naming the tenant, the field and the budget it exceeds", async () => {
        const over = twoTenants({ quotas: { "org-a": hard("6.5", "4Gi"), "org-b": hard("2", "12Gi") } });
        expect((await runStack(tenantQuotaWithinBudget, over, config)).messages).toEqual([
            "tenant org-a: quota requests.cpu totals 8500m, over tier gold of 8.",
            "tenant org-b: quota requests.memory totals 12Gi, over the default budget of 8Gi.",
        ]);
    });

    it("uses a tenant's own budget over the default, and rejects a tier nobody defined", async () => {
        const own = { ...config, tenants: { "org-b": { "requests.cpu": "1" } } };
        expect((await runStack(tenantQuotaWithinBudget, twoTenants(), own)).messages).toEqual(["tenant org-b: quota requests.cpu totals 2, over its own budget of 1."]);
        await expect(runStack(tenantQuotaWithinBudget, twoTenants(), { ...config, tenants: { "org-a": { tier: "platinum" } } })).rejects.toThrow('tenant org-a names tier "platinum", which policy config does not define');
    });
});

describe("tenant-quotas-fit-cluster", () => {
    const groups = [nodeGroup("system", ["m7g.large", "m6g.large"], 4), nodeGroup("general", ["m7g.2xlarge"], 2)];
    // Capacity: 4 x (2 - 0.5) + 2 x (8 - 0.5) = 21 CPUs; memory 4 x 6.5Gi + 2 x 30.5Gi = 87Gi.

    it("passes when the tenants' requests fit the node groups at max size", async () => {
        expect((await runStack(tenantQuotasFitCluster, [...twoTenants(), ...groups])).messages).toEqual([]);
    });

    it("fails when they do not, naming the largest tenants; overcommit from config lets them fit", async () => {
        const big = twoTenants({ quotas: { "org-a": hard("10", "4Gi"), "org-a-data": hard("8", "4Gi"), "org-b": hard("4", "80Gi") } });
        const out = await runStack(tenantQuotasFitCluster, [...big, ...groups]);
        expect(out.messages).toEqual([
            "tenant quotas request 22.00 CPUs in total, more than the node groups (at minSize) and NodePools (at their limits) offer (21.00 × overcommit 1); largest: org-a, org-b.",
            "tenant quotas request 88.0Gi of memory in total, more than the node groups (at minSize) and NodePools (at their limits) offer (87.0Gi × overcommit 1); largest: org-b, org-a.",
        ]);
        const lenient = await runStack(tenantQuotasFitCluster, [...big, ...groups], { overcommit: { cpu: 1.5, memory: 1.5 } });
        expect(lenient.messages).toEqual([]);
    });

    it("refuses to guess the capacity of an instance type it does not know", async () => {
        const out = await runStack(tenantQuotasFitCluster, [...twoTenants(), nodeGroup("gpu", ["p5.48xlarge"], 2)]);
        expect(out.messages).toEqual(["node group gpu uses p5.48xlarge, with no known capacity: add it to instanceCapacity in policy config."]);
    });
});

describe("tenant-appproject-scoped", () => {
    const scoped = (tenant: string, namespaces: string[]) =>
        appProject(tenant, { sourceRepos: [`https://github.com/x/${tenant}.git`], destinations: namespaces.map((namespace) => ({ server: "https://kubernetes.default.svc", namespace })), clusterResourceWhitelist: [] });

    it("passes projects confined to their tenant's namespaces", async () => {
        expect((await runStack(tenantAppProjectScoped, [...twoTenants(), scoped("org-a", ["org-a", "org-a-data"]), scoped("org-b", ["org-b"])])).messages).toEqual([]);
    });

    it("fails a project that reaches another tenant, a wildcard, another cluster or cluster-scoped resources", async () => {
        const bad = appProject("org-b", {
            sourceRepos: ["https://github.com/x/*"],
            destinations: [
                { server: "https://kubernetes.default.svc", namespace: "org-a" },
                { server: "https://kubernetes.default.svc", namespace: "*" },
                { server: "https://other.example.com", namespace: "org-b" },
            ],
            clusterResourceWhitelist: [{ group: "*", kind: "*" }],
        });
        const out = await runStack(tenantAppProjectScoped, [...twoTenants(), bad]);
        expect(out.messages).toEqual([
            'tenant org-b: AppProject org-b targets namespace org-a, which is not org-b\'s; targets namespace pattern "*"; targets cluster https://other.example.com; allows cluster-scoped resources ([{"group":"*","kind":"*"}]); allows source repositories by pattern (https://github.com/x/*).',
        ]);
    });

    it("leaves platform projects (no tenant label) alone", async () => {
        const platform = { ...appProject("platform", { destinations: [{ namespace: "*" }], clusterResourceWhitelist: [{ group: "*", kind: "*" }] }) };
        (platform.props.metadata as { labels: Record<string, string> }).labels = {};
        expect((await runStack(tenantAppProjectScoped, [...twoTenants(), platform])).messages).toEqual([]);
    });
});

describe("tenant-no-loadbalancer", () => {
    it("passes tenants whose quotas allow none, and a tenant allowed some within its allowance", async () => {
        const resources = twoTenants({ quotas: { "org-a": hard("2", "4Gi", { "services.loadbalancers": "1" }) } });
        expect((await runStack(tenantNoLoadBalancer, resources, { allowed: { "org-a": 1 } })).messages).toEqual([]);
    });

    it("fails a quota that allows load balancers the policy does not, or that does not limit them at all", async () => {
        const resources = twoTenants({ quotas: { "org-a": hard("2", "4Gi", { "services.loadbalancers": "2" }), "org-b": { "requests.cpu": "1", "requests.memory": "1Gi" } } });
        const out = await runStack(tenantNoLoadBalancer, resources, { allowed: { "org-a": 1 } });
        expect(out.messages).toEqual([
            "tenant org-a: quotas allow 2 LoadBalancer Services over org-a, org-a-data; policy allows 1 for the tenant.",
            'tenant org-b: namespace org-b quota allows unlimited LoadBalancer Services; policy allows 0 for the tenant: set hard["services.loadbalancers"].',
            'tenant org-b: namespace org-b quota allows unlimited Ingresses (one ALB each); policy allows 0 for the tenant: set hard["count/ingresses.networking.k8s.io"].',
        ]);
    });

    it("bounds Ingresses, each its own ALB, by the same allowance", async () => {
        const resources = twoTenants({ quotas: { "org-a": hard("2", "4Gi", { "services.loadbalancers": "1", "count/ingresses.networking.k8s.io": "2" }) } });
        expect((await runStack(tenantNoLoadBalancer, resources, { allowed: { "org-a": 1 } })).messages).toEqual(["tenant org-a: quotas allow 2 Ingresses (one ALB each) over org-a, org-a-data; policy allows 1 for the tenant."]);
        const within = twoTenants({ quotas: { "org-a": hard("2", "4Gi", { "services.loadbalancers": "1", "count/ingresses.networking.k8s.io": "1" }) } });
        expect((await runStack(tenantNoLoadBalancer, within, { allowed: { "org-a": 1 } })).messages).toEqual([]);
    });

    it("counts Ingresses the program creates in tenant namespaces", async () => {
        const { stackResource } = await import("./harness");
        const ing = stackResource("kubernetes:networking.k8s.io/v1:Ingress", "web", { metadata: { name: "web", namespace: "org-b" }, spec: { ingressClassName: "alb", rules: [{ host: "web.org-b.apps.example.com" }] } });
        expect((await runStack(tenantNoLoadBalancer, [...twoTenants(), ing])).messages).toEqual(["tenant org-b: the program creates 1 Ingresses (one ALB each) in its namespaces; policy allows 0."]);
    });

    it("counts LoadBalancer Services the program creates in tenant namespaces", async () => {
        const { stackResource } = await import("./harness");
        const svc = stackResource("kubernetes:core/v1:Service", "web", { metadata: { name: "web", namespace: "org-b" }, spec: { type: "LoadBalancer" } });
        expect((await runStack(tenantNoLoadBalancer, [...twoTenants(), svc])).messages).toEqual(["tenant org-b: the program creates 1 LoadBalancer Services in its namespaces; policy allows 0."]);
    });
});
