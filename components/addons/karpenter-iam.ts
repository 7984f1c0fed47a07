import * as pulumi from "@pulumi/pulumi";

/**
 * Karpenter's controller permissions at the pinned version, statement by statement from its getting
 * started CloudFormation (aws/karpenter-provider-aws tag v1.13.1, commit
 * 245b48b04cc7ce108bb23fafa135230e81ed39e8, website/content/en/docs/getting-started/
 * getting-started-with-karpenter/cloudformation.yaml: NodeLifecyclePolicy, IAMIntegrationPolicy,
 * EKSIntegrationPolicy, InterruptionPolicy, ResourceDiscoveryPolicy), one inline document. Left out:
 * ZonalShiftPolicy (`settings.enableZonalShift` is off) and the `*.amazonaws.com.cn` PassRole service.
 * Every write is scoped to resources tagged for this cluster and a NodePool / EC2NodeClass.
 */
export function karpenterControllerPolicy(args: {
    partition: pulumi.Input<string>;
    region: pulumi.Input<string>;
    account: pulumi.Input<string>;
    clusterName: pulumi.Input<string>;
    nodeRoleArn: pulumi.Input<string>;
    queueArn: pulumi.Input<string>;
}): pulumi.Output<string> {
    return pulumi.all([args.partition, args.region, args.account, args.clusterName, args.nodeRoleArn, args.queueArn]).apply(([p, region, account, cluster, nodeRoleArn, queueArn]) => {
        const ec2 = (type: string, withAccount = true) => `arn:${p}:ec2:${region}:${withAccount ? "*" : ""}:${type}/*`;
        const owned = { [`aws:ResourceTag/kubernetes.io/cluster/${cluster}`]: "owned" };
        const requestOwned = { [`aws:RequestTag/kubernetes.io/cluster/${cluster}`]: "owned", "aws:RequestTag/eks:eks-cluster-name": cluster };
        const launched = ["fleet", "instance", "volume", "network-interface", "launch-template", "spot-instances-request"].map((t) => ec2(t));
        const profiles = `arn:${p}:iam::${account}:instance-profile/*`;
        return JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "AllowScopedEC2InstanceAccessActions",
                    Effect: "Allow",
                    Resource: [ec2("image", false), ec2("snapshot", false), ec2("security-group"), ec2("subnet"), ec2("capacity-reservation"), ec2("placement-group")],
                    Action: ["ec2:RunInstances", "ec2:CreateFleet"],
                },
                {
                    Sid: "AllowScopedEC2LaunchTemplateAccessActions",
                    Effect: "Allow",
                    Resource: ec2("launch-template"),
                    Action: ["ec2:RunInstances", "ec2:CreateFleet"],
                    Condition: { StringEquals: owned, StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" } },
                },
                {
                    Sid: "AllowScopedEC2InstanceActionsWithTags",
                    Effect: "Allow",
                    Resource: launched,
                    Action: ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
                    Condition: { StringEquals: requestOwned, StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" } },
                },
                {
                    Sid: "AllowScopedResourceCreationTagging",
                    Effect: "Allow",
                    Resource: launched,
                    Action: "ec2:CreateTags",
                    Condition: { StringEquals: { ...requestOwned, "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"] }, StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" } },
                },
                {
                    Sid: "AllowScopedResourceTagging",
                    Effect: "Allow",
                    Resource: ec2("instance"),
                    Action: "ec2:CreateTags",
                    Condition: {
                        StringEquals: owned,
                        StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
                        StringEqualsIfExists: { "aws:RequestTag/eks:eks-cluster-name": cluster },
                        "ForAllValues:StringEquals": { "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"] },
                    },
                },
                {
                    Sid: "AllowScopedDeletion",
                    Effect: "Allow",
                    Resource: [ec2("instance"), ec2("launch-template")],
                    Action: ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
                    Condition: { StringEquals: owned, StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" } },
                },
                { Sid: "AllowPassingInstanceRole", Effect: "Allow", Resource: nodeRoleArn, Action: "iam:PassRole", Condition: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } } },
                {
                    Sid: "AllowScopedInstanceProfileCreationActions",
                    Effect: "Allow",
                    Resource: profiles,
                    Action: "iam:CreateInstanceProfile",
                    Condition: {
                        StringEquals: { ...requestOwned, "aws:RequestTag/topology.kubernetes.io/region": region },
                        StringLike: { "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*" },
                    },
                },
                {
                    Sid: "AllowScopedInstanceProfileTagActions",
                    Effect: "Allow",
                    Resource: profiles,
                    Action: "iam:TagInstanceProfile",
                    Condition: {
                        StringEquals: { ...owned, "aws:ResourceTag/topology.kubernetes.io/region": region, ...requestOwned, "aws:RequestTag/topology.kubernetes.io/region": region },
                        StringLike: { "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*", "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*" },
                    },
                },
                {
                    Sid: "AllowScopedInstanceProfileActions",
                    Effect: "Allow",
                    Resource: profiles,
                    Action: ["iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile"],
                    Condition: { StringEquals: { ...owned, "aws:ResourceTag/topology.kubernetes.io/region": region }, StringLike: { "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*" } },
                },
                { Sid: "AllowAPIServerEndpointDiscovery", Effect: "Allow", Resource: `arn:${p}:eks:${region}:${account}:cluster/${cluster}`, Action: "eks:DescribeCluster" },
                { Sid: "AllowInterruptionQueueActions", Effect: "Allow", Resource: queueArn, Action: ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"] },
                {
                    Sid: "AllowRegionalReadActions",
                    Effect: "Allow",
                    Resource: "*",
                    Action: [
                        "ec2:DescribeCapacityReservations",
                        "ec2:DescribeImages",
                        "ec2:DescribeInstances",
                        "ec2:DescribeInstanceStatus",
                        "ec2:DescribeInstanceTypeOfferings",
                        "ec2:DescribeInstanceTypes",
                        "ec2:DescribeLaunchTemplates",
                        "ec2:DescribePlacementGroups",
                        "ec2:DescribeSecurityGroups",
                        "ec2:DescribeSpotPriceHistory",
                        "ec2:DescribeSubnets",
                    ],
                    Condition: { StringEquals: { "aws:RequestedRegion": region } },
                },
                { Sid: "AllowSSMReadActions", Effect: "Allow", Resource: `arn:${p}:ssm:${region}::parameter/aws/service/*`, Action: "ssm:GetParameter" },
                { Sid: "AllowPricingReadActions", Effect: "Allow", Resource: "*", Action: "pricing:GetProducts" },
                { Sid: "AllowUnscopedInstanceProfileListAction", Effect: "Allow", Resource: "*", Action: "iam:ListInstanceProfiles" },
                { Sid: "AllowInstanceProfileReadActions", Effect: "Allow", Resource: profiles, Action: "iam:GetInstanceProfile" },
            ],
        });
    });
}

