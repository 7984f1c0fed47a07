import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags } from "../shared/tags";
import { boundaryDocument, boundaryName, deployRoleName, previewRoleName } from "./boundary";
import { ArgProblem, throwIfProblems } from "../shared/validation";

export const GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com";

/** One deployable environment: its stack and the GitHub environments allowed to deploy it. */
export interface DeployEnvironment {
    /** Stack name (dev, prod). */
    readonly stack: string;
    /** GitHub environments whose jobs may assume the deploy role (e.g. ["production", "production-rotation"]). */
    readonly githubEnvironments: string[];
    /**
     * Whether pull requests may assume the preview role. Its session decrypts the stack's secrets, and
     * anyone who can push a branch controls what a pull request's workflow runs. Defaults to false
     * (main's drift checks only).
     */
    readonly pullRequestPreviews?: boolean;
}

export interface GitHubDeployArgs {
    /** The repository, "owner/name"; every trust is pinned to it. Required. */
    readonly repository: string;
    /** The state bucket (from StateBucket). Required. */
    readonly stateBucketArn: pulumi.Input<string>;
    /** The state bucket's KMS key. Required. */
    readonly stateKeyArn: pulumi.Input<string>;
    /** The project whose stacks live under `.pulumi/stacks/<project>/`. Required. */
    readonly project: string;
    /** Environments to create a secrets key and deploy/preview roles for. Required. */
    readonly environments: DeployEnvironment[];
    /** Tags on every taggable child. Defaults to {}. */
    readonly tags?: Tags;
}

export function validateGitHubDeployArgs(args: GitHubDeployArgs): void {
    const problems: ArgProblem[] = [];
    if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(args.repository)) problems.push({ path: "repository", reason: `"${args.repository}" is not "owner/name"` });
    if (args.environments.length === 0) problems.push({ path: "environments", reason: "is empty (list dev and prod)" });
    args.environments.forEach((e, i) => {
        if (!/^[a-z0-9-]+$/.test(e.stack)) problems.push({ path: `environments[${i}].stack`, reason: `"${e.stack}" is not a stack name` });
        if (e.githubEnvironments.length === 0) problems.push({ path: `environments[${i}].githubEnvironments`, reason: "is empty (name the GitHub environment that gates deploys)" });
    });
    throwIfProblems("GitHubDeploy", problems);
}

/**
 * What CI needs to deploy without long-lived keys: GitHub's OIDC provider, and per environment a KMS
 * key for the stack's secrets provider (`awskms://alias/pr-cybr-<stack>`), a deploy role only jobs in
 * that environment's GitHub environments can assume, and a read-only preview role for drift checks
 * (and pull requests, where allowed). A permissions boundary on each role keeps it off the other
 * environments' state, keys and roles, off its own boundary and off the backend's own guard rails.
 */
export class GitHubDeploy extends pulumi.ComponentResource {
    public readonly deployRoleArns: pulumi.Output<Record<string, string>>;
    public readonly previewRoleArns: pulumi.Output<Record<string, string>>;
    /** `awskms://alias/...` secrets-provider URL per stack. */
    public readonly secretsProviders: Record<string, string>;

