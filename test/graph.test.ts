import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { buildComponentGraph, nodeLabel, toDot } from "../tools/lib/component-graph";
import type { Plan, PlanResource } from "../tools/lib/plan";
import { sharedPlan, tempDir } from "./helpers/cli";
import { ROOT } from "./helpers/config";

const STACK = "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s";
const readPlan = (stack: "dev" | "prod"): Plan => JSON.parse(fs.readFileSync(sharedPlan(stack), "utf8"));
const runGraph = (args: string[]) => spawnSync(process.execPath, [path.join(ROOT, ".build", "tools", "graph.js"), ...args], { cwd: ROOT, encoding: "utf8" });

/** A hand-built resource; `parent` defaults to the stack. */
function res(type: string, name: string, extra: Partial<PlanResource> & { options?: { provider?: string } } = {}): PlanResource {
    const parentType = extra.parent ? extra.parent.split("::")[2].split("$").pop() : undefined;
    const urn = `urn:pulumi:s::p::${parentType ? `${parentType}$` : ""}${type}::${name}`;
    return { urn, type, name, parent: STACK, dependsOn: [], protect: false, inputs: {}, ...extra };
}
const plan = (resources: PlanResource[]): Plan => ({ project: "p", stack: "s", resources: [res("pulumi:pulumi:Stack", "p-s", { parent: null }), ...resources], outputs: {}, policies: { evaluated: [], violations: [] }, stats: { resourceCount: resources.length + 1, durationMs: 0 } });

describe("component graph", () => {
    const prod = buildComponentGraph(readPlan("prod"));
    const node = (type: string) => prod.nodes.find((n) => n.type === type)!;
    const edge = (from: string, to: string, kind: "waits" | "uses") => prod.edges.some((e) => e.from === node(from).id && e.to === node(to).id && e.kind === kind);

    it("groups repeated components into one box per type, with their count and size range", () => {
        expect(node("tenancy:Tenant")).toMatchObject({ kind: "group" });
        expect(node("tenancy:Tenant").names.length).toBe(5);
        expect(node("edge:EdgeNode").names.length).toBe(7);
        expect(prod.nodes.filter((n) => n.type === "tenancy:Tenant")).toHaveLength(1);
        expect(nodeLabel(node("tenancy:Tenant"))[0]).toBe("tenancy:Tenant ×5");
        expect(nodeLabel(node("tenancy:Tenant"))[2]).toMatch(/^\d+–\d+ resources each$/);
        expect(node("network:Vpc").kind).toBe("component");
    });

    it("draws provider edges: the workload policy and tenants through the cluster's kubernetes provider, the budget through aws", () => {
        expect(edge("tenancy:TenantWorkloadPolicy", "pulumi:providers:kubernetes", "uses")).toBe(true);
        expect(edge("pulumi:providers:kubernetes", "cluster:EksCluster", "waits")).toBe(true);
        expect(edge("cost:EnvironmentBudget", "pulumi:providers:aws", "uses")).toBe(true);
        expect(edge("tenancy:Tenant", "gitops:ArgoCd", "waits")).toBe(true);
        // Every box is connected to something.
        const connected = new Set(prod.edges.flatMap((e) => [e.from, e.to]));
        expect(prod.nodes.filter((n) => !connected.has(n.id)).map((n) => n.type)).toEqual([]);
    });

    it("stays the same size however many tenants there are (200 tenants: still one box)", () => {
        const tenants = Array.from({ length: 200 }, (_, i) => res("pr-cybr:tenancy:Tenant", `t-${i}`));
        const g = buildComponentGraph(plan(tenants));
        expect(g.nodes).toHaveLength(1);
        expect(nodeLabel(g.nodes[0])).toEqual(["tenancy:Tenant ×200", "t-*: 0 … 99", "0 resources each"]);
    });

    it("follows a recorded provider reference, and draws no provider edge when the provider is ambiguous", () => {
        const east = res("pulumi:providers:aws", "east");
        const west = res("pulumi:providers:aws", "west");
        const a = res("pr-cybr:network:Vpc", "a");
        const b = res("pr-cybr:cost:EnvironmentBudget", "b");
        const inA = res("aws:ec2/vpc:Vpc", "a-vpc", { parent: a.urn, options: { provider: `${west.urn}::0c1d` } });
        const inB = res("aws:budgets/budget:Budget", "b-budget", { parent: b.urn });
        const g = buildComponentGraph(plan([east, west, a, b, inA, inB]));
        const id = (name: string) => g.nodes.find((n) => n.names.includes(name))!.id;
        expect(g.edges).toEqual([{ from: id("a"), to: id("west"), kind: "uses" }]);
    });

    it("quotes labels for DOT, so a name cannot break the graph", () => {
        const dot = toDot(buildComponentGraph(plan([res("pr-cybr:network:Vpc", 'we"ird\\name')])));
        expect(dot).toContain('label="network:Vpc\\nwe\\"ird\\\\name\\n0 resources"');
    });
});

describe("npm run graph", () => {
    it("answers --help with its usage, exit 0", () => {
        const run = runGraph(["--help"]);
        expect(run.status).toBe(0);
        expect(run.stdout).toMatch(/^usage: npm run graph -- \[--stack <dev\|prod>\]/);
        expect(run.stdout).toContain("--check");
    });

    it.each([
        [["--bogus"], "graph: Unknown option '--bogus'"],
        [["--stack", "qa"], 'graph: --stack "qa" is not a stack of this project (dev, prod)'],
        [["--plan", "nowhere.json"], "graph: --plan nowhere.json: no such file"],
        [["--plan", "package.json"], "graph: --plan package.json: not a plan file (no resources list)"],
        [["--out", "graph.html"], 'graph: --out "graph.html" must end in .md'],
    ])("rejects %j with a message naming the option, exit 2, no stack trace", (args, message) => {
        const run = runGraph(args);
        expect(run.status).toBe(2);
        expect(run.stderr).toContain(message);
        expect(run.stderr).not.toMatch(/^\s+at /m);
    });

    it("draws the stack --stack names (synthesizing it) as Markdown and SVG, and --check holds them", () => {
        const out = path.join(tempDir("graph"), "dev.md");
        const run = runGraph(["--stack", "dev", "--out", out]);
        expect(run.status).toBe(0);
        expect(fs.readFileSync(out, "utf8")).toMatch(/^# Component graph \(pr-cybr-platform\/dev\)/);
        const svg = fs.readFileSync(out.replace(/\.md$/, ".svg"), "utf8");
        expect(svg).toMatch(/^<\?xml[\s\S]*<svg [\s\S]*tenancy:Tenant ×[\s\S]*<\/svg>\s*$/);
        expect(runGraph(["--plan", sharedPlan("dev"), "--out", out, "--check"]).status).toBe(0);
        fs.appendFileSync(out.replace(/\.md$/, ".svg"), "<!-- edited -->");
        const stale = runGraph(["--plan", sharedPlan("dev"), "--out", out, "--check"]);
        expect(stale.status).toBe(1);
        expect(stale.stderr).toContain("dev.svg is stale");
    });
});
