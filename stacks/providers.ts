import * as aws from "@pulumi/aws";
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { REQUIRED_TAG_KEYS, Tags } from "../components/shared/tags";
import { PlatformConfig, PROJECT } from "./config";

/** The four tags every taggable AWS resource carries, from stack config. */
export function platformTags(cfg: PlatformConfig): Tags {
    const tags: Record<(typeof REQUIRED_TAG_KEYS)[number], string> = {
        environment: cfg.environment,
        project: PROJECT,
        owner: cfg.tags.owner,
        "cost-center": cfg.tags.costCenter,
    };
    return tags;
}

/**
 * The AWS provider every AWS resource uses (default providers are disabled in Pulumi.yaml). Its
 * default tags put the required tags on every taggable resource without each component repeating them.
 */
export function awsProvider(cfg: PlatformConfig): aws.Provider {
    return new aws.Provider(`aws-${cfg.environment}`, {
        region: cfg.region as aws.Region,
        // Credentials of another account are refused before anything is read or written.
        ...(cfg.accountId ? { allowedAccountIds: [cfg.accountId] } : {}),
        defaultTags: { tags: platformTags(cfg) },
    });
}

/** The current value of a Secrets Manager secret, read at deploy time, as a Pulumi secret. */
export function secretValue(secretId: string, provider: aws.Provider): pulumi.Output<string> {
    return pulumi.secret(aws.secretsmanager.getSecretVersionOutput({ secretId }, { provider }).secretString);
}

/** The environment's one Cloudflare provider (swarm DNS, edge tunnels), its token from Secrets Manager. */
export function cloudflareProvider(cfg: PlatformConfig, aws: aws.Provider): cloudflare.Provider {
    return new cloudflare.Provider(`cloudflare-${cfg.environment}`, { apiToken: secretValue(cfg.cloudflare.apiTokenSecretId, aws) });
}
