import * as pulumi from "@pulumi/pulumi";
import { MockCallArgs, MockResourceArgs } from "@pulumi/pulumi/runtime";
import { answerInvoke, DEFAULT_CLOUD, FakeCloud } from "./invokes";
import { Recorder, RecordedResource, secretEnvelope } from "./recorder";
import { fakeResource } from "./resources";

export { DEFAULT_CLOUD, FakeCloud, INVOKES } from "./invokes";
export { RecordedResource, Recorder, SecretValue } from "./recorder";

export interface MockHarnessOptions {
    /** Project name; must match the config namespace the program reads. Defaults to "pr-cybr-platform". */
    readonly project?: string;
    /** Stack name. Defaults to "test". */
    readonly stack?: string;
    /** Run as a preview (unknowns stay unknown). Defaults to false, so every output resolves. */
    readonly preview?: boolean;
    /** The fake account, region and partition answers are built from. Defaults to DEFAULT_CLOUD. */
    readonly cloud?: Partial<FakeCloud>;
    /** Keep stack traces while the program registers (for debugging the program). Defaults to false. */
    readonly stackTraces?: boolean;
}

export interface MockHarness {
    readonly recorder: Recorder;
    readonly cloud: FakeCloud;
    /** Every generated secret value (passwords, keys) handed out so far: none may appear in plain text. */
    readonly generatedSecrets: Set<string>;
    /** Every invoke the program made, in order. */
    readonly invokes: MockCallArgs[];
    /** Waits until every registration in flight has finished. */
    settle(): Promise<void>;
    /** Recorded resources of a type (token or class with __pulumiType), sorted by URN. */
    ofType(type: TypeRef): RecordedResource[];
    /** The one recorded resource with this type and logical name; throws when absent. */
    get(type: TypeRef, name: string): RecordedResource;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as { getMonitor(): unknown };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const state = require("@pulumi/pulumi/runtime/state") as { getStore(): { settings: { rpcDone: Promise<unknown> } } };

/** A type token, or a resource class (its token is the class's static, SDK-internal __pulumiType). */
export type TypeRef = string | (abstract new (...args: never[]) => unknown);

/** The stack depth errors had before any harness turned stacks off. */
const STACK_TRACE_LIMIT = Error.stackTraceLimit;

const tokenOf = (type: TypeRef) => (typeof type === "string" ? type : String((type as unknown as { __pulumiType: string }).__pulumiType));

/**
 * Installs Pulumi's mock runtime with our realistic, deterministic mocks and a recorder. Call it before
 * the program (or component under test) is constructed; tests and synth both use this one harness.
 */
export function installMocks(options: MockHarnessOptions = {}): MockHarness {
    const cloud: FakeCloud = { ...DEFAULT_CLOUD, ...options.cloud };
    const recorder = new Recorder();
    const generatedSecrets = new Set<string>();
    const invokes: MockCallArgs[] = [];

    const mocks: pulumi.runtime.Mocks = {
        newResource(args: MockResourceArgs) {
            const key = `${args.type}::${args.name}`;
            const result = fakeResource(args, cloud, (v) => generatedSecrets.add(v));
            // The engine, not the SDK, marks additionalSecretOutputs secret; do what it would.
            const secretOutputs = recorder.pendingSecretOutputs.get(key) ?? [];
            const state = { ...result.state };
            for (const out of secretOutputs) if (out in state) state[out] = secretEnvelope(state[out]);
            recorder.pendingOutputs.set(key, { id: result.id, inputs: args.inputs, state });
            return { id: result.id, state };
        },
        call(args: MockCallArgs) {
            invokes.push(args);
            return answerInvoke(args, cloud, (v) => generatedSecrets.add(v));
        },
    };
    // Source positions and promise debug stacks only mean something to a real engine; under mocks they
    // cost stack traces per resource (a third of synth, most of a test under jest's source maps). No
    // stacks until settle(), which restores them for the assertions or error reports that follow.
    if (!options.stackTraces) {
        (pulumi.Resource as unknown as { callsites(): unknown[] }).callsites = () => [];
        Error.stackTraceLimit = 0;
    }
    // setMocks does all its work before its first await, so the mocks are live when it returns.
    void pulumi.runtime.setMocks(mocks, options.project ?? "pr-cybr-platform", options.stack ?? "test", options.preview ?? false);
    recorder.attach(settings.getMonitor() as Parameters<Recorder["attach"]>[0]);

    return {
        recorder,
        cloud,
        generatedSecrets,
        invokes,
        async settle() {
            // Same loop as the SDK's waitForRPCs: wait until no new registration started meanwhile.
            const store = state.getStore();
            let done: Promise<unknown> | undefined;
            while (done !== store.settings.rpcDone) {
                done = store.settings.rpcDone;
                await done;
            }
            Error.stackTraceLimit = STACK_TRACE_LIMIT;
            if (recorder.failures.length > 0) throw new Error(`the mock recorder lost registrations:\n  ${recorder.failures.join("\n  ")}`);
        },
        ofType(type) {
            return recorder.list().filter((r) => r.type === tokenOf(type));
        },
        get(type, name) {
            const found = recorder.list().filter((r) => r.type === tokenOf(type) && r.name === name);
            if (found.length !== 1) throw new Error(`expected one ${tokenOf(type)} named ${name}, found ${found.length}`);
            return found[0];
        },
    };
}
