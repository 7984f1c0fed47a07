// The add-on contract (components/addons/addon.ts), the EBS CSI driver and its StorageClass, and the
// composition of add-ons from config (stacks/addons.ts): in the plans dev and prod synthesize.
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { ROOT } from "./helpers/config";
import { compatibilityProblem, dependenciesOf, EBS_CSI_ADDON_VERSION, ebsCsiKmsPolicy, ebsCsiSpec, fluentBitValues, FLUENT_BIT_CHART_VERSION, gp3StorageClass, KARPENTER_CHART_VERSION, karpenterValues, METRICS_SERVER_ADDON_VERSION, SNAPSHOT_CONTROLLER_ADDON_VERSION, validateMetricsServerArgs, validateEbsCsiDriverArgs, validateSnapshotControllerArgs } from "../components/addons";
import { parseStackConfig } from "../stacks/config";
import { withEdit } from "./helpers/config";
import { promiseOf } from "./helpers/outputs";
import * as pulumi from "@pulumi/pulumi";
import { exactlyOne, PlanRes as Res, planOf } from "./helpers/plan-file";


describe("the add-on contract", () => {
    it("accepts a cluster version the pinned version is published for and names the fix otherwise", () => {
        expect(compatibilityProblem("x", { version: "v1", kubernetesVersions: ["1.34", "1.35"], source: "src" }, "1.35")).toBeUndefined();
        expect(compatibilityProblem("x", { version: "v1", kubernetesVersions: ["1.34", "1.35"], source: "src" }, "1.36")).toBe(
            "x v1 is not published for Kubernetes 1.36 (it is for 1.34, 1.35; pin a version that lists 1.36, see src)",
        );
    });

    it("makes an add-on wait for exactly the prerequisites it declares", () => {
        const r = (n: string) => ({ n }) as unknown as pulumi.Resource;
        const [cilium, ng, dns] = [r("cilium"), r("ng"), r("dns")];
        expect(dependenciesOf({ needs: ["pod-network", "nodes"] }, { "pod-network": [cilium], nodes: [ng], "cluster-dns": [dns] })).toEqual([cilium, ng]);
        expect(dependenciesOf({ needs: [] }, { "pod-network": [cilium], nodes: [ng], "cluster-dns": [dns] })).toEqual([]);
    });
});

describe("EbsCsiDriver args", () => {
    const ok = { clusterName: "c", clusterArn: "arn", kubernetesVersion: "1.35", kmsKeyArn: "k" };
    it("accepts the pinned version on 1.35", () => expect(() => validateEbsCsiDriverArgs(ok)).not.toThrow());
    it("refuses a version of unknown compatibility, a cluster version it is not published for and a bad class name", () => {
        expect(() => validateEbsCsiDriverArgs({ ...ok, addonVersion: "v9.9.9-eksbuild.1" })).toThrow(/addonVersion: "v9.9.9-eksbuild.1" is not a version whose compatibility is known/);
        expect(() => validateEbsCsiDriverArgs({ ...ok, kubernetesVersion: "1.29" })).toThrow(/is not published for Kubernetes 1.29/);
        expect(() => validateEbsCsiDriverArgs({ ...ok, storageClassName: "GP3" })).toThrow(/storageClassName: "GP3" is not a DNS label/);
    });
    it("declares Pod Identity for the controller's service account and no wait on cluster DNS", () => {
        const spec = ebsCsiSpec(EBS_CSI_ADDON_VERSION.version);
        expect(spec.podIdentity).toEqual([{ namespace: "kube-system", serviceAccount: "ebs-csi-controller-sa" }]);
        expect(spec.needs).toEqual(["pod-network", "nodes"]);
    });
    it("grants KMS use on the one key only through EC2, and grants only for AWS resources", async () => {
        const doc = JSON.parse(await promiseOf(ebsCsiKmsPolicy("arn:aws:kms:us-east-1:111111111111:key/k", "us-east-1")));
        for (const s of doc.Statement) {
            expect(s.Resource).toBe("arn:aws:kms:us-east-1:111111111111:key/k");
            expect(s.Condition.StringEquals["kms:ViaService"]).toBe("ec2.us-east-1.amazonaws.com");
        }
        expect(doc.Statement.find((s: any) => s.Action === "kms:CreateGrant").Condition.Bool).toEqual({ "kms:GrantIsForAWSResource": "true" });
    });
    it("renders gp3, encrypted with the key, WaitForFirstConsumer and expandable (docs/parameters.md)", () => {
        const sc = gp3StorageClass("gp3", "arn:k", true);
        expect(sc.parameters).toEqual({ type: "gp3", encrypted: "true", kmsKeyId: "arn:k", "csi.storage.k8s.io/fstype": "ext4" });
        expect([sc.volumeBindingMode, sc.allowVolumeExpansion, sc.metadata.annotations["storageclass.kubernetes.io/is-default-class"]]).toEqual(["WaitForFirstConsumer", true, "true"]);
    });
});

