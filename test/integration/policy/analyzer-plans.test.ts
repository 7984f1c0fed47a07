/**
 * Scenarios policy-analyzer-dev / policy-analyzer-prod: every resource of a stack through the real
 * CrossGuard analyzer (policy/ served by run-policy-pack, configured from policy/config/<stack>.json as
 * the CLI reconciles it). Fully known, the analyzer must report exactly the plan's violations.
 * Preview-shaped (provider-computed outputs unknown), it must not fail, must not report a violation
 * that is not there once known, and must not let a mandatory violation through: each one is still
 * reported, or the engine says it could not run that policy during preview. Seeded violations whose
 * deciding values a preview knows must be reported by the preview itself: a stack rule that cannot run
 * there only reports after `pulumi up` has already made the resources.
 */
import * as fs from "fs";
import * as path from "path";
import { readStackFiles } from "../../../tools/lib/stack-files";
import { engine, ROOT } from "../lib/env";
import { recordEngines, scenario } from "../lib/summary";
import { policyInputs } from "./policy-inputs";
import { runPack } from "./run-pack";
import { seedViolations } from "./seeded";
import { byVerdict, Verdict } from "./wire";

const PROJECT = "pr-cybr-platform";
const suiteStarted = Date.now();

interface PlanFile {
    resources: { urn: string }[];
    policies: { violations: { policy: string; enforcementLevel: string; urn: string; message: string }[] };
}

/**
 * What a preview of our stacks cannot evaluate, and why that is inherent: the value decides the
 * verdict and is unknown until the update (treating it as compliant would let a violation through).
 */
const NOT_EVALUABLE_IN_PREVIEW = [
    // The KMS key's ARN exists only once the key does.
    "aws-eks-cluster-hardened: string value at .encryptionConfig.provider.keyArn can't be known during preview",
    // Cilium's Helm values are built from the cluster's endpoint, an output.
    "no-plaintext-secrets: string value at .values can't be known during preview",
];

const planOf = (stack: string): PlanFile => JSON.parse(fs.readFileSync(path.join(process.env.PR_CYBR_SHARED_PLANS!, `${stack}.plan.json`), "utf8"));
const key = (v: Pick<Verdict, "policy" | "urn">) => `${v.policy} ${v.urn}`;

let packDir: string;

beforeAll(() => {
    const analyzer = engine("policy-analyzer");
    packDir = String(analyzer.packDir);
    recordEngines({ "pulumi-policy": analyzer.versions!["pulumi-policy"], "pulumi-sdk": analyzer.versions!["pulumi-sdk"] });
});

afterAll(() => console.log(`policy analyzer plan scenarios: ${((Date.now() - suiteStarted) / 1000).toFixed(1)} s`));

describe.each(["dev", "prod"])("the %s stack through the real CrossGuard analyzer", (stack) => {
    scenario(`policy-analyzer-${stack}`, `${stack}: the analyzer reports the plan's violations, and a preview lets no mandatory one through`, async () => {
        const [known, preview] = await Promise.all([policyInputs(stack, "known"), policyInputs(stack, "preview")]);
        const plan = planOf(stack);
        expect(known.map((r) => r.urn).sort()).toEqual(plan.resources.map((r) => r.urn).sort());

        const options = {
            packDir,
            project: PROJECT,
            stack,
            policyConfig: fs.readFileSync(path.join(ROOT, "policy", "config", `${stack}.json`), "utf8"),
            stackConfig: readStackFiles(path.join(ROOT, "Pulumi.yaml"), path.join(ROOT, `Pulumi.${stack}.yaml`)),
        };
        const up = await runPack({ ...options, dryRun: false }, known);
        const expected: Verdict[] = plan.policies.violations.map((v) => ({ policy: v.policy, urn: v.urn, message: v.message, level: v.enforcementLevel })).sort(byVerdict);
        expect(up.cannotRun).toEqual([]);
        expect(up.violations).toEqual(expected);
        expect(up.logs.filter((l) => l.severity >= 3)).toEqual([]); // no error the pack logged to the engine

        const pre = await runPack({ ...options, dryRun: true }, preview);
        const knownKeys = new Set(up.violations.map(key));
        const previewKeys = new Set(pre.violations.map(key));
        const cannotRun = new Set(pre.cannotRun.map((c) => c.policy));
        // A preview-only violation would fail every preview of a compliant stack.
        expect(pre.violations.filter((v) => !knownKeys.has(key(v)))).toEqual([]);
        // A mandatory violation the preview neither reports nor flags as not evaluated is let through.
        expect(up.violations.filter((v) => v.level === "mandatory" && !previewKeys.has(key(v)) && !cannotRun.has(v.policy))).toEqual([]);
        expect(pre.cannotRun.every((c) => c.level === "advisory")).toBe(true);
        expect([...new Set(pre.cannotRun.map((c) => `${c.policy}: ${c.message.replace(/^.* during preview: /, "")}`))].sort()).toEqual(NOT_EVALUABLE_IN_PREVIEW);

        for (const [mode, resources] of [["known", known], ["preview", preview]] as const) {
            const seeded = seedViolations(resources, mode);
            const run = await runPack({ ...options, dryRun: mode === "preview" }, seeded.resources);
            const found = run.violations.filter((v) => v.level === "mandatory").map(key);
            expect({ mode, missing: seeded.expected.map(key).filter((k) => !found.includes(k)), cannotRun: run.cannotRun.filter((c) => seeded.expected.some((e) => e.policy === c.policy)) }).toEqual({ mode, missing: [], cannotRun: [] });
        }

        console.log(
            `${stack}: ${up.analyzed} resources analyzed (known), ${pre.analyzed} (preview); ${up.violations.length} violations (plan ${expected.length}); ` +
                `preview: ${pre.violations.length} violations, ${pre.cannotRun.length} not evaluable: ${[...new Set(pre.cannotRun.map((c) => c.policy))].join(", ") || "none"}`,
        );
    });
});
