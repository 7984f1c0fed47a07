import * as zlib from "zlib";
import { SecretValue } from "./mocks/recorder";
import { buildPlan, findLeaks, SecretScanner, serializePlan, Plan, PlanResource } from "../tools/lib/plan";
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
        // A launch template's gzip-compressed user data is read as the host reads it.
        const gz = zlib.gzipSync(Buffer.from(`#cloud-config\nruncmd:\n  - [sh, -c, "PW=${password}"]\n`)).toString("base64");
        expect(findLeaks(plan([resource("lt", "aws:ec2/launchTemplate:LaunchTemplate", { userData: gz })]), [password])).toEqual([
            "urn:pulumi:dev::p::aws:ec2/launchTemplate:LaunchTemplate::lt inputs.userData (decoded): a generated or configured secret",
        ]);
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
        replaceOnChanges: [],
        aliases: [],
        customTimeouts: {},
        inputs,
        outputs: {},
    };
}
