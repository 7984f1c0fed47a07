// Suite: the Swarm's state as Prometheus metrics (issue 19 item 7). Three manager hosts booted from the
// prod plan's user data; dockerd's metrics endpoint (daemon.json metrics-addr) is scraped from inside
// each host's network namespace, as the collector on the host's network does, and the series the alert
// rules use (components/gitops/alerting-swarm.ts) are checked on the real engine, healthy, with one
// manager stopped and with the quorum lost.
import { integrationEnv } from "../lib/env";
import { recordEngines, scenario } from "../lib/summary";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { engine } from "../lib/env";
import { loadPlan, one } from "./lib/plan";
import { expectSuccess, leaderOf, localState, nodes, SwarmFixture, sleep } from "./lib/swarm";
import { SimHost } from "./lib/host";
import { BACKUP_SUCCESS_METRIC, COLLECTOR_METRICS_PORT, DOCKERD_METRICS_ADDR, EDGE_LAST_SEEN_METRIC } from "../../../components/swarm/service-specs";
import { parseExposition, value } from "./lib/prometheus-text";

const plan = loadPlan("prod");
const swarm = new SwarmFixture(plan);

beforeAll(() => {
    const v = integrationEnv().versions;
    recordEngines({ docker: v.docker, awscli: v.awscli, moto: v.moto, "ec2-metadata-mock": v["ec2-metadata-mock"], "otelcol-managers": v["otelcol-managers"] });
});
afterAll(() => process.env.PR_CYBR_KEEP_HOSTS || swarm.destroyAll());

/** GET /metrics of the host's dockerd from inside the host (loopback), or undefined when nothing answers. */
async function scrape(h: SimHost, address = DOCKERD_METRICS_ADDR) {
    const r = await h.run(["curl", "-fsS", "--max-time", "5", `http://${address}/metrics`]);
    return r.code === 0 ? parseExposition(r.output) : undefined;
}

let hosts: SimHost[] = [];

scenario("swarm-metrics-healthy", "dockerd's metrics endpoint answers on each manager's loopback only; exactly one manager reports Raft leadership, every one reports itself a manager", async () => {
    await swarm.reset();
    hosts = [0, 1, 2].map((i) => swarm.launch(i));
    const runs = await Promise.all(hosts.map((h) => swarm.bootstrap(h)));
    runs.forEach((r, i) => expectSuccess(hosts[i], r));
    const leader = leaderOf(hosts)!;
    const samples = await Promise.all(hosts.map((h) => scrape(h)));
    expect(samples.map((x) => value(x, "swarm_node_manager"))).toEqual([1, 1, 1]);
    expect(samples.map((x) => value(x, "swarm_manager_leader"))).toEqual(hosts.map((h) => (h === leader ? 1 : 0)));
    expect(value(samples[hosts.indexOf(leader)], "swarm_manager_nodes", { state: "ready" })).toBe(3);
    // Loopback only: another host of the VPC (here: a manager's namespace) gets no answer on its address.
    const other = hosts.find((h) => h !== leader)!;
    expect(await scrape(other, `${leader.id.ip}:${DOCKERD_METRICS_ADDR.split(":")[1]}`)).toBeUndefined();
});

scenario("swarm-metrics-manager-down", "a follower's dockerd stops: its endpoint goes silent (the collector's scrape, and so Prometheus' up, fails) while the leader still leads and counts the node down", async () => {
    const leader = leaderOf(hosts)!;
    const follower = hosts.find((h) => h !== leader)!;
    expect((await follower.run(["systemctl", "stop", "docker"])).code).toBe(0);
    expect(await scrape(follower)).toBeUndefined();
    await until("the leader counts one node down", async () => value(await scrape(leader), "swarm_manager_nodes", { state: "down" }) === 1, 90000);
    expect(value(await scrape(leader), "swarm_manager_leader")).toBe(1);
});

