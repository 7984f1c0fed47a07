import * as aws from "@pulumi/aws";
import { TenantConfig } from "../stacks/config";
import { GUARDRAIL_KINDS, guardrailPolicySpec, imagePolicySpec, registryPrefixProblem, limitRangeLimits, loadBalancerPolicySpec, resourceQuotaHard, tenantDeployerRules, tenantNetworkPolicySpec, validateTenantArgs, workloadPolicySpec } from "../components/tenancy";
import { MockHarness, RecordedResource } from "./mocks";
import { platformUnderMocks, stackConfig } from "./helpers/platform";
import { sharedPlan } from "./helpers/cli";
import { planSubnets } from "../components/network/subnet-plan";
import * as fs from "fs";

const k8s = (kind: string) => (r: RecordedResource) => r.type.endsWith(`:${kind}`);
type Obj = Record<string, any>;

describe.each(["dev", "prod"] as const)("the %s tenants", (stack) => {
    let harness: MockHarness;
    const config = stackConfig(stack);

    beforeAll(async () => ({ harness } = await platformUnderMocks(stack, config)));

    const all = () => harness.recorder.list();
    const inNamespace = (kind: string, ns: string) => all().filter(k8s(kind)).filter((r) => (r.inputs.metadata as Obj)?.namespace === ns);
    const namespacesOf = (t: TenantConfig) => t.namespaces ?? [t.name];

    it("gives every tenant namespace its labels, Pod Security restricted, and nothing of another tenant", () => {
        const namespaces = all().filter(k8s("Namespace")).map((r) => r.inputs.metadata as Obj);
        for (const t of config.tenants) {
            for (const ns of namespacesOf(t)) {
                const meta = namespaces.find((m) => m.name === ns)!;
                expect(meta.labels).toEqual({
                    "pr-cybr.io/tenant": t.name,
                    "pr-cybr.io/environment": stack,
                    "pod-security.kubernetes.io/enforce": "restricted",
                    "pod-security.kubernetes.io/enforce-version": "latest",
                    "pod-security.kubernetes.io/audit": "restricted",
                    "pod-security.kubernetes.io/warn": "restricted",
                });
            }
        }
        const tenantNamespaces = config.tenants.flatMap(namespacesOf).sort();
        expect(namespaces.filter((m) => m.labels?.["pr-cybr.io/tenant"]).map((m) => m.name).sort()).toEqual(tenantNamespaces);
    });

    it("puts a quota from config, a limit range and a default-deny CiliumNetworkPolicy in every tenant namespace", () => {
        for (const t of config.tenants) {
            namespacesOf(t).forEach((ns, i) => {
                const [quota] = inNamespace("ResourceQuota", ns);
                // Load balancers are the tenant's allowance: its first namespace holds them, the others none.
                expect(quota.inputs.spec).toEqual({ hard: resourceQuotaHard(i === 0 ? t.quota : { ...t.quota, loadBalancers: 0 }) });
                expect((quota.inputs.spec as Obj).hard.pods).toBe(String(t.quota.pods));
                expect(inNamespace("LimitRange", ns)).toHaveLength(1);
                const [cnp] = inNamespace("CiliumNetworkPolicy", ns);
                const spec = cnp.inputs.spec as Obj;
                expect(spec.endpointSelector).toEqual({});
                expect(spec.enableDefaultDeny).toEqual({ ingress: true, egress: true });
                const worldEgress = (spec.egress as Obj[]).some((e) => e.toEntities?.includes("world"));
                expect(worldEgress).toBe(t.allowWorldEgress);
                // Without world egress, an explicit deny that no tenant-added allow can outweigh.
                expect(spec.egressDeny).toEqual(t.allowWorldEgress ? undefined : [{ toEntities: ["world"] }]);
            });
        }
    });

    it("binds the personas' groups in every namespace and the deployer (in Argo CD's namespace) to the deployer Role only", () => {
        for (const t of config.tenants) {
            for (const ns of namespacesOf(t)) {
                const bindings = inNamespace("RoleBinding", ns).map((r) => ({
                    name: (r.inputs.metadata as Obj).name,
                    role: `${(r.inputs.roleRef as Obj).kind}/${(r.inputs.roleRef as Obj).name}`,
                    subjects: (r.inputs.subjects as Obj[]).map((s) => (s.namespace ? `${s.namespace}/${s.name}` : s.name)),
                }));
                expect(bindings).toEqual(
                    expect.arrayContaining([
                        { name: "tenant-admins", role: "ClusterRole/admin", subjects: [`pr-cybr:${t.name}:admins`] },
                        { name: "tenant-developers", role: "ClusterRole/edit", subjects: [`pr-cybr:${t.name}:developers`] },
                        { name: "tenant-viewers", role: "ClusterRole/view", subjects: [`pr-cybr:${t.name}:viewers`] },
                        { name: "tenant-deployer", role: "Role/tenant-deployer", subjects: [`argocd/deployer-${t.name}`] },
                    ]),
                );
                expect(bindings.some((b) => b.role === "ClusterRole/cluster-admin")).toBe(false);
                const [deployerRole] = inNamespace("Role", ns).filter((r) => (r.inputs.metadata as Obj).name === "tenant-deployer");
                expect(deployerRole.inputs.rules).toEqual(tenantDeployerRules());
            }
            // No service account in a tenant namespace holds the deployer's rights: a pod there could run as it.
            expect(all().filter(k8s("ServiceAccount")).filter((r) => namespacesOf(t).includes((r.inputs.metadata as Obj).namespace))).toEqual([]);
            const deployer = all().filter(k8s("ServiceAccount")).find((r) => (r.inputs.metadata as Obj).name === `deployer-${t.name}`)!;
            expect(deployer.inputs).toMatchObject({ metadata: { namespace: "argocd" }, automountServiceAccountToken: false });
        }
    });

    it("scopes every tenant principal's EKS access to the tenant's namespaces", () => {
        for (const t of config.tenants) {
            const expected = [...t.admins.map((a) => [a, "AmazonEKSAdminPolicy"]), ...t.developers.map((a) => [a, "AmazonEKSEditPolicy"]), ...t.viewers.map((a) => [a, "AmazonEKSViewPolicy"])];
            for (const [principalArn, policy] of expected) {
                const assoc = harness.ofType(aws.eks.AccessPolicyAssociation).find((a) => a.inputs.principalArn === principalArn)!;
                expect(assoc.inputs).toMatchObject({ policyArn: `arn:aws:eks::aws:cluster-access-policy/${policy}`, accessScope: { type: "namespace", namespaces: namespacesOf(t) } });
                const entry = harness.ofType(aws.eks.AccessEntry).find((e) => e.inputs.principalArn === principalArn)!;
                expect((entry.inputs.kubernetesGroups as string[])[0]).toMatch(new RegExp(`^pr-cybr:${t.name}:(admins|developers|viewers)$`));
            }
        }
    });

    it("confines each AppProject to the tenant's repos and namespaces, with no cluster-scoped resources and its guardrails off limits", () => {
        const projects = all().filter(k8s("AppProject"));
        for (const t of config.tenants) {
            const spec = projects.find((p) => (p.inputs.metadata as Obj).name === t.name)!.inputs.spec as Obj;
            expect(spec.sourceRepos).toEqual(t.repos.map((r) => r.url));
            expect(spec.destinations).toEqual(namespacesOf(t).map((namespace) => ({ server: "https://kubernetes.default.svc", namespace })));
            expect(spec.destinationServiceAccounts.map((d: Obj) => d.defaultServiceAccount)).toEqual(namespacesOf(t).map(() => `argocd:deployer-${t.name}`));
            expect(spec.clusterResourceWhitelist).toEqual([]);
            expect(spec.namespaceResourceBlacklist).toEqual(GUARDRAIL_KINDS);
            expect(GUARDRAIL_KINDS).toContainEqual({ group: "networking.k8s.io", kind: "NetworkPolicy" });
            expect(spec.roles.map((r: Obj) => [r.name, r.groups])).toEqual([
                ["admins", t.sso.admins],
                ["developers", t.sso.developers],
                ["viewers", t.sso.viewers],
            ]);
        }
    });

    it("creates the CiliumNetworkPolicy and the AppProject only once Cilium and Argo CD (their CRDs) exist", () => {
        // The releases that install those CRDs (add-on releases such as the load balancer controller do not).
        const releases = all().filter(k8s("Release")).filter((r) => ["cilium", "argo-cd"].includes(r.inputs.chart as string)).map((r) => r.urn);
        expect(releases).toHaveLength(2);
        for (const r of [...all().filter(k8s("CiliumNetworkPolicy")), ...all().filter(k8s("AppProject")).filter((p) => (p.inputs.metadata as Obj).labels?.["pr-cybr.io/tenant"])]) {
            for (const release of releases) expect(r.dependsOn).toContain(release);
        }
    });

    it("guards GitOps-deployed workloads and the tenants' guardrails with ValidatingAdmissionPolicies bound to tenant namespaces", () => {
        const bindings = all().filter(k8s("ValidatingAdmissionPolicyBinding")).map((b) => b.inputs.spec as Obj);
        for (const policyName of ["pr-cybr-tenant-workloads", "pr-cybr-tenant-guardrails", "pr-cybr-tenant-load-balancers"]) {
            expect(bindings).toContainEqual({
                policyName,
                validationActions: ["Deny", "Audit"],
                matchResources: { namespaceSelector: { matchExpressions: [{ key: "pr-cybr.io/tenant", operator: "Exists" }] } },
            });
        }
        expect(all().filter(k8s("ValidatingAdmissionPolicy")).map((p) => (p.inputs.metadata as Obj).name).sort()).toEqual(["pr-cybr-tenant-external-secrets", "pr-cybr-tenant-guardrails", "pr-cybr-tenant-hostnames", "pr-cybr-tenant-images", "pr-cybr-tenant-ingresses", "pr-cybr-tenant-load-balancers", "pr-cybr-tenant-secret-stores", "pr-cybr-tenant-workloads"]);
    });
});

