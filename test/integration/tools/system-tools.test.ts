// The checks that need a system tool (engine "tools": shellcheck, cloud-init, installed by
// integration:env): every shell script of the repository and every script the plans render is
// shellcheck-clean, the managers' user data passes `cloud-init schema`, the workflows pass the offline
// linter. They ran conditionally in `npm test` before, i.e. not at all on a machine without the tools.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROTATION_FUNCTION_FILE } from "../../../components/secrets";
import { unpackUserData } from "../../../components/swarm/user-data";
import { engine, ROOT } from "../lib/env";
import { recordEngines } from "../lib/summary";

const plan = (stack: "dev" | "prod") => JSON.parse(fs.readFileSync(path.join(process.env.PR_CYBR_SHARED_PLANS!, `${stack}.plan.json`), "utf8"));
const tmp = (label: string) => fs.mkdtempSync(path.join(os.tmpdir(), `pr-cybr-${label}-`));

function shellcheck(files: string[], shell = "bash") {
    const run = spawnSync("shellcheck", ["-x", "-s", shell, ...files], { cwd: ROOT, encoding: "utf8" });
    if (run.error) throw new Error(`shellcheck: ${run.error.message} (run \`npm run integration:env -- up --only tools\`)`);
    return { status: run.status, output: run.stdout + run.stderr };
}

beforeAll(() => recordEngines(engine("tools").versions ?? {}));

describe("shellcheck", () => {
    it("finds a real mistake (the check can fail)", () => {
        const file = path.join(tmp("sc-bad"), "bad.sh");
        fs.writeFileSync(file, '#!/usr/bin/env bash\ncd $HOME/dir\nrm -rf "$dir"/*\n');
        const r = shellcheck([file]);
        expect(r.status).not.toBe(0);
        expect(r.output).toMatch(/SC2164|SC2086/);
    });

    it("passes every shell script in the repository", () => {
        const listed = spawnSync("git", ["ls-files", "*.sh", ".ci/run", "test/fixtures/swarm-stubs/*", "test/fixtures/edge-stubs/*"], { cwd: ROOT, encoding: "utf8" }).stdout.split("\n").filter(Boolean);
        expect(listed.length).toBeGreaterThan(10);
        const r = shellcheck(listed);
        expect(r.output).toBe("");
        expect(r.status).toBe(0);
    });

    it("passes the edge install scripts as rendered for each stack and VPN flavour", () => {
        const dir = tmp("edge-scripts");
        const files: string[] = [];
        for (const stack of ["dev", "prod"] as const) {
            const scripts = plan(stack).outputs.edgeInstallScripts as Record<string, string>;
            for (const vpn of ["tailscale", "zerotier"]) {
                const found = Object.entries(scripts).find(([, t]) => t.includes(`\nVPN='${vpn}'\n`));
                expect(found).toBeDefined();
                const file = path.join(dir, `${stack}-${found![0]}.sh`);
                fs.writeFileSync(file, found![1]);
                files.push(file);
            }
        }
        const r = shellcheck(files);
        expect(r.output).toBe("");
        expect(r.status).toBe(0);
    });

    it("passes the commands the join-token rotation sends over SSM", () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const fn = require(ROTATION_FUNCTION_FILE) as { commandFor(step: string, s: Record<string, string>): string[] };
        const dir = tmp("rotation");
        const secretId = "arn:aws:secretsmanager:us-east-1:123456789012:secret:pr-cybr-dev-swarm/worker-join-token-AbCdEf";
        const files = ["createSecret", "testSecret"].map((step) => {
            const file = path.join(dir, `${step}.sh`);
            fs.writeFileSync(file, `#!/usr/bin/env bash\n${fn.commandFor(step, { role: "manager", secretId, token: "v-new", region: "us-east-1" }).join("\n")}\n`);
            return file;
        });
        const r = shellcheck(files);
        expect(r.output).toBe("");
    });
});

describe("cloud-init schema", () => {
    for (const stack of ["dev", "prod"] as const) {
        it(`accepts the ${stack} managers' user data as the launch template carries it`, () => {
            const lt = plan(stack).resources.find((r: any) => r.type === "aws:ec2/launchTemplate:LaunchTemplate" && r.name.endsWith("-swarm-lt"));
            const file = path.join(tmp("cloud-init"), "user-data.yaml");
            // gzip-compressed in the template; cloud-init uncompresses it before it reads it, as here.
            fs.writeFileSync(file, unpackUserData(lt.inputs.userData));
            const run = spawnSync("cloud-init", ["schema", "-c", file], { encoding: "utf8" });
            expect(`${run.stdout}${run.stderr}`).toContain("Valid cloud-config");
            expect(run.status).toBe(0);
        });
    }

    it("rejects user data that is not valid cloud-config (the check can fail)", () => {
        const file = path.join(tmp("cloud-init-bad"), "user-data.yaml");
        fs.writeFileSync(file, "#cloud-config\nwrite_files:\n  - path: 3\n    permissions: true\nruncmd: 12\n");
        const run = spawnSync("cloud-init", ["schema", "-c", file], { encoding: "utf8" });
        expect(run.status).not.toBe(0);
    });
});

describe("workflows", () => {
    it("pass the offline linter (actionlint + shellcheck of every run script, composite action and script), which catches real mistakes", () => {
        const ok = spawnSync(process.execPath, [path.join(ROOT, "tools", "lint-workflows.mjs")], { cwd: ROOT, encoding: "utf8" });
        expect(ok.stdout).toMatch(/6 workflows, 1 composite actions and \d+ scripts linted, 0 findings/);
        expect(ok.status).toBe(0);
        const dir = tmp("bad-workflows");
        fs.writeFileSync(
            path.join(dir, "bad.yml"),
            "on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n      - run: cd $HOME/dir\n",
        );
        const bad = spawnSync(process.execPath, [path.join(ROOT, "tools", "lint-workflows.mjs"), dir], { cwd: ROOT, encoding: "utf8" });
        expect(bad.status).toBe(1);
        expect(bad.stdout).toContain('"github.event.pull_request.title" is potentially untrusted');
        expect(bad.stdout).toMatch(/SC2164|SC2086/);
    });
});
