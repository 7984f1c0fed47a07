// Suite: the Swarm's services (issue 13 item 3), `swarm-services`. On a manager booted from the prod
// plan's user data, the plan's overlays, secrets (stand-in values: the plan holds only "[secret]") and
// configs (the plan's own content) are created, then the plan's Traefik and collector services through
// the Engine API with the spec the docker provider would send (hosts/lib/docker-service-spec.ts, mapping
// and source there), running stand-in images (hosts/swarm-services) as the real images' users. Each
// stand-in opens at start what the real process opens, so a file its user cannot read fails the task.
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { engine, integrationEnv } from "../lib/env";
import { recordEngines, scenario } from "../lib/summary";
import { IdMaps, serviceSpec } from "./lib/docker-service-spec";
import { deviceEnv } from "./lib/edge-device";
import { SimHost } from "./lib/host";
import { loadPlan, resources } from "./lib/plan";
import { expectSuccess, SwarmFixture, until } from "./lib/swarm";

const swarm = new SwarmFixture(loadPlan("prod"));
const plan = swarm.plan;
const STANDINS = path.join(__dirname, "swarm-services");
const STANDIN_OF: Record<string, string> = { "otel/opentelemetry-collector-contrib": "collector", traefik: "traefik", "wollomatic/socket-proxy": "socket-proxy" };
/** A stand-in's build context: its directory, or for the socket proxy the engine's build of the real program. */
const contextOf = (dir: string) => (dir === "socket-proxy" ? (engine("docker-hosts").env as Record<string, string>).PR_CYBR_SOCKET_PROXY_CONTEXT : path.join(STANDINS, dir));
let manager: SimHost | undefined;
const containerOf = (m: SimHost, service: string) => JSON.parse(m.docker(["inspect", m.docker(["ps", "-q", "--filter", `label=com.docker.swarm.service.name=${service}`])]))[0];

beforeAll(() => {
    const v = integrationEnv().versions;
    recordEngines({ docker: v.docker, awscli: v.awscli, moto: v.moto });
});
afterAll(() => process.env.PR_CYBR_KEEP_HOSTS || swarm.destroyAll());

/** One Engine API call over the manager's local socket. */
function api(host: SimHost, method: string, url: string, body?: unknown): Promise<{ status: number; json: any; text: string }> {
    return new Promise((resolve, reject) => {
        const req = http.request({ socketPath: host.socket, method, path: `/v1.41${url}`, headers: { "Content-Type": "application/json" } }, (res) => {
            let text = "";
            res.on("data", (d) => (text += d));
            res.on("end", () => {
                let json: any;
                try {
                    json = text ? JSON.parse(text) : undefined;
                } catch {
                    json = undefined;
                }
                resolve({ status: res.statusCode ?? 0, json, text });
            });
        });
        req.on("error", reject);
        if (body !== undefined) req.write(JSON.stringify(body));
        req.end();
    });
}

/** As Go's encoding/json with omitempty sends and stores a value: zero fields left out. */
function omitEmpty(v: any): any {
    if (Array.isArray(v)) return v.map(omitEmpty);
    if (v && typeof v === "object") {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) {
            const y = omitEmpty(x);
            const empty = y === 0 || y === "" || y === false || y === undefined || y === null || (Array.isArray(y) && y.length === 0) || (typeof y === "object" && !Array.isArray(y) && Object.keys(y as object).length === 0);
            if (!empty) out[k] = y;
        }
        return out;
    }
    return v;
}

