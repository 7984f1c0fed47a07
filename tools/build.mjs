// Transpiles the program, the policy rules, the tools and the mock harness to .build/ (CommonJS) with
// esbuild: no type-checking (that is `npm run typecheck`) and no TypeScript compilation at run time.
import { buildSync } from "esbuild";
import { cpSync, readdirSync, rmSync, statSync } from "fs";
import { join } from "path";

const ROOTS = ["stacks", "components", "policy", "tools", "test/mocks", "bootstrap"];
const SKIP = new Set(["node_modules"]);

function tsFiles(dir) {
    return readdirSync(dir).flatMap((entry) => {
        const full = join(dir, entry);
        if (statSync(full).isDirectory()) return SKIP.has(entry) ? [] : tsFiles(full);
        return entry.endsWith(".ts") && !entry.endsWith(".test.ts") && !entry.endsWith(".d.ts") ? [full] : [];
    });
}

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
        return /\/(host|rotation|agent)\//.test(full) && (/\.(sh|yaml|js)$/.test(entry) || entry === "Dockerfile") ? [full] : [];
    });
}
for (const file of hostAssets("components")) cpSync(file, join(".build", file));
// Data the tools read (the providers' replace rules).
cpSync(join("tools", "data"), join(".build", "tools", "data"), { recursive: true });
