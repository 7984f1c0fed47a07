// A simulated manager host (hosts/sim-host.sh): its own network and mount namespace, dockerd under a
// systemd stand-in, an instance-metadata emulator, moto on its loopback. It boots the way cloud-init
// would: the launch template's write_files land at their paths, then its units' ExecStart run.
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { engine } from "../../lib/env";
import { awsEnv } from "./aws";
import { unitSettings, WriteFile } from "./plan";

export interface RunResult {
    code: number;
    output: string;
}

const docker = engine("docker-hosts");
const hostsEnv = () => ({ ...process.env, ...(docker.env as Record<string, string>), ...(engine("ec2-metadata-mock").env as Record<string, string>), PR_CYBR_PYTHON: path.join(path.dirname(awsEnv().PR_CYBR_AWS_CLI), "python") });
const simHost = (args: string[], allowFailure = false) => {
    const r = spawnSync("bash", [(docker.env as any).PR_CYBR_SIM_HOST, ...args], { encoding: "utf8", env: hostsEnv() });
    if (r.status !== 0 && !allowFailure) throw new Error(`sim-host.sh ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
    return r;
};

export interface HostIdentity {
    name: string;
    ip: string;
    az: string;
    instanceId: string;
    /** Index of its manager Auto Scaling group. */
    group: number;
    /** Instance tags EC2 would serve in metadata (only when the launch template enables it). */
    metadataTags?: Record<string, string>;
    /** The launch template's IMDS PUT response hop limit, which the emulator's replies then obey. Defaults to none (64). */
    hopLimit?: number;
}

export class SimHost {
    readonly dir: string;
    readonly socket: string;
    private metadataFlags: string[] = ["--asg-termination-delay-sec", String(10 * 365 * 86400)];

    constructor(readonly id: HostIdentity) {
        this.dir = path.join((docker.env as any).PR_CYBR_HOSTS_DIR, id.name);
        this.socket = path.join(this.dir, "fs", "run", "docker.sock");
    }

    get name() {
        return this.id.name;
    }

    /**
     * Powers the machine on: namespaces, metadata, moto; then the user data's files at their paths.
     * An edge device is no EC2 instance: `metadata: false` leaves it without an instance-metadata service.
     */
    create(files: WriteFile[], opts: { metadata?: boolean } = {}): void {
        simHost(["destroy", this.name], true);
        simHost(["create", this.name, this.id.ip]);
        if (opts.metadata ?? true) this.startMetadata();
        simHost(["forward", this.name, new URL(awsEnv().AWS_ENDPOINT_URL).port]);
        for (const f of files) {
            const target = path.join(this.dir, "fs", f.path);
            fs.mkdirSync(path.dirname(target), { recursive: true });
            fs.writeFileSync(target, f.content, { mode: parseInt(f.permissions, 8) });
        }
    }

    /** (Re)starts the metadata emulator; `terminating` makes the target lifecycle state Terminated. */
    startMetadata(opts: { terminating?: boolean } = {}): void {
        if (opts.terminating) this.metadataFlags = ["--asg-termination-delay-sec", "0"];
        const tags = this.id.metadataTags ?? {};
        const [testKey, testValue] = Object.entries(tags).find(([k]) => k !== "Name") ?? [];
        // The emulator serves instance tags at two fixed keys (tags-instance-name, tags-instance-test);
        // the second one's path is moved to the tag the scripts read.
        const config = {
            metadata: {
                paths: testKey ? { "tags-instance-test": `/latest/meta-data/tags/instance/${testKey}` } : {},
                values: {
                    "instance-id": this.id.instanceId,
                    "local-ipv4": this.id.ip,
                    "placement-availability-zone": this.id.az,
                    "placement-region": this.id.az.slice(0, -1),
                    ...(tags.Name ? { "tags-instance-name": tags.Name } : {}),
                    ...(testKey ? { "tags-instance-test": testValue } : {}),
                    "iam-security-credentials": { Code: "Success", LastUpdated: "2026-01-01T00:00:00Z", Type: "AWS-HMAC", AccessKeyId: "testing", SecretAccessKey: "testing", Token: "testing", Expiration: "2099-01-01T00:00:00Z" },
                },
            },
        };
        const file = path.join(this.dir, "metadata.json");
        fs.writeFileSync(file, JSON.stringify(config, null, 2));
        simHost(["metadata", this.name, file, String(this.id.hopLimit ?? 64), ...this.metadataFlags]);
    }

    /** Runs a command inside the host, in the environment a unit gets there (credentials from metadata). */
    run(command: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<RunResult> {
        const shims = (docker.env as any).PR_CYBR_HOST_SHIMS;
        const awsBin = path.dirname(awsEnv().PR_CYBR_AWS_CLI);
        const env = [`PATH=${shims}:${awsBin}:/usr/sbin:/usr/bin:/sbin:/bin`, "HOME=/root", "LANG=C.UTF-8", `AWS_ENDPOINT_URL=${awsEnv().AWS_ENDPOINT_URL}`, ...Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`)];
        return new Promise((resolve) => {
            const child = spawn("bash", [(docker.env as any).PR_CYBR_SIM_HOST, "exec", this.name, "env", "-i", ...env, ...command], { env: hostsEnv() });
            let output = "";
            child.stdout.on("data", (d) => (output += d));
            child.stderr.on("data", (d) => (output += d));
            const timer = opts.timeoutMs ? setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs) : undefined;
            child.on("close", (code) => {
                if (timer) clearTimeout(timer);
                fs.appendFileSync(path.join(this.dir, "units.log"), `$ ${command.join(" ")} -> ${code}\n${output}\n`);
                resolve({ code: code ?? -1, output });
            });
        });
    }

    /** Runs a oneshot unit of the user data the way systemd does: its ExecStart, once. */
    async runUnit(files: WriteFile[], unit: string, env: Record<string, string> = {}): Promise<RunResult> {
        const settings = unitSettings(files, unit);
        return this.run(settings.ExecStart.split(" "), { env });
    }

    /**
     * Runs a long-running unit of the user data the way systemd does, until `deadline`: ExecStart,
     * and again after RestartSec when Restart= says so (systemd.service(5): "always" restarts after
     * any exit, "on-failure" after a non-zero exit only, "no" never). Returns every run.
     */
    async runService(files: WriteFile[], unit: string, deadline: number): Promise<(RunResult & { at: number })[]> {
        const settings = unitSettings(files, unit);
        const restart = settings.Restart ?? "no";
        const restartSec = Number(settings.RestartSec ?? "0.1") * 1000;
        const runs: (RunResult & { at: number })[] = [];
        while (Date.now() < deadline) {
            const at = Date.now();
            const run = await this.run(settings.ExecStart.split(" "), { timeoutMs: Math.max(1000, deadline - at) });
            runs.push({ ...run, at });
            if (!(restart === "always" || (restart === "on-failure" && run.code !== 0))) break;
            await new Promise((r) => setTimeout(r, restartSec));
        }
        return runs;
    }

    /** The engine's CLI over the host's local socket (from the suite's side). */
    docker(args: string[], opts: { allowFailure?: boolean } = {}): string {
        const r = spawnSync("docker", ["-H", `unix://${this.socket}`, ...args], { encoding: "utf8", env: { PATH: process.env.PATH ?? "" } });
        if (r.status !== 0 && !opts.allowFailure) throw new Error(`docker ${args.join(" ")} on ${this.name} exited ${r.status}: ${r.stderr}`);
        return r.status === 0 ? r.stdout.trim() : "";
    }

    /** The host is lost: every process killed at once, the link down (no graceful leave). */
    powerOff(): void {
        simHost(["power-off", this.name]);
    }

    destroy(): void {
        simHost(["destroy", this.name], true);
    }

    log(file: string): string {
        const p = path.join(this.dir, file);
        return fs.existsSync(p) ? fs.readFileSync(p, "utf8") : "";
    }
}
