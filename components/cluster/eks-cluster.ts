import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { cidrSyntaxProblem } from "../shared/cidr";
import { logsKmsKey } from "../shared/kms";
import { LOG_RETENTION_DAYS } from "../shared/logs";
import { Tags } from "../shared/tags";
import { ArgProblem, throwIfProblems } from "../shared/validation";
import { principalSlug } from "../shared/names";
import { serviceTrustPolicy } from "./iam";
import { endpointHost, renderKubeconfig } from "./kubeconfig";

export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;
export type ControlPlaneLogType = (typeof CONTROL_PLANE_LOG_TYPES)[number];

export const CLUSTER_ADMIN_POLICY_ARN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
/** Reads every object in every namespace, Secrets included (a refresh reads the Secrets Pulumi manages), writes none. */
export const CLUSTER_ADMIN_VIEW_POLICY_ARN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy";

export interface EksClusterArgs {
    /** The EKS cluster's name (a DNS label; unique per account and region). Required. */
    readonly clusterName: string;
    /** Kubernetes version, "1.NN". Required. */
    readonly version: string;
    /** Subnets for the control plane's ENIs, in at least two AZs (the private subnets). Required. */
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Whether the API endpoint is reachable from the internet (only from publicAccessCidrs). Defaults to false. */
    readonly endpointPublicAccess?: boolean;
    /** Networks allowed to the public endpoint; required when it is public, never 0.0.0.0/0. Defaults to []. */
    readonly publicAccessCidrs?: string[];
    /**
     * Networks allowed to the private endpoint on 443 (where `pulumi up` and operators run: the in-VPC
     * runners' subnets, the operators' VPN). EKS's cluster security group admits only itself, so without
     * these every Kubernetes call from outside the cluster times out. Never 0.0.0.0/0. Defaults to [].
     */
    readonly privateAccessCidrs?: string[];
    /** The IAM role Pulumi runs as; it gets cluster-admin through an explicit access entry so Pulumi can install Cilium. Required. */
    readonly deployRoleArn: string;
    /** IAM roles or users that get cluster-admin (the platform team). Defaults to []. */
    readonly adminArns?: string[];
    /** IAM roles that read the whole cluster and write nothing (the read-only preview role). Defaults to []. */
    readonly viewerArns?: string[];
    /** Control-plane log types sent to CloudWatch. Defaults to all five. */
    readonly logTypes?: readonly ControlPlaneLogType[];
    /** Days the control-plane logs are kept. Defaults to 90. */
    readonly logRetentionDays?: number;
    /** KMS key ARN for secrets envelope encryption and the log group; unset makes a key with rotation. Defaults to a key of this component. */
    readonly kmsKeyArn?: pulumi.Input<string>;
    /** Refuse to delete the cluster (EKS deletion protection). Defaults to false. */
    readonly deletionProtection?: boolean;
    /** Pulumi-protect what cannot be recreated without loss: the cluster, its KMS key and log group. Defaults to false. */
    readonly protect?: boolean;
    /** Tags added to every taggable child. Defaults to {}. */
    readonly tags?: Tags;
}

export const EKS_CLUSTER_DEFAULTS = {
    endpointPublicAccess: false,
    publicAccessCidrs: [] as string[],
    privateAccessCidrs: [] as string[],
    adminArns: [] as string[],
    viewerArns: [] as string[],
    logTypes: CONTROL_PLANE_LOG_TYPES,
    logRetentionDays: 90,
    deletionProtection: false,
    protect: false,
    tags: {} as Tags,
};

