// monitoring-cilium-*: what Prometheus scrapes of Cilium; cilium-release-wait-*: what the release waits on. The pinned cilium chart is rendered by helm
// with the plan's values (engines/51-charts.mjs); the plan's kube-prometheus-stack Application adds
// ServiceMonitors (`prometheus.additionalServiceMonitors`, made into ServiceMonitors in the release
// namespace by the chart's templates/prometheus/servicemonitors.yaml at 81.6.2). Every metrics port of
// Cilium's pods must be reached: a Service of the chart selects the pods and names the port, and a
// ServiceMonitor selects that Service by namespace and labels and scrapes that port. The real API
// server admits each ServiceMonitor against the vendored CRD (dry run).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { engine } from "../lib/env";
import { Kube } from "../lib/kube";
import { recordEngines, scenario } from "../lib/summary";
import { readPlan } from "../k8s/plan-objects";

type Obj = Record<string, any>;
const kube = Kube.admin();
afterAll(() => kube.close());
beforeAll(() => recordEngines({ ...engine("charts").versions, ...engine("kube").versions }));

/** Metrics ports of Cilium's pods: container ports Cilium names for Prometheus. */
const METRICS_PORT = /^(prometheus|hubble-metrics)$/;

function renderCilium(values: unknown): Obj[] {
    const charts = engine("charts").env!;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cilium-values-")), "values.json");
    fs.writeFileSync(file, JSON.stringify(values));
    const r = spawnSync(charts.PR_CYBR_HELM, ["template", "cilium", charts.PR_CYBR_CILIUM_CHART, "-n", "kube-system", "-f", file, "--kube-version", "1.35.0"], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`helm template cilium: ${r.stderr}`);
    return YAML.parseAllDocuments(r.stdout).map((d) => d.toJSON()).filter(Boolean);
}

const matches = (selector: Obj | undefined, labels: Obj | undefined) => !!selector && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

for (const stack of ["dev", "prod"] as const) {
    scenario(`cilium-release-wait-${stack}`, `${stack}: the Cilium release holds no LoadBalancer Service, which Helm's wait would hold until some controller gives it an address`, () => {
        // helm v3.19.2 pkg/kube/ready.go serviceReady: a LoadBalancer Service without external IPs is
        // ready only once status.loadBalancer.ingress is set. Nothing that can set it runs before Cilium:
        // the AWS Load Balancer Controller needs pod networking, and EKS's legacy in-tree controller
        // would make an instance-target load balancer on node ports, which the platform does not use.
        const plan = readPlan(path.join(process.env.PR_CYBR_SHARED_PLANS!, `${stack}.plan.json`));
        const values = plan.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "cilium")!.inputs.values;
        const services = renderCilium(values).filter((o) => o.kind === "Service");
        expect(services.map((s) => s.metadata.name)).toContain("cilium-ingress");
        expect(services.filter((s) => s.spec.type === "LoadBalancer" && !(s.spec.externalIPs?.length > 0)).map((s) => `${s.metadata.namespace}/${s.metadata.name}`)).toEqual([]);
    });

    scenario(`monitoring-cilium-${stack}`, `${stack}: every metrics port of the Cilium agent, operator and Hubble is scraped through a chart Service and a plan ServiceMonitor`, async () => {
        const plan = readPlan(path.join(process.env.PR_CYBR_SHARED_PLANS!, `${stack}.plan.json`));
        const ciliumValues = plan.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "cilium")!.inputs.values;
        const kps = plan.resources.find((r) => r.inputs?.kind === "Application" && r.inputs.metadata.name === "kube-prometheus-stack")!.inputs.spec;
        const namespace = kps.destination.namespace as string;
        const monitors = ((kps.source.helm.valuesObject.prometheus.additionalServiceMonitors ?? []) as Obj[]).map((m) => ({
            apiVersion: "monitoring.coreos.com/v1",
            kind: "ServiceMonitor",
            metadata: { name: m.name, namespace },
            spec: { endpoints: m.endpoints, selector: m.selector, ...(m.namespaceSelector ? { namespaceSelector: m.namespaceSelector } : {}), ...(m.jobLabel ? { jobLabel: m.jobLabel } : {}) },
        }));

        const objects = renderCilium(ciliumValues);
        const services = objects.filter((o) => o.kind === "Service");
        const pods = objects.filter((o) => ["DaemonSet", "Deployment"].includes(o.kind)).map((w) => ({ name: w.metadata.name, labels: w.spec.template.metadata.labels, ports: w.spec.template.spec.containers.flatMap((c: Obj) => c.ports ?? []) }));
        const problems: string[] = [];
        const scraped: string[] = [];
        for (const pod of pods) {
            for (const port of pod.ports.filter((p: Obj) => METRICS_PORT.test(p.name ?? ""))) {
                const service = services.find((s) => matches(s.spec.selector, pod.labels) && s.spec.ports.some((sp: Obj) => sp.targetPort === port.name || sp.targetPort === port.containerPort));
                if (!service) {
                    problems.push(`${pod.name}: port ${port.name} (${port.containerPort}) is in no Service of the chart`);
                    continue;
                }
                const servicePort = service.spec.ports.find((sp: Obj) => sp.targetPort === port.name || sp.targetPort === port.containerPort).name;
                const monitor = monitors.find(
                    (m) => (m.spec.namespaceSelector?.matchNames ?? [namespace]).includes(service.metadata.namespace) && matches(m.spec.selector.matchLabels, service.metadata.labels) && m.spec.endpoints.some((e: Obj) => e.port === servicePort),
                );
                if (!monitor) problems.push(`${pod.name}: Service ${service.metadata.namespace}/${service.metadata.name} port ${servicePort} is selected by no ServiceMonitor`);
                else scraped.push(`${pod.name}:${port.name}`);
            }
        }
        expect(problems).toEqual([]);
        expect(scraped).toEqual(expect.arrayContaining(["cilium:prometheus", "cilium:hubble-metrics", "cilium-operator:prometheus"]));

        await kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
        for (const m of monitors) {
            const r = await kube.create(m, true);
            expect([m.metadata.name, r.status, r.json?.message]).toEqual([m.metadata.name, 201, undefined]);
        }
    });
}
