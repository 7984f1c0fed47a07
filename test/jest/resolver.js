// jest resolver: what tools/lib/lazy-sdk.ts defers for synth (the Automation API, the closure
// serializer's TypeScript and Arborist, zod's translations) is deferred in every test
// file too. jest loads the SDKs again for each test file, so this is paid ~50 times per run; a
// stand-in loads the real module on first use, so a test that does use one still gets it.
const fs = require("fs");
const path = require("path");

const ROOT = path.join(__dirname, "..", "..");
const STAND_INS = path.join(ROOT, "node_modules", ".cache", "pr-cybr-jest-deferred");

/**
 * DEFERRED of tools/lib/lazy-sdk.ts without the gRPC stack (test/jest-speed.test.ts checks): under jest
 * the SDK reaches for grpc-js on an invoke's error path, and there the stand-in was handed itself back
 * for the real module after other test files had run in the worker (endless recursion, a hung test).
 */
const DEFERRED = [
    ["@pulumi/pulumi", "./automation/index.js"],
    ["@pulumi/pulumi", "./typescript-shim.js"],
    ["@pulumi/pulumi", "@npmcli/arborist"],
    ["zod", "./v4/locales/index.cjs"],
];

/** The directory of an installed package (its package.json may not be exported). */
function packageRoot(name) {
    const main = require.resolve(name, { paths: [ROOT] });
    const marker = `${path.sep}node_modules${path.sep}${name.split("/").join(path.sep)}${path.sep}`;
    return main.slice(0, main.lastIndexOf(marker) + marker.length - 1);
}

/** Real file → its stand-in, written once per worker (the content is a pure function of the path). */
const standIns = new Map();
for (const [anchor, spec] of DEFERRED) {
    let file;
    try {
        const root = packageRoot(anchor);
        file = spec.startsWith(".") ? path.join(root, spec) : require.resolve(spec, { paths: [root] });
        if (!fs.existsSync(file)) continue;
    } catch {
        continue; // Not installed, or another version without this module: nothing to defer.
    }
    const standIn = path.join(STAND_INS, `${anchor.replace(/\W/g, "_")}--${spec.replace(/\W/g, "_")}.js`);
    const text = `module.exports = require(${JSON.stringify(path.join(__dirname, "lazy-module.js"))})(${JSON.stringify(file)}, require);\n`;
    if (!fs.existsSync(standIn) || fs.readFileSync(standIn, "utf8") !== text) {
        fs.mkdirSync(STAND_INS, { recursive: true });
        const tmp = `${standIn}.${process.pid}`;
        fs.writeFileSync(tmp, text);
        fs.renameSync(tmp, standIn);
    }
    standIns.set(file, standIn);
}

module.exports = (request, options) => {
    const resolved = options.defaultResolver(request, options);
    // The stand-in requires the real file by its absolute path: that, and anything else asked for by
    // path, is not redirected (the SDKs ask for these modules by relative or package name).
    if (path.isAbsolute(request) || options.basedir === STAND_INS) return resolved;
    return standIns.get(resolved) ?? resolved;
};
module.exports.DEFERRED = DEFERRED;
