// Velero's server role (components/addons/velero.ts, issue 19 item 8): only this cluster's Pod Identity
// assumes it; it reads and writes its own bucket's objects (with the environment key, through S3 only),
// no other bucket and never the bucket's settings; it snapshots volumes and deletes only the snapshots
// Velero tagged; the key through EC2 only for restored volumes. The bucket refuses plain HTTP.
import { Claim, request } from "../lib/claims";
import { podIdentityTrustClaims } from "../lib/pod-identity";
import { resourcesOfType } from "../lib/plans";
import { World } from "../lib/world";

const PLUGIN_DOC = "velero-plugin-for-aws v1.13.2 README.md#set-permissions-for-velero";

export async function veleroClaims(world: World): Promise<Claim[]> {
    const env = world.plan.stack;
    const role = await world.role(`pr-cybr-${env}-velero-role`);
    const bucket = resourcesOfType(world.plan, "aws:s3/bucket:Bucket").find((b) => b.name === `pr-cybr-${env}-velero-backups-bucket`);
    if (!bucket) throw new Error(`${env}: no Velero bucket in the plan`);
    const bucketArn = `arn:aws:s3:::${bucket.inputs.bucket}`;
    const keyArn = world.keyArnOfAlias(`alias/pr-cybr-${env}-secrets`);
    const cluster = resourcesOfType(world.plan, "aws:eks/cluster:Cluster")[0];
    const clusterArn = world.arn("eks", `cluster/${cluster.inputs.name}`);
    const bucketPolicy = world.bucketPolicy(String(bucket.inputs.bucket));
    const as = { principal: world.session(role, "eks-velero"), identityPolicies: role.identityPolicies, boundary: role.boundary, resourceAccount: world.account };
    const object = `${bucketArn}/backups/platform-daily-20260101030000/velero-backup.json`;
    const tls = { "aws:SecureTransport": "true" };
    const snapshot = `arn:aws:ec2:${world.region}::snapshot/snap-0a1b2c3d4e5f60718`;
    const volume = world.arn("ec2", "volume/vol-0a1b2c3d4e5f60718");
    const kms = (action: string, context: Record<string, string>) => () => ({ ...as, action, resource: keyArn, resourcePolicy: world.keyPolicy(keyArn), context });
    return [
        ...podIdentityTrustClaims(world, { label: "the Velero role", role, clusterArn }),
        request(`${env}: Velero writes a backup object with the environment key`, PLUGIN_DOC, "Allowed", () => ({
            ...as,
            action: "s3:PutObject",
            resource: object,
            resourcePolicy: bucketPolicy,
            context: { ...tls, "s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": keyArn },
        })),
        request(`${env}: Velero writes a backup object naming no encryption (the bucket's default, the environment key)`, PLUGIN_DOC, "Allowed", () => ({ ...as, action: "s3:PutObject", resource: object, resourcePolicy: bucketPolicy, context: tls })),
        request(`${env}: Velero cannot write a backup object with another key`, PLUGIN_DOC, "Denied", () => ({
            ...as,
            action: "s3:PutObject",
            resource: object,
            resourcePolicy: bucketPolicy,
            context: { ...tls, "s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": world.arn("kms", "key/0a1b2c3d-0000-4000-8000-0a1b2c3d4e5f") },
        })),
        request(`${env}: Velero reads a backup object over TLS`, PLUGIN_DOC, "Allowed", () => ({ ...as, action: "s3:GetObject", resource: object, resourcePolicy: bucketPolicy, context: tls })),
        request(`${env}: nobody reads a backup object over plain HTTP, Velero included`, "components/shared/private-bucket.ts", "Denied", () => ({ ...as, action: "s3:GetObject", resource: object, resourcePolicy: bucketPolicy, context: { "aws:SecureTransport": "false" } })),
        request(`${env}: Velero lists its bucket`, PLUGIN_DOC, "Allowed", () => ({ ...as, action: "s3:ListBucket", resource: bucketArn, resourcePolicy: bucketPolicy, context: tls })),
        request(`${env}: Velero cannot change its bucket's policy`, PLUGIN_DOC, "Denied", () => ({ ...as, action: "s3:PutBucketPolicy", resource: bucketArn, resourcePolicy: bucketPolicy, context: tls })),
        request(`${env}: Velero cannot turn its bucket's versioning off`, PLUGIN_DOC, "Denied", () => ({ ...as, action: "s3:PutBucketVersioning", resource: bucketArn, resourcePolicy: bucketPolicy, context: tls })),
        request(`${env}: Velero cannot delete its bucket`, PLUGIN_DOC, "Denied", () => ({ ...as, action: "s3:DeleteBucket", resource: bucketArn, resourcePolicy: bucketPolicy, context: tls })),
        request(`${env}: Velero reads no other bucket (the swarm's Raft backups)`, PLUGIN_DOC, "Denied", () => ({ ...as, action: "s3:GetObject", resource: `arn:aws:s3:::pr-cybr-${env}-swarm-raft-backup-${world.account}/raft.tar.gz` })),
        request(`${env}: Velero uses the environment key through S3`, PLUGIN_DOC, "Allowed", kms("kms:GenerateDataKey", { "kms:ViaService": `s3.${world.region}.amazonaws.com` })),
        request(`${env}: Velero cannot decrypt Secrets Manager data with the environment key`, PLUGIN_DOC, "Denied", kms("kms:Decrypt", { "kms:ViaService": `secretsmanager.${world.region}.amazonaws.com` })),
        request(`${env}: Velero cannot decrypt with the environment key directly`, PLUGIN_DOC, "Denied", kms("kms:Decrypt", {})),
        request(`${env}: Velero may grant EBS the key for a restored volume`, PLUGIN_DOC, "Allowed", kms("kms:CreateGrant", { "kms:ViaService": `ec2.${world.region}.amazonaws.com`, "kms:GrantIsForAWSResource": "true" })),
        request(`${env}: Velero snapshots a volume`, PLUGIN_DOC, "Allowed", () => ({ ...as, action: "ec2:CreateSnapshot", resource: volume })),
        request(`${env}: Velero tags a snapshot while creating it`, PLUGIN_DOC, "Allowed", () => ({ ...as, action: "ec2:CreateTags", resource: snapshot, context: { "ec2:CreateAction": "CreateSnapshot" } })),
        request(`${env}: Velero cannot retag an existing snapshot`, PLUGIN_DOC, "Denied", () => ({ ...as, action: "ec2:CreateTags", resource: snapshot })),
        request(`${env}: Velero deletes a snapshot it tagged`, PLUGIN_DOC, "Allowed", () => ({ ...as, action: "ec2:DeleteSnapshot", resource: snapshot, context: { "ec2:ResourceTag/velero.io/backup": "platform-daily-20260101030000" } })),
        request(`${env}: Velero cannot delete a snapshot it did not take`, PLUGIN_DOC, "Denied", () => ({ ...as, action: "ec2:DeleteSnapshot", resource: snapshot, context: { "ec2:ResourceTag/Name": "swarm-root" } })),
        request(`${env}: Velero cannot delete a volume`, PLUGIN_DOC, "Denied", () => ({ ...as, action: "ec2:DeleteVolume", resource: volume })),
        request(`${env}: Velero reads no secret`, PLUGIN_DOC, "Denied", () => ({ ...as, action: "secretsmanager:GetSecretValue", resource: world.arn("secretsmanager", `secret:pr-cybr/${env}/tenants/org-a/database-Ab12Cd`) })),
    ];
}
