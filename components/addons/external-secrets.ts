import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { podIdentityTrustPolicy } from "../shared/iam";
import { Tags } from "../shared/tags";
import { tenantSecretsReadStatements } from "../shared/tenant-secrets";
import { ArgProblem, throwIfProblems } from "../shared/validation";
import { AddonSpec, ClusterAddon, pinnedVersionProblem, PinnedVersion } from "./addon";

/**
 * The External Secrets Operator chart (external-secrets/external-secrets, tag helm-chart-2.8.0 at
 * 6f1eed573faac17c3272c576cfd419a5b40db25d, appVersion v2.8.0). Its Kubernetes versions are the
 * project's own support table: docs/introduction/stability-support.md at v2.9.0 (378bdb62) lists
 * "2.8 | 1.35-1.36" (each release's row is published with the next one). The chart's `kubeVersion`
 * (>= 1.19.0-0) is only Helm's floor.
 */
export const EXTERNAL_SECRETS_CHART: PinnedVersion = {
    version: "2.8.0",
    kubernetesVersions: ["1.35", "1.36"],
    source: "external-secrets/external-secrets docs/introduction/stability-support.md at v2.9.0",
};
export const EXTERNAL_SECRETS_CHART_VERSIONS: readonly PinnedVersion[] = [EXTERNAL_SECRETS_CHART];
export const EXTERNAL_SECRETS_CHART_REPOSITORY = "https://charts.external-secrets.io";
export const EXTERNAL_SECRETS_NAMESPACE = "external-secrets";
/** The controller's service account (the chart's `serviceAccount.name`): the one that holds the Pod Identity. */
export const EXTERNAL_SECRETS_SERVICE_ACCOUNT = "external-secrets";
/** The one store per tenant namespace; tenants' ExternalSecrets may name no other (guardrails.ts). */
export const TENANT_SECRET_STORE = "tenant-secrets";

/**
 * Chart values (helm-chart-2.8.0 values.yaml). Least privilege for a multi-tenant cluster:
 * - no aggregation into the built-in admin/edit/view roles: with it, every tenant admin and developer
 *   could create SecretStores in its namespaces (templates/rbac.yaml, `-edit` ClusterRole with
 *   aggregate-to-edit/admin grants create on secretstores and pushsecrets); tenants get a Role for
 *   ExternalSecrets instead (components/tenancy);
 * - no cluster-scoped kinds (their CRDs not installed, their controllers off, as values.yaml requires
 *   in pairs): no ClusterSecretStore any ExternalSecret could name, no ClusterExternalSecret,
 *   ClusterGenerator or (Cluster)PushSecret; the platform's stores are namespaced, one per tenant namespace;
 * - no `serviceaccounts/token` create (only `auth.jwt` stores need it; ours use the controller's own
 *   Pod Identity and `role`), so the controller cannot mint tokens for tenants' service accounts.
 */
export function externalSecretsValues(): Record<string, unknown> {
    return {
        installCRDs: true,
        crds: { createClusterExternalSecret: false, createClusterSecretStore: false, createClusterGenerator: false, createClusterPushSecret: false, createPushSecret: false },
        processClusterExternalSecret: false,
        processClusterStore: false,
        processClusterGenerator: false,
        processClusterPushSecret: false,
        processPushSecret: false,
        serviceAccount: { create: true, name: EXTERNAL_SECRETS_SERVICE_ACCOUNT },
        rbac: { create: true, serviceAccountTokenCreate: false, aggregateToView: false, aggregateToEdit: false, aggregateToAdmin: false },
    };
}

/**
 * The session tags ESO sets when a store's `sessionTagsPolicy` is `Simple`: `esoNamespace` (the
 * namespace of the ExternalSecret being synced), `esoStoreName`, `esoStoreKind`
 * (providers/v1/aws/provider.go buildSessionTags at helm-chart-2.8.0). The controller computes them; a
 * store cannot override them (customSessionTags rejects these keys: apis/externalsecrets/v1/secretstore_aws_types.go).
 */
