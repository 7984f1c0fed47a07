/**
 * Child process (compiled to .build/, run from the repository root): runs the program under the
 * project's mocks, as synth does, and writes every resource as the engine would hand it to an
 * analyzer (./wire.ts). `known` is synth's run; `preview` runs the mocks as a preview in which every
 * output the mocks invent (ids, ARNs, endpoints, generated keys: whatever a provider computes) is the
 * unknown sentinel, so the SDK propagates unknowns into dependent inputs as it does in `pulumi preview`.
 *
 * usage: node dump-policy-inputs.js <stack> <known|preview> <out.json>
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { installMocks } from "../../mocks";
import { readStackFiles } from "../../../tools/lib/stack-files";
import { WireResource, wireResource } from "./wire";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as { getMonitor(): Monitor };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const rpc = require("@pulumi/pulumi/runtime/rpc") as { unknownValue: string; specialSigKey: string; specialSecretSig: string };

type Struct = { toJavaScript(): Record<string, unknown> } | undefined;
interface Monitor {
    mocks: pulumi.runtime.Mocks;
    registerResource(req: { getObject(): Struct }, cb: (err: unknown, resp?: { getUrn(): string; getObject(): Struct }) => void): unknown;
    registerResourceOutputs(req: { getUrn(): string; getOutputs(): Struct }, cb: (err: unknown, resp: unknown) => void): unknown;
}

const BUILD_ROOT = path.resolve(__dirname, "..", "..", "..");
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/** What a provider's preview knows: the inputs it was given; everything the mock added is unknown. */
function previewShaped(state: unknown, inputs: unknown): unknown {
    if (JSON.stringify(state) === JSON.stringify(inputs)) return state;
    const secret = (v: unknown) => isObject(v) && v[rpc.specialSigKey] === rpc.specialSecretSig;
    // A secret stays a secret (the engine marks additionalSecretOutputs), its value preview-shaped.
    if (secret(state)) return { ...(state as object), value: previewShaped((state as { value: unknown }).value, secret(inputs) ? (inputs as { value: unknown }).value : inputs) };
    if (isObject(state) && isObject(inputs)) return Object.fromEntries(Object.entries(state).map(([k, v]) => [k, k in inputs ? previewShaped(v, inputs[k]) : rpc.unknownValue]));
    return rpc.unknownValue;
}

async function main(stack: string, mode: string, outFile: string): Promise<void> {
    const root = process.cwd();
    const project = YAML.parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as { name: string; main?: string };
    const files = readStackFiles(path.join(root, "Pulumi.yaml"), path.join(root, `Pulumi.${stack}.yaml`));
    const preview = mode === "preview";
    const harness = installMocks({ project: project.name, stack, cloud: { region: files.values["aws:region"] }, preview });
    pulumi.runtime.setAllConfig(files.values, files.secretKeys);

    const monitor = settings.getMonitor();
    if (preview) {
        const newResource = monitor.mocks.newResource.bind(monitor.mocks);
        monitor.mocks.newResource = (args) => {
            const made = newResource(args) as pulumi.runtime.MockResourceResult;
            if (!args.custom) return made;
            return { id: undefined, state: previewShaped(made.state, args.inputs) as Record<string, unknown> };
        };
    }
    // The SDK's serialized form of inputs and outputs is what reaches the engine, unknowns and secrets included.
    const wire = new Map<string, { inputs: Record<string, unknown>; outputs: Record<string, unknown> }>();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) =>
        register(req, (err, resp) => {
            if (!err && resp) wire.set(resp.getUrn(), { inputs: req.getObject()?.toJavaScript() ?? {}, outputs: resp.getObject()?.toJavaScript() ?? {} });
            cb(err, resp);
        });
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req, cb) => {
        const w = wire.get(req.getUrn());
        if (w) w.outputs = req.getOutputs()?.toJavaScript() ?? {};
        return registerOutputs(req, cb);
    };

    const entry = path.join(BUILD_ROOT, (project.main ?? "index.ts").replace(/\.ts$/, ".js"));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    await pulumi.runtime.runInPulumiStack(async () => require(entry));
    await harness.settle();

    const resources: WireResource[] = harness.recorder.list().map((r) => {
        const w = wire.get(r.urn);
        if (!w) throw new Error(`${r.urn}: no wire form recorded`);
        return wireResource(r, w.inputs, w.outputs);
    });
    fs.writeFileSync(outFile, JSON.stringify({ stack, mode, resources }));
}

const [stack, mode, outFile] = process.argv.slice(2);
main(stack, mode, outFile).then(
    () => process.exit(0),
    (err) => {
        console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
        process.exit(1);
    },
);
