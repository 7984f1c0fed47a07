/** The real-engine suites (`npm run test:integration`): same transpile-only transform as `npm test`. */
const base = require("../../jest.config.js");

module.exports = {
  ...base,
  rootDir: "../..",
  roots: ["<rootDir>/test/integration"],
  testPathIgnorePatterns: [],
  testTimeout: 600000,
  // One suite at a time: the suites share one API server, one set of hosts and one summary.
  maxWorkers: 1,
  globalSetup: "<rootDir>/test/global-setup.js",
};
