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
import { CorpusCase, readCorpus } from "../../policy/corpus";
import { engine, ROOT } from "../lib/env";
import { recordEngines, scenario } from "../lib/summary";
import { CaseVerdict, configFileOf, offlineVerdict, thrownMessage, unknownVariants, wireResources } from "./corpus-replay";
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
function recordCorpus(): CorpusCase[] {
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
        const cases = recordCorpus();
        expect(cases.length).toBeGreaterThan(50);

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
        console.log(
            `policy-differential: ${cases.length} corpus cases compared (${cases.filter((c) => c.kind === "stack").length} stack, ${cases.filter((c) => c.kind === "resource").length} resource) ` +
                `and ${variants} preview-shaped variants of the failing ones; ${drifts.length} drifts, ${findings.length} preview findings, ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
        expect(drifts).toEqual([]);
        expect(findings).toEqual([]);
    });
});
