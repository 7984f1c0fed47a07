import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { podIdentityTrustPolicy } from "../shared/iam";
import { LOG_RETENTION_DAYS } from "../shared/logs";
import { Tags } from "../shared/tags";
import { ArgProblem, throwIfProblems } from "../shared/validation";
import { AddonSpec, ClusterAddon, pinnedVersionProblem, PinnedVersion } from "./addon";

/**
 * The pinned fluent-bit chart: 0.58.1 (fluent/helm-charts tag fluent-bit-0.58.1, commit
 * 22a564dc85600c67d97e01a5b4cdf3b829292529; Fluent Bit 5.1.1). The chart declares no Kubernetes
 * range; a DaemonSet, ServiceAccount and ClusterRole of stable APIs run on every version EKS offers.
 */
export const FLUENT_BIT_CHART_VERSION: PinnedVersion = {
    version: "0.58.1",
    kubernetesVersions: ["1.31", "1.32", "1.33", "1.34", "1.35"],
    source: "fluent/helm-charts charts/fluent-bit/Chart.yaml at fluent-bit-0.58.1 (no kubeVersion constraint)",
};
export const FLUENT_BIT_CHART_VERSIONS: readonly PinnedVersion[] = [FLUENT_BIT_CHART_VERSION];
export const FLUENT_BIT_REPOSITORY = "https://fluent.github.io/helm-charts";
export const FLUENT_BIT_NAMESPACE = "kube-system";
export const FLUENT_BIT_SERVICE_ACCOUNT = "fluent-bit";

/** The environment's log group for container logs. */
export const containerLogGroupName = (environment: string) => `/pr-cybr/${environment}/eks/containers`;

/**
 * Fluent Bit's pipeline (classic config, the chart's `config.*` keys): tail every container log, add
 * Kubernetes metadata, and ship to the one log group with a stream per pod, never creating groups
 * (`auto_create_group Off`: the group and its retention are Pulumi's). Fluent Bit's AWS credential
 * chain reads EKS Pod Identity's container-credentials variables.
 */
export function fluentBitValues(args: { region: string; logGroupName: string }) {
    return {
        serviceAccount: { create: true, name: FLUENT_BIT_SERVICE_ACCOUNT },
        priorityClassName: "system-node-critical",
        resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
        config: {
            inputs: ["[INPUT]", "    Name tail", "    Path /var/log/containers/*.log", "    multiline.parser docker, cri", "    Tag kube.*", "    Mem_Buf_Limit 10MB", "    Skip_Long_Lines On", ""].join("\n"),
            outputs: [
                "[OUTPUT]",
                "    Name cloudwatch_logs",
                "    Match kube.*",
                `    region ${args.region}`,
                `    log_group_name ${args.logGroupName}`,
                "    log_stream_template $kubernetes['namespace_name'].$kubernetes['pod_name'].$kubernetes['container_name']",
                "    log_stream_prefix fallback-",
                "    auto_create_group Off",
                "    retry_limit 5",
                "",
            ].join("\n"),
        },
    };
}

/**
 * What Fluent Bit may do, least privilege: create streams in and write to its one group (CloudWatch
 * Logs service authorization reference: CreateLogStream and DescribeLogStreams on the log-group,
 * PutLogEvents on the log-stream); no group creation, deletion or retention change, no other group.
 */
export function fluentBitPolicy(logGroupArn: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.output(logGroupArn).apply((arn) =>
        JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                { Sid: "StreamsOfItsGroup", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:DescribeLogStreams"], Resource: [arn, `${arn}:*`] },
                { Sid: "WriteItsGroup", Effect: "Allow", Action: "logs:PutLogEvents", Resource: `${arn}:log-stream:*` },
            ],
        }),
    );
}

export interface ContainerLogsArgs {
    /** Environment name (the log group's path). Required. */
    readonly environment: string;
    /** The cluster's name. Required. */
    readonly clusterName: pulumi.Input<string>;
    /** The cluster's ARN (the Pod Identity trust names it). Required. */
    readonly clusterArn: pulumi.Input<string>;
    /** The cluster's Kubernetes version, "1.NN". Required. */
    readonly kubernetesVersion: string;
    /** The region logs go to. Required. */
    readonly region: string;
    /** Days CloudWatch keeps container logs. Required. */
    readonly retentionDays: number;
    /** Chart version. Defaults to FLUENT_BIT_CHART_VERSION.version. */
    readonly chartVersion?: string;
    /** Tags on the AWS resources. Defaults to {}. */
    readonly tags?: Tags;
}

export const CONTAINER_LOGS_DEFAULTS = { chartVersion: FLUENT_BIT_CHART_VERSION.version, tags: {} as Tags };

