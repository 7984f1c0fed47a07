// The platform's Prometheus rules and Alertmanager config, checked by the tools of the releases
// kube-prometheus-stack 81.6.2 runs (engine "prometheus-tools": promtool of Prometheus v3.9.1, amtool of
// Alertmanager v0.31.0), on what the dev and prod plans carry:
// - the rule groups of the kube-prometheus-stack Application's `additionalPrometheusRulesMap`, written
//   as one rule file, platform-rules.yaml (the chart renders each entry into a PrometheusRule whose
//   spec.groups the operator writes to Prometheus' rule files unchanged);
// - `promtool test rules` with every unit-test file under test/integration/prometheus/*.yaml (promtool's
//   own format, `rule_files: [platform-rules.yaml]`, run in a temp dir next to that file);
// - the Alertmanager config as the chart renders it: the plan's `alertmanager.config` coalesced over the
//   chart's default one by Helm (maps merge key by key: the chart's inhibit_rules and templates stay),
//   then `amtool check-config` and `amtool config routes test`.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { alertmanagerConfig } from "../../../components/gitops/alerting";
import { withChartDefaults } from "../../helpers/schema";
import { readPlan } from "../k8s/plan-objects";
import { engine, ROOT } from "../lib/env";
import { recordEngines, scenario } from "../lib/summary";

const STACKS = ["dev", "prod"] as const;
type Stack = (typeof STACKS)[number];
const UNIT_TESTS = path.join(ROOT, "test", "integration", "prometheus");
const RULE_FILE = "platform-rules.yaml";
const CHART_VALUES = "kube-prometheus-stack-81.6.2.values.yaml";

interface RuleGroup {
    name: string;
    rules: { alert?: string; record?: string; expr: string; for?: string }[];
}

const tools = () => engine("prometheus-tools").env!;
const tmp = (label: string) => fs.mkdtempSync(path.join(os.tmpdir(), `pr-cybr-${label}-`));

