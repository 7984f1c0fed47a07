import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { TENANT_LABEL } from "./personas";

export const WORKLOAD_POLICY_NAME = "pr-cybr-tenant-workloads";

/**
 * CEL checks for what GitOps deploys into tenant namespaces (Pulumi never sees those objects): no
 * privileged containers, no host namespaces, no hostPath volumes, and requests and limits on every
 * container of a workload template. Pods are checked too (after LimitRange defaulting).
 */
export function workloadPolicySpec(): Record<string, unknown> {
    const resources = (group: string, version: string, kinds: string[]) => ({ apiGroups: [group], apiVersions: [version], operations: ["CREATE", "UPDATE"], resources: kinds });
    return {
        failurePolicy: "Fail",
        matchConstraints: {
            resourceRules: [
                resources("", "v1", ["pods"]),
                resources("apps", "v1", ["deployments", "statefulsets", "daemonsets", "replicasets"]),
                resources("batch", "v1", ["jobs", "cronjobs"]),
            ],
        },
        variables: [
            {
                name: "spec",
                expression: "object.kind == 'Pod' ? object.spec : (object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec)",
            },
            {
                name: "containers",
                expression: "variables.spec.containers + (has(variables.spec.initContainers) ? variables.spec.initContainers : [])",
            },
        ],
        validations: [
            {
                expression: "variables.containers.all(c, !has(c.securityContext) || !has(c.securityContext.privileged) || c.securityContext.privileged == false)",
                message: "privileged containers are not allowed in tenant namespaces",
                reason: "Forbidden",
            },
            {
                expression: "!(has(variables.spec.hostNetwork) && variables.spec.hostNetwork) && !(has(variables.spec.hostPID) && variables.spec.hostPID) && !(has(variables.spec.hostIPC) && variables.spec.hostIPC)",
                message: "host network, PID and IPC namespaces are not allowed in tenant namespaces",
                reason: "Forbidden",
            },
            {
                expression: "!has(variables.spec.volumes) || variables.spec.volumes.all(v, !has(v.hostPath))",
                message: "hostPath volumes are not allowed in tenant namespaces",
                reason: "Forbidden",
            },
            {
                expression:
                    "variables.containers.all(c, has(c.resources) && has(c.resources.requests) && has(c.resources.limits) && 'cpu' in c.resources.requests && 'memory' in c.resources.requests && 'memory' in c.resources.limits)",
                message: "every container needs cpu and memory requests and a memory limit",
                reason: "Invalid",
            },
        ],
    };
}

/**
 * The ValidatingAdmissionPolicy and its binding to every namespace labelled as a tenant's. Native CEL
 * admission: no webhook to run, nothing that can be down when the API server needs it.
 */
export interface TenantWorkloadPolicyArgs {
    /** Namespaces carrying this label key are checked. Defaults to "pr-cybr.io/tenant". */
    readonly namespaceLabel?: string;
    /** What a violation does: Deny rejects it; Audit also records it in the audit log. Defaults to ["Deny", "Audit"]. */
    readonly validationActions?: ("Deny" | "Warn" | "Audit")[];
}

export const TENANT_WORKLOAD_POLICY_DEFAULTS = { namespaceLabel: TENANT_LABEL, validationActions: ["Deny", "Audit"] as ("Deny" | "Warn" | "Audit")[] };

export class TenantWorkloadPolicy extends pulumi.ComponentResource {
    constructor(name: string, args: TenantWorkloadPolicyArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        if (args.validationActions?.length === 0) throw new Error("TenantWorkloadPolicy: validationActions is empty (use Deny, Warn and/or Audit)");
        super("pr-cybr:tenancy:TenantWorkloadPolicy", name, {}, opts);
        const d = TENANT_WORKLOAD_POLICY_DEFAULTS;
        const policy = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
            `${name}-policy`,
            { metadata: { name: WORKLOAD_POLICY_NAME }, spec: workloadPolicySpec() },
            { parent: this },
        );
        new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
            `${name}-binding`,
            {
                metadata: { name: WORKLOAD_POLICY_NAME },
                spec: {
                    policyName: WORKLOAD_POLICY_NAME,
                    validationActions: args.validationActions ?? d.validationActions,
                    matchResources: { namespaceSelector: { matchExpressions: [{ key: args.namespaceLabel ?? d.namespaceLabel, operator: "Exists" }] } },
                },
            },
            { parent: this, dependsOn: [policy] },
        );
        this.registerOutputs({});
    }
}