/** Pure check of EksClusterArgs, run before anything is registered; throws every problem at once. */
export function validateEksClusterArgs(args: EksClusterArgs): void {
    const problems: ArgProblem[] = [];
    if (!/^[a-z0-9]([-a-z0-9]{0,98}[a-z0-9])?$/.test(args.clusterName)) {
        problems.push({ path: "clusterName", reason: `"${args.clusterName}" is not a valid cluster name (lowercase letters, digits and '-', up to 100)` });
    }
    if (!/^1\.\d{2}$/.test(args.version)) problems.push({ path: "version", reason: `"${args.version}" is not a Kubernetes version ("1.NN")` });
    const publicAccess = args.endpointPublicAccess ?? EKS_CLUSTER_DEFAULTS.endpointPublicAccess;
    const cidrs = args.publicAccessCidrs ?? EKS_CLUSTER_DEFAULTS.publicAccessCidrs;
    if (publicAccess && cidrs.length === 0) {
        problems.push({ path: "publicAccessCidrs", reason: "is empty while endpointPublicAccess is true (list the networks allowed to reach the API)" });
    }
    if (!publicAccess && cidrs.length > 0) problems.push({ path: "publicAccessCidrs", reason: "is set but endpointPublicAccess is false (remove it, or make the endpoint public)" });
    cidrs.forEach((c, i) => {
        const p = c === "0.0.0.0/0" ? "opens the API to the internet (list specific networks)" : cidrSyntaxProblem(c);
        if (p) problems.push({ path: `publicAccessCidrs[${i}]`, reason: p });
    });
    (args.privateAccessCidrs ?? EKS_CLUSTER_DEFAULTS.privateAccessCidrs).forEach((c, i) => {
        const p = c === "0.0.0.0/0" ? "opens the API to every network that routes to the VPC (list the runners' and operators' networks)" : cidrSyntaxProblem(c);
        if (p) problems.push({ path: `privateAccessCidrs[${i}]`, reason: p });
    });
    const arn = /^arn:aws(-[a-z]+)*:iam::\d{12}:(role|user)\/[\w+=,.@\/-]+$/;
    if (!/^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@\/-]+$/.test(args.deployRoleArn)) {
        problems.push({ path: "deployRoleArn", reason: `"${args.deployRoleArn}" is not an IAM role ARN` });
    }
    const admins = args.adminArns ?? [];
    admins.forEach((a, i) => {
        if (!arn.test(a)) problems.push({ path: `adminArns[${i}]`, reason: `"${a}" is not an IAM role or user ARN` });
    });
    const seen = new Map([[principalSlug(args.deployRoleArn), "deployRoleArn"]]);
    admins.forEach((a, i) => {
        const first = seen.get(principalSlug(a));
        if (first) problems.push({ path: `adminArns[${i}]`, reason: `"${a}" has the same name as ${first} (list each principal once; access entries are named after it)` });
        else seen.set(principalSlug(a), `adminArns[${i}]`);
    });
    (args.viewerArns ?? []).forEach((v, i) => {
        const first = seen.get(principalSlug(v));
        if (first) problems.push({ path: `viewerArns[${i}]`, reason: `"${v}" is also ${first} (EKS holds one access entry per principal)` });
        else seen.set(principalSlug(v), `viewerArns[${i}]`);
    });
    for (const t of args.logTypes ?? []) {
        if (!CONTROL_PLANE_LOG_TYPES.includes(t)) problems.push({ path: "logTypes", reason: `"${t}" is not a log type (${CONTROL_PLANE_LOG_TYPES.join(", ")})` });
    }
    const days = args.logRetentionDays ?? EKS_CLUSTER_DEFAULTS.logRetentionDays;
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(days)) problems.push({ path: "logRetentionDays", reason: `${days} is not a CloudWatch retention` });
    throwIfProblems("EksCluster", problems);
}

/**
 * A bare EKS cluster for Cilium: created with bootstrapSelfManagedAddons false (no vpc-cni, no
 * kube-proxy, no self-managed CoreDNS), API-only authentication with explicit access entries (no
 * implicit creator admin), KMS envelope encryption of secrets, control-plane logs with retention, an
 * OIDC provider for IRSA, the Pod Identity agent, and a kubernetes provider that authenticates with
 * `aws eks get-token` and waits for the deploy role's access entry.
 */
export class EksCluster extends pulumi.ComponentResource {
    public readonly clusterName: pulumi.Output<string>;
    public readonly endpoint: pulumi.Output<string>;
    /** The API endpoint's hostname (what Cilium's kube-proxy replacement must use). */
    public readonly endpointHost: pulumi.Output<string>;
    public readonly certificateAuthorityData: pulumi.Output<string>;
    public readonly clusterSecurityGroupId: pulumi.Output<string>;
    public readonly oidcProviderArn: pulumi.Output<string>;
    public readonly oidcIssuerUrl: pulumi.Output<string>;
    /** Issuer without scheme, the prefix of IRSA condition keys. */
    public readonly oidcIssuerHostPath: pulumi.Output<string>;
    public readonly kmsKeyArn: pulumi.Output<string>;
    /** Exec-based kubeconfig (no credential inside), as a secret. */
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly nodeRoleArn: pulumi.Output<string>;
    /** The provider every Kubernetes resource of this cluster must use. */
    public readonly provider: k8s.Provider;
    /** The cluster resource, for options such as dependsOn. */
    public readonly cluster: aws.eks.Cluster;

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before super(): invalid args must not leave even the component registered.
        validateEksClusterArgs(args);
        super("pr-cybr:cluster:EksCluster", name, {}, opts);
        const d = EKS_CLUSTER_DEFAULTS;
        const tags = { ...d.tags, ...args.tags };
        const invoke = { parent: this };
        const account = aws.getCallerIdentityOutput({}, invoke).accountId;
        const partition = aws.getPartitionOutput({}, invoke).partition;
        const region = aws.getRegionOutput({}, invoke).region;
        const logGroupName = `/aws/eks/${args.clusterName}/cluster`;
        const protect = args.protect ?? d.protect;

