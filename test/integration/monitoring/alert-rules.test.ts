// The platform's alert rules as Prometheus itself reads them (engine "promtool": Prometheus v3.9.1's
// promtool, built from the Go module proxy): the rules the prod plan hands kube-prometheus-stack
// (`additionalPrometheusRulesMap`, components/gitops/alerting.ts) pass `promtool check rules`, and
// `promtool test rules` evaluates each alert on series shaped as its exporter writes them (label names
// from cert-manager pkg/metrics, kube-state-metrics, the API server), firing and not firing.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { engine } from "../lib/env";
import { recordEngines, scenario } from "../lib/summary";

const promtool = () => engine("promtool").env!.PR_CYBR_PROMTOOL;
const plan = (stack: "dev" | "prod") => JSON.parse(fs.readFileSync(path.join(process.env.PR_CYBR_SHARED_PLANS!, `${stack}.plan.json`), "utf8"));

/** The rule groups of the plan's kube-prometheus-stack Application. */
function ruleGroups(stack: "dev" | "prod") {
    const app = plan(stack).resources.find((r: any) => r.type === "kubernetes:argoproj.io/v1alpha1:Application" && r.inputs.spec?.source?.chart === "kube-prometheus-stack");
    return app.inputs.spec.source.helm.valuesObject.additionalPrometheusRulesMap["pr-cybr-platform"].groups;
}

const alert = (name: string, labels: Record<string, string>) => ({ exp_labels: { alertname: name, ...labels } });

/** One test group per case: series, when to look, and which alerts of which name fire then. */
const CASES = [
    {
        interval: "1m",
        input_series: [
            // Renewal due at t=0 and never moved forward (not renewed); the other due far in the future.
            { series: 'certmanager_certificate_renewal_timestamp_seconds{name="argocd-tls",namespace="argocd",issuer_name="letsencrypt",issuer_kind="ClusterIssuer",issuer_group="cert-manager.io"}', values: "0x120" },
            { series: 'certmanager_certificate_renewal_timestamp_seconds{name="grafana-tls",namespace="monitoring",issuer_name="letsencrypt",issuer_kind="ClusterIssuer",issuer_group="cert-manager.io"}', values: "100000000x120" },
        ],
        alert_rule_test: [
            { eval_time: "70m", alertname: "CertificateNotRenewed", exp_alerts: [] },
            {
                eval_time: "80m",
                alertname: "CertificateNotRenewed",
                exp_alerts: [{ ...alert("CertificateNotRenewed", { severity: "warning", name: "argocd-tls", namespace: "argocd", issuer_name: "letsencrypt", issuer_kind: "ClusterIssuer", issuer_group: "cert-manager.io" }), exp_annotations: { summary: "Certificate argocd/argocd-tls is in its renewal window but was not renewed", description: "cert-manager should have renewed it over an hour ago; check the Certificate's and its CertificateRequest's events." } }],
            },
        ],
    },
    {
        interval: "1m",
        input_series: [
            { series: 'certmanager_certificate_expiration_timestamp_seconds{name="argocd-tls",namespace="argocd"}', values: "86400x30" },
            { series: 'certmanager_certificate_expiration_timestamp_seconds{name="grafana-tls",namespace="monitoring"}', values: "7776000x30" },
        ],
        alert_rule_test: [{ eval_time: "20m", alertname: "CertificateExpiresWithinAWeek", exp_alerts: [alert("CertificateExpiresWithinAWeek", { severity: "critical", name: "argocd-tls", namespace: "argocd" })] }],
    },
    {
        interval: "1m",
        input_series: [{ series: 'apiserver_storage_size_bytes{storage_cluster_id="etcd-0"}', values: "7000000000x40" }],
        alert_rule_test: [
            { eval_time: "20m", alertname: "EksEtcdDatabaseNearQuota", exp_alerts: [] },
            { eval_time: "35m", alertname: "EksEtcdDatabaseNearQuota", exp_alerts: [alert("EksEtcdDatabaseNearQuota", { severity: "warning" })] },
        ],
    },
    {
        interval: "1m",
        input_series: [{ series: 'apiserver_storage_size_bytes{storage_cluster_id="etcd-0"}', values: "6000000000x40" }],
        alert_rule_test: [{ eval_time: "35m", alertname: "EksEtcdDatabaseNearQuota", exp_alerts: [] }],
    },
    {
        interval: "1m",
        input_series: [
            // 2 rejections a second at one level, half a second at another.
            { series: 'apiserver_flowcontrol_rejected_requests_total{priority_level="workload-low",flow_schema="service-accounts",reason="queue-full"}', values: "0+120x40" },
            { series: 'apiserver_flowcontrol_rejected_requests_total{priority_level="global-default",flow_schema="global-default",reason="queue-full"}', values: "0+30x40" },
        ],
        alert_rule_test: [{ eval_time: "25m", alertname: "EksApiServerRejectingRequests", exp_alerts: [alert("EksApiServerRejectingRequests", { severity: "warning", priority_level: "workload-low" })] }],
    },
    {
        interval: "1m",
        input_series: [
            { series: 'kube_node_status_condition{node="ip-10-40-1-10.ec2.internal",condition="MemoryPressure",status="true"}', values: "1x20" },
            { series: 'kube_node_status_condition{node="ip-10-40-1-10.ec2.internal",condition="MemoryPressure",status="false"}', values: "0x20" },
            { series: 'kube_node_status_condition{node="ip-10-40-2-20.ec2.internal",condition="DiskPressure",status="true"}', values: "0x20" },
        ],
        alert_rule_test: [
            { eval_time: "5m", alertname: "NodeUnderPressure", exp_alerts: [] },
            { eval_time: "15m", alertname: "NodeUnderPressure", exp_alerts: [alert("NodeUnderPressure", { severity: "warning", node: "ip-10-40-1-10.ec2.internal", condition: "MemoryPressure", status: "true" })] },
        ],
    },
    {
        interval: "1m",
        input_series: ["a", "b", "c", "d"].map((n, i) => ({ series: `kube_node_status_condition{node="${n}",condition="Ready",status="true"}`, values: i < 2 ? "0x20" : "1x20" })),
        alert_rule_test: [{ eval_time: "10m", alertname: "ManyNodesNotReady", exp_alerts: [alert("ManyNodesNotReady", { severity: "critical" })] }],
    },
    {
        interval: "1m",
        // One node of four not Ready is a quarter, not more: no alert (KubeNodeNotReady of the chart covers it).
        input_series: ["a", "b", "c", "d"].map((n, i) => ({ series: `kube_node_status_condition{node="${n}",condition="Ready",status="true"}`, values: i < 1 ? "0x20" : "1x20" })),
        alert_rule_test: [{ eval_time: "10m", alertname: "ManyNodesNotReady", exp_alerts: [] }],
    },
];