async function must(host: SimHost, method: string, url: string, body?: unknown) {
    const r = await api(host, method, url, body);
    if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${r.text}`);
    return r.json;
}

scenario("swarm-services", "the plan's Traefik and collector services, networks, secrets and configs on a real swarm: accepted, every file readable by the service's user, encrypted overlays attached, ports published, healthy, converged", async () => {
    await swarm.reset();
    const m = swarm.launch(0);
    manager = m;
    expectSuccess(m, await swarm.bootstrap(m));
    const env = deviceEnv("/nonexistent");
    const sh = async (cmd: string[]) => {
        const r = await m.run(cmd, { env: { ...env, DOCKER_BUILDKIT: "0" }, timeoutMs: 300000 });
        if (r.code !== 0) throw new Error(`${cmd.join(" ")}: ${r.output}`);
        return r.output;
    };

    // Stand-in images under the plan's image names.
    await sh(["docker", "import", (engine("docker-hosts").env as Record<string, string>).PR_CYBR_STANDIN_IMAGE, "pr-cybr/standin-base"]);
    const services = resources(plan, "docker:index/service:Service");
    expect(services.map((s) => s.inputs.name).sort()).toEqual(["collector", "socket-proxy", "traefik"]);
    for (const s of services) {
        const image: string = s.inputs.taskSpec.containerSpec.image;
        const dir = STANDIN_OF[image.split(":")[0]];
        if (!dir) throw new Error(`no stand-in for ${image}`);
        await sh(["docker", "build", "-q", "-t", image, contextOf(dir)]);
    }

    const ids: IdMaps = { networks: {}, secrets: {}, configs: {} };
    // The plan's resources name each other by their ids (the mocks': their names).
    for (const n of resources(plan, "docker:index/network:Network")) {
        const i = n.inputs;
        const created = await must(m, "POST", "/networks/create", { Name: i.name, Driver: i.driver, Attachable: i.attachable, Options: i.options, Labels: Object.fromEntries(i.labels.map((l: any) => [l.label, l.value])), CheckDuplicate: true });
        ids.networks[i.name] = created.Id;
    }
    for (const sec of resources(plan, "docker:index/secret:Secret")) {
        const created = await must(m, "POST", "/secrets/create", { Name: sec.inputs.name, Data: Buffer.from(`stand-in value of ${sec.inputs.name}\n`).toString("base64") });
        ids.secrets[sec.inputs.name] = created.ID;
    }
    for (const cfg of resources(plan, "docker:index/serviceConfig:ServiceConfig")) {
        const created = await must(m, "POST", "/configs/create", { Name: cfg.inputs.name, Data: Buffer.from(cfg.inputs.dataRaw).toString("base64") });
        ids.configs[cfg.inputs.name] = created.ID;
    }

    const problems: string[] = [];
    for (const s of services) {
        const spec = serviceSpec(s.inputs, ids);
        await must(m, "POST", "/services/create", spec);
        const stored = (await must(m, "GET", `/services/${spec.Name}`)).Spec;
        // What the engine stores is what was sent (no field dropped or rewritten).
        for (const key of ["UpdateConfig", "RollbackConfig", "Mode"] as const) {
            if (JSON.stringify(omitEmpty(stored[key])) !== JSON.stringify(omitEmpty(spec[key]))) problems.push(`${spec.Name}: ${key} stored as ${JSON.stringify(stored[key])}, sent ${JSON.stringify(spec[key])}`);
        }
        const [sentCheck, storedCheck] = [spec, stored].map((x) => JSON.stringify(omitEmpty(x.TaskTemplate.ContainerSpec.Healthcheck)));
        if (sentCheck !== storedCheck) problems.push(`${spec.Name}: healthcheck stored as ${storedCheck}, sent ${sentCheck}`);
    }
    // Global services converge: a running, healthy task on every node the constraint allows (the manager).
    for (const s of services) {
        const name = s.inputs.name;
        try {
            await until(
                `${name} healthy`,
                () => {
                    const id = m.docker(["ps", "-q", "--filter", `label=com.docker.swarm.service.name=${name}`, "--filter", "health=healthy"], { allowFailure: true });
                    return id || undefined;
                },
                120000,
            );
        } catch (err) {
            const tasks = m.docker(["service", "ps", "--no-trunc", "--format", "{{.CurrentState}} {{.Error}}", name], { allowFailure: true });
            const logs = m.docker(["service", "logs", "--raw", name], { allowFailure: true });
            problems.push(`${name}: ${(err as Error).message}; tasks: ${tasks}; logs: ${logs.slice(-500)}`);
            continue;
        }
        const container = JSON.parse(m.docker(["inspect", m.docker(["ps", "-q", "--filter", `label=com.docker.swarm.service.name=${name}`])]))[0];
        const want = s.inputs.taskSpec.containerSpec;
        // The user its process runs as (the image's, stand-ins copy it, unless the spec sets one; read from
        // the process, since the proxy's image has no shell), and what that user reads.
        const uid = /^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${container.State.Pid}/status`, "utf8"))?.[1];
        if (uid !== (name === "collector" ? "10001" : "0")) problems.push(`${name}: runs as uid ${uid}`);
        for (const ref of [...(want.secrets ?? []).map((r: any) => (r.fileName.startsWith("/") ? r.fileName : `/run/secrets/${r.fileName}`)), ...(want.configs ?? []).map((r: any) => r.fileName)]) {
            const r = await m.run(["docker", "exec", container.Id, "cat", ref], { env });
            if (r.code !== 0) problems.push(`${name}: uid ${uid} cannot read ${ref}: ${r.output.trim()}`);
        }
        // Attached to its encrypted overlay.
        for (const n of (s.inputs.taskSpec.networksAdvanceds ?? []).filter((x: any) => x.id !== "host")) {
            const net = JSON.parse(m.docker(["network", "inspect", n.id]))[0];
            if (net.Options?.encrypted === undefined) problems.push(`${name}: network ${n.id} is not encrypted`);
            if (!Object.keys(container.NetworkSettings.Networks).includes(n.id)) problems.push(`${name}: not attached to ${n.id}`);
        }
        // Published on the host, as publishMode host says.
        for (const p of s.inputs.endpointSpec?.ports ?? []) {
            const bound = container.NetworkSettings.Ports?.[`${p.targetPort}/${p.protocol}`]?.[0]?.HostPort;
            if (bound !== String(p.publishedPort)) problems.push(`${name}: port ${p.targetPort} published on ${bound}, want ${p.publishedPort}`);
        }
        if (container.HostConfig.Memory !== s.inputs.taskSpec.resources.limits.memoryBytes) problems.push(`${name}: memory limit ${container.HostConfig.Memory}`);
    }
    expect(problems).toEqual([]);
}, 600000);

