/**
 * The whole program's run under the mocks, kept in a file: globalSetup runs each committed stack once
 * (test/helpers/write-shared-platform.ts) and every test file that asks `platformUnderMocks` for that
 * stack's committed config gets the recorded run back instead of running the program again (jest
 * loads and runs it per test file: ~2.5 s CPU per stack and file). The harness handed back is a live
 * one, with the recorded registrations, invokes and secrets added, so a test may still register more.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { installMocks, MockHarness, RecordedResource, SecretValue } from "../mocks";
import { ROOT } from "./config";

/** What one run left in its harness and outputs, JSON-encoded (`encode`). */
interface Snapshot {
    resources: unknown[];
    registeredOutputs: [string, unknown][];
    invokes: unknown[];
    generatedSecrets: string[];
    outputs: unknown;
}

// Tags for what JSON cannot hold; a plain object with the tag key itself is wrapped too.
const TAG = "\u0000pr-cybr";
type Tagged = { [TAG]: "secret" | "undefined" | "output" | "object" | "number" | "asset"; v?: unknown; secret?: boolean; kind?: AssetKind };

/** Pulumi's asset and archive classes, by the one (promised) field each is built from. */
const ASSETS = {
    FileAsset: ["path", (v: unknown) => new pulumi.asset.FileAsset(v as string)],
    StringAsset: ["text", (v: unknown) => new pulumi.asset.StringAsset(v as string)],
    RemoteAsset: ["uri", (v: unknown) => new pulumi.asset.RemoteAsset(v as string)],
    FileArchive: ["path", (v: unknown) => new pulumi.asset.FileArchive(v as string)],
    RemoteArchive: ["uri", (v: unknown) => new pulumi.asset.RemoteArchive(v as string)],
    AssetArchive: ["assets", (v: unknown) => new pulumi.asset.AssetArchive(v as pulumi.asset.AssetMap)],
} as const;
type AssetKind = keyof typeof ASSETS;

/**
 * The writer runs compiled, from .build/, where the program's own files are copied; a test sees them at
 * the source: paths into .build/ (absolute, or relative to the project root as the docker-build
 * context is) are mapped back. test/jest-speed.test.ts compares a replay with a live run.
 */
const BUILD = path.join(ROOT, ".build") + path.sep;
const fromBuild = (s: string) => (s.startsWith(BUILD) ? ROOT + path.sep + s.slice(BUILD.length) : s.startsWith(`.build${path.sep}`) ? s.slice(".build/".length) : s);

/** Thrown for a value the snapshot cannot reproduce exactly; the writer then leaves no snapshot. */
class Unsupported extends Error {}

/** `value` as JSON, Outputs resolved (with their secretness), SecretValues, assets and undefined tagged. */
export async function encode(value: unknown, at: string, str: (s: string) => string = (s) => s): Promise<unknown> {
    if (value === undefined) return { [TAG]: "undefined" };
    if (typeof value === "string") return str(value);
    if (value === null || typeof value === "boolean") return value;
    if (typeof value === "number") return Number.isFinite(value) && !Object.is(value, -0) ? value : { [TAG]: "number", v: String(value) };
    if (Array.isArray(value)) {
        const out: unknown[] = [];
        for (let i = 0; i < value.length; i++) {
            if (!(i in value)) throw new Unsupported(`${at}[${i}]: a hole in an array`);
            out.push(await encode(value[i], `${at}[${i}]`, str));
        }
        return out;
    }
    if (value instanceof SecretValue) return { [TAG]: "secret", v: await encode(value.value, at, str) };
    if (pulumi.Output.isInstance(value)) {
        const o = value as unknown as { isKnown: Promise<boolean>; isSecret: Promise<boolean>; promise(): Promise<unknown> };
        if (!(await o.isKnown)) throw new Unsupported(`${at}: an unknown output`);
        return { [TAG]: "output", secret: await o.isSecret, v: await encode(await o.promise(), at, str) };
    }
    if (pulumi.asset.Asset.isInstance(value) || pulumi.asset.Archive.isInstance(value)) {
        const kind = Object.keys(ASSETS).find((k) => value.constructor === pulumi.asset[k as AssetKind]) as AssetKind | undefined;
        if (!kind) throw new Unsupported(`${at}: a ${value.constructor.name}`);
        const field = ASSETS[kind][0];
        const v = await (value as unknown as Record<string, Promise<unknown>>)[field];
        return { [TAG]: "asset", kind, v: await encode(v, `${at}.${field}`, str) };
    }
    if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) out[k] = await encode(v, `${at}.${k}`, str);
        return TAG in out ? { [TAG]: "object", v: out } : out;
    }
    throw new Unsupported(`${at}: a ${typeof value === "object" ? ((value as object).constructor?.name ?? "null-prototype object") : typeof value}`);
}

function decode(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(decode);
    if (!value || typeof value !== "object") return value;
    const obj = value as Record<string, unknown>;
    if (!(TAG in obj)) return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, decode(v)]));
    const t = obj as Tagged;
    switch (t[TAG]) {
        case "undefined":
            return undefined;
        case "number":
            return Number(t.v);
        case "secret":
            return new SecretValue(decode(t.v));
        case "output":
            return t.secret ? pulumi.secret(decode(t.v)) : pulumi.output(decode(t.v));
        case "asset":
            return ASSETS[t.kind!][1](decode(t.v));
        case "object":
            return Object.fromEntries(Object.entries(t.v as Record<string, unknown>).map(([k, v]) => [k, decode(v)]));
    }
}

/**
 * Writes what `harness` recorded and the program's `outputs` to `file`, or nothing (returning why) when
 * some value could not be reproduced exactly, so tests run the program themselves instead.
 */
export async function writePlatformSnapshot(file: string, harness: MockHarness, outputs: unknown): Promise<string | undefined> {
    try {
        const snapshot: Snapshot = {
            // Registration order, as the recorder's map holds them (list() sorts by URN).
            resources: (await encode([...harness.recorder.resources.values()], "resources", fromBuild)) as unknown[],
            registeredOutputs: (await encode([...harness.recorder.registeredOutputs.entries()], "registeredOutputs", fromBuild)) as [string, unknown][],
            invokes: (await encode(harness.invokes, "invokes", fromBuild)) as unknown[],
            generatedSecrets: [...harness.generatedSecrets],
            outputs: await encode(outputs, "outputs", fromBuild),
        };
        fs.writeFileSync(file, JSON.stringify(snapshot));
        return undefined;
    } catch (err) {
        if (err instanceof Unsupported) return err.message;
        throw err;
    }
}

/** A fresh harness for `stack` holding the snapshot's run, and the run's outputs. */
export async function replayPlatformSnapshot<T>(file: string, stack: string): Promise<{ harness: MockHarness; outputs: T }> {
    const snapshot = JSON.parse(fs.readFileSync(file, "utf8")) as Snapshot;
    const harness = installMocks({ stack });
    await harness.settle();
    for (const r of decode(snapshot.resources) as RecordedResource[]) harness.recorder.resources.set(r.urn, r);
    for (const [urn, outputs] of decode(snapshot.registeredOutputs) as [string, Record<string, unknown>][]) harness.recorder.registeredOutputs.set(urn, outputs);
    harness.invokes.push(...(decode(snapshot.invokes) as MockHarness["invokes"]));
    for (const s of snapshot.generatedSecrets) harness.generatedSecrets.add(s);
    return { harness, outputs: decode(snapshot.outputs) as T };
}
