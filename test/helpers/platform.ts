import { parseStackConfig } from "../../stacks/config";
import { PlatformConfig } from "../../stacks/config-schema";
import { buildPlatform, PlatformOutputs } from "../../stacks/platform";
import { installMocks, MockHarness } from "../mocks";
import { rawConfigOf } from "./config";

/** The parsed config of a committed stack file (`Pulumi.<stack>.yaml`). */
export function stackConfig(stack: "dev" | "prod"): PlatformConfig {
    return parseStackConfig(rawConfigOf(stack)).config!;
}

/** Runs the whole platform program for `stack` under the mocks and waits for every resource. */
export async function platformUnderMocks(stack: "dev" | "prod", config = stackConfig(stack)): Promise<{ harness: MockHarness; outputs: PlatformOutputs }> {
    const harness = installMocks({ stack });
    const outputs = buildPlatform(config);
    await harness.settle();
    return { harness, outputs };
}
