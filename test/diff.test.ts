import { diffPlans, hasActions, ResourceChange, valueChanges } from "../tools/lib/diff";
import { Plan, PlanOptions, PlanResource } from "../tools/lib/plan";
import { renderMarkdown } from "../tools/lib/render-markdown";
import { renderText } from "../tools/lib/render-text";
import { renderValue } from "../tools/lib/render-value";

const STACK = "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev";
const resource = (name: string, type: string, inputs: Record<string, unknown>, extra: { parent?: string; options?: PlanOptions; protect?: boolean } = {}): PlanResource => ({
    urn: `urn:pulumi:dev::p::${type}::${name}`,
    type,
    name,
    parent: extra.parent ?? STACK,
    dependsOn: [],
    protect: extra.protect ?? false,
    ...(extra.options ? { options: extra.options } : {}),
    inputs,
});
const plan = (resources: PlanResource[], stack = "dev"): Plan => ({
    project: "p",
    stack,
    resources: [{ urn: STACK, type: "pulumi:pulumi:Stack", name: "p-dev", parent: null, dependsOn: [], protect: false, inputs: {} }, ...resources],
    outputs: {},
    policies: { evaluated: [], violations: [] },
    stats: { resourceCount: resources.length + 1, durationMs: 0 },
});
const only = (base: PlanResource, head: PlanResource): ResourceChange => {
    const d = diffPlans(plan([base]), plan([head]));
    expect(d.changes).toHaveLength(1);
    return d.changes[0];
};
const withInputs = (r: PlanResource, inputs: Record<string, unknown>, options?: PlanOptions): PlanResource => ({ ...r, inputs, ...(options ? { options } : {}) });

