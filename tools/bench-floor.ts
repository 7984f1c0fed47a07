/**
 * The floors synth is measured against (`node .build/tools/bench-floor.js ...`):
 *  - `<N>`: Pulumi's own mock runtime registering N trivial resources with no recorder, no policies
 *    and no plan (the SDK's cost per resource);
 *  - `--program <Pulumi.x.yaml>`: the real program for that stack file under the same mocks' answers
 *    (ids, outputs, invokes) but without the recorder, policies, leak scan or plan: synth minus this is
 *    what our tooling adds;
 *  - `--replay <plan.json>`: the plan's resources (same types, names, parents and inputs) registered
 *    again under Pulumi's mock runtime, children after parents: what registering exactly these
 *    resources costs the SDK, with no program, mocks, policies or plan around it.
 */
import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import * as YAML from "yaml";
import * as fs from "fs";
import { answerInvoke, DEFAULT_CLOUD } from "../test/mocks/invokes";
import { fakeResource } from "../test/mocks/resources";
import { readStackFiles } from "./lib/stack-files";

class Thing extends pulumi.CustomResource {}

async function trivial(count: number): Promise<void> {
    await pulumi.runtime.setMocks({ newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: () => ({}) }, "floor", "floor", false);
    await pulumi.runtime.runInPulumiStack(async () => {
        for (let i = 0; i < count; i++) new Thing("floor:index:Thing", `thing-${i}`, { index: i, tags: { a: "b" } });
        return {};
    });
}

async function program(stackFile: string): Promise<void> {
    const root = process.cwd();
    const projectFile = path.join(root, "Pulumi.yaml");
    const project = YAML.parse(fs.readFileSync(projectFile, "utf8")) as { name: string; main: string };
    const files = readStackFiles(projectFile, path.resolve(stackFile));
    const cloud = { ...DEFAULT_CLOUD, region: files.values["aws:region"] ?? DEFAULT_CLOUD.region };
    const ignore = () => undefined;
    // The same SDK settings synth runs with (no stack traces while registering).
    (pulumi.Resource as unknown as { callsites(): unknown[] }).callsites = () => [];
    Error.stackTraceLimit = 0;
    await pulumi.runtime.setMocks({ newResource: (a) => fakeResource(a, cloud, ignore), call: (a) => answerInvoke(a, cloud, ignore) }, project.name, "floor", false);
    pulumi.runtime.setAllConfig(files.values, files.secretKeys);
    const entry = path.join(__dirname, "..", project.main.replace(/\.ts$/, ".js"));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    await pulumi.runtime.runInPulumiStack(async () => require(entry));
}

async function replay(planFile: string): Promise<void> {
    const plan = JSON.parse(fs.readFileSync(planFile, "utf8")) as { project: string; stack: string; resources: { urn: string; type: string; name: string; parent: string | null; inputs: Record<string, unknown> }[] };
    (pulumi.Resource as unknown as { callsites(): unknown[] }).callsites = () => [];
    Error.stackTraceLimit = 0;
    await pulumi.runtime.setMocks({ newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: () => ({}) }, plan.project, plan.stack, false);
    await pulumi.runtime.runInPulumiStack(async () => {
        const made = new Map<string, pulumi.Resource>();
        const stack = plan.resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn;
        const pending = plan.resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
        // Plans are sorted by URN, not by creation: make each resource once its parent exists.
        while (pending.length > 0) {
            const ready = pending.filter((r) => !r.parent || r.parent === stack || made.has(r.parent));
            if (ready.length === 0) throw new Error("replay: a parent is missing from the plan");
            for (const r of ready) {
                pending.splice(pending.indexOf(r), 1);
                const opts = r.parent && r.parent !== stack ? { parent: made.get(r.parent) } : {};
                made.set(r.urn, construct(r.type, r.name, r.inputs, opts));
            }
        }
        return {};
    });
}

type Ctor = new (name: string, args: Record<string, unknown>, opts: pulumi.CustomResourceOptions) => pulumi.Resource;

const SDKS: Record<string, string> = { aws: "@pulumi/aws", kubernetes: "@pulumi/kubernetes", docker: "@pulumi/docker", "docker-build": "@pulumi/docker-build", cloudflare: "@pulumi/cloudflare", tls: "@pulumi/tls", random: "@pulumi/random", tailscale: "@pulumi/tailscale", time: "@pulumiverse/time", command: "@pulumi/command" };

/** The SDK class a type token names (`aws:ec2/vpc:Vpc` → aws.ec2.Vpc), so replay pays what the program pays per resource. */
function sdkClass(type: string): Ctor | undefined {
    const [provider, module, name] = type.split(":");
    if (provider === "pulumi" && module === "providers") {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return SDKS[name] ? (require(SDKS[name]).Provider as Ctor) : undefined;
    }
    if (!SDKS[provider]) return undefined;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sdk = require(SDKS[provider]) as Record<string, unknown>;
    const path = provider === "kubernetes" ? [module.split("/")[0].split(".")[0], module.split("/")[1]] : module.includes("/") ? [module.split("/")[0]] : [module];
    let cur: unknown = sdk;
    for (const step of path.filter((p) => p !== "index")) cur = (cur as Record<string, unknown> | undefined)?.[step];
    return (cur as Record<string, Ctor> | undefined)?.[name];
}

function construct(type: string, name: string, inputs: Record<string, unknown>, opts: pulumi.CustomResourceOptions): pulumi.Resource {
    if (type.startsWith("pr-cybr:")) return new pulumi.ComponentResource(type, name, {}, opts);
    const Class = sdkClass(type);
    if (Class) return new Class(name, inputs, opts);
    // Kinds without an SDK class (CustomResources of CRDs): the generic class the program uses for them.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (type.startsWith("kubernetes:")) return new (require("@pulumi/kubernetes") as typeof import("@pulumi/kubernetes")).apiextensions.CustomResource(name, inputs as never, opts);
    return new Thing(type, name, inputs, opts);
}

const [first, second] = process.argv.slice(2);
(first === "--program" ? program(second) : first === "--replay" ? replay(second) : trivial(Number(first ?? "1000"))).catch((err) => {
    console.error(err);
    process.exit(1);
});