scenario("swarm-metrics-quorum-lost", "a second manager stops: the survivor reports no leadership (SwarmQuorumLost's series), and leadership comes back with a majority", async () => {
    const leader = leaderOf(hosts)!;
    const stopped = hosts.find((h) => h !== leader && localState(h) === "active" && h.docker(["info"], { allowFailure: true }) !== "")!;
    const survivors = hosts.filter((h) => h.docker(["info"], { allowFailure: true }) !== "");
    expect(survivors).toHaveLength(2);
    const survivor = survivors.find((h) => h !== stopped)!;
    expect((await stopped.run(["systemctl", "stop", "docker"])).code).toBe(0);
    await until("the survivor reports no leadership", async () => value(await scrape(survivor), "swarm_manager_leader") === 0, 120000);
    expect(value(await scrape(survivor), "swarm_node_manager")).toBe(1);
    // A majority again (one stopped manager back): exactly one manager leads.
    expect((await stopped.run(["systemctl", "start", "docker"])).code).toBe(0);
    await until("one leader among the two", async () => {
        const leading = await Promise.all([stopped, survivor].map(async (h) => value(await scrape(h), "swarm_manager_leader")));
        return leading.filter((v) => v === 1).length === 1 && leading.every((v) => v !== undefined);
    }, 120000);
});

/** The edge agents' OTLP, which arrives over mutual TLS on 4317 in the plan, here plain OTLP/HTTP on the host's loopback. */
const EDGE_OTLP_STANDIN = "127.0.0.1:14317";

/**
 * The plan's collector configuration (the collector service's Docker config) as this suite runs it on a
 * manager: the CloudWatch exporters out (the test build lacks them, see
 * test/integration/tools/swarm-collector/manifest.yaml) and the edge receiver without TLS. Everything
 * that feeds Prometheus is the plan's own.
 */
function collectorTestConfig(): string {
    const c = YAML.parse(one(plan, "docker:index/serviceConfig:ServiceConfig", "collector-config").inputs.dataRaw);
    delete c.exporters.awsemf;
    delete c.exporters.awscloudwatchlogs;
    delete c.service.pipelines.logs;
    c.service.pipelines.metrics.exporters = c.service.pipelines.metrics.exporters.filter((e: string) => e !== "awsemf");
    c.receivers.otlp = { protocols: { http: { endpoint: EDGE_OTLP_STANDIN } } };
    return YAML.stringify(c);
}

/** Starts the test build of the collector on the host's network, as the service runs there; returns its stop. */
async function startCollector(h: SimHost): Promise<() => Promise<void>> {
    fs.writeFileSync(path.join(h.dir, "fs", "etc", "pr-cybr", "collector-test.yaml"), collectorTestConfig());
    const binary = (engine("swarm-collector").env as Record<string, string>).PR_CYBR_SWARM_COLLECTOR;
    const running = h.run(["bash", "-c", `echo $$ >/run/collector-test.pid; exec ${binary} --config=/etc/pr-cybr/collector-test.yaml >/run/collector-test.log 2>&1`]);
    await until(`the collector on ${h.name} exports`, async () => (await scrape(h, `127.0.0.1:${COLLECTOR_METRICS_PORT}`)) !== undefined, 60000);
    // Waits for the run to end too: its log line must land before the hosts are removed.
    return async () => {
        await h.run(["bash", "-c", "kill $(cat /run/collector-test.pid)"]);
        await running;
    };
}

