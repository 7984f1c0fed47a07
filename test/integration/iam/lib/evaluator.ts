// One AWS authorization decision, made by iam-simulate with AWS's evaluation logic: identity policies,
// the permissions boundary and the target's resource policy (key policy, trust policy, bucket policy)
// together, with each service's trust rules (KMS keys and role trust policies must admit the caller).
// The wrapper refuses to answer rather than guess: input errors and context keys the simulator would
// silently drop both throw.
import * as path from "path";
import { loadPolicy } from "@cloud-copilot/iam-policy";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { keyPattern, keysOfAction } from "./iam-data-check";

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

export interface NamedPolicy {
    name: string;
    policy: any;
}

export interface AccessRequest {
    /** Role session, role, service principal (`rolesanywhere.amazonaws.com`) or OIDC provider ARN. */
    principal: string;
    action: string;
    /** An ARN, or `*` for actions without resource-level permissions. */
    resource: string;
    /** The account that owns the resource. */
    resourceAccount: string;
    context?: Record<string, string | string[]>;
    identityPolicies?: NamedPolicy[];
    boundary?: NamedPolicy;
    resourcePolicy?: any;
}

/** `<host>:<claim>` keys of the OIDC providers a trust policy names (see iam-data-check.ts). */
function oidcClaimKeys(resourcePolicy: any): (key: string) => boolean {
    const statements: any[] = resourcePolicy ? [resourcePolicy.Statement].flat() : [];
    const hosts = statements.flatMap((s) => [s.Principal?.Federated ?? []].flat()).map((p: string) => /:oidc-provider\/(.+)$/.exec(p)?.[1]).filter(Boolean) as string[];
    return (key) => hosts.some((h) => key.toLowerCase().startsWith(`${h.toLowerCase()}:`));
}

/**
 * Context keys `runSimulation` 0.1.173 drops although they are real for the request:
 * - OIDC token claims of a provider the trust policy names: iam-data does not list the generic claims
 *   (`token.actions.githubusercontent.com:sub`, an EKS issuer's `:sub`; see iam-data-check.ts);
 * - keys iam-data defines for the action through a variable not after a `/`
 *   (`kms:EncryptionContext:${EncryptionContextKey}`): its key normalisation substitutes only a
 *   variable that follows a slash (context_keys/contextKeys.js, replaceVariableInContextKey).
 */
async function droppedButReal(req: AccessRequest, key: string): Promise<boolean> {
    if (oidcClaimKeys(req.resourcePolicy)(key)) return true;
    const [service, action] = req.action.split(":");
    return (await keysOfAction(service, action)).some((k) => /:\$\{[^}]+\}/.test(k) && !/\/\$\{/.test(k) && keyPattern(k).test(key));
}

/**
 * The simulator's core engine, for a request whose only dropped keys are real ones (above):
 * `runUnsafeSimulation` in 0.1.173 fails on any resource policy (it loads it without the name the
 * engine reads). The request was validated by `runSimulation` first; this only keeps the keys it dropped.
 */
function decideWithDroppedKeys(req: AccessRequest): Decision {
    const dist = path.dirname(require.resolve("@cloud-copilot/iam-simulate"));
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { authorize } = require(path.join(dist, "core_engine", "CoreSimulatorEngine.js"));
    const { AwsRequestImpl } = require(path.join(dist, "request", "request.js"));
    const { RequestContextImpl } = require(path.join(dist, "requestContext.js"));
    const { DiscoveryContextKeyConstraints } = require(path.join(dist, "context_keys", "discoveryContextKeyConstraints.js"));
    /* eslint-enable @typescript-eslint/no-require-imports */
    const request = new AwsRequestImpl(req.principal, { resource: req.resource, accountId: req.resourceAccount }, req.action, new RequestContextImpl(req.context ?? {}));
    const analysis = authorize({
        request,
        sessionPolicy: undefined,
        identityPolicies: (req.identityPolicies ?? []).map((p) => loadPolicy(p.policy, { name: p.name })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: req.resourcePolicy ? loadPolicy(req.resourcePolicy, { name: "resource-policy" }) : undefined,
        permissionBoundaries: req.boundary ? [loadPolicy(req.boundary.policy, { name: req.boundary.name })] : undefined,
        vpcEndpointPolicies: undefined,
        simulationParameters: { simulationMode: "Strict", discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]) },
        serviceSettings: { s3: {} },
    });
    return analysis.result as Decision;
}

export async function decide(req: AccessRequest): Promise<Decision> {
    const result = await runSimulation(
        {
            request: { principal: req.principal, action: req.action, resource: { resource: req.resource, accountId: req.resourceAccount }, contextVariables: req.context ?? {} },
            identityPolicies: req.identityPolicies ?? [],
            permissionBoundaryPolicies: req.boundary ? [req.boundary] : undefined,
            resourcePolicy: req.resourcePolicy,
            serviceControlPolicies: [],
            resourceControlPolicies: [],
        },
        { simulationMode: "Strict" },
    );
    const what = `${req.principal} ${req.action} ${req.resource}`;
    if (result.resultType === "error") throw new Error(`${what}: the simulator rejected the request: ${JSON.stringify(result.errors)}`);
    if (result.resultType === "wildcard") {
        if (result.results.length === 0) throw new Error(`${what}: a wildcard resource matched no pattern; name a concrete resource`);
        return result.overallResult as Decision;
    }
    const ignored = result.result.ignoredContextKeys ?? [];
    if (ignored.length === 0) return result.overallResult as Decision;
    const real = await Promise.all(ignored.map((key) => droppedButReal(req, key)));
    if (real.every(Boolean)) return decideWithDroppedKeys(req);
    throw new Error(`${what}: the simulator would ignore context keys ${ignored.join(", ")} (not defined for this action and resource)`);
}