/**
 * EC2 and AWS Health events Karpenter drains nodes ahead of (the same CloudFormation's rules: spot
 * interruption, rebalance recommendation, instance state change, scheduled change, capacity reservation
 * interruption), keyed by the role name each rule gets.
 */
export const INTERRUPTION_EVENTS: Record<string, { source: string; detailType: string }> = {
    "scheduled-change": { source: "aws.health", detailType: "AWS Health Event" },
    "spot-interruption": { source: "aws.ec2", detailType: "EC2 Spot Instance Interruption Warning" },
    rebalance: { source: "aws.ec2", detailType: "EC2 Instance Rebalance Recommendation" },
    "state-change": { source: "aws.ec2", detailType: "EC2 Instance State-change Notification" },
    "reservation-interruption": { source: "aws.ec2", detailType: "EC2 Capacity Reservation Instance Interruption Warning" },
};

/**
 * The interruption queue's policy: EventBridge may send only for this queue's rules (`aws:SourceArn`,
 * the confused-deputy guard of the EventBridge user guide, "Permissions for Amazon SQS"), and nothing
 * reaches it without TLS. The CloudFormation also lets `sqs.amazonaws.com` send, which nothing here
 * needs; left out.
 */
export function interruptionQueuePolicy(queueArn: pulumi.Input<string>, ruleArns: pulumi.Input<string>[]): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Id: "EC2InterruptionPolicy",
        Statement: [
            { Sid: "EventBridgeRulesOfThisQueue", Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sqs:SendMessage", Resource: queueArn, Condition: { ArnEquals: { "aws:SourceArn": ruleArns } } },
            { Sid: "DenyHTTP", Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: queueArn, Condition: { Bool: { "aws:SecureTransport": "false" } } },
        ],
    });
}
