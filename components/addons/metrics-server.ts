import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags } from "../shared/tags";
import { ArgProblem, throwIfProblems } from "../shared/validation";
import { AddonSpec, ClusterAddon, pinnedVersionProblem, PinnedVersion } from "./addon";

/**
 * The pinned EKS community add-on version of metrics-server (kubernetes-sigs/metrics-server v0.8.1). Not
 * verified against a primary source: AWS publishes add-on builds only through the DescribeAddonVersions
 * API (the EKS user guide names no build numbers, botocore carries none), and there is no AWS account
 * here. Public configurations pinning EKS 1.35 add-ons list v0.8.1-eksbuild.6 as compatible with 1.35
 * and later builds up to v0.8.1-eksbuild.10 (one names it 1.35's default); .6 stays pinned because it
 * is the build those sources agree is listed. A community add-on is built and versioned by AWS like the
 * others, so it is pinned and updated the same way: before the first `up`, and per bump, run
 * `aws eks describe-addon-versions --addon-name metrics-server --kubernetes-version <1.NN>`.
 */
export const METRICS_SERVER_ADDON_VERSION: PinnedVersion = {
    version: "v0.8.1-eksbuild.6",
    kubernetesVersions: ["1.33", "1.34", "1.35"],
    source: "aws eks describe-addon-versions --addon-name metrics-server",
};

export const METRICS_SERVER_ADDON_VERSIONS: readonly PinnedVersion[] = [METRICS_SERVER_ADDON_VERSION];

export interface MetricsServerArgs {
    /** The cluster's name. Required. */
    readonly clusterName: pulumi.Input<string>;
    /** The cluster's Kubernetes version, "1.NN", checked against the pinned version. Required. */
    readonly kubernetesVersion: string;
    /** The EKS add-on version. Defaults to METRICS_SERVER_ADDON_VERSION.version. */
    readonly addonVersion?: string;
    /** Tags on the add-on. Defaults to {}. */
    readonly tags?: Tags;
}

export const METRICS_SERVER_DEFAULTS = { addonVersion: METRICS_SERVER_ADDON_VERSION.version, tags: {} as Tags };

/** Pure check of MetricsServerArgs; throws every problem at once. */
export function validateMetricsServerArgs(args: MetricsServerArgs): void {
    const problems: ArgProblem[] = [];
    const version = args.addonVersion ?? METRICS_SERVER_DEFAULTS.addonVersion;
    const versionProblem = pinnedVersionProblem({ addon: "metrics-server", path: "addonVersion", version, known: METRICS_SERVER_ADDON_VERSIONS, knownName: "METRICS_SERVER_ADDON_VERSIONS", kubernetesVersion: args.kubernetesVersion });
    if (versionProblem) problems.push(versionProblem);
    throwIfProblems("MetricsServer", problems);
}

/** The add-on's declared contract: the resource metrics API (`metrics.k8s.io`) for HPA and `kubectl top`. */
export function metricsServerSpec(version: string): AddonSpec {
    return {
        name: "metrics-server",
        version,
        kubernetesVersions: (METRICS_SERVER_ADDON_VERSIONS.find((v) => v.version === version) ?? METRICS_SERVER_ADDON_VERSION).kubernetesVersions,
        namespace: "kube-system",
        podIdentity: [],
        // It scrapes kubelets by node address and serves the API server by pod address: no cluster DNS.
        needs: ["pod-network", "nodes"],
    };
}

/**
 * metrics-server as the EKS community add-on rather than its chart: EKS installs, versions and
 * registers its APIService like the other add-ons, and nothing else in the program needs Helm for it.
 * With Cilium in ENI mode its pods have VPC addresses in the nodes' security group, which EKS's cluster
 * security group lets the control plane reach (the aggregated API is called from the control plane).
 */
export class MetricsServer extends pulumi.ComponentResource implements ClusterAddon {
    public readonly spec: AddonSpec;
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: MetricsServerArgs, opts?: pulumi.ComponentResourceOptions) {
        validateMetricsServerArgs(args);
        super("pr-cybr:addons:MetricsServer", name, {}, opts);
        const version = args.addonVersion ?? METRICS_SERVER_DEFAULTS.addonVersion;
        this.spec = metricsServerSpec(version);
        const addon = new aws.eks.Addon(
            `${name}-addon`,
            {
                clusterName: args.clusterName,
                addonName: this.spec.name,
                addonVersion: version,
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "OVERWRITE",
                tags: { ...METRICS_SERVER_DEFAULTS.tags, ...args.tags, Name: `${name}-addon` },
            },
            // Options do not flow to children: forward the prerequisites.
            { parent: this, dependsOn: opts?.dependsOn },
        );
        this.ready = [addon];
        this.registerOutputs({ addonVersion: addon.addonVersion });
    }
}
