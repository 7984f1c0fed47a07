import { createHash } from "crypto";
import * as fs from "fs";
import Module from "module";
import * as path from "path";
import * as vm from "vm";

interface CompilingModule {
    exports: unknown;
    require(id: string): unknown;
    _compile(content: string, filename: string): unknown;
}

type ModuleInternals = typeof Module & {
    wrap(content: string): string;
    _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
    _resolveLookupPaths(request: string, parent: unknown): string[] | null;
    _extensions: unknown;
    _cache: unknown;
    prototype: CompilingModule;
};

/**
 * V8's code cache for every CommonJS module synth loads (the provider SDKs are megabytes of
 * JavaScript, compiled again on every run): each module's compiled code is kept under `dir`, keyed by
 * its path, its source and the Node version, and handed back to V8 the next time. A stale or foreign
 * entry is rejected by V8 itself and rewritten; any failure falls back to Node's own compile. What the
 * cache saves is measured by `npm run bench -- --whole`. `PR_CYBR_COMPILE_CACHE=off` turns it off.
 */
export function installCompileCache(dir: string): void {
    if (process.env.PR_CYBR_COMPILE_CACHE === "off") return;
    const M = Module as ModuleInternals;
    const original = M.prototype._compile;
    const fresh: [string, vm.Script][] = [];
    try {
        fs.mkdirSync(dir, { recursive: true });
    } catch {
        return; // Read-only checkout: compile as usual.
    }
    M.prototype._compile = function (this: CompilingModule, content: string, filename: string) {
        let script: vm.Script;
        const file = path.join(dir, createHash("sha1").update(`${process.version}\0${filename}\0`).update(content).digest("hex"));
        try {
            const cachedData = readIfExists(file);
            script = new vm.Script(M.wrap(content), { filename, cachedData, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
            if (!cachedData || script.cachedDataRejected) fresh.push([file, script]);
        } catch {
            return original.call(this, content, filename);
        }
        const fn = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
        return fn.call(this.exports, this.exports, requireFor(this, M), this, filename, path.dirname(filename));
    };
    // Written at exit, after the run: the cache then holds the functions that ran, not only the top level.
    process.once("exit", () => {
        for (const [file, script] of fresh) {
            try {
                const tmp = `${file}.${process.pid}`;
                fs.writeFileSync(tmp, script.createCachedData());
                fs.renameSync(tmp, file);
            } catch {
                // A full disk or a concurrent writer: the next run compiles again.
            }
        }
    });
}

function readIfExists(file: string): Buffer | undefined {
    try {
        return fs.readFileSync(file);
    } catch {
        return undefined;
    }
}

/** The same `require` Node gives a module: resolution from that module, the shared cache. */
function requireFor(mod: CompilingModule, M: ModuleInternals) {
    return Object.assign((id: string) => mod.require(id), {
        resolve: Object.assign((request: string, options?: unknown) => M._resolveFilename(request, mod, false, options), { paths: (request: string) => M._resolveLookupPaths(request, mod) }),
        main: require.main,
        extensions: M._extensions,
        cache: M._cache,
    });
}
