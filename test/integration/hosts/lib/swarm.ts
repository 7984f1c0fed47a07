// Helpers of the Swarm manager suite: boot hosts from the plan's user data, read the swarm's state.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { aws, resetMoto } from "./aws";
import { SimHost, RunResult } from "./host";
import { issueSwarmPki, SwarmPki } from "./pki";
import { managerUserData, Plan } from "./plan";
import { createSwarmWorld, SwarmWorld } from "./world";

/** How long a joining host waits for a manager (the script's JOIN_WAIT_SECONDS, 600 s on EC2): the suite's bound. */
export const JOIN_WAIT_SECONDS = "90";

export class SwarmFixture {
    readonly files;
    readonly settings: Record<string, string>;
    world!: SwarmWorld;
    pki!: SwarmPki;
    hosts: SimHost[] = [];
    private booted = 0;

    constructor(readonly plan: Plan) {
        const ud = managerUserData(plan);
        this.files = ud.files;
        this.settings = ud.settings;
    }

    /** A fresh account: moto emptied, new PKI, the plan's resources created. */
    async reset(): Promise<void> {
        this.destroyAll();
        await resetMoto();
        this.pki = issueSwarmPki(this.plan, fs.mkdtempSync(path.join(os.tmpdir(), "pr-cybr-swarm-pki-")));
        this.world = createSwarmWorld(this.plan, this.pki);
    }

    /** Launches an instance in manager group `index` and powers its host on (files written, nothing run yet). */
    launch(index: number): SimHost {
        const host = new SimHost(this.world.launch(index, `s${++this.booted}`));
        host.create(this.files);
        this.hosts.push(host);
        return host;
    }

    /** What cloud-init's runcmd starts first: the bootstrap unit (oneshot). */
    bootstrap(host: SimHost): Promise<RunResult> {
        return host.runUnit(this.files, "swarm-bootstrap.service", { JOIN_WAIT_SECONDS });
    }

    /** The host is lost and EC2 marks its instance terminated (the group then launches a replacement). */
    lose(host: SimHost): void {
        host.powerOff();
        this.world.terminate(host.id.instanceId);
    }

    destroyAll(): void {
        for (const h of this.hosts) h.destroy();
        this.hosts = [];
    }

    param(name: string): string | undefined {
        return aws(["ssm", "get-parameter", "--name", name], { allowFailure: true })?.Parameter?.Value;
    }

    secret(name: string): string | undefined {
        return aws(["secretsmanager", "get-secret-value", "--secret-id", name], { allowFailure: true })?.SecretString;
    }

    /** The curl exit code and body of GET /info over the Docker API's TLS port, addressed by the certificate's name. */
    apiInfo(host: SimHost, withClientCert: boolean): { code: number; body: string } {
        const args = ["-sS", "--max-time", "10", "--cacert", this.pki.ca.cert, "--resolve", `${this.pki.apiHostname}:2376:${host.id.ip}`];
        if (withClientCert) args.push("--cert", this.pki.deployer.cert, "--key", this.pki.deployer.key);
        const r = spawnSync("curl", [...args, `https://${this.pki.apiHostname}:2376/info`], { encoding: "utf8" });
        return { code: r.status ?? -1, body: r.stdout + r.stderr };
    }
}

export interface NodeRow {
    id: string;
    hostname: string;
    status: string;
    availability: string;
    manager: string;
    self: boolean;
}

export function nodes(host: SimHost): NodeRow[] {
    return host
        .docker(["node", "ls", "--format", "{{.ID}}|{{.Hostname}}|{{.Status}}|{{.Availability}}|{{.ManagerStatus}}|{{.Self}}"])
        .split("\n")
        .filter(Boolean)
        .map((l) => {
            const [id, hostname, status, availability, manager, self] = l.split("|");
            return { id, hostname, status, availability, manager, self: self === "true" };
        });
}

export function localState(host: SimHost): string {
    return host.docker(["info", "--format", "{{.Swarm.LocalNodeState}}"], { allowFailure: true });
}

export function sleep(ms: number) {
    return new Promise((r) => setTimeout(r, ms));
}

export async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 60000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
        try {
            const v = probe();
            if (v) return v;
        } catch (err) {
            last = err;
        }
        await sleep(500);
    }
    throw new Error(`${what}: not within ${timeoutMs / 1000} s${last ? ` (${(last as Error).message})` : ""}`);
}

/**
 * Polls, once a second, whether the swarm has a leader as seen from the given live managers (a
 * manager answers `docker node ls` only while the Raft quorum holds); `stop()` returns the seconds
 * during which none answered.
 */
export function watchQuorum(managers: () => SimHost[]) {
    const lost: string[] = [];
    let running = true;
    const loop = (async () => {
        while (running) {
            const answered = managers().some((m) => m.docker(["node", "ls", "-q"], { allowFailure: true }) !== "");
            if (!answered) lost.push(new Date().toISOString());
            await sleep(1000);
        }
    })();
    return {
        async stop(): Promise<string[]> {
            running = false;
            await loop;
            return lost;
        },
    };
}

export function leaderOf(hosts: SimHost[]): SimHost | undefined {
    for (const h of hosts) {
        const self = h.docker(["node", "inspect", "self", "--format", "{{.ManagerStatus.Leader}}"], { allowFailure: true });
        if (self === "true") return h;
    }
    return undefined;
}

/** Fails with the unit's own output when it did not exit 0. */
export function expectSuccess(host: SimHost, run: RunResult): void {
    if (run.code !== 0) throw new Error(`${host.name}: the unit exited ${run.code}:\n${run.output.split("\n").slice(-15).join("\n")}`);
}

/** The intervals during which the host's dockerd was stopped, from the systemd stand-in's log. */
export function dockerStoppedIntervals(host: SimHost): { from: number; to: number }[] {
    const intervals: { from: number; to: number }[] = [];
    let stoppedAt: number | undefined;
    for (const line of host.log("fs/run/dockerd.log").split("\n")) {
        const m = /^--- systemctl (start|stop) docker (\S+)$/.exec(line);
        if (!m) continue;
        const t = Date.parse(m[2].slice(0, 23) + "Z");
        if (m[1] === "stop") stoppedAt = t;
        else if (stoppedAt !== undefined) {
            intervals.push({ from: stoppedAt, to: t });
            stoppedAt = undefined;
        }
    }
    if (stoppedAt !== undefined) intervals.push({ from: stoppedAt, to: Infinity });
    return intervals;
}

/** The SHA-256 fingerprint of the certificate the host's Docker API serves on 2376. */
export function servedCertFingerprint(host: SimHost, pki: SwarmPki): string {
    const hello = spawnSync("openssl", ["s_client", "-connect", `${host.id.ip}:2376`, "-servername", pki.apiHostname, "-cert", pki.deployer.cert, "-key", pki.deployer.key, "-CAfile", pki.ca.cert], { input: "", encoding: "utf8", timeout: 10000 });
    const fp = spawnSync("openssl", ["x509", "-noout", "-fingerprint", "-sha256"], { input: hello.stdout, encoding: "utf8" });
    return fp.stdout.trim();
}

export function fileFingerprint(certFile: string): string {
    return spawnSync("openssl", ["x509", "-noout", "-fingerprint", "-sha256", "-in", certFile], { encoding: "utf8" }).stdout.trim();
}
