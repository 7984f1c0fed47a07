import * as fs from "fs";
import * as path from "path";
import { DEFERRED } from "../tools/lib/lazy-sdk";
import { MockHarness } from "./mocks";
import { sharedPlan } from "./helpers/cli";
import { ROOT } from "./helpers/config";
import { platformUnderMocks, runPlatformUnderMocks } from "./helpers/platform";
import { encode } from "./helpers/platform-snapshot";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const resolver = require("./jest/resolver.js") as { DEFERRED: [string, string][] };

describe("what makes the jest suite fast", () => {
    it("defers in every test file what synth defers, but the gRPC stack", () => {
        const grpc = ([, spec]: [string, string]) => spec === "@grpc/grpc-js" || /_grpc_pb\.js$/.test(spec);
        expect(resolver.DEFERRED).toEqual(DEFERRED.filter((d) => !grpc(d)));
    });

    it("hands a test a stand-in that loads the real module on first use", () => {
        const shim = require.resolve("@pulumi/pulumi/typescript-shim.js");
        expect(path.relative(ROOT, shim)).toMatch(/^node_modules\/\.cache\/pr-cybr-jest-deferred\//);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const ts = require("@pulumi/pulumi/typescript-shim.js") as typeof import("typescript");
        expect(ts.createSourceFile("a.ts", "const a = 1;", ts.ScriptTarget.ES2022).statements).toHaveLength(1);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
        expect(typeof pulumi.automation.LocalWorkspace.create).toBe("function");
    });
});

describe("the shared platform run (globalSetup, test/helpers/platform-snapshot.ts)", () => {
    it.each(["dev", "prod"] as const)("replays %s exactly as the program registers it in this process", async (stack) => {
        const snapshot = path.join(path.dirname(sharedPlan(stack)), `${stack}.platform.json`);
        expect(fs.existsSync(snapshot)).toBe(true);
        const seen = async ({ harness, outputs }: { harness: MockHarness; outputs: unknown }) =>
            encode({ resources: [...harness.recorder.resources.values()], registered: [...harness.recorder.registeredOutputs], invokes: harness.invokes, secrets: [...harness.generatedSecrets], outputs }, stack);
        const replayed = await seen(await platformUnderMocks(stack));
        const live = await seen(await runPlatformUnderMocks(stack));
        expect(replayed).toEqual(live);
        expect(JSON.stringify(replayed)).toBe(JSON.stringify(live));
    });
});
