// `npm run integration:env -- up|down|status` (DESIGN §11): starts the real engines the integration
// suites use, each bound to loopback or to network namespaces it creates, and writes
// .integration/env.sh (shell) and .integration/env.json (the suites). `up` is idempotent; `down` stops
// exactly what `up` started (the process groups and namespaces recorded in .integration/state.json).
//
// Engines are the modules in ./engines/*.mjs, started in their `order`. Each exports:
//   name, order, up(ctx) -> { env, versions, pids?, cleanup? }, healthy(ctx, state) -> boolean,
//   down(ctx, state).
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createContext, readState, withEnvLock, writeEnvFiles, writeState, stopRecorded } from "./lib/engine-context.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const USAGE = `usage: npm run integration:env -- up|down|status [--only <engine>[,<engine>]]

  up       start every engine (idempotent) and write .integration/env.sh and env.json
  down     stop exactly what up started
  status   print each engine's state; exit 0 when all recorded engines are healthy`;

async function loadEngines(only) {
    const dir = join(HERE, "engines");
    const files = readdirSync(dir).filter((f) => f.endsWith(".mjs")).sort();
    const engines = [];
    for (const file of files) engines.push(await import(pathToFileURL(join(dir, file)).href));
    const selected = engines.filter((e) => !only || only.includes(e.name));
    if (only) {
        const unknown = only.filter((n) => !engines.some((e) => e.name === n));
        if (unknown.length) throw new UsageError(`--only: unknown engine(s) ${unknown.join(", ")} (known: ${engines.map((e) => e.name).join(", ")})`);
    }
    return selected.sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
}

class UsageError extends Error {}

async function up(ctx, engines) {
    const state = readState(ctx);
    for (const engine of engines) {
        const recorded = state.engines[engine.name];
        if (recorded && (await engine.healthy(ctx, recorded))) {
            ctx.log(`${engine.name}: already up`);
            continue;
        }
        if (recorded) {
            ctx.log(`${engine.name}: recorded but unhealthy, restarting`);
            await engine.down(ctx, recorded);
            stopRecorded(recorded);
        }
        const started = Date.now();
        const result = await engine.up(ctx, state);
        state.engines[engine.name] = { ...result, startedAt: new Date().toISOString() };
        writeState(ctx, state);
        writeEnvFiles(ctx, state);
        ctx.log(`${engine.name}: up in ${((Date.now() - started) / 1000).toFixed(1)} s (${Object.entries(result.versions ?? {}).map(([k, v]) => `${k} ${v}`).join(", ")})`);
    }
    writeEnvFiles(ctx, state);
}

async function down(ctx, engines) {
    const state = readState(ctx);
    for (const engine of [...engines].reverse()) {
        const recorded = state.engines[engine.name];
        if (!recorded) continue;
        await engine.down(ctx, recorded);
        stopRecorded(recorded);
        delete state.engines[engine.name];
        writeState(ctx, state);
        ctx.log(`${engine.name}: down`);
    }
    writeEnvFiles(ctx, state);
}

async function status(ctx, engines) {
    const state = readState(ctx);
    let ok = true;
    for (const engine of engines) {
        const recorded = state.engines[engine.name];
        const healthy = recorded ? await engine.healthy(ctx, recorded) : false;
        ok &&= healthy;
        console.log(`${engine.name.padEnd(16)} ${recorded ? (healthy ? "up" : "unhealthy") : "down"}${recorded?.versions ? `  ${Object.entries(recorded.versions).map(([k, v]) => `${k} ${v}`).join(", ")}` : ""}`);
    }
    return ok;
}

async function main(argv) {
    if (argv.includes("--help") || argv.includes("-h")) {
        console.log(USAGE);
        return 0;
    }
    const [command, ...rest] = argv;
    let only;
    for (let i = 0; i < rest.length; i++) {
        if (rest[i] === "--only" && rest[i + 1]) only = rest[++i].split(",");
        else throw new UsageError(`unknown argument "${rest[i]}"`);
    }
    if (!["up", "down", "status"].includes(command)) throw new UsageError(command ? `unknown command "${command}"` : "a command is required");
    const ctx = createContext();
    const engines = await loadEngines(only);
    if (command === "status") return (await status(ctx, engines)) ? 0 : 1;
    // One up or down at a time: two would start two control planes on one data directory.
    await withEnvLock(ctx, () => (command === "up" ? up(ctx, engines) : down(ctx, engines)));
    return 0;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
        if (err instanceof UsageError) {
            console.error(`integration:env: ${err.message}\n\n${USAGE}`);
            process.exit(2);
        }
        console.error(`integration:env: ${err.message}`);
        process.exit(1);
    },
);
