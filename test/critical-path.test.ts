import * as fs from "fs";
import * as path from "path";
import { CreateTimes, criticalPath, ruleFor } from "../tools/lib/critical-path";
import type { Plan, PlanResource } from "../tools/lib/plan";
import { sharedPlan } from "./helpers/cli";
import { ROOT } from "./helpers/config";

const TIMES: CreateTimes = JSON.parse(fs.readFileSync(path.join(ROOT, "tools", "data", "create-times.json"), "utf8"));
const readPlan = (stack: "dev" | "prod"): Plan => JSON.parse(fs.readFileSync(sharedPlan(stack), "utf8"));
const STACK = "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s";

function res(type: string, name: string, extra: Partial<PlanResource> & { options?: { provider?: string } } = {}): PlanResource {
    return { urn: `urn:pulumi:s::p::${type}::${name}`, type, name, parent: STACK, dependsOn: [], protect: false, inputs: {}, ...extra };
}
const plan = (resources: PlanResource[]): Plan => ({ project: "p", stack: "s", resources: [res("pulumi:pulumi:Stack", "p-s", { parent: null }), ...resources], outputs: {}, policies: { evaluated: [], violations: [] }, stats: { resourceCount: 0, durationMs: 0 } });

/** Every resource the given one waits for, transitively (dependencies and providers). */
function waitsFor(p: Plan, urn: string): Set<string> {
    const byUrn = new Map(p.resources.map((r) => [r.urn, r as PlanResource & { options?: { provider?: string } }]));
    const seen = new Set<string>();
    const stack = [urn];
    while (stack.length > 0) {
        const r = byUrn.get(stack.pop()!);
        for (const d of [...(r?.dependsOn ?? []), ...(r?.options?.provider ? [r.options.provider] : [])]) if (!seen.has(d)) stack.push(seen.add(d) && d);
    }
    return seen;
}

describe("critical path (tools/lib/critical-path.ts)", () => {
    const times: CreateTimes = {
        defaultMinutes: 0,
        rules: [
            { type: "aws:eks/cluster:Cluster", minutes: 10, source: "t" },
            { type: "aws:eks/nodeGroup:NodeGroup", minutes: 4, source: "t" },
            { type: "aws:eks/addon:Addon", inputs: { addonName: "coredns" }, minutes: 1.5, after: { nodes: 1.5 }, source: "t" },
            { type: "kubernetes:helm.sh/v3:Release", minutes: 3, after: { nodes: 2, "cluster-dns": 0.5 }, source: "t" },
        ],
    };
    const cluster = res("aws:eks/cluster:Cluster", "c");
    const k8s = res("pulumi:providers:kubernetes", "k8s", { dependsOn: [cluster.urn] });
    const ng = res("aws:eks/nodeGroup:NodeGroup", "ng", { dependsOn: [cluster.urn] });
    const dns = res("aws:eks/addon:Addon", "dns", { dependsOn: [ng.urn], inputs: { addonName: "coredns" } });

    it("adds create times along dependencies and providers, and reports the longest chain", () => {
        const ns = res("kubernetes:core/v1:Namespace", "ns", { dependsOn: [dns.urn], options: { provider: k8s.urn } });
        const release = res("kubernetes:helm.sh/v3:Release", "r", { dependsOn: [ns.urn], options: { provider: k8s.urn } });
        const cp = criticalPath(plan([cluster, k8s, ng, dns, ns, release]), times);
        expect(cp.minutes).toBe(18.5);
        expect(cp.steps.map((s) => [s.name, s.via])).toEqual([["c", "start"], ["ng", "dependency"], ["dns", "dependency"], ["ns", "dependency"], ["r", "dependency"]]);
    });

    it("lets a release that waits only for the API server end with its runtime waits (nodes, DNS) instead", () => {
        const release = res("kubernetes:helm.sh/v3:Release", "r", { options: { provider: k8s.urn } });
        const cp = criticalPath(plan([cluster, k8s, ng, dns, release]), times);
        // max(10 + 3, nodes 14 + 2, DNS 15.5 + 0.5)
        expect(cp.minutes).toBe(16);
        expect(cp.steps.at(-1)).toMatchObject({ name: "r", start: 10, finish: 16 });
    });

    it("waits for everything under a component another resource depends on", () => {
        const comp = res("pr-cybr:cluster:Thing", "thing");
        const child = res("aws:eks/nodeGroup:NodeGroup", "inner", { parent: comp.urn, dependsOn: [cluster.urn] });
        const after = res("kubernetes:core/v1:Namespace", "after", { dependsOn: [comp.urn] });
        expect(criticalPath(plan([cluster, comp, child, after]), times).finishByUrn.get(after.urn)).toBe(14);
    });

    it("refuses a dependency cycle with the resource it runs through", () => {
        const a = res("kubernetes:core/v1:Namespace", "a", { dependsOn: ["urn:pulumi:s::p::kubernetes:core/v1:Namespace::b"] });
        const b = res("kubernetes:core/v1:Namespace", "b", { dependsOn: [a.urn] });
        expect(() => criticalPath(plan([a, b]), times)).toThrow(/dependency cycle through urn:pulumi:s::p::kubernetes:core\/v1:Namespace::/);
    });
});

describe("create-time table (tools/data/create-times.json)", () => {
    it("gives every rule a source, and every slow type of the plans its own rule", () => {
        for (const rule of TIMES.rules) expect(rule.source.length).toBeGreaterThan(10);
        for (const stack of ["dev", "prod"] as const) {
            for (const r of readPlan(stack).resources.filter((r) => /helm\.sh|eks\/(cluster|nodeGroup|addon)|natGateway|loadBalancer:|autoscaling\/group/.test(r.type))) {
                expect([r.name, ruleFor(TIMES, r)?.type]).toEqual([r.name, r.type]);
            }
        }
    });
});

describe("a fresh prod up (issue 19: nothing waits on what it does not need)", () => {
    const prod = readPlan("prod");
    const coreDns = prod.resources.find((r) => r.type === "aws:eks/addon:Addon" && r.inputs.addonName === "coredns")!;
    const argo = prod.resources.filter((r) => r.parent?.endsWith("pr-cybr:gitops:ArgoCd::pr-cybr-prod-argocd"));

    it("installs Argo CD (namespaces, secrets, release) without waiting for CoreDNS", () => {
        const waiting = argo.filter((r) => /Namespace|Secret|helm\.sh/.test(r.type) && waitsFor(prod, r.urn).has(coreDns.urn)).map((r) => r.name);
        expect(waiting).toEqual([]);
        expect(argo.filter((r) => /helm\.sh/.test(r.type))).toHaveLength(1);
    });

    it("is at most 16.5 minutes: the cluster, a node group and CoreDNS, plus what overlaps them", () => {
        const cp = criticalPath(prod, TIMES);
        expect(cp.minutes).toBeLessThanOrEqual(16.5);
        expect(cp.steps.map((s) => s.type)).toEqual(expect.arrayContaining(["aws:eks/cluster:Cluster", "aws:eks/nodeGroup:NodeGroup"]));
    });
});
