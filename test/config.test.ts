import { eksVersionProblem } from "../stacks/eks-versions";
import { CILIUM_CHART_VERSION } from "../components/cluster/cilium-values";
import { CONFIG_DEFAULTS, ENVIRONMENT_DEFAULTS, formatProblems, parseStackConfig, requireValidConfig, ConfigError } from "../stacks/config";
import * as fs from "fs";
import * as path from "path";
import { derivedStackFile, runTool, tempDir } from "./helpers/cli";
import { rawConfigOf, ROOT, withEdit } from "./helpers/config";

/** The formatted problem lines (`path: message`) for a raw config. */
function problems(raw: Record<string, unknown>): string[] {
    const parsed = parseStackConfig(raw);
    return (parsed.problems ?? []).map((p) => `${p.path}: ${p.message}`);
}

describe("stack files", () => {
    it.each(["dev", "prod"] as const)("%s parses with no problems", (stack) => {
        expect(problems(rawConfigOf(stack))).toEqual([]);
    });

    it("dev has 2 AZs, single NAT, 1 node group, 3 tenants, 1 manager, 3 edge nodes of both arches and both VPNs", () => {
        const { config } = parseStackConfig(rawConfigOf("dev"));
        expect(config!.network).toMatchObject({ azCount: 2, natGateways: "single", interfaceEndpoints: false });
        expect(config!.cluster.nodeGroups).toHaveLength(1);
        expect(config!.tenants).toHaveLength(3);
        expect(config!.swarm.managers).toBe(1);
        expect([...new Set(config!.edge.nodes.map((n) => n.arch))].sort()).toEqual(["amd64", "arm64"]);
        expect([...new Set(config!.edge.nodes.map((n) => n.vpn))].sort()).toEqual(["tailscale", "zerotier"]);
    });

    it("prod has 3 AZs, NAT per AZ, private endpoint, >=2 node groups, >=5 tenants with different quotas, 3 managers, >=6 nodes over >=2 sites", () => {
        const { config } = parseStackConfig(rawConfigOf("prod"));
        expect(config!.network).toMatchObject({ azCount: 3, natGateways: "onePerAz", interfaceEndpoints: true });
        expect(config!.cluster.endpointPublicAccess).toBe(false);
        expect(config!.cluster.nodeGroups.length).toBeGreaterThanOrEqual(2);
        expect(config!.tenants.length).toBeGreaterThanOrEqual(5);
        expect(new Set(config!.tenants.map((t) => `${t.quota.cpu}/${t.quota.memory}`)).size).toBe(config!.tenants.length);
        expect(config!.swarm.managers).toBe(3);
        expect(config!.edge.nodes.length).toBeGreaterThanOrEqual(6);
        expect(new Set(config!.edge.nodes.map((n) => n.site)).size).toBeGreaterThanOrEqual(2);
    });
});

describe("per-environment defaults", () => {
    const minimal = (environment: "dev" | "prod") =>
        withEdit(environment, (raw) => {
            raw.environment = environment;
            raw.network = { cidr: "10.60.0.0/16" };
            raw.cluster = { publicAccessCidrs: ["198.51.100.24/32"], deployRoleArn: raw.cluster.deployRoleArn, nodeGroups: raw.cluster.nodeGroups };
            delete raw.swarm.managers;
            delete raw.gitops.path;
        });

    it.each(["dev", "prod"] as const)("%s fills its defaults", (env) => {
        const { config, problems: found } = parseStackConfig(minimal(env));
        expect(found).toBeUndefined();
        const d = ENVIRONMENT_DEFAULTS[env];
        expect(config!.network).toEqual({ cidr: "10.60.0.0/16", azCount: d.azCount, natGateways: d.natGateways, flowLogRetentionDays: d.flowLogRetentionDays, interfaceEndpoints: !d.endpointPublicAccess });
        expect(config!.cluster).toMatchObject({ name: `pr-cybr-${env}`, version: CONFIG_DEFAULTS.clusterVersion, ciliumVersion: CILIUM_CHART_VERSION, endpointPublicAccess: d.endpointPublicAccess, logRetentionDays: d.controlPlaneLogRetentionDays });
        expect(config!.swarm.managers).toBe(d.swarmManagers);
        expect(config!.gitops).toMatchObject({ path: `envs/${env}`, ha: d.argocdHa, targetRevision: "main" });
        expect(config!.secrets.rotationDays).toBe(30);
        expect(config!.cluster.nodeGroups[0]).toMatchObject({ capacityType: "ON_DEMAND", amiFamily: "AL2023", diskSizeGiB: 50 });
    });
});

