// The join-token rotation function moves the tokens' stages and commands this swarm's managers; it never
// reads a token and has no use of the swarm's key (docs/architecture.md "Secrets decisions",
// docs/runbooks/secret-rotation.md, README "secrets" row).
import { Claim, request } from "../lib/claims";
import { World } from "../lib/world";

const DOC = "docs/architecture.md#secrets-decisions";

export async function rotationClaims(world: World): Promise<Claim[]> {
    const env = world.plan.stack;
    const swarm = `pr-cybr-${env}-swarm`;
    const role = await world.role(`pr-cybr-${env}-swarm-token-rotation-role`);
    const base = { principal: world.session(role, `${swarm}-token-rotation-function`), identityPolicies: role.identityPolicies, boundary: role.boundary, resourceAccount: world.account };
    const tokens = ["manager-join-token", "worker-join-token"].map((t) => world.secret(`${swarm}/${t}`));
    const claims: Claim[] = [];
    for (const token of tokens) {
        const name = token.resource.inputs.name;
        const on = (action: string) => () => ({ ...base, action, resource: token.arn });
        claims.push(request(`${env}: the rotation function cannot read ${name}`, DOC, "Denied", on("secretsmanager:GetSecretValue")));
        claims.push(request(`${env}: the rotation function cannot write ${name} itself (the manager does)`, DOC, "Denied", on("secretsmanager:PutSecretValue")));
        claims.push(request(`${env}: the rotation function describes ${name}`, DOC, "Allowed", on("secretsmanager:DescribeSecret")));
        claims.push(request(`${env}: the rotation function moves the stages of ${name}`, DOC, "Allowed", on("secretsmanager:UpdateSecretVersionStage")));
    }
    const keyArn = tokens[0].kmsKeyArn;
    const decrypt = (via?: string) => () => ({ ...base, action: "kms:Decrypt", resource: keyArn, resourcePolicy: world.keyPolicy(keyArn), context: { "kms:CallerAccount": world.account, ...(via ? { "kms:ViaService": via } : {}) } });
    claims.push(request(`${env}: the rotation function cannot decrypt with the swarm key through Secrets Manager`, DOC, "Denied", decrypt(`secretsmanager.${world.region}.amazonaws.com`)));
    claims.push(request(`${env}: the rotation function cannot decrypt with the swarm key directly`, DOC, "Denied", decrypt()));
    const instance = world.arn("ec2", "instance/i-0a1b2c3d4e5f60718");
    const send = (tag: string) => () => ({ ...base, action: "ssm:SendCommand", resource: instance, context: { "ssm:resourceTag/pr-cybr.io:swarm": tag } });
    claims.push(request(`${env}: the rotation function sends commands to a manager of ${swarm}`, DOC, "Allowed", send(swarm)));
    claims.push(request(`${env}: the rotation function cannot send commands to an instance of another swarm`, DOC, "Denied", send("pr-cybr-other-swarm")));
    // Not claimed: SendCommand on the AWS-owned document. Its ARN has no account
    // (arn:aws:ssm:<region>::document/AWS-RunShellScript) and iam-data's document ARN format requires
    // one, so iam-simulate rejects that resource ("no.resource.types").
    return claims;
}
