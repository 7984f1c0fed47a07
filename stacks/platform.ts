import * as pulumi from "@pulumi/pulumi";
import { PrometheusIdentity } from "../components/gitops/prometheus-identity";
import { Cilium, CoreDns, EksCluster, ManagedNodeGroup } from "../components/cluster";
import { EnvironmentBudget } from "../components/cost";
import { ArgoCd, GrafanaEndpoint, MONITORING_NAMESPACE, PROMETHEUS_SERVICE_ACCOUNT } from "../components/gitops";
import { INTERFACE_ENDPOINT_SERVICES, planSubnets, Vpc } from "../components/network";
import { EnvironmentKey, JoinTokenRotation } from "../components/secrets";
import { EdgeCa } from "../components/edge";
import { SwarmDns, SwarmManagers, SwarmPki, SwarmServices, TAILSCALE_MTU } from "../components/swarm";
import { Tenant, TenantWorkloadIdentity, TenantWorkloadPolicy } from "../components/tenancy";
import { AwsLoadBalancerController, CertManager, ClusterAddon, ExternalSecretsTenant } from "../components/addons";
import { buildAddons, buildExternalSecrets, buildGitopsBridge, grafanaHostnameOf, grafanaSsoOf } from "./addons";
import { PlatformConfig } from "./config";
import { buildEdge, EdgeOutputs } from "./edge";
import { clusterAdminsOf, tenantReposOf } from "./preflight";
import { awsProvider, cloudflareProvider, platformTags } from "./providers";

/** The stack outputs consumers (CI, other stacks, runbooks) rely on. */
export interface PlatformOutputs extends EdgeOutputs {
    environment: string;
    region: string;
    vpcId: pulumi.Output<string>;
    vpcCidr: pulumi.Output<string>;
    availabilityZones: pulumi.Output<string[]>;
    publicSubnetIds: pulumi.Output<string[]>;
    privateSubnetIds: pulumi.Output<string[]>;
    intraSubnetIds: pulumi.Output<string[]>;
    natPublicIps: pulumi.Output<string[]>;
    flowLogGroupName: pulumi.Output<string>;
    clusterName: pulumi.Output<string>;
    clusterEndpoint: pulumi.Output<string>;
    oidcIssuerUrl: pulumi.Output<string>;
    kubeconfig: pulumi.Output<string>;
    nodeGroupNames: pulumi.Output<string[]>;
    ciliumVersion: string;
    argocdVersion: string;
    tenantNamespaces: Record<string, string[]>;
    swarmApiHostname: pulumi.Output<string>;
    swarmPublicHostname: pulumi.Output<string>;
    swarmWorkerTokenSecretArn: pulumi.Output<string>;
    swarmAutoScalingGroups: pulumi.Output<string[]>;
    /** The environment's Secrets Manager key and its alias. */
    secretsKmsKeyArn: pulumi.Output<string>;
    secretsKmsAlias: pulumi.Output<string>;
    /** Each add-on the config enables, with its pinned version. */
    addons: Record<string, string>;
}

/**
 * Composes one environment from validated config. Areas are added in dependency order
 * (network -> cluster -> gitops/tenancy; network -> swarm -> edge); components never read config.
 */
