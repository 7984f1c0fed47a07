import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { isDnsLabel } from "../shared/names";
import { Tags } from "../shared/tags";
import { ArgProblem, throwIfProblems } from "../shared/validation";
import { AddonSpec, ClusterAddon, pinnedVersionProblem, PinnedVersion } from "./addon";
import { EBS_CSI_PROVISIONER } from "./ebs-csi";

/**
 * The pinned EKS add-on version of the CSI snapshot controller: external-snapshotter v8.5.0
 * (kubernetes-csi/external-snapshotter tag v8.5.0, commit 5aab051d1af135e2c852f6fb7fc27fa709d877bf; the
 * project supports Kubernetes 1.25 and later, README "Compatibility"). The add-on installs the
 * snapshot CRDs with the controller (EKS user guide, "Enable snapshot functionality for CSI volumes",
 * awsdocs/amazon-eks-user-guide latest/ug/storage/csi-snapshot-controller.adoc at 4d52b4d0) and needs no
 * IAM ("Required IAM permissions: none", workloads/eks-add-ons.adoc). The build, v8.5.0-eksbuild.3, is
 * not verified against a primary source: AWS publishes add-on builds only through the
 * DescribeAddonVersions API (the user guide names builds only in passing, none for 8.5; botocore carries
 * none), and there is no AWS account here. Public configurations pinning EKS 1.35 add-ons list
 * v8.5.0-eksbuild.3 for 1.35, and later ones v8.5.0-eksbuild.4 and .5. Before the first `up`, and per
 * bump, run `aws eks describe-addon-versions --addon-name snapshot-controller --kubernetes-version <1.NN>`.
 */
export const SNAPSHOT_CONTROLLER_ADDON_VERSION: PinnedVersion = {
    version: "v8.5.0-eksbuild.3",
    kubernetesVersions: ["1.31", "1.32", "1.33", "1.34", "1.35"],
    source: "aws eks describe-addon-versions --addon-name snapshot-controller",
};

export const SNAPSHOT_CONTROLLER_ADDON_VERSIONS: readonly PinnedVersion[] = [SNAPSHOT_CONTROLLER_ADDON_VERSION];

/** The external-snapshotter release the pinned add-on ships (its CRDs are vendored for the kube suite at this tag). */
export const EXTERNAL_SNAPSHOTTER_VERSION = "v8.5.0";

/** Velero's CSI support picks the class carrying this label for a driver (velero docs, "Container Storage Interface Snapshot Support"). */
export const VELERO_SNAPSHOT_CLASS_LABEL = "velero.io/csi-volumesnapshot-class";

/**
 * The default VolumeSnapshotClass for EBS volumes (snapshot.storage.k8s.io/v1: `driver` and
 * `deletionPolicy` required). The driver copies the volume's encryption to the snapshot (EBS encrypts a
 * snapshot of an encrypted volume with the volume's key), so no parameter is needed for the key.
 */
export function ebsVolumeSnapshotClass(name: string, deletionPolicy: "Delete" | "Retain") {
    return {
        apiVersion: "snapshot.storage.k8s.io/v1" as const,
        kind: "VolumeSnapshotClass" as const,
        metadata: { name, annotations: { "snapshot.storage.kubernetes.io/is-default-class": "true" }, labels: { [VELERO_SNAPSHOT_CLASS_LABEL]: "true" } },
        driver: EBS_CSI_PROVISIONER,
        deletionPolicy,
    };
}

export interface SnapshotControllerArgs {
    /** The cluster's name. Required. */
    readonly clusterName: pulumi.Input<string>;
    /** The cluster's Kubernetes version, "1.NN", checked against the pinned version. Required. */
    readonly kubernetesVersion: string;
    /** The EKS add-on version. Defaults to SNAPSHOT_CONTROLLER_ADDON_VERSION.version. */
    readonly addonVersion?: string;
    /** The VolumeSnapshotClass's name. Defaults to "ebs-snapshots". */
    readonly snapshotClassName?: string;
    /** What happens to the EBS snapshot when its VolumeSnapshot is deleted. Defaults to "Delete". */
    readonly deletionPolicy?: "Delete" | "Retain";
    /** Tags on the add-on. Defaults to {}. */
    readonly tags?: Tags;
}

