/**
 * Turns config into the cluster's add-ons (issue 19): one entry per add-on, each built only when its
 * config enables it, each waiting for exactly the cluster prerequisites its spec declares
 * (components/addons/addon.ts). What must wait for an add-on takes its `ready` resources.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    AwsLoadBalancerController,
    awsLoadBalancerControllerSpec,
    CertManager,
    certManagerSpec,
    ClusterAddon,
    ContainerLogs,
    containerLogsSpec,
    dependenciesOf,
    EbsCsiDriver,
    ebsCsiSpec,
    ExternalDns,
    externalDnsSpec,
    Karpenter,
    karpenterSpec,
    MetricsServer,
    metricsServerSpec,
    PrerequisiteResources,
    SnapshotController,
    snapshotControllerSpec,
    ExternalSecrets,
    externalSecretsSpec,
    ExternalSecretsTenant,
    Velero,
    veleroSpec,
} from "../components/addons";
import { InClusterSecret } from "../components/gitops";
import { globalName } from "../components/shared/names";
import { PlatformConfig } from "./config";

export interface AddonContext {
    prefix: string;
    providers: { aws: aws.Provider; kubernetes: k8s.Provider };
    clusterName: pulumi.Output<string>;
    clusterArn: pulumi.Output<string>;
    /** The private subnets and the cluster security group (what autoscaled nodes launch in and with). */
    privateSubnetIds: pulumi.Output<string[]>;
    clusterSecurityGroupId: pulumi.Output<string>;
    /** Tags every resource carries, for what controllers create outside Pulumi (Karpenter's nodes, the controller's load balancers): provider default tags do not reach those. */
    platformTags: Record<string, string>;
    /** The environment's account id (world-wide names carry it). */
    accountId: pulumi.Output<string>;
    /** The environment's customer-managed key (volumes are encrypted with it). */
    environmentKeyArn: pulumi.Output<string>;
    /** The cluster's VPC (the load balancer controller is told it: pods cannot reach instance metadata). */
    vpcId: pulumi.Output<string>;
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
    const lbc = cfg.addons.loadBalancerController;
    if (lbc.enabled) {
        addons.push(
            new AwsLoadBalancerController(
                `${ctx.prefix}-lbc`,
                {
                    clusterName: ctx.clusterName,
                    clusterArn: ctx.clusterArn,
                    kubernetesVersion: cfg.cluster.version,
                    vpcId: ctx.vpcId,
                    region: cfg.region,
                    chartVersion: lbc.version,
                    replicas: 2,
                    tags: { ...ctx.platformTags, ...ctx.tags },
                },
                { providers: ctx.providers, dependsOn: dependenciesOf(awsLoadBalancerControllerSpec(lbc.version), ctx.prerequisites) },
            ),
        );
    }
    const cm = cfg.addons.certManager;
    if (cm.enabled) {
        addons.push(
            new CertManager(
                `${ctx.prefix}-cert-manager`,
                {
                    kubernetesVersion: cfg.cluster.version,
                    zoneName: cfg.cloudflare.zoneName!,
                    acmeEmail: certManagerAcmeEmail(cfg),
                    acmeServer: cm.acmeServer,
                    cloudflareTokenSecretId: certManagerTokenSecretId(cfg),
                    chartVersion: cm.version,
                    replicas: cfg.environment === "prod" ? 2 : 1,
                },
                { providers: ctx.providers, dependsOn: dependenciesOf(certManagerSpec(cm.version), ctx.prerequisites) },
            ),
        );
    }
    const dns = cfg.addons.externalDns;
    if (dns.enabled) {
        addons.push(
            new ExternalDns(
                `${ctx.prefix}-external-dns`,
                {
                    kubernetesVersion: cfg.cluster.version,
                    zoneName: cfg.cloudflare.zoneName!,
                    zoneId: cfg.cloudflare.zoneId,
                    ownerId: cfg.cluster.name,
                    cloudflareTokenSecretId: externalDnsTokenSecretId(cfg),
                    chartVersion: dns.version,
                },
                { providers: ctx.providers, dependsOn: dependenciesOf(externalDnsSpec(dns.version), ctx.prerequisites) },
            ),
        );
    }
    const snapshots = cfg.addons.snapshots;
    if (snapshots.enabled) {
        addons.push(
            new SnapshotController(
                `${ctx.prefix}-snapshots`,
                { clusterName: ctx.clusterName, kubernetesVersion: cfg.cluster.version, addonVersion: snapshots.version, snapshotClassName: snapshots.snapshotClass, tags: ctx.tags },
                { providers: ctx.providers, dependsOn: dependenciesOf(snapshotControllerSpec(snapshots.version), ctx.prerequisites) },
            ),
        );
    }
    const metrics = cfg.addons.metricsServer;
    if (metrics.enabled) {
        addons.push(
            new MetricsServer(
                `${ctx.prefix}-metrics-server`,
                { clusterName: ctx.clusterName, kubernetesVersion: cfg.cluster.version, addonVersion: metrics.version, tags: ctx.tags },
                { providers: ctx.providers, dependsOn: dependenciesOf(metricsServerSpec(metrics.version), ctx.prerequisites) },
            ),
        );
    }
    const autoscaler = cfg.addons.autoscaler;
    if (autoscaler.enabled) {
        addons.push(
            new Karpenter(
                `${ctx.prefix}-karpenter`,
                {
                    clusterName: cfg.cluster.name,
                    clusterArn: ctx.clusterArn,
                    kubernetesVersion: cfg.cluster.version,
                    subnetIds: ctx.privateSubnetIds,
                    securityGroupIds: [ctx.clusterSecurityGroupId],
                    kmsKeyArn: ctx.environmentKeyArn,
                    nodePools: autoscaler.nodePools,
                    chartVersion: autoscaler.version,
                    amiAlias: autoscaler.amiAlias,
                    replicas: cfg.environment === "prod" ? 2 : 1,
                    tags: { ...ctx.platformTags, ...ctx.tags },
                },
                { providers: ctx.providers, dependsOn: dependenciesOf(karpenterSpec(autoscaler.version), ctx.prerequisites) },
            ),
        );
    }
    const logs = cfg.addons.containerLogs;
    if (logs.enabled) {
        addons.push(
            new ContainerLogs(
                `${ctx.prefix}-container-logs`,
                {
                    environment: cfg.environment,
                    clusterName: ctx.clusterName,
                    clusterArn: ctx.clusterArn,
                    kubernetesVersion: cfg.cluster.version,
                    region: cfg.region,
                    retentionDays: containerLogRetention(cfg),
                    chartVersion: logs.version,
                    tags: ctx.tags,
                },
                { providers: ctx.providers, dependsOn: dependenciesOf(containerLogsSpec(logs.version), ctx.prerequisites) },
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

/** cert-manager's ACME contact: its own, else the swarm's Traefik ACME account's. */
export const certManagerAcmeEmail = (cfg: PlatformConfig) => cfg.addons.certManager.acmeEmail ?? cfg.swarm.traefik.acmeEmail;
/** Each controller gets its own Cloudflare token (Zone:DNS:Edit on the zone), never the Pulumi provider's. */
export const certManagerTokenSecretId = (cfg: PlatformConfig) => cfg.addons.certManager.cloudflareTokenSecretId ?? `pr-cybr/${cfg.environment}/cert-manager/cloudflare-dns-token`;
export const externalDnsTokenSecretId = (cfg: PlatformConfig) => cfg.addons.externalDns.cloudflareTokenSecretId ?? `pr-cybr/${cfg.environment}/external-dns/cloudflare-dns-token`;

/** Grafana's hostname: configured, else grafana.<zone>; none without a zone. */
export const grafanaHostnameOf = (cfg: PlatformConfig) => cfg.gitops.grafanaHostname ?? (cfg.cloudflare.zoneName ? `grafana.${cfg.cloudflare.zoneName}` : undefined);

/**
 * Grafana's sign-in: gitops.grafanaSso's client and endpoints, gitops.sso's admin groups. The endpoints
 * default to Keycloak's for a realm issuer (`<issuer>/protocol/openid-connect/{auth,token,userinfo}`,
 * Grafana docs "Configure Keycloak OAuth2 authentication"): Grafana's grafana.ini takes no discovery URL.
 */
export function grafanaSsoOf(cfg: PlatformConfig) {
    const g = cfg.gitops.grafanaSso;
    const sso = cfg.gitops.sso;
    if (!g || !sso) return undefined;
    const keycloak = KEYCLOAK_REALM.test(sso.issuerUrl) ? `${sso.issuerUrl.replace(/\/$/, "")}/protocol/openid-connect` : undefined;
    const authUrl = g.authUrl ?? (keycloak && `${keycloak}/auth`);
    const tokenUrl = g.tokenUrl ?? (keycloak && `${keycloak}/token`);
    const apiUrl = g.apiUrl ?? (keycloak && `${keycloak}/userinfo`);
    if (!authUrl || !tokenUrl || !apiUrl) return undefined;
    return { clientId: g.clientId, clientSecretId: g.clientSecretId, authUrl, tokenUrl, apiUrl, adminGroups: sso.adminGroups };
}

/** A Keycloak realm's issuer URL (`https://<host>/realms/<realm>`, or under /auth on older Keycloak). */
const KEYCLOAK_REALM = /^https:\/\/[^/]+(\/auth)?\/realms\/[^/]+\/?$/;

/** Container logs' retention: the config's, else 30 days in dev and a year in prod (as the swarm's telemetry). */
export function containerLogRetention(cfg: PlatformConfig): number {
    return cfg.addons.containerLogs.retentionDays ?? (cfg.environment === "prod" ? 365 : 30);
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
export function buildGitopsBridge(
    cfg: PlatformConfig,
    ctx: AddonContext,
    addons: ClusterAddon[],
    args: {
        vpcId: pulumi.Output<string>;
        argocd: pulumi.Resource;
        /** Platform identities that are no ClusterAddon (Prometheus' EC2 discovery), announced the same way. */
        identities?: { name: string; namespace: string; serviceAccount: string; roleArn: pulumi.Output<string> }[];
    },
): InClusterSecret {
    return new InClusterSecret(
        `${ctx.prefix}-in-cluster`,
        {
            environment: cfg.environment,
            clusterName: ctx.clusterName,
            region: cfg.region,
            accountId: ctx.accountId,
            vpcId: args.vpcId,
            addonsRepo: { url: cfg.gitops.repoUrl, revision: cfg.gitops.targetRevision, path: `${cfg.gitops.path}/addons` },
            addons: [
                ...addons.map((a) => ({ name: a.spec.name, namespace: a.spec.namespace, serviceAccount: a.roleArn ? a.spec.podIdentity[0]?.serviceAccount : undefined, roleArn: a.roleArn, facts: a.gitopsFacts })),
                ...(args.identities ?? []),
            ],
        },
        // Argo CD's namespace only (not its release: Argo CD reads cluster Secrets whenever they appear); nothing waits for this Secret.
        { providers: { kubernetes: ctx.providers.kubernetes }, dependsOn: [args.argocd] },
    );
}
