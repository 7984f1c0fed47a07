import * as aws from "@pulumi/aws";
import * as crypto from "crypto";
import * as fs from "fs";
import { EnvironmentKey, ROTATION_FUNCTION_FILE, validateEnvironmentKeyArgs, validateJoinTokenRotationArgs } from "../components/secrets";
import { installMocks, MockHarness } from "./mocks";
import { platformUnderMocks, stackConfig } from "./helpers/platform";

type Obj = Record<string, any>;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fn = require(ROTATION_FUNCTION_FILE) as {
    rotate(event: Obj, deps: Obj, env: Obj): Promise<string>;
    commandFor(step: string, s: { role: string; secretId: string; token: string; region: string }): string[];
};
const statementsOf = (policy: unknown) => JSON.parse(String(policy)).Statement as Obj[];

describe("EnvironmentKey", () => {
    it("rotates, has its alias, and lets the named roles use it only through Secrets Manager", async () => {
        const harness = installMocks({ stack: "secrets" });
        const key = new EnvironmentKey("env", { alias: "pr-cybr-dev-secrets", readerRoleArns: ["arn:aws:iam::123456789012:role/edge"], writerRoleArns: ["arn:aws:iam::123456789012:role/deploy"] });
        key.secret(key, "bundle", { secretName: "pr-cybr/dev/edge/n1", description: "bundle", value: "s3cr3t" });
        await harness.settle();
        const kms = harness.get(aws.kms.Key, "env-key").inputs;
        expect(kms).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
        expect(harness.get(aws.kms.Alias, "env-alias").inputs.name).toBe("alias/pr-cybr-dev-secrets");
        const byId = Object.fromEntries(statementsOf(kms.policy).map((s) => [s.Sid, s]));
        expect(byId.DecryptThroughSecretsManager.Principal.AWS).toEqual(["arn:aws:iam::123456789012:role/edge", "arn:aws:iam::123456789012:role/deploy"]);
        expect(byId.EncryptThroughSecretsManager.Principal.AWS).toEqual(["arn:aws:iam::123456789012:role/deploy"]);
        for (const s of [byId.DecryptThroughSecretsManager, byId.EncryptThroughSecretsManager]) expect(s.Condition.StringEquals["kms:ViaService"]).toBe("secretsmanager.us-east-1.amazonaws.com");
        const secret = harness.get(aws.secretsmanager.Secret, "bundle");
        expect(secret.inputs.kmsKeyId).toBe(harness.get(aws.kms.Key, "env-key").outputs.arn);
        expect(harness.get(aws.secretsmanager.SecretVersion, "bundle-value").inputs.secretString).toEqual(expect.objectContaining({ value: "s3cr3t" }));
    });

    it("rejects an AWS-reserved alias and a deletion window outside 7-30 days", () => {
        expect(() => validateEnvironmentKeyArgs({ alias: "aws/secretsmanager", deletionWindowInDays: 5 })).toThrow(
            /alias: "aws\/secretsmanager" is not a KMS alias name[\s\S]*deletionWindowInDays: 5 is not 7-30 days/,
        );
        expect(() => validateJoinTokenRotationArgs({ swarmName: "s", tokenSecretArns: { manager: "a", worker: "b" }, kmsKeyArn: "k", logGroupName: "/l", rotationDays: 120 })).toThrow(
            "rotationDays: 120 is not a whole number of days from 1 to 90",
        );
    });
});

