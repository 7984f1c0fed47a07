/**
 * One `pulumi preview|up` worth of policy analysis against the real pack: start it, configure it as
 * the CLI does from a policy-pack config file, `Analyze` every resource (inputs, with its provider),
 * `AnalyzeStack` once (outputs, parents, dependencies), and turn the diagnostics into what a CLI user
 * sees: per-resource diagnostics on the analyzed resource's URN, stack diagnostics on the URN they name
 * when it is in the stack, else on the root stack (pkg/resource/deploy/analyze_snapshot.go
 * analyzeResource and step_generator.go AnalyzeResources, pulumi/pulumi v3.248.0), remediate as mandatory.
 */
import { AnalyzerInfo, Diagnostic, PackProcess, startPolicyPack } from "./analyzer-host";
import { parsePolicyPackConfig, PolicyConfigEntry, reconcilePolicyPackConfig } from "./policy-config";
import { byVerdict, rootStackUrn, Verdict, WireResource } from "./wire";

export interface PackRun {
    /** Violations, message without the description line the pack prefixes (asserted equal to the policy's description). */
    violations: Verdict[];
    /** "can't run policy ... during preview" diagnostics: the policy read an unknown value. */
    cannotRun: Verdict[];
    analyzed: number;
    info: AnalyzerInfo;
    /** The config the pack was configured with, as the CLI reconciled it. */
    configured: Record<string, PolicyConfigEntry>;
    logs: PackProcess["logs"];
}

const CANNOT_RUN = /^can't run policy '([^']+)' from policy pack '[^']+' during preview: /;

function toVerdict(d: Diagnostic, urn: string): { verdict: Verdict; cannotRun: boolean } {
    const level = d.enforcementLevel === "remediate" ? "mandatory" : d.enforcementLevel;
    if (CANNOT_RUN.test(d.message)) return { verdict: { policy: d.policyName, urn, message: d.message, level }, cannotRun: true };
    // server.ts makeReportViolationFun: message = description + "\n" + the reported text.
    const prefix = `${d.description}\n`;
    if (!d.message.startsWith(prefix)) throw new Error(`diagnostic of ${d.policyName} does not start with its description: ${JSON.stringify(d.message)}`);
    return { verdict: { policy: d.policyName, urn, message: d.message.slice(prefix.length), level }, cannotRun: false };
}

export interface PackRunOptions {
    packDir: string;
    project: string;
    stack: string;
    dryRun: boolean;
    /** The policy-pack config file's text (`--policy-pack-config`); "" for none. */
    policyConfig: string;
    stackConfig?: { values: Record<string, string>; secretKeys: string[] };
}

/** Starts a pack and configures it; the caller analyzes (possibly several times) and closes it. */
export async function configuredPack(
    o: PackRunOptions,
): Promise<{ pack: PackProcess; info: AnalyzerInfo; configured: Record<string, PolicyConfigEntry>; configure(file: Record<string, PolicyConfigEntry>): Promise<Record<string, PolicyConfigEntry>> }> {
    const config = o.stackConfig ?? { values: {}, secretKeys: [] };
    const pack = await startPolicyPack(o.packDir, { project: o.project, stack: o.stack, dryRun: o.dryRun, config: config.values });
    try {
        await pack.configureStack({ stack: o.stack, project: o.project, dryRun: o.dryRun, config: config.values, secretKeys: config.secretKeys });
        const info = await pack.analyzerInfo();
        await pack.pluginVersion();
        const configure = async (file: Record<string, PolicyConfigEntry>) => {
            const { config: reconciled, errors } = reconcilePolicyPackConfig(info.policies, info.initialConfig, file);
            if (errors.length > 0) throw new Error(`validating policy config for "${info.name}": ${errors.join("; ")}`);
            await pack.configure(reconciled);
            return reconciled;
        };
        const configured = await configure(parsePolicyPackConfig(o.policyConfig));
        return { pack, info, configured, configure };
    } catch (err) {
        await pack.close();
        throw new Error(`${(err as Error).message}\n--- pack stderr\n${pack.stderr()}`);
    }
}

/** Analyze for each resource, then AnalyzeStack, on a configured pack. */
export async function analyzeAll(pack: PackProcess, resources: WireResource[], rootUrn: string): Promise<Pick<PackRun, "violations" | "cannotRun" | "analyzed">> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const violations: Verdict[] = [];
    const cannotRun: Verdict[] = [];
    const add = ({ verdict, cannotRun: c }: ReturnType<typeof toVerdict>) => (c ? cannotRun : violations).push(verdict);
    const perResource = await Promise.all(resources.map(async (r) => ({ r, ds: await pack.analyze(r, r.providerUrn ? byUrn.get(r.providerUrn) : undefined) })));
    for (const { r, ds } of perResource) for (const d of ds) add(toVerdict(d, r.urn));
    for (const d of await pack.analyzeStack(resources, byUrn)) add(toVerdict(d, d.urn && byUrn.has(d.urn) ? d.urn : rootUrn));
    return { violations: violations.sort(byVerdict), cannotRun: cannotRun.sort(byVerdict), analyzed: resources.length };
}

/** A whole run on a fresh pack process, as one CLI invocation. */
export async function runPack(o: PackRunOptions, resources: WireResource[]): Promise<PackRun> {
    const { pack, info, configured } = await configuredPack(o);
    try {
        return { ...(await analyzeAll(pack, resources, rootStackUrn(o.stack, o.project))), info, configured, logs: pack.logs };
    } catch (err) {
        throw new Error(`${(err as Error).message}\n--- pack stderr\n${pack.stderr()}`);
    } finally {
        await pack.close();
    }
}
