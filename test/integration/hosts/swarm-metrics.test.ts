// Suite: the Swarm's state as Prometheus metrics (issue 19 item 7). Three manager hosts booted from the
// prod plan's user data; dockerd's metrics endpoint (daemon.json metrics-addr) is scraped from inside
// each host's network namespace, as the collector on the host's network does, and the series the alert
// rules use (components/gitops/alerting-swarm.ts) are checked on the real engine, healthy, with one
// manager stopped and with the quorum lost.
import * as fs from "fs";
import * as path from "path";
import { integrationEnv } from "../lib/env";
import { recordEngines, scenario } from "../lib/summary";
import { loadPlan } from "./lib/plan";
import { expectSuccess, leaderOf, SwarmFixture, until } from "./lib/swarm";
import { SimHost } from "./lib/host";
import { DOCKERD_METRICS_ADDR } from "../../../components/swarm/service-specs";
import { parseExposition, value } from "./lib/prometheus-text";

const swarm = new SwarmFixture(loadPlan("prod"));

beforeAll(() => {
    const v = integrationEnv().versions;
    recordEngines({ docker: v.docker, awscli: v.awscli, moto: v.moto, "ec2-metadata-mock": v["ec2-metadata-mock"] });
});
afterAll(() => process.env.PR_CYBR_KEEP_HOSTS || swarm.destroyAll());

/** GET /metrics of the host's dockerd from inside the host (loopback), or undefined when nothing answers. */
async function scrape(h: SimHost, address = DOCKERD_METRICS_ADDR) {
    const r = await h.run(["curl", "-fsS", "--max-time", "5", `http://${address}/metrics`]);
    return r.code === 0 ? parseExposition(r.output) : undefined;
}

let hosts: SimHost[] = [];

scenario("swarm-metrics-healthy", "dockerd's metrics endpoint answers on each manager's loopback only; the leader reports itself and every node ready, the followers report no leadership", async () => {
    await swarm.reset();
    hosts = [0, 1, 2].map((i) => swarm.launch(i));
    const runs = await Promise.all(hosts.map((h) => swarm.bootstrap(h)));
    runs.forEach((r, i) => expectSuccess(hosts[i], r));
    const leader = leaderOf(hosts)!;
    const out = await hosts[0].run(["curl", "-fsS", "--max-time", "5", `http://${DOCKERD_METRICS_ADDR}/metrics`]);
    fs.writeFileSync(path.join("/tmp", "dockerd-metrics.txt"), out.output);
    const samples = await Promise.all(hosts.map((h) => scrape(h)));
    console.log(hosts.map((h, i) => `${h.name} leader=${h === leader} ${JSON.stringify(samples[i]?.filter((s) => s.name.startsWith("swarm_")))}`).join("\n"));
});
