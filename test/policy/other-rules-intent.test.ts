/** Intent-breaking cases of the rules whose logic issue 17 did not rework: each looks compliant and is not. */
import * as aws from "@pulumi/aws";
import {
    awsImdsv2Required,
    awsKmsKeyRotation,
    awsSecretsRotationPeriod,
    k8sAllowedRegistries,
    k8sResourcesRequired,
    k8sRunAsNonRoot,
    noPlaintextSecrets,
    tenantAppProjectScoped,
    vpcFlowLogsEnabled,
} from "../../policy/rules";
import { appProject, twoTenants } from "./fixtures";
import { runResource, runStack, stackResource } from "./harness";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const good = { name: "web", image: "ghcr.io/pr-cybr/web:1", securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false }, resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } } };
const deployment = (containers: object[], podSpec: object = {}) => ({ metadata: { name: "web" }, spec: { template: { spec: { containers, ...podSpec } } } });

describe("k8s-allowed-registries: intent", () => {
    it("does not let a registry prefix without a slash admit a look-alike path", async () => {
        const config = { registries: ["quay.io/cilium"] };
        expect((await runResource(k8sAllowedRegistries, DEPLOYMENT, deployment([{ ...good, image: "quay.io/cilium-evil/agent:1" }]), { config })).messages).toHaveLength(1);
        expect((await runResource(k8sAllowedRegistries, DEPLOYMENT, deployment([{ ...good, image: "quay.io/cilium/agent:1" }]), { config })).messages).toEqual([]);
    });
    it("does not take a look-alike host for an allowed one", async () => {
        expect((await runResource(k8sAllowedRegistries, DEPLOYMENT, deployment([{ ...good, image: "ghcr.io.evil.example/pr-cybr/web:1" }]))).messages).toHaveLength(1);
    });
});

describe("k8s-run-as-non-root: intent", () => {
    it("fails a container that overrides the pod's runAsNonRoot with false, and UID 0 given as a string", async () => {
        const out = await runResource(k8sRunAsNonRoot, DEPLOYMENT, deployment([{ ...good, securityContext: { runAsNonRoot: false } }, { ...good, name: "b", securityContext: { runAsNonRoot: true, runAsUser: "0" } }], { securityContext: { runAsNonRoot: true } }));
        expect(out.messages).toEqual(["Deployment web: container web does not set runAsNonRoot: true.", "Deployment web: container b runs as UID 0."]);
    });
});

describe("k8s-resources-required: intent", () => {
    it("holds ephemeral containers to it too", async () => {
        const out = await runResource(k8sResourcesRequired, DEPLOYMENT, deployment([good], { ephemeralContainers: [{ name: "debug", image: good.image }] }));
        expect(out.messages).toEqual(["Deployment web: container debug sets no requests.cpu, requests.memory, limits.memory."]);
    });
});

describe("aws-imdsv2-required: intent", () => {
    it("fails a hop limit of 2 given as a string", async () => {
        expect((await runResource(awsImdsv2Required, aws.ec2.LaunchTemplate, { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: "2" } })).messages).toHaveLength(1);
    });
});

describe("aws-kms-key-rotation: intent", () => {
    it("fails rotation enabled at seven years, and passes it at the default", async () => {
        expect((await runResource(awsKmsKeyRotation, aws.kms.Key, { enableKeyRotation: true, rotationPeriodInDays: 2560 }, { name: "k" })).messages).toEqual(['KMS key "k" rotates every 2560 days; the maximum is 365 (set rotationPeriodInDays).']);
        expect((await runResource(awsKmsKeyRotation, aws.kms.Key, { enableKeyRotation: true, rotationPeriodInDays: 180 })).messages).toEqual([]);
    });
    it("does not ask HMAC keys to rotate (AWS cannot)", async () => {
        expect((await runResource(awsKmsKeyRotation, aws.kms.Key, { customerMasterKeySpec: "HMAC_256", keyUsage: "GENERATE_VERIFY_MAC" })).messages).toEqual([]);
    });
});

describe("aws-secretsmanager-rotation-period: intent", () => {
    it("fails a rate just over the window and a rate in hours it cannot read as days", async () => {
        expect((await runResource(awsSecretsRotationPeriod, aws.secretsmanager.SecretRotation, { rotationRules: { scheduleExpression: "rate(91 days)" } }, { name: "r" })).messages).toEqual(['secret rotation "r" runs every 91 days; the maximum is 90.']);
        expect((await runResource(awsSecretsRotationPeriod, aws.secretsmanager.SecretRotation, { rotationRules: { scheduleExpression: "rate(4000 hours)" } }, { name: "r" })).messages).toHaveLength(1);
    });
});

describe("vpc-flow-logs-enabled: intent", () => {
    const vpc = stackResource(aws.ec2.Vpc, "main", { id: "vpc-1" });
    it("fails a flow log with an empty destination, and one on a subnet (it logs that subnet, not the VPC)", async () => {
        const empty = stackResource(aws.ec2.FlowLog, "fl", { vpcId: "vpc-1", trafficType: "ALL", logDestination: "" });
        expect((await runStack(vpcFlowLogsEnabled, [vpc, empty])).messages).toEqual(['VPC "main" has flow logs, but none records ALL traffic to a destination (fl: trafficType ALL).']);
        const subnet = stackResource(aws.ec2.FlowLog, "fl", { subnetId: "subnet-1", trafficType: "ALL", logDestination: "arn:aws:s3:::logs" });
        expect((await runStack(vpcFlowLogsEnabled, [vpc, subnet])).messages).toEqual(['VPC "main" has no flow log: add one (components/network VpcFlowLogs does it for you).']);
    });
});

describe("no-plaintext-secrets: intent", () => {
    it("decodes ConfigMap binaryData and scans Helm charts, not only releases", async () => {
        const key = Buffer.from("-----BEGIN EC PRIVATE KEY-----\nMHc...").toString("base64");
        expect((await runResource(noPlaintextSecrets, "kubernetes:core/v1:ConfigMap", { binaryData: { "tls.key": key } }, { name: "cm" })).messages).toEqual(['kubernetes:core/v1:ConfigMap "cm": binaryData.tls.key holds a PEM private key.']);
        const values = { auth: { token: "ghp_" + "a".repeat(36) } };
        expect((await runResource(noPlaintextSecrets, "kubernetes:helm.sh/v4:Chart", { values }, { name: "c" })).messages).toEqual(['kubernetes:helm.sh/v4:Chart "c": values.auth.token holds a GitHub token.']);
    });
    it("scans init containers' literal env", async () => {
        const spec = { spec: { template: { spec: { containers: [], initContainers: [{ name: "init", env: [{ name: "GH", value: "ghp_" + "b".repeat(36) }] }] } } } };
        expect((await runResource(noPlaintextSecrets, DEPLOYMENT, spec, { name: "d" })).messages).toEqual(['kubernetes:apps/v1:Deployment "d": container init env GH holds a GitHub token.']);
    });
});

describe("tenant-appproject-scoped: intent", () => {
    it("fails a destination naming the in-cluster server but another tenant's namespace, and a namespace pattern that looks like the tenant's", async () => {
        const project = appProject("org-b", {
            sourceRepos: ["https://github.com/x/org-b.git"],
            destinations: [
                { name: "in-cluster", namespace: "org-a" },
                { server: "https://kubernetes.default.svc", namespace: "org-b*" },
            ],
        });
        expect((await runStack(tenantAppProjectScoped, [...twoTenants(), project])).messages).toEqual(['tenant org-b: AppProject org-b targets namespace org-a, which is not org-b\'s; targets namespace pattern "org-b*".']);
    });
});
