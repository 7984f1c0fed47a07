import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NLB_CLASS } from "../shared/certificates";
import { podIdentityTrustPolicy } from "../shared/iam";
import { Tags } from "../shared/tags";
import { ArgProblem, throwIfProblems } from "../shared/validation";
import { AddonSpec, ClusterAddon, compatibilityProblem, forwardedDependsOn, PinnedVersion } from "./addon";
import { AWS_LOAD_BALANCER_CONTROLLER_POLICY_V3_5_0 } from "./policies/aws-load-balancer-controller-v3.5.0";

/**
 * The pinned aws-load-balancer-controller chart (aws/eks-charts stable/aws-load-balancer-controller at
 * 5239609242f3430be50fb0b714a24d3ef2b47983: chart 3.5.0, appVersion v3.5.0, the same tree as
 * kubernetes-sigs/aws-load-balancer-controller helm/ at tag v3.5.0). docs/deploy/installation.md at that
 * tag: "v2.5.0+ requires Kubernetes 1.22+", with no upper bound; the list is the EKS versions the config
 * allows (MIN_EKS_MINOR..1.35).
 */
export const AWS_LOAD_BALANCER_CONTROLLER_CHART: PinnedVersion & { appVersion: string } = {
    version: "3.5.0",
    appVersion: "v3.5.0",
    kubernetesVersions: ["1.30", "1.31", "1.32", "1.33", "1.34", "1.35"],
    source: "kubernetes-sigs/aws-load-balancer-controller v3.5.0 docs/deploy/installation.md (Supported Kubernetes versions: 1.22+)",
};
export const AWS_LOAD_BALANCER_CONTROLLER_CHARTS: readonly PinnedVersion[] = [AWS_LOAD_BALANCER_CONTROLLER_CHART];
export const AWS_LOAD_BALANCER_CONTROLLER_REPOSITORY = "https://aws.github.io/eks-charts";
/** The IAM policy published with each pinned app version (docs/install/iam_policy.json at its tag). */
export const AWS_LOAD_BALANCER_CONTROLLER_POLICIES: Readonly<Record<string, unknown>> = { "3.5.0": AWS_LOAD_BALANCER_CONTROLLER_POLICY_V3_5_0 };

export const LBC_NAMESPACE = "kube-system";
export const LBC_SERVICE_ACCOUNT = "aws-load-balancer-controller";
/** The IngressClass the chart creates (values `ingressClass`), served by controller `ingress.k8s.aws/alb`. */
export const ALB_INGRESS_CLASS = "alb";
/**
 * The class the controller reconciles LoadBalancer Services of (values `loadBalancerClass` default,
 * docs/guide/service/annotations.md). The in-tree AWS cloud provider's service controller skips every
 * Service with a `spec.loadBalancerClass` (Kubernetes, "Specifying class of load balancer
 * implementation", GA in 1.24), so a Service with this class is the controller's alone, and the class
 * is immutable once set.
 */
export const NLB_LOAD_BALANCER_CLASS = NLB_CLASS;

export interface AwsLoadBalancerControllerArgs {
    /** The cluster's name (the controller tags what it creates with it). Required. */
    readonly clusterName: pulumi.Input<string>;
    /** The cluster's ARN (the Pod Identity trust names it). Required. */
    readonly clusterArn: pulumi.Input<string>;
    /** The cluster's Kubernetes version, "1.NN", checked against the pinned chart. Required. */
    readonly kubernetesVersion: string;
    /** The cluster's VPC: given, so the controller needs no instance metadata (pods cannot reach it: hop limit 1). Required. */
    readonly vpcId: pulumi.Input<string>;
    /** The AWS region, for the same reason. Required. */
    readonly region: string;
    /** The chart version. Defaults to AWS_LOAD_BALANCER_CONTROLLER_CHART.version. */
    readonly chartVersion?: string;
    /** Controller replicas (leader-elected; two keep the webhooks served through a node loss). Defaults to 2. */
    readonly replicas?: number;
    /** Tags on the role, the association and every load balancer the controller creates. Defaults to {}. */
    readonly tags?: Tags;
}

