// CLI tests run the transpiled tools in .build/, as `npm run synth` does: build them once per jest run.
const { execFileSync } = require("child_process");
const path = require("path");

module.exports = () => {
    execFileSync(process.execPath, [path.join(__dirname, "..", "tools", "build.mjs")], { cwd: path.join(__dirname, ".."), stdio: "inherit" });
};
