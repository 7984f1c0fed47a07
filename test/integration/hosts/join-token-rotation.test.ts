// Suite: the join-token rotation function (issue 13 item 5), `rotation-lambda`. The plan's function
// runs as the Lambda runtime would run it, against moto's Secrets Manager, configured as the plan's
// SecretRotation resources configure it; the commands it sends through Run Command run on a real
// manager host (hosts/lib/ssm-agent.ts). Moto starts no rotation function itself (hosts/lib/
// moto_rotation.py), so the suite invokes the steps Secrets Manager would, in its order.
import { randomUUID } from "crypto";
import * as fs from "fs";
import { engine, integrationEnv } from "../lib/env";
import { recordEngines, scenario } from "../lib/summary";
import { aws } from "./lib/aws";
import { SimHost } from "./lib/host";
import { lambdaFunction } from "./lib/lambda";
import { loadPlan, one, resources } from "./lib/plan";
import { SsmAgent } from "./lib/ssm-agent";
import { expectSuccess, JOIN_WAIT_SECONDS, SwarmFixture } from "./lib/swarm";

const swarm = new SwarmFixture(loadPlan("prod"));
const plan = swarm.plan;
const fn = lambdaFunction(one(plan, "aws:lambda/function:Function", "token-rotation-function"));
const agents: SsmAgent[] = [];

beforeAll(() => {
    const v = integrationEnv().versions;
    recordEngines({ docker: v.docker, awscli: v.awscli, moto: v.moto, "aws-sdk-js-v3": v["aws-sdk-js-v3"] });
});
afterAll(() => {
    agents.forEach((a) => a.stop());
    if (!process.env.PR_CYBR_KEEP_HOSTS) swarm.destroyAll();
});

const stages = (secret: string): Record<string, string[]> => aws(["secretsmanager", "describe-secret", "--secret-id", secret]).VersionIdsToStages ?? {};
const valueAt = (secret: string, args: string[]) => aws(["secretsmanager", "get-secret-value", "--secret-id", secret, ...args], { allowFailure: true })?.SecretString as string | undefined;
const rotationsLogged = (): { secretId: string; token: string; steps: string[] }[] =>
    fs.readFileSync((engine("moto") as any).rotationLog, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));

/** RotateSecret as the service starts it, then each step it invokes, in order, through the function. */
async function rotate(secretArn: string, args: string[], onStep?: (step: string, token: string) => Promise<void>) {
    const before = rotationsLogged().length;
    aws(["secretsmanager", "rotate-secret", "--secret-id", secretArn, ...args]);
    const started = rotationsLogged().slice(before);
    expect(started).toHaveLength(1);
    const { token, steps } = started[0];
    const results: Record<string, Awaited<ReturnType<typeof fn.invoke>>> = {};
    for (const step of steps) {
        results[step] = await fn.invoke({ Step: step, SecretId: secretArn, ClientRequestToken: token });
        if (!results[step].ok) {
            const last = agents.flatMap((a) => a.executed).slice(-1)[0];
            throw new Error(`${step} failed: ${results[step].error}${last ? `\nlast command on the manager exited ${last.code}:\n${last.output}` : ""}`);
        }
        await onStep?.(step, token);
    }
    return { token, steps, results };
}