scenario("swarm-metrics-backup", "the plan's collector on each manager exports dockerd's swarm gauges and an edge node's last-seen time; a real backup run makes its success timestamp appear on the manager that backed up, a run whose upload fails leaves it, the next success advances it", async () => {
    // Every manager running and Ready again: the backup skips otherwise.
    for (const h of hosts) expect((await h.run(["systemctl", "start", "docker"])).code).toBe(0);
    await until("three Ready managers", async () => nodes(hosts[0]).filter((n) => n.status === "Ready").length === 3, 120000);
    const stops = await Promise.all(hosts.map((h) => startCollector(h)));
    try {
        const exported = (h: SimHost) => scrape(h, `127.0.0.1:${COLLECTOR_METRICS_PORT}`);
        await until("dockerd's gauges through every collector", async () => (await Promise.all(hosts.map(exported))).every((x) => value(x, "swarm_node_manager") === 1), 90000);
        const leaders = (await Promise.all(hosts.map(exported))).map((x) => value(x, "swarm_manager_leader"));
        expect(leaders.filter((v) => v === 1)).toHaveLength(1);

        // An edge agent's batch (the resource its resource processor sets) becomes its last-seen gauge.
        const sentAt = Math.floor(Date.now() / 1000);
        const batch = { resourceMetrics: [{ resource: { attributes: [{ key: "host.name", value: { stringValue: "pi-lyon-1" } }, { key: "pr_cybr.site", value: { stringValue: "lyon" } }, { key: "os.type", value: { stringValue: "linux" } }] }, scopeMetrics: [{ metrics: [{ name: "system.cpu.load_average.1m", gauge: { dataPoints: [{ asDouble: 0.4, timeUnixNano: `${sentAt}000000000` }] } }] }] }] };
        expect((await hosts[0].run(["curl", "-fsS", "-H", "Content-Type: application/json", "-d", JSON.stringify(batch), `http://${EDGE_OTLP_STANDIN}/v1/metrics`])).code).toBe(0);
        await until("the edge node's last-seen gauge", async () => (value(await exported(hosts[0]), EDGE_LAST_SEEN_METRIC, { edge_node: "pi-lyon-1", site: "lyon" }) ?? 0) >= sentAt, 30000);
        expect(value(await exported(hosts[0]), EDGE_LAST_SEEN_METRIC, { edge_node: "pi-lyon-1", site: "lyon" })).toBeLessThanOrEqual(Date.now() / 1000 + 1);

        // Before any backup: no success series anywhere.
        for (const x of await Promise.all(hosts.map(exported))) expect(value(x, BACKUP_SUCCESS_METRIC)).toBeUndefined();
        const backupAll = () => Promise.all(hosts.map((h) => h.runUnit(swarm.files, "swarm-backup.service")));
        const started = Math.floor(Date.now() / 1000);
        const runs = await backupAll();
        runs.forEach((r, i) => expectSuccess(hosts[i], r));
        const backedUp = hosts.filter((_, i) => runs[i].output.includes("backed up the Raft state"));
        expect(backedUp).toHaveLength(1);
        const first = value(await exported(backedUp[0]), BACKUP_SUCCESS_METRIC, { swarm: swarm.settings.SWARM_NAME })!;
        expect(first).toBeGreaterThanOrEqual(started);
        expect(first).toBeLessThanOrEqual(Date.now() / 1000);
        for (const h of hosts.filter((x) => x !== backedUp[0])) expect(value(await exported(h), BACKUP_SUCCESS_METRIC)).toBeUndefined();

        // The upload fails (S3 unreachable, every other AWS call answered): the run fails, nothing is reported.
        await until("three Ready managers", async () => nodes(hosts[0]).filter((n) => n.status === "Ready").length === 3, 120000);
        const failed = await backedUp[0].runUnit(swarm.files, "swarm-backup.service", { AWS_ENDPOINT_URL_S3: "http://127.0.0.1:9" });
        expect(failed.code).not.toBe(0);
        expect(failed.output).not.toContain("backed up the Raft state");
        expect(value(await exported(backedUp[0]), BACKUP_SUCCESS_METRIC, { swarm: swarm.settings.SWARM_NAME })).toBe(first);

        await until("three Ready managers", async () => nodes(hosts[0]).filter((n) => n.status === "Ready").length === 3, 120000);
        await sleep(1100);
        const again = await backedUp[0].runUnit(swarm.files, "swarm-backup.service");
        expectSuccess(backedUp[0], again);
        expect(again.output).toContain("backed up the Raft state");
        expect(value(await exported(backedUp[0]), BACKUP_SUCCESS_METRIC, { swarm: swarm.settings.SWARM_NAME })).toBeGreaterThan(first);
    } finally {
        await Promise.all(stops.map((stop) => stop()));
    }
});

/** Like lib/swarm's until, for an async probe (a scrape runs inside the host). */
async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (await probe()) return;
        await sleep(1000);
    }
    throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
}
