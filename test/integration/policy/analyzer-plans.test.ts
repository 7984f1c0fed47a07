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
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readStackFiles } from "../../../tools/lib/stack-files";
import { engine, ROOT } from "../lib/env";
import { recordEngines, scenario } from "../lib/summary";
import { policyInputs } from "./policy-inputs";
import { PackRun, runPack } from "./run-pack";
import { seedViolations } from "./seeded";
import { byVerdict, Verdict } from "./wire";

const PROJECT = "pr-cybr-platform";
const suiteStarted = Date.now();

interface PlanFile {
    resources: { urn: string }[];
    policies: { evaluated: { policy: string; enforcementLevel: string }[]; violations: { policy: string; enforcementLevel: string; urn: string; message: string }[] };
}

/**
 * What a preview of our stacks cannot evaluate, and why that is inherent: the value decides the
 * verdict and is unknown until the update (treating it as compliant would let a violation through).
 */
const NOT_EVALUABLE_IN_PREVIEW = [
    // (aws-eks-cluster-hardened no longer: the KMS key's ARN is unknown until the key exists, but that a
    // key is set is known, and only that decides; issue 17.)
    // Cilium's Helm values are built from the cluster's endpoint, an output.
    "no-plaintext-secrets: string value at .values can't be known during preview",
];

const planOf = (stack: string): PlanFile => JSON.parse(fs.readFileSync(path.join(process.env.PR_CYBR_SHARED_PLANS!, `${stack}.plan.json`), "utf8"));
const key = (v: Pick<Verdict, "policy" | "urn">) => `${v.policy} ${v.urn}`;
const verdictsOf = (plan: PlanFile): Verdict[] => plan.policies.violations.map((v) => ({ policy: v.policy, urn: v.urn, message: v.message, level: v.enforcementLevel })).sort(byVerdict);

/**
 * The stack's policy config made strict enough to fail: a required tag nobody sets (every AWS
 * resource, through the provider's default tags), a quarter of the overcommit (a stack violation without a
 * resource URN), one allowed registry.
 */
function stricter(configText: string): string {
    const config = JSON.parse(configText) as Record<string, Record<string, unknown>>;
    const requiredTags = [...((config["aws-required-tags"]?.requiredTags as string[]) ?? []), "data-classification"];
    return JSON.stringify({
        ...config,
        "aws-required-tags": { ...config["aws-required-tags"], requiredTags },
        "tenant-quotas-fit-cluster": { ...config["tenant-quotas-fit-cluster"], overcommit: { cpu: 0.25, memory: 0.25 } },
        "k8s-allowed-registries": { enforcementLevel: "mandatory", registries: ["ghcr.io/pr-cybr/"] },
    });
}

/** synth's plan under another policy config (exit 1: mandatory violations, plan still written). */
function synthPlan(stack: string, policyConfig: string): PlanFile {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pr-cybr-policy-strict-"));
    fs.writeFileSync(path.join(dir, "policy.json"), policyConfig);
    const run = spawnSync(process.execPath, [path.join(ROOT, ".build", "tools", "synth.js"), "--stack", stack, "--policy-config", path.join(dir, "policy.json"), "--out", dir], { cwd: ROOT, encoding: "utf8" });
    if (run.status !== 0 && run.status !== 1) throw new Error(`synth exited ${run.status}: ${run.stderr}`);
    const plan = JSON.parse(fs.readFileSync(path.join(dir, `${stack}.plan.json`), "utf8")) as PlanFile;
    fs.rmSync(dir, { recursive: true, force: true });
    return plan;
}

/** A violation only a preview reports (it would fail every preview of a compliant stack), or a known mandatory one the preview neither reports nor flags as not evaluated. */
function previewFindings(known: PackRun, preview: PackRun): string[] {
    const knownKeys = new Set(known.violations.map(key));
    const previewKeys = new Set(preview.violations.map(key));
    const cannotRun = new Set(preview.cannotRun.map((c) => c.policy));
    return [
        ...preview.violations.filter((v) => !knownKeys.has(key(v))).map((v) => `only in preview: ${v.policy} on ${v.urn}: ${v.message}`),
        ...known.violations.filter((v) => v.level === "mandatory" && !previewKeys.has(key(v)) && !cannotRun.has(v.policy)).map((v) => `let through: ${v.policy} on ${v.urn}: ${v.message}`),
    ];
}

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
        // The levels the CLI configures the pack with (reconciled from the served policies and the file) are the plan's.
        const levels = (list: { policy: string; enforcementLevel: string }[]) => list.map((e) => `${e.policy} ${e.enforcementLevel}`).sort();
        const configuredLevels = up.info.policies.map((p) => ({ policy: p.name, enforcementLevel: up.configured[p.name]?.enforcementLevel ?? "" })).filter((e) => e.enforcementLevel !== "disabled");
        expect(levels(configuredLevels)).toEqual(levels(plan.policies.evaluated));
        const expected = verdictsOf(plan);
        expect(up.cannotRun).toEqual([]);
        expect(up.violations).toEqual(expected);
        expect(up.logs.filter((l) => l.severity >= 3)).toEqual([]); // no error the pack logged to the engine

        // The same with a config that fails hundreds of resources and the stack itself.
        const strictConfig = stricter(options.policyConfig);
        const strictPlan = synthPlan(stack, strictConfig);
        const strict = await runPack({ ...options, policyConfig: strictConfig, dryRun: false }, known);
        expect(strict.violations.length).toBeGreaterThan(50);
        expect(strict.violations).toEqual(verdictsOf(strictPlan));

        const pre = await runPack({ ...options, dryRun: true }, preview);
        expect(previewFindings(up, pre)).toEqual([]);
        // With hundreds of violations once known, the preview must still report each mandatory one or say it could not run the policy.
        const strictPreview = await runPack({ ...options, policyConfig: strictConfig, dryRun: true }, preview);
        expect(previewFindings(strict, strictPreview)).toEqual([]);
        expect(pre.cannotRun.every((c) => c.level === "advisory")).toBe(true);
        expect([...new Set(pre.cannotRun.map((c) => `${c.policy}: ${c.message.replace(/^.* during preview: /, "")}`))].sort()).toEqual(NOT_EVALUABLE_IN_PREVIEW);

        for (const [mode, resources] of [["known", known], ["preview", preview]] as const) {
            const seeded = seedViolations(resources, mode);
            const run = await runPack({ ...options, dryRun: mode === "preview" }, seeded.resources);
            const found = run.violations.filter((v) => v.level === "mandatory").map(key);
            expect({ mode, missing: seeded.expected.map(key).filter((k) => !found.includes(k)), cannotRun: run.cannotRun.filter((c) => seeded.expected.some((e) => e.policy === c.policy)) }).toEqual({ mode, missing: [], cannotRun: [] });
        }

        console.log(
            `${stack}: ${up.analyzed} resources analyzed (known), ${pre.analyzed} (preview); ${up.violations.length} violations (plan ${expected.length}), ` +
                `${strict.violations.length} under a stricter config (plan ${strictPlan.policies.violations.length}); ` +
                `preview: ${pre.violations.length} violations (${strictPreview.violations.length} under the stricter config), ${pre.cannotRun.length} not evaluable: ${[...new Set(pre.cannotRun.map((c) => c.policy))].join(", ") || "none"}`,
        );
    });
});
