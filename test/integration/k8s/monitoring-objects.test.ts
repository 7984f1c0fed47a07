// kube-prometheus-stack-objects-<stack>: the monitoring objects the kube-prometheus-stack chart renders
// from the plan's values (not plan objects, so k8s-apply never sees them): one ServiceMonitor per
// `prometheus.additionalServiceMonitors` entry and one PrometheusRule per `additionalPrometheusRulesMap`
// entry, built as the chart's templates build them (81.6.2 templates/prometheus/servicemonitors.yaml and
// additionalPrometheusRules.yaml), dry-run applied to the API server with the operator's v0.88.1 CRDs.
// Each must be admitted (the CRDs check durations, enums and types) and stored as built: a misspelt
// field would be pruned silently and the operator would never see it.
import * as path from "path";
import { Kube } from "../lib/kube";
import { engine } from "../lib/env";
import { recordEngines, scenario } from "../lib/summary";
import { differences, readPlan } from "./plan-objects";

const kube = Kube.admin();
afterAll(() => kube.close());
beforeAll(() => recordEngines(engine("kube").versions ?? {}));

/** The keys servicemonitors.yaml copies from an entry into the ServiceMonitor's spec (others are ignored). */
const SERVICE_MONITOR_SPEC_KEYS = ["endpoints", "jobLabel", "namespaceSelector", "selector", "targetLabels", "podTargetLabels", "fallbackScrapeProtocol", "attachMetadata"];

function chartObjects(stack: "dev" | "prod", namespace: string): any[] {
    const plan = readPlan(path.join(process.env.PR_CYBR_SHARED_PLANS!, `${stack}.plan.json`));
    const app = plan.resources.find((r) => r.type === "kubernetes:argoproj.io/v1alpha1:Application" && r.inputs.spec?.source?.chart === "kube-prometheus-stack")!;
    const values = app.inputs.spec.source.helm.valuesObject;
    const monitors = (values.prometheus.additionalServiceMonitors as any[]).map((m) => {
        const unknown = Object.keys(m).filter((k) => !["name", "additionalLabels", ...SERVICE_MONITOR_SPEC_KEYS].includes(k));
        if (unknown.length) throw new Error(`${stack}: additionalServiceMonitors ${m.name}: ${unknown.join(", ")} are not keys the chart's template reads`);
        const spec = Object.fromEntries(SERVICE_MONITOR_SPEC_KEYS.filter((k) => m[k] !== undefined).map((k) => [k, m[k]]));
        return { apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor", metadata: { name: m.name, namespace }, spec };
    });
    const rules = Object.entries(values.additionalPrometheusRulesMap as Record<string, { groups: unknown[] }>).map(([name, entry]) => ({
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: `kube-prometheus-stack-${name}`, namespace },
        spec: { groups: entry.groups },
    }));
    return [...monitors, ...rules];
}

for (const stack of ["dev", "prod"] as const) {
    scenario(`kube-prometheus-stack-objects-${stack}`, `${stack}: the chart's ServiceMonitors and PrometheusRules from our values are admitted and stored as built`, async () => {
        const plan = readPlan(path.join(process.env.PR_CYBR_SHARED_PLANS!, `${stack}.plan.json`));
        const namespace = plan.resources.find((r) => r.type === "kubernetes:argoproj.io/v1alpha1:Application" && r.inputs.spec?.source?.chart === "kube-prometheus-stack")!.inputs.spec.destination.namespace;
        await kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } }, { fieldManager: "argocd-controller" });
        const objects = chartObjects(stack, namespace);
        expect(objects.map((o) => o.kind)).toEqual(expect.arrayContaining(["ServiceMonitor", "PrometheusRule"]));
        const problems: string[] = [];
        for (const obj of objects) {
            const r = await kube.apply(obj, { fieldManager: "argocd-controller", dryRun: true });
            if (r.status >= 300) problems.push(`${obj.kind} ${obj.metadata.name}: rejected ${r.status}: ${r.json?.message ?? r.text.slice(0, 400)}`);
            else for (const d of differences(obj, r.json)) problems.push(`${obj.kind} ${obj.metadata.name}: ${d}`);
        }
        expect(problems).toEqual([]);
    });
}

scenario("kube-prometheus-stack-objects-refused", "a rule with a duration the operator's CRD refuses is refused (the check can fail)", async () => {
    const bad = { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: { name: "bad-for", namespace: "default" }, spec: { groups: [{ name: "g", rules: [{ alert: "A", expr: "up == 0", for: "5 minutes" }] }] } };
    const r = await kube.apply(bad, { fieldManager: "argocd-controller", dryRun: true });
    expect(r.status).toBe(422);
});