export const AWS_LOAD_BALANCER_CONTROLLER_DEFAULTS = { chartVersion: AWS_LOAD_BALANCER_CONTROLLER_CHART.version, replicas: 2, tags: {} as Tags };

/** Pure check of AwsLoadBalancerControllerArgs; throws every problem at once. */
export function validateAwsLoadBalancerControllerArgs(args: AwsLoadBalancerControllerArgs): void {
    const problems: ArgProblem[] = [];
    const version = args.chartVersion ?? AWS_LOAD_BALANCER_CONTROLLER_DEFAULTS.chartVersion;
    const pinned = AWS_LOAD_BALANCER_CONTROLLER_CHARTS.find((v) => v.version === version);
    if (!pinned || !AWS_LOAD_BALANCER_CONTROLLER_POLICIES[version]) {
        problems.push({ path: "chartVersion", reason: `"${version}" is not a chart version whose compatibility and IAM policy are known (${AWS_LOAD_BALANCER_CONTROLLER_CHARTS.map((v) => v.version).join(", ")}; add one with its docs/install/iam_policy.json)` });
    } else {
        const p = compatibilityProblem("aws-load-balancer-controller", pinned, args.kubernetesVersion);
        if (p) problems.push({ path: "chartVersion", reason: p });
    }
    const replicas = args.replicas ?? AWS_LOAD_BALANCER_CONTROLLER_DEFAULTS.replicas;
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) problems.push({ path: "replicas", reason: `${replicas} is not a replica count (1-5)` });
    throwIfProblems("AwsLoadBalancerController", problems);
}

/** The add-on's declared contract. */
export function awsLoadBalancerControllerSpec(version: string): AddonSpec {
    return {
        name: "aws-load-balancer-controller",
        version,
        kubernetesVersions: (AWS_LOAD_BALANCER_CONTROLLER_CHARTS.find((v) => v.version === version) ?? AWS_LOAD_BALANCER_CONTROLLER_CHART).kubernetesVersions,
        namespace: LBC_NAMESPACE,
        podIdentity: [{ namespace: LBC_NAMESPACE, serviceAccount: LBC_SERVICE_ACCOUNT }],
        // The release waits for the Deployment to be ready. The controller resolves the ELB and EC2 API
        // names as it starts: started before CoreDNS answers, its pods restart until it does (≈ a retry
        // after CoreDNS, within Helm's wait), so a Pulumi dependency on CoreDNS would only serialise it
        // behind CoreDNS on the critical path of a fresh up (npm run critical-path: 17.9 → 16.3 min).
        needs: ["pod-network", "nodes"],
    };
}

/**
 * The chart's values (no values.schema.json ships with it: test/addons-ingress.test.ts checks every key
 * against the chart's values.yaml). Ordering on a fresh `up` (templates/webhook.yaml at v3.5.0):
 * - the Service mutator (`mservice.elbv2.k8s.aws`) matches every Service CREATE in the cluster with
 *   failurePolicy Fail and no namespace selector: while the controller is not ready no Service anywhere
 *   (CoreDNS's, Argo CD's, cert-manager's) could be created. It is off: nothing relies on it, because
 *   tenants must name `loadBalancerClass` themselves (pr-cybr-tenant-load-balancers);
 * - the pod readiness-gate injector (`mpod`) and the QUIC/target-control injectors only match namespaces
 *   or pods labelled for them, and exclude the controller's own pods; the pod injector fails open;
 * - the TargetGroupBinding and IngressClassParams webhooks match only those kinds, and the chart's own
 *   IngressClassParams carries the excluded `app.kubernetes.io/name` label;
 * - the Ingress validator (`vingress`, Fail) matches every Ingress: the platform's Ingresses depend on
 *   this release (`ready`), and Argo CD retries the ones it syncs.
 * Targets are pod IPs (Cilium ENI addresses): `defaultTargetType: ip` for Services and the ALB class's
 * IngressClassParams `targetType: ip` and `scheme: internet-facing`, which override any Ingress
 * annotation (docs/guide/ingress/ingress_class.md "spec.targetType", "spec.scheme"). Tenants have no node ports, which instance targets need.
 */
