import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { Deferred } from "./lib/unknowns";

/**
 * Bucket types @pulumi/aws 7.48 still ships and what each needs. General purpose buckets
 * (`s3.Bucket`, and the deprecated `s3.BucketV2` alias of the same AWS resource) take their public
 * access block, encryption and versioning as separate resources. Directory buckets (S3 Express One
 * Zone) always block public access and do not support versioning (AWS S3 User Guide, "Directory
 * buckets": https://docs.aws.amazon.com/AmazonS3/latest/userguide/directory-buckets-overview.html), so
 * only their encryption is asked for; table and vector buckets carry their encryption inline.
 */
const GENERAL = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const DIRECTORY = "aws:s3/directoryBucket:DirectoryBucket";
const INLINE_ENCRYPTED: Record<string, string> = {
    "aws:s3tables/tableBucket:TableBucket": "encryptionConfiguration",
    "aws:s3/vectorsVectorBucket:VectorsVectorBucket": "encryptionConfigurations",
};

/**
 * A setting linked to buckets by its property dependency belongs to those (names and ids are unknown
 * in a preview, links are not); only an unlinked one (a literal name) is matched by name or id. Run
 * through `settingsOf`, an unknown name leaves that bucket's setting undecided, not missing.
 */
const linked = (bucket: PolicyResource) => (r: PolicyResource) => {
    const links = r.propertyDependencies?.bucket ?? [];
    if (links.length > 0) return links.some((d) => d.urn === bucket.urn);
    return r.props.bucket !== undefined && (r.props.bucket === bucket.props.bucket || r.props.bucket === bucket.props.id);
};

const FOUR = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

/**
 * S3 settings live in separate resources in @pulumi/aws v7, so a bucket-only check passes a bucket
 * that is public or unencrypted; this joins each bucket with its access block, encryption and
 * versioning. The deprecated inline `serverSideEncryptionConfiguration` and `versioning` of s3.Bucket
 * still configure the bucket, so they count as well.
 */
export const awsS3BucketHardened: StackValidationPolicy = {
    name: "aws-s3-bucket-hardened",
    description:
        "Every S3 bucket (general purpose Bucket/BucketV2: public access block with all four settings on, default encryption, versioning; directory buckets: default encryption; table and vector buckets: an encryption configuration).",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const deferred = new Deferred();
        const of = (...types: string[]) => args.resources.filter((r) => types.includes(r.type));
        /** The settings joined to a bucket; undefined when an unknown name or id leaves the join undecided. */
        const settingsOf = (list: PolicyResource[], bucket: PolicyResource) => {
            const verdicts = list.map((r) => deferred.run(() => linked(bucket)(r)));
            const found = list.filter((_, i) => verdicts[i] === true);
            return found.length === 0 && verdicts.includes(undefined) ? undefined : found;
        };
        const blocks = of("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
        const encryption = of("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2");
        const versioning = of("aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2");
        // true / false, or undefined when a value it needs is unknown in this preview (left to `deferred`).
        const anyTrue = (checks: (() => boolean)[] | undefined) => {
            if (!checks) return undefined;
            const results = checks.map((c) => deferred.run(c));
            return results.includes(true) ? true : results.includes(undefined) ? undefined : false;
        };
        const encrypts = (bucket: PolicyResource) => {
            const joined = settingsOf(encryption, bucket);
            const inline = () => !!bucket.props.serverSideEncryptionConfiguration?.rule?.applyServerSideEncryptionByDefault?.sseAlgorithm;
            return anyTrue(joined && [...joined.map((sse) => () => (sse.props.rules ?? []).some((r: Record<string, any>) => !!r.applyServerSideEncryptionByDefault?.sseAlgorithm)), inline]);
        };
        const versioned = (bucket: PolicyResource) => {
            const joined = settingsOf(versioning, bucket);
            return anyTrue(joined && [...joined.map((v) => () => v.props.versioningConfiguration?.status === "Enabled"), () => bucket.props.versioning?.enabled === true]);
        };
        for (const bucket of of(...GENERAL, DIRECTORY)) {
            const missing: string[] = [];
            if (bucket.type !== DIRECTORY) {
                const joined = settingsOf(blocks, bucket);
                if (joined?.length === 0) missing.push("a public access block");
                else if (joined && anyTrue(joined.map((block) => () => FOUR.every((k) => block.props[k] === true))) === false) missing.push("a public access block with all four settings on");
            }
            if (encrypts(bucket) === false) missing.push("default server-side encryption");
            if (bucket.type !== DIRECTORY && versioned(bucket) === false) missing.push("versioning enabled");
            if (missing.length > 0) reportViolation(`S3 bucket "${bucket.name}" lacks ${missing.join(", ")}.`, bucket.urn);
        }
        for (const bucket of of(...Object.keys(INLINE_ENCRYPTED))) {
            const field = INLINE_ENCRYPTED[bucket.type];
            if (!(field in bucket.props)) reportViolation(`S3 ${bucket.type.split(":")[2]} "${bucket.name}" sets no ${field}: set one (a KMS key of this stack) so the encryption is stated, not assumed.`, bucket.urn);
        }
        deferred.finish();
    },
};
