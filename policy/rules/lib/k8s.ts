import { PolicyResource } from "@pulumi/policy";
import { peek } from "./unknowns";

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
 * A Kubernetes object's identity and spec. Names, namespaces and labels the program sets explicitly
 * (DESIGN §6); one still unknown in a preview reads as absent here. The spec is read only when a rule
 * asks for it, so an unknown spec stops only the check that reads it (lib/unknowns.ts).
 */
export function asK8s(resource: PolicyResource): K8sObject | undefined {
    const kind = kindOf(resource.type);
    if (!kind) return undefined;
    const meta = (peek(() => resource.props.metadata) ?? {}) as Record<string, any>;
    return {
        resource,
        kind,
        name: peek(() => meta.name),
        namespace: peek(() => meta.namespace),
        labels: peek(() => meta.labels) ?? {},
        get spec() {
            return (resource.props.spec ?? {}) as Record<string, any>;
        },
    };
}

// Stack rules ask for objects of a kind per namespace and per tenant: index a stack's resources by kind
// once (keyed by the resources array a validateStack call receives), not once per question.
const byKindCache = new WeakMap<PolicyResource[], Map<string, K8sObject[]>>();

export function objectsOfKind(resources: PolicyResource[], kind: string): K8sObject[] {
    let byKind = byKindCache.get(resources);
    if (!byKind) {
        byKind = new Map();
        for (const r of resources) {
            const o = asK8s(r);
            if (!o) continue;
            const list = byKind.get(o.kind);
            if (list) list.push(o);
            else byKind.set(o.kind, [o]);
        }
        byKindCache.set(resources, byKind);
    }
    return byKind.get(kind) ?? [];
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
