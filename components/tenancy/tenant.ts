import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { isDnsLabel, principalSlug } from "../shared/names";
import { parseQuantity } from "../shared/quantity";
import { Tags } from "../shared/tags";
import { ArgProblem, throwIfProblems } from "../shared/validation";
import { tenantAppProjectSpec, tenantDeployerServiceAccount } from "./appproject";
import { TENANT_NETWORK_POLICY_NAME } from "./guardrails";
import { PlatformEndpoints, tenantNetworkPolicySpec } from "./network-policy";
import { eksAccessPolicyArn, namespaceLabels, Persona, PERSONA_ACCESS, personaGroup, PERSONAS } from "./personas";
import { limitRangeLimits, resourceQuotaHard, TenantQuota } from "./quota";
import { tenantDeployerRules, tenantExternalSecretsRules } from "./roles";

export interface TenantArgs {
    /** The tenant (organization) name, a DNS label. Required. */
    readonly tenant: string;
    /** Environment name for labels. Required. */
    readonly environment: string;
    /** The tenant's namespaces: its name or `<name>-<suffix>`. Defaults to [tenant]. */
    readonly namespaces?: string[];
    /**
     * Quota per namespace, except `loadBalancers`, which is the tenant's allowance: granted in its first
     * namespace only (a quota per namespace would multiply it). Required.
     */
    readonly quota: TenantQuota;
    /** IAM principals per persona; each gets a namespace-scoped EKS access entry. admins required. */
    readonly principals: { readonly admins: string[]; readonly developers?: string[]; readonly viewers?: string[] };
    /** SSO groups per persona, bound to the tenant's Argo CD project roles. Defaults to none. */
    readonly ssoGroups?: Partial<Record<Persona, string[]>>;
    /** Git repositories the tenant deploys from. Defaults to []. */
    readonly repos?: string[];
    /** Let the tenant's pods reach the internet. Defaults to false. */
    readonly allowWorldEgress?: boolean;
    /** The EKS cluster, for access entries. Required. */
    readonly clusterName: pulumi.Input<string>;
    /** Namespace of Argo CD (where the AppProject and the deployer service account go). Defaults to "argocd". */
    readonly argocdNamespace?: string;
    /** Where shared platform services run. Defaults to { monitoringNamespace: "monitoring" }. */
    readonly platform?: PlatformEndpoints;
    /** What installs the CRDs used here (Cilium for CiliumNetworkPolicy, Argo CD for AppProject). Defaults to []. */
    readonly crdsReady?: pulumi.Resource[];
    /** Tags on the access entries. Defaults to {}. */
    readonly tags?: Tags;
}

export const TENANT_DEFAULTS = {
    argocdNamespace: "argocd",
    platform: { monitoringNamespace: "monitoring" } as PlatformEndpoints,
    allowWorldEgress: false,
    repos: [] as string[],
    tags: {} as Tags,
};

/** Pure check of TenantArgs; throws every problem at once. */
export function validateTenantArgs(args: TenantArgs): void {
    const problems: ArgProblem[] = [];
    if (!isDnsLabel(args.tenant)) problems.push({ path: "tenant", reason: `"${args.tenant}" is not a DNS label` });
    for (const ns of args.namespaces ?? [args.tenant]) {
        if (!isDnsLabel(ns) || (ns !== args.tenant && !ns.startsWith(`${args.tenant}-`))) {
            problems.push({ path: "namespaces", reason: `"${ns}" is not "${args.tenant}" or "${args.tenant}-<suffix>"` });
        }
    }
    for (const key of ["cpu", "memory"] as const) {
        const v = parseQuantity(args.quota[key]);
        if (v === undefined || v <= 0) problems.push({ path: `quota.${key}`, reason: `"${args.quota[key]}" is not a positive quantity` });
    }
    if (args.principals.admins.length === 0) problems.push({ path: "principals.admins", reason: "is empty (a tenant needs at least one admin)" });
    throwIfProblems("Tenant", problems);
}

