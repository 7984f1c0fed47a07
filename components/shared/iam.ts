import * as pulumi from "@pulumi/pulumi";

/** Trust policy letting one AWS service assume a role. */
export function serviceTrustPolicy(service: string, sourceAccount?: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: service },
                Action: service === "pods.eks.amazonaws.com" ? ["sts:AssumeRole", "sts:TagSession"] : "sts:AssumeRole",
                ...(sourceAccount ? { Condition: { StringEquals: { "aws:SourceAccount": sourceAccount } } } : {}),
            },
        ],
    });
}

/**
 * EKS Pod Identity trust: the EKS Auth service may assume the role (and tag the session) only on
 * behalf of this account's one cluster (EKS user guide, "Create an IAM role with a trust policy
 * required by EKS Pod Identity", https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html:
 * `aws:SourceAccount` and `aws:SourceArn` are the confused-deputy guard). Which service account gets
 * the role is what its Pod Identity association says; only the deploy role creates associations.
 */
export function podIdentityTrustPolicy(args: { account: pulumi.Input<string>; clusterArn: pulumi.Input<string> }): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "EksPodIdentityOfThisCluster",
                Effect: "Allow",
                Principal: { Service: "pods.eks.amazonaws.com" },
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Condition: { StringEquals: { "aws:SourceAccount": args.account }, ArnEquals: { "aws:SourceArn": args.clusterArn } },
            },
        ],
    });
}
