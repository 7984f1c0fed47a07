import { CILIUM_AGENT_NOT_READY_TAINT, ciliumValues, CiliumValuesInput } from "../components/cluster/cilium-values";
import { ciliumOperatorPolicy, irsaTrustPolicy, principalSlug } from "../components/cluster/iam";
import { endpointHost, renderKubeconfig } from "../components/cluster/kubeconfig";
import { coreDnsConfiguration, coreDnsReplicas } from "../components/cluster/coredns";
import { amiTypeFor, dataVolumeDevice } from "../components/cluster/node-group";
import { ciliumValuesSchema, schemaErrors, unknownKeys } from "./helpers/schema";
import { promiseOf } from "./helpers/outputs";

const input: CiliumValuesInput = {
    clusterName: "pr-cybr-dev",
    apiServerHost: "ABCDEF0123456789.gr7.us-east-1.eks.amazonaws.com",
    vpcCidr: "10.20.0.0/16",
    operatorRoleArn: "arn:aws:iam::111111111111:role/cilium-operator",
    operatorReplicas: 2,
    hubbleUi: true,
};

describe("ciliumValues", () => {
    const values = ciliumValues(input);

    it("creates no LoadBalancer Service Helm's wait would hold on, and the metrics Services a ServiceMonitor can select", () => {
        // helm pkg/kube/ready.go: a LoadBalancer Service is ready only once some controller gave it an
        // address, and nothing that could runs before Cilium (pod networking).
        expect(values.ingressController).toMatchObject({ enabled: true, service: { type: "NodePort" } });
        // The chart's metrics Services (agent, operator); without them no ServiceMonitor has a target.
        expect(values).toMatchObject({ prometheus: { enabled: true, metricsService: true }, operator: { prometheus: { enabled: true, metricsService: true } } });
        expect(JSON.stringify(values)).not.toMatch(/"type":"LoadBalancer"/);
    });

    it("is ENI mode with prefix delegation, native routing in the VPC and no masquerade", () => {
        expect(values).toMatchObject({
            eni: { enabled: true, awsEnablePrefixDelegation: true, awsReleaseExcessIPs: true },
            ipam: { mode: "eni" },
            routingMode: "native",
            ipv4NativeRoutingCIDR: "10.20.0.0/16",
            enableIPv4Masquerade: false,
        });
    });

    it("replaces kube-proxy and reaches the API by hostname on 443", () => {
        expect(values).toMatchObject({ kubeProxyReplacement: true, k8sServiceHost: input.apiServerHost, k8sServicePort: 443 });
    });

    it("runs an HA operator on IRSA, Hubble relay/UI/metrics, system-node-critical, the agent-not-ready taint key", () => {
        expect(values).toMatchObject({
            operator: { replicas: 2, priorityClassName: "system-node-critical" },
            serviceAccounts: { operator: { name: "cilium-operator", annotations: { "eks.amazonaws.com/role-arn": input.operatorRoleArn } } },
            hubble: { enabled: true, relay: { enabled: true }, ui: { enabled: true } },
            priorityClassName: "system-node-critical",
            agentNotReadyTaintKey: CILIUM_AGENT_NOT_READY_TAINT.key,
        });
        expect((values.hubble as { metrics: { enabled: string[] } }).metrics.enabled).toEqual(expect.arrayContaining(["dns", "drop", "flow"]));
        expect(ciliumValues({ ...input, hubbleUi: false })).toMatchObject({ hubble: { ui: { enabled: false } } });
    });

    it("refuses an IP or a URL as the API server host", () => {
        expect(() => ciliumValues({ ...input, apiServerHost: "10.20.1.15" })).toThrow('apiServerHost must be the endpoint hostname, not "10.20.1.15"');
        expect(() => ciliumValues({ ...input, apiServerHost: "https://x.eks.amazonaws.com/" })).toThrow("must be the endpoint hostname");
    });

    it("is accepted by the chart's values schema and uses no key the chart would silently ignore", () => {
        const schema = ciliumValuesSchema();
        expect(schemaErrors(schema, values)).toEqual([]);
        expect(unknownKeys(schema, values)).toEqual([]);
    });

    it("the schema checks catch what the chart would reject or ignore", () => {
        const schema = ciliumValuesSchema();
        expect(schemaErrors(schema, { ...values, routingMode: 1, eni: { enabled: "yes" } })).toEqual(["/eni/enabled: must be boolean", "/routingMode: must be string"]);
        expect(unknownKeys(schema, { ...values, kubeProxyReplacment: true, eni: { enabled: true, awsPrefixDelegation: true } })).toEqual(["eni.awsPrefixDelegation", "kubeProxyReplacment"]);
    });
});

