import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { podIdentityTrustPolicy } from "../shared/iam";
import { isDnsLabel } from "../shared/names";
import { Tags } from "../shared/tags";
import { ArgProblem, throwIfProblems } from "../shared/validation";
import { AddonSpec, ClusterAddon, pinnedVersionProblem, forwardedDependsOn, PinnedVersion } from "./addon";

/**
 * The pinned EKS add-on version of the EBS CSI driver (driver v1.64.0, the newest release of
 * kubernetes-sigs/aws-ebs-csi-driver at 429e202e589798e55c0f8ddcc81b2850b7f000d0, CHANGELOG.md). Its
 * README ("Compatibility") supports every Kubernetes version the Kubernetes project or EKS supports;
 * EKS publishes each add-on build per cluster version: confirm a bump with
 * `aws eks describe-addon-versions --addon-name aws-ebs-csi-driver --kubernetes-version <1.NN>`
 * (EKS user guide, "Retrieve IAM information about an Amazon EKS add-on").
 */
export const EBS_CSI_ADDON_VERSION: PinnedVersion = {
    version: "v1.64.0-eksbuild.1",
    kubernetesVersions: ["1.30", "1.31", "1.32", "1.33", "1.34", "1.35"],
    source: "aws eks describe-addon-versions --addon-name aws-ebs-csi-driver",
};

/** The versions this component knows the compatibility of; a config may choose any of them. */
export const EBS_CSI_ADDON_VERSIONS: readonly PinnedVersion[] = [EBS_CSI_ADDON_VERSION];

/** The controller's service account in the add-on (docs/install.md, "EKS Pod Identity"). */
export const EBS_CSI_CONTROLLER_SERVICE_ACCOUNT = "ebs-csi-controller-sa";
export const EBS_CSI_NAMESPACE = "kube-system";
export const EBS_CSI_PROVISIONER = "ebs.csi.aws.com";

/**
 * AWS's managed policy for the driver: V2 scopes every volume and snapshot write to resources tagged
 * `ebs.csi.aws.com/cluster: true`, which the driver applies itself (docs/install.md, "Set up driver
 * permissions", and docs/AmazonEBSCSIDriverPolicyV2.json at 429e202e); the older
 * AmazonEBSCSIDriverPolicy may delete any volume tagged with a PVC name. A service-role/ policy.
 */
export const EBS_CSI_MANAGED_POLICY = "service-role/AmazonEBSCSIDriverPolicyV2";

/**
 * KMS actions the driver needs for volumes encrypted with a customer-managed key (docs/install.md,
 * "Encrypted EBS Volumes via KMS": Decrypt, GenerateDataKeyWithoutPlaintext, CreateGrant); DescribeKey
 * is what EC2 calls to validate `kmsKeyId` on CreateVolume.
 */
export const EBS_CSI_KMS_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"] as const;

/**
 * The driver's KMS permissions on the one key, least privilege: only through EC2 in this region
 * (`kms:ViaService`: EBS makes these calls on the driver's behalf), and grants only for AWS resources
 * (the grant EC2 uses to attach the volume).
 */
export function ebsCsiKmsPolicy(keyArn: pulumi.Input<string>, region: pulumi.Input<string>): pulumi.Output<string> {
    const viaEc2 = { "kms:ViaService": pulumi.interpolate`ec2.${region}.amazonaws.com` };
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            { Sid: "UseTheVolumeKeyThroughEc2", Effect: "Allow", Action: [...EBS_CSI_KMS_ACTIONS], Resource: keyArn, Condition: { StringEquals: viaEc2 } },
            { Sid: "GrantsForEbsOnly", Effect: "Allow", Action: "kms:CreateGrant", Resource: keyArn, Condition: { StringEquals: viaEc2, Bool: { "kms:GrantIsForAWSResource": "true" } } },
        ],
    });
}

/**
 * The default StorageClass (docs/parameters.md at 429e202e: `type`, `encrypted`, `kmsKeyId` the full
 * key ARN): gp3, encrypted with the environment's key, bound when the first pod is scheduled (so the
 * volume is created in that pod's zone: "Volume Availability Zone and Topologies"), expandable.
 */
