import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { EnvironmentBudget, validateEnvironmentBudgetArgs } from "../components/cost";
import { validateGitHubDeployArgs, validateStateBucketArgs } from "../components/backend";
import { ROOT } from "./helpers/config";
import { runTool, sharedPlan, tempDir } from "./helpers/cli";
import { installMocks, MockHarness } from "./mocks";

type Obj = Record<string, any>;

/** The bootstrap stack of one account, run under the mocks in that account. */
async function bootstrapOf(stack: "dev" | "prod", account: string): Promise<MockHarness> {
    const harness = installMocks({ project: "pr-cybr-bootstrap", stack, cloud: { accountId: account } });
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "bootstrap", `Pulumi.${stack}.yaml`), "utf8")).config as Obj;
    pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])));
    await import("../bootstrap/index");
    await harness.settle();
    return harness;
}

const stackFile = (stack: string): Obj => YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
const bootstrapFile = (stack: string): Obj => YAML.parse(fs.readFileSync(path.join(ROOT, "bootstrap", `Pulumi.${stack}.yaml`), "utf8")).config;

describe("backend bootstrap (the Terraform Cloud replacement), one stack per AWS account", () => {
    let harness: MockHarness;

    beforeAll(async () => {
        harness = await bootstrapOf("prod", "222222222222");
    });

    it("keeps state in a versioned, KMS-encrypted, private, TLS-only bucket that Pulumi will not delete", () => {
        const bucket = harness.ofType(aws.s3.Bucket)[0];
        expect(bucket.inputs).toMatchObject({ bucket: "pr-cybr-pulumi-state-prod", forceDestroy: false });
        expect(bucket.protect).toBe(true);
        expect(harness.ofType("aws:s3/bucketVersioning:BucketVersioning")[0].inputs.versioningConfiguration).toEqual({ status: "Enabled" });
        const sse = harness.ofType("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")[0];
        expect((sse.inputs.rules as Obj[])[0].applyServerSideEncryptionByDefault).toMatchObject({ sseAlgorithm: "aws:kms" });
        expect(harness.ofType("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")[0].inputs).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
        const policy = JSON.parse(String(harness.ofType("aws:s3/bucketPolicy:BucketPolicy")[0].inputs.policy));
        expect(policy.Statement[0]).toMatchObject({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
    });

    it("makes the account's stack one rotating KMS key for its secrets provider, and refuses other accounts' credentials", () => {
        expect(harness.ofType(aws.kms.Alias).map((a) => a.inputs.name).sort()).toEqual(["alias/pr-cybr-prod", "alias/pr-cybr-state"]);
        for (const key of harness.ofType(aws.kms.Key)) expect(key.inputs.enableKeyRotation).toBe(true);
        expect(JSON.parse(String(harness.ofType("pulumi:providers:aws")[0].inputs.allowedAccountIds))).toEqual(["222222222222"]);
    });

    it("pins the deploy role to its GitHub environments and the preview role to main and the gated environment", () => {
        const roles: Record<string, (typeof harness.ofType extends (t: never) => (infer R)[] ? R : never)> = Object.fromEntries(harness.ofType(aws.iam.Role).map((r) => [String(r.inputs.name), r]));
        const subjects = (name: string) => JSON.parse(String(roles[name].inputs.assumeRolePolicy)).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"];
        expect(subjects("pr-cybr-deploy-prod")).toEqual(["repo:pr-cybr/platform:environment:production", "repo:pr-cybr/platform:environment:production-rotation"]);
        expect(subjects("pr-cybr-preview-prod")).toEqual(["repo:pr-cybr/platform:environment:production-preview", "repo:pr-cybr/platform:ref:refs/heads/main"]);
        // Sessions outlast the longest job (prod deploys: 120 minutes).
        expect(roles["pr-cybr-deploy-prod"].inputs.maxSessionDuration).toBe(7200);
        for (const r of Object.values(roles)) expect(r.inputs.permissionsBoundary).toMatch(/^arn:aws:iam::222222222222:policy\/pr-cybr-prod-boundary$/);
    });

    // What the boundary means for real requests is evaluated by test/integration/iam (iam-access).
    it("bounds every entity the deploy role creates or changes with its own boundary", () => {
        const boundary = harness.ofType(aws.iam.Policy).find((p) => p.inputs.name === "pr-cybr-prod-boundary")!;
        const sids = Object.fromEntries(JSON.parse(String(boundary.inputs.policy)).Statement.map((s: Obj) => [s.Sid, s]));
        expect(sids.OnlyBoundedEntities.Condition).toEqual({ StringNotEquals: { "iam:PermissionsBoundary": "arn:aws:iam::222222222222:policy/pr-cybr-prod-boundary" } });
        expect(sids.OnlyOwnRolesPassedOrAssumed).toMatchObject({ Action: ["iam:PassRole", "sts:AssumeRole"], NotResource: "arn:aws:iam::222222222222:role/pr-cybr-prod-*" });
        expect(sids.NotTheBackendRoles.Resource).toEqual(["arn:aws:iam::222222222222:role/pr-cybr-deploy-prod", "arn:aws:iam::222222222222:role/pr-cybr-preview-prod"]);
    });

    it("activates the four cost-allocation tags", () => {
        expect(harness.ofType("aws:costexplorer/costAllocationTag:CostAllocationTag").map((t) => t.inputs.tagKey).sort()).toEqual(["cost-center", "environment", "owner", "project"]);
    });

    it.each(["dev", "prod"])("synthesizes %s with `--project bootstrap` in its own account and passes the pack", (stack) => {
        const dir = tempDir(`bootstrap-${stack}`);
        const run = runTool("synth", ["--stack", stack, "--project", "bootstrap", "--out", dir]);
        expect(run.status).toBe(0);
        const plan = JSON.parse(fs.readFileSync(path.join(dir, `${stack}.plan.json`), "utf8"));
        expect(plan.project).toBe("pr-cybr-bootstrap");
        expect(plan.policies.violations).toEqual([]);
        expect(plan.outputs.accountId).toBe(bootstrapFile(stack)["aws:allowedAccountIds"][0]);
    });

    it.each(["dev", "prod"])("%s: the stack file, the platform's roles and the preview reads agree with the account's bootstrap", (stack) => {
        const platform = stackFile(stack);
        const bootstrap = bootstrapFile(stack);
        const account = bootstrap["aws:allowedAccountIds"][0];
        // Pulumi.<stack>.yaml names the provider the bootstrap creates (pulumi/pulumi v3.248.0
        // pkg/cmd/pulumi/stack/secrets.go: without it a diy stack falls back to the passphrase provider).
        expect(platform.secretsprovider).toBe(`awskms://alias/pr-cybr-${stack}?region=${bootstrap["aws:region"]}`);
        // A secure: value needs the committed data key; without it each run would mint a new one.
        if (JSON.stringify(platform.config).includes('"secure"')) expect(platform.encryptedkey).toMatch(/\S/);
        expect(platform.config["aws:allowedAccountIds"]).toEqual([account]);
        const cluster = platform.config["pr-cybr-platform:cluster"];
        expect(cluster.deployRoleArn).toBe(`arn:aws:iam::${account}:role/pr-cybr-deploy-${stack}`);
        expect(cluster.previewRoleArn).toBe(`arn:aws:iam::${account}:role/pr-cybr-preview-${stack}`);
        const secretIds = [...JSON.stringify(platform.config).matchAll(/"[A-Za-z]*[sS]ecretId":"([^"]+)"/g)].map((m) => m[1]);
        expect([...new Set(secretIds)].sort()).toEqual([...bootstrap["pr-cybr-bootstrap:previewSecrets"]].sort());
    });

    it.each(["dev", "prod"] as const)("%s: every role the platform creates carries the account's deploy boundary, and the preview role a view access entry", (stack) => {
        const plan = JSON.parse(fs.readFileSync(sharedPlan(stack), "utf8")) as { resources: Obj[] };
        const account = bootstrapFile(stack)["aws:allowedAccountIds"][0];
        const roles = plan.resources.filter((r) => r.type === "aws:iam/role:Role");
        expect(roles.length).toBeGreaterThan(5);
        for (const r of roles) expect([r.name, r.inputs.permissionsBoundary]).toEqual([r.name, `arn:aws:iam::${account}:policy/pr-cybr-${stack}-boundary`]);
        const view = plan.resources.filter((r) => r.type === "aws:eks/accessPolicyAssociation:AccessPolicyAssociation" && r.inputs.principalArn === `arn:aws:iam::${account}:role/pr-cybr-preview-${stack}`);
        expect(view.map((r) => [r.inputs.policyArn, r.inputs.accessScope])).toEqual([["arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy", { type: "cluster" }]]);
    });

    it("rejects unusable names", () => {
        expect(() => validateStateBucketArgs({ bucketName: "Pulumi_State" })).toThrow('bucketName: "Pulumi_State" is not an S3 bucket name');
        expect(() => validateGitHubDeployArgs({ repository: "platform", stateBucketArn: "a", stateKeyArn: "k", project: "p", stack: "prod", deployEnvironments: [], previewSubjects: ["push"] })).toThrow(
            'invalid GitHubDeploy args:\n  repository: "platform" is not "owner/name"\n  deployEnvironments: is empty (name the GitHub environment that gates deploys)\n  previewSubjects[0]: "push" is not "pull_request" or "environment:<name>"',
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
