import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ROOT } from "./helpers/config";

type Obj = Record<string, any>;
const DIR = path.join(ROOT, ".github", "workflows");
const load = (file: string): Obj => YAML.parse(fs.readFileSync(path.join(DIR, file), "utf8"));
const steps = (w: Obj) => Object.entries(w.jobs as Obj).flatMap(([job, j]) => (j.steps ?? []).map((s: Obj) => ({ job, ...s })));
const pulumiSteps = (w: Obj) => steps(w).filter((s) => String(s.uses ?? "").startsWith("pulumi/actions@") && s.with?.command);

describe("workflows", () => {
    const files = fs.readdirSync(DIR).sort();

    it("are the five the delivery needs, plus security", () => {
        expect(files).toEqual(["ci.yml", "deploy.yml", "drift.yml", "pr-preview.yml", "rotate.yml", "security.yml"]);
    });

    it("give every pulumi/actions command a stack, the S3 backend and the policy pack with its config (camelCase inputs)", () => {
        for (const file of ["deploy.yml", "pr-preview.yml", "rotate.yml"]) {
            for (const s of pulumiSteps(load(file))) {
                expect(s.with["stack-name"]).toMatch(/^organization\/pr-cybr-platform\//);
                expect(s.with["cloud-url"]).toBe("${{ vars.PULUMI_BACKEND_URL }}");
                expect(s.with.policyPacks).toBe("policy");
                expect(s.with.policyPackConfigs).toMatch(/^policy\/config\/\$\{\{ matrix\.stack \}\}\.json$|^policy\/config\/(dev|prod)\.json$/);
                expect(Object.keys(s.with)).not.toContain("policy-packs");
            }
        }
    });

    it("deploy prod only in the production environment, one concurrency group per stack, never cancelling an up", () => {
        const deploy = load("deploy.yml");
        expect(deploy.jobs.prod.environment).toBe("production");
        expect(deploy.jobs.prod.concurrency).toEqual({ group: "pulumi-prod", "cancel-in-progress": false });
        expect(deploy.jobs.dev.concurrency).toEqual({ group: "pulumi-dev", "cancel-in-progress": false });
        expect(deploy.on.push.branches).toEqual(["main"]);
        expect(load("rotate.yml").jobs.rotate.concurrency).toEqual({ group: "pulumi-${{ matrix.stack }}", "cancel-in-progress": false });
    });

    it("rotate refreshes before it updates: an expired rotation clock is only found by a refresh", () => {
        const up = load("rotate.yml").jobs.rotate.steps.find((s: { uses?: string }) => s.uses?.startsWith("pulumi/actions@"));
        expect(up.with).toMatchObject({ command: "up", refresh: true });
    });

    it("use GitHub OIDC for AWS, never long-lived keys", () => {
        for (const file of files) {
            const text = fs.readFileSync(path.join(DIR, file), "utf8");
            expect(text).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
            for (const s of steps(load(file)).filter((x) => String(x.uses ?? "").startsWith("aws-actions/configure-aws-credentials"))) {
                expect(s.with["role-to-assume"]).toBeDefined();
            }
        }
    });

    it("detect drift with the CLI's preview-only refresh, and preview offline for forks", () => {
        const drift = steps(load("drift.yml")).find((s) => s.id === "refresh")!;
        expect(drift.run).toMatch(/pulumi refresh --preview-only --expect-no-changes/);
        const preview = load("pr-preview.yml");
        expect(preview.jobs.offline.if).toBeUndefined();
        expect(preview.jobs.real.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
        // prod's preview role trusts main only (bootstrap pullRequestPreviews): a PR must not decrypt prod secrets.
        expect(preview.jobs.real.strategy.matrix.stack).toEqual(["dev"]);
        expect(JSON.stringify(preview.jobs.real)).not.toMatch(/PREVIEW_ROLE_PROD/);
        expect(JSON.stringify(preview.jobs.offline)).not.toMatch(/secrets\.|id-token/);
    });
});

describe("docs/graph.md", () => {
    it("matches the graph of the current prod plan (npm run graph regenerates it)", async () => {
        const { sharedPlan } = await import("./helpers/cli");
        const run = spawnSync(process.execPath, [path.join(ROOT, ".build", "tools", "graph.js"), "--plan", sharedPlan("prod"), "--check"], { cwd: ROOT, encoding: "utf8" });
        expect(run.stderr).toBe("");
        expect(run.status).toBe(0);
    });
});
