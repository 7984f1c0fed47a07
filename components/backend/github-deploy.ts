import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags } from "../shared/tags";
import { boundaryDocument, boundaryName, deployRoleName, previewRoleName } from "./boundary";
import { ArgProblem, throwIfProblems } from "../shared/validation";

export const GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com";
const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

/** Deploy sessions last as long as the longest deploy job (prod: 120 min, EKS upgrades). */
export const DEPLOY_SESSION_SECONDS = 7200;
/** Preview and drift jobs stop after 30 minutes; an hour is the AWS default and enough. */
export const PREVIEW_SESSION_SECONDS = 3600;

export interface GitHubDeployArgs {
    /** The repository, "owner/name"; every trust is pinned to it. Required. */
    readonly repository: string;
    /** The state bucket (from StateBucket). Required. */
    readonly stateBucketArn: pulumi.Input<string>;
    /** The state bucket's KMS key. Required. */
    readonly stateKeyArn: pulumi.Input<string>;
    /** The project whose stacks live under `.pulumi/stacks/<project>/`. Required. */
    readonly project: string;
    /** The one platform stack this account holds (dev, prod). Required. */
    readonly stack: string;
    /** GitHub environments whose jobs may assume the deploy role (e.g. ["production", "production-rotation"]). Required. */
    readonly deployEnvironments: string[];
    /**
     * Further OIDC subjects (after `repo:<owner>/<name>:`) the preview role trusts besides main's drift
     * checks: `pull_request`, or `environment:<name>` for a reviewer-gated environment. A preview session
     * decrypts the stack's secrets. Defaults to [] (main only).
     */
    readonly previewSubjects?: string[];
    /**
     * Secrets Manager secrets (names) the program reads while it previews: the preview role may read
     * exactly these, decrypted through Secrets Manager with the environment key. Defaults to [].
     */
    readonly previewSecrets?: string[];
    /** Alias of the environment key those secrets are encrypted with. Defaults to `alias/pr-cybr-<stack>-secrets`. */
    readonly environmentKeyAlias?: string;
    /** Tags on every taggable child. Defaults to {}. */
    readonly tags?: Tags;
}

export function validateGitHubDeployArgs(args: GitHubDeployArgs): void {
    const problems: ArgProblem[] = [];
    if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(args.repository)) problems.push({ path: "repository", reason: `"${args.repository}" is not "owner/name"` });
    if (!/^[a-z0-9-]+$/.test(args.stack)) problems.push({ path: "stack", reason: `"${args.stack}" is not a stack name` });
    if (args.deployEnvironments.length === 0) problems.push({ path: "deployEnvironments", reason: "is empty (name the GitHub environment that gates deploys)" });
    (args.previewSubjects ?? []).forEach((s, i) => {
        if (!/^(pull_request|environment:[A-Za-z0-9._-]+)$/.test(s)) problems.push({ path: `previewSubjects[${i}]`, reason: `"${s}" is not "pull_request" or "environment:<name>"` });
    });
    throwIfProblems("GitHubDeploy", problems);
}

/**
 * What CI needs to deploy one account's stack without long-lived keys: GitHub's OIDC provider, the
 * stack's secrets-provider key (`awskms://alias/pr-cybr-<stack>`), a deploy role only jobs in the
 * stack's GitHub environments can assume, and a read-only preview role for main's drift checks and
 * the previews `previewSubjects` admit. One permissions boundary bounds both roles and every role the
 * deploy role creates.
 */
export class GitHubDeploy extends pulumi.ComponentResource {
    public readonly deployRoleArn: pulumi.Output<string>;
    public readonly previewRoleArn: pulumi.Output<string>;
    public readonly boundaryArn: pulumi.Output<string>;
    /** `awskms://alias/...` secrets-provider URL of the stack (without region). */
    public readonly secretsProvider: string;

