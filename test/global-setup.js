// Before any test file: build the tools once (CLI tests run .build/, as `npm run synth` does) and
// synthesize dev and prod once, side by side, into a shared directory, so tests that only read a plan
// (or the output of `npm run synth -- --stack <s>`) do not each pay for a synth. Workers inherit
// PR_CYBR_SHARED_PLANS.
const { execFileSync, spawn } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

/** Runs synth for `stack`; resolves with what `runTool("synth", ...)` would return. */
function synth(root, stack, out) {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(root, ".build", "tools", "synth.js"), "--stack", stack, "--out", out], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
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
    const runs = await Promise.all(stacks.map((stack) => synth(root, stack, out)));
    stacks.forEach((stack, i) => fs.writeFileSync(path.join(out, `${stack}.run.json`), JSON.stringify(runs[i])));
    process.env.PR_CYBR_SHARED_PLANS = out;
};