describe("diff: replace semantics from the providers' schemas", () => {
    const vpc = resource("net-vpc", "aws:ec2/vpc:Vpc", { cidrBlock: "10.0.0.0/16", enableDnsHostnames: true, tags: { Name: "net" } });

    // terraform-provider-aws internal/service/ec2/vpc_.go (00081ce4): cidr_block is ForceNew; enable_dns_hostnames is not.
    it("replaces a VPC whose cidrBlock changes (ForceNew) and updates one whose DNS flag changes", () => {
        const replaced = only(vpc, withInputs(vpc, { ...vpc.inputs, cidrBlock: "10.1.0.0/16" }));
        expect(replaced.action).toBe("replace");
        expect(replaced.replaceReasons).toEqual([{ path: "cidrBlock", rule: "cidrBlock", by: "provider schema" }]);
        expect(replaced.changes).toEqual([{ path: "cidrBlock", old: "10.0.0.0/16", new: "10.1.0.0/16" }]);
        expect(only(vpc, withInputs(vpc, { ...vpc.inputs, enableDnsHostnames: false })).action).toBe("update");
    });

    // internal/service/eks/node_group.go (012e0a32): instance_types is a ForceNew list of strings (each element
    // replaces); scaling_config has no ForceNew; remote_access is a ForceNew block whose fields are ForceNew too.
    it("applies SDKv2 block semantics: primitive list elements replace, a block's unlisted fields do not", () => {
        const ng = resource("ng", "aws:eks/nodeGroup:NodeGroup", { instanceTypes: ["m7g.large"], scalingConfig: { minSize: 2, maxSize: 4, desiredSize: 2 }, launchTemplate: { id: "lt-1", version: "1" } });
        expect(only(ng, withInputs(ng, { ...ng.inputs, instanceTypes: ["m7g.xlarge"] })).replaceReasons).toEqual([{ path: "instanceTypes[0]", rule: "instanceTypes", by: "provider schema" }]);
        expect(only(ng, withInputs(ng, { ...ng.inputs, scalingConfig: { minSize: 2, maxSize: 6, desiredSize: 2 } })).action).toBe("update");
        // launchTemplate.version updates in place (a new template version); launchTemplate.id is ForceNew.
        expect(only(ng, withInputs(ng, { ...ng.inputs, launchTemplate: { id: "lt-1", version: "2" } })).action).toBe("update");
        expect(only(ng, withInputs(ng, { ...ng.inputs, launchTemplate: { id: "lt-2", version: "1" } })).action).toBe("replace");
        // Adding the ForceNew remote_access block replaces.
        expect(only(ng, withInputs(ng, { ...ng.inputs, remoteAccess: { ec2SshKey: "k" } })).replaceReasons.map((r) => r.rule)).toEqual(["remoteAccess", "remoteAccess.ec2SshKey"]);
    });

    // kreuzwerker/terraform-provider-docker v4.5.0 resource_docker_network.go: options is a ForceNew TypeMap.
    it("treats a ForceNew map as replacing on any key", () => {
        const net = resource("overlay", "docker:index/network:Network", { name: "n", driver: "overlay", options: { encrypted: "true" } });
        expect(only(net, withInputs(net, { ...net.inputs, options: { encrypted: "false" } })).replaceReasons).toEqual([{ path: "options.encrypted", rule: "options", by: "provider schema" }]);
    });

    // pulumi-kubernetes provider/pkg/provider/diff.go (94977969): .roleRef of a RoleBinding forces new, by path prefix;
    // other kinds replace only on metadata.name/namespace (kubernetesDefault), so a quota raise is an update.
    it("replaces Kubernetes objects by path prefix: a RoleBinding's roleRef.name, any kind's metadata.name", () => {
        const rb = resource("rb", "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", { metadata: { name: "rb", namespace: "org-a" }, roleRef: { kind: "Role", name: "a" }, subjects: [] });
        expect(only(rb, withInputs(rb, { ...rb.inputs, roleRef: { kind: "Role", name: "b" } })).replaceReasons[0]).toEqual({ path: "roleRef.name", rule: "roleRef", by: "provider schema" });
        const cm = resource("cm", "kubernetes:example.com/v1:Widget", { metadata: { name: "w" }, spec: { size: 1 } });
        expect(only(cm, withInputs(cm, { ...cm.inputs, spec: { size: 2 } })).action).toBe("update");
        expect(only(cm, withInputs(cm, { ...cm.inputs, metadata: { name: "w2" } })).action).toBe("replace");
    });

    it("replaces on a replaceOnChanges option and shows deleteBeforeReplace and protect with it", () => {
        const sg = resource("sg", "aws:ec2/securityGroup:SecurityGroup", { description: "d" }, { protect: true, options: { replaceOnChanges: ["description"], deleteBeforeReplace: true } });
        const c = only(sg, withInputs(sg, { description: "e" }, sg.options));
        expect(c.replaceReasons).toContainEqual({ path: "description", rule: "description", by: "replaceOnChanges" });
        expect([c.deleteBeforeReplace, c.protect]).toEqual([true, true]);
        expect(renderText(diffPlans(plan([sg]), plan([withInputs(sg, { description: "e" }, sg.options)])))).toContain("[delete-before-replace, protected]");
    });

    it("reports changes under ignoreChanges as ignored, not as updates", () => {
        const ng = resource("ng", "aws:eks/nodeGroup:NodeGroup", { scalingConfig: { desiredSize: 2, minSize: 2 } }, { options: { ignoreChanges: ["scalingConfig.desiredSize"] } });
        const c = only(ng, withInputs(ng, { scalingConfig: { desiredSize: 3, minSize: 2 } }, ng.options));
        expect(c.action).toBe("ignored");
        expect(c.ignoredChanges).toEqual([{ path: "scalingConfig.desiredSize", old: 2, new: 3 }]);
        expect(c.changes).toEqual([]);
    });

    it("calls out replacements and deletions of protected or stateful resources first", () => {
        const key = resource("k", "aws:kms/key:Key", { description: "a" });
        const d = diffPlans(plan([key]), plan([]));
        expect(renderText(d).split("\n")[1]).toBe("!! delete aws:kms/key:Key k: loses data encrypted under the key (a deleted key cannot decrypt it)");
        expect(renderMarkdown(d)).toMatch(/> \[!CAUTION\]\n> 1 replacement or deletion of protected or stateful resources:\n> - \*\*delete\*\* `aws:kms\/key:Key` `k`/);
    });
});