export const SNAPSHOT_CONTROLLER_DEFAULTS = { addonVersion: SNAPSHOT_CONTROLLER_ADDON_VERSION.version, snapshotClassName: "ebs-snapshots", deletionPolicy: "Delete" as const, tags: {} as Tags };

/** Pure check of SnapshotControllerArgs; throws every problem at once. */
export function validateSnapshotControllerArgs(args: SnapshotControllerArgs): void {
    const problems: ArgProblem[] = [];
    const version = args.addonVersion ?? SNAPSHOT_CONTROLLER_DEFAULTS.addonVersion;
    const versionProblem = pinnedVersionProblem({ addon: "snapshot-controller", path: "addonVersion", version, known: SNAPSHOT_CONTROLLER_ADDON_VERSIONS, knownName: "SNAPSHOT_CONTROLLER_ADDON_VERSIONS", kubernetesVersion: args.kubernetesVersion });
    if (versionProblem) problems.push(versionProblem);
    const name = args.snapshotClassName ?? SNAPSHOT_CONTROLLER_DEFAULTS.snapshotClassName;
    if (!isDnsLabel(name)) problems.push({ path: "snapshotClassName", reason: `"${name}" is not a DNS label (lowercase letters, digits and '-')` });
    throwIfProblems("SnapshotController", problems);
}

/** The add-on's declared contract: a controller Deployment in kube-system, no AWS credentials. */
export function snapshotControllerSpec(version: string): AddonSpec {
    return {
        name: "snapshot-controller",
        version,
        kubernetesVersions: (SNAPSHOT_CONTROLLER_ADDON_VERSIONS.find((v) => v.version === version) ?? SNAPSHOT_CONTROLLER_ADDON_VERSION).kubernetesVersions,
        namespace: "kube-system",
        podIdentity: [],
        // Its pods need addresses and nodes; it talks only to the API server (by service IP), never DNS.
        needs: ["pod-network", "nodes"],
    };
}

/**
 * Volume snapshots: the `snapshot-controller` EKS add-on (the controller and the snapshot CRDs) and the
 * default VolumeSnapshotClass of the EBS CSI driver, whose `csi-snapshotter` sidecar takes the
 * snapshots. The class waits for the add-on (its CRD); the EBS CSI add-on does not need to: its
 * sidecar is enabled whatever CRDs exist at install (EbsCsiDriver's configuration) and its informers
 * retry until the CRDs are there.
 */
export class SnapshotController extends pulumi.ComponentResource implements ClusterAddon {
    public readonly spec: AddonSpec;
    public readonly ready: pulumi.Resource[];
    public readonly snapshotClassName: string;

    constructor(name: string, args: SnapshotControllerArgs, opts?: pulumi.ComponentResourceOptions) {
        validateSnapshotControllerArgs(args);
        super("pr-cybr:addons:SnapshotController", name, {}, opts);
        const d = SNAPSHOT_CONTROLLER_DEFAULTS;
        const version = args.addonVersion ?? d.addonVersion;
        this.spec = snapshotControllerSpec(version);

        const addon = new aws.eks.Addon(
            `${name}-addon`,
            {
                clusterName: args.clusterName,
                addonName: this.spec.name,
                addonVersion: version,
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "OVERWRITE",
                tags: { ...d.tags, ...args.tags, Name: `${name}-addon` },
            },
            // Options do not flow to children: forward the prerequisites.
            { parent: this, dependsOn: opts?.dependsOn },
        );

        this.snapshotClassName = args.snapshotClassName ?? d.snapshotClassName;
        const snapshotClass = new k8s.apiextensions.CustomResource(`${name}-${this.snapshotClassName}`, ebsVolumeSnapshotClass(this.snapshotClassName, args.deletionPolicy ?? d.deletionPolicy), {
            parent: this,
            // The CRD comes with the add-on.
            dependsOn: [addon],
        });

        this.ready = [addon, snapshotClass];
        this.registerOutputs({ addonVersion: addon.addonVersion, snapshotClassName: this.snapshotClassName });
    }
}
