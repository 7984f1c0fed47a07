// AWS's instance-metadata emulator (github.com/aws/amazon-ec2-metadata-mock), built from the Go module
// proxy into ~/.cache/pr-cybr. No process here: the host suites start one per simulated host, on
// 169.254.169.254 inside that host's network namespace.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { run } from "../lib/engine-context.mjs";

export const name = "ec2-metadata-mock";
export const order = 41;
const VERSION = "1.13.0";

export async function up(ctx) {
    const dir = join(ctx.cache, `ec2-metadata-mock-${VERSION}`);
    const bin = join(dir, "ec2-metadata-mock");
    if (!existsSync(bin)) {
        ctx.log(`go install github.com/aws/amazon-ec2-metadata-mock/cmd/ec2-metadata-mock@v${VERSION}`);
        run("go", ["install", `github.com/aws/amazon-ec2-metadata-mock/cmd/ec2-metadata-mock@v${VERSION}`], { env: { ...process.env, GOBIN: dir, GOFLAGS: "-mod=mod" }, cwd: ctx.cache });
    }
    return { bin, env: { PR_CYBR_EC2_METADATA_MOCK: bin }, versions: { "ec2-metadata-mock": VERSION } };
}

export async function healthy(ctx, recorded) {
    return existsSync(recorded.bin);
}

export async function down() {}
