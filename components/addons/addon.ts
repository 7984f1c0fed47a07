import * as pulumi from "@pulumi/pulumi";

/**
 * The shared add-on contract (issue 19, "Shape first"). Modelled on the EKS Blueprints' `ClusterAddOn`
 * (aws-quickstart/cdk-eks-blueprints lib/spi/addon-contracts.ts at a85b33eb: `deploy(clusterInfo)`, a
 * pinned `version`, `@dependable` prerequisites), with what that model leaves implicit made explicit:
 * the cluster versions a pinned version is published for, the Pod Identity associations that carry
 * its IAM, and which cluster prerequisites it waits for (so a fresh `up` never deadlocks and nothing
 * waits on what it does not need).
 */

/**
 * What an add-on may wait for on a fresh cluster, in the order the cluster provides them:
 * - `pod-network`: the Cilium release (nodes stay tainted `node.cilium.io/agent-not-ready` and pods get
 *   no address until the agent runs);
 * - `nodes`: the managed node groups (an EKS add-on stays DEGRADED, and its create waits, until its
 *   pods are scheduled: terraform-provider-aws internal/service/eks/addon.go waitAddonCreated treats
 *   DEGRADED as pending);
 * - `cluster-dns`: the CoreDNS add-on (only what resolves names at start-up needs it).
 */
export const CLUSTER_PREREQUISITES = ["pod-network", "nodes", "cluster-dns"] as const;
export type ClusterPrerequisite = (typeof CLUSTER_PREREQUISITES)[number];

/** A pinned version and the cluster minor versions it is published for. */
export interface PinnedVersion {
    /** The exact version installed (an EKS add-on version or a chart version). */
    readonly version: string;
    /** Kubernetes minor versions ("1.NN") the version is published for. */
    readonly kubernetesVersions: readonly string[];
    /** Where the compatibility was read (a URL or repository path at a commit). */
    readonly source: string;
}

/** An IAM role handed to one service account through an EKS Pod Identity association. */
export interface PodIdentityGrant {
    readonly namespace: string;
    readonly serviceAccount: string;
}

/** What every add-on declares, before any resource exists (so composition and tests can reason on it). */
export interface AddonSpec {
    /** The add-on's name (the EKS add-on name, or the Helm release name). */
    readonly name: string;
    /** The version installed. */
    readonly version: string;
    /** Kubernetes minor versions that version supports. */
    readonly kubernetesVersions: readonly string[];
    /** The namespace its workloads run in. */
    readonly namespace: string;
    /** Service accounts that get AWS credentials through Pod Identity; empty for none. */
    readonly podIdentity: readonly PodIdentityGrant[];
    /** The cluster prerequisites it waits for; nothing else. */
    readonly needs: readonly ClusterPrerequisite[];
}

/** An add-on once declared: its spec, and what must wait for it (for example a StorageClass's users). */
export interface ClusterAddon {
    readonly spec: AddonSpec;
    /** Resources that signal the add-on is installed and usable. */
    readonly ready: pulumi.Resource[];
    /** The IAM role its Pod Identity grant hands out (announced to Git by the GitOps bridge), if any. */
    readonly roleArn?: pulumi.Output<string>;
    /** Further facts Git-managed values need (`backup_s3_bucket_name`), announced as `<addon>_<fact>`. */
    readonly gitopsFacts?: Record<string, pulumi.Input<string>>;
}

/** Why `pinned` cannot run on a cluster of `kubernetesVersion`, or undefined when it can. */
/**
 * The one check every add-on makes of its version arg: it is one of the pinned versions (whose
 * compatibility is known), and that one is published for the cluster's Kubernetes version.
 */
export function pinnedVersionProblem(args: {
    addon: string;
    /** The arg's path, e.g. "chartVersion". */
    path: string;
    version: string;
    known: readonly PinnedVersion[];
    /** Where a new version is added, e.g. "CERT_MANAGER_CHARTS". */
    knownName: string;
    kubernetesVersion: string;
    /** What the version is called in the message. Defaults to "version". */
    what?: string;
}): { path: string; reason: string } | undefined {
    const pinned = args.known.find((v) => v.version === args.version);
    if (!pinned) return { path: args.path, reason: `"${args.version}" is not a ${args.what ?? "version"} whose compatibility is known (${args.known.map((v) => v.version).join(", ")}; add one to ${args.knownName})` };
    const p = compatibilityProblem(args.addon, pinned, args.kubernetesVersion);
    return p ? { path: args.path, reason: p } : undefined;
}

export function compatibilityProblem(addon: string, pinned: PinnedVersion, kubernetesVersion: string): string | undefined {
    if (pinned.kubernetesVersions.includes(kubernetesVersion)) return undefined;
    return `${addon} ${pinned.version} is not published for Kubernetes ${kubernetesVersion} (it is for ${pinned.kubernetesVersions.join(", ")}; pin a version that lists ${kubernetesVersion}, see ${pinned.source})`;
}

/** The resources that provide each prerequisite on this cluster. */
export type PrerequisiteResources = Readonly<Record<ClusterPrerequisite, readonly pulumi.Resource[]>>;

/** The dependsOn of an add-on: exactly the resources of the prerequisites it declares. */
export function dependenciesOf(spec: Pick<AddonSpec, "needs">, provided: PrerequisiteResources): pulumi.Resource[] {
    return [...new Set(spec.needs.flatMap((n) => provided[n]))];
}

/** A component's dependsOn as a list, to forward to its children (options do not flow to children). */
export function forwardedDependsOn(deps: pulumi.Input<pulumi.Input<pulumi.Resource>[]> | pulumi.Input<pulumi.Resource> | undefined): pulumi.Input<pulumi.Resource>[] {
    if (deps === undefined) return [];
    return Array.isArray(deps) ? deps : [deps as pulumi.Input<pulumi.Resource>];
}
