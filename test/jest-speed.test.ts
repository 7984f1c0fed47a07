import * as path from "path";
import { DEFERRED } from "../tools/lib/lazy-sdk";
import { ROOT } from "./helpers/config";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const resolver = require("./jest/resolver.js") as { DEFERRED: [string, string][] };

describe("what makes the jest suite fast", () => {
    it("defers in every test file what synth defers", () => {
        expect(resolver.DEFERRED).toEqual(DEFERRED);
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
