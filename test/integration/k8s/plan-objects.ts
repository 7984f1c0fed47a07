// The Kubernetes objects of a plan as the provider would send them: every `kubernetes:<group/version>:
// <Kind>` resource's inputs (Helm releases aside: their charts are rendered by Helm at deploy time), in
// dependency order, with the namespaces the releases create. Secret payloads are masked in plans, so a
// Secret is sent with a placeholder of the same shape.
import * as fs from "fs";

export interface PlanResource {
    urn: string;
    type: string;
    name: string;
    dependsOn: string[];
    inputs: any;
    options?: { deleteBeforeReplace?: boolean; replaceOnChanges?: string[] };
}

export interface PlanObject {
    urn: string;
    object: any;
    /** Whether `pulumi up` deletes the object before recreating it when a replace-on-change field differs. */
    deleteBeforeReplace: boolean;
}

/** Kinds that must exist before others of the same wave can be admitted. */
const KIND_RANK: Record<string, number> = { Namespace: 0, CustomResourceDefinition: 0, ServiceAccount: 1, Role: 2, ClusterRole: 2, RoleBinding: 3, ClusterRoleBinding: 3, ValidatingAdmissionPolicy: 4, ValidatingAdmissionPolicyBinding: 5 };

export function readPlan(file: string): { resources: PlanResource[] } {
    return JSON.parse(fs.readFileSync(file, "utf8"));
}

function isObject(r: PlanResource): boolean {
    return r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/") && r.type !== "pulumi:providers:kubernetes";
}

function sendable(r: PlanResource): any {
    const obj = structuredClone(r.inputs);
    if (obj.kind === "Secret") {
        // The plan masks the whole payload; the keys are not recorded, so send one placeholder key.
        if (obj.stringData === "[secret]") obj.stringData = { placeholder: "masked-in-plan" };
        if (obj.data === "[secret]") delete obj.data;
    }
    return obj;
}

/** The namespaces Helm releases in the plan would create (createNamespace) or need. */
export function releaseNamespaces(plan: { resources: PlanResource[] }): string[] {
    return [...new Set(plan.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release").map((r) => r.inputs.namespace as string))].sort();
}

/** The plan's objects, each after everything it depends on (directly or through its dependencies). */
export function orderedObjects(plan: { resources: PlanResource[] }): PlanObject[] {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const objects = plan.resources.filter(isObject);
    const done = new Set<string>();
    const out: PlanObject[] = [];
    const visiting = new Set<string>();
    const visit = (r: PlanResource) => {
        if (done.has(r.urn)) return;
        if (visiting.has(r.urn)) throw new Error(`dependency cycle through ${r.urn}`);
        visiting.add(r.urn);
        for (const dep of r.dependsOn) {
            const d = byUrn.get(dep);
            if (d && isObject(d)) visit(d);
        }
        visiting.delete(r.urn);
        done.add(r.urn);
        out.push({ urn: r.urn, object: sendable(r), deleteBeforeReplace: !!r.options?.deleteBeforeReplace && (r.options.replaceOnChanges?.length ?? 0) > 0 });
    };
    const rank = (r: PlanResource) => KIND_RANK[r.inputs.kind] ?? 6;
    for (const r of [...objects].sort((a, b) => rank(a) - rank(b) || a.urn.localeCompare(b.urn))) visit(r);
    return out;
}

/**
 * Where the stored object differs from what was sent: every leaf sent must come back unchanged (a field
 * a CRD's schema prunes, or one the server rewrites, is a difference the provider would show forever).
 * Server-added fields are fine.
 */
export function differences(sent: any, stored: any, path = ""): string[] {
    if (sent === null || typeof sent !== "object") {
        return sent === stored ? [] : [`${path || "."}: sent ${JSON.stringify(sent)}, stored ${stored === undefined ? "nothing (pruned)" : JSON.stringify(stored)}`];
    }
    if (Array.isArray(sent)) {
        if (!Array.isArray(stored)) return [`${path}: sent a list, stored ${JSON.stringify(stored)}`];
        if (sent.length !== stored.length) return [`${path}: sent ${sent.length} items, stored ${stored.length}`];
        return sent.flatMap((v, i) => differences(v, stored[i], `${path}[${i}]`));
    }
    if (stored === null || typeof stored !== "object") return [`${path || "."}: sent an object, stored ${stored === undefined ? "nothing (pruned)" : JSON.stringify(stored)}`];
    return Object.keys(sent).flatMap((k) => differences(sent[k], stored[k], path ? `${path}.${k}` : k));
}
