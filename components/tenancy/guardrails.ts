import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IMAGE_POLICY_NAME, ImagePolicyOptions, imagePolicySpec } from "./image-policy";
import { NLB_CLASS } from "../shared/certificates";
import { isHostname } from "../shared/hostnames";
import { HOSTNAME_POLICY_NAME, hostnamePolicySpec } from "./hostnames";
import { PERSONA_GROUP_PREFIX, TENANT_LABEL } from "./personas";

export const WORKLOAD_POLICY_NAME = "pr-cybr-tenant-workloads";
export const GUARDRAIL_POLICY_NAME = "pr-cybr-tenant-guardrails";
export const LOAD_BALANCER_POLICY_NAME = "pr-cybr-tenant-load-balancers";
/** The AWS Load Balancer Controller's NLB target-type annotation. */
export const NLB_TARGET_TYPE_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type";
/**
 * The class the AWS Load Balancer Controller reconciles (its chart's `loadBalancerClass` default,
 * kubernetes-sigs/aws-load-balancer-controller v3.5.0 pkg/service/service_utils.go IsServiceSupported).
 * The in-tree cloud provider skips a Service with any class; without one it would build a Classic ELB
 * on node ports, which tenants do not have.
 */
export const TENANT_LOAD_BALANCER_CLASS = NLB_CLASS;
/** The AWS Load Balancer Controller's IngressGroup annotation (v3.5.0 docs/guide/ingress/annotations.md). */
export const ALB_GROUP_ANNOTATION = "alb.ingress.kubernetes.io/group.name";
/**
 * The annotations that put ACM certificates on a controller's TLS listener, by ARN (v3.5.0
 * docs/guide/service/annotations.md "ssl-cert", docs/guide/ingress/annotations.md "certificate-arn").
 * The account's ACM certificates are the platform's (Grafana's, components/gitops/grafana-endpoint.ts):
 * a tenant naming one would serve the platform's hostname from its own load balancer.
 */
export const NLB_CERTIFICATE_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-ssl-cert";
export const ALB_CERTIFICATE_ANNOTATION = "alb.ingress.kubernetes.io/certificate-arn";

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

/** The platform's CiliumNetworkPolicy in every tenant namespace (tenant.ts). */
export const TENANT_NETWORK_POLICY_NAME = "tenant-default-deny";

/**
 * Rule keys a tenant's own CiliumNetworkPolicy may hold: deny rules only. Such a policy can only narrow
 * what the platform's policy allows: "Deny policies take precedence over allow policies", and "if
 * multiple policies apply to an endpoint, that endpoint's default deny will be enabled if any policy
 * requests it" (cilium/cilium v1.19.4 Documentation/security/policy/deny.rst; the CRD's
 * `enableDefaultDeny` description), which the platform's policy does both ways. Allow rules
 * (`ingress`, `egress`), `enableDefaultDeny` (a `false` would make a narrowing policy
 * default-allow) and `nodeSelector` are refused, in `spec` and in every rule of `specs`.
 */
export const TENANT_NETWORK_POLICY_RULE_KEYS = ["endpointSelector", "ingressDeny", "egressDeny", "description", "labels"];

/**
 * CEL check that keeps tenants off the objects that confine them: in tenant namespaces no tenant
 * persona (an EKS access entry's `pr-cybr:<tenant>:<persona>` group) and no service account outside
 * kube-system (the Argo CD deployers, anything a tenant runs or impersonates) may create, change or
 * delete a ResourceQuota, LimitRange or NetworkPolicy, nor the platform's CiliumNetworkPolicy; their own
 * CiliumNetworkPolicies may hold deny rules only (TENANT_NETWORK_POLICY_RULE_KEYS). Admission, not
 * RBAC: the EKS access policies (AmazonEKSAdminPolicy/EditPolicy) are authorized by EKS itself, outside
 * RBAC, and grant NetworkPolicy writes like the built-in admin/edit roles they mirror. kube-system's
 * controllers stay free (the namespace controller deletes a namespace's objects with it).
 */
