// Before any test file: build the tools once (CLI tests run .build/, as `npm run synth` does), then, side
// by side, synthesize dev and prod into a shared directory, so tests that only read a plan (or the
// output of `npm run synth -- --stack <s>`) do not each pay for a synth, and run the program under the
// mocks once per stack for `platformUnderMocks` to replay (test/helpers/platform-snapshot.ts). Workers
// inherit PR_CYBR_SHARED_PLANS.
const { execFileSync, spawn } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

/** Runs a built script; resolves with what `runTool(...)` would return. */
function run(root, script, args) {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(root, ".build", script), ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
        const stdout = [];
        const stderr = [];
        child.stdout.on("data", (d) => stdout.push(d));
        child.stderr.on("data", (d) => stderr.push(d));
        child.on("error", reject);
        child.on("close", (status) => resolve({ status, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") }));
    });
}

module.exports = async () => {
    const root = path.join(__dirname, "..");
    execFileSync(process.execPath, [path.join(root, "tools", "build.mjs")], { cwd: root, stdio: "inherit" });
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "pr-cybr-shared-plans-"));
    const stacks = ["dev", "prod"];
    const [platform, ...runs] = await Promise.all([run(root, "test/helpers/write-shared-platform.js", [out, ...stacks]), ...stacks.map((stack) => run(root, "tools/synth.js", ["--stack", stack, "--out", out]))]);
    stacks.forEach((stack, i) => fs.writeFileSync(path.join(out, `${stack}.run.json`), JSON.stringify(runs[i])));
    // Without a snapshot, platformUnderMocks runs the program in each test file (slower, same results).
    if (platform.status !== 0 || platform.stderr) process.stderr.write(`globalSetup: write-shared-platform exited ${platform.status}\n${platform.stderr}`);
    process.env.PR_CYBR_SHARED_PLANS = out;
};
