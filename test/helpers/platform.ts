import * as fs from "fs";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import { parseStackConfig } from "../../stacks/config";
import { PlatformConfig } from "../../stacks/config-schema";
import { buildPlatform, PlatformOutputs } from "../../stacks/platform";
import { installMocks, MockHarness } from "../mocks";
import { rawConfigOf } from "./config";
import { replayPlatformSnapshot } from "./platform-snapshot";

/** The parsed config of a committed stack file (`Pulumi.<stack>.yaml`). */
export function stackConfig(stack: "dev" | "prod"): PlatformConfig {
    return parseStackConfig(rawConfigOf(stack)).config!;
}

/**
 * Runs the whole platform program for `stack` under the mocks and waits for every resource. For a
 * committed stack's own config this is the run globalSetup recorded once for the whole suite
 * (platform-snapshot.ts), replayed into a fresh harness; any other config runs the program here.
 */
export async function platformUnderMocks(stack: "dev" | "prod", config = stackConfig(stack)): Promise<{ harness: MockHarness; outputs: PlatformOutputs }> {
    const shared = sharedPlatformRun(stack);
    if (shared && isDeepStrictEqual(config, stackConfig(stack))) return replayPlatformSnapshot<PlatformOutputs>(shared, stack);
    return runPlatformUnderMocks(stack, config);
}

/** platformUnderMocks without the shared run: always runs the program in this process. */
export async function runPlatformUnderMocks(stack: "dev" | "prod", config = stackConfig(stack)): Promise<{ harness: MockHarness; outputs: PlatformOutputs }> {
    const harness = installMocks({ stack });
    const outputs = buildPlatform(config);
    await harness.settle();
    return { harness, outputs };
}

/** The shared run's snapshot of `stack` (test/global-setup.js), when this run has one. */
function sharedPlatformRun(stack: string): string | undefined {
    const dir = process.env.PR_CYBR_SHARED_PLANS;
    const file = dir && path.join(dir, `${stack}.platform.json`);
    return file && fs.existsSync(file) ? file : undefined;
}
