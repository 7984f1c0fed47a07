// The EBS CSI driver's controller role (components/addons/ebs-csi.ts): EKS Pod Identity of this cluster
// alone assumes it; it creates, attaches and deletes only volumes and snapshots the driver tags
// (AmazonEBSCSIDriverPolicyV2); it uses the environment's key only through EC2, and grants on it only
// for AWS resources (aws-ebs-csi-driver docs/install.md "Encrypted EBS Volumes via KMS", at
// 429e202e589798e55c0f8ddcc81b2850b7f000d0); it uses no other key.
import { Claim, request } from "../lib/claims";
import { podIdentityTrustClaims } from "../lib/pod-identity";
import { resourcesOfType } from "../lib/plans";
import { World } from "../lib/world";

const DRIVER_DOC = "aws-ebs-csi-driver 429e202e docs/install.md#set-up-driver-permissions";

export async function ebsCsiClaims(world: World): Promise<Claim[]> {
    const env = world.plan.stack;
    const role = await world.role(`pr-cybr-${env}-ebs-csi-role`);
    const addon = resourcesOfType(world.plan, "aws:eks/addon:Addon").find((a) => a.inputs.addonName === "aws-ebs-csi-driver");
    if (!addon) throw new Error(`${env}: no aws-ebs-csi-driver add-on in the plan`);
    const storageClass = resourcesOfType(world.plan, "kubernetes:storage.k8s.io/v1:StorageClass").find((s) => s.inputs.provisioner === "ebs.csi.aws.com");
    if (!storageClass) throw new Error(`${env}: no StorageClass of ebs.csi.aws.com in the plan`);
    const keyArn = String(storageClass.inputs.parameters.kmsKeyId);
    const clusterArn = world.arn("eks", `cluster/${addon.inputs.clusterName}`);
    const claims: Claim[] = [];

    claims.push(...podIdentityTrustClaims(world, { label: "the EBS CSI role", role, clusterArn }));

    const as = { principal: world.session(role, "eks-pods"), identityPolicies: role.identityPolicies, boundary: role.boundary, resourceAccount: world.account };
    const volume = world.arn("ec2", "volume/vol-0a1b2c3d4e5f60718");
    const instance = world.arn("ec2", "instance/i-0a1b2c3d4e5f60718");
    const tagged = { "ec2:ResourceTag/ebs.csi.aws.com/cluster": "true" };
    claims.push(
        request(`${env}: the EBS CSI role may create a volume tagged for the driver`, DRIVER_DOC, "Allowed", () => ({ ...as, action: "ec2:CreateVolume", resource: volume, context: { "aws:RequestTag/ebs.csi.aws.com/cluster": "true", "aws:TagKeys": "ebs.csi.aws.com/cluster" } })),
        request(`${env}: the EBS CSI role cannot create an untagged volume`, DRIVER_DOC, "Denied", () => ({ ...as, action: "ec2:CreateVolume", resource: volume })),
        request(`${env}: the EBS CSI role may attach a driver volume to an instance`, DRIVER_DOC, "Allowed", () => ({ ...as, action: "ec2:AttachVolume", resource: volume, context: tagged })),
        request(`${env}: the EBS CSI role may delete a driver volume`, DRIVER_DOC, "Allowed", () => ({ ...as, action: "ec2:DeleteVolume", resource: volume, context: tagged })),
        request(`${env}: the EBS CSI role cannot delete a volume the driver did not create`, DRIVER_DOC, "Denied", () => ({ ...as, action: "ec2:DeleteVolume", resource: volume, context: { "ec2:ResourceTag/Name": "swarm-root" } })),
        request(`${env}: the EBS CSI role cannot terminate an instance`, DRIVER_DOC, "Denied", () => ({ ...as, action: "ec2:TerminateInstances", resource: instance })),
    );

    const viaEc2 = { "kms:ViaService": `ec2.${world.region}.amazonaws.com` };
    const kms = (action: string, context: Record<string, string>, resource = keyArn) => () => ({ ...as, action, resource, resourcePolicy: world.keyPolicy(keyArn), context });
    for (const action of ["kms:Decrypt", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"]) {
        claims.push(request(`${env}: the EBS CSI role may ${action} with the environment's key through EC2`, DRIVER_DOC, "Allowed", kms(action, viaEc2)));
    }
    claims.push(
        request(`${env}: the EBS CSI role may create a grant for EBS on the environment's key`, DRIVER_DOC, "Allowed", kms("kms:CreateGrant", { ...viaEc2, "kms:GrantIsForAWSResource": "true" })),
        request(`${env}: the EBS CSI role cannot create a grant that is not for an AWS resource`, DRIVER_DOC, "Denied", kms("kms:CreateGrant", { ...viaEc2, "kms:GrantIsForAWSResource": "false" })),
        request(`${env}: the EBS CSI role cannot decrypt with the environment's key directly (not through EC2)`, DRIVER_DOC, "Denied", kms("kms:Decrypt", {})),
        request(`${env}: the EBS CSI role cannot decrypt Secrets Manager data with the environment's key`, DRIVER_DOC, "Denied", kms("kms:Decrypt", { "kms:ViaService": `secretsmanager.${world.region}.amazonaws.com` })),
        request(`${env}: the EBS CSI role cannot encrypt with the environment's key`, DRIVER_DOC, "Denied", kms("kms:Encrypt", viaEc2)),
        request(`${env}: the EBS CSI role cannot use another key`, DRIVER_DOC, "Denied", () => ({ ...as, action: "kms:Decrypt", resource: world.arn("kms", "key/0a1b2c3d-0000-4000-8000-0a1b2c3d4e5f"), context: viaEc2 })),
    );
    return claims;
}
