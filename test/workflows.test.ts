import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { DEPLOY_SESSION_SECONDS, PREVIEW_SESSION_SECONDS } from "../components/backend/github-deploy";
import { sharedPlan } from "./helpers/cli";
import { ROOT } from "./helpers/config";

type Obj = Record<string, any>;
const DIR = path.join(ROOT, ".github", "workflows");
const load = (file: string): Obj => YAML.parse(fs.readFileSync(path.join(DIR, file), "utf8"));
const steps = (w: Obj) => Object.entries(w.jobs as Obj).flatMap(([job, j]) => (j.steps ?? []).map((s: Obj) => ({ job, ...s })));

/** The composite actions the workflows use (`./.github/actions/<name>`), as workflow-like step lists. */
const ACTIONS = path.join(ROOT, ".github", "actions");
const loadAction = (name: string): Obj => YAML.parse(fs.readFileSync(path.join(ACTIONS, name, "action.yml"), "utf8"));
const actionSteps = (name: string): Obj[] => (loadAction(name).runs.steps as Obj[]).map((s) => ({ job: `action:${name}`, ...s }));
const allSteps = (w: Obj): Obj[] => steps(w).flatMap((s) => (String(s.uses ?? "").startsWith("./.github/actions/") ? [s, ...actionSteps(String(s.uses).split("/").pop()!)] : [s]));
const PULUMI_CLI = "3.248.0";

