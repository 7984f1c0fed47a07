/**
 * The figures docs/architecture.md quotes are the ones `npm run figures` prints: a doc that says
 * "about 19 resources per tenant" while a tenant adds 16 fails here.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { DocFigures } from "../tools/doc-figures";
import { sharedPlan } from "./helpers/cli";
import { ROOT } from "./helpers/config";

describe("docs/architecture.md figures", () => {
    let f: DocFigures;
    const doc = fs.readFileSync(path.join(ROOT, "docs", "architecture.md"), "utf8").replace(/\s+/g, " ");

    beforeAll(() => {
        const run = spawnSync(process.execPath, [path.join(ROOT, ".build", "tools", "doc-figures.js"), "--json", "--plans", path.dirname(sharedPlan("prod"))], { cwd: ROOT, encoding: "utf8" });
        if (run.status !== 0) throw new Error(`npm run figures failed (exit ${run.status}): ${run.stderr}`);
        f = JSON.parse(run.stdout);
    });

    it("quote what one tenant, edge node and site add", () => {
        expect(doc).toContain(`a tenant with one admin, one namespace and one repository adds ${f["tenant.resources"]} resources, each further principal ${f["tenant.perPrincipal"]};`);
        expect(doc).toContain(`an edge node adds ${f["edgeNode.tailscale.resources"]} (Tailscale) or ${f["edgeNode.zerotier.resources"]} (ZeroTier), a new site ${f["edgeSite.resources"]} more.`);
    });

    it("quote what going from 2 to 3 AZs changes, updates included", () => {
        const inputUpdates = f["azCount2to3.inputUpdates"];
        expect(doc).toContain(
            `+${f["azCount2to3.adds"]} resources, ${f["azCount2to3.deletes"]} deletes, ${f["azCount2to3.subnetsUpdated"]} existing subnets changed, ${f["azCount2to3.updates"]} updates, ${inputUpdates.length} of them to inputs.`,
        );
        // The paragraph names each resource whose inputs change; a new one must be explained there too.
        const named: Record<string, string> = {
            "aws:ec2/vpcEndpoint:VpcEndpoint:routeTableIds": "the S3 endpoint's route tables",
            "aws:lb/loadBalancer:LoadBalancer:subnets": "the two swarm load balancers' subnets",
            "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass:spec.subnetSelectorTerms.id": "Karpenter's EC2NodeClass subnets",
            "kubernetes:cilium.io/v2:CiliumNetworkPolicy:spec.ingress.fromCIDRSet.cidr": "every tenant's `tenant-default-deny`",
            "aws:eks/nodeGroup:NodeGroup:subnetIds": "a managed node group's `subnetIds`",
            "aws:eks/cluster:Cluster:vpcConfig.subnetIds": "the cluster's `vpcConfig.subnetIds`",
        };
        for (const update of inputUpdates) {
            const key = update.replace(/\[\d+\]/g, "");
            expect(named[key]).toBeDefined();
            expect(doc).toContain(named[key]);
        }
    });

    it("quote the managers' user-data size against EC2's limit", () => {
        expect(doc).toContain(`${f["swarm.userDataBytes"]} bytes rendered in prod of EC2's ${f["swarm.userDataLimitBytes"]}`);
        expect(doc).toContain(`${f["swarm.userDataLimitBytes"] - f["swarm.userDataBytes"]} bytes to spare`);
    });
});

describe("npm run figures", () => {
    const run = (args: string[]) => spawnSync(process.execPath, [path.join(ROOT, ".build", "tools", "doc-figures.js"), ...args], { cwd: ROOT, encoding: "utf8" });

    it("answers --help with its usage, exit 0", () => {
        const help = run(["--help"]);
        expect(help.status).toBe(0);
        expect(help.stdout).toMatch(/^usage: npm run figures \[-- --json\] \[--plans <dir>\]/);
    });

    it.each([
        [["--bogus"], "figures: Unknown option '--bogus'"],
        [["--plans", "/nowhere"], "figures: --plans /nowhere: needs dev.plan.json and prod.plan.json there"],
    ])("rejects %j with a message naming the option, exit 2, no stack trace", (args, message) => {
        const r = run(args);
        expect(r.status).toBe(2);
        expect(r.stderr).toContain(message);
        expect(r.stderr).not.toMatch(/^\s+at /m);
    });
});
