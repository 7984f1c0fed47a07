import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { podIdentityTrustPolicy } from "../shared/iam";
import { Tags } from "../shared/tags";
import { MONITORING_NAMESPACE, PROMETHEUS_SERVICE_ACCOUNT } from "./applications";

export interface PrometheusIdentityArgs {
    readonly clusterName: pulumi.Input<string>;
    readonly clusterArn: pulumi.Input<string>;
    /** Defaults to {}. */
    readonly tags?: Tags;
}

/**
 * The AWS identity of the cluster's Prometheus, through EKS Pod Identity: EC2 discovery of the Swarm
 * managers (ec2_sd_config) calls ec2:DescribeInstances, and nothing else. That action takes no resource
 * or tag condition (Service Authorization Reference, Amazon EC2: DescribeInstances, resource type none),
 * so the scope is `*`; what Prometheus then scrapes is limited by the managers' security group.
 */
export class PrometheusIdentity extends pulumi.ComponentResource {
    public readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: PrometheusIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pr-cybr:gitops:PrometheusIdentity", name, {}, opts);
        const tags = args.tags ?? {};
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const role = new aws.iam.Role(
            `${name}-role`,
            { description: "Prometheus: EC2 discovery of the Swarm managers (EKS Pod Identity)", assumeRolePolicy: podIdentityTrustPolicy({ account, clusterArn: args.clusterArn, serviceAccount: { namespace: MONITORING_NAMESPACE, name: PROMETHEUS_SERVICE_ACCOUNT } }), tags: { ...tags, Name: `${name}-role` } },
            { parent: this },
        );
        const policy = new aws.iam.RolePolicy(
            `${name}-discovery`,
            { role: role.id, policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "Ec2Discovery", Effect: "Allow", Action: "ec2:DescribeInstances", Resource: "*" }] }) },
            { parent: this },
        );
        new aws.eks.PodIdentityAssociation(
            `${name}-pod-identity`,
            { clusterName: args.clusterName, namespace: MONITORING_NAMESPACE, serviceAccount: PROMETHEUS_SERVICE_ACCOUNT, roleArn: role.arn, tags },
            { parent: this, dependsOn: [policy] },
        );
        this.roleArn = role.arn;
        this.registerOutputs({ roleArn: this.roleArn });
    }
}