describe("workflows", () => {
    const files = fs.readdirSync(DIR).sort();

    it("are the five the delivery needs, plus security", () => {
        expect(files).toEqual(["ci.yml", "deploy.yml", "drift.yml", "pr-preview.yml", "rotate.yml", "security.yml"]);
    });

    it("pin every action to a commit SHA, with its version in a comment, and the Pulumi CLI to one version", () => {
        const texts = [...files.map((f) => fs.readFileSync(path.join(DIR, f), "utf8")), ...fs.readdirSync(ACTIONS).map((a) => fs.readFileSync(path.join(ACTIONS, a, "action.yml"), "utf8"))];
        for (const text of texts) {
            for (const line of text.split("\n").filter((l) => /^\s*(- )?uses: /.test(l))) {
                if (line.includes("uses: ./")) continue;
                expect(line).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
            }
        }
        for (const file of ["deploy.yml", "pr-preview.yml", "rotate.yml", "drift.yml"]) {
            for (const s of allSteps(load(file)).filter((x) => String(x.uses ?? "").startsWith("pulumi/actions@"))) {
                expect([PULUMI_CLI, "${{ env.PULUMI_VERSION }}", "${{ inputs.pulumi-version }}"]).toContain(s.with["pulumi-version"]);
            }
        }
        expect(load("deploy.yml").env.PULUMI_VERSION).toBe(PULUMI_CLI);
        expect(load("rotate.yml").env.PULUMI_VERSION).toBe(PULUMI_CLI);
    });

    it("give every pulumi/actions command a stack, its account's S3 backend and the policy pack with its config (camelCase inputs)", () => {
        for (const file of ["deploy.yml", "pr-preview.yml", "rotate.yml"]) {
            for (const s of allSteps(load(file)).filter((x) => String(x.uses ?? "").startsWith("pulumi/actions@") && x.with?.command)) {
                expect(s.with["stack-name"]).toMatch(/^organization\/pr-cybr-platform\//);
                expect(["${{ vars.PULUMI_BACKEND_URL_DEV }}", "${{ vars.PULUMI_BACKEND_URL_PROD }}", "${{ inputs.backend-url }}"]).toContain(s.with["cloud-url"]);
                if (s.with["cloud-url"] !== "${{ inputs.backend-url }}") expect(s.with["cloud-url"]).toContain(s.with["stack-name"].endsWith("/prod") ? "PROD" : "DEV");
                expect(s.with.policyPacks).toBe("policy");
                expect(s.with.policyPackConfigs).toMatch(/^policy\/config\/\$\{\{ inputs\.stack \}\}\.json$|^policy\/config\/(dev|prod)\.json$/);
                expect(Object.keys(s.with)).not.toContain("policy-packs");
            }
        }
    });

    it("deploy and rotate: synth gate, then preview with the pack, then up (stack policies run only after an up has executed)", () => {
        const sequences = [...["dev", "prod"].map((j) => steps(load("deploy.yml")).filter((s) => s.job === j)), actionSteps("rotate")];
        for (const seq of sequences) {
            const order = seq.map((s) => (String(s.run ?? "").includes("npm run --silent synth") ? "synth" : s.with?.command ?? "")).filter(Boolean);
            expect(order).toEqual(["synth", "preview", "up"]);
        }
    });

    it("deploy dev from main in `dev` and prod from release tags in `production`, one concurrency group per stack, never cancelling an up", () => {
        const deploy = load("deploy.yml");
        expect(deploy.jobs.prod.environment).toBe("production");
        expect(deploy.jobs.dev.environment).toBe("dev");
        expect(deploy.jobs.prod.concurrency).toEqual({ group: "pulumi-prod", "cancel-in-progress": false });
        expect(deploy.jobs.dev.concurrency).toEqual({ group: "pulumi-dev", "cancel-in-progress": false });
        expect(deploy.on.push.branches).toEqual(["main"]);
        expect(deploy.jobs.prod.steps[0].run).toMatch(/refs\/tags\/v\*\) ;;/);
    });

    it("rotate prod only at the release prod runs, in production-rotation, in a group no deploy can cancel it from", () => {
        const rotate = load("rotate.yml");
        expect(rotate.jobs.prod.environment).toBe("production-rotation");
        expect(rotate.jobs.prod.if).toContain("startsWith(github.ref, 'refs/tags/v')");
        expect(rotate.jobs["dispatch-prod"].steps[0].run).toMatch(/deployments\?environment=production/);
        expect(rotate.jobs["dispatch-prod"].steps[0].run).toMatch(/gh workflow run rotate\.yml --repo "\$\{REPO\}" --ref "\$\{tag\}" -f stack=prod/);
        expect(rotate.jobs.dev.steps[0].with.ref).toBe("main");
        for (const job of ["dev", "prod"]) {
            expect(rotate.jobs[job].concurrency).toEqual({ group: `rotate-${job}`, "cancel-in-progress": false });
            expect(rotate.jobs[job].steps.find((s: Obj) => s.uses === "./.github/actions/rotate").with.stack).toBe(job);
        }
        // Groups other workflows use, which would cancel a pending rotation.
        const groups = ["deploy.yml", "drift.yml", "pr-preview.yml", "ci.yml"].flatMap((f) => JSON.stringify(load(f)).match(/"group":"[^"]+"/g) ?? []);
        expect(groups.filter((g) => g.includes("rotate"))).toEqual([]);
        const up = actionSteps("rotate").find((s) => s.with?.command === "up")!;
        expect(up.with).toMatchObject({ command: "up", refresh: true });
        expect(actionSteps("rotate").find((s) => String(s.run ?? "").includes("wait-for-unlock.sh"))).toBeDefined();
    });

    it("assume roles through GitHub OIDC for as long as the role allows, never with long-lived keys", () => {
        for (const file of files) {
            const text = fs.readFileSync(path.join(DIR, file), "utf8");
            expect(text).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
        }
        const credentialSteps = [...["deploy.yml", "drift.yml", "pr-preview.yml", "rotate.yml"].flatMap((f) => allSteps(load(f))), ...actionSteps("rotate")].filter((x) => String(x.uses ?? "").startsWith("aws-actions/configure-aws-credentials"));
        expect(credentialSteps.length).toBeGreaterThan(0);
        for (const s of credentialSteps) {
            expect(s.with["role-to-assume"]).toBeDefined();
            // What the bootstrap's roles allow (maxSessionDuration): a session no shorter than the job.
            expect(s.with["role-duration-seconds"]).toBe(/DEPLOY|inputs\.role/.test(s.with["role-to-assume"]) ? DEPLOY_SESSION_SECONDS : PREVIEW_SESSION_SECONDS);
        }
        for (const file of ["deploy.yml", "rotate.yml"]) for (const job of Object.values(load(file).jobs as Obj)) expect(job["timeout-minutes"] * 60).toBeLessThanOrEqual(DEPLOY_SESSION_SECONDS);
        for (const file of ["drift.yml", "pr-preview.yml"]) for (const job of Object.values(load(file).jobs as Obj)) expect(job["timeout-minutes"] * 60).toBeLessThanOrEqual(PREVIEW_SESSION_SECONDS);
    });

    it("keep pull-request code off the deploy runners and prod's preview behind production-preview; no checkout keeps a token", () => {
        const preview = load("pr-preview.yml");
        expect(preview.jobs.offline.if).toBeUndefined();
        expect(JSON.stringify(preview.jobs.offline)).not.toMatch(/secrets\.|id-token/);
        for (const job of ["real-dev", "real-prod"]) {
            expect(preview.jobs[job].if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
            expect(preview.jobs[job]["runs-on"]).toEqual(["self-hosted", `pr-cybr-${job.slice(5)}-preview`]);
        }
        expect(preview.jobs["real-prod"].environment).toBe("production-preview");
        expect(preview.jobs["real-dev"].environment).toBeUndefined();
        expect(JSON.stringify(preview.jobs["real-dev"])).not.toMatch(/_PROD/);
        for (const file of files) {
            for (const s of steps(load(file)).filter((x) => String(x.uses ?? "").startsWith("actions/checkout@"))) expect(s.with?.["persist-credentials"]).toBe(false);
        }
    });

    it("give each stack's diff its own share of the PR comment, summarised by the diff tool, never cut mid-entry", () => {
        // The Diff step as the workflow runs it, on plans whose diffs are each far over the comment limit.
        const run = steps(load("pr-preview.yml")).find((s) => s.job === "offline" && s.name === "Diff")!.run as string;
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pr-cybr-preview-"));
        // The checkout of the head (a real directory: the step reaches ../plans from it).
        fs.mkdirSync(path.join(dir, "head"));
        for (const entry of fs.readdirSync(ROOT)) fs.symlinkSync(path.join(ROOT, entry), path.join(dir, "head", entry));
        for (const side of ["base", "head"]) fs.mkdirSync(path.join(dir, "plans", side), { recursive: true });
        for (const stack of ["dev", "prod"] as const) {
            const plan = JSON.parse(fs.readFileSync(sharedPlan(stack), "utf8"));
            fs.writeFileSync(path.join(dir, "plans", "base", `${stack}.plan.json`), JSON.stringify(plan));
            // Every resource changed and 400 added: thousands of entries.
            for (const r of plan.resources) r.inputs = { ...r.inputs, changedByTest: "x".repeat(40) };
            const extra = Array.from({ length: 400 }, (_, i) => ({ ...plan.resources[plan.resources.length - 1], urn: `${plan.resources[plan.resources.length - 1].urn}-extra-${i}`, name: `extra-${i}` }));
            plan.resources.push(...extra);
            fs.writeFileSync(path.join(dir, "plans", "head", `${stack}.plan.json`), JSON.stringify(plan));
        }
        const r = spawnSync("bash", ["-c", run], { cwd: dir, encoding: "utf8", env: { ...process.env, GITHUB_STEP_SUMMARY: path.join(dir, "summary.md") } });
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        const comment = fs.readFileSync(path.join(dir, "plan-diff.md"), "utf8");
        expect(comment.length).toBeLessThanOrEqual(65536);
        expect(comment).not.toMatch(/cut at 60000 characters/);
        for (const stack of ["dev", "prod"]) expect(comment).toContain(`### Plan diff: \`${stack}\` → \`${stack}\``);
        expect(comment.match(/Summarised: \d+ entries are counted above but not listed/g)).toHaveLength(2);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("cap the PR diff comment below GitHub's 65,536 characters and keep the whole diff as an artifact", () => {
        const offline = steps(load("pr-preview.yml")).filter((s) => s.job === "offline");
        expect(offline.find((s) => s.name === "Diff")!.run).toMatch(/limit=60000/);
        expect(offline.find((s) => String(s.uses ?? "").startsWith("actions/upload-artifact@"))!.with.path).toBe("plan-diff-full.md");
    });

    it("detect drift with the CLI's preview-only refresh, telling drift (exit 7) from errors, in its own concurrency group", () => {
        const drift = load("drift.yml");
        const refresh = steps(drift).find((s) => s.id === "refresh")!;
        expect(refresh.run).toMatch(/pulumi refresh --preview-only --expect-no-changes/);
        expect(refresh.run).toMatch(/7\) echo "drift=true"/);
        expect(refresh.run).toMatch(/\*\) echo "::error::the drift check itself failed/);
        expect(drift.jobs.drift.concurrency).toEqual({ group: "drift-${{ matrix.stack }}", "cancel-in-progress": false });
    });

    it("tell Slack of every failed deploy, rotation and drift check, with a link to the run", () => {
        const script = fs.readFileSync(path.join(ROOT, ".github", "scripts", "notify-slack.sh"), "utf8");
        expect(script).toContain("actions/runs/${GITHUB_RUN_ID}");
        for (const [file, jobs] of [["deploy.yml", ["dev", "prod"]], ["rotate.yml", ["dispatch-prod", "dev", "prod"]], ["drift.yml", ["drift"]]] as const) {
            for (const job of jobs) {
                const notify = steps(load(file)).filter((s) => s.job === job && String(s.run ?? "").includes("notify-slack.sh"));
                expect(notify.some((s) => String(s.if ?? "").includes("failure()"))).toBe(true);
                for (const s of notify) expect(s.env.SLACK_WEBHOOK_URL).toBe("${{ secrets.SLACK_WEBHOOK_URL }}");
            }
        }
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
