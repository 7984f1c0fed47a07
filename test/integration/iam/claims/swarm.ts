// The Swarm managers' instance role reads exactly the swarm's secrets and its Raft backups (to restore
// them on a host); the backups are readable by no other workload role, and the hosts never get the
// environment key (docs/architecture.md "Swarm decisions" and "Secrets decisions", docs/runbooks/swarm.md).
import { Claim, request } from "../lib/claims";
import { resourceNamed } from "../lib/plans";
import { RoleModel, World } from "../lib/world";

const SWARM_DOC = "docs/architecture.md#swarm-decisions";
const RESTORE_DOC = "docs/runbooks/swarm.md#raft-backups-and-restore";

export async function swarmClaims(world: World): Promise<Claim[]> {
    const env = world.plan.stack;
    const swarm = `pr-cybr-${env}-swarm`;
    const managers = await world.role(`pr-cybr-${env}-swarm-role`);
    const as = (role: RoleModel, session: string) => ({ principal: world.session(role, session), identityPolicies: role.identityPolicies, boundary: role.boundary, resourceAccount: world.account });
    const host = as(managers, "i-0a1b2c3d4e5f60718");
    const claims: Claim[] = [];

    for (const name of ["manager-join-token", "worker-join-token", "dockerd-tls/ca", "dockerd-tls/cert", "dockerd-tls/key"]) {
        claims.push(request(`${env}: a manager reads ${swarm}/${name}`, SWARM_DOC, "Allowed", () => ({ ...host, action: "secretsmanager:GetSecretValue", resource: world.secret(`${swarm}/${name}`).arn })));
    }
    const bundle = world.secrets().find((s) => String(s.inputs.name).endsWith("/bundle"));
    if (bundle) claims.push(request(`${env}: a manager cannot read an edge bundle`, SWARM_DOC, "Denied", () => ({ ...host, action: "secretsmanager:GetSecretValue", resource: world.secret(bundle.inputs.name).arn })));
    const environmentKey = world.keyArnOfAlias(`alias/pr-cybr-${env}-secrets`);
    claims.push(request(`${env}: a manager never gets the environment key`, "docs/architecture.md#secrets-decisions", "Denied", () => ({ ...host, action: "kms:Decrypt", resource: environmentKey, resourcePolicy: world.keyPolicy(environmentKey), context: { "kms:ViaService": `secretsmanager.${world.region}.amazonaws.com`, "kms:CallerAccount": world.account } })));

    const bucket = String(resourceNamed(world.plan, `pr-cybr-${env}-swarm-backup-bucket`).inputs.bucket);
    const backup = (role: RoleModel, session: string, action: string) => () => ({ ...as(role, session), action, resource: `arn:aws:s3:::${bucket}/raft/2026/12/01/120000-i-0a1b2c3d4e5f60718.tar.gz`, resourcePolicy: world.bucketPolicy(bucket), context: { "aws:SecureTransport": "true" } });
    claims.push(request(`${env}: a manager uploads its hourly Raft backup`, RESTORE_DOC, "Allowed", backup(managers, "i-0a1b2c3d4e5f60718", "s3:PutObject")));
    claims.push(request(`${env}: a manager downloads a Raft backup to restore it (step 3)`, RESTORE_DOC, "Allowed", backup(managers, "i-0a1b2c3d4e5f60718", "s3:GetObject")));
    const swarmKey = world.secret(`${swarm}/worker-join-token`).kmsKeyArn;
    // The tarballs hold the unlocked Raft key: the bucket refuses an upload that asks for another key
    // (S3 answers `--sse aws:kms` without a key id with the account's aws/s3 key, overriding the default).
    const upload = (context: Record<string, string>) => () => ({ ...backup(managers, "i-0a1b2c3d4e5f60718", "s3:PutObject")(), context: { "aws:SecureTransport": "true", ...context } });
    const otherKey = `arn:aws:kms:${world.region}:${world.account}:key/00000000-0000-4000-8000-000000000000`;
    claims.push(request(`${env}: a Raft backup may name the swarm's key`, RESTORE_DOC, "Allowed", upload({ "s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": swarmKey })));
    claims.push(request(`${env}: a Raft backup cannot ask for aws:kms without a key id (the account's aws/s3 key)`, RESTORE_DOC, "Denied", upload({ "s3:x-amz-server-side-encryption": "aws:kms" })));
    claims.push(request(`${env}: a Raft backup cannot name another KMS key`, RESTORE_DOC, "Denied", upload({ "s3:x-amz-server-side-encryption": "aws:kms", "s3:x-amz-server-side-encryption-aws-kms-key-id": otherKey })));
    claims.push(request(`${env}: a Raft backup cannot ask for SSE-S3`, RESTORE_DOC, "Denied", upload({ "s3:x-amz-server-side-encryption": "AES256" })));
    claims.push(request(`${env}: a manager decrypts what the swarm key encrypts (secrets, backups)`, RESTORE_DOC, "Allowed", () => ({ ...host, action: "kms:Decrypt", resource: swarmKey, resourcePolicy: world.keyPolicy(swarmKey) })));
    // The hourly backup takes its host out of the load balancers first (Standby) and back after.
    const group = (name: string) => `arn:aws:autoscaling:${world.region}:${world.account}:autoScalingGroup:00000000-0000-4000-8000-000000000001:autoScalingGroupName/${name}`;
    for (const action of ["autoscaling:EnterStandby", "autoscaling:ExitStandby"]) {
        claims.push(request(`${env}: a manager may ${action} its swarm's manager group for a backup`, RESTORE_DOC, "Allowed", () => ({ ...host, action, resource: group(`${swarm}-manager-0`) })));
        claims.push(request(`${env}: a manager cannot ${action} another group`, RESTORE_DOC, "Denied", () => ({ ...host, action, resource: group(`pr-cybr-${env}-ng-system`) })));
    }
    claims.push(request(`${env}: a manager reads its instance's Standby state`, RESTORE_DOC, "Allowed", () => ({ ...host, action: "autoscaling:DescribeAutoScalingInstances", resource: "*" })));
    const edge = await world.role(`pr-cybr-${env}-edge-access-role`);
    const rotation = await world.role(`pr-cybr-${env}-swarm-token-rotation-role`);
    for (const [who, role] of [["an edge node", edge], ["the rotation function", rotation]] as const) {
        claims.push(request(`${env}: ${who} cannot read the Raft backups`, RESTORE_DOC, "Denied", backup(role, "session", "s3:GetObject")));
    }
    return claims;
}