        const kmsKeyArn = args.kmsKeyArn
            ? pulumi.output(args.kmsKeyArn)
            : logsKmsKey(this, name, { purpose: `EKS secrets and control-plane logs of ${args.clusterName}`, logGroupName, alias: `${name}-eks`, tags, protect }).arn;

        const role = new aws.iam.Role(
            `${name}-role`,
            { description: `EKS control plane of ${args.clusterName}`, assumeRolePolicy: serviceTrustPolicy("eks.amazonaws.com", account), tags: { ...tags, Name: `${name}-role` } },
            { parent: this },
        );
        const rolePolicy = new aws.iam.RolePolicyAttachment(`${name}-cluster-policy`, { role: role.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/AmazonEKSClusterPolicy` }, { parent: this });
        // Envelope encryption: the control plane encrypts secrets with the key through its role.
        const kmsUse = new aws.iam.RolePolicy(
            `${name}-kms`,
            {
                role: role.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"], Resource: kmsKeyArn }],
                }),
            },
            { parent: this },
        );

        // Created first so EKS writes into a group with retention and encryption instead of making its own.
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { name: logGroupName, retentionInDays: args.logRetentionDays ?? d.logRetentionDays, kmsKeyId: kmsKeyArn, tags: { ...tags, Name: logGroupName } },
            { parent: this, protect },
        );

        const publicAccess = args.endpointPublicAccess ?? d.endpointPublicAccess;
        const cluster = new aws.eks.Cluster(
            `${name}-eks`,
            {
                name: args.clusterName,
                version: args.version,
                roleArn: role.arn,
                vpcConfig: {
                    subnetIds: args.subnetIds,
                    endpointPrivateAccess: true,
                    endpointPublicAccess: publicAccess,
                    publicAccessCidrs: publicAccess ? (args.publicAccessCidrs ?? d.publicAccessCidrs) : undefined,
                },
                accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
                // Bare: no vpc-cni, kube-proxy or CoreDNS. Cilium replaces the first two; CoreDNS comes after it.
                bootstrapSelfManagedAddons: false,
                encryptionConfig: { provider: { keyArn: kmsKeyArn }, resources: ["secrets"] },
                enabledClusterLogTypes: [...(args.logTypes ?? d.logTypes)],
                kubernetesNetworkConfig: { ipFamily: "ipv4" },
                // Standard support only: extended support silently costs six times as much per hour.
                upgradePolicy: { supportType: "STANDARD" },
                deletionProtection: args.deletionProtection ?? d.deletionProtection,
                tags: { ...tags, Name: args.clusterName },
            },
            {
                parent: this,
                protect,
                dependsOn: [logGroup, rolePolicy, kmsUse],
                // Creation-time settings: EKS cannot change them later, so a diff on them must never replace the cluster.
                ignoreChanges: ["bootstrapSelfManagedAddons", "accessConfig.bootstrapClusterCreatorAdminPermissions"],
            },
        );

        // The private endpoint's ENIs carry the cluster security group (EKS user guide, "View Amazon EKS
        // security group requirements for clusters": it admits only itself by default).
        const apiAccess = (args.privateAccessCidrs ?? d.privateAccessCidrs).map(
            (cidr, i) =>
                new aws.vpc.SecurityGroupIngressRule(
                    `${name}-api-from-${i}`,
                    {
                        securityGroupId: cluster.vpcConfig.clusterSecurityGroupId,
                        ipProtocol: "tcp",
                        fromPort: 443,
                        toPort: 443,
                        cidrIpv4: cidr,
                        description: `Kubernetes API from ${cidr} (deploy runners, operators)`,
                        tags: { ...tags, Name: `${args.clusterName}-api-from-${i}` },
                    },
                    { parent: this },
                ),
        );

        const adminArns = [args.deployRoleArn, ...(args.adminArns ?? d.adminArns)];
        const adminAccess = adminArns.map((principalArn) => {
            // Named after the principal, not its list position: reordering config must not churn access.
            const role = `${name}-admin-${principalSlug(principalArn)}`;
            const entry = new aws.eks.AccessEntry(role, { clusterName: cluster.name, principalArn, type: "STANDARD", tags: { ...tags, Name: role } }, { parent: this });
            return new aws.eks.AccessPolicyAssociation(
                `${role}-policy`,
                { clusterName: cluster.name, principalArn, policyArn: CLUSTER_ADMIN_POLICY_ARN, accessScope: { type: "cluster" } },
                { parent: this, dependsOn: [entry] },
            );
        });

        for (const principalArn of args.viewerArns ?? d.viewerArns) {
            const role = `${name}-viewer-${principalSlug(principalArn)}`;
            const entry = new aws.eks.AccessEntry(role, { clusterName: cluster.name, principalArn, type: "STANDARD", tags: { ...tags, Name: role } }, { parent: this });
            new aws.eks.AccessPolicyAssociation(`${role}-policy`, { clusterName: cluster.name, principalArn, policyArn: CLUSTER_ADMIN_VIEW_POLICY_ARN, accessScope: { type: "cluster" } }, { parent: this, dependsOn: [entry] });
        }

        const issuerUrl = cluster.identities.apply((ids) => ids[0].oidcs[0].issuer);
        const oidc = new aws.iam.OpenIdConnectProvider(
            `${name}-oidc`,
            { url: issuerUrl, clientIdLists: ["sts.amazonaws.com"], tags: { ...tags, Name: `${name}-oidc` } },
            { parent: this },
        );

        new aws.eks.Addon(
            `${name}-pod-identity-agent`,
            { clusterName: cluster.name, addonName: "eks-pod-identity-agent", resolveConflictsOnCreate: "OVERWRITE", resolveConflictsOnUpdate: "OVERWRITE", tags },
            { parent: this },
        );

        const nodeRole = new aws.iam.Role(
            `${name}-node-role`,
            { description: `Managed node groups of ${args.clusterName}`, assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com"), tags: { ...tags, Name: `${name}-node-role` } },
            { parent: this },
        );
        // No AmazonEKS_CNI_Policy: nodes do not manage ENIs, Cilium's operator does (with its own role).
        const nodePolicies = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonSSMManagedInstanceCore"].map(
            (policy) => new aws.iam.RolePolicyAttachment(`${name}-node-${policy}`, { role: nodeRole.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/${policy}` }, { parent: this }),
        );

        // The kubeconfig resolves only once the deploy role may use the API and its network may reach it,
        // so nothing Kubernetes races either.
        const granted = pulumi.all([...adminAccess.map((a) => a.id), ...apiAccess.map((r) => r.id)]);
        const kubeconfig = pulumi
            .all([cluster.name, cluster.endpoint, cluster.certificateAuthority.data, region, granted])
            .apply(([clusterName, endpoint, certificateAuthorityData, r]) => renderKubeconfig({ clusterName, endpoint, certificateAuthorityData, region: r }));
        this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: pulumi.secret(kubeconfig), enableServerSideApply: true }, { parent: this });

        this.cluster = cluster;
        this.clusterName = cluster.name;
        this.endpoint = cluster.endpoint;
        this.endpointHost = cluster.endpoint.apply(endpointHost);
        this.certificateAuthorityData = cluster.certificateAuthority.data;
        this.clusterSecurityGroupId = cluster.vpcConfig.clusterSecurityGroupId;
        this.oidcProviderArn = oidc.arn;
        this.oidcIssuerUrl = issuerUrl;
        this.oidcIssuerHostPath = issuerUrl.apply((u) => u.replace(/^https:\/\//, ""));
        this.kmsKeyArn = kmsKeyArn;
        this.kubeconfig = pulumi.secret(kubeconfig);
        this.nodeRoleArn = pulumi.all([nodeRole.arn, ...nodePolicies.map((p) => p.id)]).apply(([arn]) => arn);
        this.registerOutputs({
            clusterName: this.clusterName,
            endpoint: this.endpoint,
            oidcProviderArn: this.oidcProviderArn,
            oidcIssuerUrl: this.oidcIssuerUrl,
            kmsKeyArn: this.kmsKeyArn,
            kubeconfig: this.kubeconfig,
            nodeRoleArn: this.nodeRoleArn,
        });
    }
}