scenario("rotation-lambda", "the rotation function rotates both join tokens through a real manager: Secrets Manager's token is the one the swarm accepts", async () => {
    await swarm.reset();
    const first = swarm.launch(0);
    expectSuccess(first, await swarm.bootstrap(first));
    const agent = new SsmAgent(first);
    agents.push(agent);
    agent.start();

    // The plan's SecretRotation resources as the provider creates them: RotateSecret with the function,
    // the rules and RotateImmediately=false, whose only step is testSecret on a copy of the value.
    const tokens = Object.fromEntries(
        resources(plan, "aws:secretsmanager/secretRotation:SecretRotation", "token-rotation").map((r) => {
            const name = /:secret:(.+)-[^-]+$/.exec(r.inputs.secretId)![1];
            return [name.endsWith("manager-join-token") ? "manager" : "worker", { name, arn: aws(["secretsmanager", "describe-secret", "--secret-id", name]).ARN as string, rotation: r.inputs }];
        }),
    ) as Record<"manager" | "worker", { name: string; arn: string; rotation: any }>;
    expect(Object.keys(tokens).sort()).toEqual(["manager", "worker"]);
    const swarmToken = (role: string) => first.docker(["swarm", "join-token", "-q", role]);
    const oldTokens = { manager: swarmToken("manager"), worker: swarmToken("worker") };

    for (const [role, t] of Object.entries(tokens)) {
        expect(t.rotation.rotateImmediately).toBe(false);
        const configured = await rotate(t.arn, ["--rotation-lambda-arn", t.rotation.rotationLambdaArn, "--rotation-rules", `AutomaticallyAfterDays=${t.rotation.rotationRules.automaticallyAfterDays}`, "--no-rotate-immediately"]);
        expect(configured.steps).toEqual(["testSecret"]);
        // The configuration test rotated nothing.
        expect(swarmToken(role)).toBe(oldTokens[role as "manager"]);
        // The service removes the test's pending version again.
        aws(["secretsmanager", "update-secret-version-stage", "--secret-id", t.arn, "--version-stage", "AWSPENDING", "--remove-from-version-id", configured.token]);
    }

    // A scheduled (or immediate) rotation of each token: new empty version, all four steps.
    for (const [role, t] of Object.entries(tokens) as ["manager" | "worker", (typeof tokens)["manager"]][]) {
        let rotatedTo = "";
        const run = await rotate(t.arn, ["--client-request-token", randomUUID()], async (step, token) => {
            if (step !== "createSecret") return;
            rotatedTo = swarmToken(role);
            expect(rotatedTo).not.toBe(oldTokens[role]);
            expect(valueAt(t.arn, ["--version-id", token, "--version-stage", "AWSPENDING"])).toBe(rotatedTo);
            // Secrets Manager retries a step that timed out: a second createSecret must not rotate again.
            const retry = await fn.invoke({ Step: "createSecret", SecretId: t.arn, ClientRequestToken: token });
            expect(retry.ok).toBe(true);
            expect(swarmToken(role)).toBe(rotatedTo);
        });
        expect(run.steps).toEqual(["createSecret", "setSecret", "testSecret", "finishSecret"]);
        expect(stages(t.arn)[run.token]).toContain("AWSCURRENT");
        expect(valueAt(t.arn, [])).toBe(swarmToken(role));
        // After finishSecret every step of this version has nothing left to do.
        const again = await fn.invoke({ Step: "createSecret", SecretId: t.arn, ClientRequestToken: run.token });
        expect(again.ok).toBe(true);
        expect(swarmToken(role)).toBe(rotatedTo);
    }
    // The function's commands ran on the manager through Run Command: two per rotation (create, test),
    // one per configuration test, one per createSecret retry, every one successful.
    expect(agent.executed.map((c) => c.code)).toEqual(new Array(8).fill(0));

    // The swarm refuses the old manager token and takes the one in Secrets Manager: a new manager joins with it.
    const second: SimHost = swarm.launch(1);
    expect((await second.run(["systemctl", "start", "docker"])).code).toBe(0);
    const refused = await second.run(["docker", "swarm", "join", "--token", oldTokens.manager, `${first.id.ip}:2377`], { timeoutMs: 60000 });
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(/join token/i);
    expect((await second.run(["systemctl", "stop", "docker"])).code).toBe(0);
    const joined = await second.runUnit(swarm.files, "swarm-bootstrap.service", { JOIN_WAIT_SECONDS });
    expectSuccess(second, joined);
    expect(second.docker(["info", "--format", "{{.Swarm.ControlAvailable}}"])).toBe("true");
}, 600000);

scenario("rotation-lambda-first-up", "the configuration test at the first up, before any manager, passes and rotates nothing; with managers known but offline a rotation fails clearly", async () => {
    await swarm.reset();
    const rotation = one(plan, "aws:secretsmanager/secretRotation:SecretRotation", "token-rotation-worker").inputs;
    const name = /:secret:(.+)-[^-]+$/.exec(rotation.secretId)![1];
    const arn = aws(["secretsmanager", "describe-secret", "--secret-id", name]).ARN;
    // The SecretRotation as the provider creates it, before the managers' instances have booted.
    aws(["secretsmanager", "rotate-secret", "--secret-id", arn, "--rotation-lambda-arn", rotation.rotationLambdaArn, "--rotation-rules", `AutomaticallyAfterDays=${rotation.rotationRules.automaticallyAfterDays}`, "--no-rotate-immediately"]);
    const configTest = rotationsLogged().slice(-1)[0];
    expect(configTest.steps).toEqual(["testSecret"]);
    const first = await fn.invoke({ Step: "testSecret", SecretId: arn, ClientRequestToken: configTest.token });
    expect(first.error).toBe("");
    expect(first.ok).toBe(true);
    aws(["secretsmanager", "update-secret-version-stage", "--secret-id", arn, "--version-stage", "AWSPENDING", "--remove-from-version-id", configTest.token]);

    // Later the managers exist but no agent answers (say, all hosts are down): a rotation must fail, not pretend.
    const host = swarm.launch(0);
    const agent = new SsmAgent(host);
    agents.push(agent);
    agent.start();
    agent.stop();
    aws(["secretsmanager", "rotate-secret", "--secret-id", arn, "--client-request-token", randomUUID()]);
    const rotation2 = rotationsLogged().slice(-1)[0];
    const created = await fn.invoke({ Step: "createSecret", SecretId: arn, ClientRequestToken: rotation2.token });
    expect(created.ok).toBe(false);
    expect(created.error).toMatch(/no online manager of swarm/);
    const tested = await fn.invoke({ Step: "testSecret", SecretId: arn, ClientRequestToken: rotation2.token });
    expect(tested.ok).toBe(false);
    expect(tested.error).toMatch(/no online manager of swarm/);
}, 180000);
