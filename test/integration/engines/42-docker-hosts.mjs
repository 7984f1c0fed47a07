// Docker engines on simulated hosts (test/integration/hosts/sim-host.sh): Debian's docker.io, one
// engine per host, each in its own network and mount namespace on the bridge prc-br0. `up` prepares
// what every host suite shares (packages, bridge, the stand-in image) and boots one standing manager
// host, m0, whose engine is the DOCKER_HOST of env.sh; the suites boot their own hosts per scenario.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { aptInstall, run, waitFor } from "../lib/engine-context.mjs";

export const name = "docker-hosts";
export const order = 42;

const STANDING = { name: "m0", ip: "10.99.0.250" };
const hostsDir = (ctx) => join(ctx.dir, "hosts");
const simHost = (ctx) => join(ctx.root, "test/integration/hosts/sim-host.sh");
const pkgVersion = (p) => run("dpkg-query", ["-W", "-f=${Version}", p]).stdout.trim();

/** A root file system from Debian's busybox-static, plus the collector's user 10001, cached as a tarball for `docker import`. */
function standInImage(ctx) {
    const version = pkgVersion("busybox-static");
    // r2: the root directory was mkdtemp's 0700, so no user but root could start a program in the image.
    const dir = join(ctx.cache, `standin-busybox-${version}-r2`);
    const tarball = join(dir, "rootfs.tar");
    if (existsSync(tarball)) return { tarball, version };
    const rootfs = mkdtempSync(join(ctx.cache, "rootfs-"));
    for (const d of ["bin", "etc", "tmp", "proc", "sys", "dev", "run"]) mkdirSync(join(rootfs, d));
    copyFileSync("/bin/busybox", join(rootfs, "bin", "busybox"));
    chmodSync(join(rootfs, "bin", "busybox"), 0o755);
    for (const applet of run("/bin/busybox", ["--list"]).stdout.split("\n").filter((a) => a && a !== "busybox")) symlinkSync("busybox", join(rootfs, "bin", applet));
    writeFileSync(join(rootfs, "etc", "passwd"), "root:x:0:0:root:/:/bin/sh\ncollector:x:10001:10001:collector:/:/bin/sh\n");
    writeFileSync(join(rootfs, "etc", "group"), "root:x:0:\ncollector:x:10001:\n");
    chmodSync(rootfs, 0o755);
    chmodSync(join(rootfs, "tmp"), 0o1777);
    mkdirSync(dir, { recursive: true });
    run("tar", ["-C", rootfs, "-cf", tarball, "."]);
    rmSync(rootfs, { recursive: true, force: true });
    return { tarball, version };
}

/** Every file under `dir`, relative, sorted. */
function filesUnder(dir, rel = "") {
    return readdirSync(join(dir, rel), { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? filesUnder(dir, join(rel, e.name)) : [join(rel, e.name)]))
        .sort();
}

/**
 * The socket proxy's image context: its two programs built from the vendored release source
 * (hosts/swarm-services/socket-proxy/src) as its release Dockerfile builds them, cached by a hash of
 * that source, and the stand-in's Dockerfile beside them.
 */
function socketProxyContext(ctx) {
    const home = join(ctx.root, "test/integration/hosts/swarm-services/socket-proxy");
    const src = join(home, "src");
    const hash = createHash("sha256");
    for (const f of filesUnder(src)) hash.update(f).update("\0").update(readFileSync(join(src, f))).update("\0");
    const dir = join(ctx.cache, `socket-proxy-${hash.digest("hex").slice(0, 12)}`);
    if (!existsSync(join(dir, "socket-proxy")) || !existsSync(join(dir, "healthcheck"))) {
        mkdirSync(dir, { recursive: true });
        const go = existsSync("/usr/local/go/bin/go") ? "/usr/local/go/bin/go" : "go";
        run(go, ["build", "-trimpath", "-tags=netgo", "-ldflags=-w -s", "-o", `${dir}/`, "./..."], {
            cwd: src,
            // No toolchain download: the machine's Go must satisfy go.mod's `go` line.
            env: { ...process.env, CGO_ENABLED: "0", GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod", GOCACHE: join(ctx.cache, "go-build") },
        });
    }
    copyFileSync(join(home, "Dockerfile"), join(dir, "Dockerfile"));
    return dir;
}

export async function up(ctx, state) {
    aptInstall(ctx, ["docker.io", "busybox-static", "iproute2", "util-linux", "curl", "openssl"]);
    const image = standInImage(ctx);
    const socketProxy = socketProxyContext(ctx);
    mkdirSync(hostsDir(ctx), { recursive: true });
    const env = { ...process.env, PR_CYBR_HOSTS_DIR: hostsDir(ctx) };
    run("bash", [simHost(ctx), "destroy", STANDING.name], { env });
    run("bash", [simHost(ctx), "create", STANDING.name, STANDING.ip], { env });
    const shims = join(ctx.root, "test/integration/hosts/shims");
    run("bash", [simHost(ctx), "exec", STANDING.name, "env", `PATH=${shims}:/usr/sbin:/usr/bin:/sbin:/bin`, "systemctl", "start", "docker"], { env });
    const socket = join(hostsDir(ctx), STANDING.name, "fs", "run", "docker.sock");
    const docker = (...args) => run("docker", ["-H", `unix://${socket}`, ...args]);
    await waitFor("docker on m0", () => docker("info").status === 0, { timeoutMs: 60000 });
    docker("swarm", "init", "--advertise-addr", STANDING.ip);
    const version = run("dockerd", ["--version"]).stdout.trim().replace(/^Docker version ([^,]+),.*$/, "$1");
    void state;
    return {
        standing: STANDING.name,
        hostsDir: hostsDir(ctx),
        env: {
            DOCKER_HOST: `unix://${socket}`,
            PR_CYBR_HOSTS_DIR: hostsDir(ctx),
            PR_CYBR_SIM_HOST: simHost(ctx),
            PR_CYBR_HOST_SHIMS: shims,
            PR_CYBR_STANDIN_IMAGE: image.tarball,
            PR_CYBR_SOCKET_PROXY_CONTEXT: socketProxy,
        },
        versions: { docker: version, "busybox-static": image.version },
    };
}

export async function healthy(ctx, recorded) {
    const socket = recorded.env?.DOCKER_HOST;
    if (!socket) return false;
    return run("docker", ["-H", socket, "info", "--format", "{{.Swarm.LocalNodeState}}"], { allowFailure: true }).stdout?.trim() === "active";
}

/** Destroys the standing host and every host a suite left behind (all under .integration/hosts), then the bridge. */
export async function down(ctx) {
    const env = { ...process.env, PR_CYBR_HOSTS_DIR: hostsDir(ctx) };
    if (existsSync(hostsDir(ctx))) {
        for (const host of readdirSync(hostsDir(ctx))) run("bash", [simHost(ctx), "destroy", host], { env, allowFailure: true });
    }
    run("bash", [simHost(ctx), "bridge-down"], { env, allowFailure: true });
}
