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
 * behalf of this account's one cluster (`aws:SourceAccount`, `aws:SourceArn`: the confused-deputy
 * guard, EKS user guide "Create an IAM role with a trust policy required by EKS Pod Identity",
 * https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html), and only for the pods of the one
 * service account its association names: EKS tags the session with `kubernetes-namespace` and
 * `kubernetes-service-account` (pod-id-abac.html), checked here as `aws:RequestTag/...`. So an
 * association that hands the role to another service account is refused by STS, not only by review;
 * associations must keep session tags on (`disableSessionTags` false, the default).
 */
export function podIdentityTrustPolicy(args: { account: pulumi.Input<string>; clusterArn: pulumi.Input<string>; serviceAccount: PodIdentitySubject }): pulumi.Output<string> {
    const { namespace, name } = args.serviceAccount;
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: name === undefined ? "EksPodIdentityOfTheseNamespaces" : "EksPodIdentityOfThisServiceAccount",
                Effect: "Allow",
                Principal: { Service: "pods.eks.amazonaws.com" },
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Condition: {
                    StringEquals: {
                        "aws:SourceAccount": args.account,
                        "aws:RequestTag/kubernetes-namespace": namespace,
                        ...(name === undefined ? {} : { "aws:RequestTag/kubernetes-service-account": name }),
                    },
                    ArnEquals: { "aws:SourceArn": args.clusterArn },
                },
            },
        ],
    });
}

/** Whose pods may get a Pod Identity role: one service account, or (no `name`) any of these namespaces'. */
export interface PodIdentitySubject {
    readonly namespace: string | string[];
    readonly name?: string;
}
