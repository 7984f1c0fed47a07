// The AWS Load Balancer Controller's role (components/addons/aws-load-balancer-controller.ts): EKS Pod
// Identity of this cluster alone assumes it; its policy is the controller's own published one
// (docs/install/iam_policy.json at v3.5.0), whose writes reach only what carries the
// `elbv2.k8s.aws/cluster` tag the controller puts on what it creates. What it cannot do is as much the
// claim as what it can: delete or take over a load balancer or security group it did not create.
import { Claim, request } from "../lib/claims";
import { podIdentityTrustClaims } from "../lib/pod-identity";
import { resourcesOfType } from "../lib/plans";
import { World } from "../lib/world";

const POLICY_DOC = "kubernetes-sigs/aws-load-balancer-controller v3.5.0 docs/install/iam_policy.json";
const CLUSTER_TAG = "elbv2.k8s.aws/cluster";

export async function loadBalancerControllerClaims(world: World): Promise<Claim[]> {
    const env = world.plan.stack;
    const role = await world.role(`pr-cybr-${env}-lbc-role`);
    const association = resourcesOfType(world.plan, "aws:eks/podIdentityAssociation:PodIdentityAssociation").find((a) => a.inputs.serviceAccount === "aws-load-balancer-controller");
    if (!association) throw new Error(`${env}: no Pod Identity association for aws-load-balancer-controller in the plan`);
    const clusterArn = world.arn("eks", `cluster/${association.inputs.clusterName}`);
    const claims: Claim[] = [];

    claims.push(...podIdentityTrustClaims(world, { label: "the load balancer controller role", role, clusterArn }));

    const as = { principal: world.session(role, "eks-pods"), identityPolicies: role.identityPolicies, boundary: role.boundary, resourceAccount: world.account };
    const lb = world.arn("elasticloadbalancing", "loadbalancer/net/k8s-orga-web-0a1b2c3d4e/0a1b2c3d4e5f6071");
    const swarmLb = world.arn("elasticloadbalancing", "loadbalancer/net/pr-cybr-swarm-api/0f1e2d3c4b5a6978");
    const tg = world.arn("elasticloadbalancing", "targetgroup/k8s-orga-web-0a1b2c3d4e/0a1b2c3d4e5f6071");
    const sg = world.arn("ec2", "security-group/sg-0a1b2c3d4e5f60718");
    const validation = resourcesOfType(world.plan, "aws:acm/certificateValidation:CertificateValidation")[0];
    if (!validation) throw new Error(`${env}: no Grafana certificate validation in the plan`);
    const grafanaCertificate = String(validation.inputs.certificateArn);
    const tagged = { [`aws:ResourceTag/${CLUSTER_TAG}`]: "pr-cybr" };
    const tagging = { [`aws:RequestTag/${CLUSTER_TAG}`]: "pr-cybr", "aws:TagKeys": CLUSTER_TAG };
    const act = (action: string, resource: string, context: Record<string, string> = {}) => () => ({ ...as, action, resource, context });
    claims.push(
        request(`${env}: the controller may create a load balancer tagged for its cluster`, POLICY_DOC, "Allowed", act("elasticloadbalancing:CreateLoadBalancer", lb, tagging)),
        request(`${env}: the controller cannot create an untagged load balancer`, POLICY_DOC, "Denied", act("elasticloadbalancing:CreateLoadBalancer", lb)),
        request(`${env}: the controller may create a target group tagged for its cluster`, POLICY_DOC, "Allowed", act("elasticloadbalancing:CreateTargetGroup", tg, tagging)),
        request(`${env}: the controller may register pod IP targets in a target group`, POLICY_DOC, "Allowed", act("elasticloadbalancing:RegisterTargets", tg)),
        request(`${env}: the controller may delete a load balancer it created`, POLICY_DOC, "Allowed", act("elasticloadbalancing:DeleteLoadBalancer", lb, tagged)),
        request(`${env}: the controller cannot delete a load balancer it did not create (the swarm's NLB)`, POLICY_DOC, "Denied", act("elasticloadbalancing:DeleteLoadBalancer", swarmLb)),
        request(`${env}: the controller cannot take over the swarm's NLB by tagging it for its cluster`, POLICY_DOC, "Denied", act("elasticloadbalancing:AddTags", swarmLb, tagging)),
        request(`${env}: the controller cannot change the swarm NLB's attributes`, POLICY_DOC, "Denied", act("elasticloadbalancing:ModifyLoadBalancerAttributes", swarmLb)),
        request(`${env}: the controller may create a security group`, POLICY_DOC, "Allowed", act("ec2:CreateSecurityGroup", sg)),
        request(`${env}: the controller may tag a security group as it creates it`, POLICY_DOC, "Allowed", act("ec2:CreateTags", sg, { ...tagging, "ec2:CreateAction": "CreateSecurityGroup" })),
        request(`${env}: the controller may delete a security group it created`, POLICY_DOC, "Allowed", act("ec2:DeleteSecurityGroup", sg, tagged)),
        request(`${env}: the controller cannot delete a security group it did not create (the cluster's)`, POLICY_DOC, "Denied", act("ec2:DeleteSecurityGroup", sg)),
        request(`${env}: the controller cannot tag an existing security group for its cluster (then delete it)`, POLICY_DOC, "Denied", act("ec2:CreateTags", sg, tagging)),
        // Upstream grants ingress rules on every security group (statement 4): the controller opens the
        // node/pod security groups to its load balancers. Recorded so a tightening is a visible change.
        request(`${env}: the controller may add an ingress rule to any security group (upstream policy: the nodes' group for its targets)`, POLICY_DOC, "Allowed", act("ec2:AuthorizeSecurityGroupIngress", sg)),
        request(`${env}: the controller may create the ELB service-linked role`, POLICY_DOC, "Allowed", act("iam:CreateServiceLinkedRole", world.arn("iam", "role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing", false), { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" })),
        request(`${env}: the controller cannot create another service's linked role`, POLICY_DOC, "Denied", act("iam:CreateServiceLinkedRole", world.arn("iam", "role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling", false), { "iam:AWSServiceName": "autoscaling.amazonaws.com" })),
        // Grafana's TLS listener (components/gitops/grafana-endpoint.ts): the controller reads the certificate
        // the Service names and creates the listener with it; the certificate itself stays out of its reach.
        request(`${env}: the controller may read Grafana's ACM certificate (to put it on the NLB's TLS listener)`, POLICY_DOC, "Allowed", act("acm:DescribeCertificate", grafanaCertificate)),
        request(`${env}: the controller may create a TLS listener on its load balancer`, POLICY_DOC, "Allowed", act("elasticloadbalancing:CreateListener", lb)),
        request(`${env}: the controller cannot delete Grafana's ACM certificate`, POLICY_DOC, "Denied", act("acm:DeleteCertificate", grafanaCertificate)),
        request(`${env}: the controller cannot export Grafana's ACM certificate`, POLICY_DOC, "Denied", act("acm:ExportCertificate", grafanaCertificate)),
        request(`${env}: the controller cannot terminate an instance`, POLICY_DOC, "Denied", act("ec2:TerminateInstances", world.arn("ec2", "instance/i-0a1b2c3d4e5f60718"))),
        request(`${env}: the controller cannot read a secret`, POLICY_DOC, "Denied", act("secretsmanager:GetSecretValue", world.arn("secretsmanager", "secret:pr-cybr/x-AbCdEf"))),
    );
    return claims;
}
