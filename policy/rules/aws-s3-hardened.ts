import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";

/**
 * A setting linked to buckets by its property dependency belongs to those (names and ids are unknown
 * in a preview, links are not); only an unlinked one (a literal name) is matched by name or id.
 */
const linked = (bucket: PolicyResource) => (r: PolicyResource) => {
    const links = r.propertyDependencies?.bucket ?? [];
    return links.length > 0 ? links.some((d) => d.urn === bucket.urn) : r.props.bucket !== undefined && (r.props.bucket === bucket.props.bucket || r.props.bucket === bucket.props.id);
};

/**
 * S3 settings live in separate resources in @pulumi/aws v7, so a bucket-only check passes a bucket
 * that is public or unencrypted; this joins each bucket with its access block, encryption and versioning.
 */
export const awsS3BucketHardened: StackValidationPolicy = {
    name: "aws-s3-bucket-hardened",
    description: "Every S3 bucket has a public access block with all four settings on, server-side encryption, and versioning enabled.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const of = (type: string) => args.resources.filter((r) => r.type === type);
        const blocks = of("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
        const encryption = [...of("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"), ...of("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2")];
        const versioning = [...of("aws:s3/bucketVersioning:BucketVersioning"), ...of("aws:s3/bucketVersioningV2:BucketVersioningV2")];
        for (const bucket of of("aws:s3/bucket:Bucket")) {
            const missing: string[] = [];
            const block = blocks.find(linked(bucket));
            const fullBlock = block && ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].every((k) => block.props[k] === true);
            if (!fullBlock) missing.push(block ? "a public access block with all four settings on" : "a public access block");
            const sse = encryption.find(linked(bucket));
            if (!sse || !(sse.props.rules ?? []).some((r: Record<string, any>) => r.applyServerSideEncryptionByDefault?.sseAlgorithm)) missing.push("default server-side encryption");
            const ver = versioning.find(linked(bucket));
            if (ver?.props.versioningConfiguration?.status !== "Enabled") missing.push("versioning enabled");
            if (missing.length > 0) reportViolation(`S3 bucket "${bucket.name}" lacks ${missing.join(", ")}.`, bucket.urn);
        }
    },
};
