// k8s-isolation-dev / k8s-isolation-prod: each stack's objects applied to a real API server, then every
// tenant persona (as EKS presents it: its access entry's groups, its access policy as the equivalent
// ClusterRole at the association's scope) and every Argo CD deployer service account asked, with
// SubjectAccessReviews and with real impersonated dry-run requests, what it may do. Each may do what
// its persona promises; none may touch its guardrails (quota, limit range, network policies of either
// kind), bind or write more than it holds, touch admission policies, read another tenant's Secrets, or
// borrow the deployer's rights (a pod running as it, impersonation, a token).
import * as path from "path";
import { engine } from "../lib/env";
import { Identity, Kube } from "../lib/kube";
import { recordEngines, scenario } from "../lib/summary";
import { readPlan } from "./plan-objects";
import { applyPlan, untilAllowed, untilRefused } from "./tenant-setup";
import { ACCESS_POLICY_CLUSTER_ROLE, compliantPod, Deployer, eksUsername, tenantDeployers, tenantNamespaces, TenantPrincipal, tenantPrincipals } from "./tenant-identities";

const kube = Kube.admin();
afterAll(() => kube.close());
beforeAll(() => recordEngines(engine("kube").versions ?? {}));

type Attrs = { verb: string; resource: string; group?: string; subresource?: string; name?: string };
const core = (verb: string, resource: string, subresource?: string): Attrs => ({ verb, resource, subresource });
const grp = (group: string, verb: string, resource: string): Attrs => ({ verb, resource, group });

/** What each persona is promised in its own namespaces (docs/architecture.md "Personas", README tenancy row). */
const GUARDRAIL_READS = [core("get", "resourcequotas"), core("get", "limitranges"), grp("cilium.io", "list", "ciliumnetworkpolicies")];
const ES = "external-secrets.io";
const PROMISED: Record<string, Attrs[]> = {
    admins: [grp(ES, "create", "externalsecrets"), grp(ES, "get", "secretstores"), grp("apps", "create", "deployments"), core("create", "services"), core("get", "secrets"), grp("rbac.authorization.k8s.io", "create", "rolebindings"), core("get", "pods", "log"), ...GUARDRAIL_READS],
    developers: [grp(ES, "create", "externalsecrets"), grp(ES, "update", "externalsecrets"), grp("apps", "create", "deployments"), grp("apps", "update", "deployments"), core("create", "configmaps"), core("delete", "pods"), grp("batch", "create", "jobs"), core("get", "pods", "log"), ...GUARDRAIL_READS],
    viewers: [grp(ES, "get", "externalsecrets"), grp(ES, "list", "secretstores"), core("list", "pods"), grp("apps", "get", "deployments"), core("get", "pods", "log"), ...GUARDRAIL_READS],
    // What a tenant repository holds (examples/, the monitoring the platform scrapes): Argo CD applies,
    // diffs and prunes it as the deployer.
    deployer: [
        ...["create", "patch", "delete", "get", "list", "watch"].map((verb) => grp("apps", verb, "deployments")),
        core("create", "services"), core("create", "configmaps"), core("create", "secrets"), core("create", "serviceaccounts"), core("create", "persistentvolumeclaims"),
        grp("apps", "create", "statefulsets"), grp("batch", "create", "jobs"), grp("batch", "create", "cronjobs"),
        grp("networking.k8s.io", "create", "ingresses"), grp("autoscaling", "create", "horizontalpodautoscalers"), grp("policy", "create", "poddisruptionbudgets"),
        grp("rbac.authorization.k8s.io", "create", "roles"), grp("rbac.authorization.k8s.io", "create", "rolebindings"),
        grp("monitoring.coreos.com", "create", "servicemonitors"), grp("monitoring.coreos.com", "create", "podmonitors"), grp("monitoring.coreos.com", "create", "prometheusrules"),
        grp(ES, "create", "externalsecrets"), grp(ES, "patch", "externalsecrets"),
    ],
};
/** Refused to every actor in its own namespaces: the External Secrets kinds that choose credentials or write out. */
const SECRET_STORE_REFUSED: Attrs[] = [grp(ES, "create", "secretstores"), grp(ES, "update", "secretstores"), grp(ES, "delete", "secretstores"), grp(ES, "create", "pushsecrets"), grp("generators.external-secrets.io", "create", "stssessiontokens")];
/** Refused to a persona in its own namespaces (beyond the guardrails every actor is tried on). */
const REFUSED: Record<string, Attrs[]> = {
    admins: [],
    developers: [grp("rbac.authorization.k8s.io", "create", "rolebindings")],
    viewers: [grp("apps", "create", "deployments"), core("get", "secrets"), grp(ES, "create", "externalsecrets")],
    deployer: [core("create", "pods", "exec"), core("impersonate", "serviceaccounts"), core("create", "serviceaccounts", "token"), core("get", "pods", "log")],
};

