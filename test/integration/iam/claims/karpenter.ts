// Karpenter (components/addons/karpenter.ts, karpenter-iam.ts): EKS Pod Identity of this cluster alone
// assumes the controller role; it launches, tags and terminates only what carries this cluster's and a
// NodePool's tags, passes only its nodes' role and only to EC2, reads only its interruption queue, and
// uses the environment's key only through EC2 (aws/karpenter-provider-aws v1.13.1 getting-started
// cloudformation.yaml and troubleshooting.md "Node terminates before ready on failed encrypted EBS
// volume"). Only this queue's EventBridge rules may send to it, and only over TLS.
import { Claim, request } from "../lib/claims";
import { podIdentityTrustClaims } from "../lib/pod-identity";
import { resourceNamed, resourcesOfType } from "../lib/plans";
import { World } from "../lib/world";

const CFN = "aws/karpenter-provider-aws v1.13.1 website/content/en/docs/getting-started/getting-started-with-karpenter/cloudformation.yaml";
const EVENTS_DOC = "EventBridge user guide: Amazon SQS permissions (aws:SourceArn)";

export async function karpenterClaims(world: World): Promise<Claim[]> {
    const env = world.plan.stack;
    const cluster = `pr-cybr-${env}`;
    const role = await world.role(`pr-cybr-${env}-karpenter-controller-role`);
    const nodeRole = await world.role(`pr-cybr-${env}-karpenter-node-role`);
    const ebsRole = await world.role(`pr-cybr-${env}-ebs-csi-role`);
    const queue = resourceNamed(world.plan, `pr-cybr-${env}-karpenter-interruptions`);
    const queueArn = world.arn("sqs", String(queue.inputs.name));
    const queuePolicy = JSON.parse(resourceNamed(world.plan, `pr-cybr-${env}-karpenter-interruptions-policy`).inputs.policy);
    const nodeClass = resourcesOfType(world.plan, "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass")[0];
    const keyArn = String(nodeClass.inputs.spec.blockDeviceMappings[0].ebs.kmsKeyID);
    const clusterArn = world.arn("eks", `cluster/${cluster}`);
    const claims: Claim[] = [];

    claims.push(
        ...podIdentityTrustClaims(world, { label: "the Karpenter controller role", role, clusterArn }),
        request(`${env}: EC2 may assume Karpenter's node role`, CFN, "Allowed", () => ({ principal: "ec2.amazonaws.com", action: "sts:AssumeRole", resource: nodeRole.arn, resourceAccount: world.account, resourcePolicy: nodeRole.trust })),
        request(`${env}: EKS Pod Identity cannot assume Karpenter's node role`, CFN, "Denied", () => ({ principal: "pods.eks.amazonaws.com", action: "sts:AssumeRole", resource: nodeRole.arn, resourceAccount: world.account, resourcePolicy: nodeRole.trust, context: { "aws:SourceAccount": world.account, "aws:SourceArn": clusterArn } })),
    );

    const as = { principal: world.session(role, "eks-pods"), identityPolicies: role.identityPolicies, boundary: role.boundary, resourceAccount: world.account };
    const instance = world.arn("ec2", "instance/i-0a1b2c3d4e5f60718");
    const template = world.arn("ec2", "launch-template/lt-0a1b2c3d4e5f60718");
    const ours = { [`aws:RequestTag/kubernetes.io/cluster/${cluster}`]: "owned", "aws:RequestTag/eks:eks-cluster-name": cluster, "aws:RequestTag/karpenter.sh/nodepool": "arm64-on-demand" };
    const ownedPool = { [`aws:ResourceTag/kubernetes.io/cluster/${cluster}`]: "owned", "aws:ResourceTag/karpenter.sh/nodepool": "arm64-on-demand" };
    claims.push(
        request(`${env}: Karpenter may launch an instance tagged for this cluster and a NodePool`, CFN, "Allowed", () => ({ ...as, action: "ec2:RunInstances", resource: instance, context: ours })),
        request(`${env}: Karpenter cannot launch an instance tagged for another cluster`, CFN, "Denied", () => ({ ...as, action: "ec2:RunInstances", resource: instance, context: { "aws:RequestTag/kubernetes.io/cluster/other": "owned", "aws:RequestTag/eks:eks-cluster-name": "other", "aws:RequestTag/karpenter.sh/nodepool": "x" } })),
        request(`${env}: Karpenter may launch from its own launch template`, CFN, "Allowed", () => ({ ...as, action: "ec2:CreateFleet", resource: template, context: ownedPool })),
        request(`${env}: Karpenter cannot launch from a launch template that is not its own (the swarm's)`, CFN, "Denied", () => ({ ...as, action: "ec2:RunInstances", resource: template, context: { "aws:ResourceTag/component": "swarm" } })),
        request(`${env}: Karpenter may terminate a node it launched`, CFN, "Allowed", () => ({ ...as, action: "ec2:TerminateInstances", resource: instance, context: ownedPool })),
        request(`${env}: Karpenter cannot terminate a Swarm manager or a node group's instance`, CFN, "Denied", () => ({ ...as, action: "ec2:TerminateInstances", resource: instance, context: { [`aws:ResourceTag/kubernetes.io/cluster/${cluster}`]: "owned", "aws:ResourceTag/eks:nodegroup-name": "system" } })),
        request(`${env}: Karpenter may pass its nodes' role to EC2`, CFN, "Allowed", () => ({ ...as, action: "iam:PassRole", resource: nodeRole.arn, context: { "iam:PassedToService": "ec2.amazonaws.com" } })),
        request(`${env}: Karpenter cannot pass its nodes' role to another service`, CFN, "Denied", () => ({ ...as, action: "iam:PassRole", resource: nodeRole.arn, context: { "iam:PassedToService": "lambda.amazonaws.com" } })),
        request(`${env}: Karpenter cannot pass another role (the EBS CSI driver's) to EC2`, CFN, "Denied", () => ({ ...as, action: "iam:PassRole", resource: ebsRole.arn, context: { "iam:PassedToService": "ec2.amazonaws.com" } })),
        request(`${env}: Karpenter may create an instance profile tagged for this cluster and an EC2NodeClass`, CFN, "Allowed", () => ({
            ...as,
            action: "iam:CreateInstanceProfile",
            resource: world.arn("iam", "instance-profile/pr-cybr-karpenter", false),
            context: { [`aws:RequestTag/kubernetes.io/cluster/${cluster}`]: "owned", "aws:RequestTag/eks:eks-cluster-name": cluster, "aws:RequestTag/topology.kubernetes.io/region": world.region, "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "default" },
        })),
        request(`${env}: Karpenter cannot create an untagged instance profile`, CFN, "Denied", () => ({ ...as, action: "iam:CreateInstanceProfile", resource: world.arn("iam", "instance-profile/anything", false) })),
        request(`${env}: Karpenter may read its interruption queue`, CFN, "Allowed", () => ({ ...as, action: "sqs:ReceiveMessage", resource: queueArn })),
        request(`${env}: Karpenter cannot read another queue`, CFN, "Denied", () => ({ ...as, action: "sqs:ReceiveMessage", resource: world.arn("sqs", "someone-elses-queue") })),
        request(`${env}: Karpenter may describe its cluster`, CFN, "Allowed", () => ({ ...as, action: "eks:DescribeCluster", resource: clusterArn })),
        request(`${env}: Karpenter cannot describe another cluster`, CFN, "Denied", () => ({ ...as, action: "eks:DescribeCluster", resource: world.arn("eks", "cluster/someone-else") })),
        request(`${env}: Karpenter may list instance types in its region`, CFN, "Allowed", () => ({ ...as, action: "ec2:DescribeInstanceTypes", resource: "*", context: { "aws:RequestedRegion": world.region } })),
        request(`${env}: Karpenter cannot describe another region`, CFN, "Denied", () => ({ ...as, action: "ec2:DescribeInstanceTypes", resource: "*", context: { "aws:RequestedRegion": "eu-west-1" } })),
    );

    const viaEc2 = { "kms:ViaService": `ec2.${world.region}.amazonaws.com` };
    const kms = (action: string, context: Record<string, string>) => () => ({ ...as, action, resource: keyArn, resourcePolicy: world.keyPolicy(keyArn), context });
    claims.push(
        request(`${env}: Karpenter may have EC2 encrypt its nodes' volumes with the environment's key`, CFN, "Allowed", kms("kms:GenerateDataKeyWithoutPlaintext", viaEc2)),
        request(`${env}: Karpenter may create the grant EBS uses on the environment's key`, CFN, "Allowed", kms("kms:CreateGrant", { ...viaEc2, "kms:GrantIsForAWSResource": "true" })),
        request(`${env}: Karpenter cannot decrypt with the environment's key outside EC2`, CFN, "Denied", kms("kms:Decrypt", { "kms:ViaService": `secretsmanager.${world.region}.amazonaws.com` })),
    );

    const nodes = { principal: world.session(nodeRole, "i-0a1b2c3d4e5f60718"), identityPolicies: nodeRole.identityPolicies, boundary: nodeRole.boundary, resourceAccount: world.account };
    claims.push(
        request(`${env}: Karpenter's nodes cannot launch instances`, CFN, "Denied", () => ({ ...nodes, action: "ec2:RunInstances", resource: instance, context: ours })),
        request(`${env}: Karpenter's nodes cannot manage network interfaces (no CNI policy: Cilium's operator does)`, CFN, "Denied", () => ({ ...nodes, action: "ec2:CreateNetworkInterface", resource: world.arn("ec2", "network-interface/eni-0a1b2c3d4e5f60718") })),
    );

    const send = (context: Record<string, string>) => () => ({ principal: "events.amazonaws.com", action: "sqs:SendMessage", resource: queueArn, resourceAccount: world.account, resourcePolicy: queuePolicy, context: { "aws:SecureTransport": "true", ...context } });
    const firstRule = String(queuePolicy.Statement[0].Condition.ArnEquals["aws:SourceArn"][0]);
    claims.push(
        request(`${env}: Karpenter's EventBridge rules may send to its queue`, EVENTS_DOC, "Allowed", send({ "aws:SourceArn": firstRule })),
        request(`${env}: another EventBridge rule cannot send to Karpenter's queue`, EVENTS_DOC, "Denied", send({ "aws:SourceArn": world.arn("events", "rule/someone-elses-rule") })),
        request(`${env}: nothing reaches Karpenter's queue without TLS`, CFN, "Denied", send({ "aws:SourceArn": firstRule, "aws:SecureTransport": "false" })),
    );
    return claims;
}
