/**
 * synth: runs the Pulumi program for one stack under the mock runtime, evaluates the policy pack on what
 * it registered, and writes `<out>/<stack>.plan.json` (DESIGN §5).
 *
 *   npm run synth -- --stack <dev|prod> [--config <Pulumi.x.yaml>] [--policy-config <file.json>] [--out <dir>] [--timings] [--stack-traces] [--project <dir>]
 *
 * --project synthesizes another Pulumi project of the repository (e.g. `--project bootstrap --stack prod`, the bootstrap stack of prod's account).
 *
 * Exit codes: 0 ok (advisory violations allowed), 1 a mandatory violation or a secret in plain text,
 * 2 invalid config or usage.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { exitWhenFlushed } from "./lib/exit";
import type { SynthOptions } from "./lib/run-synth";
import { UsageError } from "./lib/stack-files";

const USAGE = "usage: npm run synth -- --stack <dev|prod> [--config <Pulumi.x.yaml>] [--policy-config <file.json>] [--out <dir>] [--timings] [--stack-traces] [--project <dir>]";

function parseCommandLine(argv: string[]): SynthOptions {
    let values;
    try {
        ({ values } = parseArgs({
            args: argv,
            options: {
                stack: { type: "string" },
                config: { type: "string" },
                "policy-config": { type: "string" },
                out: { type: "string" },
                timings: { type: "boolean" },
                "stack-traces": { type: "boolean" },
                project: { type: "string" },
                help: { type: "boolean" },
            },
            strict: true,
        }));
    } catch (err) {
        throw new UsageError((err as Error).message);
    }
    if (values.help) {
        console.log(USAGE);
        process.exit(0);
    }
    const stack = values.stack;
    if (!stack) throw new UsageError("--stack is required");
    if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new UsageError(`--stack "${stack}" is not a stack name (letters, digits, _ . -)`);
    const project = values.project ?? ".";
    if (!fs.existsSync(path.join(project, "Pulumi.yaml"))) throw new UsageError(`--project ${project}: no Pulumi.yaml there`);
    return {
        stack,
        root: process.cwd(),
        project,
        configFile: values.config ?? path.join(project, `Pulumi.${stack}.yaml`),
        policyConfigFile: values["policy-config"] ?? path.join("policy", "config", `${stack}.json`),
        outDir: values.out ?? ".synth",
        recordTimings: values.timings ?? false,
        stackTraces: values["stack-traces"] ?? false,
    };
}

async function main(): Promise<number> {
    let options: SynthOptions;
    try {
        options = parseCommandLine(process.argv.slice(2));
    } catch (err) {
        console.error(`synth: ${(err as Error).message}\n${USAGE}`);
        return 2;
    }
    // Loaded after the arguments are checked: a usage error answers without loading the SDKs (~0.7 s).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require("./lib/compile-cache") as typeof import("./lib/compile-cache")).installCompileCache(path.resolve(__dirname, "..", "..", "node_modules", ".cache", "pr-cybr-compile"));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require("./lib/lazy-sdk") as typeof import("./lib/lazy-sdk")).deferUnusedSdkModules(__dirname);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runSynth } = require("./lib/run-synth") as typeof import("./lib/run-synth");
    const result = await runSynth(options);
    if (result.kind !== "ok") {
        console.error(result.message);
        return result.kind === "error" ? 1 : 2;
    }
    console.log(result.summary);
    const file = path.join(options.outDir, `${options.stack}.plan.json`);
    if (result.leaks.length > 0) {
        // A plan holding a secret must not be written (it would be uploaded as a CI artifact).
        for (const leak of result.leaks) console.error(`secret in plain text: ${leak}`);
        console.error(`not writing ${file}: mark those values as secrets (pulumi.secret / additionalSecretOutputs)`);
        return 1;
    }
    fs.mkdirSync(options.outDir, { recursive: true });
    fs.writeFileSync(file, result.text);
    console.log(`\nwrote ${file}`);
    const mandatory = result.plan.policies.violations.filter((v) => v.enforcementLevel === "mandatory").length;
    if (mandatory > 0) console.error(`${mandatory} mandatory policy violation${mandatory > 1 ? "s" : ""}`);
    return mandatory > 0 ? 1 : 0;
}

main().then(
    (code) => exitWhenFlushed(code),
    (err) => {
        console.error(err);
        exitWhenFlushed(1);
    },
);
