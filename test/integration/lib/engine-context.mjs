// What the integration engines share: where state, logs and caches live, how a daemon is started in
// its own process group (so `down` can stop it and only it), readiness waits, apt installs.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

export function createContext() {
    const dir = join(ROOT, ".integration");
    const cache = process.env.PR_CYBR_CACHE ?? join(homedir(), ".cache", "pr-cybr");
    mkdirSync(join(dir, "logs"), { recursive: true });
    mkdirSync(cache, { recursive: true });
    return { root: ROOT, dir, cache, log: (msg) => console.error(`[integration:env] ${msg}`) };
}

const stateFile = (ctx) => join(ctx.dir, "state.json");

export function readState(ctx) {
    return existsSync(stateFile(ctx)) ? JSON.parse(readFileSync(stateFile(ctx), "utf8")) : { engines: {} };
}

export function writeState(ctx, state) {
    writeFileSync(stateFile(ctx), JSON.stringify(state, null, 2) + "\n");
}

/** env.sh for shells (DESIGN §11: at least KUBECONFIG, DOCKER_HOST, AWS_ENDPOINT_URL) and env.json for the suites. */
export function writeEnvFiles(ctx, state) {
    const env = {};
    const versions = {};
    for (const engine of Object.values(state.engines)) {
        Object.assign(env, engine.env ?? {});
        Object.assign(versions, engine.versions ?? {});
    }
    const quote = (v) => `'${String(v).replace(/'/g, `'\\''`)}'`;
    const lines = ["# written by `npm run integration:env -- up`; source it to talk to the local engines"];
    for (const [k, v] of Object.entries(env).sort()) lines.push(`export ${k}=${quote(v)}`);
    writeFileSync(join(ctx.dir, "env.sh"), lines.join("\n") + "\n");
    writeFileSync(join(ctx.dir, "env.json"), JSON.stringify({ env, versions, engines: state.engines }, null, 2) + "\n");
}

/**
 * Holds .integration/env.lock (holder's pid inside) while `fn` runs; waits for a live holder, takes
 * over the lock of a dead one.
 */
export async function withEnvLock(ctx, fn) {
    const lock = join(ctx.dir, "env.lock");
    const deadline = Date.now() + 30 * 60 * 1000;
    for (;;) {
        try {
            writeFileSync(lock, String(process.pid), { flag: "wx" });
            break;
        } catch (err) {
            if (err.code !== "EEXIST") throw err;
            const holder = Number(readFileSync(lock, "utf8")) || 0;
            if (!holder || !isAlive(holder)) {
                rmSync(lock, { force: true });
                continue;
            }
            if (Date.now() > deadline) throw new Error(`${lock} is held by pid ${holder} for 30 minutes`);
            await new Promise((r) => setTimeout(r, 500));
        }
    }
    try {
        return await fn();
    } finally {
        rmSync(lock, { force: true });
    }
}

/** Runs a command to completion; throws with its output when it fails. */
export function run(cmd, args, opts = {}) {
    const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, ...opts });
    if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
    if (r.status !== 0 && !opts.allowFailure) {
        throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}\n${(r.stdout ?? "").slice(-4000)}${(r.stderr ?? "").slice(-4000)}`);
    }
    return r;
}

/** Starts a long-running process detached in its own process group, output to .integration/logs/<name>.log. */
export function daemon(ctx, name, cmd, args, opts = {}) {
    const logFile = join(ctx.dir, "logs", `${name}.log`);
    const fd = openSync(logFile, "a");
    const child = spawn(cmd, args, { detached: true, stdio: ["ignore", fd, fd], ...opts });
    closeSync(fd);
    child.unref();
    return { pid: child.pid, logFile };
}

export function isAlive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

/** Stops the process groups an engine recorded (TERM, then KILL after 15 s). */
export function stopRecorded(recorded) {
    for (const pid of recorded.pids ?? []) {
        try {
            process.kill(-pid, "SIGTERM");
        } catch {
            continue;
        }
        const deadline = Date.now() + 15000;
        while (isAlive(pid) && Date.now() < deadline) sleepSync(100);
        if (isAlive(pid)) {
            try {
                process.kill(-pid, "SIGKILL");
            } catch {
                /* gone */
            }
        }
    }
    recorded.pids = [];
}

export function sleepSync(ms) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Waits until `probe()` resolves truthy; fails naming `what` and the log to read. */
export async function waitFor(what, probe, { timeoutMs = 120000, intervalMs = 250, logFile } = {}) {
    const deadline = Date.now() + timeoutMs;
    let last;
    while (Date.now() < deadline) {
        try {
            if (await probe()) return;
        } catch (err) {
            last = err;
        }
        await new Promise((r) => setTimeout(r, intervalMs));
    }
    const tail = logFile && existsSync(logFile) ? `\n--- ${logFile} (tail)\n${readFileSync(logFile, "utf8").slice(-3000)}` : "";
    throw new Error(`${what} not ready after ${timeoutMs / 1000} s${last ? ` (${last.message})` : ""}${tail}`);
}

/** A free TCP port on loopback. */
export function freePort() {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address();
            server.close(() => resolve(port));
        });
    });
}

let aptUpdated = false;
/** Installs Debian packages that are missing (as root, or through sudo). */
export function aptInstall(ctx, packages) {
    const missing = packages.filter((p) => spawnSync("dpkg-query", ["-W", "-f=${Status}", p], { encoding: "utf8" }).stdout !== "install ok installed");
    if (missing.length === 0) return;
    const sudo = process.getuid?.() === 0 ? [] : ["sudo"];
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    ctx.log(`apt-get install ${missing.join(" ")}`);
    if (!aptUpdated) {
        run(sudo[0] ?? "apt-get", [...sudo.slice(1), ...(sudo.length ? ["apt-get"] : []), "update", "-qq"], { env });
        aptUpdated = true;
    }
    run(sudo[0] ?? "apt-get", [...sudo.slice(1), ...(sudo.length ? ["apt-get"] : []), "install", "-y", "-qq", "--no-install-recommends", ...missing], { env });
}
