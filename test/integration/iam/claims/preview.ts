// GitHub Actions' OIDC tokens against the bootstrap's roles of both accounts: pull requests preview dev
// with the read-only role; prod's preview only in the reviewer-gated `production-preview` environment
// and main's drift checks; nothing a pull request can assume decrypts prod's secrets; a branch other
// than main gets no role; the preview role reads exactly the secrets the program reads at preview.
import { Claim, request } from "../lib/claims";
import { decide, Decision } from "../lib/evaluator";
import { resourceNamed } from "../lib/plans";
import { RoleModel, World } from "../lib/world";
import { Account } from "./backend";

const GITHUB = "token.actions.githubusercontent.com";
const README = "README.md#backend-bootstrap-one-stack-per-aws-account";
const SETTINGS = "docs/runbooks/github-settings.md";

/**
 * The `sub` GitHub puts in a job's token: `repo:<owner>/<repo>:environment:<name>` for a job in an
 * environment, else `:pull_request` for pull_request events, else `:ref:<ref>` (GitHub docs, "About
 * security hardening with OpenID Connect", example subject claims).
 */
const token = (world: World, role: RoleModel, sub: string) => ({
    principal: `arn:aws:iam::${world.account}:oidc-provider/${GITHUB}`,
    action: "sts:AssumeRoleWithWebIdentity",
    resource: role.arn,
    resourceAccount: world.account,
    resourcePolicy: role.trust,
    context: { [`${GITHUB}:sub`]: sub, [`${GITHUB}:aud`]: "sts.amazonaws.com" },
});

const session = (world: World, role: RoleModel) => ({ principal: world.session(role, "GitHubActions"), identityPolicies: role.identityPolicies, boundary: role.boundary, resourceAccount: world.account });

