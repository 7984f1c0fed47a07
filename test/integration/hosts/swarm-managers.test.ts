// Suite: the Swarm managers on real Docker engines (issue 13 item 2). Three simulated manager hosts
// per scenario, each booted from the prod plan's launch-template user data, against moto and an
// instance-metadata emulator per host. Scenarios run in order, each on a fresh account and fresh hosts.
import { spawnSync } from "child_process";
import * as fs from "fs";
import { engine, integrationEnv } from "../lib/env";
import { recordEngines, scenario } from "../lib/summary";
import { loadPlan } from "./lib/plan";
import { aws, awsEnv, recordRequests } from "./lib/aws";
import { dockerStoppedIntervals, expectSuccess, fileFingerprint, leaderOf, servedCertFingerprint, localState, nodes, SwarmFixture, until, watchQuorum } from "./lib/swarm";
import { RunResult, SimHost } from "./lib/host";

const swarm = new SwarmFixture(loadPlan("prod"));
const s = swarm.settings;

beforeAll(() => {
    const v = integrationEnv().versions;
    recordEngines({ docker: v.docker, awscli: v.awscli, moto: v.moto, "ec2-metadata-mock": v["ec2-metadata-mock"] });
});
// PR_CYBR_KEEP_HOSTS=1 keeps the last scenario's hosts for a look (`down` removes them).
afterAll(() => process.env.PR_CYBR_KEEP_HOSTS || swarm.destroyAll());

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
    swarm.lose(leader);
    // The survivors elect a new leader by themselves: only a majority can, so the election is the quorum
    // holding. Until it, Raft's election window, no manager has a leader to answer through; from then on
    // the API must answer throughout.
    await until("a new leader among the survivors", () => leaderOf(survivors), 60000);
    const quorum = watchQuorum(() => live.filter((h) => h !== leader));
    let lost: string[];
    try {
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

/** The instance's Auto Scaling lifecycle state, asked of moto directly (the CLI is too slow to sample a short window). */
async function lifecycleState(instanceId: string): Promise<string> {
    const body = new URLSearchParams({ Action: "DescribeAutoScalingInstances", Version: "2011-01-01", "InstanceIds.member.1": instanceId });
    const r = await fetch(awsEnv().AWS_ENDPOINT_URL, {
        method: "POST",
        body,
        headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/autoscaling/aws4_request, SignedHeaders=host, Signature=0" },
    });
    return /<LifecycleState>([^<]+)<\/LifecycleState>/.exec(await r.text())?.[1] ?? "none";
}

/** Samples, every 100 ms, whether each host's dockerd runs and where Auto Scaling has its instance. */
function watchBackups(hosts: SimHost[]) {
    const samples: { at: number; host: string; dockerd: boolean; state: string }[] = [];
    let running = true;
    const alive = (h: SimHost) => {
        try {
            process.kill(Number(fs.readFileSync(`${h.dir}/fs/run/docker.pid`, "utf8")), 0);
            return true;
        } catch {
            return false;
        }
    };
    const loop = (async () => {
        while (running) {
            for (const h of hosts) samples.push({ at: Date.now(), host: h.name, dockerd: alive(h), state: await lifecycleState(h.id.instanceId) });
            await new Promise((r) => setTimeout(r, 100));
        }
    })();
    return { stop: async () => ((running = false), await loop, samples) };
}

scenario("swarm-backups", "all three backup timers fire together: one manager stopped at a time, quorum kept, backups under the swarm's key; the one that backs up leaves the load balancers (Standby) and drains before dockerd stops, and a routed global service runs on every manager again after", async () => {
    if (live.length !== 3 || !leaderOf(live)) await bootThree();
    const hosts = live;
    // A routed service as Traefik is: global on managers, a host-mode port behind the load balancer.
    const tarball = (engine("docker-hosts").env as Record<string, string>).PR_CYBR_STANDIN_IMAGE;
    for (const h of hosts) expect((await h.run(["docker", "import", "--change", 'CMD ["sleep", "2147483647"]', tarball, "pr-cybr/standin-base"])).code).toBe(0);
    hosts[0].docker(["service", "create", "--detach", "--name", "routed", "--mode", "global", "--constraint", "node.role == manager", "--publish", "mode=host,target=8080,published=8080", "pr-cybr/standin-base"]);
    // Running tasks (one per node for a global service; the simulated hosts share one host name).
    const runningTasks = () => hosts[0].docker(["service", "ps", "routed", "--filter", "desired-state=running", "--format", "{{.CurrentState}}"]).split("\n").filter((l) => l.startsWith("Running")).length;
    await until("the routed service runs on every manager", () => runningTasks() === 3, 60000);
    const quorum = watchQuorum(() => hosts);
    const watch = watchBackups(hosts);
    const firedAt = Date.now();
    let lost: string[];
    let samples: Awaited<ReturnType<ReturnType<typeof watchBackups>["stop"]>> = [];
    let runs: RunResult[] = [];
    let requests;
    try {
        requests = await recordRequests(async () => {
            // No collector runs on these hosts: the success report is tried once (swarm-metrics-backup proves it).
            runs = await Promise.all(hosts.map((h) => h.runUnit(swarm.files, "swarm-backup.service", { REPORT_RETRIES: "0" })));
        });
    } finally {
        lost = await quorum.stop();
        samples = await watch.stop();
    }
    const doneAt = Date.now();
    runs.forEach((r, i) => expectSuccess(hosts[i], r));
    await until("every manager Ready again", () => nodes(hosts[0]).every((n) => n.status === "Ready") && nodes(hosts[0]).length === 3, 60000);

    const stopped = hosts.flatMap((h) => dockerStoppedIntervals(h).filter((i) => i.from >= firedAt).map((i) => ({ host: h.name, ...i })));
    const overlapping = stopped.filter((a) => stopped.some((b) => a !== b && a.from < b.to && b.from < a.to));
    expect(overlapping).toEqual([]);
    expect(lost).toEqual([]);
    expect(stopped.length).toBe(1);

    // While dockerd was down its instance was out of the load balancers (Standby deregisters it from the
    // group's target groups), and the node had been drained before the stop (the swarm's own events).
    const backupHost = hosts.find((h) => h.name === stopped[0].host)!;
    const down = samples.filter((x) => x.host === backupHost.name && !x.dockerd);
    expect(down.length).toBeGreaterThan(0);
    expect(down.filter((x) => x.state !== "Standby")).toEqual([]);
    const watcher = hosts.find((h) => h !== backupHost)!;
    const events = watcher
        .docker(["events", "--since", String(Math.floor(firedAt / 1000) - 1), "--until", String(Math.ceil(doneAt / 1000) + 1), "--filter", "type=node", "--format", "{{.TimeNano}} {{index .Actor.Attributes \"availability.new\"}}"])
        .split("\n")
        .filter(Boolean)
        .map((l) => ({ at: Number(l.split(" ")[0]) / 1e6, availability: l.split(" ")[1] }));
    const drained = events.find((e) => e.availability === "drain");
    expect(drained && drained.at < stopped[0].from).toBe(true);
    expect(events.some((e) => e.availability === "active" && e.at > stopped[0].to - 1000)).toBe(true);
    // Nothing was lost without replacement: every instance InService, every node active, and the routed
    // service's task back on every manager.
    for (const h of hosts) expect(await lifecycleState(h.id.instanceId)).toBe("InService");
    expect(nodes(hosts[0]).map((n: any) => n.availability ?? "Active")).not.toContain("Drain");
    await until("the routed service runs on every manager again", () => runningTasks() === 3, 60000);
    hosts[0].docker(["service", "rm", "routed"]);

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

/**
 * docs/runbooks/swarm.md "Restore", steps 2-5, as written there, on the one host that runs (in the
 * backup host's subnet). Step 2 is EC2's part: the backup host's address, free since its instance is
 * gone, becomes a secondary address of this host's interface.
 */
const RUNBOOK_RESTORE = `set -euo pipefail
source /etc/pr-cybr/swarm.env
key=$(aws s3api list-objects-v2 --region "$AWS_REGION" --bucket "$BACKUP_BUCKET" --prefix raft/ --query 'sort_by(Contents,&LastModified)[-1].Key' --output text)
old=\${key%.tar.gz}; old=\${old##*-}
eni=$(aws ec2 describe-instances --region "$AWS_REGION" --instance-ids "$(curl -fsS -H "X-aws-ec2-metadata-token: $(curl -fsS -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token)" http://169.254.169.254/latest/meta-data/instance-id)" --query 'Reservations[0].Instances[0].NetworkInterfaces[0].NetworkInterfaceId' --output text)
aws ec2 assign-private-ip-addresses --region "$AWS_REGION" --network-interface-id "$eni" --private-ip-addresses "$old"
ip addr add "$old/24" dev eth0
systemctl stop docker && rm -rf /var/lib/docker/swarm
aws s3 cp --only-show-errors "s3://$BACKUP_BUCKET/$key" /tmp/raft.tgz && tar -xzf /tmp/raft.tgz -C /var/lib/docker
systemctl start docker && docker swarm init --force-new-cluster --advertise-addr "$old"
/opt/pr-cybr/swarm/swarm-bootstrap.sh`;

scenario("swarm-total-loss", "all hosts lost: a fresh host breaks the stale lock and re-initialises, the backup restores services, secrets, configs", async () => {
    if (live.length !== 3 || !leaderOf(live)) await bootThree();
    const leader = leaderOf(live)!;
    leader.docker(["network", "create", "--driver", "overlay", "--opt", "encrypted", "restore-net"]);
    spawnSync("docker", ["-H", `unix://${leader.socket}`, "secret", "create", "restore-secret", "-"], { input: "s3cr3t" });
    spawnSync("docker", ["-H", `unix://${leader.socket}`, "config", "create", "restore-config", "-"], { input: "setting=1" });
    leader.docker(["service", "create", "--detach", "--name", "restore-svc", "--network", "restore-net", "--secret", "restore-secret", "--config", "restore-config", "--replicas", "1", "standin:latest", "sleep", "3600"]);
    const backups = await Promise.all(live.map((h) => h.runUnit(swarm.files, "swarm-backup.service")));
    backups.forEach((r, i) => expectSuccess(live[i], r));
    const backupHost = live.find((h) => backups[live.indexOf(h)].output.includes("backed up the Raft state"))!;

    for (const h of live) swarm.lose(h);
    live = [];
    // The runbook's step 1: one host runs, in the backup host's group; it must re-initialise although
    // the old swarm's lock and token remain.
    const first = swarm.launch(backupHost.id.group);
    const boot = await swarm.bootstrap(first);
    expectSuccess(first, boot);
    expect(boot.output).toContain("which is gone, and no manager answers: breaking it");
    expect(swarm.param(s.LOCK_PARAM)).toBe(first.id.instanceId);

    expectSuccess(first, await first.run(["bash", "-c", RUNBOOK_RESTORE], { env: { JOIN_WAIT_SECONDS: "90" } }));
    live = [first];
    const others = [0, 1, 2].filter((g) => g !== backupHost.id.group).map((g) => swarm.launch(g));
    const joins = await Promise.all(others.map((h) => swarm.bootstrap(h)));
    joins.forEach((r, i) => expectSuccess(others[i], r));
    live = [first, ...others];

    const list = nodes(first);
    expect(list.map((n) => `${n.status} ${n.manager}`).sort()).toEqual(["Ready Leader", "Ready Reachable", "Ready Reachable"]);
    expect(first.docker(["service", "ls", "--format", "{{.Name}}"]).split("\n")).toContain("restore-svc");
    expect(first.docker(["secret", "ls", "--format", "{{.Name}}"]).split("\n")).toContain("restore-secret");
    expect(first.docker(["config", "ls", "--format", "{{.Name}}"]).split("\n")).toContain("restore-config");
    expect(first.docker(["network", "inspect", "restore-net", "--format", "{{.Options}}"])).toContain("encrypted");
});

scenario("swarm-tls-refresh", "the renewed dockerd certificate is picked up by every manager with the quorum kept", async () => {
    if (live.length !== 3 || !leaderOf(live)) await bootThree();
    const hosts = live;
    const renewed = swarm.pki.renewDockerd();
    aws(["secretsmanager", "put-secret-value", "--secret-id", `${s.TLS_SECRET_PREFIX}/cert`, "--secret-string", renewed.certPem]);
    aws(["secretsmanager", "put-secret-value", "--secret-id", `${s.TLS_SECRET_PREFIX}/key`, "--secret-string", renewed.keyPem]);
    const quorum = watchQuorum(() => hosts);
    const firedAt = Date.now();
    let lost: string[];
    // The daily timers of all three managers fire together (the worst case of their random delay);
    // a run that skips is retried, as the next day's timer would.
    try {
        for (let round = 0; round < 3 && hosts.some((h) => servedCertFingerprint(h, swarm.pki) !== fileFingerprint(renewed.cert)); round++) {
            const runs = await Promise.all(hosts.map((h) => h.runUnit(swarm.files, "swarm-tls-refresh.service")));
            runs.forEach((r, i) => expectSuccess(hosts[i], r));
            await until("every manager Ready", () => nodes(hosts[0]).every((n) => n.status === "Ready"), 60000);
        }
    } finally {
        lost = await quorum.stop();
    }
    for (const h of hosts) expect({ host: h.name, served: servedCertFingerprint(h, swarm.pki) }).toEqual({ host: h.name, served: fileFingerprint(renewed.cert) });
    const stopped = hosts.flatMap((h) => dockerStoppedIntervals(h).filter((i) => i.from >= firedAt).map((i) => ({ host: h.name, ...i })));
    expect(stopped.filter((a) => stopped.some((b) => a !== b && a.from < b.to && b.from < a.to))).toEqual([]);
    expect(lost).toEqual([]);
});

scenario("swarm-lifecycle-drain", "a termination lifecycle state: the host drains, demotes, leaves, completes the action once (moto records it)", async () => {
    if (live.length !== 3 || !leaderOf(live)) await bootThree();
    const leader = leaderOf(live)!;
    const host = live.find((h) => h !== leader)!;
    const others = live.filter((h) => h !== host);
    const nodeId = host.docker(["info", "--format", "{{.Swarm.NodeID}}"]);
    const log = (engine("moto") as any).lifecycleLog as string;
    const before = fs.readFileSync(log, "utf8").split("\n").filter(Boolean).length;
    const quorum = watchQuorum(() => others);
    let runs: RunResult[] = [];
    let lost: string[];
    try {
        // The group marks the instance for termination; the unit (started at boot) sees it in metadata.
        host.startMetadata({ terminating: true });
        runs = await host.runService(swarm.files, "swarm-lifecycle.service", Date.now() + 35000);
    } finally {
        lost = await quorum.stop();
    }
    expectSuccess(host, runs[0]);
    // Once the action is complete the unit stays stopped: no run after the one that completed it.
    expect(runs.map((r) => r.code)).toEqual([0]);
    const completed = fs.readFileSync(log, "utf8").split("\n").filter(Boolean).slice(before).map((l) => JSON.parse(l));
    expect(completed).toEqual([{ group: swarm.world.groups[host.id.group], hook: s.LIFECYCLE_HOOK, instance: host.id.instanceId, result: "CONTINUE" }]);
    expect(localState(host)).toBe("inactive");
    const seen = nodes(leader).find((n) => n.id === nodeId);
    expect(seen?.manager ?? "").toBe("");
    expect(seen?.availability).toBe("Drain");
    expect(lost).toEqual([]);
    live = others;
});