export const ESO_SESSION_TAGS = { namespace: "esoNamespace", storeName: "esoStoreName", storeKind: "esoStoreKind" } as const;

/**
 * Who may assume a tenant's secrets reader role: only the ESO controller's Pod Identity session (its
 * role, and the session tags EKS Pod Identity puts on it: this cluster, the `external-secrets`
 * namespace and service account), and only to sync an ExternalSecret of one of the tenant's namespaces
 * from the platform's tenant store (ESO's own session tags). So even a store that names tenant A's role
 * cannot read A's secrets for an ExternalSecret in B's namespace: STS refuses the session.
 */
export function tenantSecretsReaderTrustPolicy(args: { controllerRoleArn: pulumi.Input<string>; clusterArn: pulumi.Input<string>; namespaces: string[] }): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "EsoControllerForTheTenantsNamespaces",
                Effect: "Allow",
                Principal: { AWS: args.controllerRoleArn },
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Condition: {
                    StringEquals: {
                        "aws:PrincipalTag/kubernetes-namespace": EXTERNAL_SECRETS_NAMESPACE,
                        "aws:PrincipalTag/kubernetes-service-account": EXTERNAL_SECRETS_SERVICE_ACCOUNT,
                        "aws:PrincipalTag/eks-cluster-arn": args.clusterArn,
                        [`aws:RequestTag/${ESO_SESSION_TAGS.namespace}`]: args.namespaces,
                        [`aws:RequestTag/${ESO_SESSION_TAGS.storeName}`]: TENANT_SECRET_STORE,
                        [`aws:RequestTag/${ESO_SESSION_TAGS.storeKind}`]: "SecretStore",
                    },
                },
            },
        ],
    });
}

/** The platform's SecretStore in one tenant namespace: Secrets Manager through the tenant's reader role, with ESO's session tags. */
export function tenantSecretStore(args: { namespace: string; tenant: string; roleArn: pulumi.Input<string>; region: pulumi.Input<string> }) {
    return {
        apiVersion: "external-secrets.io/v1" as const,
        kind: "SecretStore" as const,
        metadata: { name: TENANT_SECRET_STORE, namespace: args.namespace, labels: { "pr-cybr.io/tenant": args.tenant } },
        spec: { provider: { aws: { service: "SecretsManager", region: args.region, role: args.roleArn, sessionTagsPolicy: "Simple" } } },
    };
}

export interface ExternalSecretsTenant {
    readonly tenant: string;
    readonly namespaces: string[];
    /** The tenant's Namespace objects: its stores wait for them. */
    readonly namespaceResources: pulumi.Resource[];
}

export interface ExternalSecretsArgs {
    /** The cluster's name. Required. */
    readonly clusterName: pulumi.Input<string>;
    /** The cluster's ARN (trust policies name it). Required. */
    readonly clusterArn: pulumi.Input<string>;
    /** The cluster's Kubernetes version, "1.NN", checked against the chart version. Required. */
    readonly kubernetesVersion: string;
    /** The environment: tenants' secrets are under pr-cybr/<environment>/tenants/<tenant>/. Required. */
    readonly environment: string;
    /** The environment's key the tenants' secrets are encrypted with. Required. */
    readonly secretsKeyArn: pulumi.Input<string>;
    /** The tenants, each with a reader role and a SecretStore per namespace. Defaults to []. */
    readonly tenants?: ExternalSecretsTenant[];
    /** The chart version. Defaults to EXTERNAL_SECRETS_CHART.version. */
    readonly chartVersion?: string;
    /** Tags on the roles and the association. Defaults to {}. */
    readonly tags?: Tags;
}

export const EXTERNAL_SECRETS_DEFAULTS = { chartVersion: EXTERNAL_SECRETS_CHART.version, tenants: [] as ExternalSecretsTenant[], tags: {} as Tags };

/** IAM role names are at most 64 characters; Pulumi's auto-name appends `-` and 7 characters. */
const MAX_ROLE_LOGICAL_NAME = 64 - 8;

