import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PlatformOutputs } from "../stacks/platform";
import { CILIUM_AGENT_NOT_READY_TAINT, CILIUM_CHART_VERSION, CLUSTER_ADMIN_POLICY_ARN, EksCluster, validateCiliumArgs, validateEksClusterArgs, validateManagedNodeGroupArgs } from "../components/cluster";
import { promiseOf } from "./helpers/outputs";
import { installMocks, MockHarness, RecordedResource } from "./mocks";
import { platformUnderMocks, stackConfig } from "./helpers/platform";

const token = (urn: string) => urn.split("::")[2].split("$").pop()!;
const names = (rs: RecordedResource[]) => rs.map((r) => r.name);

/** Every URN `urn` depends on, directly or through its dependencies. */
function transitiveDeps(harness: MockHarness, urn: string, seen = new Set<string>()): Set<string> {
    for (const dep of harness.recorder.resources.get(urn)?.dependsOn ?? []) {
        if (!seen.has(dep)) {
            seen.add(dep);
            transitiveDeps(harness, dep, seen);
        }
    }
    return seen;
}

describe.each(["dev", "prod"] as const)("the %s cluster", (stack) => {
    let harness: MockHarness;
    let outputs: PlatformOutputs;
    const config = stackConfig(stack);
    const prod = stack === "prod";

    beforeAll(async () => ({ harness, outputs } = await platformUnderMocks(stack, config)));

    const cluster = () => harness.ofType(aws.eks.Cluster)[0];

    it("admits the deploy runners' and operators' networks to the private API endpoint on 443, before any Kubernetes call", () => {
        // EKS's cluster security group admits only itself; the endpoint's ENIs carry it.
        const rules = harness.ofType(aws.vpc.SecurityGroupIngressRule).filter((r) => r.name.startsWith(`pr-cybr-${stack}-cluster-api-from-`));
        const expected = config.cluster.privateAccessCidrs ?? config.swarm.deployCidrs;
        expect(expected.length).toBeGreaterThan(0);
        expect(rules.map((r) => r.inputs.cidrIpv4).sort()).toEqual([...expected].sort());
        for (const r of rules) {
            expect(r.inputs).toMatchObject({ ipProtocol: "tcp", fromPort: 443, toPort: 443, securityGroupId: (cluster().outputs as any).vpcConfig.clusterSecurityGroupId });
        }
        const provider = harness.ofType("pulumi:providers:kubernetes")[0];
        for (const r of rules) expect(provider.dependsOn).toContain(r.urn);
    });

    it("is bare: no self-managed add-ons, and neither vpc-cni nor kube-proxy as managed add-ons", () => {
        expect(harness.ofType(aws.eks.Cluster)).toHaveLength(1);
        expect(cluster().inputs).toMatchObject({ name: config.cluster.name, version: config.cluster.version, bootstrapSelfManagedAddons: false });
        expect(cluster().ignoreChanges).toEqual(["bootstrapSelfManagedAddons", "accessConfig.bootstrapClusterCreatorAdminPermissions"]);
        const addons = harness.ofType(aws.eks.Addon).map((a) => a.inputs.addonName).sort();
        // The cluster's own (CoreDNS, the Pod Identity agent) and the add-ons area's (stacks/addons.ts); never vpc-cni or kube-proxy.
        expect(addons).toEqual(["aws-ebs-csi-driver", "coredns", "eks-pod-identity-agent", "metrics-server", "snapshot-controller"]);
    });

    it("authenticates through access entries only, with no implicit creator admin", () => {
        expect(cluster().inputs.accessConfig).toEqual({ authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false });
        const principals = [config.cluster.deployRoleArn, ...config.cluster.admins];
        const clusterEntries = harness.ofType(aws.eks.AccessEntry).filter((e) => e.name.startsWith(`pr-cybr-${stack}-cluster-admin-`));
        expect(clusterEntries.map((e) => e.inputs.principalArn).sort()).toEqual([...principals].sort());
        for (const assoc of harness.ofType(aws.eks.AccessPolicyAssociation).filter((a) => a.name.startsWith(`pr-cybr-${stack}-cluster-admin-`))) {
            expect(assoc.inputs).toMatchObject({ policyArn: CLUSTER_ADMIN_POLICY_ARN, accessScope: { type: "cluster" } });
        }
        expect(names(clusterEntries)).toContain(`pr-cybr-${stack}-cluster-admin-pr-cybr-deploy-${stack}`);
    });

    it("encrypts secrets with a rotating KMS key and logs the control plane to a group made first", () => {
        const keyArn = harness.get(aws.kms.Key, `pr-cybr-${stack}-cluster-key`).outputs.arn;
        expect(harness.get(aws.kms.Key, `pr-cybr-${stack}-cluster-key`).inputs.enableKeyRotation).toBe(true);
        expect(cluster().inputs.encryptionConfig).toEqual({ provider: { keyArn }, resources: ["secrets"] });
        expect(cluster().inputs.enabledClusterLogTypes).toEqual(prod ? ["api", "audit", "authenticator", "controllerManager", "scheduler"] : ["audit", "authenticator"]);
        const logs = harness.get(aws.cloudwatch.LogGroup, `pr-cybr-${stack}-cluster-logs`);
        expect(logs.inputs).toMatchObject({ name: `/aws/eks/${config.cluster.name}/cluster`, retentionInDays: config.cluster.logRetentionDays, kmsKeyId: keyArn });
        expect(cluster().dependsOn).toContain(logs.urn);
        expect(cluster().inputs.upgradePolicy).toEqual({ supportType: "STANDARD" });
    });

    it(prod ? "has a private endpoint, deletion protection and Pulumi protection of what holds state" : "has a public endpoint open only to the configured networks", () => {
        const vpcConfig = cluster().inputs.vpcConfig as Record<string, unknown>;
        expect(vpcConfig.endpointPrivateAccess).toBe(true);
        expect(vpcConfig.subnetIds).toEqual(harness.ofType(aws.ec2.Subnet).filter((s) => s.name.includes("-private-")).map((s) => s.id));
        if (prod) {
            expect(vpcConfig.endpointPublicAccess).toBe(false);
            expect(vpcConfig.publicAccessCidrs).toBeUndefined();
            expect(cluster().inputs.deletionProtection).toBe(true);
            expect(harness.recorder.list().filter((r) => r.protect).map((r) => r.name).sort()).toEqual([`pr-cybr-prod-cluster-eks`, `pr-cybr-prod-cluster-key`, `pr-cybr-prod-cluster-logs`, `pr-cybr-prod-velero-backups-bucket`]);
        } else {
            expect(vpcConfig).toMatchObject({ endpointPublicAccess: true, publicAccessCidrs: ["198.51.100.24/32"] });
            expect(harness.recorder.list().filter((r) => r.protect)).toEqual([]);
        }
    });

    it("registers the OIDC provider for IRSA from the cluster's issuer", async () => {
        const oidc = harness.ofType(aws.iam.OpenIdConnectProvider)[0];
        const issuer = await promiseOf(outputs.oidcIssuerUrl);
        expect(oidc.inputs).toMatchObject({ url: issuer, clientIdLists: ["sts.amazonaws.com"] });
        expect(issuer).toMatch(/^https:\/\/oidc\.eks\.us-east-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/);
    });

    it("gives every node group the Cilium taint, IMDSv2 with hop limit 1 (pods one hop away get no node credentials), an encrypted gp3 volume, private subnets", () => {
        const groups = harness.ofType(aws.eks.NodeGroup);
        expect(groups.map((g) => g.inputs.nodeGroupName)).toEqual(expect.arrayContaining(config.cluster.nodeGroups.map((g) => g.name)));
        expect(groups).toHaveLength(config.cluster.nodeGroups.length);
        const privateSubnets = harness.ofType(aws.ec2.Subnet).filter((s) => s.name.includes("-private-")).map((s) => s.id);
        for (const g of groups) {
            const spec = config.cluster.nodeGroups.find((c) => c.name === g.inputs.nodeGroupName)!;
            expect(g.inputs.taints).toEqual([{ key: CILIUM_AGENT_NOT_READY_TAINT.key, value: "true", effect: "NO_EXECUTE" }]);
            expect(g.inputs).toMatchObject({
                subnetIds: privateSubnets,
                instanceTypes: spec.instanceTypes,
                amiType: spec.arch === "arm64" ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD",
                scalingConfig: { minSize: spec.minSize, maxSize: spec.maxSize, desiredSize: spec.desiredSize },
                updateConfig: { maxUnavailablePercentage: 33 },
                nodeRepairConfig: { enabled: true },
                version: config.cluster.version,
            });
            expect(g.ignoreChanges).toEqual(["scalingConfig.desiredSize"]);
            const lt = harness.ofType(aws.ec2.LaunchTemplate).find((l) => l.id === (g.inputs.launchTemplate as { id: string }).id)!;
            expect(lt.inputs.metadataOptions).toMatchObject({ httpTokens: "required", httpPutResponseHopLimit: 1 });
            expect(lt.inputs.blockDeviceMappings).toEqual([{ deviceName: "/dev/xvda", ebs: { volumeSize: spec.diskSizeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } }]);
            const instanceTags = (lt.inputs.tagSpecifications as { resourceType: string; tags: Record<string, string> }[]).find((t) => t.resourceType === "instance")!.tags;
            expect(instanceTags).toMatchObject({ environment: stack, project: "pr-cybr-platform", owner: "platform-team" });
        }
    });

    it("gives nodes no ENI permissions (Cilium's operator holds them) and waits for private egress before creating them", () => {
        const nodeRole = harness.get(aws.iam.Role, `pr-cybr-${stack}-cluster-node-role`);
        const attached = harness.ofType(aws.iam.RolePolicyAttachment).filter((a) => a.inputs.role === nodeRole.outputs.name).map((a) => String(a.inputs.policyArn).split("/").pop());
        expect(attached.sort()).toEqual(["AmazonEC2ContainerRegistryPullOnly", "AmazonEKSWorkerNodePolicy", "AmazonSSMManagedInstanceCore"]);
        for (const g of harness.ofType(aws.eks.NodeGroup)) {
            const deps = g.dependsOn.map(token);
            expect(deps).toContain("aws:ec2/route:Route");
            expect(g.dependsOn.filter((d) => d.includes("private-default-"))).toHaveLength(config.network.azCount);
        }
    });

    it("installs Cilium depending on the cluster and its IAM role only, never on a node group", () => {
        const release = harness.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "cilium")!;
        expect(release.inputs).toMatchObject({ chart: "cilium", version: CILIUM_CHART_VERSION, namespace: "kube-system", repositoryOpts: { repo: "https://helm.cilium.io" }, skipAwait: false });
        const all = transitiveDeps(harness, release.urn);
        expect([...all].map(token)).not.toContain("aws:eks/nodeGroup:NodeGroup");
        expect([...all].map(token)).toEqual(expect.arrayContaining(["aws:eks/cluster:Cluster", "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"]));
        const values = release.inputs.values as Record<string, unknown>;
        const endpoint = String(cluster().outputs.endpoint);
        expect(values).toMatchObject({ kubeProxyReplacement: true, k8sServiceHost: new URL(endpoint).hostname, k8sServicePort: 443, ipam: { mode: "eni" } });
        expect(String(values.k8sServiceHost)).not.toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        expect(release.providerRef.split("::").slice(0, -1).join("::")).toBe(harness.ofType("pulumi:providers:kubernetes")[0].urn);
    });

    it("runs CoreDNS only after Cilium and the node groups", () => {
        const addon = harness.ofType(aws.eks.Addon).find((a) => a.inputs.addonName === "coredns")!;
        expect(addon.dependsOn).toContain(harness.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "cilium")!.urn);
        for (const g of harness.ofType(aws.eks.NodeGroup)) expect(addon.dependsOn).toContain(g.urn);
        const minNodes = config.cluster.nodeGroups.reduce((n, g) => n + g.minSize, 0);
        expect(JSON.parse(String(addon.inputs.configurationValues)).replicaCount).toBe(Math.min(3, minNodes));
        expect(addon.inputs.addonVersion).toMatch(/^v1\.\d+\.\d+-eksbuild\.\d+$/);
    });

    it("has no IAM policy with a wildcard action on a wildcard resource", () => {
        const docs = [...harness.ofType(aws.iam.RolePolicy).map((p) => p.inputs.policy), ...harness.ofType(aws.iam.Role).map((r) => r.inputs.assumeRolePolicy)];
        for (const doc of docs) {
            for (const st of JSON.parse(String(doc)).Statement) {
                const actions = [st.Action].flat();
                const resources = [st.Resource ?? []].flat();
                expect(actions.some((a: string) => a === "*" || a.endsWith(":*")) && resources.includes("*")).toBe(false);
            }
        }
    });

    it("gates the kubernetes provider on the deploy role's access and exports the kubeconfig as a secret", async () => {
        const provider = harness.ofType("pulumi:providers:kubernetes")[0];
        const deployAccess = harness.get(aws.eks.AccessPolicyAssociation, `pr-cybr-${stack}-cluster-admin-pr-cybr-deploy-${stack}-policy`);
        expect(provider.dependsOn).toContain(deployAccess.urn);
        expect(await promiseOf(pulumi.output(pulumi.isSecret(outputs.kubeconfig)))).toBe(true);
        const kubeconfig = JSON.parse(await promiseOf(outputs.kubeconfig));
        expect(kubeconfig.users[0].user.exec.args).toEqual(["eks", "get-token", "--cluster-name", config.cluster.name, "--region", "us-east-1", "--output", "json"]);
        expect(await promiseOf(outputs.nodeGroupNames)).toEqual(config.cluster.nodeGroups.map((g) => g.name));
        expect(outputs.ciliumVersion).toBe(config.cluster.ciliumVersion);
    });
});