export function buildPlatform(cfg: PlatformConfig): PlatformOutputs {
    const prefix = `pr-cybr-${cfg.environment}`;
    const aws = awsProvider(cfg);
    const prod = cfg.environment === "prod";

    new EnvironmentBudget(
        `${prefix}-budget`,
        { environment: cfg.environment, monthlyLimitUsd: cfg.budget.monthlyLimitUsd, thresholdsPercent: cfg.budget.thresholdsPercent, emails: cfg.budget.emails, globalNameSuffix: cfg.globalNameSuffix },
        { providers: { aws } },
    );

    // The key for the environment's Secrets Manager secrets: the ones operators create by hand (SSO, Slack,
    // Cloudflare tokens: `--kms-key-id alias/<prefix>-secrets`) and the ones the platform creates.
    const secretsKey = new EnvironmentKey(`${prefix}-secrets`, { alias: `${prefix}-secrets`, writerRoleArns: [cfg.cluster.deployRoleArn], tags: { component: "secrets" } }, { providers: { aws } });

    const network = new Vpc(
        prefix,
        {
            cidr: cfg.network.cidr,
            azCount: cfg.network.azCount,
            natGateways: cfg.network.natGateways,
            interfaceEndpoints: cfg.network.interfaceEndpoints ? INTERFACE_ENDPOINT_SERVICES : [],
            flowLogRetentionDays: cfg.network.flowLogRetentionDays,
            clusterName: cfg.cluster.name,
            tags: { component: "network" },
        },
        { providers: { aws } },
    );

    const clusterTags = { component: "cluster" };
    const cluster = new EksCluster(
        `${prefix}-cluster`,
        {
            clusterName: cfg.cluster.name,
            version: cfg.cluster.version,
            subnetIds: network.privateSubnetIds,
            endpointPublicAccess: cfg.cluster.endpointPublicAccess,
            publicAccessCidrs: cfg.cluster.endpointPublicAccess ? cfg.cluster.publicAccessCidrs : [],
            privateAccessCidrs: cfg.cluster.privateAccessCidrs ?? cfg.swarm.deployCidrs,
            deployRoleArn: cfg.cluster.deployRoleArn,
            adminArns: clusterAdminsOf(cfg).map((a) => a.arn),
            viewerArns: cfg.cluster.previewRoleArn ? [cfg.cluster.previewRoleArn] : [],
            // dev keeps the two logs incident response needs; prod keeps all five.
            logTypes: prod ? undefined : ["audit", "authenticator"],
            logRetentionDays: cfg.cluster.logRetentionDays,
            deletionProtection: prod,
            protect: prod,
            tags: clusterTags,
        },
        { providers: { aws } },
    );

    const nodeGroups = cfg.cluster.nodeGroups.map(
        (g) =>
            new ManagedNodeGroup(
                `${prefix}-ng-${g.name}`,
                {
                    clusterName: cluster.clusterName,
                    kubernetesVersion: cfg.cluster.version,
                    nodeRoleArn: cluster.nodeRoleArn,
                    subnetIds: network.privateSubnetIds,
                    groupName: g.name,
                    instanceTypes: g.instanceTypes,
                    arch: g.arch,
                    capacityType: g.capacityType,
                    amiFamily: g.amiFamily,
                    minSize: g.minSize,
                    maxSize: g.maxSize,
                    desiredSize: g.desiredSize,
                    diskSizeGiB: g.diskSizeGiB,
                    labels: g.labels,
                    tags: { ...platformTags(cfg), ...clusterTags },
                },
                // Nodes pull images and join through NAT or endpoints: those routes must exist first.
                { providers: { aws }, dependsOn: network.privateEgress },
            ),
    );

    // No dependency on the node groups: they cannot become Ready until Cilium runs on them.
    const cilium = new Cilium(
        `${prefix}-cilium`,
        {
            clusterName: cfg.cluster.name,
            apiServerHost: cluster.endpointHost,
            vpcCidr: cfg.network.cidr,
            oidcProviderArn: cluster.oidcProviderArn,
            oidcIssuerHostPath: cluster.oidcIssuerHostPath,
            chartVersion: cfg.cluster.ciliumVersion,
            tags: clusterTags,
        },
        { providers: { aws, kubernetes: cluster.provider } },
    );

    const coreDns = new CoreDns(
        `${prefix}-coredns`,
        {
            clusterName: cluster.clusterName,
            kubernetesVersion: cfg.cluster.version,
            minNodes: cfg.cluster.nodeGroups.reduce((n, g) => n + g.minSize, 0),
            tags: clusterTags,
        },
        { providers: { aws }, dependsOn: [cilium.release, ...nodeGroups] },
    );

    const k8sProviders = { aws, kubernetes: cluster.provider };
    const addonContext = {
        prefix,
        providers: k8sProviders,
        clusterName: cluster.clusterName,
        clusterArn: cluster.cluster.arn,
        privateSubnetIds: network.privateSubnetIds,
        clusterSecurityGroupId: cluster.clusterSecurityGroupId,
        platformTags: platformTags(cfg),
        environmentKeyArn: secretsKey.keyArn,
        vpcId: network.vpcId,
        accountId: cluster.cluster.arn.apply((a) => a.split(":")[4]),
        prerequisites: { "pod-network": [cilium.release], nodes: nodeGroups, "cluster-dns": [coreDns.addon] },
        tags: { component: "addons" },
    };
    const addons = buildAddons(cfg, addonContext);
    // Prometheus discovers the Swarm managers through EC2 (swarmScrapeConfig).
    const prometheusIdentity = new PrometheusIdentity(`${prefix}-prometheus-identity`, { clusterName: cluster.clusterName, clusterArn: cluster.cluster.arn, tags: { ...platformTags(cfg), component: "monitoring" } }, { providers: { aws } });
    const tenantNamespaces = Object.fromEntries(cfg.tenants.map((t) => [t.name, t.namespaces ?? [t.name]]));
    const argocd = new ArgoCd(
        `${prefix}-argocd`,
        {
            environment: cfg.environment,
            hostname: cfg.gitops.hostname,
            repoUrl: cfg.gitops.repoUrl,
            path: cfg.gitops.path,
            targetRevision: cfg.gitops.targetRevision,
            ha: cfg.gitops.ha,
            chartVersion: cfg.gitops.chartVersion,
            defaultRole: cfg.gitops.defaultRole,
            sso: cfg.gitops.sso,
            slackWebhookSecretId: cfg.gitops.notifications?.slackWebhookSecretId,
            repoCredentials: cfg.gitops.repoCredentials,
            // Each repository syncs into the namespace it names (the only one where its tenant has one).
            tenantRepos: tenantReposOf(cfg).map(({ configPath: _, ...repo }) => repo),
            prometheusRetention: prod ? "30d" : "7d",
            tls: platformTls(cfg, addons),
            grafanaHostname: cfg.gitops.serveGrafana ? grafanaHostnameOf(cfg) : undefined,
            grafanaSso: grafanaSsoOf(cfg),
            monitoringStorageClass: cfg.addons.ebsCsi.enabled ? cfg.addons.ebsCsi.storageClass : undefined,
            alertsSlack: cfg.gitops.notifications?.alertsSlackWebhookSecretId
                ? { webhookSecretId: cfg.gitops.notifications.alertsSlackWebhookSecretId, channel: cfg.gitops.notifications.alertsSlackChannel }
                : undefined,
            swarmScrape: { region: cfg.region, swarmName: `${prefix}-swarm` },
        },
        // No dependsOn: its namespaces and secrets need only the API server, and its release's pods wait for
        // nodes and DNS at run time (Helm waits for them) — so its install overlaps the node groups and
        // CoreDNS instead of following them (`npm run critical-path`).
        { providers: k8sProviders },
    );

    const cloudflare = cloudflareProvider(cfg, aws);
    const lbc = addons.find((a): a is AwsLoadBalancerController => a instanceof AwsLoadBalancerController);
    // Preflight guarantees the hostname and the controller (and external-dns) when Grafana is served.
    if (cfg.gitops.serveGrafana && lbc) {
        new GrafanaEndpoint(
            `${prefix}-grafana`,
            {
                hostname: grafanaHostnameOf(cfg)!,
                zoneId: cfg.cloudflare.zoneId,
                scheme: cfg.addons.loadBalancerController.platformScheme,
                namespace: argocd.monitoringNamespace,
                loadBalancerReady: lbc.ready,
                tags: { component: "gitops" },
            },
            { providers: { ...k8sProviders, cloudflare } },
        );
    }

    // Tenants' hostnames are checked wherever the platform publishes or certifies names.
    const tenantNames = cfg.addons.externalDns.enabled || cfg.addons.certManager.enabled;
    new TenantWorkloadPolicy(
        `${prefix}-tenant-workloads`,
        {
            images: { registries: cfg.tenancy.imageRegistries ?? [`${cfg.accountId}.dkr.ecr.${cfg.region}.amazonaws.com/`], requireDigest: cfg.tenancy.requireImageDigest },
            zoneName: tenantNames ? cfg.cloudflare.zoneName : undefined,
        },
        { providers: k8sProviders },
    );
    const tenantsForAddons: ExternalSecretsTenant[] = [];
    for (const t of cfg.tenants) {
        const tenant = new Tenant(
            `${prefix}-tenant-${t.name}`,
            {
                tenant: t.name,
                environment: cfg.environment,
                namespaces: tenantNamespaces[t.name],
                quota: t.quota,
                principals: { admins: t.admins, developers: t.developers, viewers: t.viewers },
                ssoGroups: t.sso,
                repos: t.repos.map((r) => r.url),
                allowWorldEgress: t.allowWorldEgress,
                // Tenant load balancers are internet-facing: they connect to pods from the public subnets.
                platform: { monitoringNamespace: "monitoring", loadBalancerSubnets: planSubnets(cfg.network.cidr, cfg.network.azCount).public },
                clusterName: cluster.clusterName,
                crdsReady: [cilium.release, argocd.release],
                tags: { component: "tenancy", tenant: t.name },
            },
            { providers: k8sProviders },
        );
        tenantsForAddons.push({ tenant: t.name, namespaces: tenantNamespaces[t.name], namespaceResources: tenant.namespaceObjects });
        if (t.workloadIdentity) {
            const namespaces = tenantNamespaces[t.name];
            new TenantWorkloadIdentity(
                `${prefix}-tenant-${t.name}-workload`,
                {
                    tenant: t.name,
                    environment: cfg.environment,
                    namespaces,
                    serviceAccounts: t.workloadIdentity.serviceAccounts.map((sa) => ({ name: sa.name, namespace: sa.namespace ?? namespaces[0] })),
                    s3Buckets: t.workloadIdentity.s3Buckets,
                    clusterName: cluster.clusterName,
                    clusterArn: cluster.cluster.arn,
                    secretsKeyArn: secretsKey.keyArn,
                    tags: { component: "tenancy", tenant: t.name },
                },
                { providers: { aws } },
            );
        }
    }

    const externalSecrets = buildExternalSecrets(cfg, addonContext, tenantsForAddons);
    if (externalSecrets) addons.push(externalSecrets);
    // kube-prometheus-stack moved to Git keeps Prometheus' identity (its service account's association).
    const prometheus = { name: "kube-prometheus-stack", namespace: MONITORING_NAMESPACE, serviceAccount: PROMETHEUS_SERVICE_ACCOUNT, roleArn: prometheusIdentity.roleArn };
    buildGitopsBridge(cfg, addonContext, addons, { vpcId: network.vpcId, argocd: argocd.namespaceObject, identities: [prometheus] });

    // The edge CA exists before the swarm: the collector accepts the agents' node certificates.
    const edgeCa = new EdgeCa(`${prefix}-edge-ca`, { commonName: `${prefix} edge CA` });
    const swarm = buildSwarm(cfg, { aws, cloudflare, network, prefix, telemetryClientCaPem: edgeCa.certPem, metricsScraperSecurityGroupIds: [cluster.clusterSecurityGroupId] });
    const privateRouteTableIds = Array.from({ length: cfg.network.azCount }, (_, i) => network.privateRouteTableIds.apply((ids) => ids[i]));
    const edge = buildEdge(cfg, { aws, cloudflare, prefix, ca: edgeCa, swarm, secretsKeyArn: secretsKey.keyArn, privateRouteTableIds });

    return {
        environment: cfg.environment,
        region: cfg.region,
        vpcId: network.vpcId,
        vpcCidr: network.cidrBlock,
        availabilityZones: network.availabilityZones,
        publicSubnetIds: network.publicSubnetIds,
        privateSubnetIds: network.privateSubnetIds,
        intraSubnetIds: network.intraSubnetIds,
        natPublicIps: network.natPublicIps,
        flowLogGroupName: network.flowLogGroupName,
        clusterName: cluster.clusterName,
        clusterEndpoint: cluster.endpoint,
        oidcIssuerUrl: cluster.oidcIssuerUrl,
        kubeconfig: cluster.kubeconfig,
        nodeGroupNames: pulumi.all(nodeGroups.map((g) => g.nodeGroupName)),
        ciliumVersion: cilium.chartVersion,
        argocdVersion: argocd.chartVersion,
        tenantNamespaces,
        swarmApiHostname: swarm.managers.apiHostname,
        swarmPublicHostname: swarm.managers.publicHostname,
        swarmWorkerTokenSecretArn: swarm.managers.workerTokenSecretArn,
        swarmAutoScalingGroups: swarm.managers.autoScalingGroupNames,
        secretsKmsKeyArn: secretsKey.keyArn,
        secretsKmsAlias: secretsKey.aliasName,
        addons: Object.fromEntries(addons.map((a) => [a.spec.name, a.spec.version])),
        ...edge,
    };
}

