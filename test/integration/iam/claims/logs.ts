// CloudWatch Logs may use each customer-managed key only for the log groups it encrypts, and the
// flow-log writer role trusts only VPC Flow Logs acting for this account (docs/architecture.md
// "Network decisions": the key policy "can scope CloudWatch Logs to exactly that group").
import { Claim, request } from "../lib/claims";
import { resourceNamed, resourcesOfType } from "../lib/plans";
import { World } from "../lib/world";

const DOC = "docs/architecture.md#network-decisions";

export async function logsClaims(world: World): Promise<Claim[]> {
    const env = world.plan.stack;
    const logs = `logs.${world.region}.amazonaws.com`;
    // CloudWatch Logs encrypts with the log group's ARN as encryption context (aws:logs:arn).
    const use = (keyArn: string, action: string, group: string) => () => ({
        principal: logs,
        action,
        resource: keyArn,
        resourceAccount: world.account,
        resourcePolicy: world.keyPolicy(keyArn),
        context: { "kms:EncryptionContext:aws:logs:arn": world.arn("logs", `log-group:${group}`) },
    });
    const claims: Claim[] = [];
    for (const group of resourcesOfType(world.plan, "aws:cloudwatch/logGroup:LogGroup").filter((g) => g.inputs.kmsKeyId)) {
        const keyArn = String(group.inputs.kmsKeyId);
        for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
            claims.push(request(`${env}: CloudWatch Logs may ${action} for ${group.inputs.name}`, DOC, "Allowed", use(keyArn, action, group.inputs.name)));
        }
        claims.push(request(`${env}: CloudWatch Logs cannot use ${group.inputs.name}'s key for another group`, DOC, "Denied", use(keyArn, "kms:Decrypt", "/aws/lambda/someone-else")));
    }
    const writer = await world.role(`pr-cybr-${env}-flow-logs-role`);
    const assume = (account: string) => () => ({ principal: "vpc-flow-logs.amazonaws.com", action: "sts:AssumeRole", resource: writer.arn, resourceAccount: world.account, resourcePolicy: writer.trust, context: { "aws:SourceAccount": account } });
    claims.push(request(`${env}: VPC Flow Logs for this account assumes the flow-log writer role`, DOC, "Allowed", assume(world.account)));
    claims.push(request(`${env}: VPC Flow Logs for another account cannot assume it`, DOC, "Denied", assume("210987654321")));
    const group = String(resourceNamed(world.plan, `pr-cybr-${env}-flow-logs-group`).inputs.name);
    claims.push(request(`${env}: the flow-log writer writes its group`, DOC, "Allowed", () => ({ principal: world.session(writer, "flow-logs"), identityPolicies: writer.identityPolicies, action: "logs:PutLogEvents", resource: world.arn("logs", `log-group:${group}:log-stream:eni-0a1b2c3d4e5f60718-all`), resourceAccount: world.account })));
    return claims;
}
