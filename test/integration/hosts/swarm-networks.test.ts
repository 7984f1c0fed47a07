// Suite: the Swarm's overlay networks as a real engine stores them (issue 15 #23). Each network of
// the plan is created on a one-manager swarm with the inputs the docker provider sends (kreuzwerker
// terraform-provider-docker resource_docker_network_funcs.go: Name, Driver, Attachable, Options,
// Labels), read back as the provider's read does it (NetworkInspect: `options` is the engine's Options
// map, verbatim, for a swarm-scoped network), and compared with the inputs: `options` is ForceNew, so
// any key the engine adds or changes must be under the resource's ignoreChanges, or every `up` would
// replace the network.
import { engine, integrationEnv } from "../lib/env";
import { recordEngines, scenario } from "../lib/summary";
import { parsePath } from "../../../tools/lib/paths";
import { resetMoto } from "./lib/aws";
import { SimHost } from "./lib/host";
import { loadPlan, resources } from "./lib/plan";

const host = new SimHost({ name: "n1", ip: "10.99.0.250", az: "us-east-1a", instanceId: "i-0000000000000n001", group: 0 });

beforeAll(() => {
    const v = integrationEnv().versions;
    recordEngines({ docker: v.docker });
});
afterAll(() => process.env.PR_CYBR_KEEP_HOSTS || host.destroy());

/** Whether ignoreChanges covers the map key `key` of input `input` (`input["key"]`, `input`, or `*`). */
function ignored(ignoreChanges: string[], input: string, key: string): boolean {
    return ignoreChanges.some((p) => {
        const path = parsePath(p);
        return p === "*" || (path[0] === input && (path.length === 1 || (path.length === 2 && path[1] === key)));
    });
}

scenario("swarm-overlay-read-back", "every overlay of the plan, created on a real swarm and read back as the provider reads it, plans no replacement", async () => {
    await resetMoto();
    host.create([]);
    expect((await host.run(["systemctl", "start", "docker"])).code).toBe(0);
    host.docker(["swarm", "init", "--advertise-addr", host.id.ip]);
    const networks = resources(loadPlan("prod"), "docker:index/network:Network");
    expect(networks.length).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const n of networks) {
        const i = n.inputs;
        const args = ["network", "create", "--driver", i.driver];
        if (i.attachable) args.push("--attachable");
        for (const [k, v] of Object.entries(i.options ?? {})) args.push("--opt", `${k}=${v}`);
        for (const l of i.labels ?? []) args.push("--label", `${l.label}=${l.value}`);
        host.docker([...args, i.name]);
        const read = JSON.parse(host.docker(["network", "inspect", i.name, "--format", "{{json .}}"]));
        expect(read.Scope).toBe("swarm");
        const ignore: string[] = (n as any).options?.ignoreChanges ?? [];
        const sent: Record<string, string> = i.options ?? {};
        for (const key of new Set([...Object.keys(sent), ...Object.keys(read.Options ?? {})])) {
            if (sent[key] !== read.Options?.[key] && !ignored(ignore, "options", key)) {
                problems.push(`${n.name}: options["${key}"] sent ${JSON.stringify(sent[key])}, read back ${JSON.stringify(read.Options?.[key])}: a replacement on every up`);
            }
        }
        if (read.Attachable !== Boolean(i.attachable)) problems.push(`${n.name}: attachable sent ${i.attachable}, read back ${read.Attachable}`);
        for (const l of i.labels ?? []) if (read.Labels?.[l.label] !== l.value) problems.push(`${n.name}: label ${l.label} not read back`);
    }
    expect(problems).toEqual([]);
}, 180000);

scenario("swarm-overlay-mtu", "where an edge node's VPN is Tailscale (link MTU 1280), a container on each of the plan's overlays gets an MTU whose VXLAN packets (50 bytes more, libnetwork's overlay encapsulation) fit that link", async () => {
    const plan = loadPlan("prod");
    const vpns = Object.values((plan.outputs?.edgeInstallScripts ?? {}) as Record<string, string>).map((s) => /^VPN='([a-z]+)'$/m.exec(s)?.[1]);
    // Tailscale's interface MTU (tailscale0 is 1280 unless TS_DEBUG_MTU says otherwise).
    const link = vpns.includes("tailscale") ? 1280 : 1500;
    expect(link).toBe(1280);
    const tarball = (engine("docker-hosts").env as Record<string, string>).PR_CYBR_STANDIN_IMAGE;
    expect((await host.run(["docker", "import", tarball, "pr-cybr/standin-base"])).code).toBe(0);
    const problems: string[] = [];
    for (const n of resources(plan, "docker:index/network:Network")) {
        const r = await host.run(["docker", "run", "--rm", "--network", n.inputs.name, "pr-cybr/standin-base", "cat", "/sys/class/net/eth0/mtu"]);
        const mtu = Number(r.output.trim());
        if (r.code !== 0 || !Number.isInteger(mtu)) problems.push(`${n.name}: no container on it (${r.output.trim()})`);
        else if (mtu + 50 > link) problems.push(`${n.name}: containers get MTU ${mtu}, whose VXLAN packets (${mtu + 50}) do not fit the ${link}-byte Tailscale link`);
        else if (mtu < link - 50 - 64) problems.push(`${n.name}: containers get MTU ${mtu}, far below what the link carries`);
    }
    expect(problems).toEqual([]);
}, 180000);