export function gp3StorageClass(name: string, keyArn: pulumi.Input<string>, isDefault: boolean) {
    return {
        apiVersion: "storage.k8s.io/v1" as const,
        kind: "StorageClass" as const,
        metadata: { name, annotations: { "storageclass.kubernetes.io/is-default-class": String(isDefault) } },
        provisioner: EBS_CSI_PROVISIONER,
        parameters: { type: "gp3", encrypted: "true", kmsKeyId: keyArn, "csi.storage.k8s.io/fstype": "ext4" },
        reclaimPolicy: "Delete",
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
    };
}

/**
 * The add-on's configuration: the `csi-snapshotter` sidecar on whatever CRDs exist when it installs.
 * The chart renders the sidecar only when the snapshot API exists at install time or `forceEnable` is
 * set (charts/aws-ebs-csi-driver/templates/controller.yaml at 429e202e), which is why docs/install.md
 * says to install the snapshot CRDs **before** the driver; forced on, the sidecar's informers retry
 * until the snapshot-controller add-on's CRDs arrive (aws/containers-roadmap#1919: only log lines
 * meanwhile), so the two add-ons install side by side instead of one after the other.
 */
export const EBS_CSI_CONFIGURATION = { sidecars: { snapshotter: { forceEnable: true } } };

export interface EbsCsiDriverArgs {
    /** The cluster's name. Required. */
    readonly clusterName: pulumi.Input<string>;
    /** The cluster's ARN (the Pod Identity trust names it). Required. */
    readonly clusterArn: pulumi.Input<string>;
    /** The cluster's Kubernetes version, "1.NN", checked against the pinned version. Required. */
    readonly kubernetesVersion: string;
    /** The customer-managed KMS key volumes are encrypted with (the environment's key). Required. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** The EKS add-on version. Defaults to EBS_CSI_ADDON_VERSION.version. */
    readonly addonVersion?: string;
    /** The StorageClass's name. Defaults to "gp3". */
    readonly storageClassName?: string;
    /** Whether the StorageClass is the cluster's default. Defaults to true. */
    readonly defaultStorageClass?: boolean;
    /** Tags on the role and the add-on. Defaults to {}. */
    readonly tags?: Tags;
}

export const EBS_CSI_DRIVER_DEFAULTS = { addonVersion: EBS_CSI_ADDON_VERSION.version, storageClassName: "gp3", defaultStorageClass: true, tags: {} as Tags };

/** Pure check of EbsCsiDriverArgs; throws every problem at once. */
export function validateEbsCsiDriverArgs(args: EbsCsiDriverArgs): void {
    const problems: ArgProblem[] = [];
    const version = args.addonVersion ?? EBS_CSI_DRIVER_DEFAULTS.addonVersion;
    const versionProblem = pinnedVersionProblem({ addon: "aws-ebs-csi-driver", path: "addonVersion", version, known: EBS_CSI_ADDON_VERSIONS, knownName: "EBS_CSI_ADDON_VERSIONS", kubernetesVersion: args.kubernetesVersion });
    if (versionProblem) problems.push(versionProblem);
    const sc = args.storageClassName ?? EBS_CSI_DRIVER_DEFAULTS.storageClassName;
    if (!isDnsLabel(sc)) problems.push({ path: "storageClassName", reason: `"${sc}" is not a DNS label (lowercase letters, digits and '-')` });
    throwIfProblems("EbsCsiDriver", problems);
}

/** The add-on's declared contract. */
export function ebsCsiSpec(version: string): AddonSpec {
    return {
        name: "aws-ebs-csi-driver",
        version,
        kubernetesVersions: (EBS_CSI_ADDON_VERSIONS.find((v) => v.version === version) ?? EBS_CSI_ADDON_VERSION).kubernetesVersions,
        namespace: EBS_CSI_NAMESPACE,
        podIdentity: [{ namespace: EBS_CSI_NAMESPACE, serviceAccount: EBS_CSI_CONTROLLER_SERVICE_ACCOUNT }],
        // Its pods need addresses and nodes; not cluster DNS: the controller reaches the API server by the
        // service IP and EC2 only when a volume is provisioned (it retries until CoreDNS answers).
        needs: ["pod-network", "nodes"],
    };
}