export function awsLoadBalancerControllerValues(input: { clusterName: string; region: string; vpcId: string; replicas: number; tags: Tags }): Record<string, unknown> {
    return {
        clusterName: input.clusterName,
        region: input.region,
        vpcId: input.vpcId,
        replicaCount: input.replicas,
        serviceAccount: { create: true, name: LBC_SERVICE_ACCOUNT },
        enableServiceMutatorWebhook: false,
        defaultTargetType: "ip",
        ingressClass: ALB_INGRESS_CLASS,
        // internet-facing: tenant pods admit load balancers from the public subnets only (tenancy/network-policy.ts).
        ingressClassParams: { create: true, spec: { targetType: "ip", scheme: "internet-facing" } },
        podMutatorWebhookConfig: { failurePolicy: "Ignore" },
        defaultTags: input.tags,
        podDisruptionBudget: input.replicas > 1 ? { maxUnavailable: 1 } : {},
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } },
    };
}

/**
 * The AWS Load Balancer Controller: its IAM role (the controller's published policy, nothing added) given
 * to its service account by an EKS Pod Identity association, and the Helm release. The association
 * exists before the release: EKS injects credentials when a pod is created, so a pod started first would
 * run without them until restarted. It owns ALBs (Ingress class `alb`) and the NLBs of Services with
 * `loadBalancerClass: service.k8s.aws/nlb`; the in-tree cloud provider owns no tenant Service (docs/architecture.md).
 */
export class AwsLoadBalancerController extends pulumi.ComponentResource implements ClusterAddon {
    public readonly spec: AddonSpec;
    public readonly ready: pulumi.Resource[];
    public readonly roleArn: pulumi.Output<string>;
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: AwsLoadBalancerControllerArgs, opts?: pulumi.ComponentResourceOptions) {
        validateAwsLoadBalancerControllerArgs(args);
        super("pr-cybr:addons:AwsLoadBalancerController", name, {}, opts);
        const d = AWS_LOAD_BALANCER_CONTROLLER_DEFAULTS;
        const tags = { ...d.tags, ...args.tags };
        const version = args.chartVersion ?? d.chartVersion;
        this.spec = awsLoadBalancerControllerSpec(version);
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

        const role = new aws.iam.Role(
            `${name}-role`,
            { description: "AWS Load Balancer Controller (EKS Pod Identity)", assumeRolePolicy: podIdentityTrustPolicy({ account, clusterArn: args.clusterArn, serviceAccount: { namespace: LBC_NAMESPACE, name: LBC_SERVICE_ACCOUNT } }), tags: { ...tags, Name: `${name}-role` } },
            { parent: this },
        );
        const policy = new aws.iam.RolePolicy(`${name}-policy`, { role: role.id, policy: JSON.stringify(AWS_LOAD_BALANCER_CONTROLLER_POLICIES[version]) }, { parent: this });
        const association = new aws.eks.PodIdentityAssociation(
            `${name}-pod-identity`,
            { clusterName: args.clusterName, namespace: LBC_NAMESPACE, serviceAccount: LBC_SERVICE_ACCOUNT, roleArn: role.arn, tags: { ...tags, Name: `${name}-pod-identity` } },
            { parent: this },
        );

        const values = pulumi
            .all([args.clusterName, args.vpcId])
            .apply(([clusterName, vpcId]) => awsLoadBalancerControllerValues({ clusterName, region: args.region, vpcId, replicas: args.replicas ?? d.replicas, tags }));
        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: "aws-load-balancer-controller",
                chart: "aws-load-balancer-controller",
                version,
                repositoryOpts: { repo: AWS_LOAD_BALANCER_CONTROLLER_REPOSITORY },
                namespace: LBC_NAMESPACE,
                values,
                skipAwait: false,
                timeout: 600,
                maxHistory: 10,
            },
            { parent: this, dependsOn: [...forwardedDependsOn(opts?.dependsOn), association, policy] },
        );

        this.roleArn = role.arn;
        this.ready = [this.release];
        this.registerOutputs({ roleArn: this.roleArn, chartVersion: version });
    }
}
