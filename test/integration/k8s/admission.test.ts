// k8s-admission-*: what the real admission chain (EKS's plugins, the plan's ValidatingAdmissionPolicies,
// the plan's quotas and limit ranges) does to what tenants deploy. prod's objects are applied (it has a
// tenant allowed one load balancer and tenants allowed none); requests are made as a tenant developer (an admin where a tenant has none).
import * as path from "path";
import { engine } from "../lib/env";
import { Kube, KubeResponse } from "../lib/kube";
import { recordEngines, scenario } from "../lib/summary";
import { PlanResource, readPlan } from "./plan-objects";
import { compliantPod, TENANT_IMAGE, tenantDeployers, tenantNamespaces, tenantPrincipals } from "./tenant-identities";
import { applyPlan, untilRefused } from "./tenant-setup";

const kube = Kube.admin();
let plan: { resources: PlanResource[] };
let developerOf: (tenant: string) => Kube;
const msg = (r: KubeResponse) => `${r.status} ${r.json?.message ?? r.text.slice(0, 300)}`;

beforeAll(async () => {
    recordEngines(engine("kube").versions ?? {});
    plan = readPlan(path.join(process.env.PR_CYBR_SHARED_PLANS!, "prod.plan.json"));
    await applyPlan(kube, plan);
    const principals = tenantPrincipals(plan.resources);
    // A tenant without developers deploys through its admins.
    developerOf = (tenant) => kube.impersonate((principals.find((p) => p.tenant === tenant && p.persona === "developers") ?? principals.find((p) => p.tenant === tenant && p.persona === "admins")!).identity);
});
afterAll(() => kube.close());

const planObjects = (kind: string) => plan.resources.filter((r) => r.type.endsWith(`:${kind}`)).map((r) => r.inputs);
/** Argo CD's deployer for a tenant namespace (the service account its AppProject impersonates there). */
const tenantDeployersOf = (ns: string) => kube.impersonate(tenantDeployers(plan.resources).find((d) => d.namespace === ns)!.identity);
const tenantOf = (ns: string) => [...tenantNamespaces(plan.resources)].find(([, nss]) => nss.includes(ns))![0];

