// The add-on contract (components/addons/addon.ts), the EBS CSI driver and its StorageClass, and the
// composition of add-ons from config (stacks/addons.ts): in the plans dev and prod synthesize.
import * as fs from "fs";
import { compatibilityProblem, dependenciesOf, EBS_CSI_ADDON_VERSION, ebsCsiKmsPolicy, ebsCsiSpec, gp3StorageClass, validateEbsCsiDriverArgs } from "../components/addons";
import { parseStackConfig } from "../stacks/config";
import { sharedPlan } from "./helpers/cli";
import { withEdit } from "./helpers/config";
import { promiseOf } from "./helpers/outputs";
import * as pulumi from "@pulumi/pulumi";

interface Res {
    urn: string;
    type: string;
    name: string;
    dependsOn: string[];
    inputs: any;
}
const planOf = (stack: "dev" | "prod"): { resources: Res[]; outputs: any } => JSON.parse(fs.readFileSync(sharedPlan(stack), "utf8"));

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
    const one = (type: string, pred: (r: Res) => boolean = () => true) => {
        const found = plan.resources.filter((r) => r.type === type && pred(r));
        expect(found).toHaveLength(1);
        return found[0];
    };
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