beforeAll(() => recordEngines(engine("promtool").versions ?? {}));

describe("platform alert rules (promtool)", () => {
    for (const stack of ["dev", "prod"] as const) {
        scenario(`alerts-rules-${stack}`, `${stack}: the plan's rules pass promtool check rules and every alert fires and stays quiet as its test says`, async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pr-cybr-alerts-"));
            fs.writeFileSync(path.join(dir, "rules.yaml"), stringify({ groups: ruleGroups(stack) }));
            const check = spawnSync(promtool(), ["check", "rules", "--lint=all", "--lint-fatal", path.join(dir, "rules.yaml")], { encoding: "utf8" });
            expect([check.status, check.stdout + check.stderr]).toEqual([0, expect.stringContaining("SUCCESS")]);
            fs.writeFileSync(path.join(dir, "tests.yaml"), stringify({ rule_files: ["rules.yaml"], evaluation_interval: "1m", tests: CASES }));
            const test = spawnSync(promtool(), ["test", "rules", path.join(dir, "tests.yaml")], { cwd: dir, encoding: "utf8" });
            expect([test.status, test.stdout + test.stderr]).toEqual([0, expect.stringContaining("SUCCESS")]);
            // Every alert of the plan has a case.
            const tested = new Set(CASES.flatMap((c) => c.alert_rule_test.map((t) => t.alertname)));
            expect(ruleGroups(stack).flatMap((g: any) => g.rules.map((r: any) => r.alert)).filter((a: string) => !tested.has(a))).toEqual([]);
        });
    }

    it("catches a broken rule (the check can fail)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pr-cybr-alerts-bad-"));
        fs.writeFileSync(path.join(dir, "rules.yaml"), stringify({ groups: [{ name: "bad", rules: [{ alert: "Bad", expr: "sum(rate(x[5m]) > ", for: "1m" }] }] }));
        expect(spawnSync(promtool(), ["check", "rules", path.join(dir, "rules.yaml")], { encoding: "utf8" }).status).not.toBe(0);
    });
});
