/**
 * The backend bootstrap (a second, small Pulumi program): the S3 state bucket, the KMS keys that are
 * each stack's secrets provider, GitHub OIDC deploy and preview roles pinned to this repository and its
 * environments, and activation of the cost-allocation tags the platform puts on everything.
 */
import * as aws from "@pulumi/aws";
import { GitHubDeploy, StateBucket } from "../components/backend";
import { REQUIRED_TAG_KEYS } from "../components/shared/tags";
import { readBootstrapConfig } from "./config";

function main() {
    const cfg = readBootstrapConfig();
    const provider = new aws.Provider("aws-bootstrap", {
        region: cfg.region as aws.Region,
        defaultTags: { tags: { environment: "global", project: "pr-cybr-platform", owner: cfg.tags.owner, "cost-center": cfg.tags.costCenter } },
    });
    const opts = { providers: { aws: provider } };
    const state = new StateBucket("pr-cybr-state", { bucketName: cfg.stateBucket, tags: { component: "backend" } }, opts);
    const deploy = new GitHubDeploy(
        "pr-cybr-ci",
        { repository: cfg.repository, stateBucketArn: state.bucketArn, stateKeyArn: state.kmsKeyArn, project: "pr-cybr-platform", environments: cfg.environments, tags: { component: "backend" } },
        opts,
    );
    // Cost Explorer only groups by tags that are activated as cost-allocation tags.
    for (const tagKey of REQUIRED_TAG_KEYS) new aws.costexplorer.CostAllocationTag(`cost-tag-${tagKey}`, { tagKey, status: "Active" }, { provider });

    return {
        backendUrl: `s3://${cfg.stateBucket}?region=${cfg.region}&awssdk=v2`,
        secretsProviders: Object.fromEntries(Object.entries(deploy.secretsProviders).map(([stack, url]) => [stack, `${url}?region=${cfg.region}`])),
        deployRoleArns: deploy.deployRoleArns,
        previewRoleArns: deploy.previewRoleArns,
        stateBucket: state.bucketName,
    };
}

export = main();
