import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { UsageError } from "./stack-files";

/**
 * Synthesizes `stack` as it is at a git ref, in a temporary worktree that shares this checkout's
 * node_modules (a second `npm ci` would cost a minute), and returns the plan's path. The worktree is
 * removed afterwards, whatever happens.
 */
export function synthesizeAtRef(ref: string, stack: string, root: string, log: (line: string) => void): { plan: string; cleanup(): void } {
    const sha = git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
    if (sha.status !== 0) throw new UsageError(`--base "${ref}": not a commit in this repository (a branch, tag or commit id)`);
    const commit = sha.stdout.trim();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pr-cybr-base-"));
    const tree = path.join(dir, "tree");
    const cleanup = () => {
        git(root, ["worktree", "remove", "--force", tree]);
        fs.rmSync(dir, { recursive: true, force: true });
    };
    try {
        log(`diff: synthesizing ${stack} at ${ref} (${commit.slice(0, 12)}) in a temporary worktree`);
        const added = git(root, ["worktree", "add", "--detach", "--quiet", tree, commit]);
        if (added.status !== 0) throw new Error(`git worktree add failed: ${added.stderr.trim()}`);
        for (const modules of ["node_modules", path.join("policy", "node_modules")]) {
            if (fs.existsSync(path.join(root, modules)) && fs.existsSync(path.dirname(path.join(tree, modules)))) fs.symlinkSync(path.join(root, modules), path.join(tree, modules), "dir");
        }
        if (!sameFile(path.join(root, "package-lock.json"), path.join(tree, "package-lock.json"))) {
            log(`diff: note: package-lock.json differs at ${ref}; the base is synthesized with this checkout's node_modules`);
        }
        run(tree, [path.join("tools", "build.mjs")], "building the base");
        const out = path.join(dir, "plans");
        const synth = spawnSync(process.execPath, [path.join(".build", "tools", "synth.js"), "--stack", stack, "--out", out], { cwd: tree, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
        const plan = path.join(out, `${stack}.plan.json`);
        // Exit 1 with a plan written is a mandatory policy violation at the base: still a base to diff against.
        if (!fs.existsSync(plan)) throw new Error(`synth of ${stack} at ${ref} failed (exit ${synth.status}):\n${tail(synth.stderr || synth.stdout)}`);
        return { plan, cleanup };
    } catch (err) {
        cleanup();
        throw err;
    }
}

/** Synthesizes `stack` from the working tree (already built by `npm run diff`) into a temporary directory. */
export function synthesizeWorkingTree(stack: string, root: string, log: (line: string) => void): { plan: string; cleanup(): void } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pr-cybr-head-"));
    log(`diff: synthesizing ${stack} from the working tree`);
    const synth = spawnSync(process.execPath, [path.join(root, ".build", "tools", "synth.js"), "--stack", stack, "--out", dir], { cwd: root, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    const plan = path.join(dir, `${stack}.plan.json`);
    if (!fs.existsSync(plan)) {
        fs.rmSync(dir, { recursive: true, force: true });
        throw new Error(`synth of ${stack} failed (exit ${synth.status}):\n${tail(synth.stderr || synth.stdout)}`);
    }
    return { plan, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function git(cwd: string, args: string[]) {
    return spawnSync("git", args, { cwd, encoding: "utf8" });
}

function run(cwd: string, args: string[], what: string): void {
    const child = spawnSync(process.execPath, args, { cwd, encoding: "utf8" });
    if (child.status !== 0) throw new Error(`${what} failed (exit ${child.status}):\n${tail(child.stderr || child.stdout)}`);
}

function sameFile(a: string, b: string): boolean {
    return fs.existsSync(a) && fs.existsSync(b) && fs.readFileSync(a).equals(fs.readFileSync(b));
}

const tail = (text: string) => text.trimEnd().split("\n").slice(-20).join("\n");