scenario("k8s-admission-limitrange-defaults", "a tenant pod without resources gets its namespace's LimitRange defaults and is admitted", async () => {
    const problems: string[] = [];
    for (const lr of planObjects("LimitRange")) {
        const ns = lr.metadata.namespace;
        const container = lr.spec.limits.find((l: any) => l.type === "Container");
        const pod = compliantPod(ns, "no-resources");
        delete pod.spec.containers[0].resources;
        const r = await developerOf(tenantOf(ns)).create(pod, true);
        if (r.status !== 201) {
            problems.push(`${ns}: pod without resources refused: ${msg(r)}`);
            continue;
        }
        const got = r.json.spec.containers[0].resources;
        const want = { limits: container.default, requests: container.defaultRequest };
        if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${ns}: resources ${JSON.stringify(got)}, want the LimitRange defaults ${JSON.stringify(want)}`);
    }
    expect(planObjects("LimitRange").length).toBeGreaterThan(0);
    expect(problems).toEqual([]);
}, undefined, { partOf: "k8s-admission" });

scenario("k8s-admission-pod-security", "tenant namespaces enforce Pod Security restricted: a privileged pod and a root-capable pod are refused by PodSecurity", async () => {
    const problems: string[] = [];
    for (const ns of [...tenantNamespaces(plan.resources).values()].flat()) {
        const labels = (await kube.request("GET", `/api/v1/namespaces/${ns}`)).json.metadata.labels;
        if (labels["pod-security.kubernetes.io/enforce"] !== "restricted") problems.push(`${ns}: enforce label ${labels["pod-security.kubernetes.io/enforce"]}`);
        const privileged = compliantPod(ns, "privileged");
        privileged.spec.containers[0].securityContext = { privileged: true };
        const mayRunAsRoot = compliantPod(ns, "may-run-as-root");
        delete mayRunAsRoot.spec.securityContext.runAsNonRoot;
        delete mayRunAsRoot.spec.securityContext.runAsUser;
        for (const pod of [privileged, mayRunAsRoot]) {
            const r = await developerOf(tenantOf(ns)).create(pod, true);
            if (r.status !== 403 || !String(r.json?.message).includes('violates PodSecurity "restricted:latest"')) problems.push(`${ns}/${pod.metadata.name}: ${msg(r)} (want PodSecurity restricted to refuse it)`);
        }
        const ok = await developerOf(tenantOf(ns)).create(compliantPod(ns, "compliant"), true);
        if (ok.status !== 201) problems.push(`${ns}: compliant pod refused: ${msg(ok)}`);
    }
    expect(problems).toEqual([]);
}, undefined, { partOf: "k8s-admission" });

/** Every workload kind the policy matches, wrapping a pod spec the way the kind holds it. */
function workloads(ns: string, spec: any): any[] {
    const meta = (kind: string) => ({ name: `probe-${kind.toLowerCase()}`, namespace: ns });
    const template = { metadata: { labels: { app: "probe" } }, spec };
    const selector = { matchLabels: { app: "probe" } };
    return [
        { apiVersion: "v1", kind: "Pod", metadata: meta("Pod"), spec },
        { apiVersion: "apps/v1", kind: "Deployment", metadata: meta("Deployment"), spec: { selector, template } },
        { apiVersion: "apps/v1", kind: "StatefulSet", metadata: meta("StatefulSet"), spec: { selector, serviceName: "probe", template } },
        { apiVersion: "apps/v1", kind: "DaemonSet", metadata: meta("DaemonSet"), spec: { selector, template } },
        { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: meta("ReplicaSet"), spec: { selector, template } },
        { apiVersion: "batch/v1", kind: "Job", metadata: meta("Job"), spec: { template: { spec: { ...spec, restartPolicy: "Never" } } } },
        { apiVersion: "batch/v1", kind: "CronJob", metadata: meta("CronJob"), spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: { spec: { ...spec, restartPolicy: "Never" } } } } } },
    ];
}

scenario("k8s-admission-workload-policy", "the tenant workload policy refuses each violation it names, in pods and every workload template, and admits a compliant workload", async () => {
    const policy = planObjects("ValidatingAdmissionPolicy").find((p) => p.metadata.name === "pr-cybr-tenant-workloads");
    const messages: string[] = policy.spec.validations.map((v: any) => v.message);
    // A tenant-labelled namespace without Pod Security labels, so that the policy alone decides.
    const ns = "probe-workloads";
    const created = await kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels: { "pr-cybr.io/tenant": "probe" } } });
    expect(created.status).toBeLessThan(300);
    const privileged = compliantPod(ns, "probe-ready");
    privileged.spec.containers[0].securityContext = { privileged: true };
    await untilRefused(kube, { user: "probe", groups: ["system:masters"] }, privileged);

    const base = compliantPod(ns, "x").spec;
    const withContainer = (patch: any) => ({ ...base, containers: [{ ...base.containers[0], ...patch }] });
    const violations: [string, any][] = [
        [messages[0], withContainer({ securityContext: { privileged: true } })],
        [messages[0], { ...base, initContainers: [{ ...base.containers[0], name: "init", securityContext: { privileged: true } }] }],
        [messages[1], { ...base, hostNetwork: true }],
        [messages[1], { ...base, hostPID: true }],
        [messages[1], { ...base, hostIPC: true }],
        [messages[2], { ...base, volumes: [{ name: "host", hostPath: { path: "/var/run" } }] }],
        [messages[3], withContainer({ resources: undefined })],
        [messages[3], withContainer({ resources: { requests: { cpu: "10m", memory: "16Mi" } } })],
        [messages[3], withContainer({ resources: { limits: { memory: "16Mi" } } })],
    ];
    const problems: string[] = [];
    let asked = 0;
    for (const [message, spec] of violations) {
        for (const obj of workloads(ns, JSON.parse(JSON.stringify(spec)))) {
            asked++;
            const r = await kube.create(obj, true);
            if (r.status < 400 || !String(r.json?.message).includes(message)) problems.push(`${obj.kind} ${JSON.stringify(spec).slice(0, 120)}: ${msg(r)} (want "${message}")`);
        }
    }
    for (const obj of workloads(ns, base)) {
        asked++;
        const r = await kube.create(obj, true);
        if (r.status !== 201) problems.push(`compliant ${obj.kind} refused: ${msg(r)}`);
    }
    console.log(`k8s-admission-workload-policy: ${asked} dry-run workloads, ${messages.length} validations`);
    expect(messages).toHaveLength(4);
    expect(problems).toEqual([]);
}, undefined, { partOf: "k8s-admission" });

/**
 * A LoadBalancer Service as the AWS Load Balancer Controller provisions it without node ports: its class
 * `service.k8s.aws/nlb` (v3.5.0 pkg/service/service_utils.go IsServiceSupported: a Service with another
 * class is not its; the in-tree provider skips any Service with a class), NLB IP targets
 * (`aws-load-balancer-nlb-target-type: ip`) and `allocateLoadBalancerNodePorts: false` (v3.5.0
 * pkg/service/model_build_target_group.go: only instance targets need a node port, "unable to support
 * instance target type with an unallocated NodePort"). `lbClass: null` leaves the class out.
 */
function loadBalancer(ns: string, name: string, opts: { allocateNodePorts?: boolean; targetType?: string; lbClass?: string | null; scheme?: string | null } = {}): any {
    const lbClass = opts.lbClass === undefined ? "service.k8s.aws/nlb" : opts.lbClass;
    // Internet-facing: tenant pods admit load balancers from the public subnets only (the controller's default is internal).
    const scheme = opts.scheme === undefined ? "internet-facing" : opts.scheme;
    const annotations: Record<string, string> = {
        ...(opts.targetType ? { "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": opts.targetType } : {}),
        ...(scheme === null ? {} : { "service.beta.kubernetes.io/aws-load-balancer-scheme": scheme }),
    };
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, namespace: ns, annotations },
        spec: {
            type: "LoadBalancer",
            selector: { app: name },
            ports: [{ port: 443, targetPort: 8443 }],
            ...(lbClass === null ? {} : { loadBalancerClass: lbClass }),
            ...(opts.allocateNodePorts === undefined ? {} : { allocateLoadBalancerNodePorts: opts.allocateNodePorts }),
        },
    };
}

/** Quota admission counts from the quota's status; after a rerun's deletions the controller must catch up first. */
async function untilNoLoadBalancersUsed(ns: string): Promise<void> {
    const deadline = Date.now() + 30000;
    for (;;) {
        const q = (await kube.request("GET", `/api/v1/namespaces/${ns}/resourcequotas/tenant-quota`)).json;
        if ((q?.status?.used?.["services.loadbalancers"] ?? "0") === "0") return;
        if (Date.now() > deadline) throw new Error(`${ns}: the quota still counts ${q.status.used["services.loadbalancers"]} load balancers after 30 s`);
        await new Promise((res) => setTimeout(res, 200));
    }
}

scenario("k8s-admission-load-balancers", "a LoadBalancer Service the AWS Load Balancer Controller can provision is admitted exactly as often as the tenant's allowance permits", async () => {
    const problems: string[] = [];
    const quotas = planObjects("ResourceQuota");
    const allowance = (ns: string) => Number(quotas.find((q) => q.metadata.namespace === ns).spec.hard["services.loadbalancers"]);
    const allowed = quotas.map((q) => q.metadata.namespace).filter((ns) => allowance(ns) > 0);
    const none = quotas.map((q) => q.metadata.namespace).filter((ns) => allowance(ns) === 0);
    expect(allowed.length).toBeGreaterThan(0);
    expect(none.length).toBeGreaterThan(0);
    await untilRefused(kube, { user: "probe", groups: ["system:masters"] }, loadBalancer(allowed[0], "probe-ready", { allocateNodePorts: false }));

    for (const ns of [...allowed, none[0]]) {
        await untilNoLoadBalancersUsed(ns);
        const dev = developerOf(tenantOf(ns));
        const created: any[] = [];
        for (let i = 0; i <= allowance(ns); i++) {
            const svc = loadBalancer(ns, `lb-${i}`, { allocateNodePorts: false, targetType: "ip" });
            const r = await dev.create(svc);
            const want = i < allowance(ns);
            if (r.status === 201) created.push(svc);
            if (want && r.status !== 201) problems.push(`${ns} (allowance ${allowance(ns)}): load balancer ${i + 1} refused: ${msg(r)}`);
            if (!want && (r.status !== 403 || !String(r.json?.message).includes("services.loadbalancers"))) problems.push(`${ns} (allowance ${allowance(ns)}): load balancer ${i + 1}: ${msg(r)} (want the quota's services.loadbalancers to refuse it)`);
        }
        for (const svc of created) await kube.delete(svc);
    }

    // What the controller cannot provision without node ports, or what would open node ports, is refused
    // with the reason (not the quota's bare "services.nodeports"), even where load balancers are allowed.
    const ns = allowed[0];
    for (const [what, svc] of [
        ["node ports allocated (the default)", loadBalancer(ns, "lb-default", { targetType: "ip" })],
        ["instance targets (the controller's default target type)", loadBalancer(ns, "lb-instance", { allocateNodePorts: false })],
        ["explicit instance targets", loadBalancer(ns, "lb-instance", { allocateNodePorts: false, targetType: "instance" })],
        ["no class (the in-tree cloud provider's Classic ELB on node ports)", loadBalancer(ns, "lb-in-tree", { allocateNodePorts: false, targetType: "ip", lbClass: null })],
        ["another controller's class", loadBalancer(ns, "lb-other", { allocateNodePorts: false, targetType: "ip", lbClass: "example.com/other-lb" })],
        ["the class spelled with different case", loadBalancer(ns, "lb-case", { allocateNodePorts: false, targetType: "ip", lbClass: "service.k8s.aws/NLB" })],
        ["no scheme (the controller's default, internal: in the private subnets, which tenant pods do not admit)", loadBalancer(ns, "lb-internal", { allocateNodePorts: false, targetType: "ip", scheme: null })],
        ["an internal scheme", loadBalancer(ns, "lb-internal", { allocateNodePorts: false, targetType: "ip", scheme: "internal" })],
        ["the scheme spelled with different case", loadBalancer(ns, "lb-scheme-case", { allocateNodePorts: false, targetType: "ip", scheme: "Internet-Facing" })],
    ] as const) {
        const r = await developerOf(tenantOf(ns)).create(svc, true);
        if (r.status < 400 || !/allocateLoadBalancerNodePorts|nlb-target-type|loadBalancerClass|aws-load-balancer-scheme/.test(String(r.json?.message))) problems.push(`${ns}: ${what}: ${msg(r)} (want a refusal naming what to set)`);
    }
    // The class is the controller's for good: Kubernetes refuses changing it (ValidateServiceUpdate).
    const owned = loadBalancer(ns, "lb-move", { allocateNodePorts: false, targetType: "ip" });
    await untilNoLoadBalancersUsed(ns);
    const created = await developerOf(tenantOf(ns)).create(owned);
    if (created.status !== 201) problems.push(`${ns}: compliant load balancer refused: ${msg(created)}`);
    else {
        const moved = await developerOf(tenantOf(ns)).request("PATCH", `/api/v1/namespaces/${ns}/services/lb-move`, { spec: { loadBalancerClass: "example.com/other-lb" } }, "application/merge-patch+json");
        if (moved.status < 400) problems.push(`${ns}: a tenant moved its load balancer to another class: ${msg(moved)}`);
        await kube.delete(owned);
    }
    // Ingresses are ALBs: as many as the allowance, one each (no IngressGroup), and no more.
    const alb = (name: string, annotations: Record<string, string> = {}) => ({
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: { name, namespace: ns, annotations },
        spec: { ingressClassName: "alb", defaultBackend: { service: { name: "web", port: { number: 80 } } } },
    });
    const grouped = await developerOf(tenantOf(ns)).create(alb("grouped", { "alb.ingress.kubernetes.io/group.name": "shared" }), true);
    if (grouped.status < 400 || !String(grouped.json?.message).includes("IngressGroup")) problems.push(`${ns}: an Ingress joining an IngressGroup: ${msg(grouped)} (want refused)`);
    const albs: any[] = [];
    for (let i = 0; i <= allowance(ns); i++) {
        const r = await developerOf(tenantOf(ns)).create(alb(`alb-${i}`));
        if (r.status === 201) albs.push(alb(`alb-${i}`));
        if (i < allowance(ns) && r.status !== 201) problems.push(`${ns}: ALB ${i + 1} of ${allowance(ns)} refused: ${msg(r)}`);
        if (i === allowance(ns) && (r.status !== 403 || !String(r.json?.message).includes("count/ingresses.networking.k8s.io"))) problems.push(`${ns}: ALB ${i + 1} past the allowance: ${msg(r)} (want the quota to refuse it)`);
    }
    for (const a of albs) await kube.delete(a);
    const nodePort = { apiVersion: "v1", kind: "Service", metadata: { name: "np", namespace: ns }, spec: { type: "NodePort", selector: { app: "np" }, ports: [{ port: 80 }] } };
    const r = await developerOf(tenantOf(ns)).create(nodePort, true);
    if (r.status < 400) problems.push(`${ns}: NodePort Service admitted`);
    expect(problems).toEqual([]);
}, undefined, { partOf: "k8s-admission" });

