/**
 * Scenario policy-differential: every case of the policy unit corpus (test/policy/*.test.ts through
 * test/policy/harness.ts, recorded by test/policy/corpus.ts) gets the same verdict from the real
 * CrossGuard analyzer as from the offline engine synth uses (tools/lib/policy-engine.ts). The real
 * analyzer is the truth: a drift is the offline engine's (or a rule's) defect.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { policies } from "../../../policy/rules";
import { CorpusCase, EngineCase, readCorpus } from "../../policy/corpus";
import { ENGINE_TEST_RULES } from "../../policy/engine-rules";
import { engine, ROOT } from "../lib/env";
import { recordEngines, scenario } from "../lib/summary";
import { CaseVerdict, CONFIG_ERROR, configFileOf, engineFile, engineWire, offlineEngineVerdict, offlineVerdict, thrownMessage, unknownVariants, wireResources } from "./corpus-replay";
import { parsePolicyPackConfig } from "./policy-config";
import { analyzeAll, configuredPack } from "./run-pack";
import { byVerdict, rootStackUrn } from "./wire";

const CORPUS_STACK = "test"; // the harness builds URNs urn:pulumi:test::pr-cybr-platform::...
const PROJECT = "pr-cybr-platform";

/**
 * Runs the unit corpus (test/policy) with recording on: the root jest config minus its globalSetup (no
 * rebuild of .build/ under other suites). Its own pass/fail is `npm test`'s to report; cases are
 * recorded before their assertions.
 */
function recordCorpus(): (CorpusCase | EngineCase)[] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pr-cybr-policy-corpus-"));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const base = require(path.join(ROOT, "jest.config.js")) as Record<string, unknown>;
    const config = { ...base, rootDir: ROOT, roots: ["<rootDir>/test/policy"], globalSetup: undefined };
    const unit = spawnSync(process.execPath, [path.join(ROOT, "node_modules/jest/bin/jest.js"), "--config", JSON.stringify(config), "--silent"], {
        cwd: ROOT,
        env: { ...process.env, PR_CYBR_POLICY_CORPUS: dir },
        encoding: "utf8",
    });
    if (unit.status !== 0) console.warn(`the policy unit corpus itself did not pass (exit ${unit.status}); comparing the cases it recorded:\n${unit.stderr.slice(-2000)}`);
    const cases = readCorpus(dir);
    fs.rmSync(dir, { recursive: true, force: true });
    return cases;
}

const ENGINE_PACK = path.join(__dirname, "engine-pack");
const show = (v: CaseVerdict) => JSON.stringify(v, null, 1);
const key = (v: { policy: string; urn: string }) => `${v.policy} ${v.urn}`;

/**
 * What a preview must not do with a case that fails once known: report a violation that is not there,
 * or drop a mandatory one without saying the policy could not run (the analyzer's advisory "can't run").
 */
function previewFindings(known: CaseVerdict, preview: CaseVerdict): string[] {
    if ("error" in known || "error" in preview) return [];
    const cannotRun = new Set(preview.violations.filter((v) => v.message.startsWith("can't run policy")).map((v) => v.policy));
    const seen = new Set(preview.violations.map(key));
    const knownKeys = new Set(known.violations.map(key));
    return [
        ...known.violations.filter((v) => v.level === "mandatory" && !seen.has(key(v)) && !cannotRun.has(v.policy)).map((v) => `lets through ${v.policy} on ${v.urn}: ${v.message}`),
        ...preview.violations.filter((v) => !v.message.startsWith("can't run policy") && !knownKeys.has(key(v))).map((v) => `reports ${v.policy} on ${v.urn} only in preview: ${v.message}`),
    ];
}

