// tenant-app-*: the example tenant app (examples/tenant-apps/asset-injector) rendered by the kustomize
// Argo CD v3.3.8 bundles and applied, as Argo CD applies it (server-side, as the tenant's deployer),
// into a tenant namespace of the stack's plan on the real API server: every object admitted, the
// StatefulSet controller's pods and volume claims admitted under the tenant's quota, LimitRange, Pod
// Security and the platform's policies; the same app refused when it breaks a platform rule.
import { spawnSync } from "child_process";
import * as path from "path";
import YAML from "yaml";
import { parseQuantity } from "../../../components/shared/quantity";
import { engine, ROOT } from "../lib/env";
import { Kube, KubeResponse } from "../lib/kube";
import { recordEngines, scenario } from "../lib/summary";
import { readPlan } from "./plan-objects";
import { tenantDeployers } from "./tenant-identities";
import { applyPlan } from "./tenant-setup";

const APP = path.join(ROOT, "examples/tenant-apps/asset-injector");
const NS = "org-a";
const kube = Kube.admin();
const msg = (r: KubeResponse) => `${r.status} ${r.json?.message ?? r.text.slice(0, 300)}`;

beforeAll(() => recordEngines({ ...(engine("kube").versions ?? {}), ...(engine("kustomize").versions ?? {}) }));
afterAll(() => kube.close());

/** `kustomize build envs/<env>` as Argo CD's repo server runs it. */
function render(env: "dev" | "prod"): any[] {
    const r = spawnSync(engine("kustomize").env!.PR_CYBR_KUSTOMIZE, ["build", path.join(APP, "envs", env)], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`kustomize build envs/${env}: ${r.stderr}`);
    return YAML.parseAllDocuments(r.stdout).map((d) => d.toJSON());
}

const deployerOf = (plan: any) => kube.impersonate(tenantDeployers(plan.resources).find((d) => d.namespace === NS)!.identity);

async function until<T>(what: string, probe: () => Promise<T | undefined>, seconds = 60): Promise<T> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
        const got = await probe();
        if (got !== undefined) return got;
        if (Date.now() > deadline) throw new Error(`${what} after ${seconds} s`);
        await new Promise((res) => setTimeout(res, 250));
    }
}

const list = async (resource: string) => (await kube.request("GET", `/api/v1/namespaces/${NS}/${resource}?labelSelector=app.kubernetes.io%2Fname%3Dasset-injector`)).json?.items ?? [];

/** Applies the rendered app as the deployer; returns every refusal. */
async function applyApp(deployer: Kube, objects: any[]): Promise<string[]> {
    const problems: string[] = [];
    for (const obj of objects) {
        const r = await deployer.apply(obj, { fieldManager: "argocd-controller" });
        if (r.status >= 300) problems.push(`${obj.kind} ${obj.metadata.name}: ${msg(r)}`);
    }
    return problems;
}

async function removeApp(objects: any[]): Promise<void> {
    for (const obj of objects) await kube.delete(obj);
    // Retained claims (persistentVolumeClaimRetentionPolicy whenDeleted: Retain) belong to the next run's pods otherwise.
    for (const pvc of await list("persistentvolumeclaims")) await kube.delete({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: pvc.metadata });
    await until("the app's pods still exist", async () => ((await list("pods")).length === 0 ? true : undefined));
}