const pvc = (ns: string, name: string, storage: string) => ({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name, namespace: ns }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage } } } });

scenario("k8s-admission-storage", "a tenant PVC without a class gets the default encrypted gp3 class and is admitted within its quota; past it, refused by requests.storage", async () => {
    const problems: string[] = [];
    const classes = planObjects("StorageClass");
    const defaults = classes.filter((c) => c.metadata.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true");
    expect(defaults).toHaveLength(1);
    const quotas = planObjects("ResourceQuota");
    const withStorage = quotas.filter((q) => q.spec.hard["requests.storage"] !== "0");
    const without = quotas.filter((q) => q.spec.hard["requests.storage"] === "0");
    expect(withStorage.length).toBeGreaterThan(0);
    for (const q of withStorage) {
        const ns = q.metadata.namespace;
        const dev = developerOf(tenantOf(ns));
        const claim = pvc(ns, "data", "1Gi");
        const r = await dev.create(claim);
        if (r.status !== 201) {
            problems.push(`${ns}: a 1Gi PVC with the default class refused: ${msg(r)}`);
            continue;
        }
        // The DefaultStorageClass admission plugin names the class; WaitForFirstConsumer leaves it Pending.
        if (r.json.spec.storageClassName !== defaults[0].metadata.name) problems.push(`${ns}: PVC got class ${r.json.spec.storageClassName}, want ${defaults[0].metadata.name}`);
        const over = await dev.create(pvc(ns, "too-big", q.spec.hard["requests.storage"]), true);
        if (over.status !== 403 || !String(over.json?.message).includes("requests.storage")) problems.push(`${ns}: a PVC past the quota's requests.storage: ${msg(over)} (want the quota to refuse it)`);
        await kube.delete(claim);
    }
    for (const q of without) {
        const ns = q.metadata.namespace;
        const r = await developerOf(tenantOf(ns)).create(pvc(ns, "none", "1Gi"), true);
        if (r.status !== 403) problems.push(`${ns} (no storage quota): a PVC was not refused: ${msg(r)}`);
    }
    expect(problems).toEqual([]);
}, undefined, { partOf: "k8s-admission" });

scenario("k8s-admission-image-registries", "tenant images come only from the allowed registries, pinned by digest: in pods, init and ephemeral containers and every workload template, whatever the reference looks like", async () => {
    const policy = planObjects("ValidatingAdmissionPolicy").find((p) => p.metadata.name === "pr-cybr-tenant-images");
    expect(policy).toBeDefined();
    const ns = "org-a";
    const dev = developerOf(tenantOf(ns));
    const digest = TENANT_IMAGE.slice(TENANT_IMAGE.indexOf("@"));
    const registry = TENANT_IMAGE.slice(0, TENANT_IMAGE.indexOf("/"));
    const host = registry.replace(/^\d{12}/, "");
    const account = registry.slice(0, 12);
    await untilRefused(kube, { user: "probe", groups: ["system:masters"] }, compliantPod(ns, "probe-ready", { containers: [{ ...compliantPod(ns, "x").spec.containers[0], image: "nginx" }] }));
    const refused: [string, string][] = [
        ["a short name (Docker Hub)", "nginx"],
        ["Docker Hub, fully qualified and pinned", `docker.io/library/nginx${digest}`],
        ["the allowed host as a prefix of another host", `${registry}.evil.example/app${digest}`],
        ["the allowed host with a port", `${registry}:443/app${digest}`],
        ["another account's ECR", `${String((Number(account) + 1) % 1e12).padStart(12, "0")}${host}/app${digest}`],
        ["the allowed host in upper case", `${registry.toUpperCase()}/app${digest}`],
        ["the allowed host as a path under another registry", `evil.example/${registry}/app${digest}`],
        ["a tag instead of a digest", `${registry}/app:1.0.0`],
        ["a tag that looks like a digest", `${registry}/app:sha256-${"a".repeat(64)}`],
        ["a short digest", `${registry}/app@sha256:${"a".repeat(63)}`],
    ];
    const container = compliantPod(ns, "x").spec.containers[0];
    const problems: string[] = [];
    for (const [what, image] of refused) {
        for (const spec of [
            { containers: [{ ...container, image }] },
            { initContainers: [{ ...container, name: "init", image }] },
        ]) {
            for (const obj of workloads(ns, { ...compliantPod(ns, "x").spec, ...spec })) {
                const r = await dev.create(obj, true);
                if (r.status < 400 || !/allowed registry|pinned by digest/.test(String(r.json?.message))) problems.push(`${what} (${image}) in ${obj.kind} ${Object.keys(spec)[0]}: ${msg(r)} (want the image policy to refuse it)`);
            }
        }
    }
    // `kubectl debug` adds an ephemeral container to a running pod through the pods/ephemeralcontainers
    // subresource (tenant personas hold no right to it; whoever does is checked all the same).
    const pod = compliantPod(ns, "image-probe");
    await kube.delete(pod);
    const created = await dev.create(pod);
    expect(msg(created)).toMatch(/^201/);
    for (const [what, image] of [["Docker Hub", "busybox"], ["allowed and pinned", TENANT_IMAGE]] as const) {
        const debug = { ...created.json, spec: { ...created.json.spec, ephemeralContainers: [{ name: "debug", image, targetContainerName: "app", securityContext: container.securityContext }] } };
        const r = await kube.request("PUT", `/api/v1/namespaces/${ns}/pods/image-probe/ephemeralcontainers?dryRun=All`, debug);
        const want = image === TENANT_IMAGE ? 200 : 403;
        if (r.status !== want || (want === 403 && !String(r.json?.message).includes("allowed registry"))) problems.push(`an ephemeral container from ${what} (${image}): ${msg(r)} (want ${want})`);
    }
    await kube.delete(pod);
    for (const obj of workloads(ns, compliantPod(ns, "x").spec)) {
        const r = await dev.create(obj, true);
        if (r.status !== 201) problems.push(`compliant ${obj.kind} with ${TENANT_IMAGE} refused: ${msg(r)}`);
    }
    expect(problems).toEqual([]);
}, undefined, { partOf: "k8s-admission" });

scenario("k8s-admission-tenant-network-policies", "a tenant's deployer syncs CiliumNetworkPolicies that only deny (narrowing the platform's); allow rules, enableDefaultDeny, nodeSelector and the platform's own policy are refused", async () => {
    const ns = "org-a";
    const deployer = tenantDeployersOf(ns);
    const cnp = (name: string, spec: any, extra: any = {}) => ({ apiVersion: "cilium.io/v2", kind: "CiliumNetworkPolicy", metadata: { name, namespace: ns }, spec, ...extra });
    const app = { matchLabels: { "app.kubernetes.io/name": "asset-injector" } };
    await untilRefused(kube, { user: "system:serviceaccount:argocd:probe", groups: ["system:masters", "system:serviceaccounts"] }, cnp("probe-ready", { endpointSelector: {}, egress: [{ toEntities: ["world"] }] }));
    const narrowing = [
        cnp("only-ingress-from-the-load-balancer", { endpointSelector: app, ingressDeny: [{ fromEndpoints: [{ matchExpressions: [{ key: "app.kubernetes.io/name", operator: "NotIn", values: ["asset-injector"] }] }] }] }),
        cnp("no-egress-to-the-namespace", { endpointSelector: app, egressDeny: [{ toEndpoints: [{}] }], description: "the service calls nothing in its namespace" }),
        cnp("several-rules", undefined, { specs: [{ endpointSelector: app, ingressDeny: [{ fromEntities: ["cluster"] }] }, { endpointSelector: app, egressDeny: [{ toEntities: ["world"] }] }] }),
    ];
    const widening: [string, any][] = [
        ["an allow rule", cnp("probe-allow", { endpointSelector: app, egress: [{ toEntities: ["world"] }] })],
        ["an ingress allow next to deny rules", cnp("probe-mixed", { endpointSelector: app, ingressDeny: [{ fromEntities: ["world"] }], ingress: [{ fromEntities: ["all"] }] })],
        ["default deny switched off", cnp("probe-default-allow", { endpointSelector: app, egressDeny: [{ toEntities: ["host"] }], enableDefaultDeny: { egress: false, ingress: false } })],
        ["an allow rule hidden in specs", cnp("probe-specs", undefined, { specs: [{ endpointSelector: app, egressDeny: [{ toEntities: ["host"] }] }, { endpointSelector: {}, egress: [{ toCIDR: ["0.0.0.0/0"] }] }] })],
        ["a host policy", cnp("probe-node", { nodeSelector: {}, ingressDeny: [{ fromEntities: ["world"] }] })],
        ["the platform's policy rewritten as deny-only", cnp("tenant-default-deny", { endpointSelector: {}, egressDeny: [{ toEntities: ["host"] }] })],
    ];
    const problems: string[] = [];
    for (const obj of narrowing) {
        const r = await deployer.apply(obj, { dryRun: true, fieldManager: "argocd-controller" });
        if (r.status >= 300) problems.push(`narrowing ${obj.metadata.name} refused: ${msg(r)}`);
    }
    for (const [what, obj] of widening) {
        const r = await deployer.apply(obj, { dryRun: true, fieldManager: "argocd-controller" });
        if (r.status !== 403 || !/CiliumNetworkPolicy|deny rules only/.test(String(r.json?.message))) problems.push(`${what} (${obj.metadata.name}): ${msg(r)} (want the guardrail to refuse it)`);
    }
    const remove = await deployer.delete(cnp("tenant-default-deny", {}), true);
    if (remove.status !== 403) problems.push(`delete the platform's tenant-default-deny: ${msg(remove)} (want 403)`);
    expect(problems).toEqual([]);
}, undefined, { partOf: "k8s-admission" });

/** The zone tenants' names live in: the one the plan's ClusterIssuer solves DNS-01 for. */
const zoneOf = () => planObjects("ClusterIssuer")[0].spec.acme.solvers[0].selector.dnsZones[0] as string;
const ingress = (ns: string, name: string, hosts: { rules?: string[]; tls?: string[]; annotations?: Record<string, string> }) => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name, namespace: ns, annotations: hosts.annotations ?? {} },
    spec: {
        ingressClassName: "alb",
        rules: (hosts.rules ?? []).map((host) => ({ host, http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] } })),
        ...(hosts.tls ? { tls: [{ hosts: hosts.tls, secretName: `${name}-tls` }] } : {}),
    },
});
const annotatedService = (ns: string, name: string, annotations: Record<string, string>) => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: ns, annotations },
    spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] },
});
const certificate = (ns: string, name: string, spec: Record<string, unknown>) => ({
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name, namespace: ns },
    spec: { secretName: `${name}-tls`, issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: "letsencrypt" }, ...spec },
});

