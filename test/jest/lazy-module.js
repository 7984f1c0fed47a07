// A module that stands in for `real` until something reads from it (test/jest/resolver.js): the same
// stand-in as tools/lib/lazy-sdk.ts, for jest's module registry instead of Node's require.cache.
module.exports = function lazyModule(real, requireReal) {
    let loaded;
    let self;
    const load = () => {
        if (loaded === undefined) {
            loaded = requireReal(real);
            // A stand-in handed back for the real module would recurse forever on the first read.
            if (loaded === self) throw new Error(`test/jest/lazy-module.js: requiring ${real} returned its own stand-in`);
        }
        return loaded;
    };
    // `__esModule` makes the SDK's __importStar hand the stand-in through untouched, so nothing is read
    // (and nothing loaded) until the module is really used.
    return (self = new Proxy(
        {},
        {
            get: (_t, key) => (key === "__esModule" ? true : load()[key]),
            has: (_t, key) => key in load(),
            ownKeys: () => Reflect.ownKeys(load()),
            getOwnPropertyDescriptor: (_t, key) => Object.getOwnPropertyDescriptor(load(), key),
        },
    ));
};
