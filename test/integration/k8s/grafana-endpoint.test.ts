// k8s-grafana-endpoint: Grafana's load balancer Service (components/gitops/grafana-endpoint.ts) on the
// real API server. Applied with the rest of the prod plan, it must select Grafana's pods as the chart
// renders them (test/fixtures/charts/grafana-11.1.1.deployment.yaml): the endpoint-slice controller,
// whose slices the load balancer controller registers as IP targets, must resolve the Service's
// named target port to Grafana's HTTP port. And no tenant persona may create or change a Service in
// the platform's monitoring namespace, nor name the platform's ACM certificate on a load balancer of
// its own: the load balancer and the certificate are the platform's.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { engine, ROOT } from "../lib/env";
import { Kube, KubeResponse } from "../lib/kube";
import { recordEngines, scenario } from "../lib/summary";
import { PlanResource, readPlan } from "./plan-objects";
import { tenantPrincipals } from "./tenant-identities";
import { applyPlan } from "./tenant-setup";

const kube = Kube.admin();
let plan: { resources: PlanResource[] };
const msg = (r: KubeResponse) => `${r.status} ${r.json?.message ?? r.text.slice(0, 300)}`;

beforeAll(async () => {
    recordEngines(engine("kube").versions ?? {});
    plan = readPlan(path.join(process.env.PR_CYBR_SHARED_PLANS!, "prod.plan.json"));
    await applyPlan(kube, plan);
});
afterAll(() => kube.close());

/** Grafana's Deployment as helm renders grafana 11.1.1 under kube-prometheus-stack's release name. */
const chartDeployment = () => YAML.parse(fs.readFileSync(path.join(ROOT, "test/fixtures/charts/grafana-11.1.1.deployment.yaml"), "utf8"));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const v = await probe();
        if (v !== undefined) return v;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((res) => setTimeout(res, 250));
    }
}