describe("add-on config", () => {
    it("defaults the EBS CSI driver on in dev and prod with the pinned version", () => {
        for (const stack of ["dev", "prod"] as const) {
            const { config } = parseStackConfig(withEdit(stack, () => undefined));
            expect(config!.addons.ebsCsi).toEqual({ enabled: true, version: EBS_CSI_ADDON_VERSION.version, storageClass: "gp3" });
        }
    });
    it("names the config path of a version the cluster cannot run, and of a bad value", () => {
        const unknown = parseStackConfig(withEdit("dev", (raw) => (raw.addons = { ebsCsi: { version: "v1.2.3-eksbuild.1" } })));
        expect(unknown.problems).toEqual([expect.objectContaining({ path: "addons.ebsCsi.version", message: expect.stringContaining("is not a version whose compatibility is known") })]);
        const bad = parseStackConfig(withEdit("dev", (raw) => (raw.addons = { ebsCsi: { enabled: "yes", version: "1.64" } })));
        expect(bad.problems!.map((p) => p.path)).toEqual(["addons.ebsCsi.enabled", "addons.ebsCsi.version"]);
        const typo = parseStackConfig(withEdit("dev", (raw) => (raw.addons = { ebsCSI: {} })));
        expect(typo.problems).toEqual([expect.objectContaining({ path: "addons", message: expect.stringContaining("ebsCSI") })]);
    });
});

