/**
 * Account-wide names and disaster recovery: a recovery stack in another region of the same account
 * sets `globalNameSuffix`, and then none of its account-wide names collides with the original's;
 * without it every name is what existing stacks already hold (no replacement).
 */
import * as fs from "fs";
import * as path from "path";
import type { Plan, PlanResource } from "../tools/lib/plan";
import { validateEnvironmentBudgetArgs } from "../components/cost";
import { validateEdgeAccessArgs } from "../components/edge";
import { validateSwarmManagersArgs } from "../components/swarm";
import { parseStackConfig } from "../stacks/config";
import { derivedStackFile, runTool, sharedPlan, tempDir } from "./helpers/cli";
import { withEdit } from "./helpers/config";

/** Types whose names are unique per account (IAM, Budgets, a Cloudflare account's tunnels) or world-wide (S3). */
const ACCOUNT_WIDE = /^aws:iam\/|^aws:budgets\/|^aws:s3\/bucket(V2)?:Bucket(V2)?$|^cloudflare:index\/zeroTrustTunnelCloudflared:/;
/** The explicit physical name of a resource, if the program sets one (unset: Pulumi adds a random suffix). */
const physicalName = (r: PlanResource) => [r.inputs.name, r.inputs.bucket, r.inputs.namePrefix].find((v): v is string => typeof v === "string");
const accountWideNames = (plan: Plan) =>
    plan.resources
        .filter((r) => ACCOUNT_WIDE.test(r.type) && physicalName(r))
        .map((r) => `${r.type} ${physicalName(r)}`)
        .sort();
const readPlan = (file: string): Plan => JSON.parse(fs.readFileSync(file, "utf8"));

describe("globalNameSuffix", () => {
    it("is unset in the committed stacks, whose account-wide names stay what existing stacks hold", () => {
        expect(accountWideNames(readPlan(sharedPlan("prod")))).toEqual([
            "aws:budgets/budget:Budget pr-cybr-prod-monthly",
            "aws:iam/role:Role pr-cybr-prod-edge-node",
            "aws:s3/bucket:Bucket pr-cybr-prod-swarm-raft-backup-222222222222",
            "aws:s3/bucket:Bucket pr-cybr-prod-velero-222222222222",
            "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared pr-cybr-prod-mayaguez",
            "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared pr-cybr-prod-ponce",
            "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared pr-cybr-prod-san-juan",
        ]);
    });

    it("gives a recovery stack in another region every account-wide name with the suffix (longest suffix, long region: the managers' user data still fits)", () => {
        const dir = tempDir("recovery");
        const file = derivedStackFile(dir, "prod", (c) => {
            c["aws:region"] = "ap-southeast-2";
            c["pr-cybr-platform:globalNameSuffix"] = "apse2-dr";
        });
        const run = runTool("synth", ["--stack", "prod", "--config", file, "--out", dir]);
        expect(run.stderr).toBe("");
        expect(run.status).toBe(0);
        const names = accountWideNames(readPlan(path.join(dir, "prod.plan.json")));
        expect(names.length).toBeGreaterThanOrEqual(6);
        expect(names.filter((n) => !/-apse2-dr$/.test(n))).toEqual([]);
    });

    it.each([
        ["US_E2", 'globalNameSuffix: "US_E2" is not a name suffix (up to 8 lowercase letters'],
        ["recovery-1", 'globalNameSuffix: "recovery-1" is not a name suffix'],
        ["-dr", 'globalNameSuffix: "-dr" is not a name suffix'],
    ])("rejects %j, naming the key and what is allowed", (suffix, message) => {
        const problems = parseStackConfig(withEdit("prod", (raw) => (raw.globalNameSuffix = suffix))).problems ?? [];
        expect(problems.map((p) => `${p.path}: ${p.message}`).join("\n")).toContain(message);
    });

    it("is validated by each component that takes it, naming the argument", () => {
        const bad = { globalNameSuffix: "US_E2" };
        expect(() => validateEnvironmentBudgetArgs({ environment: "prod", monthlyLimitUsd: 1, emails: ["a@b.c"], ...bad })).toThrow(/globalNameSuffix: "US_E2" is not a name suffix/);
        expect(() => validateEdgeAccessArgs({ namePrefix: "p", caCertPem: "", caCommonName: "ca", bundleSecretPrefix: "p/", bundleKmsKeyArn: "", workerToken: { secretArn: "", kmsKeyArn: "" }, agentRepositoryArn: "", ...bad })).toThrow(/globalNameSuffix/);
        expect(() => validateSwarmManagersArgs({ swarmName: "s", vpcId: "v", vpcCidr: "10.0.0.0/16", privateSubnetIds: ["a"], publicSubnetIds: [], vpnCidr: "100.64.0.0/10", deployCidrs: ["10.0.0.0/8"], ...bad })).toThrow(/globalNameSuffix/);
    });
});
