// Suite: the Swarm's services (issue 13 item 3), `swarm-services`. On a manager booted from the prod
// plan's user data, the plan's overlays, secrets (stand-in values: the plan holds only "[secret]") and
// configs (the plan's own content) are created, then the plan's Traefik and collector services through
// the Engine API with the spec the docker provider would send (hosts/lib/docker-service-spec.ts, mapping
// and source there), running stand-in images (hosts/swarm-services) as the real images' users. Each
// stand-in opens at start what the real process opens, so a file its user cannot read fails the task.
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
const STANDIN_OF: Record<string, string> = { "otel/opentelemetry-collector-contrib": "collector", traefik: "traefik" };

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
    const manager = swarm.launch(0);
    expectSuccess(manager, await swarm.bootstrap(manager));
    const env = deviceEnv("/nonexistent");
    const sh = async (cmd: string[]) => {
        const r = await manager.run(cmd, { env: { ...env, DOCKER_BUILDKIT: "0" }, timeoutMs: 300000 });
        if (r.code !== 0) throw new Error(`${cmd.join(" ")}: ${r.output}`);
        return r.output;
    };

    // Stand-in images under the plan's image names.
    await sh(["docker", "import", (engine("docker-hosts").env as Record<string, string>).PR_CYBR_STANDIN_IMAGE, "pr-cybr/standin-base"]);
    const services = resources(plan, "docker:index/service:Service");
    expect(services.map((s) => s.inputs.name).sort()).toEqual(["collector", "traefik"]);
    for (const s of services) {
        const image: string = s.inputs.taskSpec.containerSpec.image;
        const dir = STANDIN_OF[image.split(":")[0]];
        if (!dir) throw new Error(`no stand-in for ${image}`);
        await sh(["docker", "build", "-q", "-t", image, path.join(STANDINS, dir)]);
    }

    const ids: IdMaps = { networks: {}, secrets: {}, configs: {} };
    // The plan's resources name each other by their ids (the mocks': their names).
    for (const n of resources(plan, "docker:index/network:Network")) {
        const i = n.inputs;
        const created = await must(manager, "POST", "/networks/create", { Name: i.name, Driver: i.driver, Attachable: i.attachable, Options: i.options, Labels: Object.fromEntries(i.labels.map((l: any) => [l.label, l.value])), CheckDuplicate: true });
        ids.networks[i.name] = created.Id;
    }
    for (const sec of resources(plan, "docker:index/secret:Secret")) {
        const created = await must(manager, "POST", "/secrets/create", { Name: sec.inputs.name, Data: Buffer.from(`stand-in value of ${sec.inputs.name}\n`).toString("base64") });
        ids.secrets[sec.inputs.name] = created.ID;
    }
    for (const cfg of resources(plan, "docker:index/serviceConfig:ServiceConfig")) {
        const created = await must(manager, "POST", "/configs/create", { Name: cfg.inputs.name, Data: Buffer.from(cfg.inputs.dataRaw).toString("base64") });
        ids.configs[cfg.inputs.name] = created.ID;
    }

    const problems: string[] = [];
    for (const s of services) {
        const spec = serviceSpec(s.inputs, ids);
        await must(manager, "POST", "/services/create", spec);
        const stored = (await must(manager, "GET", `/services/${spec.Name}`)).Spec;
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
                    const id = manager.docker(["ps", "-q", "--filter", `label=com.docker.swarm.service.name=${name}`, "--filter", "health=healthy"], { allowFailure: true });
                    return id || undefined;
                },
                120000,
            );
        } catch (err) {
            const tasks = manager.docker(["service", "ps", "--no-trunc", "--format", "{{.CurrentState}} {{.Error}}", name], { allowFailure: true });
            const logs = manager.docker(["service", "logs", "--raw", name], { allowFailure: true });
            problems.push(`${name}: ${(err as Error).message}; tasks: ${tasks}; logs: ${logs.slice(-500)}`);
            continue;
        }
        const container = JSON.parse(manager.docker(["inspect", manager.docker(["ps", "-q", "--filter", `label=com.docker.swarm.service.name=${name}`])]))[0];
        const want = s.inputs.taskSpec.containerSpec;
        // The user the real image runs as (stand-ins copy it), and what that user reads.
        const uid = (await sh(["docker", "exec", container.Id, "id", "-u"])).trim();
        if (uid !== (name === "collector" ? "10001" : "0")) problems.push(`${name}: runs as uid ${uid}`);
        for (const ref of [...(want.secrets ?? []).map((r: any) => (r.fileName.startsWith("/") ? r.fileName : `/run/secrets/${r.fileName}`)), ...(want.configs ?? []).map((r: any) => r.fileName)]) {
            const r = await manager.run(["docker", "exec", container.Id, "cat", ref], { env });
            if (r.code !== 0) problems.push(`${name}: uid ${uid} cannot read ${ref}: ${r.output.trim()}`);
        }
        // Attached to its encrypted overlay.
        for (const n of s.inputs.taskSpec.networksAdvanceds) {
            const net = JSON.parse(manager.docker(["network", "inspect", n.id]))[0];
            if (net.Options?.encrypted === undefined) problems.push(`${name}: network ${n.id} is not encrypted`);
            if (!Object.keys(container.NetworkSettings.Networks).includes(n.id)) problems.push(`${name}: not attached to ${n.id}`);
        }
        // Published on the host, as publishMode host says.
        for (const p of s.inputs.endpointSpec.ports) {
            const bound = container.NetworkSettings.Ports?.[`${p.targetPort}/${p.protocol}`]?.[0]?.HostPort;
            if (bound !== String(p.publishedPort)) problems.push(`${name}: port ${p.targetPort} published on ${bound}, want ${p.publishedPort}`);
        }
        if (container.HostConfig.Memory !== s.inputs.taskSpec.resources.limits.memoryBytes) problems.push(`${name}: memory limit ${container.HostConfig.Memory}`);
    }
    expect(problems).toEqual([]);
}, 600000);