/**
 * Everything one organization gets: namespaces (Pod Security restricted), per namespace a quota, a
 * limit range, a default-deny CiliumNetworkPolicy, persona RoleBindings, a read-only view of its
 * guardrails and the rights of the deployer Argo CD syncs as; the deployer service account (in Argo
 * CD's namespace); per IAM principal a namespace-scoped EKS access entry; and an Argo CD AppProject
 * confined to its namespaces and repos.
 */
export class Tenant extends pulumi.ComponentResource {
    public readonly namespaces: string[];
    public readonly appProjectName: string;
    /** The tenant's Namespace objects (what must exist before objects in them). */
    public readonly namespaceObjects: k8s.core.v1.Namespace[] = [];

    constructor(name: string, args: TenantArgs, opts?: pulumi.ComponentResourceOptions) {
        validateTenantArgs(args);
        super("pr-cybr:tenancy:Tenant", name, {}, opts);
        const d = TENANT_DEFAULTS;
        const tenant = args.tenant;
        const namespaces = args.namespaces ?? [tenant];
        const crds = args.crdsReady ?? [];
        const argocdNamespace = args.argocdNamespace ?? d.argocdNamespace;

        // Argo CD syncs this tenant's apps as this account (impersonation). It lives in Argo CD's
        // namespace so that no tenant identity can run a pod as it or impersonate it; the Argo CD
        // release (in crdsReady) creates that namespace.
        const deployer = new k8s.core.v1.ServiceAccount(
            `${name}-deployer`,
            { metadata: { name: tenantDeployerServiceAccount(tenant), namespace: argocdNamespace, labels: { "pr-cybr.io/tenant": tenant } }, automountServiceAccountToken: false },
            { parent: this, dependsOn: crds },
        );

        // Policy allows load balancers per tenant (tenant-no-loadbalancer sums its namespaces' quotas).
        namespaces.forEach((ns, i) => this.namespaceResources(name, args, ns, crds, deployer, i === 0 ? args.quota : { ...args.quota, loadBalancers: 0 }));

        for (const persona of PERSONAS) {
            for (const principalArn of args.principals[persona] ?? []) {
                const role = `${name}-${persona}-${principalSlug(principalArn)}`;
                const entry = new aws.eks.AccessEntry(
                    role,
                    { clusterName: args.clusterName, principalArn, type: "STANDARD", kubernetesGroups: [personaGroup(tenant, persona)], tags: { ...d.tags, ...args.tags, Name: role } },
                    { parent: this },
                );
                new aws.eks.AccessPolicyAssociation(
                    `${role}-policy`,
                    { clusterName: args.clusterName, principalArn, policyArn: eksAccessPolicyArn(persona), accessScope: { type: "namespace", namespaces } },
                    { parent: this, dependsOn: [entry] },
                );
            }
        }

        this.appProjectName = tenant;
        new k8s.apiextensions.CustomResource(
            `${name}-appproject`,
            {
                apiVersion: "argoproj.io/v1alpha1",
                kind: "AppProject",
                metadata: { name: tenant, namespace: argocdNamespace, labels: { "pr-cybr.io/tenant": tenant } },
                spec: tenantAppProjectSpec({ tenant, namespaces, repos: args.repos ?? d.repos, ssoGroups: args.ssoGroups ?? {}, argocdNamespace }),
            },
            { parent: this, dependsOn: crds },
        );

        this.namespaces = namespaces;
        this.registerOutputs({ namespaces: this.namespaces, appProjectName: this.appProjectName });
    }

