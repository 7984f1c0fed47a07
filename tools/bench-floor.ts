/**
 * The floors synth is measured against (`node .build/tools/bench-floor.js ...`):
 *  - `<N>`: Pulumi's own mock runtime registering N trivial resources with no recorder, no policies
 *    and no plan (the SDK's cost per resource);
 *  - `--program <Pulumi.x.yaml>`: the real program for that stack file under the same mocks' answers
 *    (ids, outputs, invokes) but without the recorder, policies, leak scan or plan: synth minus this is
 *    what our tooling adds.
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

const [first, second] = process.argv.slice(2);
(first === "--program" ? program(second) : trivial(Number(first ?? "1000"))).catch((err) => {
    console.error(err);
    process.exit(1);
});
