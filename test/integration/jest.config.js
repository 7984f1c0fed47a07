/** The real-engine suites (`npm run test:integration`): same transpile-only transform as `npm test`. */
const base = require("../../jest.config.js");

module.exports = {
  ...base,
  rootDir: "../..",
  roots: ["<rootDir>/test/integration"],
  testPathIgnorePatterns: [],
  testTimeout: 600000,
  // The engines are shared processes; two workers keep the suites apart without starving them.
  maxWorkers: 2,
  globalSetup: "<rootDir>/test/global-setup.js",
};
