/**
 * The policy test corpus as data: when PR_CYBR_POLICY_CORPUS names a directory, every case the
 * harness runs is also appended there (one JSON line per case, one file per jest worker), so the
 * integration suite can replay the same cases through the real CrossGuard analyzer and the offline
 * engine (test/integration/policy/policy-differential.test.ts). Unset, recording is a no-op.
 */
import * as fs from "fs";
import * as path from "path";
import type { Policies } from "@pulumi/policy";
import { RecordedResource, SecretValue } from "../mocks";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const rpc = require("@pulumi/pulumi/runtime/rpc") as { specialSigKey: string; specialSecretSig: string };

export interface CorpusResource {
    type: string;
    name: string;
    urn: string;
    props: Record<string, unknown>;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
}

export interface CorpusCase {
    test: string;
    kind: "resource" | "stack";
    policy: string;
    config: Record<string, unknown>;
    resources: CorpusResource[];
    /** For resource cases: the resource under test's provider (type, name, urn, props). */
    provider?: { type: string; name: string; urn: string; props: Record<string, unknown> };
}

/** A call of the offline engine itself (test/policy/engine.test.ts): its test rules, recorded resources and config file. */
export interface EngineCase {
    test: string;
    kind: "engine";
    rules: string[];
    file: Record<string, unknown>;
    /** Recorded resources with secrets as the SDK's secret envelopes. */
    resources: RecordedResource[];
}

const dir = process.env.PR_CYBR_POLICY_CORPUS;

function append(c: Omit<CorpusCase, "test"> | Omit<EngineCase, "test">): void {
    const test = (globalThis as { expect?: { getState(): { currentTestName?: string; testPath?: string } } }).expect?.getState();
    const entry = { test: `${path.basename(test?.testPath ?? "?")} > ${test?.currentTestName ?? "?"}`, ...c };
    fs.appendFileSync(path.join(dir!, `${process.pid}.jsonl`), JSON.stringify(entry) + "\n");
}

export function recordCase(c: Omit<CorpusCase, "test">): void {
    if (dir) append(c);
}

/** SecretValue -> the SDK's secret envelope, so the case survives JSON and reads back as it was. */
function enveloped(value: unknown): unknown {
    if (value instanceof SecretValue) return { [rpc.specialSigKey]: rpc.specialSecretSig, value: enveloped(value.value) };
    if (Array.isArray(value)) return value.map(enveloped);
    if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, enveloped(v)]));
    return value;
}

export function recordEngineCase(policies: Policies, resources: RecordedResource[], file: Record<string, unknown>): void {
    if (!dir) return;
    append({ kind: "engine", rules: policies.map((p) => p.name), file, resources: resources.map((r) => ({ ...r, inputs: enveloped(r.inputs), outputs: enveloped(r.outputs) }) as RecordedResource) });
}

/** The envelope back to a SecretValue, as the recorder keeps secrets. */
export function unenveloped(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(unenveloped);
    if (value && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[rpc.specialSigKey] === rpc.specialSecretSig) return new SecretValue(unenveloped(obj.value));
        return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, unenveloped(v)]));
    }
    return value;
}

export function readCorpus(from: string): (CorpusCase | EngineCase)[] {
    return fs
        .readdirSync(from)
        .filter((f) => f.endsWith(".jsonl"))
        .sort()
        .flatMap((f) => fs.readFileSync(path.join(from, f), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as CorpusCase | EngineCase));
}
