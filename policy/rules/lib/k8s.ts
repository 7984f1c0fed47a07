import { PolicyResource } from "@pulumi/policy";
import { isUnknownValueError } from "./unknowns";

/** Kubernetes objects in the stack: `kubernetes:<group>/<version>:<Kind>` tokens, props with metadata/spec. */
export interface K8sObject {
    readonly resource: PolicyResource;
    readonly kind: string;
    readonly name?: string;
    readonly namespace?: string;
    readonly labels: Record<string, string>;
    readonly spec: Record<string, any>;
}

export const TENANT_LABEL = "pr-cybr.io/tenant";

/** The Kubernetes kind of a type token (`kubernetes:core/v1:Namespace` -> Namespace), else undefined. */
export function kindOf(type: string): string | undefined {
    const m = /^kubernetes:[^:]+:([A-Za-z]+)$/.exec(type);
    return m && !type.startsWith("kubernetes:helm.sh/") ? m[1] : undefined;
}

/**
 * A Kubernetes object's identity and spec. The spec is read only when a rule asks for it, so an
 * unknown spec stops only the check that reads it (lib/unknowns.ts). The identity (name, namespace,
 * labels) is read here and throws when unknown: which tenant an object belongs to decides every
 * tenancy verdict, so no rule can judge a kind one of whose objects it cannot place. The program sets
 * them explicitly (DESIGN §6), so this does not happen in its previews.
 */
export function asK8s(resource: PolicyResource): K8sObject | undefined {
    const kind = kindOf(resource.type);
    if (!kind) return undefined;
    const meta = (resource.props.metadata ?? {}) as Record<string, any>;
    const labels = (meta.labels ?? {}) as Record<string, string>;
    void labels[TENANT_LABEL]; // the label that places it (other labels may stay unknown)
    return {
        resource,
        kind,
        name: meta.name,
        namespace: meta.namespace,
        labels,
        get spec() {
            return (resource.props.spec ?? {}) as Record<string, any>;
        },
    };
}

// Stack rules ask for objects of a kind per namespace and per tenant: index a stack's resources by kind
// once (keyed by the resources array a validateStack call receives), not once per question.
// An object whose identity is unknown (a preview) poisons only its kind: asking for that kind rethrows.
const byKindCache = new WeakMap<PolicyResource[], { byKind: Map<string, K8sObject[]>; unknown: Map<string, unknown> }>();

export function objectsOfKind(resources: PolicyResource[], kind: string): K8sObject[] {
    let index = byKindCache.get(resources);
    if (!index) {
        index = { byKind: new Map(), unknown: new Map() };
        for (const r of resources) {
            const k = kindOf(r.type);
            if (!k) continue;
            let o: K8sObject | undefined;
            try {
                o = asK8s(r);
            } catch (err) {
                if (!isUnknownValueError(err)) throw err;
                if (!index.unknown.has(k)) index.unknown.set(k, err);
                continue;
            }
            if (!o) continue;
            const list = index.byKind.get(o.kind);
            if (list) list.push(o);
            else index.byKind.set(o.kind, [o]);
        }
        byKindCache.set(resources, index);
    }
    if (index.unknown.has(kind)) throw index.unknown.get(kind);
    return index.byKind.get(kind) ?? [];
}

/** Tenant namespaces (labelled `pr-cybr.io/tenant`), by name, with their tenant. */
export function tenantNamespaces(resources: PolicyResource[]): Map<string, { tenant: string; object: K8sObject }> {
    const out = new Map<string, { tenant: string; object: K8sObject }>();
    for (const ns of objectsOfKind(resources, "Namespace")) {
        const tenant = ns.labels[TENANT_LABEL];
        if (ns.name && tenant) out.set(ns.name, { tenant, object: ns });
    }
    return out;
}

/** Pod specs of a workload object (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob). */
export function podSpecOf(kind: string, props: Record<string, any>): Record<string, any> | undefined {
    switch (kind) {
        case "Pod":
            return props.spec;
        case "CronJob":
            return props.spec?.jobTemplate?.spec?.template?.spec;
        case "Deployment":
        case "StatefulSet":
        case "DaemonSet":
        case "ReplicaSet":
        case "ReplicationController":
        case "Job":
            return props.spec?.template?.spec;
        default:
            return undefined;
    }
}

/** Every container (init and ephemeral included) of a pod spec. */
export function containersOf(podSpec: Record<string, any>): Record<string, any>[] {
    return [...(podSpec.containers ?? []), ...(podSpec.initContainers ?? []), ...(podSpec.ephemeralContainers ?? [])];
}

export const WORKLOAD_KINDS = ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"];
