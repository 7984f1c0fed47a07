import * as pulumi from "@pulumi/pulumi";
import { ConfigProblem, crossFieldProblems } from "./config-checks";
import { ENVIRONMENTS, Environment, PlatformConfig, stackConfigSchema } from "./config-schema";
import { componentArgProblems } from "./preflight";
import { nearest } from "./suggest";

// Not in the SDK's typings, but exported: whether a config key was set with --secret.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };

export * from "./config-schema";
export { ConfigProblem } from "./config-checks";

/** The Pulumi project name; stack config keys are `<project>:<key>`. */
export const PROJECT = "pr-cybr-platform";

/** Top-level keys under the project namespace, in the order the stack files list them. */
export const CONFIG_KEYS = ["environment", "globalNameSuffix", "tags", "network", "cluster", "tenants", "gitops", "swarm", "edge", "secrets", "budget", "cloudflare", "addons"] as const;
/** Keys whose value is a plain string rather than a map or list. */
const STRING_KEYS: readonly string[] = ["environment", "globalNameSuffix"];

/**
 * A user error in stack config. It extends RunError so `pulumi up` prints just the message (no stack
 * trace), and it is thrown before any resource is registered.
 */
export class ConfigError extends pulumi.RunError {
    constructor(public readonly problems: readonly ConfigProblem[]) {
        super(formatProblems(problems));
        this.name = "ConfigError";
    }
}

/** `tenants[2].name` from ["tenants", 2, "name"]. */
export function formatPath(path: readonly PropertyKey[]): string {
    return path.reduce<string>((acc, key) => (typeof key === "number" ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), "");
}

export function formatProblems(problems: readonly ConfigProblem[]): string {
    const noun = problems.length === 1 ? "problem" : "problems";
    return [`invalid stack config: ${problems.length} ${noun}`, ...problems.map((p) => `  ${p.path}: ${p.message}`)].join("\n");
}

/** The raw config as a plain object: `{ region, environment, tags, network, ... }`. */
export type RawConfig = Record<string, unknown>;

/**
 * Validates and defaults raw stack config. Returns every problem (schema and cross-field), sorted by
 * path, or the typed config. Pure: no Pulumi runtime needed.
 */
export function parseStackConfig(raw: RawConfig): { config: PlatformConfig; problems?: undefined } | { config?: undefined; problems: ConfigProblem[] } {
    const env = ENVIRONMENTS.includes(raw.environment as Environment) ? (raw.environment as Environment) : "dev";
    const result = stackConfigSchema(env).safeParse(raw);
    const problems: ConfigProblem[] = [
        ...(result.success ? [] : result.error.issues.map((i) => ({ path: formatPath(i.path) || "(config)", message: i.message }))),
        ...crossFieldProblems(raw),
    ];
    if (problems.length > 0 || !result.success) {
        const unique = [...new Map(problems.map((p) => [`${p.path}\u0000${p.message}`, p])).values()];
        return { problems: unique.sort((a, b) => comparePaths(a.path, b.path)) };
    }
    const config = result.data;
    // Private API endpoint: nodes must reach AWS APIs without NAT, so endpoints default on.
    config.network.interfaceEndpoints ??= !config.cluster.endpointPublicAccess;
    const componentProblems = componentArgProblems(config);
    if (componentProblems.length > 0) return { problems: componentProblems.sort((a, b) => comparePaths(a.path, b.path)) };
    return { config };
}

/** Like parseStackConfig, but throws a ConfigError listing every problem. */
export function requireValidConfig(raw: RawConfig): PlatformConfig {
    const parsed = parseStackConfig(raw);
    if (parsed.problems) throw new ConfigError(parsed.problems);
    return parsed.config;
}

/**
 * Reads the stack's config through pulumi.Config (the only place that does) and validates it. Unknown
 * top-level keys under the project namespace are reported too: a typo there would otherwise be ignored.
 */
export function readStackConfig(): PlatformConfig {
    const project = new pulumi.Config(PROJECT);
    const awsConfig = new pulumi.Config("aws");
    const raw: RawConfig = { region: awsConfig.get("region") };
    const problems: ConfigProblem[] = [];
    const accounts = awsConfig.getObject<unknown>("allowedAccountIds");
    if (accounts !== undefined) {
        if (Array.isArray(accounts) && accounts.length === 1) raw.accountId = accounts[0];
        else problems.push({ path: "aws:allowedAccountIds", message: `${JSON.stringify(accounts)} is not one account (a list of exactly the environment's account id: each environment is its own account)` });
    }
    for (const key of CONFIG_KEYS) {
        if (isConfigSecret(`${PROJECT}:${key}`)) {
            problems.push({ path: key, message: "is stored as a secret, but it is plain config that ends up in names, tags and plans (set it without --secret)" });
            continue;
        }
        try {
            raw[key] = STRING_KEYS.includes(key) ? project.get(key) : project.getObject(key);
        } catch {
            problems.push({ path: key, message: "is not valid YAML/JSON (write it as a YAML map or list)" });
        }
    }
    for (const fullKey of Object.keys(pulumi.runtime.allConfig())) {
        const problem = configKeyProblem(fullKey);
        if (problem) problems.push(problem);
    }
    if (problems.length > 0) throw new ConfigError(problems);
    return requireValidConfig(raw);
}

/**
 * An unknown key under the project namespace, or a key under a namespace one typo away from it (which
 * Pulumi would hand to no one, so the key would read as missing): named, with the nearest valid key.
 */
export function configKeyProblem(fullKey: string): ConfigProblem | undefined {
    const colon = fullKey.indexOf(":");
    const [namespace, key] = [fullKey.slice(0, colon), fullKey.slice(colon + 1)];
    if (namespace === PROJECT) {
        if ((CONFIG_KEYS as readonly string[]).includes(key)) return undefined;
        const guess = nearest(key, CONFIG_KEYS);
        return { path: key, message: `is not a config key of this project (${guess ? `did you mean ${guess}? ` : ""}allowed: ${CONFIG_KEYS.join(", ")})` };
    }
    if (nearest(namespace, [PROJECT], 3)) {
        const guess = (CONFIG_KEYS as readonly string[]).includes(key) ? key : nearest(key, CONFIG_KEYS);
        return { path: fullKey, message: `"${namespace}" is not this project's namespace (did you mean ${PROJECT}:${guess ?? key}?)` };
    }
    return undefined;
}

/** Sort by path with list indexes compared as numbers, so tenants[10] follows tenants[9]. */
function comparePaths(a: string, b: string): number {
    return a.localeCompare(b, "en", { numeric: true });
}
