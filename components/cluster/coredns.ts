import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags } from "../shared/tags";
import { ArgProblem, throwIfProblems } from "../shared/validation";

export interface CoreDnsArgs {
    /** The cluster. Required. */
    readonly clusterName: pulumi.Input<string>;
    /** Kubernetes version, to pick the add-on version AWS defaults to for it. Required. */
    readonly kubernetesVersion: string;
    /** Sum of the node groups' minSize: CoreDNS never asks for more replicas than there are nodes. Required. */
    readonly minNodes: number;
    /** Tags on the add-on. Defaults to {}. */
    readonly tags?: Tags;
}

export const CORE_DNS_DEFAULTS = { maxReplicas: 3, tags: {} as Tags };

/** Replicas that suit the groups: one per always-present node, at least 1, at most 3 (one per AZ). */
export function coreDnsReplicas(minNodes: number): number {
    return Math.min(CORE_DNS_DEFAULTS.maxReplicas, Math.max(1, minNodes));
}

/** The add-on's configurationValues: spread over zones and nodes, a disruption budget, critical-addon toleration. */
export function coreDnsConfiguration(minNodes: number): Record<string, unknown> {
    const selector = { matchLabels: { "k8s-app": "kube-dns" } };
    return {
        replicaCount: coreDnsReplicas(minNodes),
        podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
        // Not the Cilium taint: CoreDNS needs the pod network, so it must wait for the agent.
        tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }],
        topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: selector },
            { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: selector },
        ],
    };
}

export function validateCoreDnsArgs(args: CoreDnsArgs): void {
    const problems: ArgProblem[] = [];
    if (!Number.isInteger(args.minNodes) || args.minNodes < 0) problems.push({ path: "minNodes", reason: `${args.minNodes} is not a node count` });
    throwIfProblems("CoreDns", problems);
}

/**
 * CoreDNS as the EKS managed add-on, created after Cilium (pass the release in dependsOn): without the
 * pod network its pods cannot start and the add-on would report DEGRADED.
 */
export class CoreDns extends pulumi.ComponentResource {
    public readonly addonVersion: pulumi.Output<string>;
    /** The add-on; what needs cluster DNS depends on it. */
    public readonly addon: aws.eks.Addon;

    constructor(name: string, args: CoreDnsArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before super(): invalid args must not leave even the component registered.
        validateCoreDnsArgs(args);
        super("pr-cybr:cluster:CoreDns", name, {}, opts);
        // AWS's default version for this Kubernetes version: stable until the cluster is upgraded.
        const version = aws.eks.getAddonVersionOutput({ addonName: "coredns", kubernetesVersion: args.kubernetesVersion, mostRecent: false }, { parent: this }).version;
        const addon = new aws.eks.Addon(
            `${name}-addon`,
            {
                clusterName: args.clusterName,
                addonName: "coredns",
                addonVersion: version,
                configurationValues: JSON.stringify(coreDnsConfiguration(args.minNodes)),
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "OVERWRITE",
                tags: { ...CORE_DNS_DEFAULTS.tags, ...args.tags },
            },
            // Options do not flow to children: forward dependsOn so the add-on itself waits for Cilium.
            { parent: this, dependsOn: opts?.dependsOn },
        );
        this.addon = addon;
        this.addonVersion = addon.addonVersion;
        this.registerOutputs({ addonVersion: this.addonVersion });
    }
}