interface Actor {
    label: string;
    persona: string;
    tenant: string;
    identity: Identity;
    namespaces: string[];
    holdsAdmin: boolean;
}

function actors(principals: TenantPrincipal[], deployers: Deployer[], namespaces: Map<string, string[]>): Actor[] {
    const out: Actor[] = [];
    const seen = new Set<string>();
    for (const p of principals) {
        if (seen.has(`${p.tenant}/${p.persona}`)) continue; // one principal per persona: they are bound alike
        seen.add(`${p.tenant}/${p.persona}`);
        out.push({ label: `${p.tenant} ${p.persona} (${p.identity.user})`, persona: p.persona, tenant: p.tenant, identity: p.identity, namespaces: namespaces.get(p.tenant)!, holdsAdmin: p.persona === "admins" });
    }
    for (const d of deployers) {
        const key = `${d.sa.namespace}/${d.sa.name}`;
        const existing = out.find((a) => a.label.endsWith(`deployer ${key}`));
        if (existing) existing.namespaces = [...new Set([...existing.namespaces, d.namespace])];
        else out.push({ label: `${d.tenant} deployer ${key}`, persona: "deployer", tenant: d.tenant, identity: d.identity, namespaces: [d.namespace], holdsAdmin: false });
    }
    return out;
}

const describeAttrs = (a: Attrs, ns: string) => `${a.verb} ${a.group ? `${a.group}/` : ""}${a.resource}${a.subresource ? `/${a.subresource}` : ""}${a.name ? ` ${a.name}` : ""} in ${ns}`;