scenario("k8s-grafana-endpoint", "Grafana's NLB Service is admitted in monitoring, resolves to the chart's Grafana pods on their HTTP port; no tenant persona may create or change Services there, nor put the platform's certificate on its own NLB or ALB", async () => {
    const problems: string[] = [];
    const planned = plan.resources.find((r) => r.type === "kubernetes:core/v1:Service" && r.inputs.metadata.name === "grafana-nlb")!.inputs;
    const stored = await kube.get(planned);
    expect(stored.status).toBe(200);
    expect(stored.json.spec.loadBalancerClass).toBe("service.k8s.aws/nlb");
    expect(stored.json.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"]).toMatch(/^arn:aws:acm:/);

    // A pod as the chart's template makes it (labels, containers' ports) on a node, given an IP and Ready
    // as the kubelet would: the endpoint-slice controller skips pods whose node does not exist.
    const template = chartDeployment().spec.template;
    const grafana = template.spec.containers.find((c: any) => c.name === "grafana");
    const node = { apiVersion: "v1", kind: "Node", metadata: { name: "grafana-probe-node", labels: { "topology.kubernetes.io/zone": "us-east-1a" } } };
    expect(msg(await kube.apply(node))).toMatch(/^20[01]/);
    const pod = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "grafana-probe", namespace: "monitoring", labels: template.metadata.labels },
        spec: { nodeName: node.metadata.name, automountServiceAccountToken: false, containers: [{ name: "grafana", image: grafana.image, ports: grafana.ports }] },
    };
    await kube.delete(pod);
    await until("the probe pod to be gone", async () => ((await kube.get(pod)).status === 404 ? true : undefined));
    const created = await kube.create(pod);
    expect(msg(created)).toMatch(/^201/);
    const now = new Date().toISOString();
    const status = await kube.request(
        "PATCH",
        "/api/v1/namespaces/monitoring/pods/grafana-probe/status",
        { status: { phase: "Running", podIP: "10.40.1.10", podIPs: [{ ip: "10.40.1.10" }], conditions: [{ type: "Ready", status: "True", lastTransitionTime: now }, { type: "ContainersReady", status: "True", lastTransitionTime: now }] } },
        "application/merge-patch+json",
    );
    expect(msg(status)).toMatch(/^200/);
    const slice = await until("an EndpointSlice of grafana-nlb with the probe pod", async () => {
        const r = await kube.request("GET", "/apis/discovery.k8s.io/v1/namespaces/monitoring/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dgrafana-nlb");
        return r.json?.items?.find((s: any) => (s.endpoints ?? []).some((e: any) => e.addresses.includes("10.40.1.10")));
    });
    // The NLB listens on 443; its targets are the pod IP on the port the name "grafana" resolves to.
    expect(slice.ports).toEqual([{ name: "https", port: 3000, protocol: "TCP" }]);
    expect(slice.endpoints.find((e: any) => e.addresses.includes("10.40.1.10")).conditions.ready).toBe(true);
    await kube.delete(pod);
    await kube.delete(node);

    // Tenants (every persona) get nothing in monitoring: no Service of their own, no edit of the platform's.
    const ownLb = { ...planned, metadata: { ...planned.metadata, name: "tenant-grafana" } };
    for (const p of tenantPrincipals(plan.resources)) {
        const as = kube.impersonate(p.identity);
        const create = await as.create(ownLb, true);
        if (create.status !== 403) problems.push(`${p.tenant} ${p.persona}: creating a Service in monitoring: ${msg(create)} (want 403)`);
        const patch = await as.request("PATCH", "/api/v1/namespaces/monitoring/services/grafana-nlb", { metadata: { annotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing" } } }, "application/merge-patch+json");
        if (patch.status !== 403) problems.push(`${p.tenant} ${p.persona}: changing grafana-nlb: ${msg(patch)} (want 403)`);
    }

    // Nor may a tenant put the platform's certificate (Grafana's) on a load balancer of its own, in a
    // namespace whose quota allows one: the compliant Service passes, the same with the certificate does not.
    const quota = plan.resources.find((r) => r.type === "kubernetes:core/v1:ResourceQuota" && Number(r.inputs.spec.hard["services.loadbalancers"]) > 0)!.inputs;
    const ns = quota.metadata.namespace;
    const tenant = tenantPrincipals(plan.resources).find((p) => ns.startsWith(p.tenant) && p.persona === "developers")!;
    const dev = kube.impersonate(tenant.identity);
    const certificateArn = planned.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"];
    const tenantLb = (annotations: Record<string, string>) => ({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "web", namespace: ns, annotations: { "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip", "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing", ...annotations } },
        spec: { type: "LoadBalancer", loadBalancerClass: "service.k8s.aws/nlb", allocateLoadBalancerNodePorts: false, selector: { app: "web" }, ports: [{ port: 443, targetPort: 8443 }] },
    });
    const plain = await dev.create(tenantLb({}), true);
    if (plain.status !== 201) problems.push(`${ns}: a compliant tenant load balancer: ${msg(plain)} (want admitted)`);
    const withCert = await dev.create(tenantLb({ "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": certificateArn }), true);
    if (withCert.status < 400 || !String(withCert.json?.message).includes("may not name ACM certificates")) problems.push(`${ns}: a tenant NLB with Grafana's certificate: ${msg(withCert)} (want refused)`);
    const ingress = {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: { name: "web", namespace: ns, annotations: { "alb.ingress.kubernetes.io/certificate-arn": certificateArn, "alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS":443}]' } },
        spec: { ingressClassName: "alb", defaultBackend: { service: { name: "web", port: { number: 80 } } } },
    };
    const alb = await dev.create(ingress, true);
    if (alb.status < 400 || !String(alb.json?.message).includes("may not name ACM certificates")) problems.push(`${ns}: a tenant ALB with Grafana's certificate: ${msg(alb)} (want refused)`);
    expect(problems).toEqual([]);
});
