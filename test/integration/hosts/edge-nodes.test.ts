// Suite: edge nodes (issue 13 item 4), `edge-install`, `edge-rerun`, `edge-rotation`. The prod plan's
// rendered install script of an amd64 node of each VPN flavour runs on a simulated device (its own
// engine, no instance metadata) against moto's Secrets Manager and a real one-manager swarm; an arm64
// node's script meets this amd64 machine. Replaced at the download boundary (hosts/lib/edge-device.ts,
// hosts/edge): the AWS CLI v2 and signing-helper downloads, the apt keys and pinned packages (Docker
// 25.0.8: Debian's 20.10 engine runs; Tailscale, ZeroTier: their CLIs), and the two image pulls.
import * as fs from "fs";
import * as path from "path";
import { integrationEnv } from "../lib/env";
import { recordEngines, scenario } from "../lib/summary";
import { deviceEnv, EdgeDevice, EdgePki, powerOnDevice } from "./lib/edge-device";
import { SimHost } from "./lib/host";
import { loadPlan } from "./lib/plan";
import { expectSuccess, SwarmFixture } from "./lib/swarm";

const swarm = new SwarmFixture(loadPlan("prod"));
const pki = new EdgePki();
const devices: SimHost[] = [];
let manager: SimHost;

beforeAll(async () => {
    const v = integrationEnv().versions;
    recordEngines({ docker: v.docker, awscli: v.awscli, moto: v.moto });
    await swarm.reset();
    manager = swarm.launch(0);
    expectSuccess(manager, await swarm.bootstrap(manager));
}, 300000);
afterAll(() => {
    if (process.env.PR_CYBR_KEEP_HOSTS) return;
    devices.forEach((d) => d.destroy());
    swarm.destroyAll();
});

type Device = EdgeDevice;

/** Powers a device on for `node` (hosts/lib/edge-device.ts): identity provisioned, the NLB's name resolving to the manager, stand-in images loaded. */
async function device(node: string, ip: string): Promise<Device> {
    const d = await powerOnDevice({ name: `e${devices.length + 1}`, ip, node, plan: swarm.plan, manager, workerTokenSecret: swarm.settings.WORKER_TOKEN_SECRET, pki });
    devices.push(d.host);
    return d;
}

const inspect = (d: Device, name: string) => JSON.parse(d.host.docker(["inspect", name]))[0];
const installed: Device[] = [];