/**
 * TLS for the platform UIs when the add-ons that serve it are on: a certificate from cert-manager's
 * ClusterIssuer, an NLB of the load balancer controller, a record by external-dns.
 */
function platformTls(cfg: PlatformConfig, addons: ClusterAddon[]) {
    const issuer = addons.find((a): a is CertManager => a instanceof CertManager);
    const lbc = addons.find((a): a is AwsLoadBalancerController => a instanceof AwsLoadBalancerController);
    const a = cfg.addons;
    if (!issuer || !lbc || !a.externalDns.enabled) return undefined;
    return { clusterIssuer: issuer.issuerName, scheme: a.loadBalancerController.platformScheme, after: issuer.ready, loadBalancerReady: lbc.ready };
}

/** The Swarm management plane: managers on EC2, their PKI, the swarm's services and their DNS names. */
function buildSwarm(
    cfg: PlatformConfig,
    ctx: { aws: ReturnType<typeof awsProvider>; cloudflare: ReturnType<typeof cloudflareProvider>; network: Vpc; prefix: string; telemetryClientCaPem: pulumi.Output<string>; metricsScraperSecurityGroupIds: pulumi.Input<string>[] },
) {
    const swarmName = `${ctx.prefix}-swarm`;
    const opts = { providers: { aws: ctx.aws } };
    const managers = new SwarmManagers(
        swarmName,
        {
            swarmName,
            vpcId: ctx.network.vpcId,
            vpcCidr: cfg.network.cidr,
            // One input per AZ (index-based, known now): manager i goes in AZ i mod azCount.
            privateSubnetIds: Array.from({ length: cfg.network.azCount }, (_, i) => ctx.network.privateSubnetIds.apply((ids) => ids[i])),
            publicSubnetIds: ctx.network.publicSubnetIds,
            managers: cfg.swarm.managers,
            instanceType: cfg.swarm.instanceType,
            rootVolumeGiB: cfg.swarm.rootVolumeGiB,
            dockerVersion: cfg.swarm.dockerVersion,
            vpnCidr: cfg.edge.vpnCidr,
            deployCidrs: cfg.swarm.deployCidrs,
            telemetryRetentionDays: cfg.environment === "prod" ? 365 : 30,
            // Explicit: provider default tags do not reach what an Auto Scaling group launches.
            tags: { ...platformTags(cfg), component: "swarm" },
            globalNameSuffix: cfg.globalNameSuffix,
            metricsScraperSecurityGroupIds: ctx.metricsScraperSecurityGroupIds,
        },
        { ...opts, dependsOn: ctx.network.privateEgress },
    );
    const pki = new SwarmPki(`${swarmName}-pki`, { swarmName, apiHostnames: [managers.apiHostname], store: managers.tlsSecretIds }, opts);
    new SwarmServices(
        `${swarmName}-services`,
        {
            swarmName,
            region: cfg.region,
            dockerHost: pulumi.interpolate`tcp://${managers.apiHostname}:2376`,
            caCertPem: pki.caCertPem,
            deployer: pki.deployerClient,
            collector: pki.collectorServer,
            telemetryClientCaPem: ctx.telemetryClientCaPem,
            acmeEmail: cfg.swarm.traefik.acmeEmail,
            cloudflareDnsTokenSecretId: cfg.swarm.traefik.dnsTokenSecretId,
            hosts: managers.hosts,
            // An overlay spans every node: over a Tailscale link its VXLAN must fit Tailscale's MTU.
            overlayLinkMtu: cfg.edge.nodes.some((n) => n.vpn === "tailscale") ? TAILSCALE_MTU : undefined,
        },
        opts,
    );
    if (cfg.swarm.traefik.hostnames.length > 0) {
        new SwarmDns(`${swarmName}-dns`, { zoneId: cfg.cloudflare.zoneId, hostnames: cfg.swarm.traefik.hostnames, target: managers.publicHostname }, { providers: { aws: ctx.aws, cloudflare: ctx.cloudflare } });
    }
    new JoinTokenRotation(
        `${swarmName}-token-rotation`,
        {
            swarmName,
            tokenSecretArns: { manager: managers.managerTokenSecretArn, worker: managers.workerTokenSecretArn },
            kmsKeyArn: managers.kmsKeyArn,
            logGroupName: `/pr-cybr/${swarmName}/join-token-rotation`,
            rotationDays: cfg.secrets.rotationDays,
            logRetentionDays: cfg.environment === "prod" ? 365 : 30,
            tags: { component: "swarm" },
        },
        opts,
    );
    return { managers, pki };
}
