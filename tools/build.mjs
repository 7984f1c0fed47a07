// Transpiles the program, the policy rules, the tools and the mock harness to .build/ (CommonJS) with
// esbuild: no type-checking (that is `npm run typecheck`) and no TypeScript compilation at run time.
// Nothing is rebuilt when no input changed since the last build (`npm run synth` builds on every run;
// `--force` rebuilds anyway).
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "fs";
import { createRequire } from "module";
import { fileURLToPath } from "url";
import { join } from "path";

const require = createRequire(import.meta.url);
// esbuild itself is loaded only when there is something to build.
const esbuildVersion = JSON.parse(readFileSync(require.resolve("esbuild/package.json"), "utf8")).version;

// test/helpers: globalSetup runs the program once per stack for the tests (write-shared-platform.ts).
const ROOTS = ["stacks", "components", "policy", "tools", "test/mocks", "test/helpers", "bootstrap"];
const SKIP = new Set(["node_modules"]);

function tsFiles(dir) {
    return readdirSync(dir).flatMap((entry) => {
        const full = join(dir, entry);
        if (statSync(full).isDirectory()) return SKIP.has(entry) ? [] : tsFiles(full);
        return entry.endsWith(".ts") && !entry.endsWith(".test.ts") && !entry.endsWith(".d.ts") ? [full] : [];
    });
}

// Everything the build reads: sources, the files copied beside them, this script and the esbuild version.
function inputsStamp() {
    const files = [...ROOTS.flatMap(tsFiles), ...hostAssets("components"), ...dataFiles(join("tools", "data")), fileURLToPath(import.meta.url)];
    const lines = files.sort().map((f) => {
        const st = statSync(f);
        return `${f}\t${st.size}\t${st.mtimeMs}`;
    });
    return [`esbuild ${esbuildVersion}`, ...lines].join("\n") + "\n";
}

function dataFiles(dir) {
    return existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : [];
}

const STAMP = join(".build", ".inputs");
const stamp = inputsStamp();
if (!process.argv.includes("--force") && existsSync(STAMP) && readFileSync(STAMP, "utf8") === stamp) process.exit(0);

const { buildSync } = await import("esbuild");
rmSync(".build", { recursive: true, force: true });
buildSync({
    entryPoints: ROOTS.flatMap(tsFiles),
    outdir: ".build",
    outbase: ".",
    platform: "node",
    format: "cjs",
    target: "node20",
    sourcemap: "inline",
    logLevel: "warning",
});

// Files components read at run time (host scripts, cloud-init templates, Lambda sources) travel with the
// compiled code.
function hostAssets(dir) {
    return readdirSync(dir).flatMap((entry) => {
        const full = join(dir, entry);
        if (statSync(full).isDirectory()) return entry === "node_modules" ? [] : hostAssets(full);
        return /\/(host|rotation|agent)\//.test(full) && (/\.(sh|yaml|js)$/.test(entry) || entry === "Dockerfile" || entry === "go.sum") ? [full] : [];
    });
}
for (const file of hostAssets("components")) cpSync(file, join(".build", file));
// Data the tools read (the providers' replace rules).
cpSync(join("tools", "data"), join(".build", "tools", "data"), { recursive: true });
// Written last: an interrupted build leaves no stamp, so the next run builds again.
writeFileSync(STAMP, stamp);
