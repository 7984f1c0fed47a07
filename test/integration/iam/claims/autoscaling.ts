// Auto Scaling launches the Swarm managers with root volumes encrypted by a customer-managed key, so
// its service-linked role must be able to use that key: AWS EC2 Auto Scaling user guide, "Required AWS
// KMS key policy for use with encrypted volumes"
// (https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html).
// The role's own (AWS-managed) permissions cover AWS managed keys only, so the key policy must name it.
import { Claim, request } from "../lib/claims";
import { resourceNamed } from "../lib/plans";
import { World } from "../lib/world";

const DOC = "AWS EC2 Auto Scaling user guide: key-policy-requirements-EBS-encryption";

export function autoScalingClaims(world: World): Claim[] {
    const env = world.plan.stack;
    const template = resourceNamed(world.plan, `pr-cybr-${env}-swarm-lt`);
    const keyArn = String(template.inputs.blockDeviceMappings[0].ebs.kmsKeyId);
    // The service-linked role's session, as CloudTrail shows Auto Scaling's KMS calls.
    const principal = `arn:aws:sts::${world.account}:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling`;
    const use = (action: string, context: Record<string, string> = {}) => () => ({ principal, action, resource: keyArn, resourceAccount: world.account, resourcePolicy: world.keyPolicy(keyArn), context });
    const claims: Claim[] = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"].map((action) =>
        request(`${env}: Auto Scaling's service-linked role may ${action} with the managers' root-volume key`, DOC, "Allowed", use(action)),
    );
    claims.push(request(`${env}: Auto Scaling's service-linked role may create grants for AWS resources on that key`, DOC, "Allowed", use("kms:CreateGrant", { "kms:GrantIsForAWSResource": "true" })));
    claims.push(request(`${env}: Auto Scaling's service-linked role cannot create a grant that is not for an AWS resource`, DOC, "Denied", use("kms:CreateGrant", { "kms:GrantIsForAWSResource": "false" })));
    return claims;
}
