/**
 * Turns config into the cluster's add-ons (issue 19): one entry per add-on, each built only when its
 * config enables it, each waiting for exactly the cluster prerequisites its spec declares
 * (components/addons/addon.ts). What must wait for an add-on takes its `ready` resources.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterAddon, dependenciesOf, EbsCsiDriver, ebsCsiSpec, ExternalSecrets, externalSecretsSpec, ExternalSecretsTenant, PrerequisiteResources, Velero, veleroSpec } from "../components/addons";
import { globalName } from "../components/shared/names";
import { InClusterSecret } from "../components/gitops";
import { PlatformConfig } from "./config";

export interface AddonContext {
    prefix: string;
    providers: { aws: aws.Provider; kubernetes: k8s.Provider };
    clusterName: pulumi.Output<string>;
    clusterArn: pulumi.Output<string>;
    /** The environment's account id (world-wide names carry it). */
    accountId: pulumi.Output<string>;
    /** The environment's customer-managed key (volumes are encrypted with it). */
    environmentKeyArn: pulumi.Output<string>;
    prerequisites: PrerequisiteResources;
    tags: Record<string, string>;
}

/** The add-ons the config enables, in declaration order. */
export function buildAddons(cfg: PlatformConfig, ctx: AddonContext): ClusterAddon[] {
    const addons: ClusterAddon[] = [];
    const ebs = cfg.addons.ebsCsi;
    if (ebs.enabled) {
        addons.push(
            new EbsCsiDriver(
                `${ctx.prefix}-ebs-csi`,
                {
                    clusterName: ctx.clusterName,
                    clusterArn: ctx.clusterArn,
                    kubernetesVersion: cfg.cluster.version,
                    kmsKeyArn: ctx.environmentKeyArn,
                    addonVersion: ebs.version,
                    storageClassName: ebs.storageClass,
                    defaultStorageClass: true,
                    tags: ctx.tags,
                },
                { providers: ctx.providers, dependsOn: dependenciesOf(ebsCsiSpec(ebs.version), ctx.prerequisites) },
            ),
        );
    }
    const velero = cfg.addons.velero;
    if (velero.enabled) {
        addons.push(
            new Velero(
                `${ctx.prefix}-velero`,
                {
                    clusterName: ctx.clusterName,
                    clusterArn: ctx.clusterArn,
                    kubernetesVersion: cfg.cluster.version,
                    // S3 names are world-wide: the account makes it unique, the suffix a recovery stack's own.
                    // From aws:allowedAccountIds when set: a name known before deploy keeps the chart's values
                    // judgeable in a preview (no-plaintext-secrets cannot read an unknown value).
                    bucketName: cfg.accountId
                        ? globalName(`${ctx.prefix}-velero-${cfg.accountId}`, cfg.globalNameSuffix)
                        : ctx.accountId.apply((a) => globalName(`${ctx.prefix}-velero-${a}`, cfg.globalNameSuffix)),
                    kmsKeyArn: ctx.environmentKeyArn,
                    schedule: velero.schedule,
                    retentionDays: velero.retentionDays,
                    chartVersion: velero.chartVersion,
                    protect: cfg.environment === "prod",
                    tags: ctx.tags,
                },
                { providers: ctx.providers, dependsOn: dependenciesOf(veleroSpec(velero.chartVersion), ctx.prerequisites) },
            ),
        );
    }
    return addons;
}

/**
 * External Secrets Operator, after the tenants: each tenant namespace gets the platform's SecretStore,
 * so the stores wait for their namespaces (and only for them).
 */
export function buildExternalSecrets(cfg: PlatformConfig, ctx: AddonContext, tenants: ExternalSecretsTenant[]): ClusterAddon | undefined {
    const eso = cfg.addons.externalSecrets;
    if (!eso.enabled) return undefined;
    return new ExternalSecrets(
        `${ctx.prefix}-external-secrets`,
        {
            clusterName: ctx.clusterName,
            clusterArn: ctx.clusterArn,
            kubernetesVersion: cfg.cluster.version,
            environment: cfg.environment,
            secretsKeyArn: ctx.environmentKeyArn,
            tenants,
            chartVersion: eso.chartVersion,
            tags: ctx.tags,
        },
        { providers: ctx.providers, dependsOn: dependenciesOf(externalSecretsSpec(eso.chartVersion), ctx.prerequisites) },
    );
}

/**
 * The GitOps bridge: the in-cluster cluster Secret announcing each add-on's namespace, service account
 * and role, and the cluster's facts, to ApplicationSets in Git (components/gitops/cluster-secret.ts).
 */
export function buildGitopsBridge(cfg: PlatformConfig, ctx: AddonContext, addons: ClusterAddon[], args: { vpcId: pulumi.Output<string>; argocd: pulumi.Resource }): InClusterSecret {
    return new InClusterSecret(
        `${ctx.prefix}-in-cluster`,
        {
            environment: cfg.environment,
            clusterName: ctx.clusterName,
            region: cfg.region,
            accountId: ctx.accountId,
            vpcId: args.vpcId,
            addonsRepo: { url: cfg.gitops.repoUrl, revision: cfg.gitops.targetRevision, path: `${cfg.gitops.path}/addons` },
            addons: addons.map((a) => ({ name: a.spec.name, namespace: a.spec.namespace, serviceAccount: a.roleArn ? a.spec.podIdentity[0]?.serviceAccount : undefined, roleArn: a.roleArn, facts: a.gitopsFacts })),
        },
        // Argo CD's namespace only (not its release: Argo CD reads cluster Secrets whenever they appear); nothing waits for this Secret.
        { providers: { kubernetes: ctx.providers.kubernetes }, dependsOn: [args.argocd] },
    );
}
