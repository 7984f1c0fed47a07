// Scenario iam-access: the access our docs promise, as a table of claims (principal, action, resource,
// context -> allowed/denied), each evaluated by iam-simulate from the documents in the plans.
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { autoScalingClaims } from "./claims/autoscaling";
import { Account, backendClaims } from "./claims/backend";
import { ciliumClaims } from "./claims/cilium";
import { containerLogsClaims } from "./claims/container-logs";
import { prometheusClaims } from "./claims/prometheus";
import { ebsCsiClaims } from "./claims/ebs-csi";
import { karpenterClaims } from "./claims/karpenter";
import { edgeClaims } from "./claims/edge";
import { loadBalancerControllerClaims } from "./claims/load-balancer-controller";
import { externalSecretsClaims } from "./claims/external-secrets";
import { logsClaims } from "./claims/logs";
import { previewClaims } from "./claims/preview";
import { rotationClaims } from "./claims/rotation";
import { swarmClaims } from "./claims/swarm";
import { tenantAppClaims } from "./claims/tenant-app";
import { tenantIdentityClaims } from "./claims/tenant-identity";
import { veleroClaims } from "./claims/velero";
import { Claim, evaluateClaims, renderTable } from "./lib/claims";
import { sharedPlan, synthesizeBootstrapPlan } from "./lib/plans";
import { engineVersions } from "./lib/versions";
import { World } from "./lib/world";
import { ROOT } from "../lib/env";
import { recordEngines, scenario } from "../lib/summary";

let claims: Claim[];

beforeAll(async () => {
    // One bootstrap stack per AWS account (docs/architecture.md "Delivery"); its boundary bounds the platform's roles.
    const [devBootstrap, prodBootstrap] = [synthesizeBootstrapPlan("dev"), synthesizeBootstrapPlan("prod")];
    const dev = new World(sharedPlan("dev"), [devBootstrap]);
    const prod = new World(sharedPlan("prod"), [prodBootstrap]);
    const accounts: Account[] = [
        { stack: "dev", backend: new World(devBootstrap), platform: dev },
        { stack: "prod", backend: new World(prodBootstrap), platform: prod },
    ];
    const prodBootstrapConfig = parse(fs.readFileSync(path.join(ROOT, "bootstrap", "Pulumi.prod.yaml"), "utf8")).config;
    claims = [
        ...(await edgeClaims(dev, prod)),
        ...(await edgeClaims(prod, dev)),
        ...(await rotationClaims(dev)),
        ...(await rotationClaims(prod)),
        ...(await swarmClaims(dev)),
        ...(await swarmClaims(prod)),
        ...(await ciliumClaims(dev)),
        ...(await ciliumClaims(prod)),
        ...(await ebsCsiClaims(dev)),
        ...(await ebsCsiClaims(prod)),
        ...(await loadBalancerControllerClaims(dev)),
        ...(await loadBalancerControllerClaims(prod)),
        ...(await karpenterClaims(dev)),
        ...(await karpenterClaims(prod)),
        ...(await containerLogsClaims(dev)),
        ...(await containerLogsClaims(prod)),
        ...(await prometheusClaims(dev)),
        ...(await prometheusClaims(prod)),
        ...(await tenantIdentityClaims(dev)),
        ...(await tenantIdentityClaims(prod)),
        ...(await tenantAppClaims(dev)),
        ...(await tenantAppClaims(prod)),
        ...(await externalSecretsClaims(dev)),
        ...(await externalSecretsClaims(prod)),
        ...(await veleroClaims(dev)),
        ...(await veleroClaims(prod)),
        ...(await logsClaims(dev)),
        ...(await logsClaims(prod)),
        ...autoScalingClaims(dev),
        ...autoScalingClaims(prod),
        ...(await backendClaims(dev.plan.project, accounts)),
        ...(await previewClaims(accounts[0], accounts[1], prodBootstrapConfig["pr-cybr-bootstrap:repository"], prodBootstrapConfig["pr-cybr-bootstrap:previewSecrets"])),
    ];
    recordEngines(await engineVersions());
});

describe("IAM access claims evaluated by iam-simulate", () => {
    scenario("iam-access", "every access claim of the docs holds for the documents in the plans", async () => {
        const results = await evaluateClaims(claims);
        const failed = results.filter((r) => !r.holds);
        console.log(`iam-access: checked ${results.length} claims, ${failed.length} failed\n${renderTable(results)}`);
        expect(renderTable(failed)).toBe("");
    });
});
