// Suite: the Swarm managers on real Docker engines (issue 13 item 2). Three simulated manager hosts
// per scenario, each booted from the prod plan's launch-template user data, against moto and an
// instance-metadata emulator per host. Scenarios run in order, each on a fresh account and fresh hosts.
import { integrationEnv } from "../lib/env";
import { recordEngines, scenario } from "../lib/summary";
import { loadPlan } from "./lib/plan";
import { aws, recordRequests } from "./lib/aws";
import { dockerStoppedIntervals, expectSuccess, leaderOf, localState, nodes, SwarmFixture, until, watchQuorum } from "./lib/swarm";
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

scenario("swarm-backups", "all three backup timers fire together: one manager stopped at a time, quorum kept, backups under the swarm's key", async () => {
    if (live.length !== 3 || !leaderOf(live)) await bootThree();
    const hosts = live;
    const quorum = watchQuorum(() => hosts);
    const firedAt = Date.now();
    let lost: string[];
    let runs;
    let requests;
    try {
        requests = await recordRequests(async () => {
            runs = await Promise.all(hosts.map((h) => h.runUnit(swarm.files, "swarm-backup.service")));
        });
    } finally {
        lost = await quorum.stop();
    }
    runs.forEach((r, i) => expectSuccess(hosts[i], r));
    await until("every manager Ready again", () => nodes(hosts[0]).every((n) => n.status === "Ready") && nodes(hosts[0]).length === 3, 60000);

    const stopped = hosts.flatMap((h) => dockerStoppedIntervals(h).filter((i) => i.from >= firedAt).map((i) => ({ host: h.name, ...i })));
    const overlapping = stopped.filter((a) => stopped.some((b) => a !== b && a.from < b.to && b.from < a.to));
    expect(overlapping).toEqual([]);
    expect(lost).toEqual([]);

    // S3 encrypts an upload that names aws:kms without a key id with the account's aws/s3 key, not the
    // bucket default (PutObject, x-amz-server-side-encryption-aws-kms-key-id); moto does not model that
    // choice, so the uploads are checked as the CLI sent them, and the stored objects as moto keeps them.
    const uploads = requests!.filter((r) => ["PUT", "POST"].includes(r.method) && r.url.includes("/raft/")).map((r) => {
        const h = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v]));
        return { url: r.url.split("?")[0], sse: h["x-amz-server-side-encryption"], kmsKey: h["x-amz-server-side-encryption-aws-kms-key-id"] };
    });
    expect(uploads.length).toBeGreaterThanOrEqual(1);
    for (const u of uploads) if (u.sse !== undefined) expect(u).toEqual({ ...u, sse: "aws:kms", kmsKey: swarm.world.keyArn });
    const objects = aws(["s3api", "list-objects-v2", "--bucket", s.BACKUP_BUCKET, "--prefix", "raft/"]).Contents ?? [];
    expect(objects.length).toBeGreaterThanOrEqual(1);
    for (const o of objects) {
        const head = aws(["s3api", "head-object", "--bucket", s.BACKUP_BUCKET, "--key", o.Key]);
        expect({ key: o.Key, sse: head.ServerSideEncryption, kmsKey: head.SSEKMSKeyId }).toEqual({ key: o.Key, sse: "aws:kms", kmsKey: swarm.world.keyArn });
    }
});
