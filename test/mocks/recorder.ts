/**
 * Records what the program registers, at the RPC boundary of Pulumi's mock monitor, where parent,
 * dependencies, options and secretness are all still visible (the public Mocks interface only sees
 * type, name and unwrapped inputs).
 */

import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

// Internal SDK modules: pinned @pulumi/pulumi version, covered by test/mocks.test.ts.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const rpc = require("@pulumi/pulumi/runtime/rpc") as {
    deserializeProperties(struct: unknown, keepUnknowns?: boolean): Record<string, unknown>;
    specialSigKey: string;
    specialSecretSig: string;
    specialAssetSig: string;
    specialArchiveSig: string;
};

/**
 * Assets and archives as plain, deterministic descriptions: a file as its path (relative to the working
 * directory) and the SHA-256 of its bytes, so a plan diff shows when Lambda code or a file changed.
 * `raw` is the serialized form the SDK sent, where paths are still strings, not promises.
 */
export function describeAssets(raw: unknown): unknown {
    if (Array.isArray(raw)) return raw.map(describeAssets);
    if (!raw || typeof raw !== "object") return raw;
    const obj = raw as Record<string, unknown>;
    const sig = obj[rpc.specialSigKey];
    if (sig === rpc.specialAssetSig || sig === rpc.specialArchiveSig) {
        const kind = sig === rpc.specialAssetSig ? "asset" : "archive";
        if (typeof obj.path === "string") return { [kind]: "file", path: path.relative(process.cwd(), obj.path).replace(/^\.build\//, ""), sha256: sha256(fs.readFileSync(obj.path)) };
        if (typeof obj.text === "string") return { [kind]: "text", sha256: sha256(obj.text) };
        if (typeof obj.uri === "string") return { [kind]: "uri", uri: obj.uri };
        if (obj.assets && typeof obj.assets === "object") {
            const members = obj.assets as Record<string, unknown>;
            return { archive: Object.fromEntries(Object.keys(members).sort().map((k) => [k, describeAssets(members[k])])) };
        }
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, describeAssets(v)]));
}

const sha256 = (data: string | Buffer) => crypto.createHash("sha256").update(data).digest("hex");

/** Whether a serialized value holds an asset or archive anywhere. */
function holdsAsset(raw: unknown): boolean {
    if (Array.isArray(raw)) return raw.some(holdsAsset);
    if (!raw || typeof raw !== "object") return false;
    const sig = (raw as Record<string, unknown>)[rpc.specialSigKey];
    return sig === rpc.specialAssetSig || sig === rpc.specialArchiveSig || Object.values(raw).some(holdsAsset);
}

const isAssetOrArchive = (v: unknown): boolean => pulumi.asset.Asset.isInstance(v) || pulumi.asset.Archive.isInstance(v);

/** Whether deserialized inputs hold a Pulumi asset or archive object anywhere. */
function containsAssetObject(value: unknown): boolean {
    if (!value || typeof value !== "object") return false;
    if (isAssetOrArchive(value)) return true;
    if (value instanceof SecretValue) return containsAssetObject(value.value);
    return Array.isArray(value) ? value.some(containsAssetObject) : Object.values(value).some(containsAssetObject);
}

/** A value that was a Pulumi secret when registered; plan writers print it as "[secret]". */
export class SecretValue {
    constructor(public readonly value: unknown) {}
}

export interface RecordedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly parent: string | undefined;
    readonly dependsOn: string[];
    readonly propertyDependencies: Record<string, string[]>;
    readonly protect: boolean;
    readonly ignoreChanges: string[];
    readonly additionalSecretOutputs: string[];
    readonly deleteBeforeReplace: boolean;
    readonly retainOnDelete: boolean;
    /** The provider reference (`<provider urn>::<id>`), empty for components and default providers. */
    readonly providerRef: string;
    // Optional so hand-built records (policy corpora, tests) need not spell out options they do not use.
    readonly replaceOnChanges?: string[];
    /** Aliases as registered: an alias URN, or a spec of the old name/type/parent (empty fields left out). */
    readonly aliases?: RecordedAlias[];
    /** Custom create/update/delete timeouts (Go duration strings), only those set. */
    readonly customTimeouts?: { create?: string; update?: string; delete?: string };
    /** Inputs as registered; secrets are SecretValue instances. */
    readonly inputs: Record<string, unknown>;
    /** What the mock provider returned (inputs plus computed outputs), secrets as SecretValue. */
    id?: string;
    outputs: Record<string, unknown>;
}

export type RecordedAlias = { urn: string } | { name?: string; type?: string; stack?: string; project?: string; parentUrn?: string; noParent?: boolean };

/** An alias from the request: the SDK sends full specs when the monitor supports "aliasSpecs" (the mock monitor does). */
function recordAlias(alias: AliasMessage): RecordedAlias {
    if (alias.hasUrn()) return { urn: alias.getUrn() };
    const spec = alias.getSpec();
    if (!spec) return {};
    const out: Record<string, string | boolean> = {};
    const fields: [string, string | boolean][] = [
        ["name", spec.getName()],
        ["type", spec.getType()],
        ["stack", spec.getStack()],
        ["project", spec.getProject()],
        ["parentUrn", spec.getParenturn()],
        ["noParent", spec.getNoparent()],
    ];
    for (const [k, v] of fields) if (v) out[k] = v;
    return out;
}

interface AliasMessage {
    hasUrn(): boolean;
    getUrn(): string;
    getSpec(): { getName(): string; getType(): string; getStack(): string; getProject(): string; getParenturn(): string; getNoparent(): boolean } | undefined;
}

