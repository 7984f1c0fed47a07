import * as ec2Enums from "@pulumi/aws/types/enums/ec2";
import { z } from "zod";
import { nearest } from "./suggest";
import { eksVersionProblem } from "./eks-versions";
import { DNS_LABEL_HELP, GLOBAL_NAME_SUFFIX, GLOBAL_NAME_SUFFIX_HELP, isDnsLabel } from "../components/shared/names";
import { ARCHES, INSTANCE_TYPE } from "../components/shared/instance-types";
import { parseQuantity, QUANTITY_HELP } from "../components/shared/quantity";
import { CILIUM_CHART_VERSION } from "../components/cluster/cilium-values";
import { AWS_LOAD_BALANCER_CONTROLLER_DEFAULTS } from "../components/addons/aws-load-balancer-controller";
import { CERT_MANAGER_DEFAULTS } from "../components/addons/cert-manager";
import { EBS_CSI_DRIVER_DEFAULTS } from "../components/addons/ebs-csi";
import { EXTERNAL_DNS_DEFAULTS } from "../components/addons/external-dns";
import { SNAPSHOT_CONTROLLER_DEFAULTS } from "../components/addons/snapshot-controller";
import { METRICS_SERVER_DEFAULTS } from "../components/addons/metrics-server";
import { KARPENTER_DEFAULTS } from "../components/addons/karpenter";
import { CONTAINER_LOGS_DEFAULTS } from "../components/addons/container-logs";
import { EXTERNAL_SECRETS_DEFAULTS } from "../components/addons/external-secrets";
import { VELERO_DEFAULTS } from "../components/addons/velero";
import { ARGOCD_CHART_VERSION } from "../components/gitops/versions";
import { LOG_RETENTION_DAYS } from "../components/network/flow-logs";
import { EDGE_PROFILE_NAMES, EDGE_VPNS, MAX_EDGE_NODE_NAME } from "../components/edge/profiles";
import { cidrSyntaxProblem, vpcCidrProblem } from "../components/network/subnet-plan";
import { registryPrefixProblem } from "../components/tenancy/image-policy";

/**
 * The stack config schema: every area, with per-environment defaults. Each leaf says what is wrong and
 * what is allowed, so a user error reads `<path>: <what is wrong> (<what is allowed>)`.
 * Cross-field rules (uniqueness, min <= desired <= max, overlaps) live in config-checks.ts.
 */

export const ENVIRONMENTS = ["dev", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** Values that differ between environments when the stack file leaves them out. */
export const ENVIRONMENT_DEFAULTS = {
    dev: { azCount: 2, natGateways: "single", flowLogRetentionDays: 30, endpointPublicAccess: true, controlPlaneLogRetentionDays: 30, argocdHa: false, swarmManagers: 1, veleroRetentionDays: 7 },
    prod: { azCount: 3, natGateways: "onePerAz", flowLogRetentionDays: 365, endpointPublicAccess: false, controlPlaneLogRetentionDays: 365, argocdHa: true, swarmManagers: 3, veleroRetentionDays: 30 },
} as const;

/** Defaults that are the same in every environment. */
export const CONFIG_DEFAULTS = {
    clusterVersion: "1.35",
    nodeGroup: { capacityType: "ON_DEMAND", amiFamily: "AL2023", diskSizeGiB: 50 },
    tenantLoadBalancers: 0,
    argocd: { targetRevision: "main" },
    swarm: { instanceType: "t4g.medium", rootVolumeGiB: 30, dockerVersion: "25.0.8" },
    edge: { vpnCidr: "100.64.0.0/10", profile: "small", tailscaleTag: "tag:pr-cybr-edge", agentVersion: "0.128.0" },
    secrets: { rotationDays: 30 },
} as const;

export const MIN_EKS_MINOR = 30;
const IAM_ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@\/-]+$/;
const IAM_PRINCIPAL_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:(role|user)\/[\w+=,.@\/-]+$/;
const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

const show = (v: unknown) => (typeof v === "string" ? `"${v}"` : Array.isArray(v) ? "a list" : v === null ? "null" : typeof v === "object" ? "an object" : String(v));

/** The error for a value of the wrong type, or a missing one. */
const typeError = (hint: string) => (iss: { input?: unknown }) =>
    iss.input === undefined ? `is required (${hint})` : `${show(iss.input)} is not ${hint}`;

