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
                ],
            }),
        },
        ofBucket,
    );
    return bucket;
}
