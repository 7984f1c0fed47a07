import * as pulumi from "@pulumi/pulumi";
import {
    validateAwsLoadBalancerControllerArgs,
    validateCertManagerArgs,
    validateContainerLogsArgs,
    validateEbsCsiDriverArgs,
    validateExternalDnsArgs,
    validateExternalSecretsArgs,
    validateKarpenterArgs,
    validateMetricsServerArgs,
    validateSnapshotControllerArgs,
    validateVeleroArgs,
} from "../components/addons";
import { isUnder } from "../components/shared/hostnames";
import { certManagerAcmeEmail, certManagerTokenSecretId, containerLogRetention, externalDnsTokenSecretId, grafanaHostnameOf, grafanaSsoOf } from "./addons";
import { validateCiliumArgs, validateEksClusterArgs, validateManagedNodeGroupArgs } from "../components/cluster";
import { validateEnvironmentBudgetArgs } from "../components/cost";
import { validateEdgeAccessArgs, validateEdgeAgentImageArgs, validateEdgeNodeArgs, validateEdgeSiteArgs, validateEdgeVpnRoutesArgs } from "../components/edge";
import { tenantRepo, TenantRepo, validateArgoCdArgs, validateGrafanaEndpointArgs } from "../components/gitops";
import { validateVpcArgs, validateVpcFlowLogsArgs } from "../components/network";
import { validateJoinTokenRotationArgs } from "../components/secrets";
import { validateSwarmDnsArgs, validateSwarmManagersArgs, validateSwarmServicesArgs } from "../components/swarm";
import { validateTenantArgs, validateTenantWorkloadIdentityArgs } from "../components/tenancy";
import { ConfigProblem } from "./config-checks";
import { edgeNodeConfigArgs, edgeSiteHostname } from "./edge-config";
import type { PlatformConfig } from "./config-schema";
import { globalName } from "../components/shared/names";

/** Tenants' repositories as the tenant ApplicationSet gets them, with the config path of each. */
export function tenantReposOf(cfg: PlatformConfig): (TenantRepo & { configPath: string })[] {
    return cfg.tenants.flatMap((t, i) => t.repos.map((r, j) => ({ ...tenantRepo(t.name, r.url, r.namespace ?? (t.namespaces ?? [t.name])[0]), configPath: `tenants[${i}].repos[${j}]` })));
}

/** The cluster admins that get access entries of their own (the deploy role has one already), with their config paths. */
export function clusterAdminsOf(cfg: PlatformConfig): { arn: string; configPath: string }[] {
    return cfg.cluster.admins.map((arn, i) => ({ arn, configPath: `cluster.admins[${i}]` })).filter((a) => a.arn !== cfg.cluster.deployRoleArn);
}

/** Where a value is not known before deploy: validators never read these. */
const LATER = "(known at deploy)";

/**
 * Runs the validate*Args of every component whose args come from config, on the args platform.ts
 * derives, before anything is registered, and reports each problem at the config path it came from:
 * a component check the config schema misses is still a config error (exit 2), never a stack trace.
 * Each entry maps the component's arg paths (`adminArns[1]`) to config paths (`cluster.admins[1]`).
 */