/** A string leaf whose content is checked by `problem` (returns why it is wrong, or undefined). */
const checkedString = (hint: string, problem: (v: string) => string | undefined) =>
    z.string({ error: typeError(hint) }).superRefine((v, ctx) => {
        const p = problem(v);
        if (p) ctx.addIssue({ code: "custom", message: p });
    });

const pattern = (re: RegExp, hint: string) => checkedString(hint, (v) => (re.test(v) ? undefined : `${show(v)} is not ${hint}`));
const dnsLabel = checkedString(`a DNS label: ${DNS_LABEL_HELP}`, (v) => (isDnsLabel(v) ? undefined : `${show(v)} is not a DNS label (${DNS_LABEL_HELP})`));
const nonEmpty = (hint: string) => pattern(/\S/, hint);
const iamArn = pattern(IAM_PRINCIPAL_ARN, "an IAM role or user ARN (arn:aws:iam::123456789012:role/name)");
const cidr = checkedString("an IPv4 CIDR such as 203.0.113.0/24", (v) => cidrSyntaxProblem(v));
/** Instance types the AWS provider knows (its ec2.InstanceType enum, generated from AWS's own list). */
const KNOWN_INSTANCE_TYPES: readonly string[] = Object.values(ec2Enums.InstanceType);
/** EC2 sizes: nano … xlarge, <n>xlarge, metal, metal-<n>xl (AWS "instance type naming conventions"). */
const INSTANCE_SIZE = /^(nano|micro|small|medium|large|xlarge|\d+xlarge|metal(-\d+xl)?)$/;

/**
 * A misspelled type is named with the nearest known one. A type the provider does not know yet but
 * spelled like one (a newer family) passes: the policy pack asks for its capacity.
 */
function instanceTypeProblem(v: string): string | undefined {
    if (!INSTANCE_TYPE.test(v)) return `${show(v)} is not an EC2 instance type such as "m7g.large"`;
    if (KNOWN_INSTANCE_TYPES.includes(v) || INSTANCE_SIZE.test(v.split(".")[1])) return undefined;
    const family = v.split(".")[0];
    const guess = nearest(v, KNOWN_INSTANCE_TYPES.filter((t) => t.startsWith(`${family}.`)), 3) ?? nearest(v, KNOWN_INSTANCE_TYPES, 3);
    return `${show(v)} is not an EC2 instance type (${guess ? `did you mean "${guess}"?` : "sizes are nano, micro, small, medium, large, xlarge, <n>xlarge, metal"})`;
}

const gitUrl = pattern(/^(https:\/\/|ssh:\/\/|git@)\S+$/, "a git repository URL (https://, ssh:// or git@)");
const instanceType = checkedString('an EC2 instance type such as "m7g.large"', instanceTypeProblem);
const arch = z.enum(ARCHES, { error: (iss) => `${show(iss.input)} is not an architecture (arm64 or amd64)` });

const quantity = (what: string) =>
    z.union([z.string(), z.number()], { error: typeError(QUANTITY_HELP) }).superRefine((v, ctx) => {
        const n = parseQuantity(v);
        if (n === undefined) ctx.addIssue({ code: "custom", message: `${show(v)} is not ${QUANTITY_HELP}` });
        else if (n <= 0) ctx.addIssue({ code: "custom", message: `${show(v)} is not a positive ${what} (more than 0)` });
    });

const intIn = (min: number, max: number) =>
    z.number({ error: typeError(`a whole number from ${min} to ${max}`) }).superRefine((v, ctx) => {
        if (!Number.isInteger(v) || v < min || v > max) ctx.addIssue({ code: "custom", message: `${v} is out of range (a whole number from ${min} to ${max})` });
    });

const oneOf = <T extends readonly (string | number)[]>(values: T, what: string) =>
    z.custom<T[number]>((v) => values.includes(v as T[number]), { error: (iss) => `${show(iss.input)} is not ${what} (one of ${values.join(", ")})` });

const bool = z.boolean({ error: typeError("true or false") });
const list = <T extends z.ZodType>(item: T) => z.array(item, { error: typeError("a list") });

/** An object that rejects unknown keys, naming the ones it allows (typos in YAML are the usual cause). */
const strict = <S extends z.ZodRawShape>(shape: S) =>
    z.strictObject(shape, {
        error: (iss) =>
            iss.code === "unrecognized_keys"
                ? `unknown key${iss.keys.length > 1 ? "s" : ""} ${iss.keys.map((k: string) => `"${k}"`).join(", ")} (allowed: ${Object.keys(shape).join(", ")})`
                : iss.input === undefined
                  ? "is required (an object)"
                  : `${show(iss.input)} is not an object`,
    });