describe("cluster validation", () => {
    const base = { clusterName: "c", version: "1.35", subnetIds: [], deployRoleArn: "arn:aws:iam::111111111111:role/deploy" };

    it("refuses a public endpoint without networks or open to the world, and duplicate principals", () => {
        expect(() => validateEksClusterArgs({ ...base, endpointPublicAccess: true })).toThrow("publicAccessCidrs: is empty while endpointPublicAccess is true");
        expect(() => validateEksClusterArgs({ ...base, endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] })).toThrow("publicAccessCidrs[0]: opens the API to the internet (list specific networks)");
        expect(() => validateEksClusterArgs({ ...base, adminArns: ["arn:aws:iam::111111111111:role/ops/deploy"] })).toThrow(
            'adminArns[0]: "arn:aws:iam::111111111111:role/ops/deploy" has the same name as deployRoleArn (list each principal once; access entries are named after it)',
        );
        expect(() => validateEksClusterArgs({ ...base, deployRoleArn: "arn:aws:iam::111111111111:user/bob" })).toThrow('deployRoleArn: "arn:aws:iam::111111111111:user/bob" is not an IAM role ARN');
        expect(() => validateEksClusterArgs({ ...base, privateAccessCidrs: ["10.0.0.0/8", "0.0.0.0/0"] })).toThrow("privateAccessCidrs[1]: opens the API to every network that routes to the VPC");
    });

    it("refuses node groups whose instance types do not match their architecture, or whose sizes are inverted", () => {
        const group = { clusterName: "c", kubernetesVersion: "1.34", nodeRoleArn: "r", subnetIds: [], groupName: "g", instanceTypes: ["m7i.large"], arch: "arm64" as const, minSize: 3, desiredSize: 2, maxSize: 4 };
        expect(() => validateManagedNodeGroupArgs(group)).toThrow(
            'invalid ManagedNodeGroup args:\n  instanceTypes[0]: "m7i.large" is amd64, the group is arm64\n  desiredSize: sizes 3/2/4 break 0 <= minSize <= desiredSize <= maxSize, maxSize >= 1',
        );
    });

    it("refuses a Cilium chart version that is not a release", () => {
        expect(() => validateCiliumArgs({ clusterName: "c", apiServerHost: "h", vpcCidr: "10.0.0.0/16", oidcProviderArn: "a", oidcIssuerHostPath: "b", chartVersion: "main" })).toThrow('chartVersion: "main" is not a released chart version (1.N.N)');
    });

    it("registers nothing, not even the component, when args are invalid", async () => {
        const harness = installMocks({ stack: "invalid" });
        expect(() => new EksCluster("bad", { ...base, version: "1.3" })).toThrow('version: "1.3" is not a Kubernetes version ("1.NN")');
        await harness.settle();
        expect(harness.recorder.resources.size).toBe(0);
    });
});