export function componentArgProblems(cfg: PlatformConfig): ConfigProblem[] {
    const repos = tenantReposOf(cfg);
    const admins = clusterAdminsOf(cfg);
    const env = cfg.environment;
    const checks: [() => void, (argPath: string) => string][] = [
        [
            () => validateArgoCdArgs({ environment: env, hostname: cfg.gitops.hostname, repoUrl: cfg.gitops.repoUrl, path: cfg.gitops.path, sso: cfg.gitops.sso, tenantRepos: repos, repoCredentials: cfg.gitops.repoCredentials }),
            (p) => indexed(p, "tenantRepos", (i) => repos[i].configPath) ?? `gitops.${p}`,
        ],
        [
            () =>
                validateEksClusterArgs({
                    clusterName: cfg.cluster.name,
                    version: cfg.cluster.version,
                    subnetIds: [],
                    endpointPublicAccess: cfg.cluster.endpointPublicAccess,
                    publicAccessCidrs: cfg.cluster.endpointPublicAccess ? cfg.cluster.publicAccessCidrs : [],
                    privateAccessCidrs: cfg.cluster.privateAccessCidrs ?? cfg.swarm.deployCidrs,
                    deployRoleArn: cfg.cluster.deployRoleArn,
                    adminArns: admins.map((a) => a.arn),
                    viewerArns: cfg.cluster.previewRoleArn ? [cfg.cluster.previewRoleArn] : [],
                    logRetentionDays: cfg.cluster.logRetentionDays,
                }),
            (p) =>
                indexed(p, "adminArns", (i) => admins[i].configPath) ??
                (p.startsWith("viewerArns") ? "cluster.previewRoleArn" : undefined) ??
                (p.startsWith("privateAccessCidrs") && !cfg.cluster.privateAccessCidrs ? p.replace("privateAccessCidrs", "swarm.deployCidrs") : `cluster.${p.replace(/^clusterName/, "name")}`),
        ],
        ...cfg.cluster.nodeGroups.map((g, i): [() => void, (p: string) => string] => [
            () => validateManagedNodeGroupArgs({ clusterName: LATER, kubernetesVersion: cfg.cluster.version, nodeRoleArn: LATER, subnetIds: [], groupName: g.name, instanceTypes: g.instanceTypes, arch: g.arch, minSize: g.minSize, maxSize: g.maxSize, desiredSize: g.desiredSize, capacityType: g.capacityType, amiFamily: g.amiFamily, diskSizeGiB: g.diskSizeGiB, labels: g.labels }),
            (p) => `cluster.nodeGroups[${i}].${p.replace(/^groupName/, "name")}`,
        ]),
        [() => validateCiliumArgs({ clusterName: cfg.cluster.name, apiServerHost: LATER, vpcCidr: cfg.network.cidr, oidcProviderArn: LATER, oidcIssuerHostPath: LATER, chartVersion: cfg.cluster.ciliumVersion }), (p) => `cluster.${p.replace(/^chartVersion/, "ciliumVersion")}`],
        ...cfg.tenants.map((t, i): [() => void, (p: string) => string] => [
            () => validateTenantArgs({ tenant: t.name, environment: env, namespaces: t.namespaces ?? [t.name], quota: t.quota, principals: { admins: t.admins, developers: t.developers, viewers: t.viewers }, ssoGroups: t.sso, repos: t.repos.map((r) => r.url), clusterName: LATER }),
            (p) => `tenants[${i}].${p.replace(/^tenant\b/, "name").replace(/^principals\./, "")}`,
        ]),
        ...cfg.tenants.flatMap((t, i): [() => void, (p: string) => string][] =>
            t.workloadIdentity
                ? [
                      [
                          () =>
                              validateTenantWorkloadIdentityArgs(`pr-cybr-${env}-tenant-${t.name}-workload`, {
                                  tenant: t.name,
                                  environment: env,
                                  namespaces: t.namespaces ?? [t.name],
                                  serviceAccounts: t.workloadIdentity!.serviceAccounts.map((sa) => ({ name: sa.name, namespace: sa.namespace ?? (t.namespaces ?? [t.name])[0] })),
                                  s3Buckets: t.workloadIdentity!.s3Buckets,
                                  clusterName: LATER,
                                  clusterArn: LATER,
                                  secretsKeyArn: LATER,
                              }),
                          (p) => (p === "tenant" ? `tenants[${i}].name` : `tenants[${i}].workloadIdentity.${p}`),
                      ],
                  ]
                : [],
        ),
        [() => validateVpcArgs({ cidr: cfg.network.cidr, azCount: cfg.network.azCount, natGateways: cfg.network.natGateways, flowLogRetentionDays: cfg.network.flowLogRetentionDays, clusterName: cfg.cluster.name }), (p) => `network.${p}`],
        [() => validateVpcFlowLogsArgs({ vpcId: LATER, retentionDays: cfg.network.flowLogRetentionDays }), (p) => `network.${p.replace(/^retentionDays/, "flowLogRetentionDays")}`],
        [() => validateEnvironmentBudgetArgs({ environment: env, monthlyLimitUsd: cfg.budget.monthlyLimitUsd, thresholdsPercent: cfg.budget.thresholdsPercent, emails: cfg.budget.emails }), (p) => `budget.${p}`],
        [
            () => validateSwarmManagersArgs({ swarmName: `pr-cybr-${env}-swarm`, vpcId: LATER, vpcCidr: cfg.network.cidr, privateSubnetIds: [LATER], publicSubnetIds: [], managers: cfg.swarm.managers, instanceType: cfg.swarm.instanceType, rootVolumeGiB: cfg.swarm.rootVolumeGiB, dockerVersion: cfg.swarm.dockerVersion, vpnCidr: cfg.edge.vpnCidr, deployCidrs: cfg.swarm.deployCidrs }),
            (p) => (p === "cidrs" ? "swarm.deployCidrs" : `swarm.${p}`),
        ],
        [() => validateSwarmServicesArgs({ swarmName: `pr-cybr-${env}-swarm`, region: cfg.region, dockerHost: LATER, caCertPem: LATER, deployer: undefined as never, collector: undefined as never, acmeEmail: cfg.swarm.traefik.acmeEmail, cloudflareDnsTokenSecretId: cfg.swarm.traefik.dnsTokenSecretId }), (p) => `swarm.traefik.${p}`],
        [() => cfg.swarm.traefik.hostnames.length > 0 && validateSwarmDnsArgs({ zoneId: cfg.cloudflare.zoneId, hostnames: cfg.swarm.traefik.hostnames, target: LATER }), (p) => (p === "hostnames" ? "swarm.traefik.hostnames" : `cloudflare.${p}`)],
        [() => validateJoinTokenRotationArgs({ swarmName: `pr-cybr-${env}-swarm`, tokenSecretArns: { manager: LATER, worker: LATER }, kmsKeyArn: LATER, logGroupName: LATER, rotationDays: cfg.secrets.rotationDays }), (p) => `secrets.${p}`],
    ];
    if (cfg.addons.ebsCsi.enabled) {
        checks.push([
            () => validateEbsCsiDriverArgs({ clusterName: LATER, clusterArn: LATER, kubernetesVersion: cfg.cluster.version, kmsKeyArn: LATER, addonVersion: cfg.addons.ebsCsi.version, storageClassName: cfg.addons.ebsCsi.storageClass }),
            (p) => `addons.ebsCsi.${p.replace(/^addonVersion/, "version").replace(/^storageClassName/, "storageClass")}`,
        ]);
    }
    if (cfg.addons.loadBalancerController.enabled) {
        checks.push([
            () => validateAwsLoadBalancerControllerArgs({ clusterName: LATER, clusterArn: LATER, kubernetesVersion: cfg.cluster.version, vpcId: LATER, region: cfg.region, chartVersion: cfg.addons.loadBalancerController.version }),
            (p) => `addons.loadBalancerController.${p.replace(/^chartVersion/, "version")}`,
        ]);
    }
    const zoneName = cfg.cloudflare.zoneName ?? "";
    const cm = cfg.addons.certManager;
    if (cm.enabled && cfg.cloudflare.zoneName) {
        checks.push([
            () => validateCertManagerArgs({ kubernetesVersion: cfg.cluster.version, zoneName, acmeEmail: certManagerAcmeEmail(cfg), cloudflareTokenSecretId: certManagerTokenSecretId(cfg), chartVersion: cm.version }),
            (p) => (p === "zoneName" ? "cloudflare.zoneName" : `addons.certManager.${p.replace(/^chartVersion/, "version")}`),
        ]);
    }
    const dns = cfg.addons.externalDns;
    if (dns.enabled && cfg.cloudflare.zoneName) {
        checks.push([
            () => validateExternalDnsArgs({ kubernetesVersion: cfg.cluster.version, zoneName, zoneId: cfg.cloudflare.zoneId, ownerId: cfg.cluster.name, cloudflareTokenSecretId: externalDnsTokenSecretId(cfg), chartVersion: dns.version }),
            (p) => (p === "zoneName" || p === "zoneId" ? `cloudflare.${p}` : p === "ownerId" ? "cluster.name" : `addons.externalDns.${p.replace(/^chartVersion/, "version")}`),
        ]);
    }
    if (cfg.addons.snapshots.enabled) {
        checks.push([
            () => validateSnapshotControllerArgs({ clusterName: LATER, kubernetesVersion: cfg.cluster.version, addonVersion: cfg.addons.snapshots.version, snapshotClassName: cfg.addons.snapshots.snapshotClass }),
            (p) => `addons.snapshots.${p.replace(/^addonVersion/, "version").replace(/^snapshotClassName/, "snapshotClass")}`,
        ]);
    }
    if (cfg.addons.metricsServer.enabled) {
        checks.push([() => validateMetricsServerArgs({ clusterName: LATER, kubernetesVersion: cfg.cluster.version, addonVersion: cfg.addons.metricsServer.version }), (p) => `addons.metricsServer.${p.replace(/^addonVersion/, "version")}`]);
    }
    const autoscaler = cfg.addons.autoscaler;
    if (autoscaler.enabled) {
        checks.push([
            () => validateKarpenterArgs({ clusterName: cfg.cluster.name, clusterArn: LATER, kubernetesVersion: cfg.cluster.version, subnetIds: [], securityGroupIds: [], kmsKeyArn: LATER, nodePools: autoscaler.nodePools, chartVersion: autoscaler.version, amiAlias: autoscaler.amiAlias }),
            (p) => `addons.autoscaler.${p.replace(/^chartVersion/, "version")}`,
        ]);
    }
    if (cfg.addons.containerLogs.enabled) {
        checks.push([
            () => validateContainerLogsArgs({ environment: env, clusterName: LATER, clusterArn: LATER, kubernetesVersion: cfg.cluster.version, region: cfg.region, retentionDays: containerLogRetention(cfg), chartVersion: cfg.addons.containerLogs.version }),
            (p) => `addons.containerLogs.${p.replace(/^chartVersion/, "version")}`,
        ]);
    }
    if (cfg.addons.externalSecrets.enabled) {
        checks.push([
            () =>
                validateExternalSecretsArgs(`pr-cybr-${env}-external-secrets`, {
                    clusterName: LATER,
                    clusterArn: LATER,
                    kubernetesVersion: cfg.cluster.version,
                    environment: env,
                    secretsKeyArn: LATER,
                    chartVersion: cfg.addons.externalSecrets.chartVersion,
                    tenants: cfg.tenants.map((t) => ({ tenant: t.name, namespaces: t.namespaces ?? [t.name], namespaceResources: [] })),
                }),
            (p) => indexed(p, "tenants", (i) => `tenants[${i}]`)?.replace(/\.tenant$/, ".name") ?? `addons.externalSecrets.${p}`,
        ]);
    }
    if (cfg.addons.velero.enabled) {
        const v = cfg.addons.velero;
        checks.push([
            () => validateVeleroArgs({ clusterName: LATER, clusterArn: LATER, kubernetesVersion: cfg.cluster.version, bucketName: LATER, kmsKeyArn: LATER, schedule: v.schedule, retentionDays: v.retentionDays, chartVersion: v.chartVersion }),
            (p) => `addons.velero.${p}`,
        ]);
    }
    // stacks/edge.ts builds edge components only when there are nodes.
    const nodes = cfg.edge.nodes;
    if (nodes.length > 0) {
        checks.push(
            [() => validateEdgeAgentImageArgs({ repositoryName: `pr-cybr-${env}/edge-agent`, collectorVersion: cfg.edge.agentVersion }), (p) => `edge.${p.replace(/^collectorVersion/, "agentVersion")}`],
            [
                () => validateEdgeAccessArgs({ namePrefix: `pr-cybr-${env}-edge`, caCertPem: LATER, caCommonName: LATER, bundleSecretPrefix: `pr-cybr/${env}/edge/nodes/`, bundleKmsKeyArn: LATER, workerToken: { secretArn: LATER, kmsKeyArn: LATER }, agentRepositoryArn: LATER, revokedCommonNames: cfg.edge.revokedCommonNames }),
                (p) => `edge.${p}`,
            ],
            ...(cfg.edge.vpnRouterNetworkInterfaceId
                ? [[() => validateEdgeVpnRoutesArgs({ vpnCidr: cfg.edge.vpnCidr, routerNetworkInterfaceId: cfg.edge.vpnRouterNetworkInterfaceId!, routeTableIds: [LATER] }), (p: string) => (p === "routerNetworkInterfaceId" ? "edge.vpnRouterNetworkInterfaceId" : `edge.${p}`)] as [() => void, (p: string) => string]]
                : []),
            ...[...new Set(nodes.map((n) => n.site))].map((site): [() => void, (p: string) => string] => [
                () => validateEdgeSiteArgs({ accountId: cfg.cloudflare.accountId ?? "", zoneId: cfg.cloudflare.zoneId, tunnelName: globalName(`pr-cybr-${env}-${site}`, cfg.globalNameSuffix), hostname: edgeSiteHostname(cfg, site), secretRotation: cfg.edge.tunnelRotations[site] }),
                (p) => (p === "accountId" ? "cloudflare.accountId" : p === "secretRotation" ? `edge.tunnelRotations.${site}` : `edge.nodes[${nodes.findIndex((n) => n.site === site)}].site`),
            ]),
            ...nodes.map((n, i): [() => void, (p: string) => string] => [
                () =>
                    validateEdgeNodeArgs({
                        ...edgeNodeConfigArgs(cfg, n, { zerotierToken: LATER, bundleKmsKeyArn: LATER }),
                        // The rest (CA, tunnel, access, swarm) are resources' outputs the validator never reads.
                    } as unknown as Parameters<typeof validateEdgeNodeArgs>[0]),
                (p) => (p === "vpn.networkId" ? "edge.zerotier.networkId" : p === "vpn.keyExpiryDays" ? "secrets.rotationDays" : `edge.nodes[${i}].${p.replace(/^nodeName/, "name")}`),
            ]),
        );
    }
    const problems: ConfigProblem[] = [];
    if (cm.enabled || dns.enabled) {
        const which = cm.enabled ? "addons.certManager" : "addons.externalDns";
        if (!cfg.cloudflare.zoneName) problems.push({ path: "cloudflare.zoneName", message: `is missing (${which} issues names in the zone: set the zone's DNS name, or disable ${which})` });
        else {
            // Certificates (DNS-01) and records exist only in the zone: the UIs' names must sit in it.
            if (!isUnder(cfg.gitops.hostname, zoneName)) problems.push({ path: "gitops.hostname", message: `"${cfg.gitops.hostname}" is not in the zone ${zoneName} (cloudflare.zoneName; the certificate and DNS record are made there)` });
            const grafana = grafanaHostnameOf(cfg);
            if (grafana && !isUnder(grafana, zoneName)) problems.push({ path: "gitops.grafanaHostname", message: `"${grafana}" is not in the zone ${zoneName} (cloudflare.zoneName)` });
        }
    }
    if (cfg.gitops.serveGrafana) {
        // The NLB is the controller's to build and the record external-dns's to publish; the certificate's name must be in the zone.
        const off = "set gitops.serveGrafana: false to leave Grafana unserved";
        if (!cfg.addons.loadBalancerController.enabled) problems.push({ path: "gitops.serveGrafana", message: `needs addons.loadBalancerController.enabled (it builds Grafana's NLB): enable it, or ${off}` });
        if (!dns.enabled) problems.push({ path: "gitops.serveGrafana", message: `needs addons.externalDns.enabled (it publishes ${grafanaHostnameOf(cfg) ?? "Grafana's hostname"}): enable it, or ${off}` });
        const hostname = grafanaHostnameOf(cfg);
        if (!hostname) problems.push({ path: "gitops.grafanaHostname", message: `is missing (gitops.serveGrafana needs Grafana's hostname: set it or cloudflare.zoneName, or ${off})` });
        else {
            checks.push([
                () => validateGrafanaEndpointArgs({ hostname, zoneId: cfg.cloudflare.zoneId, scheme: cfg.addons.loadBalancerController.platformScheme, namespace: LATER as never, loadBalancerReady: [] }),
                (p) => (p === "hostname" ? "gitops.grafanaHostname" : `cloudflare.${p}`),
            ]);
        }
    }
    const grafanaSso = cfg.gitops.grafanaSso;
    if (grafanaSso) {
        if (!cfg.gitops.sso) problems.push({ path: "gitops.grafanaSso", message: "needs gitops.sso (Grafana signs in through its issuer, and only its adminGroups may): configure it, or remove gitops.grafanaSso" });
        else if (!grafanaSsoOf(cfg)) {
            for (const key of ["authUrl", "tokenUrl", "apiUrl"] as const) {
                if (!grafanaSso[key]) problems.push({ path: `gitops.grafanaSso.${key}`, message: `is missing (gitops.sso.issuerUrl ${cfg.gitops.sso.issuerUrl} is not a Keycloak realm, whose endpoints are derived): set the issuer's endpoint` });
            }
        }
        if (!cfg.gitops.serveGrafana) problems.push({ path: "gitops.grafanaSso", message: "needs gitops.serveGrafana (the OAuth redirect goes to https://<gitops.grafanaHostname>/login/generic_oauth): serve Grafana, or remove gitops.grafanaSso" });
    }
    for (const [check, toConfigPath] of checks) {
        try {
            check();
        } catch (err) {
            if (!pulumi.InputPropertiesError.isInstance(err)) throw err;
            // A reason may name another arg (`has the same name as adminArns[0]`): named by config path too.
            const rename = (reason: string) => reason.replace(/\b(adminArns\[\d+\]|deployRoleArn)(?![\w[])/g, (argPath) => toConfigPath(argPath));
            for (const e of err.errors ?? []) problems.push({ path: toConfigPath(e.propertyPath), message: rename(e.reason) });
        }
    }
    return problems;
}

/** `name[3].rest` -> `<config path of 3>.rest`, or undefined when `argPath` is not under `name`. */
function indexed(argPath: string, name: string, configPathOf: (i: number) => string): string | undefined {
    const m = new RegExp(`^${name}\\[(\\d+)\\](.*)$`).exec(argPath);
    return m ? `${configPathOf(Number(m[1]))}${m[2]}` : undefined;
}