export function guardrailPolicySpec(): Record<string, unknown> {
    const rule = (group: string, kinds: string[]) => ({ apiGroups: [group], apiVersions: ["*"], operations: ["CREATE", "UPDATE", "DELETE"], resources: kinds });
    const keys = `[${TENANT_NETWORK_POLICY_RULE_KEYS.map((k) => `'${k}'`).join(", ")}]`;
    return {
        failurePolicy: "Fail",
        matchConstraints: {
            resourceRules: [rule("", ["resourcequotas", "limitranges"]), rule("networking.k8s.io", ["networkpolicies"]), rule("cilium.io", ["ciliumnetworkpolicies"])],
        },
        variables: [
            { name: "tenantPersona", expression: `has(request.userInfo.groups) && request.userInfo.groups.exists(g, g.startsWith('${PERSONA_GROUP_PREFIX}'))` },
            { name: "serviceAccount", expression: "request.userInfo.username.startsWith('system:serviceaccount:') && !request.userInfo.username.startsWith('system:serviceaccount:kube-system:')" },
            { name: "tenant", expression: "variables.tenantPersona || variables.serviceAccount" },
            { name: "cilium", expression: "request.resource.resource == 'ciliumnetworkpolicies'" },
            { name: "platformPolicy", expression: `request.name == '${TENANT_NETWORK_POLICY_NAME}'` },
            {
                name: "rules",
                expression: "request.operation == 'DELETE' ? [] : (has(object.spec) ? [object.spec] : []) + (has(object.specs) ? object.specs : [])",
            },
        ],
        validations: [
            {
                expression: "!variables.tenant || variables.cilium",
                messageExpression: "request.resource.resource + ' in tenant namespaces belong to the platform: ' + request.userInfo.username + ' may not ' + request.operation.lowerAscii() + ' them'",
                reason: "Forbidden",
            },
            {
                expression: "!variables.tenant || !variables.cilium || !variables.platformPolicy",
                messageExpression: `'the CiliumNetworkPolicy ${TENANT_NETWORK_POLICY_NAME} belongs to the platform: ' + request.userInfo.username + ' may not ' + request.operation.lowerAscii() + ' it'`,
                reason: "Forbidden",
            },
            {
                expression: `!variables.tenant || !variables.cilium || variables.rules.all(r, r.all(k, k in ${keys}))`,
                message: `a tenant CiliumNetworkPolicy may only narrow the platform's policy: deny rules only (rule keys ${TENANT_NETWORK_POLICY_RULE_KEYS.join(", ")}; no ingress/egress allow rules, enableDefaultDeny or nodeSelector)`,
                reason: "Forbidden",
            },
        ],
    };
}

/**
 * CEL check of tenants' LoadBalancer Services: tenants get no node ports (quota `services.nodeports: 0`),
 * and the quota evaluator counts every port of a LoadBalancer Service as a node port unless
 * `allocateLoadBalancerNodePorts` is false (kubernetes/kubernetes v1.35.4
 * pkg/quota/v1/evaluator/core/services.go). Without node ports the AWS Load Balancer Controller can only
 * target pod IPs: instance targets need a node port ("unable to support instance target type with an
 * unallocated NodePort", kubernetes-sigs/aws-load-balancer-controller v3.5.0
 * pkg/service/model_build_target_group.go), and instance is its default target type. So a tenant load
 * balancer must say both, and is refused here with that reason instead of by the quota's bare count.
 * It must also name the controller's class: the controller owns tenant load balancers (the platform
 * turns its Service mutator off, which would otherwise set the class on every Service and block them
 * all while it is down), and the class is immutable, so a Service cannot move to the in-tree provider.
 * The quota's `services.loadbalancers` counts these Services whatever their class, so the allowance is
 * exactly the NLBs the controller builds for the tenant. Tenants' Ingresses are ALBs (class `alb`, pod-IP
 * targets by its IngressClassParams), one each, counted by `count/ingresses.networking.k8s.io`.
 */