/** Pure check of ExternalSecretsArgs; throws every problem at once. */
export function validateExternalSecretsArgs(name: string, args: ExternalSecretsArgs): void {
    const problems: ArgProblem[] = [];
    (args.tenants ?? []).forEach((t, i) => {
        const role = `${name}-${t.tenant}-reader-role`;
        if (role.length > MAX_ROLE_LOGICAL_NAME) problems.push({ path: `tenants[${i}].tenant`, reason: `"${t.tenant}" makes the reader role name ${role} longer than ${MAX_ROLE_LOGICAL_NAME} characters (use a shorter tenant name)` });
    });
    const version = args.chartVersion ?? EXTERNAL_SECRETS_DEFAULTS.chartVersion;
    const versionProblem = pinnedVersionProblem({ addon: "external-secrets", path: "chartVersion", version, known: EXTERNAL_SECRETS_CHART_VERSIONS, knownName: "EXTERNAL_SECRETS_CHART_VERSIONS", kubernetesVersion: args.kubernetesVersion });
    if (versionProblem) problems.push(versionProblem);
    throwIfProblems("ExternalSecrets", problems);
}

export function externalSecretsSpec(version: string): AddonSpec {
    return {
        name: "external-secrets",
        version,
        kubernetesVersions: (EXTERNAL_SECRETS_CHART_VERSIONS.find((v) => v.version === version) ?? EXTERNAL_SECRETS_CHART).kubernetesVersions,
        namespace: EXTERNAL_SECRETS_NAMESPACE,
        podIdentity: [{ namespace: EXTERNAL_SECRETS_NAMESPACE, serviceAccount: EXTERNAL_SECRETS_SERVICE_ACCOUNT }],
        // The release waits for its pods (webhook, cert controller): they need addresses and nodes. Cluster DNS only
        // when a store is reconciled (STS, Secrets Manager), which retries.
        needs: ["pod-network", "nodes"],
    };
}

/**
 * External Secrets Operator with one SecretStore per tenant namespace that reads only that tenant's
 * secrets, enforced by IAM (issue 19 item 4). The controller's own credentials come from an EKS Pod
 * Identity association (ESO's AWS provider uses the SDK's default chain when a store sets no `auth`:
 * providers/v1/aws/auth/auth.go constructCredsProvider at helm-chart-2.8.0); its role may do nothing but
 * assume the tenants' reader roles. Each store names its tenant's reader role (`role`: an AssumeRole
 * from the controller's credentials, with ESO's session tags), whose trust admits that controller
 * session only for ExternalSecrets of that tenant's namespaces. Tenants cannot write stores (RBAC and
 * admission, components/tenancy), and no cluster-wide store kind is installed.
 */
export class ExternalSecrets extends pulumi.ComponentResource implements ClusterAddon {
    public readonly spec: AddonSpec;
    public readonly ready: pulumi.Resource[];
    public readonly controllerRoleArn: pulumi.Output<string>;
    public readonly roleArn: pulumi.Output<string>;
    public readonly readerRoleArns: Record<string, pulumi.Output<string>>;
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: ExternalSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        validateExternalSecretsArgs(name, args);
        super("pr-cybr:addons:ExternalSecrets", name, {}, opts);
        const d = EXTERNAL_SECRETS_DEFAULTS;
        const tags = { ...d.tags, ...args.tags };
        const version = args.chartVersion ?? d.chartVersion;
        this.spec = externalSecretsSpec(version);
        const invoke = { parent: this };
        const account = aws.getCallerIdentityOutput({}, invoke).accountId;
        const partition = aws.getPartitionOutput({}, invoke).partition;
        const region = aws.getRegionOutput({}, invoke).region;

        const controller = new aws.iam.Role(
            `${name}-controller-role`,
            { description: "External Secrets Operator controller (EKS Pod Identity): assumes tenants' reader roles only", assumeRolePolicy: podIdentityTrustPolicy({ account, clusterArn: args.clusterArn, serviceAccount: { namespace: EXTERNAL_SECRETS_NAMESPACE, name: EXTERNAL_SECRETS_SERVICE_ACCOUNT } }), tags: { ...tags, Name: `${name}-controller-role` } },
            { parent: this },
        );

