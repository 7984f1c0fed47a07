// Suite: the Swarm managers on real Docker engines (issue 13 item 2). Three simulated manager hosts
// per scenario, each booted from the prod plan's launch-template user data, against moto and an
// instance-metadata emulator per host. Scenarios run in order, each on a fresh account and fresh hosts.
import { integrationEnv } from "../lib/env";
import { recordEngines, scenario } from "../lib/summary";
import { loadPlan } from "./lib/plan";
import { expectSuccess, leaderOf, localState, nodes, SwarmFixture, until, watchQuorum } from "./lib/swarm";
import { SimHost } from "./lib/host";

const swarm = new SwarmFixture(loadPlan("prod"));
const s = swarm.settings;

beforeAll(() => {
    const v = integrationEnv().versions;
    recordEngines({ docker: v.docker, awscli: v.awscli, moto: v.moto, "ec2-metadata-mock": v["ec2-metadata-mock"] });
});
afterAll(() => swarm.destroyAll());

/** The hosts of the current swarm that are still powered on. */
let live: SimHost[] = [];

async function bootThree() {
    await swarm.reset();
    const hosts = [0, 1, 2].map((i) => swarm.launch(i));
    const runs = await Promise.all(hosts.map((h) => swarm.bootstrap(h)));
    live = hosts;
    return { hosts, runs };
}

scenario("swarm-first-boot", "three hosts boot at once: one init through the SSM lock, two join, tokens stored, mutual TLS", async () => {
    const { hosts, runs } = await bootThree();
    runs.forEach((r, i) => expectSuccess(hosts[i], r));
    const initialised = hosts.filter((_, i) => runs[i].output.includes("holding the init lock"));
    expect(initialised).toHaveLength(1);
    const leader = initialised[0];
    expect(swarm.param(s.LOCK_PARAM)).toBe(leader.id.instanceId);
    expect(swarm.param(s.LEADER_PARAM)).toBe(leader.id.ip);

    const list = nodes(leader);
    expect(list).toHaveLength(3);
    expect(list.every((n) => n.status === "Ready")).toBe(true);
    expect(list.map((n) => n.manager).sort()).toEqual(["Leader", "Reachable", "Reachable"]);
    for (const h of hosts) expect(localState(h)).toBe("active");

    expect(swarm.secret(s.MANAGER_TOKEN_SECRET)).toBe(leader.docker(["swarm", "join-token", "-q", "manager"]));
    expect(swarm.secret(s.WORKER_TOKEN_SECRET)).toBe(leader.docker(["swarm", "join-token", "-q", "worker"]));

    for (const h of hosts) {
        const withCert = swarm.apiInfo(h, true);
        expect(withCert.code).toBe(0);
        expect(JSON.parse(withCert.body).Swarm.LocalNodeState).toBe("active");
        expect(swarm.apiInfo(h, false).code).not.toBe(0);
    }
});

scenario("swarm-leader-loss", "the leader's host is lost; its replacement finds a live manager, joins, removes the Down node, quorum kept", async () => {
    if (live.length !== 3 || !leaderOf(live)) await bootThree();
    const leader = leaderOf(live)!;
    const survivors = live.filter((h) => h !== leader);
    const quorum = watchQuorum(() => live.filter((h) => h !== leader));
    let lost: string[];
    try {
        swarm.lose(leader);
        // The survivors elect a new leader by themselves (2 of 3 keep the quorum).
        await until("a new leader among the survivors", () => leaderOf(survivors), 60000);

        const replacement = swarm.launch(leader.id.group);
        const run = await swarm.bootstrap(replacement);
        expectSuccess(replacement, run);
        expect(run.output).toMatch(/joined the swarm through 10\.99\.0\.\d+/);
        live = [...survivors, replacement];

        const list = nodes(replacement);
        expect(list.filter((n) => n.status === "Down")).toEqual([]);
        expect(list).toHaveLength(3);
        expect(list.map((n) => n.manager).sort()).toEqual(["Leader", "Reachable", "Reachable"]);
    } finally {
        lost = await quorum.stop();
    }
    expect(lost).toEqual([]);
});
