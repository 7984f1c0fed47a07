import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as crypto from "crypto";
import { hostEnvironment, ManagerHostSettings, packUserData, renderManagerUserData, unpackUserData, USER_DATA_LIMIT_BYTES, withoutComments } from "../components/swarm/user-data";
import { ROOT } from "./helpers/config";
import { tempDir } from "./helpers/cli";

const HOST = path.join(ROOT, "components", "swarm", "host");
const STUBS = path.join(ROOT, "test", "fixtures", "swarm-stubs");
const settings: ManagerHostSettings = {
    swarmName: "pr-cybr-dev-swarm",
    region: "us-east-1",
    dockerVersion: "25.0.8",
    lockParam: "/pr-cybr/dev/swarm/init-lock",
    leaderParam: "/pr-cybr/dev/swarm/leader",
    managerTokenSecret: "pr-cybr/dev/swarm/manager-join-token",
    workerTokenSecret: "pr-cybr/dev/swarm/worker-join-token",
    tlsSecretPrefix: "pr-cybr/dev/swarm/dockerd-tls",
    backupBucket: "pr-cybr-dev-swarm-backup-123456789012",
    lifecycleHook: "pr-cybr-dev-swarm-drain",
};
const MANAGER_TOKEN = `SWMTKN-1-${"m".repeat(50)}-${"a".repeat(25)}`;
const WORKER_TOKEN = `SWMTKN-1-${"m".repeat(50)}-${"w".repeat(25)}`;
const key = (s: string) => s.replace(/[/:]/g, "_");

/** A host: a scratch root with the env file, and the shared "AWS" (parameters, secrets) in its stub state. */
function host(opts: { address: string; instanceId: string; dockerd?: string }) {
    const root = tempDir("swarm-host");
    const state = path.join(root, "stub-state");
    fs.mkdirSync(path.join(root, "etc", "pr-cybr"), { recursive: true });
    fs.mkdirSync(state);
    fs.writeFileSync(path.join(root, "etc", "pr-cybr", "swarm.env"), hostEnvironment(settings));
    const write = (name: string, value: string) => fs.writeFileSync(path.join(state, name), value);
    write("instance_id", opts.instanceId);
    write("address", opts.address);
    write("az", "us-east-1b");
    write("dockerd_version", opts.dockerd ?? "25.0.8");
    write("new_manager_token", MANAGER_TOKEN);
    write("new_worker_token", WORKER_TOKEN);
    write("running_managers", "");
    for (const part of ["ca", "cert", "key"]) write(`secret${key(`${settings.tlsSecretPrefix}/${part}`)}`, `-----BEGIN ${part}-----`);
    const run = (script: string, env: Record<string, string> = {}) => {
        const child = spawnSync("bash", [path.join(HOST, script)], {
            encoding: "utf8",
            env: { PATH: `${STUBS}:/usr/bin:/bin`, PR_CYBR_ROOT: root, STUB_STATE: state, JOIN_WAIT_SECONDS: "30", ...env },
        });
        const callsFile = path.join(state, "calls");
        const calls = fs.existsSync(callsFile) ? fs.readFileSync(callsFile, "utf8").split("\n").filter(Boolean) : [];
        return { status: child.status, output: child.stdout + child.stderr, calls };
    };
    return { root, state, write, run, read: (name: string) => fs.readFileSync(path.join(state, name), "utf8") };
}

