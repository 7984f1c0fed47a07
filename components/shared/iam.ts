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
