import { spawnSync } from "child_process";
import * as path from "path";
import { ROOT } from "./helpers/config";

// Every command a user or CI runs answers --help with its usage and exit 0, and an unknown option with
// a message and exit 2, never a stack trace.
const COMMANDS: [string, string[]][] = [
    ["synth", [".build/tools/synth.js"]],
    ["diff", [".build/tools/diff.js"]],
    ["graph", [".build/tools/graph.js"]],
    ["critical-path", [".build/tools/critical-path.js"]],
    ["bench", [".build/tools/bench.js"]],
    ["bench:jest", ["tools/bench-jest.mjs"]],
    ["replace-rules", [".build/tools/replace-rules.js"]],
    ["validate-k8s", ["tools/validate-k8s.mjs"]],
    ["lint:workflows", ["tools/lint-workflows.mjs"]],
];

const run = (args: string[]) => spawnSync(process.execPath, args.map((a, i) => (i === 0 ? path.join(ROOT, a) : a)), { cwd: ROOT, encoding: "utf8" });

describe("--help", () => {
    it.each(COMMANDS)("%s --help prints usage and exits 0", (_name, args) => {
        const r = run([...args, "--help"]);
        expect([r.status, r.stderr]).toEqual([0, ""]);
        expect(r.stdout).toMatch(/^usage: /);
    });

    it.each(COMMANDS.filter(([name]) => !["lint:workflows", "bench"].includes(name)))("%s rejects an unknown option with exit 2 and no stack trace", (_name, args) => {
        const r = run([...args, "--no-such-option"]);
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(/no-such-option/);
        expect(r.stderr).not.toMatch(/\n\s+at /);
    });
});