scenario("swarm-socket-proxy", "internet-facing Traefik reaches the Docker API only through the socket proxy: its Swarm provider's requests (traefik v3.4.4 pswarm.go, API 1.24) answer with the swarm's services, networks and running tasks; writes (networks/create, services/create, a service delete) and other reads (secrets, containers, exec) are refused; the engine's own socket is not in Traefik's container", async () => {
    const m = manager;
    if (!m) throw new Error("swarm-services did not boot its manager");
    const traefik = containerOf(m, "traefik");
    const problems: string[] = [];
    if (traefik.Mounts.some((mt: any) => mt.Source === "/var/run/docker.sock" || mt.Source === "/run/docker.sock")) problems.push("Traefik has the engine's socket");
    // Its provider's endpoint, from the static configuration the plan gives it.
    const endpoint = (await m.run(["docker", "exec", traefik.Id, "sed", "-n", "s|^ *endpoint: unix://||p", "/etc/traefik/traefik.yml"])).output.trim();
    const mount = traefik.Mounts.find((mt: any) => endpoint.startsWith(`${mt.Destination}/`));
    if (!mount) throw new Error(`Traefik's endpoint ${endpoint} is on no mount of its container`);
    // The same socket as the host sees it (the volume's directory), asked as Traefik's client asks.
    const sock = `${mount.Source}${endpoint.slice(mount.Destination.length)}`;
    const call = async (method: string, url: string, body?: unknown) => {
        const args = ["curl", "-sS", "--max-time", "10", "-X", method, "--unix-socket", sock, "-H", "Content-Type: application/json", "-w", "\n%{http_code}"];
        if (body !== undefined) args.push("--data", JSON.stringify(body));
        const r = await m.run([...args, `http://docker${url}`]);
        const lines = r.output.trimEnd().split("\n");
        const status = Number(lines.pop());
        return { status, text: lines.join("\n") };
    };
    const q = (filters: Record<string, Record<string, boolean>>) => `filters=${encodeURIComponent(JSON.stringify(filters))}`;
    const version = await call("GET", "/v1.24/version");
    if (version.status !== 200) problems.push(`GET /version: ${version.status} ${version.text}`);
    const services = await call("GET", "/v1.24/services");
    const listed = services.status === 200 ? JSON.parse(services.text).map((s: any) => s.Spec.Name).sort() : [];
    if (JSON.stringify(listed) !== JSON.stringify(["collector", "socket-proxy", "traefik"])) problems.push(`GET /services: ${services.status} ${JSON.stringify(listed)} ${services.text.slice(0, 200)}`);
    const networks = await call("GET", `/v1.24/networks?${q({ scope: { swarm: true } })}`);
    const swarmNets = networks.status === 200 ? JSON.parse(networks.text).map((n: any) => n.Name) : [];
    for (const n of resources(plan, "docker:index/network:Network")) if (!swarmNets.includes(n.inputs.name)) problems.push(`GET /networks: ${networks.status}, no ${n.inputs.name} in ${JSON.stringify(swarmNets)}`);
    const traefikService = JSON.parse(services.status === 200 ? services.text : "[]").find((s: any) => s.Spec.Name === "traefik");
    const tasks = await call("GET", `/v1.24/tasks?${q({ service: { [traefikService?.ID ?? "none"]: true }, "desired-state": { running: true } })}`);
    const running = tasks.status === 200 ? JSON.parse(tasks.text).filter((t: any) => t.Status.State === "running").length : 0;
    if (running !== 1) problems.push(`GET /tasks of traefik: ${tasks.status}, ${running} running ${tasks.text.slice(0, 200)}`);

    // Refused: 405 for a method the allow-list does not name, 403 for a path it does not match.
    const refused: [string, string, unknown, number][] = [
        ["POST", "/v1.24/networks/create", { Name: "pwned", Driver: "overlay", Attachable: true }, 405],
        ["POST", "/v1.24/services/create", { Name: "pwned", TaskTemplate: { ContainerSpec: { Image: "traefik:v3.4.4" } } }, 405],
        ["DELETE", "/v1.24/services/traefik", undefined, 405],
        ["GET", "/v1.24/secrets", undefined, 403],
        ["GET", "/v1.24/containers/json", undefined, 403],
        ["GET", "/v1.41/services/traefik", undefined, 403],
        ["POST", `/v1.24/containers/${traefik.Id}/exec`, { Cmd: ["id"] }, 405],
    ];
    for (const [method, url, body, want] of refused) {
        const r = await call(method, url, body);
        if (r.status !== want) problems.push(`${method} ${url}: ${r.status}, want ${want} (${r.text.slice(0, 200)})`);
    }
    if (m.docker(["network", "ls", "-q", "--filter", "name=pwned"], { allowFailure: true })) problems.push("a network named pwned exists");
    if (m.docker(["service", "ls", "-q", "--filter", "name=pwned"], { allowFailure: true })) problems.push("a service named pwned exists");
    expect(problems).toEqual([]);
}, 120000);

