import { SecretValue } from "./mocks/recorder";
import { buildPlan, findLeaks, SecretScanner, serializePlan, Plan, PlanResource } from "../tools/lib/plan";
import { diffPlans, renderText } from "../tools/lib/diff";
import { toPlanValue, unwrapSecrets } from "../tools/lib/values";
import { pemKeyOf, passwordOf } from "./mocks/ids";

const resource = (name: string, type: string, inputs: Record<string, unknown>, parent: string | null = null): PlanResource => ({
    urn: `urn:pulumi:dev::p::${type}::${name}`,
    type,
    name,
    parent,
    dependsOn: [],
    protect: false,
    inputs,
});
const plan = (resources: PlanResource[], outputs: Record<string, unknown> = {}): Plan => ({
    project: "p",
    stack: "dev",
    resources,
    outputs,
    policies: { evaluated: [], violations: [] },
    stats: { resourceCount: resources.length, durationMs: 0 },
});

describe("plan values", () => {
    it("masks every secret as [secret], at any depth, sorts keys and drops undefined", () => {
        const value = { b: new SecretValue("hunter2hunter2"), a: [1, new SecretValue({ k: "v" })], c: undefined, d: { z: 1, y: null } };
        expect(JSON.stringify(toPlanValue(value))).toBe('{"a":[1,"[secret]"],"b":"[secret]","d":{"y":null,"z":1}}');
        expect(unwrapSecrets(value)).toEqual({ b: "hunter2hunter2", a: [1, { k: "v" }], c: undefined, d: { z: 1, y: null } });
    });

    it("serializes the same plan to the same bytes whatever the input key order", () => {
        const common = { project: "p", stack: "s", outputs: {}, policies: { evaluated: [], violations: [] }, durationMs: 0 };
        const one = buildPlan({ ...common, resources: [recorded({ x: 1, y: { b: 2, a: 1 } })] });
        const two = buildPlan({ ...common, resources: [recorded({ y: { a: 1, b: 2 }, x: 1 })] });
        expect(serializePlan(one)).toBe(serializePlan(two));
    });

    it("finds generated or configured secrets and PEM private keys left in plain text", () => {
        const password = passwordOf("db");
        const leaky = plan([resource("a", "t:m:A", { userData: `#!/bin/sh\nexport PW=${password}` }), resource("b", "t:m:B", { key: pemKeyOf("k") })], { token: "synth-secret-abc123def456" });
        expect(findLeaks(leaky, [password, "synth-secret-abc123def456"])).toEqual([
            "urn:pulumi:dev::p::t:m:A::a inputs.userData: a generated or configured secret",
            "urn:pulumi:dev::p::t:m:B::b inputs.key: a PEM private key",
            "outputs.token: a generated or configured secret",
        ]);
        expect(findLeaks(plan([resource("a", "t:m:A", { pw: "[secret]" })]), [password])).toEqual([]);
    });

    it("scans for many secrets in one pass with the same answers as checking each one", () => {
        const secrets = Array.from({ length: 300 }, (_, i) => passwordOf(`s${i}`, 8 + (i % 40)));
        // Secrets that share a prefix, or are prefixes of each other, must all still be found.
        secrets.push("abcdefgh-one", "abcdefgh-two", "abcdefgh");
        const scanner = new SecretScanner(secrets);
        const texts = [
            "",
            "short",
            secrets[7],
            `prefix ${secrets[42]}`,
            `${secrets[99]} suffix`,
            `in the ${secrets[299]} middle`,
            "abcdefgh-tw",
            "xxabcdefg",
            `${secrets[5].slice(0, -1)}!`,
            passwordOf("not-a-secret", 200),
        ];
        for (const t of texts) expect([t, scanner.matches(t)]).toEqual([t, secrets.some((s) => t.includes(s))]);
        expect(scanner.matches("zzabcdefgh")).toBe(true);
        expect(new SecretScanner([]).matches("anything at all")).toBe(false);
    });
});

describe("diffPlans", () => {
    const vpc = resource("net-vpc", "aws:ec2/vpc:Vpc", { cidrBlock: "10.0.0.0/16", tags: { Name: "net" } });
    const subnetA = resource("net-private-0", "aws:ec2/subnet:Subnet", { cidrBlock: "10.0.0.0/20", vpcId: "vpc-1" });
    const subnetB = resource("net-private-1", "aws:ec2/subnet:Subnet", { cidrBlock: "10.0.16.0/20", vpcId: "vpc-1" });

    it("reports updates with the changed input paths, secretness changes without values", () => {
        const head = plan([{ ...vpc, inputs: { cidrBlock: "10.0.0.0/16", tags: { Name: "renamed" }, password: "[secret]" } }, subnetA]);
        const d = diffPlans(plan([{ ...vpc, inputs: { ...vpc.inputs, password: "plain" } }, subnetA]), head);
        expect(d.updates).toEqual([{ urn: vpc.urn, type: vpc.type, changed: ["password", "tags.Name"] }]);
        expect(renderText(d)).not.toContain("plain");
    });

    it("pairs a delete and an add of one type as a likely replacement: same name moved first, else the most similar", () => {
        const moved = { ...subnetA, urn: "urn:pulumi:dev::p::pr-cybr:network:Vpc$aws:ec2/subnet:Subnet::net-private-0", parent: "x" };
        const renamedB = { ...subnetB, urn: subnetB.urn.replace("net-private-1", "net-priv-1"), name: "net-priv-1" };
        const d = diffPlans(plan([vpc, subnetA, subnetB]), plan([vpc, renamedB, moved]));
        expect(d.replacements).toEqual([
            { type: "aws:ec2/subnet:Subnet", deleted: subnetA.urn, added: moved.urn },
            { type: "aws:ec2/subnet:Subnet", deleted: subnetB.urn, added: renamedB.urn },
        ]);
        expect(renderText(d)).toContain("! aws:ec2/subnet:Subnet: would replace — add an alias if unintended");
    });

    it("does not pair deletes and adds of different types", () => {
        const d = diffPlans(plan([vpc, subnetA]), plan([vpc, resource("net-rt", "aws:ec2/routeTable:RouteTable", {})]));
        expect(d.replacements).toEqual([]);
        expect(d.adds.map((r) => r.name)).toEqual(["net-rt"]);
        expect(d.deletes.map((r) => r.name)).toEqual(["net-private-0"]);
    });

    it("lists new and resolved policy violations", () => {
        const v = { policy: "aws-required-tags", enforcementLevel: "mandatory" as const, urn: vpc.urn, message: "missing owner" };
        const withViolation = { ...plan([vpc]), policies: { evaluated: [], violations: [v] } };
        expect(diffPlans(plan([vpc]), withViolation).newViolations).toEqual([v]);
        expect(diffPlans(withViolation, plan([vpc])).resolvedViolations).toEqual([v]);
    });
});

function recorded(inputs: Record<string, unknown>) {
    return {
        urn: "urn:pulumi:s::p::t:m:T::n",
        type: "t:m:T",
        name: "n",
        custom: true,
        parent: undefined,
        dependsOn: [],
        propertyDependencies: {},
        protect: false,
        ignoreChanges: [],
        additionalSecretOutputs: [],
        deleteBeforeReplace: false,
        retainOnDelete: false,
        providerRef: "",
        inputs,
        outputs: {},
    };
}