for (const [id, env, overlay] of [
    ["tenant-app-staging", "dev", "staging"],
    ["tenant-app-production", "prod", "production"],
] as const) {
    scenario(id, `the ${overlay} overlay, rendered for ${env} and applied as org-a's deployer: admitted, and its pods and claims created under the tenant's quota`, async () => {
        const plan = readPlan(path.join(process.env.PR_CYBR_SHARED_PLANS!, `${env}.plan.json`));
        await applyPlan(kube, plan);
        const objects = render(env);
        const sts = objects.find((o) => o.kind === "StatefulSet");
        await removeApp(objects);
        const problems = await applyApp(deployerOf(plan), objects);
        expect(problems).toEqual([]);

        // The StatefulSet controller creates the pods and claims: quota, LimitRange, Pod Security and the
        // tenant policies judge those requests, so every replica existing is what proves them admitted.
        const want = sts.spec.replicas;
        const pods = await until(`${want} pods not created`, async () => {
            const items = await list("pods");
            return items.length === want ? items : undefined;
        });
        const claims = await list("persistentvolumeclaims");
        expect(claims.map((c: any) => c.spec.storageClassName).sort()).toEqual(Array(want).fill(plan.resources.find((r: any) => r.inputs?.metadata?.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true")?.inputs.metadata.name));
        for (const pod of pods) {
            // Requests and limits are the app's own, not the LimitRange defaults.
            expect(pod.spec.containers[0].resources).toEqual(sts.spec.template.spec.containers[0].resources);
            expect(pod.spec.containers[0].image).toBe(sts.spec.template.spec.containers[0].image);
        }
        if (env === "prod") {
            const hpa = (await kube.request("GET", `/apis/autoscaling/v2/namespaces/${NS}/horizontalpodautoscalers/asset-injector`)).json;
            expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "StatefulSet", name: "asset-injector" });
            expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(3);
        }
        for (const kind of ["ServiceMonitor", "PrometheusRule", "CiliumNetworkPolicy", "ExternalSecret"]) expect(objects.filter((o) => o.kind === kind)).toHaveLength(1);
        // Its AWS identity: the pods' service account has the tenant's Pod Identity association in this plan
        // (EKS hands credentials only to a pod whose namespace and service account an association names).
        const associations = plan.resources.filter((r: any) => r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation").map((r: any) => `${r.inputs.namespace}/${r.inputs.serviceAccount}`);
        expect(associations).toContain(`${NS}/${pods[0].spec.serviceAccountName}`);
        // Production's public entry: an NLB under the tenant's load-balancer allowance and a certificate for its own name.
        if (env === "prod") expect(objects.filter((o) => o.kind === "Certificate" || (o.kind === "Service" && o.spec.type === "LoadBalancer")).map((o) => o.kind).sort()).toEqual(["Certificate", "Service"]);
        await removeApp(objects);
    });
}

scenario("tenant-app-refused", "the production app breaking a platform rule is refused (no resources, privileged, a registry not allowed, unpinned, a name outside its domain, an internal load balancer, an allow-all network policy, a secret from another store), and past the quota its extra pods are refused", async () => {
    const plan = readPlan(path.join(process.env.PR_CYBR_SHARED_PLANS!, "prod.plan.json"));
    await applyPlan(kube, plan);
    const deployer = deployerOf(plan);
    const objects = render("prod");
    await removeApp(objects);
    const sts = () => JSON.parse(JSON.stringify(objects.find((o) => o.kind === "StatefulSet")));
    const container = (s: any) => s.spec.template.spec.containers[0];
    const broken: [string, any, RegExp][] = [];
    let s = sts();
    delete container(s).resources;
    broken.push(["no resources", s, /cpu and memory requests and a memory limit/]);
    s = sts();
    container(s).securityContext = { privileged: true };
    broken.push(["privileged", s, /privileged containers are not allowed/]);
    s = sts();
    container(s).image = container(s).image.replace(/^\d{12}/, "333333333333");
    broken.push(["another account's registry", s, /allowed registry/]);
    s = sts();
    container(s).image = "docker.io/library/nginx:1.29";
    broken.push(["Docker Hub", s, /allowed registry/]);
    s = sts();
    container(s).image = container(s).image.split("@")[0] + ":latest";
    broken.push(["a tag, not a digest", s, /pinned by digest/]);
    const copy = (kind: string) => JSON.parse(JSON.stringify(objects.find((o) => o.kind === kind && (kind !== "Service" || o.spec.type === "LoadBalancer"))));
    const cert = copy("Certificate");
    cert.spec.dnsNames = ["assets.org-b.apps.pr-cybr.example"];
    broken.push(["a certificate for another tenant's name", cert, /pr-cybr-tenant-hostnames/]);
    const lookalike = copy("Service");
    lookalike.metadata.annotations["external-dns.alpha.kubernetes.io/hostname"] = "assets.evil-org-a.apps.pr-cybr.example";
    broken.push(["a DNS name that only ends like its own", lookalike, /pr-cybr-tenant-hostnames/]);
    const internal = copy("Service");
    internal.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"] = "internal";
    broken.push(["an internal load balancer (its pods admit the public subnets only)", internal, /aws-load-balancer-scheme: internet-facing/]);
    const externalSecret = () => JSON.parse(JSON.stringify(objects.find((o) => o.kind === "ExternalSecret")));
    const viaCluster = externalSecret();
    viaCluster.spec.secretStoreRef.kind = "ClusterSecretStore";
    broken.push(["its secret through a ClusterSecretStore of the platform store's name", viaCluster, /reads only from the platform's SecretStore tenant-secrets/]);
    const ownStore = externalSecret();
    ownStore.spec.data[1].sourceRef = { storeRef: { name: "my-store", kind: "SecretStore" } };
    broken.push(["one key through a store of its own", ownStore, /reads only from the platform's SecretStore tenant-secrets/]);
    const cnp = JSON.parse(JSON.stringify(objects.find((o) => o.kind === "CiliumNetworkPolicy")));
    cnp.spec.ingress = [{ fromEntities: ["all"] }];
    broken.push(["a network policy that opens ingress", cnp, /deny rules only/]);
    const problems: string[] = [];
    for (const [what, obj, reason] of broken) {
        const r = await deployer.apply(obj, { fieldManager: "argocd-controller", dryRun: true });
        if (r.status < 400 || !reason.test(String(r.json?.message))) problems.push(`${what}: ${msg(r)} (want ${reason})`);
    }

    // More replicas than the quota holds: the object is admitted (quota counts pods, not replicas), and the
    // controller's pods past requests.cpu are refused by the quota.
    const quota = plan.resources.find((r: any) => r.inputs?.kind === "ResourceQuota" && r.inputs.metadata.namespace === NS)!.inputs.spec.hard;
    // Pods that fit: the tightest of the quota's per-pod dimensions (each replica also claims one volume).
    const res = container(sts()).resources;
    const claim = sts().spec.volumeClaimTemplates[0].spec.resources.requests.storage;
    const perPod: Record<string, string | number> = { "requests.cpu": res.requests.cpu, "limits.cpu": res.limits.cpu, "requests.memory": res.requests.memory, "limits.memory": res.limits.memory, "requests.storage": claim, persistentvolumeclaims: 1, pods: 1 };
    const amount = (q: string | number) => parseQuantity(String(q)) ?? NaN;
    const fits = Math.min(...Object.entries(perPod).filter(([k]) => k in quota).map(([k, v]) => Math.floor(amount(quota[k]) / amount(v))));
    const big = sts();
    big.spec.replicas = fits + 3;
    const others = objects.filter((o) => o.kind !== "StatefulSet" && o.kind !== "HorizontalPodAutoscaler");
    problems.push(...(await applyApp(deployer, [...others, big])));
    const pods = await until(`pods never reached the quota's ${fits}`, async () => {
        const items = await list("pods");
        return items.length >= fits ? items : undefined;
    });
    await new Promise((res) => setTimeout(res, 3000));
    const after = await list("pods");
    if (after.length !== fits) problems.push(`${after.length} pods exist, want exactly ${fits} (quota ${JSON.stringify(quota)}, per pod ${JSON.stringify(perPod)})`);
    const events = (await kube.request("GET", `/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.kind%3DStatefulSet,involvedObject.name%3Dasset-injector`)).json?.items ?? [];
    if (!events.some((e: any) => e.reason === "FailedCreate" && /exceeded quota/.test(e.message))) problems.push(`no FailedCreate "exceeded quota" event for the StatefulSet (${events.map((e: any) => e.reason).join(", ")}; ${pods.length} pods)`);
    await removeApp([...others, big]);
    expect(problems).toEqual([]);
});