/**
 * The EBS CSI driver as an EKS add-on with its IAM through an EKS Pod Identity association on the
 * add-on (CreateAddon's podIdentityAssociations: EKS creates it and deletes it with the add-on;
 * terraform-provider-aws internal/service/eks/addon.go at 00a35305 reads it back through
 * DescribePodIdentityAssociation), and the default gp3 StorageClass on the environment's key.
 * `addonName` and `clusterName` force replacement (ForceNew in that file); the version and the
 * associations update in place.
 */
export class EbsCsiDriver extends pulumi.ComponentResource implements ClusterAddon {
    public readonly spec: AddonSpec;
    public readonly ready: pulumi.Resource[];
    public readonly roleArn: pulumi.Output<string>;
    public readonly storageClassName: string;
    public readonly addon: aws.eks.Addon;

    constructor(name: string, args: EbsCsiDriverArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before super(): invalid args must not leave even the component registered.
        validateEbsCsiDriverArgs(args);
        super("pr-cybr:addons:EbsCsiDriver", name, {}, opts);
        const d = EBS_CSI_DRIVER_DEFAULTS;
        const tags = { ...d.tags, ...args.tags };
        const version = args.addonVersion ?? d.addonVersion;
        this.spec = ebsCsiSpec(version);
        const invoke = { parent: this };
        const account = aws.getCallerIdentityOutput({}, invoke).accountId;
        const partition = aws.getPartitionOutput({}, invoke).partition;
        const region = aws.getRegionOutput({}, invoke).region;

        const role = new aws.iam.Role(
            `${name}-role`,
            { description: "EBS CSI driver controller (EKS Pod Identity)", assumeRolePolicy: podIdentityTrustPolicy({ account, clusterArn: args.clusterArn, serviceAccount: { namespace: EBS_CSI_NAMESPACE, name: EBS_CSI_CONTROLLER_SERVICE_ACCOUNT } }), tags: { ...tags, Name: `${name}-role` } },
            { parent: this },
        );
        const managed = new aws.iam.RolePolicyAttachment(`${name}-managed`, { role: role.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/${EBS_CSI_MANAGED_POLICY}` }, { parent: this });
        const kms = new aws.iam.RolePolicy(`${name}-kms`, { role: role.id, policy: ebsCsiKmsPolicy(args.kmsKeyArn, region) }, { parent: this });

        const addon = new aws.eks.Addon(
            `${name}-addon`,
            {
                clusterName: args.clusterName,
                addonName: this.spec.name,
                addonVersion: version,
                podIdentityAssociations: [{ roleArn: role.arn, serviceAccount: EBS_CSI_CONTROLLER_SERVICE_ACCOUNT }],
                configurationValues: JSON.stringify(EBS_CSI_CONFIGURATION),
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "OVERWRITE",
                tags: { ...tags, Name: `${name}-addon` },
            },
            // Options do not flow to children: forward the prerequisites; the role's policies come first so
            // the controller never starts with a role that cannot yet act.
            { parent: this, dependsOn: [...forwardedDependsOn(opts?.dependsOn), managed, kms] },
        );

        // A StorageClass needs no driver to be stored: it does not wait (PVCs bind once the driver runs).
        const storageClassName = args.storageClassName ?? d.storageClassName;
        const sc = gp3StorageClass(storageClassName, args.kmsKeyArn, args.defaultStorageClass ?? d.defaultStorageClass);
        // Kubernetes forbids updates to these fields (ValidateStorageClassUpdate): a change replaces the class,
        // deleting first because its name is fixed. Existing PVs keep their volumes (they name no class object).
        const storageClass = new k8s.storage.v1.StorageClass(`${name}-${storageClassName}`, sc, {
            parent: this,
            replaceOnChanges: ["parameters", "provisioner", "reclaimPolicy", "volumeBindingMode"],
            deleteBeforeReplace: true,
        });

        this.addon = addon;
        this.roleArn = role.arn;
        this.storageClassName = storageClassName;
        this.ready = [addon, storageClass];
        this.registerOutputs({ roleArn: this.roleArn, addonVersion: addon.addonVersion, storageClassName });
    }
}
