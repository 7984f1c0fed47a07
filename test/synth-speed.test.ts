import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Progress } from "../tools/lib/progress";
import { tempDir } from "./helpers/cli";
import { ROOT } from "./helpers/config";

const node = (script: string) => spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" });
const lib = (name: string) => JSON.stringify(path.join(ROOT, ".build", "tools", "lib", `${name}.js`));

describe("what makes synth fast", () => {
    it("does not rebuild .build when no input changed", () => {
        // globalSetup built it; a file a rebuild would wipe survives a second build.
        const marker = path.join(ROOT, ".build", `.not-rebuilt-${process.pid}`);
        fs.writeFileSync(marker, "");
        try {
            expect(spawnSync(process.execPath, [path.join(ROOT, "tools", "build.mjs")], { cwd: ROOT }).status).toBe(0);
            expect(fs.existsSync(marker)).toBe(true);
        } finally {
            fs.rmSync(marker, { force: true });
        }
    });

    it("defers the SDK parts synth never runs, and still loads them when used", () => {
        const run = node(`
            require(${lib("lazy-sdk")}).deferUnusedSdkModules(process.cwd());
            const pulumi = require("@pulumi/pulumi");
            const real = (re) => Object.keys(require.cache).filter((k) => re.test(k)).length;
            const before = [real(/node_modules\\/typescript\\//), real(/@npmcli\\/arborist\\/lib\\/arborist/), real(/js-yaml/)];
            const used = typeof pulumi.automation.LocalWorkspace.create;
            console.log(JSON.stringify({ before, used, after: real(/js-yaml/) > 0 }));`);
        expect(run.stderr).toBe("");
        expect(JSON.parse(run.stdout)).toEqual({ before: [0, 0, 0], used: "function", after: true });
    });

    it("keeps V8's compiled code between runs and hands it back", () => {
        const dir = tempDir("compile-cache");
        const script = `
            require(${lib("compile-cache")}).installCompileCache(${JSON.stringify(dir)});
            const YAML = require("yaml");
            console.log(JSON.stringify(YAML.parse("a: [1, 2]")));`;
        expect(node(script).stdout).toBe('{"a":[1,2]}\n');
        const entries = fs.readdirSync(dir).length;
        expect(entries).toBeGreaterThan(10);
        // Second run: same answer from cached code, nothing new written (V8 accepted every entry).
        expect(node(script).stdout).toBe('{"a":[1,2]}\n');
        expect(fs.readdirSync(dir).length).toBe(entries);
    });

    it("shows progress only on a terminal, after the delay, and erases it", async () => {
        const written: string[] = [];
        const tty = { isTTY: true, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
        const p = new Progress(() => 42, tty, 0);
        p.step("running the program");
        await new Promise((r) => setTimeout(r, 20));
        p.done();
        expect(written[0]).toMatch(/^\r\x1b\[Ksynth: running the program: 42 resources \(\d+\.\d s\)$/);
        expect(written.at(-1)).toBe("\r\x1b[K");
        const piped: string[] = [];
        const q = new Progress(() => 1, { isTTY: false, write: (s: string) => piped.push(s) } as unknown as NodeJS.WriteStream, 0);
        await new Promise((r) => setTimeout(r, 20));
        q.done();
        expect(piped).toEqual([]);
    });
});