/** The AWS SDKs' IMDSv2 exchange (token PUT, then the role's name with the token) in busybox sh; prints each answer's status line. */
const IMDS_CLIENT = String.raw`
ask() { printf '%s %s HTTP/1.1
Host: 169.254.169.254
%s
Connection: close

' "$1" "$2" "$3" | nc -w 5 169.254.169.254 80; }
answer=$(ask PUT /latest/api/token 'X-aws-ec2-metadata-token-ttl-seconds: 21600')
echo "token: $(echo "$answer" | head -n1)"
token=$(echo "$answer" | tail -n1)
echo "role: $(ask GET /latest/meta-data/iam/security-credentials/ "X-aws-ec2-metadata-token: $token" | head -n1)"
`;

scenario("swarm-collector-imds", "the collector as the plan runs it gets the instance role from IMDS at the launch template's hop limit (1), which the metadata emulator enforces as EC2 does (its answers' IP TTL); a container on the swarm's overlay, one routed hop further, gets no token (and does at hop limit 2, so it is the limit that stops it); the engine's read-back of the collector's host network is under ignoreChanges", async () => {
    const m = manager;
    if (!m) throw new Error("swarm-services did not boot its manager");
    const problems: string[] = [];
    const ask = async (cmd: string[]) => (await m.run(cmd, { timeoutMs: 60000 })).output;
    const collector = containerOf(m, "collector");
    const planned = resources(plan, "docker:index/service:Service").find((s) => s.inputs.name === "collector")!;
    const fromCollector = await ask(["docker", "exec", collector.Id, "sh", "-c", IMDS_CLIENT]);
    if (!/^token: HTTP\/1\.1 200/m.test(fromCollector) || !/^role: HTTP\/1\.1 200/m.test(fromCollector)) problems.push(`collector: no instance role from IMDS: ${fromCollector}`);

    const overlay = resources(plan, "docker:index/network:Network").find((n) => n.inputs.attachable)!.inputs.name;
    const onOverlay = () => ask(["docker", "run", "--rm", "--network", overlay, "pr-cybr/standin-base", "sh", "-c", IMDS_CLIENT]);
    const beyond = await onOverlay();
    if (/^token: HTTP\/1\.1 200/m.test(beyond)) problems.push(`a container on ${overlay} got a token at hop limit ${m.id.hopLimit}: ${beyond}`);
    // The same container at hop limit 2 gets one: the limit, not a missing route, is what stops it.
    const limit = m.id.hopLimit;
    m.id.hopLimit = 2;
    m.startMetadata();
    const atTwo = await onOverlay();
    m.id.hopLimit = limit;
    m.startMetadata();
    if (!/^token: HTTP\/1\.1 200/m.test(atTwo)) problems.push(`a container on ${overlay} got no token even at hop limit 2: ${atTwo}`);

    // The engine stores the predefined network's id for "host"; the provider reads that back into `id`.
    const sent = planned.inputs.taskSpec.networksAdvanceds.map((n: any) => n.id);
    const read = JSON.parse(m.docker(["service", "inspect", "collector"]))[0].Spec.TaskTemplate.Networks.map((n: any) => n.Target);
    const ignore: string[] = (planned as any).options?.ignoreChanges ?? [];
    if (JSON.stringify(sent) !== JSON.stringify(read) && !ignore.includes("taskSpec.networksAdvanceds")) problems.push(`collector: networks sent ${JSON.stringify(sent)}, read back ${JSON.stringify(read)}: a replacement on every up`);
    expect(problems).toEqual([]);
}, 180000);
