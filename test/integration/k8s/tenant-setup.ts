// Puts a plan's Kubernetes objects on the local API server (as the platform's `pulumi up` would), plus
// the RoleBindings that stand in for the tenant principals' EKS access policies, and waits until the
// quota controller has computed every tenant quota (quota admission refuses pods until then).
import { Kube, KubeResponse } from "../lib/kube";
import { orderedObjects, PlanObject, PlanResource, releaseNamespaces } from "./plan-objects";
import { accessPolicyEmulation, compliantPod, tenantNamespaces, tenantPrincipals } from "./tenant-identities";

/**
 * Server-side applies one plan object as `pulumi up` would: where the server forbids updating a field
 * (a StorageClass's parameters, after another stack's plan stored its own) and the plan replaces the
 * object on such changes deleting first, it is deleted and applied again.
 */
export async function applyPlanObject(kube: Kube, { object, deleteBeforeReplace }: PlanObject, fieldManager?: string): Promise<KubeResponse> {
    const r = await kube.apply(object, { fieldManager });
    if (r.status !== 422 || !deleteBeforeReplace || !/Forbidden: updates to/.test(String(r.json?.message))) return r;
    const deleted = await kube.delete(object);
    if (deleted.status >= 300) return deleted;
    return kube.apply(object, { fieldManager });
}

export async function applyPlan(kube: Kube, plan: { resources: PlanResource[] }): Promise<number> {
    let applied = 0;
    const must = async (obj: any, fieldManager?: string) => {
        const r = await kube.apply(obj, { fieldManager });
        if (r.status >= 300) throw new Error(`${obj.kind} ${obj.metadata.namespace ?? ""}/${obj.metadata.name}: ${r.status} ${r.json?.message ?? r.text.slice(0, 300)}`);
        applied++;
    };
    for (const ns of releaseNamespaces(plan)) await must({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, "helm");
    for (const o of orderedObjects(plan)) {
        const r = await applyPlanObject(kube, o);
        if (r.status >= 300) throw new Error(`${o.object.kind} ${o.object.metadata.namespace ?? ""}/${o.object.metadata.name}: ${r.status} ${r.json?.message ?? r.text.slice(0, 300)}`);
        applied++;
    }
    for (const p of tenantPrincipals(plan.resources)) for (const rb of accessPolicyEmulation(p)) await must(rb, "eks-access-policy-emulation");
    await waitForQuotas(kube, [...tenantNamespaces(plan.resources).values()].flat());
    await untilRbacSettled(kube);
    await untilImagePolicyOf(kube, plan);
    return applied;
}

/**
 * A ValidatingAdmissionPolicy takes effect once the API server's informers hold its new version: after
 * another stack's plan stored its own image policy (another registry), wait until a pod from this plan's
 * first allowed registry is admitted (a dry run) in a tenant namespace.
 */
async function untilImagePolicyOf(kube: Kube, plan: { resources: PlanResource[] }): Promise<void> {
    const policy = plan.resources.find((r) => r.inputs?.kind === "ValidatingAdmissionPolicy" && r.inputs.metadata?.name === "pr-cybr-tenant-images");
    const ns = [...tenantNamespaces(plan.resources).values()].flat()[0];
    if (!policy || !ns) return;
    const prefix = JSON.parse(policy.inputs.spec.variables.find((v: { name: string }) => v.name === "prefixes").expression)[0];
    const pod = compliantPod(ns, "image-policy-probe");
    pod.spec.containers[0].image = `${prefix}probe@sha256:${"0".repeat(64)}`;
    const deadline = Date.now() + 15000;
    while ((await kube.create(pod, true)).status !== 201) {
        if (Date.now() > deadline) throw new Error(`the image policy still refuses ${prefix} after 15 s`);
        await new Promise((res) => setTimeout(res, 200));
    }
}

let settleRound = 0;
/**
 * The RBAC authorizer reads Roles, ClusterRoles and their bindings from informer caches, each fed by one
 * ordered watch. Write one more of each after everything else and wait until a review sees them: then the
 * cache holds every RBAC object written before (a SubjectAccessReview run straight after a write may not).
 */
export async function untilRbacSettled(kube: Kube, namespace = "default"): Promise<void> {
    const round = `rbac-settle-${process.pid}-${settleRound++}`;
    const rules = (verb: string) => [{ apiGroups: [""], resources: ["configmaps"], resourceNames: [round], verbs: [verb] }];
    const subjects = [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: round }];
    const rbac = "rbac.authorization.k8s.io/v1";
    for (const obj of [
        { apiVersion: rbac, kind: "ClusterRole", metadata: { name: round }, rules: rules("get") },
        { apiVersion: rbac, kind: "ClusterRoleBinding", metadata: { name: round }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: round }, subjects },
        { apiVersion: rbac, kind: "Role", metadata: { name: round, namespace }, rules: rules("watch") },
        { apiVersion: rbac, kind: "RoleBinding", metadata: { name: round, namespace }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: round }, subjects },
    ]) {
        const r = await kube.apply(obj, { fieldManager: "rbac-settle" });
        if (r.status >= 300) throw new Error(`${obj.kind} ${round}: ${r.status} ${r.json?.message}`);
    }
    await untilAllowed(kube, { user: round }, { verb: "get", resource: "configmaps", name: round, namespace });
    await untilAllowed(kube, { user: round }, { verb: "watch", resource: "configmaps", name: round, namespace });
}

/** Quota admission rejects what a quota with unknown usage covers; the controller fills status.hard. */
export async function waitForQuotas(kube: Kube, namespaces: string[]): Promise<void> {
    const deadline = Date.now() + 60000;
    for (const ns of namespaces) {
        for (;;) {
            const r = await kube.request("GET", `/api/v1/namespaces/${ns}/resourcequotas`);
            const quotas: any[] = r.json?.items ?? [];
            const synced = quotas.every((q) => Object.keys(q.status?.hard ?? {}).length === Object.keys(q.spec.hard).length && JSON.stringify(q.status.hard) !== "{}");
            if (r.status === 200 && synced) break;
            if (Date.now() > deadline) throw new Error(`quota status of ${ns} not computed after 60 s`);
            await new Promise((res) => setTimeout(res, 200));
        }
    }
}

/**
 * An admission policy takes effect once the API server's informers have loaded it and its binding,
 * a moment after they are stored. Waits (up to 15 s) until `probe` (a dry run as `who`) is refused;
 * returns whether it was, so the suite's own assertions report what is wrong.
 */
/**
 * The RBAC authorizer serves bindings from an informer cache, so a binding just written takes effect a
 * moment later; wait for a SubjectAccessReview to say `who` may do `attrs` before relying on it.
 */
export async function untilAllowed(kube: Kube, who: { user: string; groups?: string[] }, attrs: Parameters<Kube["can"]>[1]): Promise<void> {
    const deadline = Date.now() + 15000;
    while (!(await kube.can(who, attrs))) {
        if (Date.now() > deadline) throw new Error(`${who.user} still may not ${attrs.verb} ${attrs.resource} after 15 s`);
        await new Promise((res) => setTimeout(res, 200));
    }
}

export async function untilRefused(kube: Kube, who: { user: string; groups?: string[] }, probe: any): Promise<boolean> {
    const deadline = Date.now() + 15000;
    for (;;) {
        const r = await kube.impersonate(who).create(probe, true);
        if (r.status >= 400) return true;
        if (Date.now() > deadline) return false;
        await new Promise((res) => setTimeout(res, 200));
    }
}
