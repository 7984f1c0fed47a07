import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { EnvironmentBudget, validateEnvironmentBudgetArgs } from "../components/cost";
import { validateGitHubDeployArgs, validateStateBucketArgs } from "../components/backend";
import { ROOT } from "./helpers/config";
import { runTool, tempDir } from "./helpers/cli";
import { installMocks, MockHarness } from "./mocks";

type Obj = Record<string, any>;

describe("backend bootstrap (the Terraform Cloud replacement)", () => {
    let harness: MockHarness;

    beforeAll(async () => {
        harness = installMocks({ project: "pr-cybr-bootstrap", stack: "global" });
        const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "bootstrap", "Pulumi.global.yaml"), "utf8")).config as Obj;
        pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])));
        await import("../bootstrap/index");
        await harness.settle();
    });

    it("keeps state in a versioned, KMS-encrypted, private, TLS-only bucket that Pulumi will not delete", () => {
        const bucket = harness.ofType(aws.s3.Bucket)[0];
        expect(bucket.inputs).toMatchObject({ bucket: "pr-cybr-pulumi-state", forceDestroy: false });
        expect(bucket.protect).toBe(true);
        expect(harness.ofType("aws:s3/bucketVersioning:BucketVersioning")[0].inputs.versioningConfiguration).toEqual({ status: "Enabled" });
        const sse = harness.ofType("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")[0];
        expect((sse.inputs.rules as Obj[])[0].applyServerSideEncryptionByDefault).toMatchObject({ sseAlgorithm: "aws:kms" });
        expect(harness.ofType("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")[0].inputs).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
        const policy = JSON.parse(String(harness.ofType("aws:s3/bucketPolicy:BucketPolicy")[0].inputs.policy));
        expect(policy.Statement[0]).toMatchObject({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
    });

    it("makes one rotating KMS key per stack for its secrets provider", () => {
        const aliases = harness.ofType(aws.kms.Alias).map((a) => a.inputs.name).sort();
        expect(aliases).toEqual(["alias/pr-cybr-dev", "alias/pr-cybr-prod", "alias/pr-cybr-state"]);
        for (const key of harness.ofType(aws.kms.Key)) expect(key.inputs.enableKeyRotation).toBe(true);
    });

    it("pins deploy roles to this repository and its GitHub environments, previews to main (and PRs only where allowed)", () => {
        const roles = Object.fromEntries(harness.ofType(aws.iam.Role).map((r) => [r.inputs.name, JSON.parse(String(r.inputs.assumeRolePolicy)).Statement[0]]));
        expect(roles["pr-cybr-deploy-prod"].Condition).toEqual({
            StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
            StringLike: { "token.actions.githubusercontent.com:sub": ["repo:pr-cybr/platform:environment:production", "repo:pr-cybr/platform:environment:production-rotation"] },
        });
        expect(roles["pr-cybr-deploy-dev"].Condition.StringLike["token.actions.githubusercontent.com:sub"]).toEqual(["repo:pr-cybr/platform:environment:dev"]);
        // A preview session decrypts its stack's secrets: pull requests get dev's, never prod's.
        expect(roles["pr-cybr-preview-dev"].Condition.StringLike["token.actions.githubusercontent.com:sub"]).toEqual(["repo:pr-cybr/platform:pull_request", "repo:pr-cybr/platform:ref:refs/heads/main"]);
        expect(roles["pr-cybr-preview-prod"].Condition.StringLike["token.actions.githubusercontent.com:sub"]).toEqual(["repo:pr-cybr/platform:ref:refs/heads/main"]);
        for (const r of harness.ofType(aws.iam.Role)) expect(r.inputs.permissionsBoundary).toMatch(/^arn:aws:iam::123456789012:policy\//);
    });

    // What these denials mean for real requests is evaluated by test/integration/iam (iam-access).
    it("keeps each environment's roles off the other's state, key and roles, and off their own boundary", () => {
        const boundaries = harness.ofType(aws.iam.Policy).map((p) => ({ name: p.inputs.name, doc: JSON.parse(String(p.inputs.policy)) }));
        expect(boundaries.map((b) => b.name).sort()).toEqual(["pr-cybr-dev-boundary", "pr-cybr-prod-boundary"]);
        const dev = Object.fromEntries(boundaries.find((b) => b.name === "pr-cybr-dev-boundary")!.doc.Statement.map((s: Obj) => [s.Sid, s]));
        const prodKey = harness.get(aws.kms.Key, "pr-cybr-ci-prod-secrets-key").outputs.arn;
        const state = "arn:aws:s3:::pr-cybr-pulumi-state/.pulumi";
        expect(dev.NotOtherStacksState.Resource).toEqual([`${state}/stacks/pr-cybr-platform/prod.*`, `${state}/history/pr-cybr-platform/prod/*`, `${state}/backups/pr-cybr-platform/prod/*`, `${state}/locks/organization/pr-cybr-platform/prod/*`]);
        expect(dev.NotOtherStacksKeys).toMatchObject({ Action: "kms:*", Resource: [prodKey] });
        expect(dev.NotOtherStacksRoles.Resource).toEqual(["arn:aws:iam::123456789012:role/pr-cybr-deploy-prod", "arn:aws:iam::123456789012:role/pr-cybr-preview-prod", "arn:aws:iam::123456789012:policy/pr-cybr-prod-boundary"]);
        expect(dev.NotOwnBoundaryEdited.Resource).toBe("arn:aws:iam::123456789012:policy/pr-cybr-dev-boundary");
    });

    it("activates the four cost-allocation tags", () => {
        expect(harness.ofType("aws:costexplorer/costAllocationTag:CostAllocationTag").map((t) => t.inputs.tagKey).sort()).toEqual(["cost-center", "environment", "owner", "project"]);
    });

    it("synthesizes with `--project bootstrap` and passes the pack", () => {
        const dir = tempDir("bootstrap");
        const run = runTool("synth", ["--stack", "global", "--project", "bootstrap", "--out", dir]);
        expect(run.status).toBe(0);
        const plan = JSON.parse(fs.readFileSync(path.join(dir, "global.plan.json"), "utf8"));
        expect(plan.project).toBe("pr-cybr-bootstrap");
        expect(plan.policies.violations).toEqual([]);
    });

    it("rejects unusable names", () => {
        expect(() => validateStateBucketArgs({ bucketName: "Pulumi_State" })).toThrow('bucketName: "Pulumi_State" is not an S3 bucket name');
        expect(() => validateGitHubDeployArgs({ repository: "platform", stateBucketArn: "a", stateKeyArn: "k", project: "p", environments: [] })).toThrow(
            'invalid GitHubDeploy args:\n  repository: "platform" is not "owner/name"\n  environments: is empty (list dev and prod)',
        );
    });
});

describe("environment budget", () => {
    it("alerts at each threshold on actual spend and at 100% forecast, over costs tagged with the environment", async () => {
        const harness = installMocks({ stack: "budget" });
        new EnvironmentBudget("b", { environment: "prod", monthlyLimitUsd: 12000, emails: ["finops@example.com"] });
        await harness.settle();
        const budget = harness.ofType(aws.budgets.Budget)[0];
        expect(budget.inputs).toMatchObject({ name: "pr-cybr-prod-monthly", limitAmount: "12000.00", limitUnit: "USD", timeUnit: "MONTHLY", costFilters: [{ name: "TagKeyValue", values: ["user:environment$prod"] }] });
        expect((budget.inputs.notifications as Obj[]).map((n) => `${n.notificationType}:${n.threshold}`)).toEqual(["ACTUAL:50", "ACTUAL:80", "ACTUAL:100", "FORECASTED:100"]);
        expect(() => validateEnvironmentBudgetArgs({ environment: "dev", monthlyLimitUsd: 0, emails: [] })).toThrow("monthlyLimitUsd: 0 is not a positive amount");
    });
});
