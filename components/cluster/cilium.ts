import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Tags } from "../shared/tags";
import { ArgProblem, throwIfProblems } from "../shared/validation";
import { ciliumOperatorPolicy, irsaTrustPolicy } from "./iam";
import { CILIUM_CHART_VERSION, CILIUM_NAMESPACE, CILIUM_OPERATOR_SERVICE_ACCOUNT, ciliumValues } from "./cilium-values";

export interface CiliumArgs {
    /** The EKS cluster's name. Required. */
    readonly clusterName: string;
    /** The API endpoint hostname (EksCluster.endpointHost), never an IP. Required. */
    readonly apiServerHost: pulumi.Input<string>;
    /** The VPC CIDR (native routing). Required. */
    readonly vpcCidr: string;
    /** The cluster's OIDC provider ARN, for the operator's IRSA role. Required. */
    readonly oidcProviderArn: pulumi.Input<string>;
    /** The OIDC issuer without scheme. Required. */
    readonly oidcIssuerHostPath: pulumi.Input<string>;
    /** The cilium chart version from https://helm.cilium.io. Defaults to "1.19.4". */
    readonly chartVersion?: string;
    /** Operator replicas. Defaults to 2. */
    readonly operatorReplicas?: number;
    /** Deploy the Hubble UI. Defaults to true. */
    readonly hubbleUi?: boolean;
    /** Seconds Helm waits for the agents and operator (the nodes come up meanwhile). Defaults to 900. */
    readonly timeoutSeconds?: number;
    /** Tags on the operator's IAM role. Defaults to {}. */
    readonly tags?: Tags;
}

export const CILIUM_DEFAULTS = {
    chartVersion: CILIUM_CHART_VERSION,
    chartRepository: "https://helm.cilium.io",
    operatorReplicas: 2,
    hubbleUi: true,
    timeoutSeconds: 900,
    tags: {} as Tags,
};

/** Pure check of CiliumArgs; throws every problem at once. */
export function validateCiliumArgs(args: CiliumArgs): void {
    const problems: ArgProblem[] = [];
    const version = args.chartVersion ?? CILIUM_DEFAULTS.chartVersion;
    if (!/^1\.\d+\.\d+$/.test(version)) problems.push({ path: "chartVersion", reason: `"${version}" is not a released chart version (1.N.N)` });
    const replicas = args.operatorReplicas ?? CILIUM_DEFAULTS.operatorReplicas;
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) problems.push({ path: "operatorReplicas", reason: `${replicas} is out of range (1 to 5)` });
    throwIfProblems("Cilium", problems);
}

/**
 * Cilium as the cluster's CNI and kube-proxy replacement. It depends on the cluster (through the
 * provider and its inputs) and on its IAM role only, never on node groups: nodes cannot become Ready
 * before Cilium runs, so waiting on them would deadlock. Helm waits for the agents and operator while
 * the node groups come up alongside.
 */
export class Cilium extends pulumi.ComponentResource {
    public readonly chartVersion: string;
    public readonly operatorRoleArn: pulumi.Output<string>;
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: CiliumArgs, opts?: pulumi.ComponentResourceOptions) {
        // Validate before super(): invalid args must not leave even the component registered.
        validateCiliumArgs(args);
        super("pr-cybr:cluster:Cilium", name, {}, opts);
        const d = CILIUM_DEFAULTS;
        const tags = { ...d.tags, ...args.tags };
        const region = aws.getRegionOutput({}, { parent: this }).region;

        // IRSA rather than Pod Identity: the Pod Identity agent is itself a DaemonSet on the nodes Cilium
        // is bringing up; IRSA only needs the OIDC provider, so the CNI's credentials have no dependency.
        const role = new aws.iam.Role(
            `${name}-operator-role`,
            {
                description: `Cilium operator (ENI IPAM) of ${args.clusterName}`,
                assumeRolePolicy: irsaTrustPolicy({ oidcProviderArn: args.oidcProviderArn, issuerHostPath: args.oidcIssuerHostPath, namespace: CILIUM_NAMESPACE, serviceAccount: CILIUM_OPERATOR_SERVICE_ACCOUNT }),
                tags: { ...tags, Name: `${name}-operator-role` },
            },
            { parent: this },
        );
        const policy = new aws.iam.RolePolicy(`${name}-operator-eni`, { role: role.id, policy: ciliumOperatorPolicy(region) }, { parent: this });

        this.chartVersion = args.chartVersion ?? d.chartVersion;
        const values = pulumi.all([args.apiServerHost, role.arn]).apply(([apiServerHost, operatorRoleArn]) =>
            ciliumValues({
                clusterName: args.clusterName,
                apiServerHost,
                vpcCidr: args.vpcCidr,
                operatorRoleArn,
                operatorReplicas: args.operatorReplicas ?? d.operatorReplicas,
                hubbleUi: args.hubbleUi ?? d.hubbleUi,
            }),
        );
        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: "cilium",
                chart: "cilium",
                version: this.chartVersion,
                repositoryOpts: { repo: d.chartRepository },
                namespace: CILIUM_NAMESPACE,
                values,
                // Wait for agents and operator: that is what "the network works" means for what follows.
                skipAwait: false,
                timeout: args.timeoutSeconds ?? d.timeoutSeconds,
                atomic: false,
                cleanupOnFail: false,
                maxHistory: 10,
            },
            { parent: this, dependsOn: [policy] },
        );

        this.operatorRoleArn = role.arn;
        this.registerOutputs({ chartVersion: this.chartVersion, operatorRoleArn: this.operatorRoleArn });
    }
}
