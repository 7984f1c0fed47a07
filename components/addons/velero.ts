import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { podIdentityTrustPolicy } from "../shared/iam";
import { privateBucket } from "../shared/private-bucket";
import { Tags } from "../shared/tags";
import { ArgProblem, throwIfProblems } from "../shared/validation";
import { AddonSpec, ClusterAddon, pinnedVersionProblem, PinnedVersion } from "./addon";

/**
 * The Velero chart (vmware-tanzu/helm-charts, tag velero-11.4.0 at d3c3d645a0249d26ad1d7b41b3a53634fd377940,
 * appVersion 1.17.1). Velero's compatibility matrix (vmware-tanzu/velero README, "Velero compatibility
 * matrix") gives 1.17 "Expected Kubernetes version compatibility 1.18-latest", tested on 1.31.7,
 * 1.32.3, 1.33.1 and 1.34.0; the chart's `kubeVersion` is >=1.16.0-0. Velero 1.18 (chart 12.x) needs
 * plugin 1.14.x, of which only a release candidate could be read here: bump both together.
 */
export const VELERO_CHART: PinnedVersion = {
    version: "11.4.0",
    kubernetesVersions: ["1.30", "1.31", "1.32", "1.33", "1.34", "1.35"],
    source: "vmware-tanzu/velero README.md, Velero compatibility matrix (1.17: 1.18-latest)",
};
export const VELERO_CHART_VERSIONS: readonly PinnedVersion[] = [VELERO_CHART];
export const VELERO_CHART_REPOSITORY = "https://vmware-tanzu.github.io/helm-charts";
/**
 * The AWS plugin for Velero 1.17: "v1.13.x | v1.17.x" (vmware-tanzu/velero-plugin-for-aws README.md,
 * Compatibility, at v1.13.2 = 18469e7).
 */
export const VELERO_AWS_PLUGIN_IMAGE = "velero/velero-plugin-for-aws:v1.13.2";
export const VELERO_NAMESPACE = "velero";
/** The server's service account (the chart's `<fullname>-server`, set explicitly). */
export const VELERO_SERVICE_ACCOUNT = "velero-server";
export const VELERO_LOCATION = "default";

/** Chart values (velero-11.4.0 values.yaml): the AWS plugin, no credentials Secret (Pod Identity), one storage and one snapshot location. */
export function veleroValues(args: { bucket: pulumi.Input<string>; region: pulumi.Input<string> }): Record<string, unknown> {
    return {
        initContainers: [{ name: "velero-plugin-for-aws", image: VELERO_AWS_PLUGIN_IMAGE, imagePullPolicy: "IfNotPresent", volumeMounts: [{ mountPath: "/target", name: "plugins" }] }],
        // The AWS SDK's default chain finds the Pod Identity agent's credentials: no key file, no Secret.
        credentials: { useSecret: false },
        serviceAccount: { server: { create: true, name: VELERO_SERVICE_ACCOUNT } },
        backupsEnabled: true,
        snapshotsEnabled: true,
        deployNodeAgent: false,
        configuration: {
            // No kmsKeyId: uploads name no encryption and get the bucket's default, the environment key (the
            // bucket refuses only uploads naming another). Naming the key here would put its ARN, unknown until
            // the key exists, into the values, which no-plaintext-secrets then cannot judge in a preview.
            backupStorageLocation: [{ name: VELERO_LOCATION, provider: "aws", bucket: args.bucket, default: true, config: { region: args.region } }],
            volumeSnapshotLocation: [{ name: VELERO_LOCATION, provider: "aws", config: { region: args.region } }],
        },
    };
}

/** S3 actions of the plugin's object store (velero-plugin-for-aws README.md at v1.13.2, "Set permissions for Velero"). */
export const VELERO_OBJECT_ACTIONS = ["s3:GetObject", "s3:DeleteObject", "s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"] as const;

/**
 * Least privilege for the server: its bucket's objects and listing; the environment key only through
 * S3 (the bucket's encryption) and EC2 (encrypted volumes restored from snapshots, as the EBS CSI
 * driver); EBS snapshots it creates and deletes only those Velero tagged (`velero.io/backup`, which
 * Velero puts on every snapshot: the plugin's CreateSnapshot copies the backup's tags,
 * velero-plugin-for-aws/volume_snapshotter.go getTags at v1.13.2); tags only while creating.
 */
