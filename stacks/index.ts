/**
 * Pulumi entry point (Pulumi.yaml `main`). Reads and validates the stack config first (a ConfigError
 * prints its list of problems, with no stack trace, before any resource is registered), then builds the
 * platform; the module's exports are the stack outputs. `npm run synth` runs this same file.
 */
import { boundEveryRole } from "./boundary";
import { readStackConfig } from "./config";
import { buildPlatform } from "./platform";

const cfg = readStackConfig();
boundEveryRole(cfg);

export = buildPlatform(cfg);
