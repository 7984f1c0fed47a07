/**
 * globalSetup's helper (run from .build/): runs the program under the mocks for each stack named on
 * the command line, exactly as `platformUnderMocks(stack)` does, and writes `<dir>/<stack>.platform.json`
 * for test files to replay (platform-snapshot.ts).
 *
 *   node .build/test/helpers/write-shared-platform.js <dir> <stack>...
 */
import * as path from "path";
import { runPlatformUnderMocks } from "./platform";
import { writePlatformSnapshot } from "./platform-snapshot";

async function main(dir: string, stacks: string[]): Promise<void> {
    for (const stack of stacks) {
        if (stack !== "dev" && stack !== "prod") throw new Error(`write-shared-platform: ${stack} is not a committed stack (dev, prod)`);
        const { harness, outputs } = await runPlatformUnderMocks(stack);
        const skipped = await writePlatformSnapshot(path.join(dir, `${stack}.platform.json`), harness, outputs);
        // Not fatal: test files then run the program themselves, as before.
        if (skipped) console.error(`write-shared-platform: no snapshot of ${stack} (${skipped}); tests run the program themselves`);
    }
}

main(process.argv[2], process.argv.slice(3)).then(
    () => process.exit(0),
    (err) => {
        console.error(err);
        process.exit(1);
    },
);
