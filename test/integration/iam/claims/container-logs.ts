// Fluent Bit's role (components/addons/container-logs.ts): EKS Pod Identity of this cluster alone assumes
// it; it writes container logs to the environment's one group and can neither create, delete nor
// re-tain groups, nor write any other group (the flow logs', the cluster's).
import { Claim, request } from "../lib/claims";
import { podIdentityTrustClaims } from "../lib/pod-identity";
import { resourceNamed } from "../lib/plans";
import { World } from "../lib/world";

const DOC = "components/addons/container-logs.ts (ContainerLogs, fluentBitPolicy)";

export async function containerLogsClaims(world: World): Promise<Claim[]> {
    const env = world.plan.stack;
    const role = await world.role(`pr-cybr-${env}-container-logs-role`);
    const group = String(resourceNamed(world.plan, `pr-cybr-${env}-container-logs-group`).inputs.name);
    const flowLogs = String(resourceNamed(world.plan, `pr-cybr-${env}-flow-logs-group`).inputs.name);
    const clusterArn = world.arn("eks", `cluster/pr-cybr-${env}`);
    const as = { principal: world.session(role, "eks-pods"), identityPolicies: role.identityPolicies, boundary: role.boundary, resourceAccount: world.account };
    const stream = (g: string) => world.arn("logs", `log-group:${g}:log-stream:org-a.web-0.app`);
    return [
        ...podIdentityTrustClaims(world, { label: "Fluent Bit's role", role, clusterArn }),
        request(`${env}: Fluent Bit may create a stream in the container log group`, DOC, "Allowed", () => ({ ...as, action: "logs:CreateLogStream", resource: world.arn("logs", `log-group:${group}:*`) })),
        request(`${env}: Fluent Bit may write container logs to their group`, DOC, "Allowed", () => ({ ...as, action: "logs:PutLogEvents", resource: stream(group) })),
        request(`${env}: Fluent Bit cannot write the VPC flow logs' group`, DOC, "Denied", () => ({ ...as, action: "logs:PutLogEvents", resource: stream(flowLogs) })),
        request(`${env}: Fluent Bit cannot create a log group`, DOC, "Denied", () => ({ ...as, action: "logs:CreateLogGroup", resource: world.arn("logs", "log-group:/pr-cybr/anything") })),
        request(`${env}: Fluent Bit cannot delete its log group`, DOC, "Denied", () => ({ ...as, action: "logs:DeleteLogGroup", resource: world.arn("logs", `log-group:${group}`) })),
        request(`${env}: Fluent Bit cannot change its group's retention`, DOC, "Denied", () => ({ ...as, action: "logs:PutRetentionPolicy", resource: world.arn("logs", `log-group:${group}`) })),
    ];
}
