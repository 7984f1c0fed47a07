"use strict";
// Secrets Manager rotation function for Docker Swarm join tokens (runtime nodejs22.x, AWS SDK v3 from
// the runtime). The token never passes through this function: a manager rotates it with
// `docker swarm join-token --rotate` and writes the new value itself as the AWSPENDING version, through
// SSM Run Command and the manager's own role. Nodes already in the swarm are unaffected by a rotation.

const ROLE_OF_SECRET = /(manager|worker)-join-token$/;
const DOCUMENT = "AWS-RunShellScript";

/** The shell a manager runs for a step; settings are validated before they are interpolated. */
function commandFor(step, { role, secretId, token, region }) {
    for (const [name, value] of Object.entries({ role, secretId, token, region })) {
        if (!/^[A-Za-z0-9_./:@+=-]+$/.test(value)) throw new Error(`refusing to run with ${name}="${value}"`);
    }
    const pending = `aws secretsmanager get-secret-value --region ${region} --secret-id ${secretId} --version-id ${token} --version-stage AWSPENDING --query SecretString --output text`;
    if (step === "createSecret") {
        return [
            "set -euo pipefail",
            "umask 077",
            // A retried step must not rotate twice: the pending version already holding a value means done.
            `if ${pending} >/dev/null 2>&1; then exit 0; fi`,
            'f=$(mktemp); trap \'rm -f "$f"\' EXIT',
            // Rotate, then read the token on its own: what `--rotate` prints is not a contract. The CLI
            // ends it with a newline; the secret holds the token alone, as the bootstrap stores it.
            `docker swarm join-token --rotate -q ${role} >/dev/null`,
            `t=$(docker swarm join-token -q ${role}); printf '%s' "$t" >"$f"`,
            `aws secretsmanager put-secret-value --region ${region} --secret-id ${secretId} --client-request-token ${token} --secret-string "file://$f" --version-stages AWSPENDING >/dev/null`,
        ];
    }
    // testSecret: the pending value is exactly the swarm's current token (compared on the host, never
    // printed). As JSON, so that a stray newline, which `$(...)` would strip, fails the test.
    const pendingJson = pending.replace("--output text", "--output json");
    return ["set -euo pipefail", `[ "$(${pendingJson})" = "\\"$(docker swarm join-token -q ${role})\\"" ]`];
}

/**
 * One rotation step. `deps` hides the AWS SDK so tests can drive every branch:
 *   describeSecret(id) -> { Name, RotationEnabled, VersionIdsToStages }
 *   moveCurrent(id, toVersion, fromVersion)
 *   onlineManager(swarmName) -> instance id (an SSM-managed, online manager of the swarm); throws if none
 *   registeredManagers(swarmName) -> how many managers of the swarm SSM knows, online or not
 *   runOnManager(instanceId, lines) -> resolves when the command succeeded, rejects otherwise
 */
async function rotate(event, deps, env) {
    const { SecretId: secretId, ClientRequestToken: token, Step: step } = event;
    const meta = await deps.describeSecret(secretId);
    if (!meta.RotationEnabled) throw new Error(`secret ${secretId} does not have rotation enabled`);
    const stages = meta.VersionIdsToStages || {};
    if (!stages[token]) throw new Error(`version ${token} of ${secretId} is not staged for rotation`);
    if (stages[token].includes("AWSCURRENT")) return `already current: ${step} has nothing to do`;
    const match = ROLE_OF_SECRET.exec(meta.Name);
    if (!match) throw new Error(`secret ${meta.Name} is not a swarm join token (…/manager-join-token or …/worker-join-token)`);
    const settings = { role: match[1], secretId, token, region: env.AWS_REGION };

    switch (step) {
        case "createSecret":
            await deps.runOnManager(await deps.onlineManager(env.SWARM_NAME), commandFor(step, settings));
            return `rotated the ${settings.role} join token`;
        case "setSecret":
            // The swarm took the new token in createSecret (the rotation is the swarm's own act).
            return "nothing to set";
        case "testSecret": {
            // RotateSecret with RotateImmediately=false (how the SecretRotation is created and updated)
            // runs this step alone, on a copy of the current value, as a test of the configuration. At
            // the first `up` the swarm has no manager yet; the test then has nothing to compare, and
            // failing it would only leave a stale AWSPENDING behind. A swarm whose managers exist but
            // are offline still fails the step.
            let manager;
            try {
                manager = await deps.onlineManager(env.SWARM_NAME);
            } catch (err) {
                if ((await deps.registeredManagers(env.SWARM_NAME)) === 0) return "the swarm has no manager yet: nothing to test against";
                throw err;
            }
            await deps.runOnManager(manager, commandFor(step, settings));
            return "pending token is the swarm's token";
        }
        case "finishSecret": {
            const current = Object.keys(stages).find((v) => stages[v].includes("AWSCURRENT"));
            await deps.moveCurrent(secretId, token, current);
            return `version ${token} is current`;
        }
        default:
            throw new Error(`unknown rotation step "${step}"`);
    }
}

/** The SDK-backed dependencies (loaded lazily: the Lambda runtime provides AWS SDK v3). */
function awsDeps(region) {
    const sm = require("@aws-sdk/client-secrets-manager");
    const ssm = require("@aws-sdk/client-ssm");
    const secrets = new sm.SecretsManagerClient({ region });
    const commands = new ssm.SSMClient({ region });
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    return {
        describeSecret: (id) => secrets.send(new sm.DescribeSecretCommand({ SecretId: id })),
        moveCurrent: (id, to, from) => secrets.send(new sm.UpdateSecretVersionStageCommand({ SecretId: id, VersionStage: "AWSCURRENT", MoveToVersionId: to, RemoveFromVersionId: from })),
        onlineManager: async (swarm) => {
            const out = await commands.send(new ssm.DescribeInstanceInformationCommand({ Filters: [{ Key: "tag:pr-cybr.io:swarm", Values: [swarm] }, { Key: "PingStatus", Values: ["Online"] }] }));
            const id = (out.InstanceInformationList || [])[0]?.InstanceId;
            if (!id) throw new Error(`no online manager of swarm ${swarm} in SSM`);
            return id;
        },
        registeredManagers: async (swarm) => {
            const out = await commands.send(new ssm.DescribeInstanceInformationCommand({ Filters: [{ Key: "tag:pr-cybr.io:swarm", Values: [swarm] }] }));
            return (out.InstanceInformationList || []).length;
        },
        runOnManager: async (instanceId, lines) => {
            const sent = await commands.send(new ssm.SendCommandCommand({ InstanceIds: [instanceId], DocumentName: DOCUMENT, Parameters: { commands: lines }, TimeoutSeconds: 60 }));
            const commandId = sent.Command.CommandId;
            for (let i = 0; i < 30; i++) {
                await sleep(2000);
                const r = await commands.send(new ssm.GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId })).catch(() => undefined);
                if (!r || ["Pending", "InProgress", "Delayed"].includes(r.Status)) continue;
                if (r.Status === "Success") return;
                throw new Error(`command ${commandId} on ${instanceId} ended ${r.Status} (exit ${r.ResponseCode})`);
            }
            throw new Error(`command ${commandId} on ${instanceId} did not finish in 60 s`);
        },
    };
}

exports.rotate = rotate;
exports.commandFor = commandFor;
exports.handler = async (event) => {
    const message = await rotate(event, awsDeps(process.env.AWS_REGION), process.env);
    console.log(JSON.stringify({ secretId: event.SecretId, step: event.Step, message }));
};