for (const stack of ["dev", "prod"] as const) {
    scenario(`k8s-isolation-${stack}`, `${stack}: every tenant persona and deployer may do what it is promised and nothing that breaks isolation`, async () => {
        const plan = readPlan(path.join(process.env.PR_CYBR_SHARED_PLANS!, `${stack}.plan.json`));
        const started = Date.now();
        const applied = await applyPlan(kube, plan);
        const namespaces = tenantNamespaces(plan.resources);
        const everyone = actors(tenantPrincipals(plan.resources), tenantDeployers(plan.resources), namespaces);
        expect(everyone.filter((a) => a.persona === "deployer").length).toBeGreaterThan(0);
        expect(everyone.filter((a) => a.persona === "developers").length).toBeGreaterThan(0);

        // Wait for the guardrail admission policy, if any, to be in effect (an all-powerful identity in a tenant persona group).
        const firstNs = [...namespaces.values()][0][0];
        const probeNp = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "probe-ready", namespace: firstNs }, spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{}] } };
        await untilRefused(kube, { user: "probe", groups: ["system:masters", "pr-cybr:probe:admins"] }, probeNp);
        const probeEs = { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name: "probe-ready", namespace: firstNs }, spec: { secretStoreRef: { name: "probe-ready", kind: "ClusterSecretStore" }, target: { name: "probe-ready" } } };
        await untilRefused(kube, { user: "probe", groups: ["system:masters"] }, probeEs);

        const problems: string[] = [];
        // Admission, not only RBAC: an identity RBAC allows everything (as the EKS access policies are authorized
        // outside RBAC) but in a tenant persona group still writes no SecretStore or generator in a tenant namespace.
        const almighty = { user: "probe-eks-access-policy", groups: ["system:masters", `pr-cybr:${[...namespaces.keys()][0]}:admins`] };
        const platformStore = plan.resources.find((r) => r.inputs.kind === "SecretStore" && r.inputs.metadata.namespace === firstNs)!.inputs;
        for (const [what, obj] of [
            ["create SecretStore", { ...platformStore, metadata: { name: "probe-store", namespace: firstNs } }],
            ["create STSSessionToken", { apiVersion: "generators.external-secrets.io/v1alpha1", kind: "STSSessionToken", metadata: { name: "probe-sts", namespace: firstNs }, spec: { region: "us-east-1" } }],
        ] as const) {
            const r = await kube.impersonate(almighty).create(obj, true);
            if (r.status < 300) problems.push(`${almighty.user} (system:masters in a tenant persona group): ${what} in ${firstNs}: admitted (${r.status})`);
        }
        let reviews = 0;
        let requests = 0;
        const review = async (who: Actor, attrs: Attrs, namespace: string, want: boolean) => {
            reviews++;
            const allowed = await kube.can(who.identity, { ...attrs, namespace });
            if (allowed !== want) problems.push(`${who.label}: ${describeAttrs(attrs, namespace)}: ${allowed ? "allowed" : "denied"} (want ${want ? "allowed" : "denied"})`);
        };
        /** A real request as `who` (dry run): it must be refused, by authorization or by admission. */
        const refused = async (who: Actor, what: string, send: (k: Kube) => Promise<{ status: number; json: any; text: string }>) => {
            requests++;
            const r = await send(kube.impersonate(who.identity));
            if (r.status < 300) problems.push(`${who.label}: ${what}: admitted (${r.status})`);
        };
        const admitted = async (who: Actor, what: string, send: (k: Kube) => Promise<{ status: number; json: any; text: string }>) => {
            requests++;
            const r = await send(kube.impersonate(who.identity));
            if (r.status >= 300) problems.push(`${who.label}: ${what}: refused (${r.status} ${r.json?.message ?? r.text.slice(0, 200)})`);
        };
        const deployerSas = tenantDeployers(plan.resources);

        for (const who of everyone) {
            for (const ns of who.namespaces) {
                for (const a of PROMISED[who.persona] ?? []) await review(who, a, ns, true);
                for (const a of REFUSED[who.persona] ?? []) await review(who, a, ns, false);

                // Guardrails: quota, limit range, network policies of both APIs, never written by a tenant identity.
                const quota = { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "tenant-quota", namespace: ns }, spec: { hard: { "requests.cpu": "1000" } } };
                const limits = { apiVersion: "v1", kind: "LimitRange", metadata: { name: "tenant-limits", namespace: ns }, spec: { limits: [{ type: "Container", max: { cpu: "1000" } }] } };
                const cnp = { apiVersion: "cilium.io/v2", kind: "CiliumNetworkPolicy", metadata: { name: "tenant-default-deny", namespace: ns }, spec: { endpointSelector: {}, egress: [{ toEntities: ["world"] }] } };
                for (const obj of [quota, limits, cnp]) {
                    await refused(who, `create ${obj.kind} ${ns}/probe`, (k) => k.create({ ...obj, metadata: { ...obj.metadata, name: "probe" } }, true));
                    await refused(who, `patch ${obj.kind} ${ns}/${obj.metadata.name}`, (k) => k.apply(obj, { dryRun: true, fieldManager: "tenant" }));
                    await refused(who, `delete ${obj.kind} ${ns}/${obj.metadata.name}`, (k) => k.delete(obj, true));
                }
                const worldEgress = {
                    apiVersion: "networking.k8s.io/v1",
                    kind: "NetworkPolicy",
                    metadata: { name: "probe-allow-all", namespace: ns },
                    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [{}], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] },
                };
                await refused(who, `create NetworkPolicy ${ns}/probe-allow-all (world egress)`, (k) => k.create(worldEgress, true));

                // External Secrets: the platform's store only (issue 19 item 4).
                for (const a of SECRET_STORE_REFUSED) await review(who, a, ns, false);
                const store = plan.resources.find((r) => r.inputs.kind === "SecretStore" && r.inputs.metadata.namespace === ns)?.inputs;
                if (!store) problems.push(`${ns}: no platform SecretStore in the plan`);
                else {
                    const otherRole = plan.resources.find((r) => r.inputs.kind === "SecretStore" && r.inputs.metadata.labels?.["pr-cybr.io/tenant"] !== who.tenant)?.inputs.spec.provider.aws.role;
                    const hijacked = { ...store, spec: { provider: { aws: { ...store.spec.provider.aws, role: otherRole } } } };
                    await refused(who, `point SecretStore ${ns}/${store.metadata.name} at another tenant's role`, (k) => k.apply(hijacked, { dryRun: true, fieldManager: "tenant" }));
                    await refused(who, `create SecretStore ${ns}/probe-store`, (k) => k.create({ ...hijacked, metadata: { name: "probe-store", namespace: ns } }, true));
                    await refused(who, `delete SecretStore ${ns}/${store.metadata.name}`, (k) => k.delete(store, true));
                }
                const generator = { apiVersion: "generators.external-secrets.io/v1alpha1", kind: "STSSessionToken", metadata: { name: "probe-sts", namespace: ns }, spec: { region: "us-east-1", role: "arn:aws:iam::111111111111:role/any" } };
                await refused(who, `create STSSessionToken ${ns}/probe-sts (a generator with its own role)`, (k) => k.create(generator, true));
                const externalSecret = (name: string, spec: Record<string, unknown>) => ({ apiVersion: `${ES}/v1`, kind: "ExternalSecret", metadata: { name, namespace: ns }, spec: { refreshInterval: "1h", target: { name }, ...spec } });
                const key = `pr-cybr/${stack}/tenants/${who.tenant}/database`;
                const fromOurs = { secretStoreRef: { name: "tenant-secrets", kind: "SecretStore" }, data: [{ secretKey: "password", remoteRef: { key } }] };
                if (who.persona !== "viewers") await admitted(who, `create ExternalSecret ${ns}/app-db from the platform's store`, (k) => k.create(externalSecret("app-db", fromOurs), true));
                const lookalikes: [string, Record<string, unknown>][] = [
                    ["a ClusterSecretStore named like the platform's store", { ...fromOurs, secretStoreRef: { name: "tenant-secrets", kind: "ClusterSecretStore" } }],
                    ["another SecretStore", { ...fromOurs, secretStoreRef: { name: "probe-store" } }],
                    ["the platform's store on top, a ClusterSecretStore in one entry", { ...fromOurs, data: [...fromOurs.data, { secretKey: "other", remoteRef: { key }, sourceRef: { storeRef: { name: "shared", kind: "ClusterSecretStore" } } }] }],
                    ["the platform's store on top, a generator in dataFrom", { ...fromOurs, dataFrom: [{ sourceRef: { generatorRef: { apiVersion: "generators.external-secrets.io/v1alpha1", kind: "STSSessionToken", name: "probe-sts" } } }] }],
                    ["no top-level store, another store in dataFrom", { data: undefined, dataFrom: [{ extract: { key }, sourceRef: { storeRef: { name: "probe-store" } } }] }],
                ];
                for (const [what, spec] of lookalikes) await refused(who, `create ExternalSecret ${ns}/probe-es from ${what}`, (k) => k.create(externalSecret("probe-es", JSON.parse(JSON.stringify(spec))), true));

                // RBAC escalation prevention: never bind or write more than one holds.
                const bind = (role: string) => ({
                    apiVersion: "rbac.authorization.k8s.io/v1",
                    kind: "RoleBinding",
                    metadata: { name: `probe-${role}`, namespace: ns },
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
                    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:authenticated" }],
                });
                await refused(who, `bind cluster-admin in ${ns}`, (k) => k.create(bind("cluster-admin"), true));
                if (who.holdsAdmin) await admitted(who, `bind admin in ${ns} (holds it)`, (k) => k.create(bind("admin"), true));
                else await refused(who, `bind admin in ${ns}`, (k) => k.create(bind("admin"), true));
                const everything = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "probe-everything", namespace: ns }, rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] };
                await refused(who, `create Role ${ns}/probe-everything (*/*)`, (k) => k.create(everything, true));
                // The platform's Roles grow only within what the writer holds (quotas: nobody of the tenant).
                for (const role of plan.resources.filter((r) => r.inputs.kind === "Role" && r.inputs.metadata.namespace === ns).map((r) => r.inputs)) {
                    const widened = { ...role, rules: [...role.rules, { apiGroups: [""], resources: ["resourcequotas"], verbs: ["create", "update", "delete"] }] };
                    await refused(who, `widen Role ${ns}/${role.metadata.name} to write quotas`, (k) => k.apply(widened, { dryRun: true, fieldManager: "tenant" }));
                }

                // What a tenant repository holds, applied as Argo CD applies it (as the deployer): admitted.
                if (who.persona === "deployer") {
                    const pod = compliantPod(ns, "x", {}, stack);
                    const app = [
                        { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "app", namespace: ns }, spec: { selector: { matchLabels: { app: "app" } }, template: { metadata: { labels: { app: "app" } }, spec: pod.spec } } },
                        { apiVersion: "v1", kind: "Service", metadata: { name: "app", namespace: ns }, spec: { selector: { app: "app" }, ports: [{ port: 8080 }] } },
                        { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "app", namespace: ns }, data: { "config.yaml": "x: 1" } },
                        { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "app", namespace: ns }, rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }] },
                        { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "app", namespace: ns }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "tenant-deployer" }, subjects: [{ kind: "ServiceAccount", name: "default", namespace: ns }] },
                        { apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor", metadata: { name: "app", namespace: ns }, spec: { selector: { matchLabels: { app: "app" } }, endpoints: [{ port: "http" }] } },
                        { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: { name: "app", namespace: ns }, spec: { groups: [{ name: "app", rules: [{ alert: "AppDown", expr: "up == 0" }] }] } },
                    ];
                    for (const obj of app) await admitted(who, `apply ${obj.kind} ${ns}/${obj.metadata.name}`, (k) => k.apply(obj, { dryRun: true, fieldManager: "argocd-controller" }));
                }

                // Borrowing the deployer: a pod running as it, impersonating it, a token for it.
                if (who.persona !== "deployer") {
                    for (const d of deployerSas.filter((x) => x.tenant === who.tenant)) {
                        await refused(who, `run a pod in ${ns} as ${d.sa.namespace}/${d.sa.name}`, (k) => k.create(compliantPod(ns, "probe-borrow", { serviceAccountName: d.sa.name }, stack), true));
                        if (d.sa.namespace !== ns) await refused(who, `run a pod in ${d.sa.namespace} as ${d.sa.name}`, (k) => k.create(compliantPod(d.sa.namespace, "probe-borrow", { serviceAccountName: d.sa.name }, stack), true));
                        await review(who, { ...core("impersonate", "serviceaccounts"), name: d.sa.name }, d.sa.namespace, false);
                        await review(who, { ...core("create", "serviceaccounts", "token"), name: d.sa.name }, d.sa.namespace, false);
                    }
                }
            }

            // Cluster-wide: admission policies and their bindings are the platform's.
            await review(who, grp("admissionregistration.k8s.io", "create", "validatingadmissionpolicies"), "", false);
            await review(who, grp("admissionregistration.k8s.io", "delete", "validatingadmissionpolicybindings"), "", false);
            await review(who, grp("cilium.io", "create", "ciliumclusterwidenetworkpolicies"), "", false);
            await review(who, grp(ES, "create", "clustersecretstores"), "", false);
            await review(who, grp(ES, "create", "clusterexternalsecrets"), "", false);
            await refused(who, "delete ValidatingAdmissionPolicyBinding pr-cybr-tenant-workloads", (k) =>
                k.delete({ apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicyBinding", metadata: { name: "pr-cybr-tenant-workloads" } }, true),
            );

            // Other tenants: no Secrets, no pods.
            for (const [other, otherNamespaces] of namespaces) {
                if (other === who.tenant) continue;
                const ns = otherNamespaces[0];
                await review(who, core("get", "secrets"), ns, false);
                await review(who, core("list", "secrets"), ns, false);
                await review(who, core("create", "pods"), ns, false);
                await refused(who, `list Secrets of ${other} in ${ns}`, (k) => k.request("GET", `/api/v1/namespaces/${ns}/secrets`));
            }
        }
        console.log(`k8s-isolation-${stack}: ${applied} objects applied, ${everyone.length} actors, ${reviews} SubjectAccessReviews, ${requests} impersonated requests, ${((Date.now() - started) / 1000).toFixed(1)} s, ${problems.length} problems`);
        expect(problems).toEqual([]);
    }, undefined, { partOf: "k8s-isolation" });
}