function exec(tool: "PR_CYBR_PROMTOOL" | "PR_CYBR_AMTOOL", args: string[], cwd?: string) {
    const r = spawnSync(tools()[tool], args, { cwd, encoding: "utf8" });
    if (r.error) throw new Error(`${tool}: ${r.error.message} (run \`npm run integration:env -- up --only prometheus-tools\`)`);
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** The kube-prometheus-stack Application's Helm values in the stack's plan. */
function kubePrometheusStackValues(stack: Stack): any {
    const plan = readPlan(path.join(process.env.PR_CYBR_SHARED_PLANS!, `${stack}.plan.json`));
    const app = plan.resources.find((r) => r.type === "kubernetes:argoproj.io/v1alpha1:Application" && r.inputs.spec?.source?.chart === "kube-prometheus-stack");
    if (!app) throw new Error(`${stack}: no kube-prometheus-stack Application in the plan`);
    return app.inputs.spec.source.helm.valuesObject;
}

/** Every group of every additionalPrometheusRulesMap entry (each entry becomes one PrometheusRule). */
function planRuleGroups(stack: Stack): RuleGroup[] {
    const map = kubePrometheusStackValues(stack).additionalPrometheusRulesMap as Record<string, { groups: RuleGroup[] }>;
    return Object.values(map).flatMap((entry) => entry.groups);
}

function writeRules(dir: string, groups: RuleGroup[]): string {
    const file = path.join(dir, RULE_FILE);
    fs.writeFileSync(file, YAML.stringify({ groups }));
    return file;
}

/** The unit-test files (promtool format), each of which must load platform-rules.yaml. */
function unitTestFiles(): string[] {
    const files = fs.readdirSync(UNIT_TESTS).filter((f) => f.endsWith(".yaml")).sort();
    for (const f of files) {
        const doc = YAML.parse(fs.readFileSync(path.join(UNIT_TESTS, f), "utf8"));
        if (JSON.stringify(doc.rule_files) !== JSON.stringify([RULE_FILE])) throw new Error(`test/integration/prometheus/${f}: rule_files must be [${RULE_FILE}] (the harness writes the plan's rules there)`);
    }
    return files;
}

/** Runs `promtool test rules` on the given unit-test files beside the given rules. */
function testRules(groups: RuleGroup[], tests: Record<string, string>) {
    const dir = tmp("promtool-unit");
    writeRules(dir, groups);
    for (const [name, text] of Object.entries(tests)) fs.writeFileSync(path.join(dir, name), text);
    return exec("PR_CYBR_PROMTOOL", ["test", "rules", ...Object.keys(tests)], dir);
}

/** The Alertmanager config the chart puts in its Secret: ours coalesced over the chart's default. */
function renderedAlertmanagerConfig(config: Record<string, unknown>): Record<string, unknown> {
    return (withChartDefaults(CHART_VALUES, { alertmanager: { config } }) as any).alertmanager.config;
}

function writeAlertmanagerConfig(config: Record<string, unknown>): string {
    const file = path.join(tmp("amtool"), "alertmanager.yaml");
    fs.writeFileSync(file, YAML.stringify(config));
    return file;
}

/** The receiver(s) amtool's routing tree picks for an alert with these labels. */
function routeOf(file: string, labels: Record<string, string>): string {
    const r = exec("PR_CYBR_AMTOOL", ["config", "routes", "test", `--config.file=${file}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)]);
    if (r.status !== 0) throw new Error(`amtool config routes test exited ${r.status}: ${r.output}`);
    return r.output.trim();
}

beforeAll(() => recordEngines(engine("prometheus-tools").versions ?? {}));

scenario("prometheus-rules-check", "promtool check rules accepts the dev and prod rule groups and refuses a broken rule", () => {
    for (const stack of STACKS) {
        const groups = planRuleGroups(stack);
        expect(groups.length).toBeGreaterThan(0);
        const rules = groups.flatMap((g) => g.rules).length;
        // --lint-fatal: duplicate rules fail too, not only unparsable ones.
        const r = exec("PR_CYBR_PROMTOOL", ["check", "rules", "--lint-fatal", writeRules(tmp("promtool-check"), groups)]);
        expect([stack, r.status, r.output]).toEqual([stack, 0, expect.stringContaining(`SUCCESS: ${rules} rules found`)]);
    }
    // The check can fail: an unbalanced expression and a duration promtool cannot parse.
    const groups = planRuleGroups("prod");
    const broken = [{ ...groups[0], rules: [...groups[0].rules, { alert: "Broken", expr: "sum(rate(apiserver_request_total[5m])", for: "5m" }] }, ...groups.slice(1)];
    const bad = exec("PR_CYBR_PROMTOOL", ["check", "rules", writeRules(tmp("promtool-broken"), broken)]);
    expect(bad.status).not.toBe(0);
    expect(bad.output).toMatch(/FAILED|parse error/);
    const badFor = [{ name: "broken-for", rules: [{ alert: "BadFor", expr: "up == 0", for: "5 minutes" }] }];
    expect(exec("PR_CYBR_PROMTOOL", ["check", "rules", writeRules(tmp("promtool-broken"), badFor)]).status).not.toBe(0);
});

scenario("prometheus-rules-unit", "promtool test rules passes every unit-test file on the dev and prod rules, and every alert has firing and non-firing cases", () => {
    const files = unitTestFiles();
    expect(files.length).toBeGreaterThan(0);
    const texts = Object.fromEntries(files.map((f) => [f, fs.readFileSync(path.join(UNIT_TESTS, f), "utf8")]));
    for (const stack of STACKS) {
        const r = testRules(planRuleGroups(stack), texts);
        if (r.status !== 0) throw new Error(`${stack}: promtool test rules failed:\n${r.output}`);
        expect(r.output.match(/SUCCESS/g)?.length).toBe(files.length);
    }
    // Coverage: every alert of the plans is expected to fire somewhere and expected silent somewhere.
    const cases = new Map<string, { fires: number; silent: number }>();
    for (const text of Object.values(texts)) {
        for (const t of YAML.parse(text).tests ?? []) {
            for (const a of t.alert_rule_test ?? []) {
                const c = cases.get(a.alertname) ?? { fires: 0, silent: 0 };
                if ((a.exp_alerts ?? []).length > 0) c.fires++;
                else c.silent++;
                cases.set(a.alertname, c);
            }
        }
    }
    const alerts = [...new Set(STACKS.flatMap((s) => planRuleGroups(s).flatMap((g) => g.rules.map((r) => r.alert).filter((a): a is string => !!a))))].sort();
    expect(alerts.filter((a) => !(cases.get(a)?.fires && cases.get(a)?.silent))).toEqual([]);
    // The harness can fail: the same alert expected an hour early.
    const early = [
        `rule_files: [${RULE_FILE}]`,
        "tests:",
        "  - interval: 1m",
        "    input_series:",
        `      - series: 'certmanager_certificate_renewal_timestamp_seconds{name="web",namespace="org-a"}'`,
        "        values: '1800x120'",
        "    alert_rule_test:",
        "      - eval_time: 50m",
        "        alertname: CertificateNotRenewed",
        "        exp_alerts: [{ exp_labels: { severity: warning, name: web, namespace: org-a } }]",
    ].join("\n");
    const r = testRules(planRuleGroups("prod"), { "early.yaml": early });
    expect(r.status).not.toBe(0);
    expect(r.output).toContain("FAILED");
});

describe("alertmanager", () => {
    scenario("alertmanager-config", "amtool accepts the config the dev and prod charts render; Watchdog and InfoInhibitor go to null, alerts to Slack", () => {
        for (const stack of STACKS) {
            const config = kubePrometheusStackValues(stack).alertmanager.config;
            const rendered = renderedAlertmanagerConfig(config);
            // The chart's inhibit rules survive the merge (ours sets none).
            expect((rendered.inhibit_rules as unknown[]).length).toBe(4);
            const file = writeAlertmanagerConfig(rendered);
            const check = exec("PR_CYBR_AMTOOL", ["check-config", file]);
            expect([stack, check.status, check.output]).toEqual([stack, 0, expect.stringContaining("SUCCESS")]);
            expect(routeOf(file, { alertname: "Watchdog", severity: "none" })).toBe("null");
            // The chart's InfoInhibitor only exists to inhibit info alerts; its own description asks for a null receiver.
            expect(routeOf(file, { alertname: "InfoInhibitor", severity: "none", namespace: "org-a" })).toBe("null");
            expect(routeOf(file, { alertname: "CertificateExpiresWithinAWeek", severity: "critical", namespace: "org-a" })).toBe("slack");
            expect(routeOf(file, { alertname: "KubePodCrashLooping", severity: "warning", namespace: "org-a" })).toBe("slack");
        }
        // Alertmanager parses a receiver's templates only when it notifies: render the Slack title and text
        // as it would for a group of two firing alerts (amtool's template render, Alertmanager's template.Data).
        const slack = (kubePrometheusStackValues("prod").alertmanager.config.receivers as any[]).find((r) => r.name === "slack").slack_configs[0];
        const alert = (name: string) => ({ status: "firing", labels: { alertname: "CertificateNotRenewed", severity: "warning", namespace: "org-a", name }, annotations: { summary: `Certificate org-a/${name} is in its renewal window but was not renewed` }, startsAt: "2026-01-01T00:00:00Z", endsAt: "0001-01-01T00:00:00Z", generatorURL: "", fingerprint: name });
        const data = { receiver: "slack", status: "firing", alerts: [alert("web"), alert("api")], groupLabels: { alertname: "CertificateNotRenewed", namespace: "org-a" }, commonLabels: { alertname: "CertificateNotRenewed", severity: "warning", namespace: "org-a" }, commonAnnotations: {}, externalURL: "http://alertmanager:9093" };
        const dir = tmp("amtool-template");
        fs.writeFileSync(path.join(dir, "data.json"), JSON.stringify(data));
        fs.writeFileSync(path.join(dir, "none.tmpl"), "");
        const render = (text: string) => exec("PR_CYBR_AMTOOL", ["template", "render", `--template.glob=${dir}/*.tmpl`, `--template.data=${dir}/data.json`, `--template.text=${text}`]);
        expect(render(slack.title)).toEqual({ status: 0, output: "[FIRING] CertificateNotRenewed" });
        expect(render(slack.text)).toEqual({ status: 0, output: `${data.alerts.map((a) => a.annotations.summary).join("\n")}\n` });
        // Without a Slack channel (no alertsSlackWebhookSecretId) everything goes to null, and the config still loads.
        const bare = writeAlertmanagerConfig(renderedAlertmanagerConfig(alertmanagerConfig(undefined)));
        expect(exec("PR_CYBR_AMTOOL", ["check-config", bare]).status).toBe(0);
        expect(routeOf(bare, { alertname: "Watchdog", severity: "none" })).toBe("null");
        expect(routeOf(bare, { alertname: "CertificateExpiresWithinAWeek", severity: "critical", namespace: "org-a" })).toBe("null");
        // The checks can fail: a route to a receiver that does not exist, and a wrong expectation.
        const dangling = writeAlertmanagerConfig({ ...renderedAlertmanagerConfig(alertmanagerConfig(undefined)), route: { receiver: "pager" } });
        expect(exec("PR_CYBR_AMTOOL", ["check-config", dangling]).status).not.toBe(0);
        const wrong = exec("PR_CYBR_AMTOOL", ["config", "routes", "test", `--config.file=${bare}`, "--verify.receivers=slack", "alertname=Watchdog"]);
        expect(wrong.status).not.toBe(0);
    });
});
