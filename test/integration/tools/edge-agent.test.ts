// Suite: the edge agent (issue 22 item 1), `edge-agent-validate`, `edge-agent-exact`,
// `edge-agent-missing-component`, `edge-agent-arm64`. The real custom collector (engine edge-agent:
// build.sh from the Go module proxy) validates the platform's config as the image runs it: in the
// image's file system (the Dockerfile's final stage, chroot'ed), with the installer's environment.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { agentBinary, assembleRootfs, finalStage } from "../lib/edge-agent-image";
import { engine } from "../lib/env";
import { recordEngines, scenario } from "../lib/summary";

const CONFIG_IN_IMAGE = "/etc/otelcol/config.yaml";
// What run_agent (components/edge/host/install-edge-node.sh) passes; values as a node would have them.
const INSTALLER_ENV = { NODE_NAME: "n0d3-sju-01", NODE_SITE: "san-juan", NODE_ENVIRONMENT: "prod", COLLECTOR_ENDPOINT: "internal-pr-cybr-prod-swarm.elb.us-east-1.amazonaws.com:4317", COLLECTOR_SERVER_NAME: "telemetry.pr-cybr.internal" };

let rootfs: string;

beforeAll(() => {
    const e = engine("edge-agent");
    recordEngines(e.versions ?? {});
    rootfs = fs.mkdtempSync(path.join(os.tmpdir(), "pr-cybr-edge-agent-"));
    assembleRootfs(rootfs, "amd64");
    // The installer's mounts: the host's root at /hostfs (read-only) and the queue directory.
    fs.mkdirSync(path.join(rootfs, "hostfs"));
    fs.mkdirSync(path.join(rootfs, "var/lib/otelcol/queue"), { recursive: true });
});
afterAll(() => fs.rmSync(rootfs, { recursive: true, force: true }));

/** `otelcol-edge <args>` inside the image's file system, as the image's user, with the installer's environment only. */
function agent(args: string[]) {
    const r = spawnSync("/usr/sbin/chroot", ["--userspec=10001:10001", rootfs, "/otelcol-edge", ...args], { encoding: "utf8", env: INSTALLER_ENV });
    if (r.error) throw r.error;
    return { status: r.status, output: r.stdout + r.stderr };
}

/** The component types config.yaml uses, by kind (`file_storage/queue` is of type file_storage). */
function usedTypes(config: any): Record<string, string[]> {
    const type = (id: string) => id.split("/")[0];
    const pipelines = Object.values(config.service.pipelines) as any[];
    const of = (kind: string) => [...new Set(pipelines.flatMap((p) => (p[kind] ?? []).map(type)))].sort();
    return { receivers: of("receivers"), processors: of("processors"), exporters: of("exporters"), connectors: [], extensions: [...new Set((config.service.extensions as string[]).map(type))].sort() };
}

/** p_type of each program header of a 64-bit little-endian ELF file. */
function programHeaderTypes(file: string): number[] {
    const b = fs.readFileSync(file);
    const phoff = Number(b.readBigUInt64LE(32));
    const size = b.readUInt16LE(54);
    return Array.from({ length: b.readUInt16LE(56) }, (_, i) => b.readUInt32LE(phoff + i * size));
}

scenario("edge-agent-validate", "the image's config validates with the image's binary, in the image's file system, as its user", () => {
    const r = agent(["validate", `--config=${CONFIG_IN_IMAGE}`]);
    expect(r.output).toBe("");
    expect(r.status).toBe(0);
});

scenario("edge-agent-exact", "the build has exactly the components the config uses, at the release the manifest pins", () => {
    const r = agent(["components"]);
    expect(r.status).toBe(0);
    const listed = YAML.parse(r.output);
    const built = Object.fromEntries(["receivers", "processors", "exporters", "connectors", "extensions"].map((k) => [k, ((listed[k] ?? []) as { name: string }[]).map((c) => c.name).sort()]));
    expect(built).toEqual(usedTypes(YAML.parse(fs.readFileSync(path.join(rootfs, CONFIG_IN_IMAGE), "utf8"))));
    expect(listed.buildinfo).toMatchObject({ command: "otelcol-edge", version: "0.128.0" });
    const modules = ["receivers", "processors", "exporters", "extensions"].flatMap((k) => (listed[k] as { module: string }[]).map((c) => c.module));
    expect(modules.filter((m) => !/ v0\.128\.0$/.test(m))).toEqual([]);
});

scenario("edge-agent-missing-component", "a config that uses a component the build lacks fails validation, naming it (the check can fail)", () => {
    // otelcol-contrib's transform processor: a component a contrib image would have and this build has not.
    const config = YAML.parse(fs.readFileSync(path.join(rootfs, CONFIG_IN_IMAGE), "utf8"));
    config.processors.transform = { metric_statements: [] };
    config.service.pipelines.metrics.processors.push("transform");
    const file = "/etc/otelcol/with-transform.yaml";
    fs.writeFileSync(path.join(rootfs, file), YAML.stringify(config));
    const r = agent(["validate", `--config=${file}`]);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/processors.*unknown type: "transform"/);
});

scenario("edge-agent-arm64", "the arm64 build is a static AArch64 executable and the image's stage puts it at its entrypoint", () => {
    const elf = Buffer.alloc(64);
    const fd = fs.openSync(agentBinary("arm64"), "r");
    fs.readSync(fd, elf, 0, 64, 0);
    fs.closeSync(fd);
    expect(elf.subarray(0, 4).toString("latin1")).toBe("\x7fELF");
    expect(elf.readUInt16LE(18)).toBe(183); // e_machine EM_AARCH64
    // No program interpreter (PT_INTERP): static (CGO_ENABLED=0), so the empty base needs no libc.
    expect(programHeaderTypes(agentBinary("arm64"))).not.toContain(3);
    expect(programHeaderTypes(agentBinary("amd64"))).not.toContain(3);
    const stage = finalStage("arm64");
    expect(stage.copies[0]).toMatchObject({ from: "build", src: "/out/arm64/otelcol-edge", dest: "/otelcol-edge" });
    expect(stage.changes).toEqual(["USER 10001:10001", 'ENTRYPOINT ["/otelcol-edge"]', `CMD ["--config=${CONFIG_IN_IMAGE}"]`]);
});
