// GitHub Actions' OIDC tokens against the bootstrap's roles: pull requests preview dev with the
// read-only role; nothing a pull request can assume decrypts prod's secrets (anyone who can push a
// branch can change the workflow a pull request runs); main's scheduled drift check reads prod.
import { Claim, request } from "../lib/claims";
import { decide, Decision } from "../lib/evaluator";
import { resourceNamed } from "../lib/plans";
import { RoleModel, World } from "../lib/world";

const GITHUB = "token.actions.githubusercontent.com";

/**
 * The `sub` GitHub puts in a job's token: `repo:<owner>/<repo>:pull_request` for pull_request events,
 * `:environment:<name>` for jobs in an environment, `:ref:<ref>` otherwise (GitHub docs, "About
 * security hardening with OpenID Connect", example subject claims).
 */
const token = (global: World, role: RoleModel, sub: string) => ({
    principal: `arn:aws:iam::${global.account}:oidc-provider/${GITHUB}`,
    action: "sts:AssumeRoleWithWebIdentity",
    resource: role.arn,
    resourceAccount: global.account,
    resourcePolicy: role.trust,
    context: { [`${GITHUB}:sub`]: sub, [`${GITHUB}:aud`]: "sts.amazonaws.com" },
});

export async function previewClaims(global: World, prod: World, repository: string): Promise<Claim[]> {
    const roles = await Promise.all(global.rolesNamed().map((r) => global.role(r.name)));
    const byName = (n: string) => roles.find((r) => r.name === n)!;
    const pullRequest = `repo:${repository}:pull_request`;
    const claims: Claim[] = [
        request("a pull request's token assumes pr-cybr-preview-dev", "README.md#backend-bootstrap-once-per-aws-account", "Allowed", () => token(global, byName("pr-cybr-preview-dev"), pullRequest)),
        request("main's scheduled drift check assumes pr-cybr-preview-prod", "docs/runbooks/drift.md", "Allowed", () => token(global, byName("pr-cybr-preview-prod"), `repo:${repository}:ref:refs/heads/main`)),
        request("a pull request's token cannot assume pr-cybr-preview-prod", "README.md#backend-bootstrap-once-per-aws-account", "Denied", () => token(global, byName("pr-cybr-preview-prod"), pullRequest)),
        request("a pull request's token cannot assume pr-cybr-deploy-dev", "README.md#backend-bootstrap-once-per-aws-account", "Denied", () => token(global, byName("pr-cybr-deploy-dev"), pullRequest)),
        request("a pull request's token cannot assume pr-cybr-deploy-prod", "README.md#backend-bootstrap-once-per-aws-account", "Denied", () => token(global, byName("pr-cybr-deploy-prod"), pullRequest)),
        request("another repository's pull request cannot assume pr-cybr-preview-dev", "README.md#backend-bootstrap-once-per-aws-account", "Denied", () => token(global, byName("pr-cybr-preview-dev"), `repo:someone/${repository.split("/")[1]}:pull_request`)),
    ];

    const session = (role: RoleModel) => ({ principal: global.session(role, "GitHubActions"), identityPolicies: role.identityPolicies, boundary: role.boundary, resourceAccount: global.account });
    const prodProviderKey = global.keyArnOfAlias("alias/pr-cybr-prod");
    const prodEnvironmentKey = prod.keyArnOfAlias(`alias/pr-cybr-${prod.plan.stack}-secrets`);
    const decryptions: { what: string; key: string; policy: any; context: Record<string, string> }[] = [
        { what: "prod's stack secrets (secrets-provider key alias/pr-cybr-prod)", key: prodProviderKey, policy: global.keyPolicy(prodProviderKey), context: {} },
        { what: "prod's Secrets Manager secrets (environment key, through Secrets Manager)", key: prodEnvironmentKey, policy: prod.keyPolicy(prodEnvironmentKey), context: { "kms:ViaService": `secretsmanager.${prod.region}.amazonaws.com`, "kms:CallerAccount": prod.account } },
    ];
    for (const d of decryptions) {
        claims.push({
            claim: `no role a pull request can assume decrypts ${d.what}`,
            source: "README.md#cicd (pr-preview.yml runs on pull requests)",
            expect: "Denied",
            decide: async () => {
                const assumable = [];
                for (const role of roles) if ((await decide(token(global, role, pullRequest))) === "Allowed") assumable.push(role);
                for (const role of assumable) {
                    const decision: Decision = await decide({ ...session(role), action: "kms:Decrypt", resource: d.key, resourcePolicy: d.policy, context: d.context });
                    if (decision === "Allowed") return { decision, note: `${role.name} is assumable by a pull request and decrypts` };
                }
                return { decision: "ImplicitlyDenied", note: `assumable by a pull request: ${assumable.map((r) => r.name).join(", ") || "none"}` };
            },
        });
    }
    const previewProd = byName("pr-cybr-preview-prod");
    const bucket = String(resourceNamed(global.plan, "pr-cybr-state-bucket").inputs.bucket);
    const prodState = `arn:aws:s3:::${bucket}/.pulumi/stacks/${prod.plan.project}/${prod.plan.stack}.json`;
    claims.push(request("pr-cybr-preview-prod reads prod's state (drift checks)", "docs/runbooks/drift.md", "Allowed", () => ({ ...session(previewProd), action: "s3:GetObject", resource: prodState, resourcePolicy: global.bucketPolicy(bucket), context: { "aws:SecureTransport": "true" } })));
    claims.push(request("pr-cybr-preview-prod decrypts prod's stack secrets (drift checks)", "docs/runbooks/drift.md", "Allowed", () => ({ ...session(previewProd), action: "kms:Decrypt", resource: prodProviderKey, resourcePolicy: global.keyPolicy(prodProviderKey) })));
    claims.push(request("pr-cybr-preview-prod cannot write prod's state (read-only)", "docs/runbooks/drift.md", "Denied", () => ({ ...session(previewProd), action: "s3:PutObject", resource: prodState, resourcePolicy: global.bucketPolicy(bucket), context: { "aws:SecureTransport": "true" } })));
    return claims;
}
