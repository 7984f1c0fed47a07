// Puts a plan's Kubernetes objects on the local API server (as the platform's `pulumi up` would), plus
// the RoleBindings that stand in for the tenant principals' EKS access policies, and waits until the
// quota controller has computed every tenant quota (quota admission refuses pods until then).
import { Kube } from "../lib/kube";
import { orderedObjects, PlanResource, releaseNamespaces } from "./plan-objects";
import { accessPolicyEmulation, tenantNamespaces, tenantPrincipals } from "./tenant-identities";

export async function applyPlan(kube: Kube, plan: { resources: PlanResource[] }): Promise<number> {
    let applied = 0;
    const must = async (obj: any, fieldManager?: string) => {
        const r = await kube.apply(obj, { fieldManager });
        if (r.status >= 300) throw new Error(`${obj.kind} ${obj.metadata.namespace ?? ""}/${obj.metadata.name}: ${r.status} ${r.json?.message ?? r.text.slice(0, 300)}`);
        applied++;
    };
    for (const ns of releaseNamespaces(plan)) await must({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, "helm");
    for (const { object } of orderedObjects(plan)) await must(object);
    for (const p of tenantPrincipals(plan.resources)) for (const rb of accessPolicyEmulation(p)) await must(rb, "eks-access-policy-emulation");
    await waitForQuotas(kube, [...tenantNamespaces(plan.resources).values()].flat());
    return applied;
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
export async function untilRefused(kube: Kube, who: { user: string; groups?: string[] }, probe: any): Promise<boolean> {
    const deadline = Date.now() + 15000;
    for (;;) {
        const r = await kube.impersonate(who).create(probe, true);
        if (r.status >= 400) return true;
        if (Date.now() > deadline) return false;
        await new Promise((res) => setTimeout(res, 200));
    }
}