    private namespaceResources(name: string, args: TenantArgs, ns: string, crds: pulumi.Resource[], deployer: k8s.core.v1.ServiceAccount, quota: TenantQuota): void {
        const tenant = args.tenant;
        const labels = { "pr-cybr.io/tenant": tenant };
        const namespace = new k8s.core.v1.Namespace(`${name}-ns-${ns}`, { metadata: { name: ns, labels: namespaceLabels(tenant, args.environment) } }, { parent: this });
        this.namespaceObjects.push(namespace);
        const inNs = { parent: this, dependsOn: [namespace] };
        const meta = (objectName: string) => ({ name: objectName, namespace: ns, labels });

        new k8s.core.v1.ResourceQuota(`${name}-quota-${ns}`, { metadata: meta("tenant-quota"), spec: { hard: resourceQuotaHard(quota) } }, inNs);
        new k8s.core.v1.LimitRange(`${name}-limits-${ns}`, { metadata: meta("tenant-limits"), spec: { limits: limitRangeLimits(args.quota) } }, inNs);
        new k8s.apiextensions.CustomResource(
            `${name}-netpol-${ns}`,
            {
                apiVersion: "cilium.io/v2",
                kind: "CiliumNetworkPolicy",
                metadata: meta(TENANT_NETWORK_POLICY_NAME),
                spec: tenantNetworkPolicySpec(ns, { allowWorldEgress: args.allowWorldEgress ?? TENANT_DEFAULTS.allowWorldEgress, platform: args.platform ?? TENANT_DEFAULTS.platform }),
            },
            { parent: this, dependsOn: [namespace, ...crds] },
        );

        const groups = PERSONAS.map((persona) => ({ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: personaGroup(tenant, persona) }));
        PERSONAS.forEach((persona, i) => {
            new k8s.rbac.v1.RoleBinding(
                `${name}-${persona}-${ns}`,
                { metadata: meta(`tenant-${persona}`), roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: PERSONA_ACCESS[persona].clusterRole }, subjects: [groups[i]] },
                inNs,
            );
        });
        // Built-in roles cannot read the CiliumNetworkPolicy CRD; every persona may see why traffic is dropped.
        const reader = new k8s.rbac.v1.Role(
            `${name}-guardrail-reader-${ns}`,
            {
                metadata: meta("tenant-guardrail-reader"),
                rules: [
                    { apiGroups: [""], resources: ["resourcequotas", "limitranges"], verbs: ["get", "list", "watch"] },
                    { apiGroups: ["cilium.io"], resources: ["ciliumnetworkpolicies", "ciliumendpoints"], verbs: ["get", "list", "watch"] },
                    // The platform's SecretStore and the ExternalSecrets synced from it (issue 19 item 4).
                    { apiGroups: ["external-secrets.io"], resources: ["secretstores", "externalsecrets"], verbs: ["get", "list", "watch"] },
                ],
            },
            inNs,
        );
        new k8s.rbac.v1.RoleBinding(
            `${name}-guardrail-reader-binding-${ns}`,
            { metadata: meta("tenant-guardrail-reader"), roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "tenant-guardrail-reader" }, subjects: groups },
            { parent: this, dependsOn: [namespace, reader] },
        );

        // Admins and developers sync their secrets from the platform's store; nobody of the tenant writes a store
        // (the ESO chart's aggregation into admin/edit is off: components/addons/external-secrets.ts).
        const externalSecrets = new k8s.rbac.v1.Role(`${name}-external-secrets-${ns}`, { metadata: meta("tenant-external-secrets"), rules: tenantExternalSecretsRules() }, inNs);
        new k8s.rbac.v1.RoleBinding(
            `${name}-external-secrets-binding-${ns}`,
            { metadata: meta("tenant-external-secrets"), roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "tenant-external-secrets" }, subjects: [groups[PERSONAS.indexOf("admins")], groups[PERSONAS.indexOf("developers")]] },
            { parent: this, dependsOn: [namespace, externalSecrets] },
        );

        // The deployer gets what GitOps needs here, not `admin` (no network policies, no exec, no tokens).
        const deployerRole = new k8s.rbac.v1.Role(`${name}-deployer-role-${ns}`, { metadata: meta("tenant-deployer"), rules: tenantDeployerRules() }, inNs);
        new k8s.rbac.v1.RoleBinding(
            `${name}-deployer-binding-${ns}`,
            {
                metadata: meta("tenant-deployer"),
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "tenant-deployer" },
                subjects: [{ kind: "ServiceAccount", name: tenantDeployerServiceAccount(args.tenant), namespace: args.argocdNamespace ?? TENANT_DEFAULTS.argocdNamespace }],
            },
            { parent: this, dependsOn: [namespace, deployer, deployerRole] },
        );
    }
}
