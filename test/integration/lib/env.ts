// The suites' view of `npm run integration:env -- up`: the variables it exported and the engines it
// started (.integration/env.json). A suite whose engine is not up fails with how to start it.
import * as fs from "fs";
import * as path from "path";

export const ROOT = path.join(__dirname, "..", "..", "..");
export const INTEGRATION_DIR = path.join(ROOT, ".integration");

export interface IntegrationEnv {
    env: Record<string, string>;
    versions: Record<string, string>;
    engines: Record<string, { env?: Record<string, string>; versions?: Record<string, string>; [k: string]: unknown }>;
}

export function integrationEnv(): IntegrationEnv {
    const file = path.join(INTEGRATION_DIR, "env.json");
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`npm run integration:env -- up\` (or \`npm run test:integration\`, which does)`);
    return JSON.parse(fs.readFileSync(file, "utf8"));
}

/** The named engine's record; throws with the command that starts it when it is not up. */
export function engine(name: string): IntegrationEnv["engines"][string] {
    const e = integrationEnv().engines[name];
    if (!e) throw new Error(`integration engine "${name}" is not up: run \`npm run integration:env -- up --only ${name}\``);
    return e;
}