const eksVersion = z
    .union([z.string(), z.number()], { error: typeError('a quoted EKS version such as "1.33"') })
    .superRefine((v, ctx) => {
        if (typeof v === "number") {
            ctx.addIssue({ code: "custom", message: `${v} is a YAML number, not a version (quote it, e.g. "1.33": unquoted 1.30 reads as 1.3)` });
            return;
        }
        const m = /^1\.(\d{2})$/.exec(v);
        if (!m || Number(m[1]) < MIN_EKS_MINOR) {
            ctx.addIssue({ code: "custom", message: `"${v}" is not a supported EKS version ("1.${MIN_EKS_MINOR}" or later, as "1.NN")` });
            return;
        }
        const problem = eksVersionProblem(v);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    // Past the refinement a version is always a string.
    .transform((v) => String(v));

/** The whole schema for one environment (defaults depend on it). */
export function stackConfigSchema(env: Environment) {
    const d = ENVIRONMENT_DEFAULTS[env];
    const nodeGroup = strict({
        name: dnsLabel,
        instanceTypes: list(instanceType).min(1, { error: "is empty (list at least one instance type)" }),
        arch,
        capacityType: oneOf(["ON_DEMAND", "SPOT"] as const, "a capacity type").default(CONFIG_DEFAULTS.nodeGroup.capacityType),
        amiFamily: oneOf(["AL2023", "Bottlerocket"] as const, "an AMI family").default(CONFIG_DEFAULTS.nodeGroup.amiFamily),
        minSize: intIn(0, 1000),
        maxSize: intIn(1, 1000),
        desiredSize: intIn(0, 1000),
        diskSizeGiB: intIn(20, 16384).default(CONFIG_DEFAULTS.nodeGroup.diskSizeGiB),
        labels: z.record(z.string(), z.string(), { error: typeError("a map of label: value") }).default({}),
    });
    const tenant = strict({
        name: dnsLabel,
        quota: strict({
            cpu: quantity("cpu quantity"),
            memory: quantity("memory quantity"),
            pods: intIn(1, 10000),
            storage: quantity("storage quantity").optional(),
            persistentVolumeClaims: intIn(0, 1000).optional(),
            loadBalancers: intIn(0, 100).default(CONFIG_DEFAULTS.tenantLoadBalancers),
        }),
        admins: list(iamArn).min(1, { error: "is empty (list at least one IAM role that administers the tenant)" }),
        developers: list(iamArn).default([]),
        viewers: list(iamArn).default([]),
        /** A URL, or `{ url, namespace }` where the tenant has several namespaces (config-checks.ts). */
        repos: list(z.preprocess((v) => (typeof v === "string" ? { url: v } : v), strict({ url: gitUrl, namespace: dnsLabel.optional() }))).default([]),
        allowWorldEgress: bool.default(false),
        /** Namespaces of the tenant: its name, or names that start with it (`org-a-staging`). */
        namespaces: list(dnsLabel).min(1, { error: "is empty (leave it out for one namespace named after the tenant)" }).optional(),
        /** SSO (OIDC) groups per persona, for Argo CD project roles and Kubernetes RBAC. */
        sso: strict({ admins: list(nonEmpty("an SSO group name")).default([]), developers: list(nonEmpty("an SSO group name")).default([]), viewers: list(nonEmpty("an SSO group name")).default([]) }).default({ admins: [], developers: [], viewers: [] }),
        /**
         * The tenant's IAM role for its pods (EKS Pod Identity, components/tenancy/workload-identity.ts): it
         * reads the tenant's secrets under pr-cybr/<env>/tenants/<tenant>/ and the objects of `s3Buckets`.
         * A service account is a name (in the tenant's first namespace) or `{ name, namespace }`.
         */
        workloadIdentity: strict({
            serviceAccounts: list(z.preprocess((v) => (typeof v === "string" ? { name: v } : v), strict({ name: dnsLabel, namespace: dnsLabel.optional() }))).min(1, {
                error: "is empty (list the service accounts that get the tenant's role, or leave workloadIdentity out)",
            }),
            s3Buckets: list(pattern(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name (3-63 lowercase letters, digits, '.' and '-')")).default([]),
        }).optional(),
    });
    const edgeNode = strict({
        name: dnsLabel.superRefine((v, ctx) => {
            if (v.length > MAX_EDGE_NODE_NAME) ctx.addIssue({ code: "custom", message: `"${v}" is longer than ${MAX_EDGE_NODE_NAME} characters (the certificate CN adds an 8-character suffix and may hold 64)` });
        }),
        arch,
        site: dnsLabel,
        vpn: oneOf(EDGE_VPNS, "a VPN"),
        /** What the node offers workloads (`gpio`, `camera`, `gpu`): swarm engine labels `capability.<x>=true`. */
        capabilities: list(dnsLabel).default([]),
        /** Resource profile in the registry and an engine label: small (2 CPU, 2 GiB), medium (4, 8 GiB), large (8, 16 GiB). */
        profile: oneOf(EDGE_PROFILE_NAMES, "a resource profile").default(CONFIG_DEFAULTS.edge.profile),
    });
    return strict({
        region: pattern(AWS_REGION, 'an AWS region such as "us-east-1", set as aws:region'),
        /** The environment's own AWS account, from `aws:allowedAccountIds` (the provider refuses any other). */
        accountId: pattern(/^\d{12}$/, "a 12-digit AWS account id, set as aws:allowedAccountIds: [\"<account>\"]").optional(),
        environment: z.enum(ENVIRONMENTS, { error: (iss) => `${show(iss.input)} is not an environment (dev or prod)` }),
        /**
         * Appended to the account-wide names (IAM role, budget, Cloudflare tunnels, the world-wide backup
         * bucket) of a recovery stack in another region of the same account; unset for existing stacks,
         * whose names it would change (and so replace). docs/runbooks/disaster-recovery.md.
         */
        globalNameSuffix: pattern(GLOBAL_NAME_SUFFIX, `a name suffix (${GLOBAL_NAME_SUFFIX_HELP})`).optional(),
        tags: strict({
            owner: nonEmpty("the owning team, e.g. platform-team"),
            costCenter: nonEmpty("a cost center, e.g. cc-1234"),
        }),
        network: strict({
            cidr: checkedString("a private IPv4 CIDR such as 10.20.0.0/16", (v) => vpcCidrProblem(v)),
            azCount: intIn(2, 6).default(d.azCount),
            natGateways: oneOf(["single", "onePerAz"] as const, "a NAT strategy").default(d.natGateways),
            flowLogRetentionDays: oneOf(LOG_RETENTION_DAYS, "a CloudWatch retention in days").default(d.flowLogRetentionDays),
            /** Unset: on when the cluster endpoint is private (nodes then reach AWS APIs without NAT). */
            interfaceEndpoints: bool.optional(),
        }),
        cluster: strict({
            name: dnsLabel.default(`pr-cybr-${env}`),
            version: eksVersion.default(CONFIG_DEFAULTS.clusterVersion),
            deployRoleArn: pattern(IAM_ROLE_ARN, "the IAM role ARN Pulumi runs as, e.g. arn:aws:iam::123456789012:role/pr-cybr-deploy"),
            /** The bootstrap's read-only preview role: a cluster-wide view access entry, so previews and drift checks read Kubernetes. */
            previewRoleArn: pattern(IAM_ROLE_ARN, "the IAM role ARN previews run as, e.g. arn:aws:iam::123456789012:role/pr-cybr-preview-dev").optional(),
            ciliumVersion: pattern(/^1\.\d+\.\d+$/, 'a cilium chart version such as "1.19.4"').default(CILIUM_CHART_VERSION),
            endpointPublicAccess: bool.default(d.endpointPublicAccess),
            publicAccessCidrs: list(cidr).default([]),
            /** Networks that reach the private API endpoint on 443; defaults to swarm.deployCidrs (where CI and operators run). */
            privateAccessCidrs: list(cidr).optional(),
            admins: list(iamArn).default([]),
            logRetentionDays: oneOf(LOG_RETENTION_DAYS, "a CloudWatch retention in days").default(d.controlPlaneLogRetentionDays),
            nodeGroups: list(nodeGroup).min(1, { error: "is empty (define at least one node group)" }),
        }),
        tenants: list(tenant).default([]),
        /** Rules for every tenant namespace (components/tenancy/image-policy.ts). */
        tenancy: strict({
            /**
             * Registry prefixes tenant images must come from, fully qualified. Unset: this environment's
             * own ECR registry (`<aws:allowedAccountIds[0]>.dkr.ecr.<aws:region>.amazonaws.com/`).
             */
            imageRegistries: list(checkedString("a registry prefix such as ghcr.io/pr-cybr", registryPrefixProblem)).min(1, { error: "is empty (leave it out for this environment's ECR registry)" }).optional(),
            /** Refuse tenant images not pinned by digest (`@sha256:`): what runs is what was reviewed. */
            requireImageDigest: bool.default(true),
        }).default({ requireImageDigest: true }),
        gitops: strict({
            repoUrl: pattern(/^https:\/\/\S+$/, "an https git URL of the platform repository"),
            path: nonEmpty("a path in the repository, e.g. envs/dev").default(`envs/${env}`),
            targetRevision: nonEmpty("a branch, tag or commit").default(CONFIG_DEFAULTS.argocd.targetRevision),
            ha: bool.default(d.argocdHa),
            hostname: pattern(HOSTNAME, "the Argo CD UI hostname, e.g. argocd.dev.example.com"),
            /** The Grafana UI hostname (under cloudflare.zoneName); defaults to grafana.<cloudflare.zoneName>. */
            grafanaHostname: pattern(HOSTNAME, "the Grafana UI hostname, e.g. grafana.dev.example.com").optional(),
            /**
             * Serve Grafana at https://<grafanaHostname> (an ACM certificate on an NLB of the load balancer
             * controller, its record by external-dns). On in both environments: dev must test what prod runs.
             */
            serveGrafana: bool.default(true),
            /**
             * Grafana's OIDC sign-in (generic OAuth) through gitops.sso's issuer: only gitops.sso.adminGroups sign in,
             * as Admin (the dashboards show every tenant). Endpoints default to the issuer's Keycloak paths.
             */
            grafanaSso: strict({
                clientId: nonEmpty("Grafana's OIDC client id"),
                clientSecretId: nonEmpty("the Secrets Manager secret (name or ARN) holding Grafana's OIDC client secret"),
                authUrl: pattern(/^https:\/\/\S+$/, "the OIDC authorization endpoint (https)").optional(),
                tokenUrl: pattern(/^https:\/\/\S+$/, "the OIDC token endpoint (https)").optional(),
                apiUrl: pattern(/^https:\/\/\S+$/, "the OIDC userinfo endpoint (https)").optional(),
            }).optional(),
            chartVersion: pattern(/^\d+\.\d+\.\d+$/, 'an argo-cd chart version such as "9.5.4"').default(ARGOCD_CHART_VERSION),
            // "none": every signed-in user holds policy.default whatever else applies, and role:readonly reads every
            // tenant's apps and logs (Argo CD v3.3.8 rbac.md, builtin-policy.csv); project roles grant the rest.
            defaultRole: oneOf(["readonly", "none"] as const, "a default Argo CD role").default("none"),
            sso: strict({
                issuerUrl: pattern(/^https:\/\/\S+$/, "the OIDC issuer URL (https)"),
                clientId: nonEmpty("the OIDC client id"),
                clientSecretId: nonEmpty("the Secrets Manager secret (name or ARN) holding the OIDC client secret"),
                adminGroups: list(nonEmpty("an SSO group name")).min(1, { error: "is empty (name the platform team's SSO group)" }),
            }).optional(),
            /** Credential templates for private repositories: URL prefix and the Secrets Manager secret. */
            repoCredentials: list(
                strict({
                    url: gitUrl,
                    secretId: nonEmpty('the Secrets Manager secret holding the credentials (JSON {"username", "password"} for https, the private key for ssh)'),
                }),
            ).default([]),
            notifications: strict({
                slackWebhookSecretId: nonEmpty("the Secrets Manager secret (name or ARN) holding the Slack webhook URL"),
                /** Alertmanager's own Slack webhook (a channel of its own); unset, alerts go nowhere. */
                alertsSlackWebhookSecretId: nonEmpty("the Secrets Manager secret (name or ARN) holding Alertmanager's Slack webhook URL").optional(),
                /** The channel Alertmanager names (the webhook decides where it posts). */
                alertsSlackChannel: pattern(/^#[a-z0-9_-]{1,80}$/, 'a Slack channel such as "#platform-alerts"').default("#platform-alerts"),
            }).optional(),
        }),
        swarm: strict({
            managers: oneOf([1, 3, 5] as const, "an odd manager count for Raft quorum").default(d.swarmManagers),
            instanceType: instanceType.default(CONFIG_DEFAULTS.swarm.instanceType),
            rootVolumeGiB: intIn(20, 1024).default(CONFIG_DEFAULTS.swarm.rootVolumeGiB),
            deployCidrs: list(cidr).min(1, { error: "is empty (list the networks CI and operators reach the Docker API from)" }),
            dockerVersion: pattern(/^\d+\.\d+\.\d+$/, 'a Docker Engine version such as "25.0.8"').default(CONFIG_DEFAULTS.swarm.dockerVersion),
            traefik: strict({
                acmeEmail: pattern(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, "the ACME account email address"),
                hostnames: list(pattern(HOSTNAME, "a hostname served by Traefik")).default([]),
                dnsTokenSecretId: nonEmpty("the Secrets Manager secret holding Traefik's Cloudflare DNS-challenge token"),
            }),
        }),
        cloudflare: strict({
            zoneId: pattern(/^[0-9a-f]{32}$/, "a Cloudflare zone id (32 hex characters)"),
            apiTokenSecretId: nonEmpty("the Secrets Manager secret holding the Cloudflare API token for DNS records"),
            /** Required with edge nodes: the account their site tunnels belong to. */
            accountId: pattern(/^[0-9a-f]{32}$/, "a Cloudflare account id (32 hex characters)").optional(),
            /** Required with edge nodes: the DNS name of zoneId's zone, which the proxied site hostnames must sit directly under. */
            zoneName: pattern(HOSTNAME, "the zone's DNS name such as example.com").optional(),
        }),
        edge: strict({
            /** DNS suffix of the site hostnames (`<site>.<domain>`); defaults to cloudflare.zoneName. */
            domain: pattern(HOSTNAME, "a DNS name such as example.com").optional(),
            /**
             * Set when the zone has an Advanced certificate for the site hostnames: only then may `domain` lie
             * below the zone (Universal SSL covers the zone and one label below it).
             */
            advancedCertificate: bool.default(false),
            vpnCidr: cidr.default(CONFIG_DEFAULTS.edge.vpnCidr),
            nodes: list(edgeNode).default([]),
            /** Required when a node uses Tailscale: the OAuth client (JSON {"id","secret"} in Secrets Manager) that mints auth keys. */
            tailscale: strict({
                oauthClientSecretId: nonEmpty("the Secrets Manager secret holding the Tailscale OAuth client as JSON {\"id\": ..., \"secret\": ...}"),
                tag: pattern(/^tag:[a-z0-9-]+$/, 'a Tailscale ACL tag such as "tag:pr-cybr-edge"').default(CONFIG_DEFAULTS.edge.tailscaleTag),
            }).optional(),
            /** Required when a node uses ZeroTier: the network and the Central API token that authorizes members. */
            zerotier: strict({
                networkId: pattern(/^[0-9a-f]{16}$/, "a ZeroTier network id (16 hex characters)"),
                apiTokenSecretId: nonEmpty("the Secrets Manager secret holding the ZeroTier Central API token"),
            }).optional(),
            /** Certificate CNs (registry spec.identity.commonName) refused AWS sessions at once: compromised devices. */
            revokedCommonNames: list(pattern(/^[a-z0-9-]+-[0-9a-f]{8}$/, "a node certificate CN such as n0d3-sju-01-0a1b2c3d (the registry's spec.identity.commonName)")).default([]),
            /**
             * Per site, how many times its tunnel secret has been rotated (a lost or stolen device: docs/runbooks/edge.md).
             * Raising a site's number makes a new secret, which invalidates the old token for new connections.
             */
            tunnelRotations: z.record(z.string(), intIn(0, 1_000_000), { error: typeError("a map of site: rotation number") }).default({}),
            /**
             * The network interface of the VPN's router in the VPC: the managers' route tables send vpnCidr
             * to it, since the managers reach edge nodes at their VPN addresses (docs/runbooks/edge.md).
             */
            vpnRouterNetworkInterfaceId: pattern(/^eni-[0-9a-f]{8,17}$/, "a network interface id such as eni-0123456789abcdef0").optional(),
            /** The telemetry agent's OpenTelemetry Collector (contrib) version. */
            agentVersion: pattern(/^\d+\.\d+\.\d+$/, 'an OpenTelemetry Collector version such as "0.128.0"').default(CONFIG_DEFAULTS.edge.agentVersion),
        }),
        /**
         * Platform add-ons (components/addons, composed by stacks/addons.ts). Storage is on in both
         * environments: tenants' storage quotas are usable only with it, and dev must test what prod runs.
         */
        addons: strict({
            ebsCsi: strict({
                enabled: bool.default(true),
                /** The EKS add-on version (one of EBS_CSI_ADDON_VERSIONS, published for cluster.version). */
                version: pattern(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/, 'an EKS add-on version such as "v1.64.0-eksbuild.1"').default(EBS_CSI_DRIVER_DEFAULTS.addonVersion),
                /** The default StorageClass (gp3, encrypted with the environment's key). */
                storageClass: dnsLabel.default(EBS_CSI_DRIVER_DEFAULTS.storageClassName),
            }).prefault({}),
            /**
             * ALBs for Ingresses and NLBs for `loadBalancerClass: service.k8s.aws/nlb` Services. On in both
             * environments: it costs nothing until a load balancer exists, and Argo CD's and Grafana's TLS
             * hostnames need it.
             */
            loadBalancerController: strict({
                enabled: bool.default(true),
                /** The aws-load-balancer-controller chart version (one of AWS_LOAD_BALANCER_CONTROLLER_CHARTS). */
                version: pattern(/^\d+\.\d+\.\d+$/, 'a chart version such as "3.5.0"').default(AWS_LOAD_BALANCER_CONTROLLER_DEFAULTS.chartVersion),
                /** Who reaches the platform UIs' ALB: `internal` (the VPC and what is routed to it, e.g. the VPN) or the internet. */
                platformScheme: oneOf(["internal", "internet-facing"] as const, "an ALB scheme").default("internal"),
            }).prefault({}),
            /** Certificates from Let's Encrypt (ACME DNS-01 in the Cloudflare zone). On in both environments. */
            certManager: strict({
                enabled: bool.default(true),
                /** The cert-manager chart version (one of CERT_MANAGER_CHARTS). */
                version: pattern(/^v\d+\.\d+\.\d+$/, 'a chart version such as "v1.21.1"').default(CERT_MANAGER_DEFAULTS.chartVersion),
                /** The ACME account's email; defaults to swarm.traefik.acmeEmail. */
                acmeEmail: pattern(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, "an email address").optional(),
                /** Let's Encrypt's production or staging directory (staging certificates are not trusted by browsers). */
                acmeServer: oneOf(["production", "staging"] as const, "an ACME directory").default("production"),
                /** Secrets Manager secret with a Cloudflare token (Zone:DNS:Edit on the zone only); defaults to pr-cybr/<env>/cert-manager/cloudflare-dns-token. */
                cloudflareTokenSecretId: nonEmpty("the Secrets Manager secret holding the Cloudflare DNS token").optional(),
            }).prefault({}),
            /** DNS records in the Cloudflare zone for Ingress and Service hostnames. On in both environments. */
            externalDns: strict({
                enabled: bool.default(true),
                /** The external-dns chart version (one of EXTERNAL_DNS_CHARTS). */
                version: pattern(/^\d+\.\d+\.\d+$/, 'a chart version such as "1.21.1"').default(EXTERNAL_DNS_DEFAULTS.chartVersion),
                /** Secrets Manager secret with a Cloudflare token (Zone:DNS:Edit on the zone only); defaults to pr-cybr/<env>/external-dns/cloudflare-dns-token. */
                cloudflareTokenSecretId: nonEmpty("the Secrets Manager secret holding the Cloudflare DNS token").optional(),
            }).prefault({}),
            /** Volume snapshots: the snapshot-controller EKS add-on and the EBS VolumeSnapshotClass (needs ebsCsi). */
            snapshots: strict({
                enabled: bool.default(true),
                /** The EKS add-on version (one of SNAPSHOT_CONTROLLER_ADDON_VERSIONS, published for cluster.version). */
                version: pattern(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/, 'an EKS add-on version such as "v8.5.0-eksbuild.3"').default(SNAPSHOT_CONTROLLER_DEFAULTS.addonVersion),
                /** The default VolumeSnapshotClass. */
                snapshotClass: dnsLabel.default(SNAPSHOT_CONTROLLER_DEFAULTS.snapshotClassName),
            }).prefault({}),
            /** metrics-server (the resource metrics API: HPA, `kubectl top`) as the EKS community add-on. */
            metricsServer: strict({
                enabled: bool.default(true),
                /** The EKS add-on version (one of METRICS_SERVER_ADDON_VERSIONS, published for cluster.version). */
                version: pattern(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/, 'an EKS add-on version such as "v0.8.1-eksbuild.6"').default(METRICS_SERVER_DEFAULTS.addonVersion),
            }).prefault({}),
            /**
             * Node autoscaling with Karpenter (components/addons/karpenter.ts): NodePools per architecture and
             * capacity type; spot only where a pool of capacityType "spot" is listed.
             */
            autoscaler: strict({
                enabled: bool.default(true),
                /** The Karpenter chart version (one of KARPENTER_CHART_VERSIONS, for cluster.version). */
                version: pattern(/^\d+\.\d+\.\d+$/, 'a chart version such as "1.13.1"').default(KARPENTER_DEFAULTS.chartVersion),
                /** The EKS-optimized AMI alias of Karpenter's nodes. */
                amiAlias: pattern(/^(al2023|bottlerocket)@.+$/, 'an AMI alias such as "al2023@latest"').default(KARPENTER_DEFAULTS.amiAlias),
                nodePools: list(
                    strict({
                        name: dnsLabel,
                        arch,
                        capacityType: oneOf(["on-demand", "spot"] as const, "a capacity type"),
                        /** What the pool's nodes may add up to: the capacity the autoscaler may provision. */
                        limits: strict({ cpu: quantity("CPU limit").transform(String), memory: quantity("memory limit").transform(String) }),
                    }),
                ).default([{ name: "arm64-on-demand", arch: "arm64", capacityType: "on-demand", limits: { cpu: "32", memory: "128Gi" } }]),
            }).prefault({}),
            /** Container logs: Fluent Bit to the environment's log group /pr-cybr/<env>/eks/containers. */
            containerLogs: strict({
                enabled: bool.default(true),
                /** The fluent-bit chart version (one of FLUENT_BIT_CHART_VERSIONS). */
                version: pattern(/^\d+\.\d+\.\d+$/, 'a chart version such as "0.58.1"').default(CONTAINER_LOGS_DEFAULTS.chartVersion),
                /** Days CloudWatch keeps them; unset: 30 in dev, 365 in prod. */
                retentionDays: oneOf(LOG_RETENTION_DAYS, "a CloudWatch Logs retention").optional(),
            }).prefault({}),
            /** External Secrets Operator: a SecretStore per tenant namespace reading only pr-cybr/<env>/tenants/<tenant>/ (on in both: tenants' apps need it in dev too). */
            externalSecrets: strict({
                enabled: bool.default(true),
                /** The chart version (one of EXTERNAL_SECRETS_CHART_VERSIONS, published for cluster.version). */
                chartVersion: pattern(/^\d+\.\d+\.\d+$/, 'an external-secrets chart version such as "2.8.0"').default(EXTERNAL_SECRETS_DEFAULTS.chartVersion),
            }).prefault({}),
            /** Velero: backups of every namespace's objects and EBS snapshots to the environment's bucket (on in both: dev rehearses restores). */
            velero: strict({
                enabled: bool.default(true),
                chartVersion: pattern(/^\d+\.\d+\.\d+$/, 'a velero chart version such as "11.4.0"').default(VELERO_DEFAULTS.chartVersion),
                /** When the daily backup runs (cron, UTC). */
                schedule: nonEmpty('a cron expression such as "0 3 * * *"').default(VELERO_DEFAULTS.schedule),
                /** Days each backup is kept. */
                retentionDays: intIn(1, 3650).default(d.veleroRetentionDays),
            }).prefault({}),
        }).prefault({}),
        secrets: strict({
            rotationDays: intIn(1, 90).default(CONFIG_DEFAULTS.secrets.rotationDays),
        }).default({ rotationDays: CONFIG_DEFAULTS.secrets.rotationDays }),
        budget: strict({
            monthlyLimitUsd: z.number({ error: typeError("a monthly amount in USD") }).positive({ error: "is not a positive amount (USD per month)" }),
            thresholdsPercent: list(intIn(1, 500)).min(1, { error: "is empty (list alert percentages, e.g. [50, 80, 100])" }).default([50, 80, 100]),
            emails: list(pattern(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, "an email address")).min(1, { error: "is empty (someone must get the alert)" }),
        }),
    });
}

export type PlatformConfig = z.output<ReturnType<typeof stackConfigSchema>>;
export type NodeGroupConfig = PlatformConfig["cluster"]["nodeGroups"][number];
export type TenantConfig = PlatformConfig["tenants"][number];
export type EdgeNodeConfig = PlatformConfig["edge"]["nodes"][number];