describe("tenancy building blocks", () => {
    it("turns a quota into requests and limits, no storage unless configured, no load balancers or NodePorts unless allowed", () => {
        expect(resourceQuotaHard({ cpu: "1500m", memory: "3Gi", pods: 15 })).toEqual({
            "requests.cpu": "1500m",
            "limits.cpu": "3",
            "requests.memory": "3Gi",
            "limits.memory": "3Gi",
            pods: "15",
            "requests.storage": "0",
            persistentvolumeclaims: "0",
            "services.loadbalancers": "0",
            "count/ingresses.networking.k8s.io": "0",
            "services.nodeports": "0",
        });
        expect(resourceQuotaHard({ cpu: 16, memory: "32Gi", pods: 150, storage: "500Gi", persistentVolumeClaims: 40, loadBalancers: 1 })).toMatchObject({
            "requests.storage": "500Gi",
            persistentvolumeclaims: "40",
            "services.loadbalancers": "1",
            "count/ingresses.networking.k8s.io": "1",
        });
    });

    it("clamps container defaults under the ceiling for a small tenant (the API rejects default > max)", () => {
        expect(limitRangeLimits({ cpu: "200m", memory: "256Mi", pods: 2 })).toEqual([
            { type: "Container", default: { cpu: "400m", memory: "256Mi" }, defaultRequest: { cpu: "100m", memory: "128Mi" }, max: { cpu: "400m", memory: "256Mi" } },
        ]);
    });

    it("allows DNS only to kube-dns, never another tenant, and the world only on request", () => {
        const spec = tenantNetworkPolicySpec("org-b", { allowWorldEgress: false, platform: { monitoringNamespace: "monitoring" } }) as Obj;
        expect(spec.egress).toEqual([
            { toEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": "org-b" } }] },
            {
                toEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": "kube-system", "k8s:k8s-app": "kube-dns" } }],
                toPorts: [{ ports: [{ port: "53", protocol: "UDP" }, { port: "53", protocol: "TCP" }], rules: { dns: [{ matchPattern: "*" }] } }],
            },
        ]);
        expect(spec.ingress.map((i: Obj) => Object.keys(i)[0])).toEqual(["fromEndpoints", "fromEntities", "fromEndpoints"]);
        expect(JSON.stringify(spec)).not.toMatch(/"cluster"|"all"/);
    });

    it("admits the tenants' load balancers from the VPC's public subnets only (their pod-IP targets see the LB's own addresses)", () => {
        const config = stackConfig("prod");
        const plan = planSubnets(config.network.cidr, config.network.azCount);
        const resources: { type: string; inputs: Obj }[] = JSON.parse(fs.readFileSync(sharedPlan("prod"), "utf8")).resources;
        const cnps = resources.filter((r) => r.type === "kubernetes:cilium.io/v2:CiliumNetworkPolicy" && (r.inputs.metadata as Obj).name === "tenant-default-deny");
        expect(cnps.length).toBeGreaterThan(0);
        for (const cnp of cnps) {
            const fromCidrs = ((cnp.inputs.spec as Obj).ingress as Obj[]).flatMap((rule) => (rule.fromCIDRSet ?? []).map((c: Obj) => c.cidr));
            expect(fromCidrs).toEqual(plan.public);
            for (const cidr of plan.private) expect(fromCidrs).not.toContain(cidr);
        }
    });

    it("the admission policy checks privilege, host namespaces, hostPath and resources on pods and workload templates", () => {
        const spec = workloadPolicySpec() as Obj;
        expect(spec.failurePolicy).toBe("Fail");
        expect(spec.validations.map((v: Obj) => v.message)).toEqual([
            "privileged containers are not allowed in tenant namespaces",
            "host network, PID and IPC namespaces are not allowed in tenant namespaces",
            "hostPath volumes are not allowed in tenant namespaces",
            "every container needs cpu and memory requests and a memory limit",
        ]);
        expect(spec.matchConstraints.resourceRules.flatMap((r: Obj) => r.resources)).toEqual(["pods", "deployments", "statefulsets", "daemonsets", "replicasets", "jobs", "cronjobs"]);
    });

    it("the guardrail policy covers every guardrail kind, for every write, and exempts only kube-system's controllers", () => {
        const spec = guardrailPolicySpec() as Obj;
        expect(spec.failurePolicy).toBe("Fail");
        const rules = spec.matchConstraints.resourceRules as Obj[];
        expect(rules.flatMap((r) => r.resources).sort()).toEqual(["ciliumnetworkpolicies", "limitranges", "networkpolicies", "resourcequotas"]);
        for (const r of rules) expect(r.operations).toEqual(["CREATE", "UPDATE", "DELETE"]);
        expect(spec.variables.map((v: Obj) => v.expression).join(" ")).toContain("startsWith('pr-cybr:')");
        expect(spec.variables.map((v: Obj) => v.expression).join(" ")).toContain("!request.userInfo.username.startsWith('system:serviceaccount:kube-system:')");
    });

    it("the load-balancer policy asks LoadBalancer Services for what needs no node ports: no allocated node ports, NLB IP targets", () => {
        const spec = loadBalancerPolicySpec() as Obj;
        expect(spec.matchConditions).toEqual([{ name: "load-balancer", expression: "object.spec.type == 'LoadBalancer'" }]);
        expect(spec.validations.map((v: Obj) => v.expression).join(" ")).toMatch(/allocateLoadBalancerNodePorts == false.*aws-load-balancer-nlb-target-type'\] == 'ip'/);
        // Node ports stay closed to tenants whatever their load-balancer allowance.
        expect(resourceQuotaHard({ cpu: 1, memory: "1Gi", pods: 1, loadBalancers: 3 })["services.nodeports"]).toBe("0");
    });

    it("the deployer may not write network policies, quotas or limit ranges, exec, impersonate or mint tokens (CiliumNetworkPolicies only through the guardrail's deny-only rule)", () => {
        const granted = tenantDeployerRules().flatMap((r) => r.apiGroups.flatMap((g) => r.resources.map((res) => ({ res: `${g}/${res}`, verbs: r.verbs }))));
        const writes = (res: string) => granted.filter((g) => g.res === res).some((g) => g.verbs.some((v) => !["get", "list", "watch"].includes(v)));
        expect(writes("cilium.io/ciliumnetworkpolicies")).toBe(true);
        const guardrail = guardrailPolicySpec() as any;
        expect(guardrail.matchConstraints.resourceRules.flatMap((r: any) => r.resources)).toContain("ciliumnetworkpolicies");
        for (const res of ["networking.k8s.io/networkpolicies", "/resourcequotas", "/limitranges", "/pods/exec", "/serviceaccounts/token"]) expect(writes(res)).toBe(false);
        expect(tenantDeployerRules().some((r) => r.verbs.includes("impersonate") || r.verbs.includes("*") || r.resources.includes("*"))).toBe(false);
    });

    it("rejects tenant args that would escape the tenant", () => {
        expect(() => validateTenantArgs({ tenant: "org-a", environment: "dev", namespaces: ["org-b"], quota: { cpu: "1", memory: "1Gi", pods: 1 }, principals: { admins: [] }, clusterName: "c" })).toThrow(
            'invalid Tenant args:\n  namespaces: "org-b" is not "org-a" or "org-a-<suffix>"\n  principals.admins: is empty (a tenant needs at least one admin)',
        );
    });
});

describe("tenant image policy", () => {
    // Reference grammar: distribution/reference v0.6.0 (a first component is a host only with "." or ":" or as localhost).
    it.each([
        ["ghcr.io/pr-cybr", undefined],
        ["123456789012.dkr.ecr.us-east-1.amazonaws.com/", undefined],
        ["localhost:5000/mirror", undefined],
        ["registry:5000", undefined],
        ["pr-cybr/apps", "not a registry prefix"],
        ["GHCR.io/pr-cybr", "not a registry prefix"],
        ["ghcr.io//pr-cybr", "not a registry prefix"],
        ["https://ghcr.io/pr-cybr", "not a registry prefix"],
    ])("%s as a registry prefix: %s", (entry, problem) => {
        const got = registryPrefixProblem(entry);
        if (problem === undefined) expect(got).toBeUndefined();
        else expect(got).toContain(problem);
    });

    it("matches on the prefix with its trailing slash, so a longer host or path is not the allowed one", () => {
        const spec = imagePolicySpec({ registries: ["ghcr.io/pr-cybr"], requireDigest: true }) as any;
        expect(spec.variables.find((v: any) => v.name === "prefixes").expression).toBe('["ghcr.io/pr-cybr/"]');
        expect(spec.validations.map((v: any) => v.reason)).toEqual(["Forbidden", "Invalid"]);
        expect(spec.matchConstraints.resourceRules[0].resources).toContain("pods/ephemeralcontainers");
        expect((imagePolicySpec({ registries: ["ghcr.io/pr-cybr/"], requireDigest: false }) as any).validations).toHaveLength(1);
    });

    it("refuses to build a policy that would allow nothing or a malformed prefix", () => {
        expect(() => imagePolicySpec({ registries: [], requireDigest: true })).toThrow("no registries (allow at least one registry prefix)");
        expect(() => imagePolicySpec({ registries: ["nginx"], requireDigest: true })).toThrow('"nginx" is not a registry prefix');
    });
});
