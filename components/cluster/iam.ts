import * as pulumi from "@pulumi/pulumi";

export { serviceTrustPolicy } from "../shared/iam";
export { principalSlug } from "../shared/names";

/**
 * IRSA trust: only the named service account of the named namespace, through this cluster's OIDC
 * provider, with the STS audience.
 */
export function irsaTrustPolicy(args: {
    oidcProviderArn: pulumi.Input<string>;
    issuerHostPath: pulumi.Input<string>;
    namespace: string;
    serviceAccount: string;
}): pulumi.Output<string> {
    return pulumi.output(args.issuerHostPath).apply((host) =>
        pulumi.jsonStringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Federated: args.oidcProviderArn },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: {
                        StringEquals: {
                            [`${host}:sub`]: `system:serviceaccount:${args.namespace}:${args.serviceAccount}`,
                            [`${host}:aud`]: "sts.amazonaws.com",
                        },
                    },
                },
            ],
        }),
    );
}

/**
 * Read-only EC2 calls Cilium's ENI IPAM makes; EC2 cannot scope Describe* to resources. The list is the
 * "Required Privileges" of Documentation/network/concepts/ipam/eni.rst at cilium v1.19.4 (commit
 * 95e477fdcfd35d438b135f4d981ee20ce3016ac3): DescribeRouteTables is part of every infrastructure sync
 * since 1.18 (pkg/aws/eni/instances.go, syncInfrastructure), and the operator stops syncing without it.
 */
export const CILIUM_OPERATOR_DESCRIBE_ACTIONS = [
    "ec2:DescribeInstances",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeRouteTables",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeTags",
    "ec2:DescribeVpcs",
] as const;

/** The ENI and address operations Cilium's operator performs to give pods VPC addresses (ENI mode). */
export const CILIUM_OPERATOR_ENI_ACTIONS = [
    "ec2:AssignPrivateIpAddresses",
    "ec2:AttachNetworkInterface",
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:DetachNetworkInterface",
    "ec2:ModifyNetworkInterfaceAttribute",
    "ec2:UnassignPrivateIpAddresses",
] as const;

/**
 * Exactly what Cilium's operator needs in ENI mode: describe calls, ENI/address operations limited to
 * this region, and tagging only as part of creating an ENI (so it cannot retag anything else).
 */
export function ciliumOperatorPolicy(region: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            { Sid: "Describe", Effect: "Allow", Action: [...CILIUM_OPERATOR_DESCRIBE_ACTIONS], Resource: "*" },
            {
                Sid: "ManageEnis",
                Effect: "Allow",
                Action: [...CILIUM_OPERATOR_ENI_ACTIONS],
                Resource: "*",
                Condition: { StringEquals: { "aws:RequestedRegion": region } },
            },
            {
                Sid: "TagNewEnisOnly",
                Effect: "Allow",
                Action: "ec2:CreateTags",
                Resource: "*",
                Condition: { StringEquals: { "ec2:CreateAction": "CreateNetworkInterface" } },
            },
        ],
    });
}

