import * as fs from "fs";
import Module from "module";
import * as path from "path";

/**
 * Modules synth never runs but libraries load eagerly: from @pulumi/pulumi the Automation API (and
 * js-yaml with it), the closure serializer's TypeScript parser (8.9 MB) and npm's Arborist (which the
 * serializer uses to find a closure's packages) — together a third of the SDK's load time — and the
 * gRPC client stack (grpc-js and the service stubs: under the mock runtime no engine is dialled); from zod
 * its 60-odd message translations (`z.locales`; English, the default, is loaded on its own). Each is
 * replaced in the module cache by a stand-in that loads the real module the first time anything reads
 * from it, so a program that does serialize a closure or switch zod's language still works, just
 * without the saving.
 */
export const DEFERRED: [anchor: string, spec: string][] = [
    ["@pulumi/pulumi", "./automation/index.js"],
    ["@pulumi/pulumi", "./typescript-shim.js"],
    ["@pulumi/pulumi", "@npmcli/arborist"],
    ["zod", "./v4/locales/index.cjs"],
    ["@pulumi/pulumi", "@grpc/grpc-js"],
    ["@pulumi/pulumi", "./proto/resource_grpc_pb.js"],
    ["@pulumi/pulumi", "./proto/engine_grpc_pb.js"],
    ["@pulumi/pulumi", "./proto/callback_grpc_pb.js"],
    ["@pulumi/pulumi", "./proto/provider_grpc_pb.js"],
    ["@pulumi/pulumi", "./proto/language_grpc_pb.js"],
];

/** Installs the deferred stand-ins; call before anything requires the libraries above. */
export function deferUnusedSdkModules(fromDir: string): void {
    for (const [anchor, spec] of DEFERRED) {
        let file: string;
        try {
            const root = packageRoot(anchor, fromDir);
            file = spec.startsWith(".") ? path.join(root, spec) : require.resolve(spec, { paths: [root] });
            if (!fs.existsSync(file)) continue;
        } catch {
            continue; // Not installed, or another version without this module: nothing to defer.
        }
        if (!require.cache[file]) require.cache[file] = standIn(file);
    }
}

/** The directory of an installed package (its package.json may not be exported). */
function packageRoot(name: string, fromDir: string): string {
    const main = require.resolve(name, { paths: [fromDir] });
    const marker = `${path.sep}node_modules${path.sep}${name.split("/").join(path.sep)}${path.sep}`;
    return main.slice(0, main.lastIndexOf(marker) + marker.length - 1);
}

function standIn(file: string): Module {
    let real: Record<string | symbol, unknown> | undefined;
    const load = () => {
        if (!real) {
            delete require.cache[file];
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            real = require(file) as Record<string | symbol, unknown>;
        }
        return real;
    };
    // `__esModule` makes the SDK's __importStar hand the stand-in through untouched, so nothing is read
    // (and nothing loaded) until the module is really used.
    const exports = new Proxy({} as Record<string | symbol, unknown>, {
        get: (_t, key) => (key === "__esModule" ? true : load()[key]),
        has: (_t, key) => key in load(),
        ownKeys: () => Reflect.ownKeys(load()),
        getOwnPropertyDescriptor: (_t, key) => Object.getOwnPropertyDescriptor(load(), key),
    });
    const m = new Module(file);
    m.filename = file;
    m.loaded = true;
    m.exports = exports;
    return m;
}