describe("swarm-bootstrap.sh (run against stub docker and aws)", () => {
    it("first manager: takes the lock, inits, records the leader, publishes both tokens, labels its AZ", () => {
        const h = host({ address: "10.20.0.10", instanceId: "i-first", dockerd: "24.0.1" });
        const run = h.run("swarm-bootstrap.sh");
        expect(run.status).toBe(0);
        expect(run.calls).toContain('dnf install -y docker-25.0.8*');
        expect(run.calls.filter((c) => c.startsWith("docker swarm init"))).toEqual(["docker swarm init --advertise-addr 10.20.0.10 --listen-addr 10.20.0.10:2377"]);
        expect(h.read(`param${key(settings.lockParam)}`).trim()).toBe("i-first");
        expect(h.read(`param${key(settings.leaderParam)}`).trim()).toBe("10.20.0.10");
        expect(h.read(`secret${key(settings.managerTokenSecret)}`).trim()).toBe(MANAGER_TOKEN);
        expect(h.read(`secret${key(settings.workerTokenSecret)}`).trim()).toBe(WORKER_TOKEN);
        expect(run.calls).toContain("docker node update --label-add az=us-east-1b --label-add role=manager node-self");
        const daemon = JSON.parse(fs.readFileSync(path.join(h.root, "etc", "docker", "daemon.json"), "utf8"));
        expect(daemon).toMatchObject({ tlsverify: true, hosts: ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2376"] });
        expect(fs.statSync(path.join(h.root, "etc", "docker", "tls", "server-key.pem")).mode & 0o777).toBe(0o600);

        // Re-running (docker now installed) changes nothing: no init, no join, no token written again, no reinstall.
        h.write("dockerd_version", "25.0.8");
        const again = h.run("swarm-bootstrap.sh");
        expect(again.status).toBe(0);
        const second = again.calls.slice(run.calls.length);
        expect(second.filter((c) => /swarm (init|join )|put-secret-value|put-parameter|dnf install/.test(c))).toEqual([]);
    });

    it("second manager: finds the lock taken, joins a live manager with the stored token, removes a Down manager", () => {
        const h = host({ address: "10.20.16.10", instanceId: "i-second" });
        h.write(`param${key(settings.lockParam)}`, "i-first");
        h.write(`param${key(settings.leaderParam)}`, "10.20.0.99");
        h.write(`secret${key(settings.managerTokenSecret)}`, MANAGER_TOKEN);
        h.write(`secret${key(settings.workerTokenSecret)}`, WORKER_TOKEN);
        h.write("expected_token", MANAGER_TOKEN);
        h.write("running_managers", "10.20.32.10\n10.20.16.10\n");
        h.write("reachable", "10.20.32.10:2377\n");
        h.write("node_ls", "abc123 Down false\nself99 Ready true\ndef456 Ready false\n");
        const run = h.run("swarm-bootstrap.sh");
        expect(run.status).toBe(0);
        expect(run.calls.some((c) => c.startsWith("docker swarm init"))).toBe(false);
        // The recorded leader (10.20.0.99) is gone and its port does not answer; a running manager takes the join.
        expect(run.calls.filter((c) => c.startsWith("docker swarm join "))).toEqual([`docker swarm join --token ${MANAGER_TOKEN} --advertise-addr 10.20.16.10 10.20.32.10:2377`]);
        expect(run.output).toContain("joined the swarm through 10.20.32.10");
        expect(run.calls).toEqual(expect.arrayContaining(["docker node demote abc123", "docker node rm --force abc123"]));
        expect(run.calls.filter((c) => /node (demote|rm).*(self99|def456)/.test(c))).toEqual([]);
        expect(run.calls.filter((c) => c.includes("put-secret-value"))).toEqual([]);
    });

    it("after a total loss (the old swarm's token still stored), breaks the lock of a gone holder once and re-initialises", () => {
        const h = host({ address: "10.20.0.11", instanceId: "i-new" });
        h.write(`param${key(settings.lockParam)}`, "i-dead");
        h.write(`param${key(settings.leaderParam)}`, "10.20.0.99");
        h.write(`secret${key(settings.managerTokenSecret)}`, MANAGER_TOKEN);
        h.write("holder_state", "terminated");
        h.write("running_managers", "10.20.0.11\n");
        h.write("reachable", "");
        const run = h.run("swarm-bootstrap.sh");
        expect(run.status).toBe(0);
        expect(run.output).toContain("the init lock is held by i-dead, which is gone, and no manager answers: breaking it");
        expect(h.read(`param${key(`${settings.lockParam}-broken-i-dead`)}`).trim()).toBe("i-new");
        expect(run.calls.filter((c) => c.startsWith("docker swarm init"))).toHaveLength(1);
        expect(h.read(`param${key(settings.lockParam)}`).trim()).toBe("i-new");
    });

    it("leaves a gone holder's lock alone while a manager still answers (no second swarm)", () => {
        const h = host({ address: "10.20.0.13", instanceId: "i-late" });
        h.write(`param${key(settings.lockParam)}`, "i-dead");
        h.write(`secret${key(settings.managerTokenSecret)}`, "SWMTKN-1-stale");
        h.write("holder_state", "terminated");
        h.write("running_managers", "10.20.32.10\n");
        h.write("reachable", "10.20.32.10:2377\n");
        h.write("expected_token", MANAGER_TOKEN);
        const run = h.run("swarm-bootstrap.sh", { JOIN_WAIT_SECONDS: "10" });
        expect(run.status).toBe(1);
        expect(run.calls.some((c) => c.startsWith("docker swarm init") || c.includes("delete-parameter"))).toBe(false);
    });

    it("gives up with an error (not a second swarm) when no manager can be joined", () => {
        const h = host({ address: "10.20.0.12", instanceId: "i-lonely" });
        h.write(`param${key(settings.lockParam)}`, "i-first");
        h.write(`secret${key(settings.managerTokenSecret)}`, MANAGER_TOKEN);
        h.write("expected_token", MANAGER_TOKEN);
        h.write("reachable", "");
        const run = h.run("swarm-bootstrap.sh", { JOIN_WAIT_SECONDS: "20" });
        expect(run.status).toBe(1);
        expect(run.output).toContain("no manager to join after 20s");
        expect(run.calls.some((c) => c.startsWith("docker swarm init"))).toBe(false);
    });

    it("waits for the TLS material Pulumi stores after the API load balancer exists, then gives up with a message", () => {
        const h = host({ address: "10.20.0.10", instanceId: "i-first" });
        for (const part of ["ca", "cert", "key"]) fs.rmSync(path.join(h.state, `secret${key(`${settings.tlsSecretPrefix}/${part}`)}`));
        const run = h.run("swarm-bootstrap.sh", { JOIN_WAIT_SECONDS: "20" });
        expect(run.status).toBe(1);
        expect(run.output).toContain("Secrets Manager has no TLS material under pr-cybr/dev/swarm/dockerd-tls");
        expect(run.calls.filter((c) => c === "sleep 10")).toHaveLength(2);
        expect(run.calls.some((c) => c.startsWith("docker swarm"))).toBe(false);
    });

    it("never prints a join token or key material", () => {
        const h = host({ address: "10.20.0.10", instanceId: "i-first" });
        const run = h.run("swarm-bootstrap.sh");
        expect(run.output).not.toMatch(/SWMTKN|BEGIN/);
        expect(run.calls.filter((c) => c.startsWith("aws")).join("\n")).not.toMatch(/SWMTKN/);
    });
});

describe("swarm-lifecycle.sh and swarm-backup.sh", () => {
    it("on termination: drains, demotes while other managers remain, leaves, and lets the termination continue", () => {
        const h = host({ address: "10.20.0.10", instanceId: "i-first" });
        h.write("swarm_state", "active");
        h.write("lifecycle_state", "Terminated");
        h.write("node_ls", "Ready\nReady\nReady\n");
        const run = h.run("swarm-lifecycle.sh", { ONCE: "1" });
        expect(run.status).toBe(0);
        expect(run.calls).toEqual(expect.arrayContaining(["docker node update --availability drain node-self", "docker node demote node-self", "docker swarm leave --force"]));
        expect(h.read("lifecycle_completed")).toContain("--lifecycle-hook-name pr-cybr-dev-swarm-drain");
        expect(h.read("lifecycle_completed")).toContain("--lifecycle-action-result CONTINUE");
    });

    it("does nothing while the instance is in service", () => {
        const h = host({ address: "10.20.0.10", instanceId: "i-first" });
        h.write("swarm_state", "active");
        const run = h.run("swarm-lifecycle.sh", { ONCE: "1" });
        expect(run.status).toBe(0);
        expect(run.calls.filter((c) => c.startsWith("docker"))).toEqual([]);
    });

    it("backs up the Raft state of a single-manager swarm to the bucket, restarting docker", () => {
        const h = host({ address: "10.20.0.10", instanceId: "i-first" });
        h.write("swarm_state", "active");
        h.write("node_ls", "node-self Ready Leader\n");
        const run = h.run("swarm-backup.sh");
        expect(run.status).toBe(0);
        expect(run.calls).toEqual(expect.arrayContaining(["systemctl stop docker", "systemctl start docker"]));
        // Out of the load balancers (Standby) and drained before dockerd stops; back after it starts.
        const at = (re: RegExp) => run.calls.findIndex((c) => re.test(c));
        const stop = at(/^systemctl stop docker$/);
        expect(at(/^aws autoscaling enter-standby .*--instance-ids i-first --should-decrement-desired-capacity/)).toBeLessThan(stop);
        expect(at(/^docker node update --availability drain/)).toBeLessThan(stop);
        expect(at(/^docker node update --availability active/)).toBeGreaterThan(stop);
        expect(at(/^aws autoscaling exit-standby .*--instance-ids i-first/)).toBeGreaterThan(at(/^systemctl start docker$/));
        // No --sse: the bucket's default (the swarm's key) applies; see swarm-backup.sh.
        expect(h.read("backup_uploaded")).toMatch(/^--only-show-errors \S+ s3:\/\/pr-cybr-dev-swarm-backup-123456789012\/raft\/\d{4}\/\d{2}\/\d{2}\/\d{6}-i-first-10\.20\.0\.10\.tar\.gz$/m);
    });

    it("backs up on one follower only (the lowest node ID) while every other manager is Ready and reachable", () => {
        const three = "aaa Ready Leader\nnode-self Ready Reachable\nbbb Ready Reachable\n";
        const h = host({ address: "10.20.0.10", instanceId: "i-first" });
        h.write("swarm_state", "active");
        h.write("node_ls", three);
        const designatedElsewhere = h.run("swarm-backup.sh");
        expect(designatedElsewhere.output).toContain("the follower bbb takes the backup");
        expect(designatedElsewhere.calls).not.toContain("systemctl stop docker");
        h.write("node_ls", "aaa Ready Leader\nnode-self Ready Reachable\nzzz Down Unreachable\n");
        const degraded = h.run("swarm-backup.sh");
        expect(degraded.output).toContain("a manager is not Ready and reachable");
        expect(degraded.calls).not.toContain("systemctl stop docker");
    });
});

describe("swarm-tls-refresh.sh", () => {
    /** A manager that booted with the current material, then Pulumi renewed the certificate. */
    function renewed(nodeLs: string) {
        const h = host({ address: "10.20.0.10", instanceId: "i-first" });
        const tls = path.join(h.root, "etc", "docker", "tls");
        fs.mkdirSync(tls, { recursive: true });
        for (const [part, file] of [["ca", "ca.pem"], ["cert", "server-cert.pem"], ["key", "server-key.pem"]]) fs.writeFileSync(path.join(tls, file), `-----BEGIN ${part}-----`);
        h.write("swarm_state", "active");
        h.write("node_ls", nodeLs);
        return { h, tls };
    }
    const renew = (h: ReturnType<typeof host>) => h.write(`secret${key(`${settings.tlsSecretPrefix}/cert`)}`, "-----BEGIN renewed-----");

    it("does nothing while the stored certificate is the one installed", () => {
        const { h } = renewed("Ready true\nReady false\n");
        const run = h.run("swarm-tls-refresh.sh");
        expect(run.status).toBe(0);
        expect(run.output).toContain("TLS material unchanged");
        expect(run.calls).not.toContain("systemctl restart docker");
    });

    it("installs a renewed certificate and restarts dockerd when every other manager is Ready", () => {
        const { h, tls } = renewed("Ready true\nReady false\nReady false\n");
        renew(h);
        h.write("manager_ids", "node-self\nzzz\n");
        const run = h.run("swarm-tls-refresh.sh");
        expect(run.status).toBe(0);
        expect(fs.readFileSync(path.join(tls, "server-cert.pem"), "utf8")).toContain("renewed");
        expect(run.calls).toContain("systemctl restart docker");
        expect(run.output).not.toMatch(/BEGIN/);
    });

    it("lets the managers before it (node-ID order) serve the renewed certificate first, so two never restart together", () => {
        const { h, tls } = renewed("Ready true\nReady false\nReady false\n");
        renew(h);
        h.write("manager_ids", "aaa\nnode-self\n");
        const waits = h.run("swarm-tls-refresh.sh");
        expect(waits.status).toBe(0);
        expect(waits.output).toContain("manager aaa renews first");
        expect(waits.calls).not.toContain("systemctl restart docker");
        h.write("served_cert", fs.readFileSync(path.join(h.state, `secret${key(`${settings.tlsSecretPrefix}/cert`)}`), "utf8"));
        const restarts = h.run("swarm-tls-refresh.sh");
        expect(restarts.calls).toContain("systemctl restart docker");
        expect(fs.readFileSync(path.join(tls, "server-cert.pem"), "utf8")).toContain("renewed");
    });

    it("waits for the next run while another manager is down, so two never restart at once", () => {
        const { h, tls } = renewed("Ready true\nDown false\nReady false\n");
        renew(h);
        const run = h.run("swarm-tls-refresh.sh");
        expect(run.status).toBe(0);
        expect(run.output).toContain("retrying on the next run");
        expect(fs.readFileSync(path.join(tls, "server-cert.pem"), "utf8")).not.toContain("renewed");
        expect(run.calls).not.toContain("systemctl restart docker");
    });
});

describe("manager user data", () => {
    const text = renderManagerUserData(settings);

    it("is cloud-config under EC2's 16 KiB limit (counted gzip-compressed, as sent) with the real scripts and no secret", () => {
        expect(text.startsWith("#cloud-config\n")).toBe(true);
        const packed = Buffer.from(packUserData(text), "base64");
        expect(packed.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
        expect(packed.length).toBeLessThanOrEqual(USER_DATA_LIMIT_BYTES);
        expect(unpackUserData(packed.toString("base64"))).toBe(text);
        expect(text).toContain(withoutComments(fs.readFileSync(path.join(HOST, "swarm-bootstrap.sh"), "utf8")).split("\n")[3]);
        expect(text).not.toMatch(/SWMTKN-1-[a-z0-9]{20,}|PRIVATE KEY-----|BEGIN CERTIFICATE/);
        expect(text).toContain("MANAGER_TOKEN_SECRET='pr-cybr/dev/swarm/manager-join-token'");
    });

    it("is packed within EC2's real limit: 16,384 bytes of user data (before base64); one byte over is refused", () => {
        // The text alone had reached 16,366 of those bytes; compressed, scripts can grow again.
        expect(USER_DATA_LIMIT_BYTES).toBe(16384);
        // Random bytes do not compress: 12,270 of them (16,360 characters of base64) pack to about 12.3 KB
        // and fit, 12,400 more do not.
        const random = (n: number) => `#cloud-config\n# ${crypto.randomBytes(n).toString("base64")}\n`;
        expect(Buffer.from(packUserData(random(12270)), "base64").length).toBeLessThanOrEqual(16384);
        expect(() => packUserData(random(24670))).toThrow(/gzip-compressed, over EC2's 16384/);
    });

    it("refuses settings a shell file cannot carry", () => {
        expect(() => hostEnvironment({ ...settings, region: "us-east-1'; rm -rf /" })).toThrow("swarm host setting AWS_REGION");
    });
});