scenario("k8s-admission-hostnames", "a tenant claims names under <tenant>.apps.<zone> only: its own pass, and lookalikes (suffix tricks, case, trailing dot, wildcards, lists, other tenants', the platform's) are refused wherever a name is published or certified", async () => {
    const zone = zoneOf();
    const problems: string[] = [];
    const tenants = [...tenantNamespaces(plan.resources)];
    const [tenant, namespaces] = tenants.find(([, nss]) => nss.length > 1) ?? tenants[0];
    const other = tenants.find(([t]) => t !== tenant)![0];
    const own = `${tenant}.apps.${zone}`;
    const HOSTNAME = "external-dns.alpha.kubernetes.io/hostname";
    const INTERNAL = "external-dns.alpha.kubernetes.io/internal-hostname";
    // Every namespace of the tenant (its second one too) is keyed on the namespace's tenant label.
    for (const ns of namespaces) {
        // Certificates are the deployer's (Argo CD syncs the tenant's repository as it); developers have no cert-manager rights.
        const deployer = tenantDeployers(plan.resources).find((d) => d.namespace === ns)!;
        const asDeployer = kube.impersonate(deployer.identity);
        // A CertificateRequest is refused whoever asks with the RBAC to (an EKS access policy may grant it).
        const withRights = kube.impersonate({ user: `system:serviceaccount:${ns}:app-controller`, groups: ["system:masters"] });
        const dev = { create: (obj: any, dryRun: boolean) => (obj.kind === "CertificateRequest" ? withRights : obj.apiVersion.startsWith("cert-manager.io/") ? asDeployer : developerOf(tenant)).create(obj, dryRun) };
        const admitted: [string, any][] = [
            ["rule and TLS host under its domain", ingress(ns, "own", { rules: [`web.${own}`], tls: [`web.${own}`] })],
            ["its domain itself", ingress(ns, "apex", { rules: [own], tls: [own] })],
            ["a wildcard under its domain", ingress(ns, "wild", { rules: [`web.${own}`], tls: [`*.${own}`] })],
            ["a host-less default rule on its own ALB", { ...ingress(ns, "default", {}), spec: { ingressClassName: "alb", defaultBackend: { service: { name: "web", port: { number: 80 } } } } }],
            ["an annotation list of its names, spaced", annotatedService(ns, "list", { [HOSTNAME]: `web.${own}, api.${own}`, "external-dns.alpha.kubernetes.io/cloudflare-proxied": "false" })],
            ["an internal hostname under its domain", annotatedService(ns, "internal", { [INTERNAL]: `db.${own}` })],
            ["a Service without annotations", annotatedService(ns, "plain", {})],
            ["a Certificate for its names", certificate(ns, "own-cert", { dnsNames: [`web.${own}`, `*.${own}`], commonName: `web.${own}` })],
        ];
        // Every Ingress is an ALB: where the namespace has no load-balancer allowance, the quota (which
        // admits after the policies) refuses the compliant ones, so the names passed the policy.
        const quota = planObjects("ResourceQuota").find((q) => q.metadata.namespace === ns);
        const ingressAllowed = Number(quota.spec.hard["count/ingresses.networking.k8s.io"]) > 0;
        for (const [what, obj] of admitted) {
            const r = await dev.create(obj, true);
            const byQuota = obj.kind === "Ingress" && !ingressAllowed;
            if (byQuota ? r.status !== 403 || !/exceeded quota.*count\/ingresses/.test(String(r.json?.message)) : r.status !== 201) problems.push(`${ns}: ${what}: ${msg(r)} (want ${byQuota ? "past the policy, refused by the quota" : "admitted"})`);
        }
        const refused: [string, any][] = [
            ["another tenant's name that ends like its own (suffix trick)", ingress(ns, "suffix", { rules: [`evil-${own}`] })],
            ["its domain followed by another domain", ingress(ns, "prefix", { rules: [`web.${own}.evil.com`] })],
            ["uppercase in an annotation", annotatedService(ns, "upper", { [HOSTNAME]: `Web.${own}` })],
            ["a trailing dot in an annotation", annotatedService(ns, "dot", { [HOSTNAME]: `web.${own}.` })],
            ["a wildcard over every tenant in an annotation", annotatedService(ns, "wild-ann", { [HOSTNAME]: `*.apps.${zone}` })],
            ["uppercase in a Certificate", certificate(ns, "upper-cert", { dnsNames: [`WEB.${own}`] })],
            ["a wildcard over every tenant", ingress(ns, "wild-apps", { rules: [`web.${own}`], tls: [`*.apps.${zone}`] })],
            ["a wildcard over the zone", certificate(ns, "wild-zone", { dnsNames: [`*.${zone}`] })],
            ["the other tenant's name", ingress(ns, "other", { rules: [`web.${other}.apps.${zone}`] })],
            ["the platform's name", ingress(ns, "platform", { rules: [`argocd.${zone}`] })],
            ["a foreign TLS host beside a compliant rule", ingress(ns, "tls-only", { rules: [`web.${own}`], tls: [`web.${own}`, `argocd.${zone}`] })],
            ["a foreign name hidden in an annotation list", annotatedService(ns, "list-bad", { [HOSTNAME]: `web.${own},argocd.${zone}` })],
            ["an empty entry in an annotation list", annotatedService(ns, "list-empty", { [HOSTNAME]: `web.${own},` })],
            ["a foreign annotation on an Ingress with compliant hosts", ingress(ns, "ann", { rules: [`web.${own}`], annotations: { [HOSTNAME]: `web.${other}.apps.${zone}` } })],
            ["a foreign internal hostname", annotatedService(ns, "internal-bad", { [INTERNAL]: `db.${other}.apps.${zone}` })],
            ["a proxied record", annotatedService(ns, "proxied", { [HOSTNAME]: `web.${own}`, "external-dns.alpha.kubernetes.io/cloudflare-proxied": "true" })],
            ["a Cloudflare custom hostname", annotatedService(ns, "custom", { [HOSTNAME]: `web.${own}`, "external-dns.alpha.kubernetes.io/cloudflare-custom-hostname": "shop.example.com" })],
            ["a Certificate for the platform's name", certificate(ns, "platform-cert", { dnsNames: [`argocd.${zone}`] })],
            ["a Certificate whose commonName is foreign", certificate(ns, "cn-cert", { dnsNames: [`web.${own}`], commonName: `argocd.${zone}` })],
            ["a Certificate with an IP address", certificate(ns, "ip-cert", { dnsNames: [`web.${own}`], ipAddresses: ["10.0.0.1"] })],
            [
                "a CertificateRequest made by the tenant (its CSR could name anything)",
                { apiVersion: "cert-manager.io/v1", kind: "CertificateRequest", metadata: { name: "csr", namespace: ns }, spec: { request: Buffer.from("-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----\n").toString("base64"), issuerRef: { kind: "ClusterIssuer", name: "letsencrypt" } } },
            ],
        ];
        for (const [what, obj] of refused) {
            const r = await dev.create(obj, true);
            if (r.status < 400 || !String(r.json?.message).includes("pr-cybr-tenant-hostnames")) problems.push(`${ns}: ${what}: ${msg(r)} (want refused by pr-cybr-tenant-hostnames)`);
        }
        // Ingress rule hosts are RFC 1123 subdomains to the API server itself (networking/validation):
        // uppercase and a trailing dot never reach the policy there.
        for (const [what, host] of [["uppercase", `Web.${own}`], ["a trailing dot", `web.${own}.`]]) {
            const r = await dev.create(ingress(ns, "syntax", { rules: [host] }), true);
            if (r.status !== 422 || !/RFC 1123/.test(String(r.json?.message))) problems.push(`${ns}: Ingress host with ${what}: ${msg(r)} (want refused by the API server's validation)`);
        }
        const devCert = await developerOf(tenant).create(certificate(ns, "dev-cert", { dnsNames: [`web.${own}`] }), true);
        if (devCert.status !== 403) problems.push(`${ns}: a developer created a Certificate: ${msg(devCert)} (want RBAC to refuse: Certificates come through GitOps)`);
        // cert-manager itself makes the CertificateRequests of tenants' Certificates.
        const cm = kube.impersonate({ user: "system:serviceaccount:cert-manager:cert-manager", groups: ["system:masters"] });
        const csr = refused[refused.length - 1][1];
        const byCertManager = await cm.create(csr, true);
        if (byCertManager.status !== 201) problems.push(`${ns}: cert-manager's own CertificateRequest: ${msg(byCertManager)} (want admitted)`);
    }
    // Outside tenant namespaces (the platform's), names are not restricted.
    const platform = await kube.create(certificate("argocd", "argocd-probe", { dnsNames: [`argocd.${zone}`] }), true);
    if (platform.status !== 201) problems.push(`argocd: the platform's own certificate: ${msg(platform)}`);
    expect(problems).toEqual([]);
}, undefined, { partOf: "k8s-admission" });