export function loadBalancerPolicySpec(): Record<string, unknown> {
    return {
        failurePolicy: "Fail",
        matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["services"] }] },
        matchConditions: [{ name: "load-balancer", expression: "object.spec.type == 'LoadBalancer'" }],
        validations: [
            {
                expression: `has(object.spec.loadBalancerClass) && object.spec.loadBalancerClass == '${TENANT_LOAD_BALANCER_CLASS}'`,
                message: `a tenant LoadBalancer Service must set spec.loadBalancerClass: ${TENANT_LOAD_BALANCER_CLASS} (the AWS Load Balancer Controller provisions tenant NLBs; the in-tree provider would need node ports)`,
                reason: "Invalid",
            },
            {
                expression: "has(object.spec.allocateLoadBalancerNodePorts) && object.spec.allocateLoadBalancerNodePorts == false",
                message: "a tenant LoadBalancer Service must set spec.allocateLoadBalancerNodePorts: false (tenants get no node ports; the NLB targets pod IPs)",
                reason: "Invalid",
            },
            {
                expression: `has(object.metadata.annotations) && '${NLB_TARGET_TYPE_ANNOTATION}' in object.metadata.annotations && object.metadata.annotations['${NLB_TARGET_TYPE_ANNOTATION}'] == 'ip'`,
                message: `a tenant LoadBalancer Service must be annotated ${NLB_TARGET_TYPE_ANNOTATION}: ip (instance targets need node ports)`,
                reason: "Invalid",
            },
            {
                expression: `has(object.metadata.annotations) && '${NLB_SCHEME_ANNOTATION}' in object.metadata.annotations && object.metadata.annotations['${NLB_SCHEME_ANNOTATION}'] == 'internet-facing'`,
                message: `a tenant LoadBalancer Service must be annotated ${NLB_SCHEME_ANNOTATION}: internet-facing (tenant pods admit load balancers from the public subnets only; the controller's default is internal)`,
                reason: "Invalid",
            },
            {
                expression: `!has(object.metadata.annotations) || !('${NLB_CERTIFICATE_ANNOTATION}' in object.metadata.annotations)`,
                message: `a tenant LoadBalancer Service may not name ACM certificates (${NLB_CERTIFICATE_ANNOTATION}): the account's certificates are the platform's; terminate TLS in the pod with a cert-manager Certificate under the tenant's domain`,
                reason: "Forbidden",
            },
        ],
    };
}

export const INGRESS_POLICY_NAME = "pr-cybr-tenant-ingresses";
/**
 * The NLB scheme annotation; it defaults to internal (aws-load-balancer-controller v3.5.0
 * docs/guide/service/annotations.md "lb-scheme"). ALBs get theirs from the `alb` class's
 * IngressClassParams, which overrides the Ingress annotation (ingress_class.md "spec.scheme").
 */
export const NLB_SCHEME_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-scheme";

/**
 * CEL check of tenants' Ingresses: one Ingress, one ALB, counted by the quota
 * (`count/ingresses.networking.k8s.io`). An IngressGroup would merge several Ingresses (other tenants'
 * too) into one ALB whose settings any member can change or break (aws-load-balancer-controller v3.5.0
 * docs/guide/ingress/annotations.md "group.name": members must trust each other). Pod-IP targets come
 * from the `alb` class's IngressClassParams, which overrides the target-type annotation.
 */
export function ingressPolicySpec(): Record<string, unknown> {
    return {
        failurePolicy: "Fail",
        matchConstraints: { resourceRules: [{ apiGroups: ["networking.k8s.io"], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["ingresses"] }] },
        validations: [
            {
                expression: `!has(object.metadata.annotations) || !('${ALB_GROUP_ANNOTATION}' in object.metadata.annotations)`,
                message: `a tenant Ingress may not join an IngressGroup (${ALB_GROUP_ANNOTATION}): each Ingress is its own ALB, counted by the quota`,
                reason: "Forbidden",
            },
            {
                expression: `!has(object.metadata.annotations) || !('${ALB_CERTIFICATE_ANNOTATION}' in object.metadata.annotations)`,
                message: `a tenant Ingress may not name ACM certificates (${ALB_CERTIFICATE_ANNOTATION}): the account's certificates are the platform's`,
                reason: "Forbidden",
            },
        ],
    };
}

