// Before any test file: build the tools once (CLI tests run .build/, as `npm run synth` does) and
// synthesize dev and prod once into a shared directory, so tests that only read a plan do not each
// pay for a synth. Workers inherit PR_CYBR_SHARED_PLANS.
const { execFileSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

module.exports = () => {
    const root = path.join(__dirname, "..");
    execFileSync(process.execPath, [path.join(root, "tools", "build.mjs")], { cwd: root, stdio: "inherit" });
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "pr-cybr-shared-plans-"));
    for (const stack of ["dev", "prod"]) {
        execFileSync(process.execPath, [path.join(root, ".build", "tools", "synth.js"), "--stack", stack, "--out", out], { cwd: root, stdio: "ignore" });
    }
    process.env.PR_CYBR_SHARED_PLANS = out;
};