export function veleroPolicy(args: { bucketArn: pulumi.Input<string>; kmsKeyArn: pulumi.Input<string>; region: pulumi.Input<string>; partition: pulumi.Input<string>; account: pulumi.Input<string> }): pulumi.Output<string> {
    const ec2 = (resource: string) => pulumi.interpolate`arn:${args.partition}:ec2:${args.region}:${args.account}:${resource}`;
    const ec2Snapshot = pulumi.interpolate`arn:${args.partition}:ec2:${args.region}::snapshot/*`;
    const viaEc2 = { "kms:ViaService": pulumi.interpolate`ec2.${args.region}.amazonaws.com` };
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            { Sid: "BackupObjects", Effect: "Allow", Action: [...VELERO_OBJECT_ACTIONS], Resource: pulumi.interpolate`${args.bucketArn}/*` },
            { Sid: "ListTheBucket", Effect: "Allow", Action: "s3:ListBucket", Resource: args.bucketArn },
            { Sid: "TheBucketsKeyThroughS3", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: args.kmsKeyArn, Condition: { StringEquals: { "kms:ViaService": pulumi.interpolate`s3.${args.region}.amazonaws.com` } } },
            { Sid: "DescribeVolumesAndSnapshots", Effect: "Allow", Action: ["ec2:DescribeVolumes", "ec2:DescribeSnapshots"], Resource: "*" },
            { Sid: "SnapshotAndRestoreVolumes", Effect: "Allow", Action: ["ec2:CreateSnapshot", "ec2:CreateVolume"], Resource: [ec2("volume/*"), ec2Snapshot] },
            { Sid: "TagWhileCreating", Effect: "Allow", Action: "ec2:CreateTags", Resource: [ec2("volume/*"), ec2Snapshot], Condition: { StringEquals: { "ec2:CreateAction": ["CreateSnapshot", "CreateVolume"] } } },
            { Sid: "DeleteOnlyVeleroSnapshots", Effect: "Allow", Action: "ec2:DeleteSnapshot", Resource: ec2Snapshot, Condition: { Null: { "ec2:ResourceTag/velero.io/backup": "false" } } },
            { Sid: "VolumeKeyThroughEc2", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"], Resource: args.kmsKeyArn, Condition: { StringEquals: viaEc2 } },
            { Sid: "GrantsForEbsOnly", Effect: "Allow", Action: "kms:CreateGrant", Resource: args.kmsKeyArn, Condition: { StringEquals: viaEc2, Bool: { "kms:GrantIsForAWSResource": "true" } } },
        ],
    });
}

/** The environment's backup schedule as a Velero Schedule (velero.io/v1, schedules.yaml of the chart's CRDs). */
export function veleroSchedule(args: { name: string; cron: string; retentionDays: number }) {
    return {
        apiVersion: "velero.io/v1" as const,
        kind: "Schedule" as const,
        metadata: { name: args.name, namespace: VELERO_NAMESPACE },
        spec: {
            schedule: args.cron,
            // Backups outlive their Schedule: deleting the schedule must not garbage-collect them.
            useOwnerReferencesInBackup: false,
            template: {
                includedNamespaces: ["*"],
                snapshotVolumes: true,
                storageLocation: VELERO_LOCATION,
                volumeSnapshotLocations: [VELERO_LOCATION],
                ttl: `${args.retentionDays * 24}h0m0s`,
            },
        },
    };
}

/** A five-field cron expression (Velero's `schedule`, robfig/cron's standard parser) or a @-descriptor. */
const CRON = /^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|(\S+\s+){4}\S+)$/;

export interface VeleroArgs {
    /** The cluster's name. Required. */
    readonly clusterName: pulumi.Input<string>;
    /** The cluster's ARN (the Pod Identity trust names it). Required. */
    readonly clusterArn: pulumi.Input<string>;
    /** The cluster's Kubernetes version, "1.NN", checked against the chart version. Required. */
    readonly kubernetesVersion: string;
    /** The backup bucket's name (world-wide unique). Required. */
    readonly bucketName: pulumi.Input<string>;
    /** The environment's key: the bucket's encryption and the volumes'. Required. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** When backups run (cron, UTC). Defaults to "0 3 * * *". */
    readonly schedule?: string;
    /** Days a backup is kept (its `ttl`). Defaults to 30. */
    readonly retentionDays?: number;
    /** The chart version. Defaults to VELERO_CHART.version. */
    readonly chartVersion?: string;
    /** Keep the bucket through `pulumi destroy`. Defaults to false. */
    readonly protect?: boolean;
    /** Tags on the bucket, role and association. Defaults to {}. */
    readonly tags?: Tags;
}

export const VELERO_DEFAULTS = { schedule: "0 3 * * *", retentionDays: 30, chartVersion: VELERO_CHART.version, protect: false, tags: {} as Tags };

/** Pure check of VeleroArgs; throws every problem at once. */
export function validateVeleroArgs(args: VeleroArgs): void {
    const problems: ArgProblem[] = [];
    const version = args.chartVersion ?? VELERO_DEFAULTS.chartVersion;
    const versionProblem = pinnedVersionProblem({ addon: "velero", path: "chartVersion", version, known: VELERO_CHART_VERSIONS, knownName: "VELERO_CHART_VERSIONS", kubernetesVersion: args.kubernetesVersion });
    if (versionProblem) problems.push(versionProblem);
    const cron = args.schedule ?? VELERO_DEFAULTS.schedule;
    if (!CRON.test(cron.trim())) problems.push({ path: "schedule", reason: `"${cron}" is not a cron expression (five fields, minute hour day month weekday, e.g. "0 3 * * *", or @daily)` });
    const days = args.retentionDays ?? VELERO_DEFAULTS.retentionDays;
    if (!Number.isInteger(days) || days < 1 || days > 3650) problems.push({ path: "retentionDays", reason: `${days} is out of range (a whole number of days from 1 to 3650)` });
    throwIfProblems("Velero", problems);
}