scenario("edge-install", "an amd64 node of each VPN flavour installs from its rendered script: joins the swarm as a worker with its labels, runs the connector and agent with their limits", async () => {
    const problems: string[] = [];
    for (const [node, ip] of [["n0d3-may-02", "10.99.0.201"], ["n0d3-sju-03", "10.99.0.202"]]) {
        const d = await device(node, ip);
        const run = await d.run();
        if (run.code !== 0) throw new Error(`${node}: the installer exited ${run.code}:\n${run.output.split("\n").slice(-20).join("\n")}\ndockerd: ${d.host.log("fs/run/dockerd.log").split("\n").slice(-8).join("\n")}`);
        installed.push(d);
        const s = d.settings;
        const nodeId = d.host.docker(["info", "--format", "{{.Swarm.NodeID}}"]);
        const seen = JSON.parse(manager.docker(["node", "inspect", nodeId]))[0];
        if (seen.Spec.Role !== "worker") problems.push(`${node}: role ${seen.Spec.Role}`);
        if (seen.Status.Addr !== d.host.id.ip) problems.push(`${node}: advertises ${seen.Status.Addr}, not its VPN address ${d.host.id.ip}`);
        const labels = seen.Description.Engine.Labels ?? {};
        const want: Record<string, string> = { site: s.NODE_SITE, arch: s.NODE_ARCH, profile: s.NODE_PROFILE, "pr-cybr.io/edge": "true", ...Object.fromEntries(s.NODE_CAPABILITIES.split(",").filter(Boolean).map((c) => [`capability.${c}`, "true"])) };
        for (const [k, v] of Object.entries(want)) if (labels[k] !== v) problems.push(`${node}: engine label ${k}=${labels[k]}, want ${v}`);
        for (const [name, memory, nanoCpus] of [["pr-cybr-cloudflared", 128 * 2 ** 20, 0.25e9], ["pr-cybr-agent", 256 * 2 ** 20, 0.2e9]] as const) {
            const c = inspect(d, name);
            if (!c.State.Running) problems.push(`${node}: ${name} is not running (${c.State.Status})`);
            if (c.HostConfig.Memory !== memory) problems.push(`${node}: ${name} memory limit ${c.HostConfig.Memory}, want ${memory}`);
            if (c.HostConfig.NanoCpus !== nanoCpus) problems.push(`${node}: ${name} CPU limit ${c.HostConfig.NanoCpus}, want ${nanoCpus}`);
            if (!c.HostConfig.ReadonlyRootfs || JSON.stringify(c.HostConfig.CapDrop) !== '["ALL"]') problems.push(`${node}: ${name} root fs writable or capabilities kept`);
        }
        // The limits hold in the kernel, not only in the engine's record.
        // cgroup v2 memory.max, or v1's memory.limit_in_bytes (this machine's kernel mounts v1).
        const max = await d.host.run(["docker", "exec", "pr-cybr-agent", "sh", "-c", "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes"], { env: deviceEnv("/nonexistent") });
        if (max.output.trim() !== String(256 * 2 ** 20)) problems.push(`${node}: the agent's cgroup memory.max is ${max.output.trim()}`);
        const missing = d.host.log("fs/run/downloads.log").split("\n").filter((l) => l.startsWith("MISSING"));
        if (missing.length) problems.push(`${node}: downloads without a stand-in: ${missing.join(", ")}`);
    }
    expect(problems).toEqual([]);
}, 900000);

scenario("edge-rerun", "a second run of the installer on an installed node changes nothing", async () => {
    expect(installed.length).toBe(2);
    for (const d of installed) {
        const before = ["pr-cybr-cloudflared", "pr-cybr-agent"].map((n) => inspect(d, n).Id);
        const run = await d.run();
        expectSuccess(d.host, run);
        expect(run.output).toContain(`${d.node}: up to date`);
        expect(["pr-cybr-cloudflared", "pr-cybr-agent"].map((n) => inspect(d, n).Id)).toEqual(before);
    }
}, 600000);

scenario("edge-rotation", "a renewed certificate in the bundle replaces the node's and restarts the agent with it; the connector stays", async () => {
    const d = installed[0];
    const connector = inspect(d, "pr-cybr-cloudflared").Id;
    const agent = inspect(d, "pr-cybr-agent").Id;
    d.bundle(2);
    const run = await d.run();
    expectSuccess(d.host, run);
    expect(run.output).toMatch(/changed .*node\.crt/);
    const renewed = fs.readFileSync(path.join(d.host.dir, "fs/etc/pr-cybr/edge/identity/node.crt"), "utf8");
    expect(renewed.trim()).toBe(pki.file(`${d.node}-2.crt`).trim());
    expect(inspect(d, "pr-cybr-agent").Id).not.toBe(agent);
    expect(inspect(d, "pr-cybr-cloudflared").Id).toBe(connector);
    // The renewed certificate is the credential from now on: the next run signs in with it.
    expectSuccess(d.host, await d.run());
}, 600000);

scenario("edge-install-wrong-arch", "an arm64 node's installer refuses this amd64 machine before it changes anything", async () => {
    const d = await device("n0d3-may-01", "10.99.0.203");
    const run = await d.run();
    expect(run.code).not.toBe(0);
    expect(run.output).toContain("this machine is amd64, but n0d3-may-01 is configured as arm64 (edge.nodes[].arch)");
    expect(d.host.log("fs/run/downloads.log")).toBe("");
}, 300000);