describe("each rule rejects bad config with an exact message", () => {
    const cases: [string, "dev" | "prod", (raw: any) => void, string][] = [
        ["CIDR syntax", "dev", (r) => (r.network.cidr = "10.20.0/16"), 'network.cidr: "10.20.0/16" is not an IPv4 CIDR (a.b.c.d/n, e.g. 10.20.0.0/16)'],
        ["CIDR prefix too small", "dev", (r) => (r.network.cidr = "10.20.0.0/24"), "network.cidr: prefix /24 is out of range (/16 to /20: each tier needs 8 AZ slots)"],
        ["CIDR prefix too large", "dev", (r) => (r.network.cidr = "10.0.0.0/8"), "network.cidr: prefix /8 is out of range (/16 to /20: each tier needs 8 AZ slots)"],
        ["CIDR host bits", "dev", (r) => (r.network.cidr = "10.20.1.0/16"), 'network.cidr: "10.20.1.0/16" has host bits set (use its network address, 10.20.0.0/16)'],
        ["CIDR public range", "dev", (r) => (r.network.cidr = "8.8.0.0/16"), 'network.cidr: "8.8.0.0/16" is not a private range (use 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10)'],
        ["azCount below range", "dev", (r) => (r.network.azCount = 1), "network.azCount: 1 is out of range (a whole number from 2 to 6)"],
        ["azCount above range", "dev", (r) => (r.network.azCount = 7), "network.azCount: 7 is out of range (a whole number from 2 to 6)"],
        ["azCount not whole", "dev", (r) => (r.network.azCount = 2.5), "network.azCount: 2.5 is out of range (a whole number from 2 to 6)"],
        ["azCount wrong type", "dev", (r) => (r.network.azCount = "3"), 'network.azCount: "3" is not a whole number from 2 to 6'],
        ["NAT strategy", "dev", (r) => (r.network.natGateways = "two"), 'network.natGateways: "two" is not a NAT strategy (one of single, onePerAz)'],
        ["tenant name DNS label", "dev", (r) => (r.tenants[2].name = "Org_A"), `tenants[2].name: "Org_A" is not a DNS label (lowercase letters, digits and '-', 1-63 characters, starting and ending with a letter or digit)`],
        ["edge node name DNS label", "dev", (r) => (r.edge.nodes[1].name = "-bad"), `edge.nodes[1].name: "-bad" is not a DNS label (lowercase letters, digits and '-', 1-63 characters, starting and ending with a letter or digit)`],
        ["node group name DNS label", "dev", (r) => (r.cluster.nodeGroups[0].name = "System"), `cluster.nodeGroups[0].name: "System" is not a DNS label (lowercase letters, digits and '-', 1-63 characters, starting and ending with a letter or digit)`],
        ["workload identity: a service account in another tenant's namespace", "prod", (r) => (r.tenants[0].workloadIdentity.serviceAccounts = [{ name: "api", namespace: "org-b" }]), 'tenants[0].workloadIdentity.serviceAccounts[0].namespace: "org-b" is not a namespace of tenant org-a (one of org-a, org-a-data)'],
        ["workload identity: the same service account twice (one as a name, one as its first namespace)", "prod", (r) => (r.tenants[0].workloadIdentity.serviceAccounts = ["api", { name: "api", namespace: "org-a" }]), "tenants[0].workloadIdentity.serviceAccounts[1]: org-a/api is listed twice (EKS allows one Pod Identity association per service account)"],
        ["workload identity: no service accounts", "dev", (r) => (r.tenants[0].workloadIdentity.serviceAccounts = []), "tenants[0].workloadIdentity.serviceAccounts: is empty (list the service accounts that get the tenant's role, or leave workloadIdentity out)"],
        ["workload identity: a bad service account name", "dev", (r) => (r.tenants[0].workloadIdentity.serviceAccounts = ["API"]), `tenants[0].workloadIdentity.serviceAccounts[0].name: "API" is not a DNS label (lowercase letters, digits and '-', 1-63 characters, starting and ending with a letter or digit)`],
        ["workload identity: a bucket granted to two tenants", "prod", (r) => (r.tenants[1].workloadIdentity = { serviceAccounts: ["api"], s3Buckets: ["pr-cybr-prod-org-a-uploads"] }), 'tenants[1].workloadIdentity.s3Buckets[0]: "pr-cybr-prod-org-a-uploads" is already granted to tenant org-a (a bucket belongs to one tenant)'],
        ["workload identity: an unknown key (a typo)", "dev", (r) => (r.tenants[0].workloadIdentity.serviceAcounts = ["x"]), 'tenants[0].workloadIdentity: unknown key "serviceAcounts" (allowed: serviceAccounts, s3Buckets)'],
        ["tenant namespace reserved for External Secrets", "dev", (r) => (r.tenants[1].namespaces = ["org-b", "external-secrets"]), 'tenants[1].namespaces[1]: "external-secrets" is a platform namespace (reserved: default, kube-system, kube-public, kube-node-lease, argocd, monitoring, cilium-secrets, external-secrets, velero)\ntenants[1].repos[0]: names no namespace, and tenant org-b has 2 (write { url: "https://github.com/pr-cybr/org-b-apps.git", namespace: <one of org-b, external-secrets> })'],
        ["unique tenant names", "dev", (r) => (r.tenants[2].name = "org-a"), 'tenants[2].name: "org-a" is already used by tenants[0] (tenant names must be unique)'],
        ["unique edge node names", "prod", (r) => (r.edge.nodes[5].name = "n0d3-sju-02"), 'edge.nodes[5].name: "n0d3-sju-02" is already used by edge.nodes[1] (edge node names must be unique)'],
        ["unique node group names", "prod", (r) => (r.cluster.nodeGroups[2].name = "system"), 'cluster.nodeGroups[2].name: "system" is already used by cluster.nodeGroups[0] (node group names must be unique)'],
        ["odd manager count", "prod", (r) => (r.swarm.managers = 2), "swarm.managers: 2 is not an odd manager count for Raft quorum (one of 1, 3, 5)"],
        ["manager count too high", "prod", (r) => (r.swarm.managers = 7), "swarm.managers: 7 is not an odd manager count for Raft quorum (one of 1, 3, 5)"],
        ["edge arch enum", "dev", (r) => (r.edge.nodes[0].arch = "x86"), 'edge.nodes[0].arch: "x86" is not an architecture (arm64 or amd64)'],
        ["node group arch enum", "dev", (r) => (r.cluster.nodeGroups[0].arch = "aarch64"), 'cluster.nodeGroups[0].arch: "aarch64" is not an architecture (arm64 or amd64)'],
        ["min > max", "dev", (r) => Object.assign(r.cluster.nodeGroups[0], { minSize: 5, desiredSize: 5, maxSize: 4 }), "cluster.nodeGroups[0].desiredSize: 5 is more than maxSize 4 (minSize <= desiredSize <= maxSize)\ncluster.nodeGroups[0].minSize: 5 is more than maxSize 4 (minSize <= desiredSize <= maxSize)"],
        ["desired < min", "dev", (r) => Object.assign(r.cluster.nodeGroups[0], { minSize: 2, desiredSize: 1 }), "cluster.nodeGroups[0].desiredSize: 1 is less than minSize 2 (minSize <= desiredSize <= maxSize)"],
        ["desired > max", "dev", (r) => Object.assign(r.cluster.nodeGroups[0], { desiredSize: 9 }), "cluster.nodeGroups[0].desiredSize: 9 is more than maxSize 4 (minSize <= desiredSize <= maxSize)"],
        ["instance type arch mismatch", "dev", (r) => (r.cluster.nodeGroups[0].instanceTypes = ["m7i.large"]), 'cluster.nodeGroups[0].instanceTypes[0]: "m7i.large" is an amd64 type but arch is arm64 (use a Graviton type such as m7g.large, or change arch)'],
        ["cpu quantity malformed", "dev", (r) => (r.tenants[0].quota.cpu = "4 cores"), 'tenants[0].quota.cpu: "4 cores" is not a Kubernetes quantity such as "500m", "2", "8Gi" or "512Mi"'],
        ["cpu quantity not positive", "dev", (r) => (r.tenants[0].quota.cpu = "0"), 'tenants[0].quota.cpu: "0" is not a positive cpu quantity (more than 0)'],
        ["memory quantity malformed", "dev", (r) => (r.tenants[1].quota.memory = "8GB"), 'tenants[1].quota.memory: "8GB" is not a Kubernetes quantity such as "500m", "2", "8Gi" or "512Mi"'],
        ["memory quantity negative", "dev", (r) => (r.tenants[1].quota.memory = "-1Gi"), 'tenants[1].quota.memory: "-1Gi" is not a positive memory quantity (more than 0)'],
        ["environment enum", "dev", (r) => (r.environment = "staging"), 'environment: "staging" is not an environment (dev or prod)'],
        ["unknown key", "dev", (r) => (r.network.natGateway = "single"), 'network: unknown key "natGateway" (allowed: cidr, azCount, natGateways, flowLogRetentionDays, interfaceEndpoints)'],
        ["unquoted version", "dev", (r) => (r.cluster.version = 1.3), 'cluster.version: 1.3 is a YAML number, not a version (quote it, e.g. "1.33": unquoted 1.30 reads as 1.3)'],
        ["old version", "dev", (r) => (r.cluster.version = "1.27"), 'cluster.version: "1.27" is not a supported EKS version ("1.30" or later, as "1.NN")'],
        ["version at the end of standard support", "prod", (r) => (r.cluster.version = "1.34"), expect.stringMatching(/^cluster\.version: "1\.34" (leaves|left) EKS standard support on 2026-12-02.*use a version with at least 60 days left/)],
        ["version without a published support date", "dev", (r) => (r.cluster.version = "1.99"), expect.stringMatching(/^cluster\.version: "1\.99" is not an EKS version with a published support date \(known: 1\.30, .*1\.35; add a new one to stacks\/eks-versions\.ts/)],
        ["public endpoint without CIDRs", "dev", (r) => (r.cluster.publicAccessCidrs = []), "cluster.publicAccessCidrs: is empty while endpointPublicAccess is true (list the networks allowed to reach the API, e.g. your VPN egress x.x.x.x/32)"],
        ["public endpoint open to the world", "dev", (r) => (r.cluster.publicAccessCidrs = ["0.0.0.0/0"]), 'cluster.publicAccessCidrs[0]: "0.0.0.0/0" opens the API to the internet (list specific networks, or set endpointPublicAccess: false)'],
        ["Docker API open to every network", "dev", (r) => (r.swarm.deployCidrs = ["0.0.0.0/0"]), 'swarm.deployCidrs[0]: "0.0.0.0/0" opens the Docker API and the swarm\'s control ports to every network that routes to the VPC (list the deploy runners\' and operators\' networks)'],
        ["private API open to every network", "prod", (r) => (r.cluster.privateAccessCidrs = ["10.50.0.0/16", "0.0.0.0/0"]), 'cluster.privateAccessCidrs[1]: "0.0.0.0/0" opens the Kubernetes API to every network that routes to the VPC (list the deploy runners\' and operators\' networks)'],
        ["edge sites two levels below the zone", "prod", (r) => (r.edge.domain = "edge.pr-cybr.example"), 'edge.domain: "edge.pr-cybr.example" puts site hostnames two or more levels below the zone (san-juan.edge.pr-cybr.example); Cloudflare\'s Universal SSL certificate covers pr-cybr.example and *.pr-cybr.example only, so HTTPS to them fails (remove edge.domain to use san-juan.pr-cybr.example, or order an Advanced certificate for *.edge.pr-cybr.example and set edge.advancedCertificate: true)'],
        ["edge sites outside the zone", "dev", (r) => (r.edge.domain = "edge.example.org"), 'edge.domain: "edge.example.org" is not in the zone dev.pr-cybr.example (site records are created in cloudflare.zoneId\'s zone; remove edge.domain to use the zone itself)'],
        ["edge nodes without the zone name", "dev", (r) => delete r.cloudflare.zoneName, "cloudflare.zoneName: is required with edge nodes (the DNS name of zoneId's zone, e.g. example.com: site hostnames are <site>.<zone>)"],
        ["VPN range overlaps VPC", "dev", (r) => (r.edge.vpnCidr = "10.20.128.0/20"), "edge.vpnCidr: 10.20.128.0/20 overlaps network.cidr 10.20.0.0/16 (edge VPN and VPC ranges must be disjoint for routing)"],
        ["tenant without admins", "dev", (r) => (r.tenants[0].admins = []), "tenants[0].admins: is empty (list at least one IAM role that administers the tenant)"],
        ["admin not an ARN", "dev", (r) => (r.cluster.admins = ["platform-admin"]), 'cluster.admins[0]: "platform-admin" is not an IAM role or user ARN (arn:aws:iam::123456789012:role/name)'],
        ["deploy role missing", "dev", (r) => delete r.cluster.deployRoleArn, "cluster.deployRoleArn: is required (the IAM role ARN Pulumi runs as, e.g. arn:aws:iam::123456789012:role/pr-cybr-deploy)"],
        ["deploy role of another account", "prod", (r) => (r.cluster.deployRoleArn = "arn:aws:iam::111111111111:role/pr-cybr-deploy-prod"), 'cluster.deployRoleArn: "arn:aws:iam::111111111111:role/pr-cybr-deploy-prod" is in account 111111111111, not this environment\'s 222222222222 (aws:allowedAccountIds)'],
        ["preview role of another account", "dev", (r) => (r.cluster.previewRoleArn = "arn:aws:iam::222222222222:role/pr-cybr-preview-prod"), 'cluster.previewRoleArn: "arn:aws:iam::222222222222:role/pr-cybr-preview-prod" is in account 222222222222, not this environment\'s 111111111111 (aws:allowedAccountIds)'],
        ["preview role that is the deploy role", "dev", (r) => (r.cluster.previewRoleArn = r.cluster.deployRoleArn), 'cluster.previewRoleArn: "arn:aws:iam::111111111111:role/pr-cybr-deploy-dev" is also cluster.deployRoleArn (EKS holds one access entry per principal)'],
        ["account id not 12 digits", "dev", (r) => (r.accountId = "1111"), 'accountId: "1111" is not a 12-digit AWS account id, set as aws:allowedAccountIds: ["<account>"]'],
        ["cilium version", "dev", (r) => (r.cluster.ciliumVersion = "latest"), 'cluster.ciliumVersion: "latest" is not a cilium chart version such as "1.19.4"'],
        ["tenant namespace of another tenant", "prod", (r) => (r.tenants[0].namespaces = ["org-a", "org-b-data"]), 'tenants[0].namespaces[1]: "org-b-data" does not belong to tenant org-a (use "org-a" or "org-a-<suffix>")\ntenants[0].repos[1].namespace: "org-a-data" is not a namespace of tenant org-a (one of org-a, org-b-data)\ntenants[0].workloadIdentity.serviceAccounts[2].namespace: "org-a-data" is not a namespace of tenant org-a (one of org-a, org-b-data)'],
        ["tenant in a platform namespace", "dev", (r) => (r.tenants[1].namespaces = ["org-b", "monitoring"]), 'tenants[1].namespaces[1]: "monitoring" is a platform namespace (reserved: default, kube-system, kube-public, kube-node-lease, argocd, monitoring, cilium-secrets, external-secrets, velero)\ntenants[1].repos[0]: names no namespace, and tenant org-b has 2 (write { url: "https://github.com/pr-cybr/org-b-apps.git", namespace: <one of org-b, monitoring> })'],
        ["principal in two roles", "dev", (r) => (r.tenants[1].admins = ["arn:aws:iam::111111111111:role/org-a-admin"]), 'tenants[1].admins[0]: "arn:aws:iam::111111111111:role/org-a-admin" already has access as tenants[0].admins[0] (one principal, one access entry: use another role)'],
        ["tenant admin is a cluster admin", "dev", (r) => (r.tenants[0].admins = ["arn:aws:iam::111111111111:role/platform-admin"]), 'tenants[0].admins[0]: "arn:aws:iam::111111111111:role/platform-admin" already has access as cluster.admins[0] (one principal, one access entry: use another role)'],
        ["SSO without admin groups", "prod", (r) => (r.gitops.sso.adminGroups = []), "gitops.sso.adminGroups: is empty (name the platform team's SSO group)"],
        ["Argo CD hostname", "dev", (r) => (r.gitops.hostname = "argocd"), 'gitops.hostname: "argocd" is not the Argo CD UI hostname, e.g. argocd.dev.example.com'],
        ["missing area", "dev", (r) => delete r.network, "network: is required (an object)"],
        ["missing region", "dev", (r) => delete r.region, 'region: is required (an AWS region such as "us-east-1", set as aws:region)'],
        ["flow-log retention CloudWatch rejects", "dev", (r) => (r.network.flowLogRetentionDays = 45), "network.flowLogRetentionDays: 45 is not a CloudWatch retention in days (one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)"],
        ["secret rotation over 90 days", "prod", (r) => (r.secrets.rotationDays = 120), "secrets.rotationDays: 120 is out of range (a whole number from 1 to 90)"],
        ["tailscale node without tailscale settings", "dev", (r) => delete r.edge.tailscale, 'edge.tailscale: is required: edge.nodes[0] uses tailscale (add edge.tailscale, see README "Stack config")'],
        ["zerotier node without zerotier settings", "prod", (r) => delete r.edge.zerotier, 'edge.zerotier: is required: edge.nodes[4] uses zerotier (add edge.zerotier, see README "Stack config")'],
        ["edge nodes without a Cloudflare account", "dev", (r) => delete r.cloudflare.accountId, "cloudflare.accountId: is required with edge nodes (the Cloudflare account that owns the site tunnels, 32 hex characters)"],
        ["ZeroTier network id", "dev", (r) => (r.edge.zerotier.networkId = "8056c2e21c"), 'edge.zerotier.networkId: "8056c2e21c" is not a ZeroTier network id (16 hex characters)'],
        ["edge node name too long for its certificate", "dev", (r) => (r.edge.nodes[0].name = "n".repeat(55)), `edge.nodes[0].name: "${"n".repeat(55)}" is longer than 54 characters (the certificate CN adds an 8-character suffix and may hold 64)`],
        ["revoked CN", "dev", (r) => (r.edge.revokedCommonNames = ["n0d3-sju-01"]), 'edge.revokedCommonNames[0]: "n0d3-sju-01" is not a node certificate CN such as n0d3-sju-01-0a1b2c3d (the registry\'s spec.identity.commonName)'],
        ["misspelled instance type", "dev", (r) => (r.cluster.nodeGroups[0].instanceTypes = ["m7g.lrage"]), 'cluster.nodeGroups[0].instanceTypes[0]: "m7g.lrage" is not an EC2 instance type (did you mean "m7g.large"?)'],
        ["misspelled swarm instance type", "dev", (r) => (r.swarm.instanceType = "t4g.meduim"), 'swarm.instanceType: "t4g.meduim" is not an EC2 instance type (did you mean "t4g.medium"?)'],
        ["edge profile", "dev", (r) => (r.edge.nodes[0].profile = "huge"), 'edge.nodes[0].profile: "huge" is not a resource profile (one of small, medium, large)'],
        ["tenant image registry without a host", "prod", (r) => (r.tenancy = { imageRegistries: ["pr-cybr/apps"] }), 'tenancy.imageRegistries[0]: "pr-cybr/apps" is not a registry prefix (a lower-case registry host with a "." or a port, or localhost, then optional repository path components, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/tenants or ghcr.io/pr-cybr)'],
        ["tenant image registries empty", "dev", (r) => (r.tenancy = { imageRegistries: [] }), "tenancy.imageRegistries: is empty (leave it out for this environment's ECR registry)"],
        ["tenant image registries unset without an account", "dev", (r) => delete r.accountId, "tenancy.imageRegistries: is unset and no aws:allowedAccountIds names this environment's account (list the registry prefixes tenant images may come from, or set aws:allowedAccountIds for its ECR registry)"],
        ["edge capability", "dev", (r) => (r.edge.nodes[0].capabilities = ["GPU"]), `edge.nodes[0].capabilities[0]: "GPU" is not a DNS label (lowercase letters, digits and '-', 1-63 characters, starting and ending with a letter or digit)`],
    ];

    it.each(cases)("%s", (_title, stack, edit, expected) => {
        expect(problems(withEdit(stack, edit)).join("\n")).toEqual(expected);
    });
});

describe("tenant repositories and their namespaces", () => {
    const twoNamespaces = (repos: unknown[]) =>
        withEdit("prod", (r) => {
            r.tenants[0].namespaces = ["org-a", "org-a-data"];
            r.tenants[0].repos = repos;
        });

    it("deploys each repository into the namespace it names", () => {
        const { config } = parseStackConfig(twoNamespaces([{ url: "https://g.example/org-a-data.git", namespace: "org-a-data" }]));
        expect(config?.tenants[0].repos).toEqual([{ url: "https://g.example/org-a-data.git", namespace: "org-a-data" }]);
    });

    it("asks a tenant with several namespaces to name each repository's", () => {
        expect(problems(twoNamespaces(["https://g.example/org-a-apps.git"]))).toEqual([
            'tenants[0].repos[0]: names no namespace, and tenant org-a has 2 (write { url: "https://g.example/org-a-apps.git", namespace: <one of org-a, org-a-data> })',
        ]);
        expect(problems(twoNamespaces([{ url: "https://g.example/org-a-apps.git", namespace: "org-b" }]))).toEqual(['tenants[0].repos[0].namespace: "org-b" is not a namespace of tenant org-a (one of org-a, org-a-data)']);
    });

    it("keeps a plain URL for a tenant with one namespace", () => {
        expect(parseStackConfig(rawConfigOf("dev")).config?.tenants[0].repos).toEqual([{ url: "https://github.com/pr-cybr/org-a-apps.git" }]);
    });
});

describe("repository credentials", () => {
    it("names a duplicate prefix and one that serves no repository", () => {
        const raw = withEdit("dev", (r) => {
            r.gitops.repoCredentials = [r.gitops.repoCredentials[0], r.gitops.repoCredentials[0], { url: "https://github.com/pr-cybr-typo/", secretId: "x" }];
        });
        expect(problems(raw)).toEqual([
            'gitops.repoCredentials[1].url: "https://github.com/pr-cybr/" already has credentials in gitops.repoCredentials[0] (one template per URL prefix)',
            'gitops.repoCredentials[2].url: "https://github.com/pr-cybr-typo/" is a prefix of no repository in gitops.repoUrl or tenants[].repos (a URL prefix such as https://github.com/<org>/)',
        ]);
    });
});

describe("component arg checks a config value can trip are config errors", () => {
    // Each edit passes the schema and the cross-field rules of their own and trips a component's
    // validate*Args (named first); stacks/preflight.ts runs those on the config-derived args and maps
    // the component's arg path back to the config path.
    const cases: [string, "dev" | "prod", (raw: any) => void, string][] = [
        ["ArgoCd tenantRepos: one app name twice", "dev", (r) => r.tenants[0].repos.push("https://gitlab.example/other/org-a-apps.git"), 'tenants[0].repos[1]: app name "org-a-org-a-apps" is generated twice (two repositories with one name in one tenant: rename one)'],
        [
            "ArgoCd tenantRepos: app name longer than a DNS label",
            "dev",
            (r) => (r.tenants[1].repos = [`https://g.example/${"a".repeat(60)}.git`]),
            `tenants[1].repos[0]: app name "org-b-${"a".repeat(60)}" is not a DNS label (<tenant>-<repository name> must be at most 63 lowercase letters, digits and '-')`,
        ],
        [
            "EksCluster adminArns: two principals with one name",
            "dev",
            (r) => r.cluster.admins.push("arn:aws:iam::222222222222:role/platform-admin"),
            'cluster.admins[1]: "arn:aws:iam::222222222222:role/platform-admin" has the same name as cluster.admins[0] (list each principal once; access entries are named after it)',
        ],
        [
            "TenantWorkloadIdentity tenant: a name that makes the IAM role name too long",
            "dev",
            (r) => Object.assign(r.tenants[0], { name: "a".repeat(30), repos: [], sso: {} }),
            `tenants[0].name: "${"a".repeat(30)}" makes the role name pr-cybr-dev-tenant-${"a".repeat(30)}-workload-role longer than 56 characters (use a shorter tenant name)\n` +
                `tenants[0].name: "${"a".repeat(30)}" makes the reader role name pr-cybr-dev-external-secrets-${"a".repeat(30)}-reader-role longer than 56 characters (use a shorter tenant name)`,
        ],
        ["SwarmDns hostnames: one twice", "dev", (r) => r.swarm.traefik.hostnames.push(r.swarm.traefik.hostnames[0]), "swarm.traefik.hostnames: lists a hostname twice (list each once)"],
        [
            "EdgeAgentImage collectorVersion: a release the agent's build manifest does not build",
            "prod",
            (r) => (r.edge.agentVersion = "0.129.0"),
            'edge.agentVersion: "0.129.0" is not the release components/edge/agent/manifest.yaml builds (0.128.0): the agent is a custom build, so set 0.128.0 here, or move the manifest\'s modules to the new release and regenerate its go.sum (components/edge/agent/build.sh, UPDATE_GO_SUM=1)',
        ],
    ];

    it.each(cases)("%s", (_title, stack, edit, expected) => {
        expect(problems(withEdit(stack, edit)).join("\n")).toEqual(expected);
    });

    it.each(["dev", "prod"] as const)("finds nothing in %s", (stack) => {
        expect(problems(rawConfigOf(stack))).toEqual([]);
    });

    it("runs every component validator a config value reaches (a new one must be added to stacks/preflight.ts or exempted here with why)", () => {
        const NOT_FROM_CONFIG: Record<string, string> = {
            validateCoreDnsArgs: "minNodes is the sum of the node groups' minSize, each a whole number >= 0",
            validateEdgeCaArgs: "its common name and validity come from the environment name and constants",
            validateEnvironmentKeyArgs: "its alias comes from the environment name",
            validateSwarmPkiArgs: "validity days are constants",
            validateVpcEndpointsArgs: "the service list is INTERFACE_ENDPOINT_SERVICES itself",
            validateGitHubDeployArgs: "bootstrap stack (bootstrap/), not this stack's config",
            validateStateBucketArgs: "bootstrap stack (bootstrap/), not this stack's config",
            validateInClusterSecretArgs: "its add-ons are the ones the program builds (names and grants from their specs), not config values",
        };
        const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
        const validators = walk(path.join(ROOT, "components")).flatMap((f) => [...fs.readFileSync(f, "utf8").matchAll(/export function (validate\w+Args)\(/g)].map((m) => m[1]));
        const preflight = fs.readFileSync(path.join(ROOT, "stacks", "preflight.ts"), "utf8");
        expect(validators.length).toBeGreaterThan(15);
        expect(validators.filter((v) => !NOT_FROM_CONFIG[v] && !new RegExp(`\\b${v}\\(`).test(preflight)).sort()).toEqual([]);
    });

    it("exits 2 with the config path from synth, not a component error and exit 1", () => {
        const dir = tempDir("preflight");
        const file = derivedStackFile(dir, "dev", (c) => c["pr-cybr-platform:cluster"].admins.push("arn:aws:iam::222222222222:role/platform-admin"));
        const run = runTool("synth", ["--stack", "dev", "--config", file, "--out", dir]);
        expect([run.status, run.stderr]).toEqual([2, expect.stringContaining('cluster.admins[1]: "arn:aws:iam::222222222222:role/platform-admin" has the same name as cluster.admins[0]')]);
    });
});

describe("error reporting", () => {
    it("lists every problem at once, schema and cross-field together, sorted by path", () => {
        const raw = withEdit("dev", (r) => {
            r.network.azCount = 9;
            r.tenants[1].name = "org-a";
            r.tenants[2].quota.pods = 0;
            r.swarm.managers = 4;
        });
        expect(problems(raw)).toEqual([
            "network.azCount: 9 is out of range (a whole number from 2 to 6)",
            "swarm.managers: 4 is not an odd manager count for Raft quorum (one of 1, 3, 5)",
            'tenants[1].name: "org-a" is already used by tenants[0] (tenant names must be unique)',
            "tenants[2].quota.pods: 0 is out of range (a whole number from 1 to 10000)",
        ]);
    });

    it("throws a ConfigError (a Pulumi RunError: message only, no stack trace) with the DESIGN §4 format", () => {
        const raw = withEdit("dev", (r) => (r.tenants[2].name = "Org_A"));
        let error: unknown;
        try {
            requireValidConfig(raw);
        } catch (err) {
            error = err;
        }
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).name).toBe("ConfigError");
        expect((error as Error).message).toBe(formatProblems([{ path: "tenants[2].name", message: `"Org_A" is not a DNS label (lowercase letters, digits and '-', 1-63 characters, starting and ending with a letter or digit)` }]));
        expect((error as Error).message.split("\n")[0]).toBe("invalid stack config: 1 problem");
    });
});

describe("EKS version support window", () => {
    it("accepts a version with 60 or more days of standard support left and refuses it after", () => {
        expect(eksVersionProblem("1.35", new Date("2026-12-01T00:00:00Z"))).toBeUndefined();
        expect(eksVersionProblem("1.35", new Date("2027-01-26T00:00:00Z"))).toBeUndefined();
        expect(eksVersionProblem("1.35", new Date("2027-01-27T00:00:01Z"))).toMatch(/^"1\.35" leaves EKS standard support on 2027-03-27 \(in 58 days\)/);
        expect(eksVersionProblem("1.33", new Date("2026-12-01T00:00:00Z"))).toMatch(/^"1\.33" left EKS standard support on 2026-07-29; use a version with at least 60 days left \("1\.35"\)$/);
    });
});

describe("edge site hostnames", () => {
    it("may lie deeper below the zone only with an Advanced certificate", () => {
        expect(problems(withEdit("prod", (r) => Object.assign(r.edge, { domain: "edge.pr-cybr.example", advancedCertificate: true })))).toEqual([]);
    });
});
