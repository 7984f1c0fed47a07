// Suite: edge nodes (issue 13 item 4), `edge-install`, `edge-rerun`, `edge-rotation`. The prod plan's
// rendered install script of an amd64 node of each VPN flavour runs on a simulated device (its own
// engine, no instance metadata) against moto's Secrets Manager and a real one-manager swarm; an arm64
// node's script meets this amd64 machine. Replaced at the download boundary (hosts/lib/edge-device.ts,
// hosts/edge): the AWS CLI v2 and signing-helper downloads, the apt keys and pinned packages (Docker
// 25.0.8: Debian's 20.10 engine runs; Tailscale, ZeroTier: their CLIs), and the two image pulls.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { integrationEnv } from "../lib/env";
import { recordEngines, scenario } from "../lib/summary";
import { deviceEnv, EdgeDevice, EdgePki, powerOnDevice } from "./lib/edge-device";
import { SimHost } from "./lib/host";
import { loadPlan, resources } from "./lib/plan";
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
const sha256 = (text: string) => crypto.createHash("sha256").update(text, "utf8").digest("hex");

/** Powers a device on for `node` (hosts/lib/edge-device.ts): identity provisioned, the NLB's name resolving to the manager, stand-in images loaded. */
async function device(node: string, ip: string): Promise<Device> {
    const d = await powerOnDevice({ name: `e${devices.length + 1}`, ip, node, plan: swarm.plan, manager, workerTokenSecret: swarm.settings.WORKER_TOKEN_SECRET, pki });
    devices.push(d.host);
    return d;
}

const inspect = (d: Device, name: string) => JSON.parse(d.host.docker(["inspect", name]))[0];
const installed: Device[] = [];

scenario("edge-install", "an amd64 node of each VPN flavour installs from its rendered script: joins the swarm as a worker with its labels, runs the connector, agent and origin (Traefik, answering on localhost:80 only, as nobody) with their limits", async () => {
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
        for (const [name, memory, nanoCpus] of [["pr-cybr-cloudflared", 128 * 2 ** 20, 0.25e9], ["pr-cybr-agent", 256 * 2 ** 20, 0.2e9], ["pr-cybr-traefik", 128 * 2 ** 20, 0.25e9]] as const) {
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
        // The sites' origin, where the site's tunnel sends every hostname (the plan's tunnel config),
        // answers on the node, as nobody, and only on the loopback: from the LAN or the VPN it is closed.
        const tunnelConfig = resources(swarm.plan, "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig").find((c) => c.name.includes(`-${s.NODE_SITE}-`));
        const origin = new URL(tunnelConfig?.inputs.config.ingresses[0].service ?? "http://missing");
        const ping = await d.host.run(["curl", "-sS", "--max-time", "10", `${origin.origin}/ping`]);
        if (ping.output.trim() !== "OK") problems.push(`${node}: the origin ${origin.origin}/ping answered ${JSON.stringify(ping.output.trim())}`);
        const unrouted = await d.host.run(["curl", "-sS", "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}", `${origin.origin}/no-route`]);
        if (unrouted.output.trim() !== "404") problems.push(`${node}: the origin answered ${unrouted.output.trim()} for a path with no route`);
        const traefik = inspect(d, "pr-cybr-traefik");
        if (traefik.Config.User !== "65534:65534") problems.push(`${node}: the origin runs as ${traefik.Config.User || "root"}`);
        const fromLan = await manager.run(["curl", "-sS", "--max-time", "5", `http://${d.host.id.ip}:${origin.port}/ping`]);
        if (fromLan.code === 0) problems.push(`${node}: the origin answers on ${d.host.id.ip}:${origin.port} (${fromLan.output.trim()})`);
        const missing = d.host.log("fs/run/downloads.log").split("\n").filter((l) => l.startsWith("MISSING"));
        if (missing.length) problems.push(`${node}: downloads without a stand-in: ${missing.join(", ")}`);
    }
    expect(problems).toEqual([]);
}, 900000);

scenario("edge-rerun", "a second run of the installer on an installed node changes nothing", async () => {
    expect(installed.length).toBe(2);
    for (const d of installed) {
        const before = ["pr-cybr-cloudflared", "pr-cybr-agent", "pr-cybr-traefik"].map((n) => inspect(d, n).Id);
        const run = await d.run();
        expectSuccess(d.host, run);
        expect(run.output).toContain(`${d.node}: up to date`);
        expect(["pr-cybr-cloudflared", "pr-cybr-agent", "pr-cybr-traefik"].map((n) => inspect(d, n).Id)).toEqual(before);
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

scenario("edge-installer-update", "the daily run of the first install's copy picks up a newer rendered installer from the node's bundle (a new agent image), runs it once its sha256 matches the bundle's and keeps it as the timer's copy; an installer that does not match the hash is refused before anything changes", async () => {
    const d = installed[1];
    const timerCopy = path.join(d.host.dir, "fs/opt/pr-cybr/edge/install-edge-node.sh");
    const first = fs.readFileSync(timerCopy, "utf8");
    expect(first).toBe(d.script);
    // The next render after a new agent image (its stand-in: the same image under the new name).
    const image = inspect(d, "pr-cybr-agent").Config.Image;
    const newImage = `${image.split(":")[0]}:standin-2`;
    d.host.docker(["tag", image, newImage]);
    const newer = d.script.replace(/^AGENT_IMAGE='[^']*'$/m, `AGENT_IMAGE='${newImage}'`);
    expect(newer).not.toBe(d.script);

    d.bundle(1, { script: `${newer}echo tampered\n`, sha256: sha256(newer) });
    const refused = await d.runTimer();
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain("the bundle's installer does not match its sha256");
    expect(refused.output).not.toContain("tampered");
    expect(inspect(d, "pr-cybr-agent").Config.Image).toBe(image);
    expect(fs.readFileSync(timerCopy, "utf8")).toBe(first);

    d.bundle(1, { script: newer, sha256: sha256(newer) });
    const updated = await d.runTimer();
    expectSuccess(d.host, updated);
    expect(updated.output).toContain(`the bundle has a newer installer (sha256 ${sha256(newer)})`);
    expect(inspect(d, "pr-cybr-agent").Config.Image).toBe(newImage);
    expect(fs.readFileSync(timerCopy, "utf8")).toBe(newer);
    // From now on the timer runs the new copy, which is current: nothing changes.
    const next = await d.runTimer();
    expectSuccess(d.host, next);
    expect(next.output).toContain(`${d.node}: up to date`);
}, 600000);

scenario("edge-install-wrong-arch", "an arm64 node's installer refuses this amd64 machine before it changes anything", async () => {
    const d = await device("n0d3-may-01", "10.99.0.203");
    const run = await d.run();
    expect(run.code).not.toBe(0);
    expect(run.output).toContain("this machine is amd64, but n0d3-may-01 is configured as arm64 (edge.nodes[].arch)");
    expect(d.host.log("fs/run/downloads.log")).toBe("");
}, 300000);
