/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS require hook, loaded with node -r */
// Lets node require the integration libraries' TypeScript as jest does (swc, transpile only), so the
// edge benchmark runs as a plain program: `node -r ./test/integration/bench/register-ts.cjs file.ts`.
const fs = require("fs");
const swc = require("@swc/core");

require.extensions[".ts"] = (module, filename) => {
    const { code } = swc.transformSync(fs.readFileSync(filename, "utf8"), {
        filename,
        jsc: { target: "es2022", parser: { syntax: "typescript" } },
        module: { type: "commonjs" },
        sourceMaps: "inline",
    });
    module._compile(code, filename);
};
