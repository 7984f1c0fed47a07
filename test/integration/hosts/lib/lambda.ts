// Invokes a Node.js Lambda function of the plan the way the nodejs22.x runtime does: the function's
// archive unpacked into a directory, its handler (`<file>.<export>`) called with the event, the
// runtime's AWS SDK on NODE_PATH (engine lambda-sdk), the function's environment variables plus the
// ones the runtime sets (AWS_REGION; credentials here are moto's). Node is this machine's (20), not 22.
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { engine, ROOT } from "../../lib/env";
import { awsEnv } from "./aws";
import { PlanResource } from "./plan";

export interface Invocation {
    ok: boolean;
    /** The error message the runtime reports for a rejected handler, or "". */
    error: string;
    logs: string;
}

const RUNNER = `
const [file, name, event] = process.argv.slice(1);
require(file)[name](JSON.parse(event)).then(
    () => process.exit(0),
    (err) => { process.stderr.write("ERROR " + JSON.stringify({ errorMessage: err.message }) + "\\n"); process.exit(1); },
);`;

export function lambdaFunction(fn: PlanResource, region = "us-east-1") {
    const archive: Record<string, { path: string }> = fn.inputs.code?.archive;
    if (!archive) throw new Error(`${fn.name}: the plan records no code archive`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pr-cybr-lambda-"));
    for (const [name, asset] of Object.entries(archive)) fs.copyFileSync(path.join(ROOT, asset.path), path.join(dir, name));
    const [file, exported] = String(fn.inputs.handler).split(".");
    const env = {
        PATH: process.env.PATH ?? "",
        NODE_PATH: (engine("lambda-sdk").env as Record<string, string>).PR_CYBR_LAMBDA_NODE_PATH,
        AWS_REGION: region,
        AWS_LAMBDA_FUNCTION_NAME: fn.name,
        ...awsEnv(),
        ...(fn.inputs.environment?.variables ?? {}),
    };
    return {
        invoke(event: unknown): Promise<Invocation> {
            return new Promise((resolve) => {
                const child = spawn(process.execPath, ["-e", RUNNER, path.join(dir, `${file}.js`), exported, JSON.stringify(event)], { env, cwd: dir });
                let logs = "";
                child.stdout.on("data", (d) => (logs += d));
                child.stderr.on("data", (d) => (logs += d));
                child.on("close", (code) => {
                    const m = /^ERROR (.*)$/m.exec(logs);
                    resolve({ ok: code === 0, error: m ? JSON.parse(m[1]).errorMessage : "", logs });
                });
            });
        },
    };
}
