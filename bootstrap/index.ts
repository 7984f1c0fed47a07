/**
 * The backend bootstrap (a second, small Pulumi program), one stack per AWS account: the account's
 * S3 state bucket, the KMS key that is its platform stack's secrets provider, GitHub OIDC deploy and
 * preview roles pinned to this repository and its environments, and activation of the
 * cost-allocation tags the platform puts on everything. The outputs are what the GitHub settings
 * checklist (docs/runbooks/github-settings.md) asks for.
 */
import * as aws from "@pulumi/aws";
import { GitHubDeploy, StateBucket } from "../components/backend";
import { REQUIRED_TAG_KEYS } from "../components/shared/tags";
import { readBootstrapConfig } from "./config";

function main() {
    const cfg = readBootstrapConfig();
    const env = cfg.environment;
    const provider = new aws.Provider("aws-bootstrap", {
        region: cfg.region as aws.Region,
        allowedAccountIds: cfg.allowedAccountIds,
        defaultTags: { tags: { environment: env.stack, project: "pr-cybr-platform", owner: cfg.tags.owner, "cost-center": cfg.tags.costCenter } },
    });
    const opts = { providers: { aws: provider } };
    const state = new StateBucket("pr-cybr-state", { bucketName: cfg.stateBucket, tags: { component: "backend" } }, opts);
    const deploy = new GitHubDeploy(
        "pr-cybr-ci",
        {
            repository: cfg.repository,
            stateBucketArn: state.bucketArn,
            stateKeyArn: state.kmsKeyArn,
            project: "pr-cybr-platform",
            stack: env.stack,
            deployEnvironments: env.deployEnvironments,
            previewSubjects: env.previewSubjects,
            previewSecrets: cfg.previewSecrets,
            tags: { component: "backend" },
        },
        opts,
    );
    // Cost Explorer only groups by tags that are activated as cost-allocation tags.
    for (const tagKey of REQUIRED_TAG_KEYS) new aws.costexplorer.CostAllocationTag(`cost-tag-${tagKey}`, { tagKey, status: "Active" }, { provider });

    return {
        accountId: cfg.allowedAccountIds[0],
        stack: env.stack,
        backendUrl: `s3://${cfg.stateBucket}?region=${cfg.region}&awssdk=v2`,
        secretsProvider: `${deploy.secretsProvider}?region=${cfg.region}`,
        deployRoleArn: deploy.deployRoleArn,
        previewRoleArn: deploy.previewRoleArn,
        boundaryArn: deploy.boundaryArn,
        deployEnvironments: env.deployEnvironments,
        previewSubjects: env.previewSubjects,
        stateBucket: state.bucketName,
    };
}

export = main();