export const SECRET_STORE_POLICY_NAME = "pr-cybr-tenant-secret-stores";
export const EXTERNAL_SECRET_POLICY_NAME = "pr-cybr-tenant-external-secrets";
/** The platform's SecretStore in every tenant namespace (components/addons/external-secrets.ts TENANT_SECRET_STORE). */
export const TENANT_SECRET_STORE_NAME = "tenant-secrets";

/**
 * CEL check that keeps tenants off the External Secrets kinds that decide whose AWS credentials ESO
 * uses and where it writes: SecretStores (a store names the IAM role ESO assumes), PushSecrets (ESO
 * writes to the provider) and every generator (an ECRAuthorizationToken or STSSessionToken names its
 * own `role`). In tenant namespaces no tenant persona and no service account outside kube-system and
 * ESO's own namespace may create, change or delete them. Admission as well as RBAC: the EKS access
 * policies are authorized outside RBAC (guardrailPolicySpec).
 */
export function secretStorePolicySpec(): Record<string, unknown> {
    const rule = (group: string, kinds: string[]) => ({ apiGroups: [group], apiVersions: ["*"], operations: ["CREATE", "UPDATE", "DELETE"], resources: kinds });
    return {
        failurePolicy: "Fail",
        matchConstraints: { resourceRules: [rule("external-secrets.io", ["secretstores", "pushsecrets"]), rule("generators.external-secrets.io", ["*"])] },
        variables: [
            { name: "tenantPersona", expression: `has(request.userInfo.groups) && request.userInfo.groups.exists(g, g.startsWith('${PERSONA_GROUP_PREFIX}'))` },
            {
                name: "serviceAccount",
                expression:
                    "request.userInfo.username.startsWith('system:serviceaccount:') && !request.userInfo.username.startsWith('system:serviceaccount:kube-system:') && !request.userInfo.username.startsWith('system:serviceaccount:external-secrets:')",
            },
        ],
        validations: [
            {
                expression: "!variables.tenantPersona && !variables.serviceAccount",
                messageExpression: `request.resource.resource + ' in tenant namespaces belong to the platform (ExternalSecrets read from its SecretStore ${TENANT_SECRET_STORE_NAME}): ' + request.userInfo.username + ' may not ' + request.operation.lowerAscii() + ' them'`,
                reason: "Forbidden",
            },
        ],
    };
}

/**
 * CEL check of ExternalSecrets in tenant namespaces, whoever writes them: every store they read from is
 * the platform's namespaced store `tenant-secrets` (the top-level `secretStoreRef` and each
 * `data[].sourceRef.storeRef` / `dataFrom[].sourceRef.storeRef`, where `kind` defaults to SecretStore),
 * never a ClusterSecretStore even of that name, and no entry uses a generator (`sourceRef.generatorRef`).
 * Field names: external-secrets.io_externalsecrets.yaml (v1) at helm-chart-2.8.0.
 */
