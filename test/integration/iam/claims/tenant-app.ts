// The example tenant app (examples/tenant-apps/asset-injector, issue 20): the Secrets Manager keys its
// ExternalSecret for this environment names are ones the platform lets org-a read — through org-a's ESO
// reader role and through the workload role its pods get from Pod Identity — and no other tenant's roles.
// The keys come from the example's own file, so an example pointing at a path IAM refuses fails here.
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { ROOT } from "../../lib/env";
import { Claim, request } from "../lib/claims";
import { World } from "../lib/world";
import { secretArn, tenantWorkloadRoles } from "./tenant-identity";

const TENANT = "org-a";
const DOC = "docs/runbooks/tenant-onboarding.md; examples/tenant-apps/asset-injector/envs/<env>/external-secret.yaml";

/** The remote keys the example's ExternalSecret for `env` reads. */
export function exampleSecretKeys(env: string): string[] {
    const file = path.join(ROOT, "examples/tenant-apps/asset-injector/envs", env, "external-secret.yaml");
    const es = YAML.parse(fs.readFileSync(file, "utf8"));
    const keys = [...(es.spec.data ?? []).map((d: any) => d.remoteRef.key), ...(es.spec.dataFrom ?? []).map((d: any) => d.extract?.key)].filter(Boolean);
    if (keys.length === 0) throw new Error(`${file}: no remote key`);
    return [...new Set(keys as string[])];
}

export async function tenantAppClaims(world: World): Promise<Claim[]> {
    const env = world.plan.stack;
    const sessionOf = async (roleName: string, session: string) => {
        const role = await world.role(roleName);
        return { principal: world.session(role, session), identityPolicies: role.identityPolicies, boundary: role.boundary, resourceAccount: world.account };
    };
    const reader = await sessionOf(`pr-cybr-${env}-external-secrets-${TENANT}-reader-role`, "aws-go-sdk-1733100000");
    const otherReader = await sessionOf(`pr-cybr-${env}-external-secrets-org-b-reader-role`, "aws-go-sdk-1733100000");
    const workload = (await tenantWorkloadRoles(world)).find((w) => w.tenant === TENANT);
    if (!workload) throw new Error(`${env}: ${TENANT} has no workload role (tenants[].workloadIdentity in Pulumi.${env}.yaml)`);
    const pod = { principal: world.session(workload.role, "eks-pod"), identityPolicies: workload.role.identityPolicies, boundary: workload.role.boundary, resourceAccount: world.account };
    const claims: Claim[] = [];
    for (const key of exampleSecretKeys(env)) {
        const resource = secretArn(world, key);
        claims.push(
            request(`${env}: ${TENANT}'s ESO reader reads the example app's ${key}`, DOC, "Allowed", () => ({ ...reader, action: "secretsmanager:GetSecretValue", resource })),
            request(`${env}: the asset injector's own role (Pod Identity) reads ${key}`, DOC, "Allowed", () => ({ ...pod, action: "secretsmanager:GetSecretValue", resource })),
            request(`${env}: org-b's ESO reader cannot read the example app's ${key}`, DOC, "Denied", () => ({ ...otherReader, action: "secretsmanager:GetSecretValue", resource })),
        );
    }
    return claims;
}
