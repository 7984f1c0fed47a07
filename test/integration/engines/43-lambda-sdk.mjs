// The AWS SDK for JavaScript v3 clients the Lambda nodejs22.x runtime provides to a function on its
// NODE_PATH (/var/runtime/node_modules): the rotation function brings no SDK of its own. Installed
// from engines/lambda-sdk (versions and lock committed) into ~/.cache/pr-cybr, keyed by the lock.
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { run } from "../lib/engine-context.mjs";

export const name = "lambda-sdk";
export const order = 43;

export async function up(ctx) {
    const source = join(ctx.root, "test/integration/engines/lambda-sdk");
    const lock = readFileSync(join(source, "package-lock.json"));
    const dir = join(ctx.cache, `lambda-sdk-${createHash("sha256").update(lock).digest("hex").slice(0, 12)}`);
    const nodePath = join(dir, "node_modules");
    if (!existsSync(join(nodePath, ".package-lock.json"))) {
        ctx.log(`npm ci the Lambda runtime's SDK clients into ${dir}`);
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
        for (const f of ["package.json", "package-lock.json"]) cpSync(join(source, f), join(dir, f));
        run("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: dir });
    }
    const versions = Object.fromEntries(
        ["client-secrets-manager", "client-ssm"].map((c) => [`@aws-sdk/${c}`, JSON.parse(readFileSync(join(nodePath, "@aws-sdk", c, "package.json"), "utf8")).version]),
    );
    return { nodePath, env: { PR_CYBR_LAMBDA_NODE_PATH: nodePath }, versions: { "aws-sdk-js-v3": versions["@aws-sdk/client-ssm"] } };
}

export async function healthy(ctx, recorded) {
    return existsSync(join(recorded.nodePath, "@aws-sdk", "client-ssm", "package.json"));
}

export async function down() {}
