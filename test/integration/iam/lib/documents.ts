// Every IAM policy document a plan holds, with what kind of policy AWS evaluates it as. The table names
// the inputs the AWS provider defines as policy documents; a scan of every other input catches a
// document in a place the table does not know, and a document that is not a plain JSON value (a
// secret, an unknown, an Output rendered as text) is reported rather than skipped.
import { Plan, PlanResource, resourcesOfType } from "./plans";

export type DocumentKind = "identity" | "boundary" | "trust" | "resource" | "session" | "endpoint";

export interface PolicyDocument {
    stack: string;
    resource: PlanResource;
    /** Input path, e.g. `policy`, `inlinePolicies[0].policy`. */
    field: string;
    kind: DocumentKind;
    document: any;
}

/** A document input this suite cannot read: reported as a failure, never skipped. */
export interface UnreadableDocument {
    stack: string;
    resource: PlanResource;
    field: string;
    reason: string;
}

type FieldKind = DocumentKind | "managed";

/** (resource type, input) pairs that hold a policy document in @pulumi/aws 7. */
const DOCUMENT_INPUTS: Record<string, Record<string, FieldKind>> = {
    "aws:iam/role:Role": { assumeRolePolicy: "trust", "inlinePolicies[].policy": "identity" },
    "aws:iam/rolePolicy:RolePolicy": { policy: "identity" },
    "aws:iam/userPolicy:UserPolicy": { policy: "identity" },
    "aws:iam/groupPolicy:GroupPolicy": { policy: "identity" },
    "aws:iam/policy:Policy": { policy: "managed" },
    "aws:kms/key:Key": { policy: "resource" },
    "aws:kms/keyPolicy:KeyPolicy": { policy: "resource" },
    "aws:kms/replicaKey:ReplicaKey": { policy: "resource" },
    "aws:s3/bucketPolicy:BucketPolicy": { policy: "resource" },
    "aws:s3/accessPointPolicy:AccessPointPolicy": { policy: "resource" },
    "aws:secretsmanager/secret:Secret": { policy: "resource" },
    "aws:secretsmanager/secretPolicy:SecretPolicy": { policy: "resource" },
    "aws:ecr/repositoryPolicy:RepositoryPolicy": { policy: "resource" },
    "aws:ecr/registryPolicy:RegistryPolicy": { policy: "resource" },
    "aws:sqs/queue:Queue": { policy: "resource" },
    "aws:sqs/queuePolicy:QueuePolicy": { policy: "resource" },
    "aws:sns/topic:Topic": { policy: "resource" },
    "aws:sns/topicPolicy:TopicPolicy": { policy: "resource" },
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": { policyDocument: "resource" },
    "aws:ec2/vpcEndpoint:VpcEndpoint": { policy: "endpoint" },
    "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy": { policy: "endpoint" },
    "aws:rolesanywhere/profile:Profile": { sessionPolicy: "session" },
};

// What the plan writes for a secret, and what Pulumi's runtime uses for an unknown value.
const PLACEHOLDERS = ["[secret]", "04da6b54-80e4-46f7-96ec-b56ff0331ba9", "Calling [toString] on an [Output<T>]"];

function placeholderIn(text: string): string | undefined {
    return PLACEHOLDERS.find((p) => text.includes(p));
}

function parseDocument(value: unknown): { document?: any; reason?: string } {
    if (value === null || value === undefined || value === "") return { reason: "is empty" };
    const text = typeof value === "string" ? value : JSON.stringify(value);
    const placeholder = placeholderIn(text);
    if (placeholder) return { reason: `holds a placeholder (${placeholder}) instead of the document` };
    if (typeof value !== "string") return { document: value };
    try {
        return { document: JSON.parse(value) };
    } catch {
        return { reason: `is not JSON: ${value.slice(0, 80)}` };
    }
}

/** Input values at a table path (`a.b`, `list[].field`), with their concrete paths. */
function valuesAt(inputs: Record<string, any>, spec: string): { path: string; value: unknown }[] {
    const [head, ...rest] = spec.split(".");
    const list = head.endsWith("[]");
    const key = list ? head.slice(0, -2) : head;
    const value = inputs?.[key];
    if (value === undefined) return [];
    if (!list) return rest.length === 0 ? [{ path: key, value }] : valuesAt(value, rest.join(".")).map((v) => ({ ...v, path: `${key}.${v.path}` }));
    return (Array.isArray(value) ? value : []).flatMap((item, i) => valuesAt(item, rest.join(".")).map((v) => ({ ...v, path: `${key}[${i}].${v.path}` })));
}

/** Input paths whose value is or contains a policy document (a JSON string or an object with Statement). */
function documentLikePaths(value: unknown, path: string, out: string[]): string[] {
    if (typeof value === "string") {
        if (value.includes('"Statement"')) out.push(path);
    } else if (Array.isArray(value)) {
        value.forEach((v, i) => documentLikePaths(v, `${path}[${i}]`, out));
    } else if (value && typeof value === "object") {
        if ("Statement" in value) out.push(path);
        else for (const [k, v] of Object.entries(value)) documentLikePaths(v, path ? `${path}.${k}` : k, out);
    }
    return out;
}

export interface CollectedDocuments {
    documents: PolicyDocument[];
    unreadable: UnreadableDocument[];
    /** AWS-managed policies attached by ARN (their documents are AWS's, not in the plan). */
    awsManagedAttachments: { stack: string; resource: PlanResource; policyArn: string }[];
}

export function collectDocuments(plan: Plan): CollectedDocuments {
    const boundaryArns = new Set(resourcesOfType(plan, "aws:iam/role:Role").map((r) => r.inputs.permissionsBoundary).filter(Boolean));
    const out: CollectedDocuments = { documents: [], unreadable: [], awsManagedAttachments: [] };
    for (const resource of plan.resources) {
        const table = DOCUMENT_INPUTS[resource.type] ?? {};
        const covered = new Set<string>();
        for (const [spec, fieldKind] of Object.entries(table)) {
            for (const { path, value } of valuesAt(resource.inputs, spec)) {
                covered.add(path);
                const parsed = parseDocument(value);
                if (parsed.reason) {
                    out.unreadable.push({ stack: plan.stack, resource, field: path, reason: parsed.reason });
                    continue;
                }
                const kind: DocumentKind = fieldKind === "managed" ? (isBoundary(plan, resource, boundaryArns) ? "boundary" : "identity") : fieldKind;
                out.documents.push({ stack: plan.stack, resource, field: path, kind, document: parsed.document });
            }
        }
        for (const path of documentLikePaths(resource.inputs, "", [])) {
            if (!covered.has(path)) out.unreadable.push({ stack: plan.stack, resource, field: path, reason: "holds a policy document in an input this suite does not know the policy type of (add it to DOCUMENT_INPUTS)" });
        }
        for (const arn of [resource.inputs.policyArn, ...(resource.inputs.managedPolicyArns ?? [])].filter((a): a is string => typeof a === "string")) {
            if (/^arn:aws[a-z-]*:iam::aws:policy\//.test(arn)) out.awsManagedAttachments.push({ stack: plan.stack, resource, policyArn: arn });
        }
    }
    return out;
}

/** A managed policy is a permissions boundary when a role in the plan names it as one. */
function isBoundary(plan: Plan, policy: PlanResource, boundaryArns: Set<string>): boolean {
    const roles = resourcesOfType(plan, "aws:iam/role:Role").filter((r) => r.dependsOn.includes(policy.urn) && boundaryArns.has(r.inputs.permissionsBoundary));
    return roles.length > 0;
}
