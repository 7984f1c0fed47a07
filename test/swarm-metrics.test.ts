import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { BACKUP_SUCCESS_METRIC, COLLECTOR_LOCAL_OTLP_HTTP, COLLECTOR_METRICS_PORT, collectorConfig, DOCKERD_METRICS_ADDR, EDGE_LAST_SEEN_METRIC } from "../components/swarm/service-specs";
import { platformAlertGroups } from "../components/gitops/alerting";
import { SWARM_MANAGERS_JOB, swarmAlertGroups } from "../components/gitops/alerting-swarm";
import { ROOT } from "./helpers/config";

const HOST = path.join(ROOT, "components", "swarm", "host");
const script = (name: string) => fs.readFileSync(path.join(HOST, name), "utf8");
const config = YAML.parse(collectorConfig({ region: "eu-west-1", logGroup: "/pr-cybr/s/telemetry", namespace: "PrCybr/Edge" }));

describe("the managers' collector exposes the swarm, backup and edge-liveness series", () => {
    it("scrapes dockerd where the bootstrap's daemon.json serves its metrics (loopback)", () => {
        const scrape = config.receivers["prometheus/dockerd"].config.scrape_configs[0];
        expect(scrape.static_configs[0].targets).toEqual([DOCKERD_METRICS_ADDR]);
        expect(DOCKERD_METRICS_ADDR.startsWith("127.0.0.1:")).toBe(true);
        expect(script("swarm-bootstrap.sh")).toContain('"metrics-addr": "${METRICS_ADDR}"');
        expect(script("swarm-common.sh")).toContain(`METRICS_ADDR=${DOCKERD_METRICS_ADDR}\n`);
    });

    it("takes the backup's report on loopback only, where swarm-backup.sh posts it, under the rules' metric name", () => {
        expect(config.receivers["otlp/local"].protocols.http.endpoint).toBe(COLLECTOR_LOCAL_OTLP_HTTP);
        expect(COLLECTOR_LOCAL_OTLP_HTTP.startsWith("127.0.0.1:")).toBe(true);
        expect(script("swarm-common.sh")).toContain(`COLLECTOR_OTLP_HTTP=http://${COLLECTOR_LOCAL_OTLP_HTTP}\n`);
        expect(script("swarm-backup.sh")).toContain(`"name":"${BACKUP_SUCCESS_METRIC}"`);
        expect(script("swarm-backup.sh")).toContain("${COLLECTOR_OTLP_HTTP}/v1/metrics");
    });

    it("reports only after the upload: the post comes after `aws s3 cp` under set -e", () => {
        const s = script("swarm-backup.sh");
        expect(s).toMatch(/^set -euo pipefail$/m);
        expect(s.indexOf("/v1/metrics")).toBeGreaterThan(s.indexOf("aws s3 cp"));
    });

    it("exports on the port Prometheus scrapes, edge telemetry counted into the liveness pipeline with its two labels", () => {
        expect(config.exporters.prometheus.endpoint).toBe(`0.0.0.0:${COLLECTOR_METRICS_PORT}`);
        const p = config.service.pipelines;
        expect(p.metrics.exporters).toContain("count/edge");
        expect(p["metrics/edge-last-seen"]).toEqual({ receivers: ["count/edge"], processors: ["transform/edge-last-seen"], exporters: ["prometheus"] });
        expect(p["metrics/swarm"].receivers.sort()).toEqual(["otlp/local", "prometheus/dockerd"]);
        expect(Object.keys(config.connectors["count/edge"].datapoints)).toEqual([EDGE_LAST_SEEN_METRIC]);
        const statements = config.processors["transform/edge-last-seen"].metric_statements.flatMap((g: { statements: string[] }) => g.statements).join("\n");
        expect(statements).toContain('set(attributes["edge_node"], resource.attributes["host.name"])');
        expect(statements).toContain('set(attributes["site"], resource.attributes["pr_cybr.site"])');
        // The edge agent sets exactly these resource attributes (components/edge/agent/config.yaml).
        const agent = fs.readFileSync(path.join(ROOT, "components", "edge", "agent", "config.yaml"), "utf8");
        expect(agent).toContain("key: host.name");
        expect(agent).toContain("key: pr_cybr.site");
    });

    it("declares every component a pipeline names", () => {
        const declared = new Set([...Object.keys(config.receivers), ...Object.keys(config.processors), ...Object.keys(config.exporters), ...Object.keys(config.connectors)]);
        for (const [name, p] of Object.entries<Record<string, string[]>>(config.service.pipelines)) {
            for (const c of [...p.receivers, ...(p.processors ?? []), ...p.exporters]) expect(`${name}: ${c} ${declared.has(c)}`).toBe(`${name}: ${c} true`);
        }
    });
});

describe("swarm and edge alert rules", () => {
    const rules = swarmAlertGroups().flatMap((g) => g.rules);

    it("are part of the platform's rules", () => {
        const all = platformAlertGroups().flatMap((g) => g.rules.map((r) => r.alert));
        expect(all).toEqual(expect.arrayContaining(["SwarmManagerDown", "SwarmQuorumLost", "SwarmRaftBackupTooOld", "SwarmRaftBackupNeverSucceeded", "EdgeNodeSilent"]));
    });

    it("read the series the collector exports, on the managers' scrape job", () => {
        const exprs = rules.map((r) => r.expr).join("\n");
        expect(exprs).toContain(`job="${SWARM_MANAGERS_JOB}"`);
        expect(exprs).toContain(BACKUP_SUCCESS_METRIC);
        expect(exprs).toContain(EDGE_LAST_SEEN_METRIC);
    });

    it("link a runbook section that exists", () => {
        for (const r of rules) {
            const m = /\/docs\/runbooks\/([a-z-]+\.md)#(.+)$/.exec(r.annotations.runbook_url);
            expect(m).not.toBeNull();
            const doc = fs.readFileSync(path.join(ROOT, "docs", "runbooks", m![1]), "utf8");
            const anchors = [...doc.matchAll(/^#+ (.+)$/gm)].map((h) => h[1].toLowerCase().replace(/[^a-z0-9 -]/g, "").replace(/ /g, "-"));
            expect(`${r.alert}: ${anchors.includes(m![2])}`).toBe(`${r.alert}: true`);
        }
    });

    it("each has a promtool unit test file naming it", () => {
        const dir = path.join(ROOT, "test", "integration", "prometheus");
        const tests = fs.readdirSync(dir).filter((f) => /^(swarm|edge)-.*\.yaml$/.test(f)).map((f) => fs.readFileSync(path.join(dir, f), "utf8")).join("\n");
        for (const r of rules) expect(`${r.alert}: ${tests.includes(`alertname: ${r.alert}\n`)}`).toBe(`${r.alert}: true`);
    });
});
