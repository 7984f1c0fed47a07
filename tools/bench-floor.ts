/**
 * The floor synth is measured against: Pulumi's own mock runtime registering N trivial resources with
 * no recorder, no policies and no plan. `node .build/tools/bench-floor.js <N>`.
 */
import * as pulumi from "@pulumi/pulumi";

class Thing extends pulumi.CustomResource {}

async function main(): Promise<void> {
    const count = Number(process.argv[2] ?? "1000");
    await pulumi.runtime.setMocks({ newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: () => ({}) }, "floor", "floor", false);
    await pulumi.runtime.runInPulumiStack(async () => {
        for (let i = 0; i < count; i++) new Thing("floor:index:Thing", `thing-${i}`, { index: i, tags: { a: "b" } });
        return {};
    });
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