scenario("k8s-isolation-platform-control", "the guardrail policy leaves the platform in control: its admins change guardrails, the namespace controller deletes them with their namespace", async () => {
    const plan = readPlan(path.join(process.env.PR_CYBR_SHARED_PLANS!, "prod.plan.json"));
    await applyPlan(kube, plan);
    // A platform admin as EKS presents it: no groups of ours, AmazonEKSClusterAdminPolicy (cluster-admin) at cluster scope.
    const assoc = plan.resources.find((r) => r.type === "aws:eks/accessPolicyAssociation:AccessPolicyAssociation" && r.inputs.accessScope.type === "cluster")!;
    expect(String(assoc.inputs.policyArn)).toMatch(/AmazonEKSClusterAdminPolicy$/);
    const admin = { user: eksUsername(assoc.inputs.principalArn), groups: ["system:authenticated"] };
    const emulation = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: "eks-access-policy-platform-admin" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: ACCESS_POLICY_CLUSTER_ROLE.AmazonEKSClusterAdminPolicy }, subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: admin.user }] };
    expect((await kube.apply(emulation)).status).toBeLessThan(300);
    const [tenant, namespaces] = [...tenantNamespaces(plan.resources)][0];
    const ns = namespaces[0];
    const problems: string[] = [];
    await untilAllowed(kube, admin, { verb: "patch", group: "cilium.io", resource: "ciliumnetworkpolicies", namespace: ns });
    const asAdmin = kube.impersonate(admin);
    for (const obj of plan.resources.filter((r) => ["ResourceQuota", "LimitRange", "CiliumNetworkPolicy"].includes(r.inputs.kind) && r.inputs.metadata.namespace === ns).map((r) => r.inputs)) {
        const r = await asAdmin.apply(obj, { dryRun: true });
        if (r.status >= 300) problems.push(`platform admin: apply ${obj.kind} ${ns}/${obj.metadata.name}: ${r.status} ${r.json?.message}`);
    }
    // A tenant-labelled namespace holding every guardrail kind goes away with its objects.
    const doomed = `${tenant}-doomed`;
    const objects = [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: doomed, labels: { "pr-cybr.io/tenant": tenant } } },
        { apiVersion: "v1", kind: "ResourceQuota", metadata: { name: "q", namespace: doomed }, spec: { hard: { pods: "1" } } },
        { apiVersion: "v1", kind: "LimitRange", metadata: { name: "l", namespace: doomed }, spec: { limits: [{ type: "Container", max: { cpu: "1" } }] } },
        { apiVersion: "cilium.io/v2", kind: "CiliumNetworkPolicy", metadata: { name: "c", namespace: doomed }, spec: { endpointSelector: {}, egress: [{}] } },
        { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "n", namespace: doomed }, spec: { podSelector: {}, policyTypes: ["Egress"] } },
    ];
    for (const obj of objects) {
        const r = await asAdmin.apply(obj);
        if (r.status >= 300) problems.push(`platform admin: create ${obj.kind} ${doomed}/${obj.metadata.name}: ${r.status} ${r.json?.message}`);
    }
    expect((await asAdmin.delete(objects[0])).status).toBeLessThan(300);
    const deadline = Date.now() + 60000;
    let status = 200;
    while (status !== 404 && Date.now() < deadline) {
        await new Promise((res) => setTimeout(res, 500));
        status = (await kube.get(objects[0])).status;
    }
    if (status !== 404) problems.push(`namespace ${doomed} still there after 60 s: ${JSON.stringify((await kube.get(objects[0])).json?.status)}`);
    expect(problems).toEqual([]);
}, undefined, { partOf: "k8s-isolation" });
