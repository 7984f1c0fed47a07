// Edge nodes: a Roles Anywhere session, tagged from the node's certificate, reads its own secrets and
// nothing of another node's (docs/architecture.md "Edge decisions", docs/runbooks/edge.md).
import { Claim, request } from "../lib/claims";
import { resourcesOfType } from "../lib/plans";
import { World } from "../lib/world";

const EDGE_DOC = "docs/architecture.md#edge-decisions";
const IDENTITY_TAG = "pr-cybr.io/edge-identity";

export async function edgeClaims(world: World, other: World): Promise<Claim[]> {
    const env = world.plan.stack;
    const role = await world.role(`pr-cybr-${env}-edge-access-role`);
    const otherRole = await other.role(`pr-cybr-${other.plan.stack}-edge-access-role`);
    const caCommonName = (w: World) => resourcesOfType(w.plan, "tls:index/selfSignedCert:SelfSignedCert").find((c) => c.name === `pr-cybr-${w.plan.stack}-edge-ca-cert`)?.inputs.subject.commonName as string;
    const anchorOf = (trust: any) => [trust.Statement].flat().find((s: any) => s.Effect === "Allow").Condition.ArnEquals["aws:SourceArn"] as string;
    const nodeSecrets = world.secrets().filter((s) => s.inputs.tags?.[IDENTITY_TAG]);
    const bundles = nodeSecrets.filter((s) => String(s.inputs.name).endsWith("/bundle"));
    const swarm = `pr-cybr-${env}-swarm`;
    const claims: Claim[] = [];

    // One session per node, as Roles Anywhere creates it: principal tags from the certificate.
    const session = (cn: string) => ({
        principal: world.session(role, "4f1b2c9d8e7a6b5c"),
        identityPolicies: role.identityPolicies,
        boundary: role.boundary,
        context: { "aws:PrincipalTag/x509Subject/CN": cn, "aws:PrincipalTag/x509Issuer/CN": caCommonName(world) },
    });
    const readSecret = (cn: string, name: string) => {
        const s = world.secret(name);
        return { ...session(cn), action: "secretsmanager:GetSecretValue", resource: s.arn, resourceAccount: world.account, context: { ...session(cn).context, [`aws:ResourceTag/${IDENTITY_TAG}`]: s.tags[IDENTITY_TAG] ?? "" } };
    };

    for (const bundle of bundles) {
        const node = bundle.inputs.tags["pr-cybr.io/edge-node"];
        const cn = bundle.inputs.tags[IDENTITY_TAG];
        for (const target of nodeSecrets) {
            const own = target.inputs.tags[IDENTITY_TAG] === cn;
            claims.push(request(`${env}: edge node ${node}'s session ${own ? "reads" : "cannot read"} ${target.inputs.name}`, EDGE_DOC, own ? "Allowed" : "Denied", () => readSecret(cn, target.inputs.name)));
        }
        claims.push(request(`${env}: edge node ${node} reads the swarm worker join token`, EDGE_DOC, "Allowed", () => readSecret(cn, `${swarm}/worker-join-token`)));
        claims.push(request(`${env}: edge node ${node} cannot read the swarm manager join token`, EDGE_DOC, "Denied", () => readSecret(cn, `${swarm}/manager-join-token`)));
        claims.push(request(`${env}: edge node ${node} cannot read the dockerd TLS key`, EDGE_DOC, "Denied", () => readSecret(cn, `${swarm}/dockerd-tls/key`)));
        const keyArn = world.secret(bundle.inputs.name).kmsKeyArn;
        const decrypt = (via?: string) => ({ ...session(cn), action: "kms:Decrypt", resource: keyArn, resourceAccount: world.account, resourcePolicy: world.keyPolicy(keyArn), context: { ...session(cn).context, "kms:CallerAccount": world.account, ...(via ? { "kms:ViaService": via } : {}) } });
        claims.push(request(`${env}: edge node ${node} decrypts its bundle through Secrets Manager`, "docs/architecture.md#secrets-decisions", "Allowed", () => decrypt(`secretsmanager.${world.region}.amazonaws.com`)));
        claims.push(request(`${env}: edge node ${node} cannot use the environment key outside Secrets Manager`, "docs/architecture.md#secrets-decisions", "Denied", () => decrypt()));
    }

    // The trust policy: certificates of this environment's CA, through its trust anchor, get a session.
    const assume = (action: string, anchor: string, issuer: string) => ({
        principal: "rolesanywhere.amazonaws.com",
        action,
        resource: role.arn,
        resourceAccount: world.account,
        resourcePolicy: role.trust,
        context: { "aws:SourceArn": anchor, "aws:PrincipalTag/x509Issuer/CN": issuer, "aws:PrincipalTag/x509Subject/CN": bundles[0]?.inputs.tags[IDENTITY_TAG] ?? "n0d3" },
    });
    // Roles Anywhere needs AssumeRole, TagSession and SetSourceIdentity (IAM Roles Anywhere user guide, "Trust model").
    for (const action of ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]) {
        claims.push(request(`${env}: a certificate of the ${env} edge CA gets a session of the edge role (${action})`, "docs/runbooks/edge.md", "Allowed", () => assume(action, anchorOf(role.trust), caCommonName(world))));
    }
    claims.push(request(`${env}: a certificate of another CA gets no session of the edge role`, EDGE_DOC, "Denied", () => assume("sts:AssumeRole", anchorOf(role.trust), "some other CA")));
    claims.push(request(`${env}: a ${other.plan.stack} edge certificate gets no session of the ${env} edge role`, EDGE_DOC, "Denied", () => assume("sts:AssumeRole", anchorOf(otherRole.trust), caCommonName(other))));
    return claims;
}