describe.each(["dev", "prod"] as const)("the %s secrets", (stack) => {
    let harness: MockHarness;
    const config = stackConfig(stack);
    const swarm = `pr-cybr-${stack}-swarm`;
    beforeAll(async () => ({ harness } = await platformUnderMocks(stack, config)));

    it("has an environment key with rotation, usable by the deploy role through Secrets Manager", () => {
        const key = harness.get(aws.kms.Key, `pr-cybr-${stack}-secrets-key`).inputs;
        expect(key.enableKeyRotation).toBe(true);
        const writers = statementsOf(key.policy).find((s) => s.Sid === "EncryptThroughSecretsManager")!;
        expect(writers.Principal.AWS).toEqual([config.cluster.deployRoleArn]);
    });

    it(`rotates both join tokens every ${config.secrets.rotationDays} days, starting on the schedule, not at create`, () => {
        const rotations = harness.ofType(aws.secretsmanager.SecretRotation);
        const tokens = harness.ofType(aws.secretsmanager.Secret).filter((s) => /join-token$/.test(String(s.inputs.name)));
        expect(rotations.map((r) => r.inputs.secretId).sort()).toEqual(tokens.map((t) => t.outputs.arn).sort());
        const lambda = harness.ofType(aws.lambda.Function)[0];
        for (const r of rotations) {
            expect(r.inputs).toMatchObject({ rotationLambdaArn: lambda.outputs.arn, rotateImmediately: false, rotationRules: { automaticallyAfterDays: config.secrets.rotationDays } });
            expect(r.dependsOn).toContain(harness.ofType(aws.lambda.Permission)[0].urn);
        }
        expect(config.secrets.rotationDays).toBeLessThanOrEqual(90);
    });

    it("has every KMS key rotate, every Secrets Manager rotation within 90 days, every leaf certificate within 90 days", () => {
        const keys = harness.ofType(aws.kms.Key);
        expect(keys.length).toBeGreaterThanOrEqual(4);
        for (const k of keys) expect([k.name, k.inputs.enableKeyRotation]).toEqual([k.name, true]);
        const rotations = harness.ofType(aws.secretsmanager.SecretRotation);
        expect(rotations.length).toBeGreaterThanOrEqual(2);
        for (const r of rotations) expect((r.inputs.rotationRules as Record<string, number>).automaticallyAfterDays).toBeLessThanOrEqual(90);
        const leaves = harness.ofType("tls:index/locallySignedCert:LocallySignedCert");
        expect(leaves.length).toBe(3 + config.edge.nodes.length);
        for (const c of leaves) {
            expect(Number(c.inputs.validityPeriodHours)).toBeLessThanOrEqual(90 * 24);
            expect(Number(c.inputs.earlyRenewalHours)).toBeGreaterThan(0);
        }
    });

    it("runs the rotation function that never reads a token, may command only this swarm's instances, and logs under the swarm key", () => {
        const lambda = harness.ofType(aws.lambda.Function)[0];
        expect(lambda.inputs).toMatchObject({ runtime: "nodejs22.x", handler: "index.handler", environment: { variables: { SWARM_NAME: swarm } } });
        const sha = crypto.createHash("sha256").update(fs.readFileSync(ROTATION_FUNCTION_FILE)).digest("hex");
        expect((lambda.inputs.code as Obj).archive["index.js"]).toEqual({ asset: "file", path: "components/secrets/rotation/join-token-rotation.js", sha256: sha });
        const policy = statementsOf(harness.ofType(aws.iam.RolePolicy).find((p) => p.name === `${swarm}-token-rotation-policy`)!.inputs.policy);
        const actions = policy.flatMap((s) => [s.Action].flat());
        expect(actions).not.toContain("secretsmanager:GetSecretValue");
        expect(actions.some((a: string) => a.startsWith("kms:"))).toBe(false);
        const onInstances = policy.find((s) => s.Sid === "RunOnThisSwarm")!;
        expect(onInstances.Condition).toEqual({ StringEquals: { "ssm:resourceTag/pr-cybr.io:swarm": swarm } });
        const logs = harness.ofType(aws.cloudwatch.LogGroup).find((g) => g.name === `${swarm}-token-rotation-logs`)!;
        expect(logs.inputs.name).toBe(`/pr-cybr/${swarm}/join-token-rotation`);
        expect(logs.inputs.kmsKeyId).toBe(harness.get(aws.kms.Key, `${swarm}-key`).outputs.arn);
    });
});

