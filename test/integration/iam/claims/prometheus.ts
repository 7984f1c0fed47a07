// Prometheus' role (components/gitops/prometheus-identity.ts): EKS Pod Identity of this cluster alone
// assumes it, for Prometheus' service account only; it may list instances (EC2 discovery of the Swarm managers) and nothing else: no other
// describe call, no change to an instance, no command to one.
import { Claim, request } from "../lib/claims";
import { podIdentityTrustClaims } from "../lib/pod-identity";
import { World } from "../lib/world";

const DOC = "components/gitops/prometheus-identity.ts (PrometheusIdentity)";
const EC2_SD_DOC = "https://prometheus.io/docs/prometheus/latest/configuration/configuration/#ec2_sd_config";

export async function prometheusClaims(world: World): Promise<Claim[]> {
    const env = world.plan.stack;
    const role = await world.role(`pr-cybr-${env}-prometheus-identity-role`);
    const clusterArn = world.arn("eks", `cluster/pr-cybr-${env}`);
    const as = { principal: world.session(role, "eks-pods"), identityPolicies: role.identityPolicies, boundary: role.boundary, resourceAccount: world.account };
    const manager = world.arn("ec2", "instance/i-0123456789abcdef0");
    return [
        ...podIdentityTrustClaims(world, { label: "Prometheus' role", role, clusterArn }),
        request(`${env}: Prometheus may list instances (EC2 discovery of the Swarm managers)`, EC2_SD_DOC, "Allowed", () => ({ ...as, action: "ec2:DescribeInstances", resource: "*" })),
        request(`${env}: Prometheus cannot stop a manager`, DOC, "Denied", () => ({ ...as, action: "ec2:StopInstances", resource: manager })),
        request(`${env}: Prometheus cannot read a manager's console output`, DOC, "Denied", () => ({ ...as, action: "ec2:GetConsoleOutput", resource: manager })),
        request(`${env}: Prometheus cannot send a command to a manager`, DOC, "Denied", () => ({ ...as, action: "ssm:SendCommand", resource: manager })),
        request(`${env}: Prometheus cannot read the Swarm's secrets`, DOC, "Denied", () => ({ ...as, action: "secretsmanager:GetSecretValue", resource: world.arn("secretsmanager", `secret:pr-cybr-${env}-swarm/manager-join-token-AbCdEf`) })),
    ];
}
