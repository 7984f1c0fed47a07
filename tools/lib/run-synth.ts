import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { policies } from "../../policy/rules";
import { installMocks } from "../../test/mocks";
import { evaluatePolicies, policyConfigProblems, PolicyConfigFile } from "./policy-engine";
import { buildPlan, findLeaks, Plan, serializePlan } from "./plan";
import { readStackFiles, UsageError } from "./stack-files";
import { Progress } from "./progress";
import { renderSummary } from "./summary";

export interface SynthOptions {
    stack: string;
    /** Repository root. */
    root: string;
    /** Directory of the Pulumi project inside the repository ("." for the platform, "bootstrap"). */
    project: string;
    configFile: string;
    policyConfigFile: string;
    outDir: string;
    /** Write the measured duration into stats.durationMs (else 0, which keeps plans byte-identical). */
    recordTimings: boolean;
    /** Keep full stack traces while the program runs (slower: the SDK captures one per promise). */
    stackTraces: boolean;
}

export type SynthResult =
    | { kind: "usage" | "config" | "error"; message: string }
    | { kind: "ok"; plan: Plan; text: string; summary: string; leaks: string[]; durationMs: number };

/** The compiled tree (.build/) this file runs from; the program entry is resolved inside it. */
const BUILD_ROOT = path.resolve(__dirname, "..", "..");

const isConfigError = (err: unknown) => !!err && typeof err === "object" && (err as Error).name === "ConfigError";
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * The fake account and region a stack's answers come from: its `aws:region`, and the account its
 * `aws:allowedAccountIds` pins it to (each environment is its own account), so a plan's ARNs name the
 * account the stack really deploys into.
 */
export function fakeCloudOf(values: Record<string, string>): { region?: string; accountId?: string } {
    let accounts: unknown;
    try {
        accounts = values["aws:allowedAccountIds"] === undefined ? undefined : JSON.parse(values["aws:allowedAccountIds"]);
    } catch {
        accounts = undefined;
    }
    const accountId = Array.isArray(accounts) && typeof accounts[0] === "string" ? accounts[0] : undefined;
    return { region: values["aws:region"], ...(accountId ? { accountId } : {}) };
}

/**
 * Synthesizes one stack. Global state (the mock runtime) makes this once-per-process: the CLI calls
 * it once; tests run the CLI as a child process.
 */
export async function runSynth(o: SynthOptions): Promise<SynthResult> {
    const started = performance.now();
    let project: { name: string; main?: string };
    let files: ReturnType<typeof readStackFiles>;
    let policyFile: PolicyConfigFile;
    try {
        const projectFile = path.join(o.root, o.project, "Pulumi.yaml");
        project = YAML.parse(fs.readFileSync(projectFile, "utf8"));
        files = readStackFiles(projectFile, path.resolve(o.root, o.configFile));
        policyFile = readJson(path.resolve(o.root, o.policyConfigFile));
    } catch (err) {
        return { kind: err instanceof UsageError ? "usage" : "error", message: `synth: ${messageOf(err)}` };
    }
    const policyProblems = policyConfigProblems(policies, policyFile);
    if (policyProblems.length > 0) {
        return { kind: "config", message: `invalid policy config (${o.policyConfigFile}):\n  ${policyProblems.join("\n  ")}` };
    }

    // Without --stack-traces the harness turns stack traces off while the program runs (user errors are messages).
    const harness = installMocks({ project: project.name, stack: o.stack, cloud: fakeCloudOf(files.values), stackTraces: o.stackTraces });
    const progress = new Progress(() => harness.recorder.resources.size);
    try {
        return await synthesize(o, project, files, policyFile, harness, progress, started);
    } finally {
        progress.done();
    }
}

async function synthesize(
    o: SynthOptions,
    project: { name: string; main?: string },
    files: ReturnType<typeof readStackFiles>,
    policyFile: PolicyConfigFile,
    harness: ReturnType<typeof installMocks>,
    progress: Progress,
    started: number,
): Promise<SynthResult> {
    progress.step("running the program");
    pulumi.runtime.setAllConfig(files.values, files.secretKeys);
    const failures: unknown[] = [];
    const onRejection = (err: unknown) => failures.push(err);
    process.on("unhandledRejection", onRejection);
    const stackTraceLimit = Error.stackTraceLimit;
    try {
        const entry = path.join(BUILD_ROOT, o.project, (project.main ?? "index.ts").replace(/\.ts$/, ".js"));
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        await pulumi.runtime.runInPulumiStack(async () => require(entry));
        await harness.settle();
    } catch (err) {
        failures.push(err);
    } finally {
        process.off("unhandledRejection", onRejection);
        Error.stackTraceLimit = stackTraceLimit;
    }
    const configFailure = failures.find(isConfigError);
    if (configFailure) return { kind: "config", message: `${o.configFile}: ${messageOf(configFailure)}` };
    if (failures.length > 0) return { kind: "error", message: `synth failed:\n${describeFailures(failures)}` };

    const programMs = performance.now() - started;
    const resources = harness.recorder.list();
    const stackUrn = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ?? "";
    progress.step("evaluating policies");
    const report = await evaluatePolicies(policies, resources, policyFile);
    progress.step("writing the plan");
    const policyMs = performance.now() - started - programMs;
    const durationMs = Math.round(performance.now() - started);
    const plan = buildPlan({
        project: project.name,
        stack: o.stack,
        resources,
        outputs: harness.recorder.registeredOutputs.get(stackUrn) ?? {},
        policies: report,
        durationMs: o.recordTimings ? durationMs : 0,
    });
    const text = serializePlan(plan);
    const leaks = findLeaks(plan, [...harness.generatedSecrets, ...files.fakeSecrets]);
    const phases = { programMs, policyMs, planMs: performance.now() - started - programMs - policyMs };
    return { kind: "ok", plan, text, summary: renderSummary(plan, durationMs, phases), leaks, durationMs };
}

function readJson(file: string): PolicyConfigFile {
    if (!fs.existsSync(file)) throw new UsageError(`${file}: no such file`);
    try {
        return JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new UsageError(`${file}: invalid JSON: ${messageOf(err)}`);
    }
}

/**
 * One line per distinct failure. A failed apply rejects every output that depends on it, each wrapped
 * in "error serializing property ..." layers; the user needs the root message once. Resource errors
 * are user-facing (message only); anything else is a bug and keeps its stack.
 */
function describeFailures(failures: unknown[]): string {
    const lines = failures.map((f) => {
        const message = messageOf(f);
        const root = message.replace(/^(error serializing property "[^"]*": )+/, "");
        const userFacing = pulumi.ResourceError.isInstance(f) || root !== message || !(f instanceof Error);
        const stack = (f as Error).stack ?? "";
        return userFacing ? root : stack.includes("\n    at ") ? stack : `${root} (run synth with --stack-traces for where it was thrown)`;
    });
    return [...new Set(lines)].map((l) => `  ${l}`).join("\n");
}