/** Turns the SDK's secret envelopes ({sig: secretSig, value}) into SecretValue, recursively. */
export function liftSecrets(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(liftSecrets);
    if (value && typeof value === "object" && value.constructor === Object) {
        const obj = value as Record<string, unknown>;
        if (obj[rpc.specialSigKey] === rpc.specialSecretSig) return new SecretValue(liftSecrets(obj.value));
        return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, liftSecrets(v)]));
    }
    return value;
}

/** The SDK's secret envelope, for returning a secret from a mock. */
export function secretEnvelope(value: unknown): Record<string, unknown> {
    return { [rpc.specialSigKey]: rpc.specialSecretSig, value };
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getProtect(): boolean | undefined;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(cb: (deps: { getUrnsList(): string[] }, key: string) => void): void };
    getIgnorechangesList(): string[];
    getAdditionalsecretoutputsList(): string[];
    getDeletebeforereplace(): boolean;
    getRetainondelete(): boolean | undefined;
    getProvider(): string;
    getReplaceonchangesList(): string[];
    getAliasesList(): AliasMessage[];
    getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
    getObject(): unknown;
}

type Monitor = {
    registerResource(req: RegisterRequest, cb: (err: unknown, resp: { getUrn(): string; getId(): string } | undefined) => void): Promise<void>;
    registerResourceOutputs(req: { getUrn(): string; getOutputs(): unknown }, cb: (err: unknown, resp: unknown) => void): void;
};

function recordTimeouts(t: ReturnType<RegisterRequest["getCustomtimeouts"]>): NonNullable<RecordedResource["customTimeouts"]> {
    const out: { create?: string; update?: string; delete?: string } = {};
    if (t?.getCreate()) out.create = t.getCreate();
    if (t?.getUpdate()) out.update = t.getUpdate();
    if (t?.getDelete()) out.delete = t.getDelete();
    return out;
}

export class Recorder {
    readonly resources = new Map<string, RecordedResource>();
    /** Outputs the next newResource of `type::name` must mark secret (from the request's options). */
    readonly pendingSecretOutputs = new Map<string, string[]>();
    /** Inputs (as the mock monitor deserialized them) and outputs by `type::name`, filled by the mocks. */
    readonly pendingOutputs = new Map<string, { id?: string; inputs: Record<string, unknown>; state: Record<string, unknown> }>();
    /** What components (and the root stack) registered as their outputs, secrets as SecretValue. */
    readonly registeredOutputs = new Map<string, Record<string, unknown>>();
    /** Registrations the recorder could not record (it runs in an RPC callback, where a throw is lost). */
    readonly failures: string[] = [];

    attach(monitor: Monitor): void {
        const original = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req, callback) => {
            const key = `${req.getType()}::${req.getName()}`;
            this.pendingSecretOutputs.set(key, req.getAdditionalsecretoutputsList());
            return original(req, (err, resp) => {
                if (!err && resp) {
                    try {
                        this.record(req, resp.getUrn(), key);
                    } catch (e) {
                        this.failures.push(`${key}: ${(e as { message?: string } | undefined)?.message ?? String(e)}`);
                    }
                }
                callback(err, resp);
            });
        };
        const originalOutputs = monitor.registerResourceOutputs.bind(monitor);
        monitor.registerResourceOutputs = (req, callback) => {
            const outputs = req.getOutputs() ? rpc.deserializeProperties(req.getOutputs(), true) : {};
            this.registeredOutputs.set(req.getUrn(), liftSecrets(outputs) as Record<string, unknown>);
            originalOutputs(req, callback);
        };
    }

    private record(req: RegisterRequest, urn: string, key: string): void {
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((deps, prop) => {
            propertyDependencies[prop] = [...deps.getUrnsList()].sort();
        });
        const produced = this.pendingOutputs.get(key);
        this.pendingOutputs.delete(key);
        const inputs = liftSecrets(produced ? produced.inputs : rpc.deserializeProperties(req.getObject(), true)) as Record<string, unknown>;
        // Deserialized assets hold promises; describe them from the serialized form instead (converting
        // that form costs a deep copy, so only for the few resources that hold an asset).
        if (containsAssetObject(inputs)) {
            const raw = (req.getObject() as { toJavaScript?(): Record<string, unknown> } | undefined)?.toJavaScript?.() ?? {};
            for (const [k, v] of Object.entries(raw)) if (holdsAsset(v)) inputs[k] = liftSecrets(describeAssets(v));
        }
        this.resources.set(urn, {
            urn,
            type: req.getType(),
            name: req.getName(),
            custom: req.getCustom(),
            parent: req.getParent() || undefined,
            dependsOn: [...new Set(req.getDependenciesList())].sort(),
            propertyDependencies,
            protect: req.getProtect() ?? false,
            ignoreChanges: req.getIgnorechangesList(),
            additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
            deleteBeforeReplace: req.getDeletebeforereplace(),
            retainOnDelete: req.getRetainondelete() ?? false,
            providerRef: req.getProvider(),
            replaceOnChanges: req.getReplaceonchangesList(),
            aliases: req.getAliasesList().map(recordAlias),
            customTimeouts: recordTimeouts(req.getCustomtimeouts()),
            // The monitor already deserialized the inputs for the mocks (secret envelopes kept); reuse them.
            inputs,
            id: produced?.id,
            outputs: liftSecrets(produced?.state ?? {}) as Record<string, unknown>,
        });
    }

    private sorted: RecordedResource[] | undefined;

    /** The recorded resources, sorted by URN so every consumer sees one stable order (a shared, frozen list). */
    list(): RecordedResource[] {
        if (!this.sorted || this.sorted.length !== this.resources.size) {
            this.sorted = Object.freeze([...this.resources.values()].sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0))) as RecordedResource[];
        }
        return this.sorted;
    }
}