    constructor(name: string, args: GitHubDeployArgs, opts?: pulumi.ComponentResourceOptions) {
        validateGitHubDeployArgs(args);
        super("pr-cybr:backend:GitHubDeploy", name, {}, opts);
        const tags = args.tags ?? {};
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const oidc = new aws.iam.OpenIdConnectProvider(`${name}-github-oidc`, { url: GITHUB_OIDC_URL, clientIdLists: ["sts.amazonaws.com"], tags: { ...tags, Name: "github-actions" } }, { parent: this });

        const keys = args.environments.map((env) => {
            const key = new aws.kms.Key(`${name}-${env.stack}-secrets-key`, { description: `Pulumi secrets provider of stack ${env.stack}`, enableKeyRotation: true, deletionWindowInDays: 30, tags: { ...tags, Name: `pr-cybr-${env.stack}`, environment: env.stack } }, { parent: this, protect: true });
            new aws.kms.Alias(`${name}-${env.stack}-secrets-key-alias`, { name: `alias/pr-cybr-${env.stack}`, targetKeyId: key.keyId }, { parent: this });
            return { env, key };
        });

        const deploy: Record<string, pulumi.Output<string>> = {};
        const preview: Record<string, pulumi.Output<string>> = {};
        const trust = (subjects: string[]) =>
            pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { Federated: oidc.arn },
                        Action: "sts:AssumeRoleWithWebIdentity",
                        Condition: { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" }, StringLike: { "token.actions.githubusercontent.com:sub": subjects } },
                    },
                ],
            });
        const keyArns = Object.fromEntries(keys.map(({ env, key }) => [env.stack, key.arn]));
        for (const { env, key } of keys) {
            // Named, so that the boundary can name itself and the roles it must not loosen.
            const boundary = new aws.iam.Policy(
                `${name}-${env.stack}-boundary`,
                {
                    name: boundaryName(env.stack),
                    description: `Permissions boundary of the ${env.stack} deploy and preview roles`,
                    policy: boundaryDocument({ partition, account, stack: env.stack, project: args.project, stateBucketArn: args.stateBucketArn, stateKeyArn: args.stateKeyArn, keyArns }),
                    tags: { ...tags, environment: env.stack },
                },
                { parent: this },
            );
            const subjects = env.githubEnvironments.map((e) => `repo:${args.repository}:environment:${e}`);
            const deployRole = new aws.iam.Role(
                `${name}-${env.stack}-deploy`,
                {
                    name: deployRoleName(env.stack),
                    description: `GitHub Actions deploys of ${env.stack} (environments ${env.githubEnvironments.join(", ")})`,
                    assumeRolePolicy: trust(subjects),
                    permissionsBoundary: boundary.arn,
                    maxSessionDuration: 7200,
                    tags: { ...tags, environment: env.stack },
                },
                { parent: this },
            );
            // The platform creates IAM roles, VPCs, clusters and keys: deploys need broad rights; the
            // boundary above is what narrows them.
            new aws.iam.RolePolicyAttachment(`${name}-${env.stack}-deploy-admin`, { role: deployRole.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/AdministratorAccess` }, { parent: this });
            const previewRole = new aws.iam.Role(
                `${name}-${env.stack}-preview`,
                {
                    name: previewRoleName(env.stack),
                    description: `Read-only ${env.pullRequestPreviews ? "previews and " : ""}drift checks of ${env.stack}`,
                    assumeRolePolicy: trust([...(env.pullRequestPreviews ? [`repo:${args.repository}:pull_request`] : []), `repo:${args.repository}:ref:refs/heads/main`]),
                    permissionsBoundary: boundary.arn,
                    tags: { ...tags, environment: env.stack },
                },
                { parent: this },
            );
            new aws.iam.RolePolicyAttachment(`${name}-${env.stack}-preview-readonly`, { role: previewRole.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/ReadOnlyAccess` }, { parent: this });
            new aws.iam.RolePolicy(
                `${name}-${env.stack}-preview-state`,
                {
                    role: previewRole.id,
                    policy: pulumi.jsonStringify({
                        Version: "2012-10-17",
                        Statement: [
                            { Effect: "Allow", Action: "s3:ListBucket", Resource: args.stateBucketArn },
                            { Effect: "Allow", Action: "s3:GetObject", Resource: pulumi.interpolate`${args.stateBucketArn}/.pulumi/*` },
                            { Effect: "Allow", Action: ["kms:Decrypt", "kms:DescribeKey"], Resource: [key.arn, args.stateKeyArn] },
                        ],
                    }),
                },
                { parent: this },
            );
            deploy[env.stack] = deployRole.arn;
            preview[env.stack] = previewRole.arn;
        }

        this.deployRoleArns = pulumi.output(deploy);
        this.previewRoleArns = pulumi.output(preview);
        this.secretsProviders = Object.fromEntries(keys.map(({ env }) => [env.stack, `awskms://alias/pr-cybr-${env.stack}`]));
        this.registerOutputs({ deployRoleArns: this.deployRoleArns, previewRoleArns: this.previewRoleArns });
    }
}
