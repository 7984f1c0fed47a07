import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { privateBucket } from "../shared/private-bucket";
import { Tags } from "../shared/tags";
import { ArgProblem, throwIfProblems } from "../shared/validation";

export interface StateBucketArgs {
    /** Globally unique bucket name for Pulumi state (`pulumi login s3://<name>`). Required. */
    readonly bucketName: string;
    /** Days old state versions are kept (undo for a bad `up` or a corrupted checkpoint). Defaults to 365. */
    readonly noncurrentVersionDays?: number;
    /** Tags on every taggable child. Defaults to {}. */
    readonly tags?: Tags;
}

export const STATE_BUCKET_DEFAULTS = { noncurrentVersionDays: 365, tags: {} as Tags };

export function validateStateBucketArgs(args: StateBucketArgs): void {
    const problems: ArgProblem[] = [];
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(args.bucketName) || args.bucketName.includes("..")) {
        problems.push({ path: "bucketName", reason: `"${args.bucketName}" is not an S3 bucket name (3-63 lowercase letters, digits, '.', '-')` });
    }
    const days = args.noncurrentVersionDays ?? STATE_BUCKET_DEFAULTS.noncurrentVersionDays;
    if (!Number.isInteger(days) || days < 30) problems.push({ path: "noncurrentVersionDays", reason: `${days} is too short (at least 30 days of state history)` });
    throwIfProblems("StateBucket", problems);
}

/**
 * The S3 backend that replaces Terraform Cloud's state storage: versioned (every checkpoint can be
 * restored), KMS-encrypted with its own key, public access blocked, owner-enforced, TLS only, and
 * protected from `pulumi destroy`. Locking is Pulumi's own (`.pulumi/locks/`).
 */
export class StateBucket extends pulumi.ComponentResource {
    public readonly bucketName: pulumi.Output<string>;
    public readonly bucketArn: pulumi.Output<string>;
    public readonly kmsKeyArn: pulumi.Output<string>;

    constructor(name: string, args: StateBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        validateStateBucketArgs(args);
        super("pr-cybr:backend:StateBucket", name, {}, opts);
        const tags = { ...STATE_BUCKET_DEFAULTS.tags, ...args.tags };

        const key = new aws.kms.Key(`${name}-key`, { description: "Pulumi state bucket encryption", enableKeyRotation: true, deletionWindowInDays: 30, tags: { ...tags, Name: `${name}-key` } }, { parent: this, protect: true });
        new aws.kms.Alias(`${name}-key-alias`, { name: "alias/pr-cybr-state", targetKeyId: key.keyId }, { parent: this });

        // Logical names (`${name}-bucket`, `-versioning`, ...) are the ones shipped before privateBucket existed.
        const bucket = privateBucket(this, name, {
            bucketName: args.bucketName,
            kmsKeyArn: key.arn,
            noncurrentVersionDays: args.noncurrentVersionDays ?? STATE_BUCKET_DEFAULTS.noncurrentVersionDays,
            lifecycleRuleId: "state-history",
            protect: true,
            tags,
        });

        this.bucketName = bucket.bucket;
        this.bucketArn = bucket.arn;
        this.kmsKeyArn = key.arn;
        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, kmsKeyArn: this.kmsKeyArn });
    }
}