export async function previewClaims(dev: Account, prod: Account, repository: string, prodPreviewSecrets: string[]): Promise<Claim[]> {
    const roles: { world: World; role: RoleModel }[] = [];
    for (const a of [dev, prod]) for (const r of a.backend.rolesNamed()) roles.push({ world: a.backend, role: await a.backend.role(r.name) });
    const byName = (n: string) => roles.find((r) => r.role.name === n)!;
    const sub = (s: string) => `repo:${repository}:${s}`;
    const assume = (claim: string, source: string, expect: "Allowed" | "Denied", roleName: string, subject: string) =>
        request(claim, source, expect, () => token(byName(roleName).world, byName(roleName).role, sub(subject)));
    const claims: Claim[] = [
        assume("a pull request's token assumes pr-cybr-preview-dev", README, "Allowed", "pr-cybr-preview-dev", "pull_request"),
        assume("main's scheduled drift check assumes pr-cybr-preview-prod", "docs/runbooks/drift.md", "Allowed", "pr-cybr-preview-prod", "ref:refs/heads/main"),
        assume("a job in production-preview (required reviewers) assumes pr-cybr-preview-prod", SETTINGS, "Allowed", "pr-cybr-preview-prod", "environment:production-preview"),
        assume("a pull request's token cannot assume pr-cybr-preview-prod", README, "Denied", "pr-cybr-preview-prod", "pull_request"),
        assume("a pull request's token cannot assume pr-cybr-deploy-dev", README, "Denied", "pr-cybr-deploy-dev", "pull_request"),
        assume("a pull request's token cannot assume pr-cybr-deploy-prod", README, "Denied", "pr-cybr-deploy-prod", "pull_request"),
        assume("a job in production-preview cannot assume pr-cybr-deploy-prod", SETTINGS, "Denied", "pr-cybr-deploy-prod", "environment:production-preview"),
        assume("a job in dev cannot assume pr-cybr-deploy-prod", SETTINGS, "Denied", "pr-cybr-deploy-prod", "environment:dev"),
        assume("a push to a feature branch cannot assume pr-cybr-preview-prod", SETTINGS, "Denied", "pr-cybr-preview-prod", "ref:refs/heads/feature"),
        assume("a push to a feature branch cannot assume pr-cybr-deploy-dev", SETTINGS, "Denied", "pr-cybr-deploy-dev", "ref:refs/heads/feature"),
        assume("a job in production deploys prod", SETTINGS, "Allowed", "pr-cybr-deploy-prod", "environment:production"),
        assume("a job in dev deploys dev", SETTINGS, "Allowed", "pr-cybr-deploy-dev", "environment:dev"),
        request("another repository's pull request cannot assume pr-cybr-preview-dev", README, "Denied", () => token(byName("pr-cybr-preview-dev").world, byName("pr-cybr-preview-dev").role, `repo:someone/${repository.split("/")[1]}:pull_request`)),
    ];

    const prodProviderKey = prod.backend.keyArnOfAlias("alias/pr-cybr-prod");
    const prodEnvironmentKey = prod.platform.keyArnOfAlias("alias/pr-cybr-prod-secrets");
    const viaSecretsManager = (caller: World) => ({ "kms:ViaService": `secretsmanager.${prod.platform.region}.amazonaws.com`, "kms:CallerAccount": caller.account, "kms:ResourceAliases": ["alias/pr-cybr-prod-secrets"] });
    const decryptions = [
        { what: "prod's stack secrets (secrets-provider key alias/pr-cybr-prod)", key: prodProviderKey, policy: prod.backend.keyPolicy(prodProviderKey), context: () => ({}) },
        { what: "prod's Secrets Manager secrets (environment key, through Secrets Manager)", key: prodEnvironmentKey, policy: prod.platform.keyPolicy(prodEnvironmentKey), context: viaSecretsManager },
    ];
    for (const d of decryptions) {
        claims.push({
            claim: `no role a pull request can assume decrypts ${d.what}`,
            source: "README.md#cicd (pr-preview.yml runs on pull requests)",
            expect: "Denied",
            decide: async () => {
                const assumable = [];
                for (const r of roles) if ((await decide(token(r.world, r.role, sub("pull_request")))) === "Allowed") assumable.push(r);
                for (const r of assumable) {
                    const decision: Decision = await decide({ ...session(r.world, r.role), resourceAccount: prod.platform.account, action: "kms:Decrypt", resource: d.key, resourcePolicy: d.policy, context: d.context(r.world) });
                    if (decision === "Allowed") return { decision, note: `${r.role.name} is assumable by a pull request and decrypts` };
                }
                return { decision: "ImplicitlyDenied", note: `assumable by a pull request: ${assumable.map((r) => r.role.name).join(", ") || "none"}` };
            },
        });
    }

    const previewProd = byName("pr-cybr-preview-prod");
    const as = session(prod.backend, previewProd.role);
    const bucket = String(resourceNamed(prod.backend.plan, "pr-cybr-state-bucket").inputs.bucket);
    const prodState = `arn:aws:s3:::${bucket}/.pulumi/stacks/${prod.platform.plan.project}/${prod.platform.plan.stack}.json`;
    const stateRequest = (action: string) => () => ({ ...as, action, resource: prodState, resourcePolicy: prod.backend.bucketPolicy(bucket), context: { "aws:SecureTransport": "true" } });
    claims.push(
        request("pr-cybr-preview-prod reads prod's state (drift checks)", "docs/runbooks/drift.md", "Allowed", stateRequest("s3:GetObject")),
        request("pr-cybr-preview-prod decrypts prod's stack secrets (drift checks)", "docs/runbooks/drift.md", "Allowed", () => ({ ...as, action: "kms:Decrypt", resource: prodProviderKey, resourcePolicy: prod.backend.keyPolicy(prodProviderKey) })),
        request("pr-cybr-preview-prod cannot write prod's state (read-only)", "docs/runbooks/drift.md", "Denied", stateRequest("s3:PutObject")),
        request("pr-cybr-preview-prod cannot delete prod's lock (read-only: preview takes none)", "docs/runbooks/deploy.md", "Denied", () => ({ ...stateRequest("s3:DeleteObject")(), resource: `arn:aws:s3:::${bucket}/.pulumi/locks/organization/pr-cybr-platform/prod/0b2f7c1e.json` })),
    );
    // The program reads these at preview (gitops, Cloudflare, edge); nothing else a preview has no need of.
    const secretArn = (name: string) => `arn:aws:secretsmanager:${prod.platform.region}:${prod.platform.account}:secret:${name}-Ab12Cd`;
    for (const name of prodPreviewSecrets) {
        claims.push(request(`pr-cybr-preview-prod reads ${name} (the program reads it at preview)`, README, "Allowed", () => ({ ...as, action: "secretsmanager:GetSecretValue", resource: secretArn(name) })));
    }
    claims.push(
        request("pr-cybr-preview-prod decrypts with the environment key through Secrets Manager", README, "Allowed", () => ({ ...as, action: "kms:Decrypt", resource: prodEnvironmentKey, resourcePolicy: prod.platform.keyPolicy(prodEnvironmentKey), context: viaSecretsManager(prod.backend) })),
        request("pr-cybr-preview-prod cannot decrypt with the environment key outside Secrets Manager", README, "Denied", () => ({ ...as, action: "kms:Decrypt", resource: prodEnvironmentKey, resourcePolicy: prod.platform.keyPolicy(prodEnvironmentKey), context: { "kms:CallerAccount": prod.backend.account, "kms:ResourceAliases": ["alias/pr-cybr-prod-secrets"] } })),
    );
    // The swarm's own secrets (join tokens, dockerd TLS) are not read at preview: their key stays shut.
    // (ReadOnlyAccess is modelled generously, with every Read action, GetSecretValue included: the key is the guard.)
    const swarmKey = prod.platform.keyArnOfAlias("alias/pr-cybr-prod-swarm");
    claims.push(
        request("pr-cybr-preview-prod cannot decrypt with the swarm key (join tokens, dockerd TLS)", README, "Denied", () => ({
            ...as,
            action: "kms:Decrypt",
            resource: swarmKey,
            resourcePolicy: prod.platform.keyPolicy(swarmKey),
            context: { "kms:ViaService": `secretsmanager.${prod.platform.region}.amazonaws.com`, "kms:CallerAccount": prod.backend.account, "kms:ResourceAliases": ["alias/pr-cybr-prod-swarm"] },
        })),
    );
    return claims;
}
