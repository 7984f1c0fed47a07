import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags } from "./tags";

export interface PrivateBucketArgs {
    readonly bucketName: pulumi.Input<string>;
    /** KMS key for default encryption. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** Days noncurrent versions are kept. */
    readonly noncurrentVersionDays: number;
    /** Days current objects are kept; unset keeps them. */
    readonly expireDays?: number;
    /** Id of the lifecycle rule. Defaults to "retention". */
    readonly lifecycleRuleId?: string;
    /**
     * Refuse uploads that ask for any encryption but the bucket key's: another KMS key, SSE-S3, DSSE,
     * or `aws:kms` without a key id (which S3 answers with the account's `aws/s3` key, overriding the
     * default). Uploads that ask for nothing get the default. For writers we control only: an AWS
     * service delivering into the bucket may send its own headers. Defaults to false.
     */
    readonly refuseOtherEncryption?: boolean;
    /** Keep the bucket through `pulumi destroy`. */
    readonly protect?: boolean;
    readonly tags: Tags;
}

/**
 * A bucket nobody reaches by accident: versioned, KMS-encrypted, public access blocked, owner-enforced,
 * TLS only, with a lifecycle for old versions. Children are `${name}-bucket`, `${name}-...`.
 */
export function privateBucket(parent: pulumi.Resource, name: string, args: PrivateBucketArgs): aws.s3.Bucket {
    const bucket = new aws.s3.Bucket(`${name}-bucket`, { bucket: args.bucketName, forceDestroy: false, tags: { ...args.tags, Name: args.bucketName } }, { parent, protect: args.protect });
    const ofBucket = { parent, dependsOn: [bucket] };
    new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, ofBucket);
    new aws.s3.BucketPublicAccessBlock(`${name}-public-access`, { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, ofBucket);
    new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, ofBucket);
    new aws.s3.BucketServerSideEncryptionConfiguration(
        `${name}-encryption`,
        { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }, bucketKeyEnabled: true }] },
        ofBucket,
    );
    new aws.s3.BucketLifecycleConfiguration(
        `${name}-lifecycle`,
        {
            bucket: bucket.id,
            rules: [
                {
                    id: args.lifecycleRuleId ?? "retention",
                    status: "Enabled",
                    filter: {},
                    noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays },
                    abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                    ...(args.expireDays ? { expiration: { days: args.expireDays } } : {}),
                },
            ],
        },
        ofBucket,
    );
    new aws.s3.BucketPolicy(
        `${name}-tls-only`,
        {
            bucket: bucket.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "DenyInsecureTransport",
                        Effect: "Deny",
                        Principal: "*",
                        Action: "s3:*",
                        Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
                        Condition: { Bool: { "aws:SecureTransport": "false" } },
                    },
                    ...(args.refuseOtherEncryption ? refuseOtherEncryption(bucket.arn, args.kmsKeyArn) : []),
                ],
            }),
        },
        ofBucket,
    );
    return bucket;
}

/**
 * Deny statements for uploads that name any encryption but `keyArn` (S3 user guide, "Specifying
 * server-side encryption with AWS KMS": the condition keys carry the request's headers, and default
 * encryption applies after authorization, so a header-less upload carries neither key). PutObject
 * covers CopyObject and CreateMultipartUpload.
 */
function refuseOtherEncryption(bucketArn: pulumi.Output<string>, keyArn: pulumi.Input<string>) {
    const deny = (Sid: string, Condition: Record<string, Record<string, pulumi.Input<string>>>) => ({ Sid, Effect: "Deny", Principal: "*", Action: "s3:PutObject", Resource: pulumi.interpolate`${bucketArn}/*`, Condition });
    return [
        // A negated operator is true when the key is missing (IAM user guide, "Condition operators"), so
        // each one is paired with Null "false": it judges only what the request names.
        deny("DenyOtherKmsKeys", { Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "false" }, StringNotEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": keyArn } }),
        deny("DenyAccountDefaultKmsKey", { StringEquals: { "s3:x-amz-server-side-encryption": "aws:kms" }, Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "true" } }),
        deny("DenyOtherEncryption", { Null: { "s3:x-amz-server-side-encryption": "false" }, StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" } }),
    ];
}