describe("the join-token rotation function", () => {
    const secretId = "arn:aws:secretsmanager:us-east-1:123456789012:secret:pr-cybr-dev-swarm/worker-join-token-AbCdEf";
    const env = { AWS_REGION: "us-east-1", SWARM_NAME: "pr-cybr-dev-swarm" };
    function fakes(stages: Record<string, string[]>, opts: { rotationEnabled?: boolean; name?: string; online?: boolean; registered?: number } = {}) {
        const calls: string[] = [];
        const deps = {
            describeSecret: async () => ({ Name: opts.name ?? "pr-cybr-dev-swarm/worker-join-token", RotationEnabled: opts.rotationEnabled ?? true, VersionIdsToStages: stages }),
            moveCurrent: async (_id: string, to: string, from: string) => void calls.push(`move ${to} from ${from}`),
            onlineManager: async (swarm: string) => {
                calls.push(`find ${swarm}`);
                if (opts.online === false) throw new Error(`no online manager of swarm ${swarm} in SSM`);
                return "i-0123456789abcdef0";
            },
            registeredManagers: async () => opts.registered ?? 3,
            runOnManager: async (instance: string, lines: string[]) => void calls.push(`run ${instance}: ${lines.join("; ")}`),
        };
        return { deps, calls };
    }
    const event = (Step: string) => ({ SecretId: secretId, ClientRequestToken: "v-new", Step });
    const staged = { "v-old": ["AWSCURRENT"], "v-new": ["AWSPENDING"] };

    it("createSecret: a manager rotates the worker token and stores it as the pending version, once", async () => {
        const { deps, calls } = fakes(staged);
        expect(await fn.rotate(event("createSecret"), deps, env)).toBe("rotated the worker join token");
        expect(calls[0]).toBe("find pr-cybr-dev-swarm");
        expect(calls[1]).toContain(`docker swarm join-token --rotate -q worker >/dev/null; t=$(docker swarm join-token -q worker); printf '%s' "$t" >"$f"`);
        expect(calls[1]).toContain(`put-secret-value --region us-east-1 --secret-id ${secretId} --client-request-token v-new --secret-string "file://$f" --version-stages AWSPENDING`);
        // A retried step finds the pending value and stops before rotating again.
        expect(calls[1].indexOf("--version-stage AWSPENDING")).toBeLessThan(calls[1].indexOf("--rotate"));
    });

    it("testSecret before the swarm has a manager (the configuration test at create) passes; with managers offline it fails", async () => {
        const before = fakes(staged, { online: false, registered: 0 });
        expect(await fn.rotate(event("testSecret"), before.deps, env)).toBe("the swarm has no manager yet: nothing to test against");
        expect(before.calls.filter((c) => c.startsWith("run"))).toEqual([]);
        const offline = fakes(staged, { online: false, registered: 2 });
        await expect(fn.rotate(event("testSecret"), offline.deps, env)).rejects.toThrow("no online manager of swarm pr-cybr-dev-swarm in SSM");
        // createSecret never passes without a manager: it must rotate the swarm's own token.
        await expect(fn.rotate(event("createSecret"), before.deps, env)).rejects.toThrow("no online manager");
    });

    it("testSecret compares on the host; setSecret has nothing to do; finishSecret makes the new version current", async () => {
        const { deps, calls } = fakes(staged);
        await fn.rotate(event("testSecret"), deps, env);
        expect(calls[1]).toMatch(/\[ "\$\(aws secretsmanager get-secret-value .* --output json\)" = "\\"\$\(docker swarm join-token -q worker\)\\"" \]/);
        expect(await fn.rotate(event("setSecret"), deps, env)).toBe("nothing to set");
        await fn.rotate(event("finishSecret"), deps, env);
        expect(calls.at(-1)).toBe("move v-new from v-old");
    });

    it("does nothing for a version already current, and refuses unstaged versions, disabled rotation and foreign secrets", async () => {
        const current = fakes({ "v-new": ["AWSCURRENT"] });
        expect(await fn.rotate(event("createSecret"), current.deps, env)).toMatch(/already current/);
        expect(current.calls).toEqual([]);
        await expect(fn.rotate(event("createSecret"), fakes({ "v-old": ["AWSCURRENT"] }).deps, env)).rejects.toThrow("version v-new of");
        await expect(fn.rotate(event("createSecret"), fakes(staged, { rotationEnabled: false }).deps, env)).rejects.toThrow("does not have rotation enabled");
        await expect(fn.rotate(event("createSecret"), fakes(staged, { name: "pr-cybr-dev/argocd/oidc" }).deps, env)).rejects.toThrow("is not a swarm join token");
        await expect(fn.rotate(event("rotateEverything"), fakes(staged).deps, env)).rejects.toThrow('unknown rotation step "rotateEverything"');
    });

    it("refuses values that could break out of the shell command", () => {
        expect(() => fn.commandFor("createSecret", { role: "worker", secretId: "x; curl evil", token: "t", region: "us-east-1" })).toThrow('refusing to run with secretId="x; curl evil"');
    });

    // shellcheck of these commands: test/integration/tools/system-tools.test.ts.
    it("sends commands that never print the token", () => {
        for (const step of ["createSecret", "testSecret"]) {
            const lines = fn.commandFor(step, { role: "manager", secretId, token: "v-new", region: "us-east-1" });
            expect(lines.join("\n")).not.toMatch(/echo|cat "\$f"|--output text$/m);
        }
    });
});
