/**
 * Issue 15 #25: edge nodes join the swarm advertising their VPN addresses, so managers send gossip,
 * VXLAN and ESP to the VPN range, which no VPC route table knew (those packets took the NAT gateway's
 * default route). With `edge.vpnRouterNetworkInterfaceId` every route table of the managers' subnets
 * sends `edge.vpnCidr` to the VPN's router (aws.ec2.Route networkInterfaceId).
 */
import * as fs from "fs";
import * as path from "path";
import type { Plan } from "../tools/lib/plan";
import { parseStackConfig } from "../stacks/config";
import { derivedStackFile, runTool, sharedPlan, tempDir } from "./helpers/cli";
import { withEdit } from "./helpers/config";

const readPlan = (file: string): Plan => JSON.parse(fs.readFileSync(file, "utf8"));
const ENI = "eni-0123456789abcdef0";

describe("routes from the VPC to the edge VPN", () => {
    it("sends the VPN range from every managers' subnet route table to the router's interface", () => {
        const dir = tempDir("vpn-routes");
        const file = derivedStackFile(dir, "prod", (c) => {
            c["pr-cybr-platform:edge"].vpnRouterNetworkInterfaceId = ENI;
        });
        const run = runTool("synth", ["--stack", "prod", "--config", file, "--out", dir]);
        expect(run.stderr).toBe("");
        expect(run.status).toBe(0);
        const plan = readPlan(path.join(dir, "prod.plan.json"));
        const tables = plan.resources.filter((r) => r.type === "aws:ec2/routeTable:RouteTable" && /-private-rt-\d$/.test(r.name));
        const routes = plan.resources.filter((r) => r.type === "aws:ec2/route:Route" && r.inputs.destinationCidrBlock === "100.64.0.0/10");
        expect(tables.length).toBe(3);
        expect(routes.length).toBe(tables.length);
        for (const r of routes) expect(r.inputs).toMatchObject({ destinationCidrBlock: "100.64.0.0/10", networkInterfaceId: ENI });
        // Each table once: the managers in every AZ have the way back.
        expect(new Set(routes.map((r) => r.inputs.routeTableId)).size).toBe(3);
        // The managers run in the private subnets those tables serve.
        const managerSubnets = new Set(plan.resources.filter((r) => r.type === "aws:autoscaling/group:Group").flatMap((g) => g.inputs.vpcZoneIdentifiers));
        const served = new Set(plan.resources.filter((r) => r.type === "aws:ec2/routeTableAssociation:RouteTableAssociation" && routes.some((x) => x.inputs.routeTableId === r.inputs.routeTableId)).map((a) => a.inputs.subnetId));
        for (const s of managerSubnets) expect(served.has(s)).toBe(true);
    });

    it("adds no route without a router (the committed stacks: the runbook's step sets it)", () => {
        const plan = readPlan(sharedPlan("prod"));
        expect(plan.resources.filter((r) => r.type === "aws:ec2/route:Route" && r.inputs.destinationCidrBlock === "100.64.0.0/10")).toEqual([]);
    });

    it("rejects what is not a network interface id, naming the key", () => {
        const problems = parseStackConfig(withEdit("prod", (raw) => (raw.edge.vpnRouterNetworkInterfaceId = "i-0123456789abcdef0"))).problems ?? [];
        expect(problems.map((p) => `${p.path}: ${p.message}`).join("\n")).toContain('edge.vpnRouterNetworkInterfaceId: "i-0123456789abcdef0" is not a network interface id');
    });
});