describe.each(["dev", "prod"] as const)("the %s plan's storage", (stack) => {
    const plan = planOf(stack);
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const one = (type: string, pred?: (r: Res) => boolean) => exactlyOne(plan, type, pred);
    const addon = one("aws:eks/addon:Addon", (r) => r.inputs.addonName === "aws-ebs-csi-driver");

    it("holds the EBS CSI driver add-on at its pinned version with a Pod Identity association for its controller", () => {
        expect(addon.inputs.addonVersion).toBe(EBS_CSI_ADDON_VERSION.version);
        expect(addon.inputs.podIdentityAssociations).toHaveLength(1);
        const [assoc] = addon.inputs.podIdentityAssociations;
        expect(assoc.serviceAccount).toBe("ebs-csi-controller-sa");
        const role = one("aws:iam/role:Role", (r) => r.name === `pr-cybr-${stack}-ebs-csi-role`);
        expect(assoc.roleArn).toMatch(new RegExp(`:role/pr-cybr-${stack}-ebs-csi-role-`));
        const trust = JSON.parse(role.inputs.assumeRolePolicy).Statement[0];
        expect(trust.Principal).toEqual({ Service: "pods.eks.amazonaws.com" });
        const attachment = one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", (r) => r.dependsOn.includes(role.urn));
        expect(attachment.inputs.policyArn).toBe("arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicyV2");
        expect(plan.outputs.addons).toMatchObject({ "aws-ebs-csi-driver": EBS_CSI_ADDON_VERSION.version });
    });

    it("waits for Cilium and the node groups, never for CoreDNS (a fresh up runs it beside CoreDNS)", () => {
        const deps = addon.dependsOn.map((u) => byUrn.get(u)!);
        expect(deps.some((d) => d.type === "kubernetes:helm.sh/v3:Release" && d.name.endsWith("-cilium-release"))).toBe(true);
        expect(deps.some((d) => d.type === "aws:eks/nodeGroup:NodeGroup")).toBe(true);
        expect(deps.some((d) => d.type === "aws:eks/addon:Addon")).toBe(false);
    });

    it("has exactly one default StorageClass: gp3 through the driver, encrypted with the environment's key", () => {
        const classes = plan.resources.filter((r) => r.type === "kubernetes:storage.k8s.io/v1:StorageClass");
        const defaults = classes.filter((c) => c.inputs.metadata.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true");
        expect(defaults).toHaveLength(1);
        const sc = defaults[0].inputs;
        const key = one("aws:kms/key:Key", (r) => r.name === `pr-cybr-${stack}-secrets-key`);
        expect(sc.parameters.kmsKeyId).toMatch(/^arn:aws:kms:[a-z0-9-]+:\d{12}:key\//);
        expect(defaults[0].dependsOn).toContain(key.urn);
        expect([sc.provisioner, sc.parameters.type, sc.parameters.encrypted, sc.volumeBindingMode, sc.allowVolumeExpansion]).toEqual(["ebs.csi.aws.com", "gp3", "true", "WaitForFirstConsumer", true]);
        // The API server forbids updating these (a new key would fail every up): replaced, deleting first (fixed name).
        expect((defaults[0] as any).options).toMatchObject({ replaceOnChanges: ["parameters", "provisioner", "reclaimPolicy", "volumeBindingMode"], deleteBeforeReplace: true });
    });
});

describe("volume snapshots", () => {
    it("pins the snapshot-controller add-on for the cluster's version and refuses one it is not published for", () => {
        expect(() => validateSnapshotControllerArgs({ clusterName: "c", kubernetesVersion: "1.35" })).not.toThrow();
        expect(() => validateSnapshotControllerArgs({ clusterName: "c", kubernetesVersion: "1.29" })).toThrow(/addonVersion: snapshot-controller v8\.5\.0-eksbuild\.3 is not published for Kubernetes 1\.29/);
        expect(() => validateSnapshotControllerArgs({ clusterName: "c", kubernetesVersion: "1.35", snapshotClassName: "EBS" })).toThrow(/snapshotClassName: "EBS" is not a DNS label/);
    });

    it("refuses snapshots without the EBS CSI driver, naming both config paths", () => {
        const r = parseStackConfig(withEdit("dev", (raw) => (raw.addons = { ebsCsi: { enabled: false } })));
        expect(r.problems).toEqual([expect.objectContaining({ path: "addons.snapshots.enabled", message: expect.stringContaining("addons.ebsCsi is off") })]);
        expect(parseStackConfig(withEdit("dev", (raw) => (raw.addons = { ebsCsi: { enabled: false }, snapshots: { enabled: false } }))).problems).toBeUndefined();
    });

    it.each(["dev", "prod"] as const)("%s: the add-on at its pinned version before the default EBS VolumeSnapshotClass, beside the driver", (stack) => {
        const plan = planOf(stack);
        const addon = plan.resources.find((r) => r.type === "aws:eks/addon:Addon" && r.inputs.addonName === "snapshot-controller")!;
        expect(addon.inputs.addonVersion).toBe(SNAPSHOT_CONTROLLER_ADDON_VERSION.version);
        expect(addon.inputs.podIdentityAssociations).toBeUndefined();
        const classes = plan.resources.filter((r) => r.type === "kubernetes:snapshot.storage.k8s.io/v1:VolumeSnapshotClass");
        expect(classes).toHaveLength(1);
        expect(classes[0].inputs).toMatchObject({ driver: "ebs.csi.aws.com", deletionPolicy: "Delete", metadata: { name: "ebs-snapshots", annotations: { "snapshot.storage.kubernetes.io/is-default-class": "true" } } });
        // The class needs the add-on's CRD; the driver does not wait for the add-on: its snapshotter sidecar is forced on.
        expect(classes[0].dependsOn).toContain(addon.urn);
        const ebs = plan.resources.find((r) => r.type === "aws:eks/addon:Addon" && r.inputs.addonName === "aws-ebs-csi-driver")!;
        expect(ebs.dependsOn).not.toContain(addon.urn);
        expect(JSON.parse(ebs.inputs.configurationValues)).toEqual({ sidecars: { snapshotter: { forceEnable: true } } });
        expect(plan.outputs.addons["snapshot-controller"]).toBe(SNAPSHOT_CONTROLLER_ADDON_VERSION.version);
    });
});

describe("metrics-server", () => {
    it("pins the community add-on for the cluster's version and names the config path otherwise", () => {
        expect(() => validateMetricsServerArgs({ clusterName: "c", kubernetesVersion: "1.35" })).not.toThrow();
        const r = parseStackConfig(withEdit("dev", (raw) => (raw.addons = { metricsServer: { version: "v0.7.0-eksbuild.1" } })));
        expect(r.problems).toEqual([expect.objectContaining({ path: "addons.metricsServer.version", message: expect.stringContaining("is not a version whose compatibility is known") })]);
    });

    it.each(["dev", "prod"] as const)("%s: holds it at its pinned version, after Cilium and the nodes, not CoreDNS", (stack) => {
        const plan = planOf(stack);
        const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
        const addon = plan.resources.find((r) => r.type === "aws:eks/addon:Addon" && r.inputs.addonName === "metrics-server")!;
        expect(addon.inputs.addonVersion).toBe(METRICS_SERVER_ADDON_VERSION.version);
        const deps = addon.dependsOn.map((u) => byUrn.get(u)!);
        expect(deps.some((d) => d.type === "aws:eks/nodeGroup:NodeGroup")).toBe(true);
        expect(deps.some((d) => d.type === "aws:eks/addon:Addon")).toBe(false);
    });
});

describe("Karpenter", () => {
    const chartValues = parseYaml(fs.readFileSync(path.join(ROOT, "test", "fixtures", "schemas", "karpenter-1.13.1-values.yaml"), "utf8"));
    /** Keys of `value` the chart's values.yaml does not have (under maps the chart leaves open, like resources, anything goes). */
    const unknown = (value: any, known: any, at = ""): string[] =>
        Object.entries(value).flatMap(([k, v]) => {
            if (!known || typeof known !== "object" || !(k in known)) return [`${at}${k}`];
            const open = known[k] && typeof known[k] === "object" && Object.keys(known[k]).length === 0;
            return v && typeof v === "object" && !Array.isArray(v) && !open ? unknown(v, known[k], `${at}${k}.`) : [];
        });

    it("sets only keys the pinned chart's values.yaml has", () => {
        expect(unknown(karpenterValues({ clusterName: "c", queueName: "q", replicas: 2 }), chartValues)).toEqual([]);
    });

    it.each(["dev", "prod"] as const)("%s: the controller on Pod Identity, its nodes' role with an access entry, the interruption queue fed by EventBridge", (stack) => {
        const plan = planOf(stack);
        const byType = (type: string) => plan.resources.filter((r) => r.type === type && r.name.startsWith(`pr-cybr-${stack}-karpenter`));
        const [release] = byType("kubernetes:helm.sh/v3:Release");
        expect(release.inputs).toMatchObject({ chart: "oci://public.ecr.aws/karpenter/karpenter", version: KARPENTER_CHART_VERSION.version, namespace: "kube-system", skipAwait: false });
        const [queue] = byType("aws:sqs/queue:Queue");
        expect(release.inputs.values.settings).toEqual({ clusterName: `pr-cybr-${stack}`, interruptionQueue: queue.inputs.name });
        const [association] = byType("aws:eks/podIdentityAssociation:PodIdentityAssociation");
        expect(association.inputs).toMatchObject({ namespace: "kube-system", serviceAccount: "karpenter", roleArn: expect.stringMatching(new RegExp(`:role/pr-cybr-${stack}-karpenter-controller-role-`)) });
        expect(release.dependsOn).toContain(association.urn);
        const [access] = byType("aws:eks/accessEntry:AccessEntry");
        expect(access.inputs).toMatchObject({ type: "EC2_LINUX", principalArn: expect.stringMatching(new RegExp(`:role/pr-cybr-${stack}-karpenter-node-role-`)) });
        const rules = byType("aws:cloudwatch/eventRule:EventRule").map((r) => JSON.parse(r.inputs.eventPattern)["detail-type"][0]).sort();
        expect(rules).toEqual(["AWS Health Event", "EC2 Capacity Reservation Instance Interruption Warning", "EC2 Instance Rebalance Recommendation", "EC2 Instance State-change Notification", "EC2 Spot Instance Interruption Warning"]);
        expect(byType("aws:cloudwatch/eventTarget:EventTarget").every((t) => t.inputs.arn === queue.inputs.name || String(t.inputs.arn).endsWith(`:${queue.inputs.name}`))).toBe(true);
        for (const r of byType("aws:cloudwatch/eventRule:EventRule")) expect(r.inputs.name ?? r.name.length + 8).toBeLessThanOrEqual(64);
    });

    it.each(["dev", "prod"] as const)("%s: NodePools per architecture and capacity type with Cilium's startup taint, one EC2NodeClass with hop limit 1 and the environment's key", (stack) => {
        const plan = planOf(stack);
        const pools = plan.resources.filter((r) => r.type === "kubernetes:karpenter.sh/v1:NodePool").map((r) => r.inputs);
        const req = (p: any, key: string) => p.spec.template.spec.requirements.find((r: any) => r.key === key).values;
        expect(pools.map((p) => [p.metadata.name, req(p, "kubernetes.io/arch")[0], req(p, "karpenter.sh/capacity-type")[0]]).sort()).toEqual(
            stack === "dev" ? [["arm64-on-demand", "arm64", "on-demand"], ["arm64-spot", "arm64", "spot"]] : [["amd64-on-demand", "amd64", "on-demand"], ["arm64-on-demand", "arm64", "on-demand"]],
        );
        for (const p of pools) {
            expect(p.spec.template.spec.startupTaints).toEqual([{ key: "node.cilium.io/agent-not-ready", value: "true", effect: "NoExecute" }]);
            expect(p.spec.template.spec.taints).toBeUndefined();
            expect(p.spec.limits).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
        }
        const classes = plan.resources.filter((r) => r.type === "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass");
        expect(classes).toHaveLength(1);
        const spec = classes[0].inputs.spec;
        expect(spec.metadataOptions).toEqual({ httpEndpoint: "enabled", httpProtocolIPv6: "disabled", httpPutResponseHopLimit: 1, httpTokens: "required" });
        const key = plan.resources.find((r) => r.type === "aws:kms/key:Key" && r.name === `pr-cybr-${stack}-secrets-key`)!;
        expect(classes[0].dependsOn).toContain(key.urn);
        expect(spec.blockDeviceMappings[0].ebs).toMatchObject({ encrypted: true, volumeType: "gp3", kmsKeyID: expect.stringMatching(/^arn:aws:kms:/) });
        expect(spec.tags).toMatchObject({ environment: stack, project: "pr-cybr-platform" });
        expect(spec.subnetSelectorTerms).toHaveLength(stack === "dev" ? 2 : 3); // one private subnet per AZ
    });

    it("names the config path of a bad NodePool", () => {
        const r = parseStackConfig(withEdit("dev", (raw) => (raw.addons = { autoscaler: { nodePools: [{ name: "x", arch: "arm64", capacityType: "preemptible", limits: { cpu: "0", memory: "8Gi" } }] } })));
        expect(r.problems!.map((p) => p.path)).toEqual(["addons.autoscaler.nodePools[0].capacityType", "addons.autoscaler.nodePools[0].limits.cpu"]);
        const none = parseStackConfig(withEdit("dev", (raw) => (raw.addons = { autoscaler: { nodePools: [] } })));
        expect(none.problems).toEqual([expect.objectContaining({ path: "addons.autoscaler.nodePools", message: expect.stringContaining("is empty") })]);
    });
});

describe("container logs", () => {
    const chartValues = parseYaml(fs.readFileSync(path.join(ROOT, "test", "fixtures", "schemas", "fluent-bit-0.58.1-values.yaml"), "utf8"));
    it("sets only keys the pinned fluent-bit chart's values.yaml has, and never lets Fluent Bit create groups", () => {
        const values = fluentBitValues({ region: "us-east-1", logGroupName: "/pr-cybr/dev/eks/containers" });
        for (const [k, v] of Object.entries(values)) {
            expect([k, k in chartValues]).toEqual([k, true]);
            if (v && typeof v === "object" && Object.keys(chartValues[k] ?? {}).length > 0) for (const inner of Object.keys(v)) expect([`${k}.${inner}`, inner in chartValues[k]]).toEqual([`${k}.${inner}`, true]);
        }
        expect(values.config.outputs).toMatch(/^\s+auto_create_group Off$/m);
        expect(values.config.outputs).toMatch(/^\s+log_group_name \/pr-cybr\/dev\/eks\/containers$/m);
    });

    it.each([["dev", 30], ["prod", 365]] as const)("%s: the environment's log group with retention %i days, Fluent Bit on Pod Identity", (stack, days) => {
        const plan = planOf(stack);
        const group = plan.resources.find((r) => r.name === `pr-cybr-${stack}-container-logs-group`)!;
        expect(group.inputs).toMatchObject({ name: `/pr-cybr/${stack}/eks/containers`, retentionInDays: days });
        const release = plan.resources.find((r) => r.name === `pr-cybr-${stack}-container-logs-release`)!;
        expect(release.inputs).toMatchObject({ chart: "fluent-bit", version: FLUENT_BIT_CHART_VERSION.version, namespace: "kube-system" });
        const association = plan.resources.find((r) => r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation" && r.inputs.serviceAccount === "fluent-bit")!;
        expect(release.dependsOn).toContain(association.urn);
    });
});
