/**
 * Where tenant containers may come from. Image references follow the distribution reference grammar
 * (distribution/reference v0.6.0 reference.go / normalize.go): the first path component is a registry
 * host only when it holds a "." or ":" or is "localhost", otherwise the image is Docker Hub's
 * (`nginx` is `docker.io/library/nginx`). Allowed prefixes are therefore always fully qualified, and
 * an image matches only by a plain prefix test on `<host>[/<path>]/`: the trailing slash keeps
 * `ghcr.io/pr-cybr.evil.io/x` and `ghcr.io/pr-cybr-evil/x` out of `ghcr.io/pr-cybr/`, and a short
 * name (implied Docker Hub) matches no prefix. Host names are compared as written, so a differently
 * cased host is refused rather than allowed (fail closed).
 */

export const IMAGE_POLICY_NAME = "pr-cybr-tenant-images";

/** A registry prefix as config writes it: `<host>[:port][/<path>]`, optionally ending in "/". */
const LABEL = "[a-z0-9](?:[a-z0-9-]*[a-z0-9])?";
const HOST = `(?:localhost(?::[0-9]+)?|${LABEL}(?:\\.${LABEL})+(?::[0-9]+)?|${LABEL}:[0-9]+)`;
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
export const REGISTRY_PREFIX = new RegExp(`^${HOST}(?:/${PATH_COMPONENT})*/?$`);

/** `ghcr.io/pr-cybr` → `ghcr.io/pr-cybr/`: what an allowed image must start with. */
export function registryPrefix(entry: string): string {
    return entry.endsWith("/") ? entry : `${entry}/`;
}

/** Why `entry` cannot be an allowed registry prefix, or undefined when it can. */
export function registryPrefixProblem(entry: string): string | undefined {
    if (!REGISTRY_PREFIX.test(entry)) {
        return `"${entry}" is not a registry prefix (a lower-case registry host with a "." or a port, or localhost, then optional repository path components, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/tenants or ghcr.io/pr-cybr)`;
    }
    return undefined;
}

/** A CEL string literal (JSON's double-quoted form is one). */
const celString = (s: string) => JSON.stringify(s);

export interface ImagePolicyOptions {
    /** Allowed registry prefixes (validated with registryPrefixProblem). */
    readonly registries: readonly string[];
    /** Refuse images that are not pinned by a sha256 digest. */
    readonly requireDigest: boolean;
}

/**
 * The ValidatingAdmissionPolicy spec: every container, init container and ephemeral container of a
 * pod or workload template in a tenant namespace names an image under an allowed prefix (and, when
 * required, pinned by digest). Ephemeral containers arrive through the `pods/ephemeralcontainers`
 * subresource (`kubectl debug`), whose request object is the whole Pod.
 */
export function imagePolicySpec(opts: ImagePolicyOptions): Record<string, unknown> {
    if (opts.registries.length === 0) throw new Error("imagePolicySpec: no registries (allow at least one registry prefix)");
    for (const r of opts.registries) {
        const problem = registryPrefixProblem(r);
        if (problem) throw new Error(`imagePolicySpec: ${problem}`);
    }
    const prefixes = `[${opts.registries.map((r) => celString(registryPrefix(r))).join(", ")}]`;
    const resources = (group: string, kinds: string[]) => ({ apiGroups: [group], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: kinds });
    const validations: Record<string, unknown>[] = [
        {
            expression: "variables.images.all(i, variables.prefixes.exists(p, i.startsWith(p)))",
            messageExpression: `'images must come from an allowed registry (' + variables.prefixes.join(', ') + '), fully qualified: ' + variables.images.filter(i, !variables.prefixes.exists(p, i.startsWith(p))).join(', ') + ' is not'`,
            reason: "Forbidden",
        },
    ];
    if (opts.requireDigest) {
        validations.push({
            expression: "variables.images.all(i, i.matches('@sha256:[0-9a-f]{64}$'))",
            messageExpression: `'images must be pinned by digest (<image>@sha256:<64 hex>): ' + variables.images.filter(i, !i.matches('@sha256:[0-9a-f]{64}$')).join(', ') + ' is not'`,
            reason: "Invalid",
        });
    }
    return {
        failurePolicy: "Fail",
        matchConstraints: {
            resourceRules: [
                resources("", ["pods", "pods/ephemeralcontainers"]),
                resources("apps", ["deployments", "statefulsets", "daemonsets", "replicasets"]),
                resources("batch", ["jobs", "cronjobs"]),
            ],
        },
        variables: [
            {
                name: "spec",
                expression: "object.kind == 'Pod' ? object.spec : (object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec)",
            },
            {
                name: "images",
                expression:
                    "(variables.spec.containers + (has(variables.spec.initContainers) ? variables.spec.initContainers : []) + (has(variables.spec.ephemeralContainers) ? variables.spec.ephemeralContainers : [])).filter(c, has(c.image)).map(c, c.image)",
            },
            { name: "prefixes", expression: prefixes },
        ],
        validations,
    };
}
