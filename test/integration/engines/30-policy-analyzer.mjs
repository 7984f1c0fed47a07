// The real CrossGuard analyzer: policy/ served by its own @pulumi/pulumi/cmd/run-policy-pack, as the
// Pulumi CLI serves a Node pack. The CLI starts one pack process per preview/update, so the suites do
// the same (test/integration/policy/analyzer-host.ts); up only installs the pack's pinned dependencies
// (`npm ci --prefix policy`, from its package-lock.json) and reports their versions.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../lib/engine-context.mjs";

export const name = "policy-analyzer";
export const order = 30;

const packDir = (ctx) => join(ctx.root, "policy");
const marker = (ctx) => join(packDir(ctx), "node_modules", ".pr-cybr-lock.sha256");
const lockHash = (ctx) => createHash("sha256").update(readFileSync(join(packDir(ctx), "package-lock.json"))).digest("hex");
const versionOf = (ctx, pkg) => JSON.parse(readFileSync(join(packDir(ctx), "node_modules", pkg, "package.json"), "utf8")).version.replace(/^v/, "");

const installed = (ctx) => existsSync(marker(ctx)) && readFileSync(marker(ctx), "utf8") === lockHash(ctx);

export async function up(ctx) {
    if (!installed(ctx)) {
        ctx.log("npm ci --prefix policy");
        run("npm", ["ci", "--prefix", packDir(ctx), "--no-audit", "--no-fund"], { cwd: ctx.root });
        writeFileSync(marker(ctx), lockHash(ctx));
    }
    return {
        env: { PR_CYBR_POLICY_PACK_DIR: packDir(ctx) },
        versions: { "pulumi-policy": versionOf(ctx, "@pulumi/policy"), "pulumi-sdk": versionOf(ctx, "@pulumi/pulumi") },
        pids: [],
        packDir: packDir(ctx),
    };
}

export async function healthy(ctx) {
    return installed(ctx);
}

export async function down() {
    // node_modules stays: it is an install, not a process (a later up reuses it while the lock matches).
}