describe("diff: values", () => {
    it("shows old → new for scalar leaves, lists by element, and keeps secrets masked", () => {
        const q = resource("q", "kubernetes:core/v1:ResourceQuota", { metadata: { name: "q" }, spec: { hard: { "requests.cpu": "4", pods: 40 } }, data: "[secret]" });
        const c = only(q, withInputs(q, { metadata: { name: "q" }, spec: { hard: { "requests.cpu": "6", pods: 40 } }, data: "[secret]", list: ["a", "b"] }));
        expect(c.changes).toEqual([
            { path: "list[0]", new: "a" },
            { path: "list[1]", new: "b" },
            { path: 'spec.hard["requests.cpu"]', old: "4", new: "6" },
        ]);
        expect(renderText(diffPlans(plan([q]), plan([withInputs(q, { ...q.inputs, data: "plain" })])))).toContain('data: [secret] → "plain"');
    });

    it("shortens long values to a head, a length and a hash", () => {
        const long = "x".repeat(500);
        expect(renderValue(long)).toMatch(/^"x{31}… \(502 chars, sha256:[0-9a-f]{12}\)$/);
        expect(renderValue(long)).not.toBe(renderValue(long + "y"));
        expect([renderValue(undefined), renderValue("[secret]"), renderValue(4), renderValue("4")]).toEqual(["(none)", "[secret]", "4", '"4"']);
    });

    it("expands a block present on one side only into its leaves", () => {
        expect(valueChanges({}, { a: { b: 1, c: [2] } }).map((c) => c.change)).toEqual([
            { path: "a.b", new: 1 },
            { path: "a.c[0]", new: 2 },
        ]);
    });
});

describe("diff: renames", () => {
    const tenant = (org: string) => resource(`t-${org}-ns`, "kubernetes:core/v1:Namespace", { metadata: { name: org, labels: { tenant: org } } });

    it("pairs a delete and an add only when they are the same resource under a new name", () => {
        const old = resource("net-private-1", "aws:ec2/subnet:Subnet", { cidrBlock: "10.0.16.0/20", tags: { Name: "net-private-1" } });
        const renamed = resource("net-priv-1", "aws:ec2/subnet:Subnet", { cidrBlock: "10.0.16.0/20", tags: { Name: "net-priv-1" } });
        expect(diffPlans(plan([old]), plan([renamed])).renames).toEqual([{ type: old.type, deleted: old.urn, added: renamed.urn }]);
        const other = resource("net-priv-1", "aws:ec2/subnet:Subnet", { cidrBlock: "10.0.32.0/20", tags: { Name: "net-priv-1" } });
        expect(diffPlans(plan([old]), plan([other])).renames).toEqual([]);
    });

    it("reports a tenant removed and another added as a removal and an addition, without alias advice", () => {
        const d = diffPlans(plan([tenant("org-b")]), plan([tenant("org-e")]));
        expect([d.deletes.length, d.adds.length, d.renames]).toEqual([1, 1, []]);
        expect(renderText(d)).not.toContain("alias");
        expect(renderMarkdown(d)).not.toContain("alias");
    });

    it("never pairs across stacks (an alias cannot move a resource between stacks)", () => {
        const a = resource("x", "aws:ec2/subnet:Subnet", { cidrBlock: "10.0.0.0/20" });
        expect(diffPlans(plan([a]), plan([{ ...a, urn: a.urn.replace(":dev:", ":prod:"), name: "y" }], "prod")).renames).toEqual([]);
    });
});

describe("diff: markdown budget and --fail-on", () => {
    it("stays under the budget by listing replaces and deletes first and counting the rest", () => {
        const many = Array.from({ length: 300 }, (_, i) => resource(`r-${i}`, "aws:iam/role:Role", { description: `role ${i}` }));
        const deleted = resource("gone", "aws:iam/policy:Policy", {});
        const d = diffPlans(plan([deleted, ...many]), plan(many.map((r) => withInputs(r, { description: `${r.inputs.description} v2` }))));
        const md = renderMarkdown(d, { limit: 4000, fullDiff: "https://example.com/diff.json" });
        expect(md.length).toBeLessThanOrEqual(4000);
        expect(md.indexOf("#### Deletes (1)")).toBeGreaterThan(0);
        expect(md.indexOf("#### Deletes (1)")).toBeLessThan(md.indexOf("Updates (300)"));
        expect(md).toMatch(/Summarised: \d+ entries are counted above but not listed.*\[the JSON diff\]\(https:\/\/example\.com\/diff\.json\)/);
        expect(md).toContain("| (stack) |  | 1 | 300 |  |  |");
    });

    it("matches --fail-on actions", () => {
        const a = resource("a", "aws:iam/role:Role", { description: "x" });
        const d = diffPlans(plan([a]), plan([withInputs(a, { description: "y" })]));
        expect([hasActions(d, ["replace", "delete"]), hasActions(d, ["update"])]).toEqual([false, true]);
    });
});