export function externalSecretPolicySpec(): Record<string, unknown> {
    const store = TENANT_SECRET_STORE_NAME;
    const ours = (ref: string) => `((!has(${ref}.kind) || ${ref}.kind == 'SecretStore') && has(${ref}.name) && ${ref}.name == '${store}')`;
    const entries = (field: string) => `!has(object.spec.${field}) || object.spec.${field}.all(d, !has(d.sourceRef) || ((!has(d.sourceRef.storeRef) || ${ours("d.sourceRef.storeRef")}) && !has(d.sourceRef.generatorRef)))`;
    const message = `an ExternalSecret in a tenant namespace reads only from the platform's SecretStore ${store} (no ClusterSecretStore, no other store, no generator)`;
    return {
        failurePolicy: "Fail",
        matchConstraints: { resourceRules: [{ apiGroups: ["external-secrets.io"], apiVersions: ["*"], operations: ["CREATE", "UPDATE"], resources: ["externalsecrets"] }] },
        validations: [
            { expression: `!has(object.spec.secretStoreRef) || ${ours("object.spec.secretStoreRef")}`, message, reason: "Forbidden" },
            { expression: entries("data"), message, reason: "Forbidden" },
            { expression: entries("dataFrom"), message, reason: "Forbidden" },
        ],
    };
}

/**
 * The tenant ValidatingAdmissionPolicies (workloads, guardrails, load balancers, ingresses, images, hostnames, External Secrets) and their bindings to
 * every namespace labelled as a tenant's. Native CEL
 * admission: no webhook to run, nothing that can be down when the API server needs it.
 */
export interface TenantWorkloadPolicyArgs {
    /** Namespaces carrying this label key are checked. Defaults to "pr-cybr.io/tenant". */
    readonly namespaceLabel?: string;
    /** What a violation does: Deny rejects it; Audit also records it in the audit log. Defaults to ["Deny", "Audit"]. */
    readonly validationActions?: ("Deny" | "Warn" | "Audit")[];
    /** Where tenant images may come from (image-policy.ts). Defaults to no image policy. */
    readonly images?: ImagePolicyOptions;
    /** The DNS zone tenants' names live in (`<tenant>.apps.<zone>`); with it, the hostname policy is added. Defaults to none. */
    readonly zoneName?: string;
}

export const TENANT_WORKLOAD_POLICY_DEFAULTS = { namespaceLabel: TENANT_LABEL, validationActions: ["Deny", "Audit"] as ("Deny" | "Warn" | "Audit")[] };

export class TenantWorkloadPolicy extends pulumi.ComponentResource {
    constructor(name: string, args: TenantWorkloadPolicyArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        if (args.validationActions?.length === 0) throw new Error("TenantWorkloadPolicy: validationActions is empty (use Deny, Warn and/or Audit)");
        if (args.zoneName !== undefined && !isHostname(args.zoneName)) throw new Error(`TenantWorkloadPolicy: zoneName "${args.zoneName}" is not a DNS name (lowercase, e.g. example.com)`);
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
        const extras: [string, string, Record<string, unknown>][] = [
            ["guardrails", GUARDRAIL_POLICY_NAME, guardrailPolicySpec()],
            ["load-balancers", LOAD_BALANCER_POLICY_NAME, loadBalancerPolicySpec()],
            ["ingresses", INGRESS_POLICY_NAME, ingressPolicySpec()],
            ["secret-stores", SECRET_STORE_POLICY_NAME, secretStorePolicySpec()],
            ["external-secrets", EXTERNAL_SECRET_POLICY_NAME, externalSecretPolicySpec()],
        ];
        if (args.images) extras.push(["images", IMAGE_POLICY_NAME, imagePolicySpec(args.images)]);
        if (args.zoneName) extras.push(["hostnames", HOSTNAME_POLICY_NAME, hostnamePolicySpec(args.zoneName)]);
        for (const [role, policyName, spec] of extras) {
            const extra = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(`${name}-${role}-policy`, { metadata: { name: policyName }, spec }, { parent: this });
            new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
                `${name}-${role}-binding`,
                {
                    metadata: { name: policyName },
                    spec: {
                        policyName,
                        validationActions: args.validationActions ?? d.validationActions,
                        matchResources: { namespaceSelector: { matchExpressions: [{ key: args.namespaceLabel ?? d.namespaceLabel, operator: "Exists" }] } },
                    },
                },
                { parent: this, dependsOn: [extra] },
            );
        }
        this.registerOutputs({});
    }
}
