/** Transpile-only (swc): type-checking is `npm run typecheck`, kept out of the test loop for speed. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // The real-engine suites run with `npm run test:integration` (test/integration/jest.config.js).
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/test/integration/"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022", parser: { syntax: "typescript" } }, module: { type: "commonjs" } }] },
  moduleFileExtensions: ["ts", "js", "json"],
  testTimeout: 60000,
  // jest defaults to cores - 1 workers, i.e. one on our 2-core machines; the CLI tests mostly wait on children.
  maxWorkers: 2,
  globalSetup: "<rootDir>/test/global-setup.js",
  // Defers the SDK modules tests never run, as synth does (test/jest/resolver.js).
  resolver: "<rootDir>/test/jest/resolver.js",
};