describe("IAM documents", () => {
    it("gives the Cilium operator exact EC2 actions, never a wildcard action", async () => {
        const policy = JSON.parse(await promiseOf(ciliumOperatorPolicy("us-east-1")));
        const actions = policy.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat());
        expect(actions.every((a: string) => /^ec2:[A-Z][A-Za-z]+$/.test(a))).toBe(true);
        expect(actions).toEqual(expect.arrayContaining(["ec2:CreateNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:DescribeInstanceTypes", "ec2:DescribeRouteTables"]));
        expect(policy.Statement[1].Condition).toEqual({ StringEquals: { "aws:RequestedRegion": "us-east-1" } });
        expect(policy.Statement[2]).toMatchObject({ Action: "ec2:CreateTags", Condition: { StringEquals: { "ec2:CreateAction": "CreateNetworkInterface" } } });
    });

    it("scopes IRSA trust to one service account and the STS audience", async () => {
        const trust = JSON.parse(
            await promiseOf(irsaTrustPolicy({ oidcProviderArn: "arn:aws:iam::1:oidc-provider/oidc.eks/id/X", issuerHostPath: "oidc.eks.us-east-1.amazonaws.com/id/X", namespace: "kube-system", serviceAccount: "cilium-operator" })),
        );
        expect(trust.Statement[0]).toEqual({
            Effect: "Allow",
            Principal: { Federated: "arn:aws:iam::1:oidc-provider/oidc.eks/id/X" },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: { StringEquals: { "oidc.eks.us-east-1.amazonaws.com/id/X:sub": "system:serviceaccount:kube-system:cilium-operator", "oidc.eks.us-east-1.amazonaws.com/id/X:aud": "sts.amazonaws.com" } },
        });
    });

    it("names principals by their last path segment", () => {
        expect(principalSlug("arn:aws:iam::1:role/teams/Org_A-Admin")).toBe("org-a-admin");
    });
});

describe("kubeconfig", () => {
    it("authenticates with aws eks get-token and holds no credential", () => {
        const cfg = JSON.parse(renderKubeconfig({ clusterName: "c", endpoint: "https://h.eks.amazonaws.com", certificateAuthorityData: "Q0E=", region: "us-east-1" }));
        expect(cfg.users[0].user).toEqual({
            exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args: ["eks", "get-token", "--cluster-name", "c", "--region", "us-east-1", "--output", "json"], interactiveMode: "Never" },
        });
        expect(JSON.stringify(cfg)).not.toMatch(/"token"|"password"|client-key|client-certificate/);
        expect(endpointHost("https://ABC.gr7.us-east-1.eks.amazonaws.com")).toBe("abc.gr7.us-east-1.eks.amazonaws.com");
    });
});

describe("node and CoreDNS sizing helpers", () => {
    it.each([
        ["AL2023", "arm64", "AL2023_ARM_64_STANDARD", "/dev/xvda"],
        ["AL2023", "amd64", "AL2023_x86_64_STANDARD", "/dev/xvda"],
        ["Bottlerocket", "arm64", "BOTTLEROCKET_ARM_64", "/dev/xvdb"],
        ["Bottlerocket", "amd64", "BOTTLEROCKET_x86_64", "/dev/xvdb"],
    ] as const)("%s/%s -> %s on %s", (family, arch, ami, device) => {
        expect(amiTypeFor(family, arch)).toBe(ami);
        expect(dataVolumeDevice(family)).toBe(device);
    });

    it.each([
        [0, 1],
        [1, 1],
        [2, 2],
        [3, 3],
        [8, 3],
    ])("CoreDNS with %d always-present nodes runs %d replicas", (nodes, replicas) => {
        expect(coreDnsReplicas(nodes)).toBe(replicas);
    });

    it("does not let CoreDNS tolerate the Cilium taint (it needs the pod network)", () => {
        const cfg = coreDnsConfiguration(3) as { tolerations: { key: string }[]; podDisruptionBudget: unknown };
        expect(cfg.tolerations.map((t) => t.key)).not.toContain(CILIUM_AGENT_NOT_READY_TAINT.key);
        expect(cfg.podDisruptionBudget).toEqual({ enabled: true, maxUnavailable: 1 });
    });
});