    constructor(name: string, args: GitHubDeployArgs, opts?: pulumi.ComponentResourceOptions) {
        validateGitHubDeployArgs(args);
        super("pr-cybr:backend:GitHubDeploy", name, {}, opts);
        const tags = { ...args.tags, environment: args.stack };
        const stack = args.stack;
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const region = aws.getRegionOutput({}, { parent: this }).region;
        const oidc = new aws.iam.OpenIdConnectProvider(`${name}-github-oidc`, { url: GITHUB_OIDC_URL, clientIdLists: ["sts.amazonaws.com"], tags: { ...tags, Name: "github-actions" } }, { parent: this });

        const key = new aws.kms.Key(`${name}-${stack}-secrets-key`, { description: `Pulumi secrets provider of stack ${stack}`, enableKeyRotation: true, deletionWindowInDays: 30, tags: { ...tags, Name: `pr-cybr-${stack}` } }, { parent: this, protect: true });
        new aws.kms.Alias(`${name}-${stack}-secrets-key-alias`, { name: `alias/pr-cybr-${stack}`, targetKeyId: key.keyId }, { parent: this });

        const trust = (subjects: string[]) =>
            pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { Federated: oidc.arn },
                        Action: "sts:AssumeRoleWithWebIdentity",
                        // StringEquals, not StringLike: each subject is exact (GitHub OIDC docs, example subject claims).
                        Condition: { StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: "sts.amazonaws.com", [`${GITHUB_OIDC_HOST}:sub`]: subjects.map((s) => `repo:${args.repository}:${s}`) } },
                    },
                ],
            });

        // Named, so that the boundary can name itself and the roles it protects.
        const boundary = new aws.iam.Policy(
            `${name}-${stack}-boundary`,
            {
                name: boundaryName(stack),
                description: `Permissions boundary of the ${stack} deploy and preview roles and of every role the deploy role creates`,
                policy: boundaryDocument({ partition, account, stack, stateBucketArn: args.stateBucketArn, stateKeyArn: args.stateKeyArn, secretsKeyArn: key.arn, oidcProviderArn: oidc.arn }),
                tags,
            },
            { parent: this },
        );
        const deployRole = new aws.iam.Role(
            `${name}-${stack}-deploy`,
            {
                name: deployRoleName(stack),
                description: `GitHub Actions deploys of ${stack} (environments ${args.deployEnvironments.join(", ")})`,
                assumeRolePolicy: trust(args.deployEnvironments.map((e) => `environment:${e}`)),
                permissionsBoundary: boundary.arn,
                maxSessionDuration: DEPLOY_SESSION_SECONDS,
                tags,
            },
            { parent: this },
        );
        // The platform creates IAM roles, VPCs, clusters and keys: deploys need broad rights; the
        // boundary (and the account: the other environment is another one) is what narrows them.
        new aws.iam.RolePolicyAttachment(`${name}-${stack}-deploy-admin`, { role: deployRole.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/AdministratorAccess` }, { parent: this });

        const previewSubjects = args.previewSubjects ?? [];
        const previewRole = new aws.iam.Role(
            `${name}-${stack}-preview`,
            {
                name: previewRoleName(stack),
                description: `Read-only previews (${previewSubjects.join(", ") || "none"}) and main's drift checks of ${stack}`,
                assumeRolePolicy: trust([...previewSubjects, "ref:refs/heads/main"]),
                permissionsBoundary: boundary.arn,
                maxSessionDuration: PREVIEW_SESSION_SECONDS,
                tags,
            },
            { parent: this },
        );
        new aws.iam.RolePolicyAttachment(`${name}-${stack}-preview-readonly`, { role: previewRole.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/ReadOnlyAccess` }, { parent: this });
        const secretArns = (args.previewSecrets ?? []).map((s) => pulumi.interpolate`arn:${partition}:secretsmanager:${region}:${account}:secret:${s}-??????`);
        const keyAlias = args.environmentKeyAlias ?? `alias/pr-cybr-${stack}-secrets`;
        new aws.iam.RolePolicy(
            `${name}-${stack}-preview-state`,
            {
                role: previewRole.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        { Sid: "ListState", Effect: "Allow", Action: "s3:ListBucket", Resource: args.stateBucketArn },
                        { Sid: "ReadState", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: pulumi.interpolate`${args.stateBucketArn}/.pulumi/*` },
                        { Sid: "DecryptStateAndStackSecrets", Effect: "Allow", Action: ["kms:Decrypt", "kms:DescribeKey"], Resource: [key.arn, args.stateKeyArn] },
                        // What the program reads from Secrets Manager while it previews (stack config names them).
                        ...(secretArns.length === 0
                            ? []
                            : [
                                  { Sid: "ReadPreviewSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArns },
                                  {
                                      Sid: "DecryptPreviewSecrets",
                                      Effect: "Allow",
                                      Action: "kms:Decrypt",
                                      Resource: pulumi.interpolate`arn:${partition}:kms:${region}:${account}:key/*`,
                                      Condition: { StringEquals: { "kms:ViaService": pulumi.interpolate`secretsmanager.${region}.amazonaws.com` }, "ForAnyValue:StringEquals": { "kms:ResourceAliases": keyAlias } },
                                  },
                              ]),
                    ],
                }),
            },
            { parent: this },
        );

        this.deployRoleArn = deployRole.arn;
        this.previewRoleArn = previewRole.arn;
        this.boundaryArn = boundary.arn;
        this.secretsProvider = `awskms://alias/pr-cybr-${stack}`;
        this.registerOutputs({ deployRoleArn: this.deployRoleArn, previewRoleArn: this.previewRoleArn, boundaryArn: this.boundaryArn });
    }
}