export function validateContainerLogsArgs(args: ContainerLogsArgs): void {
    const problems: ArgProblem[] = [];
    const version = args.chartVersion ?? CONTAINER_LOGS_DEFAULTS.chartVersion;
    const versionProblem = pinnedVersionProblem({ addon: "fluent-bit", path: "chartVersion", version, known: FLUENT_BIT_CHART_VERSIONS, knownName: "FLUENT_BIT_CHART_VERSIONS", kubernetesVersion: args.kubernetesVersion });
    if (versionProblem) problems.push(versionProblem);
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(args.retentionDays)) problems.push({ path: "retentionDays", reason: `${args.retentionDays} is not a retention CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(", ")})` });
    throwIfProblems("ContainerLogs", problems);
}

export function containerLogsSpec(version: string): AddonSpec {
    return {
        name: "fluent-bit",
        version,
        kubernetesVersions: (FLUENT_BIT_CHART_VERSIONS.find((v) => v.version === version) ?? FLUENT_BIT_CHART_VERSION).kubernetesVersions,
        namespace: FLUENT_BIT_NAMESPACE,
        podIdentity: [{ namespace: FLUENT_BIT_NAMESPACE, serviceAccount: FLUENT_BIT_SERVICE_ACCOUNT }],
        // Nothing: its pods wait for nodes and DNS (the API server and CloudWatch by name) at run time, and
        // Helm waits for them.
        needs: [],
    };
}

/**
 * Container logs: the environment's log group with its retention, and Fluent Bit (a DaemonSet) writing
 * to it with a role handed over by an EKS Pod Identity association. Chosen over the
 * amazon-cloudwatch-observability EKS add-on: that add-on also runs the CloudWatch agent for Container
 * Insights metrics, which Prometheus already collects (twice the metrics, billed per metric), and its
 * documented policy is CloudWatchAgentServerPolicy (PutLogEvents and CreateLogGroup on every group of
 * the account); here the role can write one group and nothing else.
 */
export class ContainerLogs extends pulumi.ComponentResource implements ClusterAddon {
    public readonly spec: AddonSpec;
    public readonly ready: pulumi.Resource[];
    public readonly logGroupName: string;
    public readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: ContainerLogsArgs, opts?: pulumi.ComponentResourceOptions) {
        validateContainerLogsArgs(args);
        super("pr-cybr:addons:ContainerLogs", name, {}, opts);
        const d = CONTAINER_LOGS_DEFAULTS;
        const tags = { ...d.tags, ...args.tags };
        const version = args.chartVersion ?? d.chartVersion;
        this.spec = containerLogsSpec(version);
        const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;

        this.logGroupName = containerLogGroupName(args.environment);
        const group = new aws.cloudwatch.LogGroup(`${name}-group`, { name: this.logGroupName, retentionInDays: args.retentionDays, tags: { ...tags, Name: this.logGroupName } }, { parent: this });
        const role = new aws.iam.Role(`${name}-role`, { description: "Fluent Bit: container logs (EKS Pod Identity)", assumeRolePolicy: podIdentityTrustPolicy({ account, clusterArn: args.clusterArn, serviceAccount: { namespace: FLUENT_BIT_NAMESPACE, name: FLUENT_BIT_SERVICE_ACCOUNT } }), tags: { ...tags, Name: `${name}-role` } }, { parent: this });
        const policy = new aws.iam.RolePolicy(`${name}-write`, { role: role.id, policy: fluentBitPolicy(group.arn) }, { parent: this });
        const association = new aws.eks.PodIdentityAssociation(
            `${name}-pod-identity`,
            { clusterName: args.clusterName, namespace: FLUENT_BIT_NAMESPACE, serviceAccount: FLUENT_BIT_SERVICE_ACCOUNT, roleArn: role.arn, tags },
            { parent: this, dependsOn: [...toResources(opts?.dependsOn), policy] },
        );
        const release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: "fluent-bit",
                chart: "fluent-bit",
                version,
                repositoryOpts: { repo: FLUENT_BIT_REPOSITORY },
                namespace: FLUENT_BIT_NAMESPACE,
                values: fluentBitValues({ region: args.region, logGroupName: this.logGroupName }),
                skipAwait: false,
                timeout: 600,
                maxHistory: 10,
            },
            { parent: this, dependsOn: [...toResources(opts?.dependsOn), association, group] },
        );
        this.roleArn = role.arn;
        this.ready = [release];
        this.registerOutputs({ logGroupName: this.logGroupName, roleArn: this.roleArn, chartVersion: version });
    }
}

function toResources(deps: pulumi.Input<pulumi.Input<pulumi.Resource>[]> | pulumi.Input<pulumi.Resource> | undefined): pulumi.Input<pulumi.Resource>[] {
    if (deps === undefined) return [];
    return Array.isArray(deps) ? deps : [deps as pulumi.Input<pulumi.Resource>];
}
