/**
 * Policy inputs of a stack, from ./dump-policy-inputs.ts run in a child process (the mock runtime is
 * once per process). It is transpiled next to the tree `npm run synth` builds (.build/, which the
 * integration globalSetup has just built), so the program runs exactly as synth runs it.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildSync } from "esbuild";
import { ROOT } from "../lib/env";
import { WireResource } from "./wire";

const SOURCE = path.join(ROOT, "test", "integration", "policy", "dump-policy-inputs.ts");
const COMPILED = path.join(ROOT, ".build", "test", "integration", "policy", "dump-policy-inputs.js");

function compile(): void {
    // wire.ts too: the dump imports its wireResource, and only the program is in .build already.
    buildSync({ entryPoints: [SOURCE, path.join(path.dirname(SOURCE), "wire.ts")], outdir: path.join(ROOT, ".build"), outbase: ROOT, platform: "node", format: "cjs", target: "node20", logLevel: "warning" });
}

export type Mode = "known" | "preview";

export async function policyInputs(stack: string, mode: Mode): Promise<WireResource[]> {
    if (!fs.existsSync(path.join(ROOT, ".build", "stacks", "index.js"))) throw new Error(".build/ is missing: the integration globalSetup (test/global-setup.js) builds it");
    compile();
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "pr-cybr-policy-inputs-")), `${stack}.${mode}.json`);
    await new Promise<void>((resolve, reject) =>
        execFile(process.execPath, [COMPILED, stack, mode, out], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (err, _stdout, stderr) => (err ? reject(new Error(`dump-policy-inputs ${stack} ${mode}: ${err.message}\n${stderr}`)) : resolve())),
    );
    const dump = JSON.parse(fs.readFileSync(out, "utf8")) as { resources: WireResource[] };
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
    return dump.resources;
}
