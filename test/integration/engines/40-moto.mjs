// The AWS emulator for the host suites: moto's server on loopback (with the lifecycle-action stand-in
// of hosts/lib/moto-server.py) and the AWS CLI, both pinned, in a venv cached under ~/.cache/pr-cybr.
// The simulated hosts reach it on their own loopback through hosts/lib/ns-forward.py.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { daemon, freePort, isAlive, run, waitFor } from "../lib/engine-context.mjs";

export const name = "moto";
export const order = 40;
const MOTO = "5.2.5";
const AWSCLI = "1.46.2";

export function venv(ctx) {
    const dir = join(ctx.cache, `moto-${MOTO}-awscli-${AWSCLI}`);
    if (!existsSync(join(dir, "bin", "aws"))) {
        ctx.log(`pip install moto[server]==${MOTO} awscli==${AWSCLI} into ${dir}`);
        rmSync(dir, { recursive: true, force: true });
        run("python3", ["-m", "venv", dir]);
        run(join(dir, "bin", "pip"), ["install", "-q", `moto[server]==${MOTO}`, `awscli==${AWSCLI}`]);
    }
    return dir;
}

export async function up(ctx) {
    const dir = venv(ctx);
    const port = await freePort();
    const lifecycleLog = join(ctx.dir, "moto-lifecycle-actions.jsonl");
    writeFileSync(lifecycleLog, "");
    // moto's request recorder (off until a suite starts it): the suites read requests as the CLI sent them.
    const recording = join(ctx.dir, "moto-recording.jsonl");
    writeFileSync(recording, "");
    // Run Command's agents and the rotation function's invocations (hosts/lib/moto_*.py) meet the suites here.
    const ssmDir = join(ctx.dir, "ssm");
    rmSync(ssmDir, { recursive: true, force: true });
    mkdirSync(ssmDir, { recursive: true });
    const rotationLog = join(ctx.dir, "moto-rotations.jsonl");
    writeFileSync(rotationLog, "");
    // The host suites replay the prod plan, whose ARNs name prod's own account (Pulumi.prod.yaml's
    // aws:allowedAccountIds): moto's default account is that one, so a plan's ARN finds what it names.
    const account = YAML.parse(readFileSync(join(ctx.root, "Pulumi.prod.yaml"), "utf8")).config["aws:allowedAccountIds"][0];
    const script = join(ctx.root, "test/integration/hosts/lib/moto-server.py");
    const d = daemon(ctx, "moto", join(dir, "bin", "python"), [script, "-H", "127.0.0.1", "-p", String(port)], {
        env: { ...process.env, PR_CYBR_LIFECYCLE_LOG: lifecycleLog, MOTO_RECORDER_FILEPATH: recording, PR_CYBR_SSM_DIR: ssmDir, PR_CYBR_ROTATION_LOG: rotationLog, MOTO_ACCOUNT_ID: account },
    });
    const endpoint = `http://127.0.0.1:${port}`;
    await waitFor("moto", async () => (await fetch(`${endpoint}/moto-api/`)).ok, { logFile: d.logFile, timeoutMs: 60000 });
    const awsVersion = run(join(dir, "bin", "aws"), ["--version"]).stdout.trim() || run(join(dir, "bin", "aws"), ["--version"]).stderr.trim();
    return {
        pids: [d.pid],
        endpoint,
        lifecycleLog,
        recording,
        ssmDir,
        rotationLog,
        awsCliDir: join(dir, "bin"),
        env: {
            AWS_ENDPOINT_URL: endpoint,
            AWS_ACCESS_KEY_ID: "testing",
            AWS_SECRET_ACCESS_KEY: "testing",
            AWS_DEFAULT_REGION: "us-east-1",
            PR_CYBR_AWS_CLI: join(dir, "bin", "aws"),
            PR_CYBR_SSM_DIR: ssmDir,
            PR_CYBR_ROTATION_LOG: rotationLog,
        },
        versions: { moto: MOTO, awscli: awsVersion.split(" ")[0].replace("aws-cli/", "") },
    };
}

export async function healthy(ctx, recorded) {
    if (!recorded.pids?.every(isAlive)) return false;
    try {
        return (await fetch(`${recorded.endpoint}/moto-api/`)).ok;
    } catch {
        return false;
    }
}

export async function down() {}