        this.readerRoleArns = {};
        const readers: aws.iam.Role[] = [];
        const readerPolicies: pulumi.Resource[] = [];
        for (const t of args.tenants ?? d.tenants) {
            const reader = new aws.iam.Role(
                `${name}-${t.tenant}-reader-role`,
                {
                    description: `External Secrets Operator: reads tenant ${t.tenant}'s secrets`,
                    assumeRolePolicy: tenantSecretsReaderTrustPolicy({ controllerRoleArn: controller.arn, clusterArn: args.clusterArn, namespaces: t.namespaces }),
                    tags: { ...tags, Name: `${name}-${t.tenant}-reader-role`, tenant: t.tenant },
                },
                { parent: this },
            );
            readerPolicies.push(
                new aws.iam.RolePolicy(
                    `${name}-${t.tenant}-reader-access`,
                    { role: reader.id, policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: tenantSecretsReadStatements({ environment: args.environment, tenant: t.tenant, partition, region, account, keyArn: args.secretsKeyArn }) }) },
                    { parent: this },
                ),
            );
            readers.push(reader);
            this.readerRoleArns[t.tenant] = reader.arn;
        }
        const controllerPolicies: pulumi.Resource[] = [];
        if (readers.length > 0) {
            controllerPolicies.push(
                new aws.iam.RolePolicy(
                    `${name}-controller-assume`,
                    {
                        role: controller.id,
                        policy: pulumi.jsonStringify({
                            Version: "2012-10-17",
                            // The reader roles by name pattern (not a list: adding or removing a tenant changes no other
                            // tenant's resources); their trust policies are the gate, naming this role and ESO's tags.
                            Statement: [{ Sid: "AssumeTheTenantsReaderRoles", Effect: "Allow", Action: ["sts:AssumeRole", "sts:TagSession"], Resource: pulumi.interpolate`arn:${partition}:iam::${account}:role/${name}-*-reader-role-*` }],
                        }),
                    },
                    { parent: this },
                ),
            );
        }
        const association = new aws.eks.PodIdentityAssociation(
            `${name}-pod-identity`,
            { clusterName: args.clusterName, namespace: EXTERNAL_SECRETS_NAMESPACE, serviceAccount: EXTERNAL_SECRETS_SERVICE_ACCOUNT, roleArn: controller.arn, tags: { ...tags, Name: `${name}-pod-identity` } },
            { parent: this, dependsOn: controllerPolicies },
        );

        const namespace = new k8s.core.v1.Namespace(`${name}-ns`, { metadata: { name: EXTERNAL_SECRETS_NAMESPACE, labels: { "pr-cybr.io/platform": "true" } } }, { parent: this, dependsOn: opts?.dependsOn });
        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: "external-secrets",
                chart: "external-secrets",
                version,
                repositoryOpts: { repo: EXTERNAL_SECRETS_CHART_REPOSITORY },
                namespace: EXTERNAL_SECRETS_NAMESPACE,
                values: externalSecretsValues(),
                skipAwait: false,
                timeout: 600,
                maxHistory: 10,
            },
            // The association first: the controller's first credentials request finds its role.
            { parent: this, dependsOn: [namespace, association] },
        );

        // Stores need the CRD and the chart's webhook (it validates SecretStores), and their namespaces.
        const stores: pulumi.Resource[] = [];
        (args.tenants ?? d.tenants).forEach((t, i) => {
            for (const ns of t.namespaces) {
                stores.push(
                    new k8s.apiextensions.CustomResource(`${name}-store-${ns}`, tenantSecretStore({ namespace: ns, tenant: t.tenant, roleArn: readers[i].arn, region }), {
                        parent: this,
                        dependsOn: [this.release, ...t.namespaceResources, readerPolicies[i]],
                    }),
                );
            }
        });

        this.controllerRoleArn = controller.arn;
        this.roleArn = controller.arn;
        this.ready = [this.release, ...stores];
        this.registerOutputs({ controllerRoleArn: this.controllerRoleArn, chartVersion: version });
    }
}