describe("the policy corpus through the real analyzer and the offline engine", () => {
    scenario("policy-differential", "every corpus case gets the same verdict from the real CrossGuard analyzer and from the offline engine", async () => {
        const started = Date.now();
        const analyzer = engine("policy-analyzer");
        recordEngines({ "pulumi-policy": analyzer.versions!["pulumi-policy"], "pulumi-sdk": analyzer.versions!["pulumi-sdk"] });
        const recorded = recordCorpus();
        const cases = recorded.filter((c): c is CorpusCase => c.kind !== "engine");
        const engineCases = recorded.filter((c): c is EngineCase => c.kind === "engine");
        expect(cases.length).toBeGreaterThan(50);
        expect(engineCases.length).toBeGreaterThan(5);

        const { pack, configure } = await configuredPack({ packDir: String(analyzer.packDir), project: PROJECT, stack: CORPUS_STACK, dryRun: false, policyConfig: "" });
        const realVerdict = async (c: CorpusCase): Promise<CaseVerdict> => {
            try {
                const run = await analyzeAll(pack, wireResources(c), rootStackUrn(CORPUS_STACK, PROJECT));
                return { violations: [...run.violations, ...run.cannotRun].sort(byVerdict) };
            } catch (err) {
                return { error: thrownMessage(err) };
            }
        };
        const drifts: string[] = [];
        const findings: string[] = [];
        const outcomes = { violations: 0, clean: 0, errors: 0 };
        const tally = (v: CaseVerdict) => ("error" in v ? outcomes.errors++ : v.violations.length > 0 ? outcomes.violations++ : outcomes.clean++);
        let variants = 0;
        try {
            for (const c of cases) {
                // The CLI starts one pack per run; Configure replaces the whole config, so one process serves every case.
                await configure(parsePolicyPackConfig(JSON.stringify(configFileOf(c, policies))));
                const compare = async (what: string, variant: CorpusCase) => {
                    const [real, offline] = [await realVerdict(variant), await offlineVerdict(variant, policies)];
                    if (JSON.stringify(real) !== JSON.stringify(offline)) drifts.push(`${c.test} [${c.policy}]${what}\n  real analyzer: ${show(real)}\n  offline engine: ${show(offline)}`);
                    return real;
                };
                const known = await compare("", c);
                tally(known);
                if ("error" in known || !known.violations.some((v) => v.level === "mandatory")) continue;
                // Preview-shaped: each value in turn unknown, as a provider-computed output is in `pulumi preview`.
                for (const { at, variant } of unknownVariants(c)) {
                    variants++;
                    for (const f of previewFindings(known, await compare(` with ${at} unknown`, variant))) findings.push(`${c.test} [${c.policy}] with ${at} unknown: ${f}`);
                }
            }
        } finally {
            await pack.close();
        }

        // The offline engine's own cases (test/policy/engine.test.ts), on a pack serving its test rules.
        const engineRun = await configuredPack({ packDir: ENGINE_PACK, project: PROJECT, stack: "engine", dryRun: false, policyConfig: "" });
        try {
            for (const c of engineCases) {
                let real: CaseVerdict;
                try {
                    await engineRun.configure(parsePolicyPackConfig(JSON.stringify(engineFile(c, ENGINE_TEST_RULES))));
                } catch {
                    real = CONFIG_ERROR;
                }
                real ??= await analyzeAll(engineRun.pack, engineWire(c), rootStackUrn("engine", PROJECT)).then(
                    (run) => ({ violations: [...run.violations, ...run.cannotRun].sort(byVerdict) }),
                    (err) => ({ error: thrownMessage(err) }),
                );
                const offline = await offlineEngineVerdict(c, ENGINE_TEST_RULES);
                tally(real);
                if (JSON.stringify(real) !== JSON.stringify(offline)) drifts.push(`${c.test} [${c.rules.join(", ")}]\n  real analyzer: ${show(real)}\n  offline engine: ${show(offline)}`);
            }
        } finally {
            await engineRun.pack.close();
        }
        console.log(
            `policy-differential: ${cases.length + engineCases.length} corpus cases compared (${cases.filter((c) => c.kind === "stack").length} stack, ${cases.filter((c) => c.kind === "resource").length} resource, ` +
                `${engineCases.length} engine; ${outcomes.violations} with violations, ${outcomes.clean} clean, ${outcomes.errors} errors) and ${variants} preview-shaped variants of the failing ones; ${drifts.length} drifts, ${findings.length} preview findings, ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
        expect(drifts).toEqual([]);
        expect(findings).toEqual([]);
    });
});