export function veleroSpec(version: string): AddonSpec {
    return {
        name: "velero",
        version,
        kubernetesVersions: (VELERO_CHART_VERSIONS.find((v) => v.version === version) ?? VELERO_CHART).kubernetesVersions,
        namespace: VELERO_NAMESPACE,
        podIdentity: [{ namespace: VELERO_NAMESPACE, serviceAccount: VELERO_SERVICE_ACCOUNT }],
        // Its pods need addresses and nodes; S3 and EC2 are reached by name only when a backup runs (retried).
        needs: ["pod-network", "nodes"],
    };
}

/**
 * Velero with its bucket (versioned, the environment key, public access blocked, TLS only, uploads
 * only with that key: components/shared/private-bucket.ts), its IAM through an EKS Pod Identity
 * association, and the environment's backup Schedule. Restores: docs/runbooks/disaster-recovery.md.
 */
export class Velero extends pulumi.ComponentResource implements ClusterAddon {
    public readonly spec: AddonSpec;
    public readonly ready: pulumi.Resource[];
    public readonly roleArn: pulumi.Output<string>;
    public readonly bucketName: pulumi.Output<string>;
    public readonly gitopsFacts: Record<string, pulumi.Input<string>>;
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: VeleroArgs, opts?: pulumi.ComponentResourceOptions) {
        validateVeleroArgs(args);
        super("pr-cybr:addons:Velero", name, {}, opts);
        const d = VELERO_DEFAULTS;
        const tags = { ...d.tags, ...args.tags };
        const version = args.chartVersion ?? d.chartVersion;
        this.spec = veleroSpec(version);
        const invoke = { parent: this };
        const account = aws.getCallerIdentityOutput({}, invoke).accountId;
        const partition = aws.getPartitionOutput({}, invoke).partition;
        const region = aws.getRegionOutput({}, invoke).region;
        const retentionDays = args.retentionDays ?? d.retentionDays;

        // Old versions outlive a backup's ttl by a week: an object Velero deleted by mistake can be brought back.
        const bucket = privateBucket(this, `${name}-backups`, { bucketName: args.bucketName, kmsKeyArn: args.kmsKeyArn, noncurrentVersionDays: 7, refuseOtherEncryption: true, protect: args.protect ?? d.protect, tags });
        const role = new aws.iam.Role(
            `${name}-role`,
            { description: "Velero server (EKS Pod Identity)", assumeRolePolicy: podIdentityTrustPolicy({ account, clusterArn: args.clusterArn, serviceAccount: { namespace: VELERO_NAMESPACE, name: VELERO_SERVICE_ACCOUNT } }), tags: { ...tags, Name: `${name}-role` } },
            { parent: this },
        );
        const policy = new aws.iam.RolePolicy(`${name}-access`, { role: role.id, policy: veleroPolicy({ bucketArn: bucket.arn, kmsKeyArn: args.kmsKeyArn, region, partition, account }) }, { parent: this });
        const association = new aws.eks.PodIdentityAssociation(
            `${name}-pod-identity`,
            { clusterName: args.clusterName, namespace: VELERO_NAMESPACE, serviceAccount: VELERO_SERVICE_ACCOUNT, roleArn: role.arn, tags: { ...tags, Name: `${name}-pod-identity` } },
            { parent: this, dependsOn: [policy] },
        );

        const namespace = new k8s.core.v1.Namespace(`${name}-ns`, { metadata: { name: VELERO_NAMESPACE, labels: { "pr-cybr.io/platform": "true" } } }, { parent: this, dependsOn: opts?.dependsOn });
        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: "velero",
                chart: "velero",
                version,
                repositoryOpts: { repo: VELERO_CHART_REPOSITORY },
                namespace: VELERO_NAMESPACE,
                // The name as given (known before deploy when it is a string), not the bucket's output.
                values: veleroValues({ bucket: args.bucketName, region }),
                skipAwait: false,
                timeout: 600,
                maxHistory: 10,
            },
            { parent: this, dependsOn: [namespace, association, bucket] },
        );
        const schedule = new k8s.apiextensions.CustomResource(`${name}-schedule`, veleroSchedule({ name: "platform-daily", cron: args.schedule ?? d.schedule, retentionDays }), { parent: this, dependsOn: [this.release] });

        this.roleArn = role.arn;
        this.bucketName = bucket.bucket;
        // The EKS Blueprints' names (velero_backup_s3_bucket_name, aws-ia/terraform-aws-eks-blueprints-addons main.tf).
        this.gitopsFacts = { backup_s3_bucket_name: bucket.bucket };
        this.ready = [this.release, schedule];
        this.registerOutputs({ roleArn: this.roleArn, bucketName: this.bucketName, chartVersion: version });
    }
}
