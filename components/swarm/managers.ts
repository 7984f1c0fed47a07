import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cidrSyntaxProblem } from "../shared/cidr";
import { Arch, archOfInstanceType, INSTANCE_TYPE } from "../shared/instance-types";
import { encryptedSecret } from "../shared/encrypted-secret";
import { serviceTrustPolicy } from "../shared/iam";
import { logsKmsKey } from "../shared/kms";
import { globalName, globalNameSuffixProblem } from "../shared/names";
import { privateBucket } from "../shared/private-bucket";
import { Tags } from "../shared/tags";
import { ArgProblem, throwIfProblems } from "../shared/validation";
import { COLLECTOR_METRICS_PORT, SWARM_INSTANCE_TAG } from "../shared/swarm-telemetry";
import { ManagerHostSettings, packUserData, renderManagerUserData } from "./user-data";

export const SWARM_PORTS = {
    /** Cluster management (managers). */
    management: 2377,
    /** Node gossip (tcp and udp). */
    gossip: 7946,
    /** Overlay network data plane (VXLAN). */
    overlay: 4789,
    /** The Docker API over mutual TLS. */
    dockerApi: 2376,
    /** OTLP gRPC of the telemetry collector (mutual TLS). */
    otlp: 4317,
    /** The collector's Prometheus exporter (the cluster's Prometheus scrapes each manager). */
    metrics: COLLECTOR_METRICS_PORT,
};

export interface SwarmManagersArgs {
    /** Prefix of every physical name (ASGs, parameters, secrets). Required. */
    readonly swarmName: string;
    readonly vpcId: pulumi.Input<string>;
    /** The VPC CIDR: the load-balanced Swarm ports (join, telemetry) are open to it, node-to-node ports are not. Required. */
    readonly vpcCidr: string;
    /** Private subnets, one per AZ: manager i goes in subnet i mod n. Required. */
    readonly privateSubnetIds: pulumi.Input<string>[];
    /** Public subnets for the load balancer in front of Traefik. Required. */
    readonly publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Number of managers: 1, 3 or 5 (odd, for Raft quorum). Defaults to 3. */
    readonly managers?: 1 | 3 | 5;
    /** EC2 instance type (its architecture picks the AMI). Defaults to "t4g.medium". */
    readonly instanceType?: string;
    /** Root volume size, GiB (encrypted gp3). Defaults to 30. */
    readonly rootVolumeGiB?: number;
    /** Docker Engine version installed at boot. Defaults to "25.0.8". */
    readonly dockerVersion?: string;
    /** The edge VPN range: Swarm and telemetry ports are open to it too. Required. */
    readonly vpnCidr: string;
    /** Networks allowed to the Docker API (2376). Required, non-empty. */
    readonly deployCidrs: string[];
    /** Days the edge telemetry (metrics and logs) is kept in CloudWatch. Defaults to 90. */
    readonly telemetryRetentionDays?: number;
    /** Tags for every taggable child and, through the launch template, the instances. Defaults to {}. */
    readonly tags?: Tags;
    /** Security groups whose members may scrape the collectors' Prometheus exporter (the EKS cluster's, which its nodes and ENI-mode pods carry). Defaults to []. */
    readonly metricsScraperSecurityGroupIds?: pulumi.Input<string>[];
    /** Appended as `-<suffix>` to the account-wide (world-wide) backup bucket name, for a recovery stack in another region of the same account. Defaults to none (""). */
    readonly globalNameSuffix?: string;
}

export const SWARM_MANAGERS_DEFAULTS = { managers: 3 as 1 | 3 | 5, instanceType: "t4g.medium", rootVolumeGiB: 30, dockerVersion: "25.0.8", telemetryRetentionDays: 90, tags: {} as Tags, globalNameSuffix: "" };

export function validateSwarmManagersArgs(args: SwarmManagersArgs): void {
    const problems: ArgProblem[] = [];
    const d = SWARM_MANAGERS_DEFAULTS;
    const managers = args.managers ?? d.managers;
    if (![1, 3, 5].includes(managers)) problems.push({ path: "managers", reason: `${managers} is not 1, 3 or 5 (Raft needs an odd count)` });
    if (!INSTANCE_TYPE.test(args.instanceType ?? d.instanceType)) problems.push({ path: "instanceType", reason: `"${args.instanceType}" is not an instance type` });
    if (args.privateSubnetIds.length === 0) problems.push({ path: "privateSubnetIds", reason: "is empty" });
    if (args.deployCidrs.length === 0) problems.push({ path: "deployCidrs", reason: "is empty (name the networks allowed to the Docker API)" });
    [...args.deployCidrs, args.vpnCidr, args.vpcCidr].forEach((c) => {
        const p = c === "0.0.0.0/0" ? "opens a Swarm or Docker API port to the internet" : cidrSyntaxProblem(c);
        if (p) problems.push({ path: "cidrs", reason: `${c}: ${p}` });
    });
    const suffix = globalNameSuffixProblem(args.globalNameSuffix);
    if (suffix) problems.push({ path: "globalNameSuffix", reason: suffix });
    throwIfProblems("SwarmManagers", problems);
}

/** The Amazon Linux 2023 AMI for an architecture, from AWS's public SSM parameter. */
export function al2023AmiParameter(arch: Arch): string {
    return `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${arch === "arm64" ? "arm64" : "x86_64"}`;
}

/**
 * Docker Swarm managers on EC2: one Auto Scaling group of exactly one instance per manager, round-robin
 * over the AZs. An ASG of one (rather than a bare instance) replaces a failed host by itself and runs
 * the termination hook that drains and demotes it first; one group per manager means replacements
 * happen one manager at a time, never a batch that breaks quorum. On-demand only, EC2 health checks,
 * IMDSv2 (hop limit 1: no container behind the host's forwarding reaches the instance role; the collector, on the host's network, does), encrypted root, SSM instead of SSH.
 * An internal load balancer fronts the TLS Docker API; a public one fronts Traefik on 80/443.
 */
export class SwarmManagers extends pulumi.ComponentResource {
    public readonly apiHostname: pulumi.Output<string>;
    public readonly publicHostname: pulumi.Output<string>;
    /** `host:2377` where workers join (the internal load balancer, reached over the edge VPN). */
    public readonly joinAddress: pulumi.Output<string>;
    /** `host:4317` of the telemetry collector (OTLP over mutual TLS), on the same load balancer. */
    public readonly collectorEndpoint: pulumi.Output<string>;
    public readonly managerTokenSecretArn: pulumi.Output<string>;
    public readonly workerTokenSecretArn: pulumi.Output<string>;
    public readonly backupBucketName: pulumi.Output<string>;
    /** The swarm's KMS key (secrets, backups, logs under `/pr-cybr/<swarmName>/`). */
    public readonly kmsKeyArn: pulumi.Output<string>;
    public readonly securityGroupId: pulumi.Output<string>;
    /** Secrets Manager ids the dockerd CA, certificate and key must be stored in (SwarmPki `store`). */
    public readonly tlsSecretIds: { ca: pulumi.Output<string>; cert: pulumi.Output<string>; key: pulumi.Output<string> };
    public readonly autoScalingGroupNames: pulumi.Output<string[]>;
    /** Resources the swarm's hosts need before the Docker API answers (for dependsOn). */
    public readonly hosts: pulumi.Resource[];

    constructor(name: string, args: SwarmManagersArgs, opts?: pulumi.ComponentResourceOptions) {
        validateSwarmManagersArgs(args);
        super("pr-cybr:swarm:SwarmManagers", name, {}, opts);
        const d = SWARM_MANAGERS_DEFAULTS;
        // `:` not `/`: the launch template puts instance tags in metadata (the termination hook reads the
        // group name there), and then EC2 refuses to launch an instance with a tag key holding `/`
        // (EC2 user guide, "View tags for your EC2 instances using instance metadata").
        const tags = { ...d.tags, ...args.tags, [SWARM_INSTANCE_TAG]: args.swarmName };
        const swarm = args.swarmName;
        const invoke = { parent: this };
        const account = aws.getCallerIdentityOutput({}, invoke).accountId;
        const partition = aws.getPartitionOutput({}, invoke).partition;
        const region = aws.getRegionOutput({}, invoke).region;
        const instanceType = args.instanceType ?? d.instanceType;
        const managers = args.managers ?? d.managers;
        const arn = (service: string, resource: pulumi.Input<string>) => pulumi.interpolate`arn:${partition}:${service}:${region}:${account}:${resource}`;

        // One key for the swarm's secrets, backups, logs and root volumes; the hosts decrypt through
        // their role, and Auto Scaling (which creates the volumes) through its service-linked role.
        const autoScalingRole = pulumi.interpolate`arn:${partition}:iam::${account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
        const key = logsKmsKey(this, name, { purpose: `secrets, backups and logs of swarm ${swarm}`, logGroupName: `/pr-cybr/${swarm}/*`, alias: swarm, tags, volumeLauncherRoleArns: [autoScalingRole] });
        const telemetryLogs = ["metrics", "logs"].map(
            (kind) =>
                new aws.cloudwatch.LogGroup(
                    `${name}-telemetry-${kind}`,
                    { name: `/pr-cybr/${swarm}/telemetry/${kind}`, retentionInDays: args.telemetryRetentionDays ?? d.telemetryRetentionDays, kmsKeyId: key.arn, tags: { ...tags, Name: `${swarm}-telemetry-${kind}` } },
                    { parent: this },
                ),
        );
        const secret = (role: string, secretName: string) =>
            encryptedSecret(this, `${name}-${role}`, { secretName, kmsKeyArn: key.arn, tags });
        // Join tokens are written by the hosts at init (never by Pulumi, never into user data).
        const managerToken = secret("manager-token", `${swarm}/manager-join-token`);
        const workerToken = secret("worker-token", `${swarm}/worker-join-token`);
        const tlsPrefix = `${swarm}/dockerd-tls`;
        // The dockerd certificate names the API load balancer, so SwarmPki fills these after it exists;
        // the hosts wait for them at boot.
        const tlsSecrets = [secret("tls-ca", `${tlsPrefix}/ca`), secret("tls-cert", `${tlsPrefix}/cert`), secret("tls-key", `${tlsPrefix}/key`)];

        const backupBucketName = pulumi.output(account).apply((a) => globalName(`${swarm}-raft-backup-${a}`, args.globalNameSuffix ?? d.globalNameSuffix));
        // The tarballs hold the unlocked Raft key and the managers' TLS keys: the swarm's key only.
        const backups = privateBucket(this, `${name}-backup`, { bucketName: backupBucketName, kmsKeyArn: key.arn, noncurrentVersionDays: 30, expireDays: 90, refuseOtherEncryption: true, tags });

        const lockParam = `/${swarm}/init-lock`;
        const leaderParam = `/${swarm}/leader`;
        const lifecycleHook = `${swarm}-drain`;
        const asgName = (i: number) => `${swarm}-manager-${i}`;

        const role = new aws.iam.Role(
            `${name}-role`,
            {
                description: `Swarm managers of ${swarm}`,
                assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com"),
                tags: { ...tags, Name: `${name}-role` },
            },
            { parent: this },
        );
        new aws.iam.RolePolicyAttachment(`${name}-ssm`, { role: role.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/AmazonSSMManagedInstanceCore` }, { parent: this });
        new aws.iam.RolePolicy(
            `${name}-scoped`,
            {
                role: role.id,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        { Sid: "JoinTokens", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"], Resource: [managerToken.arn, workerToken.arn] },
                        { Sid: "DockerdTls", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: tlsSecrets.map((s) => s.arn) },
                        { Sid: "InitLock", Effect: "Allow", Action: ["ssm:PutParameter", "ssm:GetParameter", "ssm:DeleteParameter"], Resource: [arn("ssm", `parameter${lockParam}`), arn("ssm", `parameter${lockParam}-broken-*`), arn("ssm", `parameter${leaderParam}`)] },
                        // Followers upload hourly; a restore downloads on the surviving host (runbook swarm.md, step 3).
                        { Sid: "Backups", Effect: "Allow", Action: ["s3:PutObject", "s3:GetObject"], Resource: pulumi.interpolate`${backups.arn}/raft/*` },
                        { Sid: "SwarmKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], Resource: key.arn },
                        { Sid: "FindManagers", Effect: "Allow", Action: "ec2:DescribeInstances", Resource: "*" },
                        { Sid: "Telemetry", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: telemetryLogs.flatMap((g) => [g.arn, pulumi.interpolate`${g.arn}:*`]) },
                        { Sid: "FinishTermination", Effect: "Allow", Action: "autoscaling:CompleteLifecycleAction", Resource: arn("autoscaling", pulumi.interpolate`autoScalingGroup:*:autoScalingGroupName/${swarm}-manager-*`) },
                        // The backup takes its host out of the load balancers first (swarm-backup.sh).
                        { Sid: "BackupStandby", Effect: "Allow", Action: ["autoscaling:EnterStandby", "autoscaling:ExitStandby"], Resource: arn("autoscaling", pulumi.interpolate`autoScalingGroup:*:autoScalingGroupName/${swarm}-manager-*`) },
                        // Describe actions take no resource (Service Authorization Reference, Amazon EC2 Auto Scaling).
                        { Sid: "BackupStandbyState", Effect: "Allow", Action: "autoscaling:DescribeAutoScalingInstances", Resource: "*" },
                    ],
                }),
            },
            { parent: this },
        );
        const profile = new aws.iam.InstanceProfile(`${name}-profile`, { role: role.name, tags }, { parent: this });

        const publicLbSg = new aws.ec2.SecurityGroup(`${name}-web-lb-sg`, { vpcId: args.vpcId, description: `Traefik load balancer of ${swarm}`, tags: { ...tags, Name: `${name}-web-lb`, "pr-cybr.io/role": "load-balancer" } }, { parent: this });
        const hostSg = new aws.ec2.SecurityGroup(`${name}-sg`, { vpcId: args.vpcId, description: `Swarm managers of ${swarm}`, tags: { ...tags, Name: `${name}-managers` } }, { parent: this });
        const ingress = (role: string, sg: aws.ec2.SecurityGroup, port: number, protocol: "tcp" | "udp", source: { cidr?: string; sg?: pulumi.Input<string> }, description: string) =>
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-${role}`,
                { securityGroupId: sg.id, ipProtocol: protocol, fromPort: port, toPort: port, cidrIpv4: source.cidr, referencedSecurityGroupId: source.sg, description },
                { parent: this },
            );
        // Load-balanced ports: the internal NLB (no security group) health-checks from its own addresses
        // in the VPC and keeps the clients' addresses (edge workers over the VPN).
        for (const [label, cidr] of [["vpc", args.vpcCidr], ["vpn", args.vpnCidr]] as const) {
            ingress(`swarm-mgmt-${label}`, hostSg, SWARM_PORTS.management, "tcp", { cidr }, `Swarm management from the ${label}`);
            ingress(`otlp-${label}`, hostSg, SWARM_PORTS.otlp, "tcp", { cidr }, `Telemetry (OTLP, mTLS) from the ${label}`);
        }
        // Node to node: only the swarm's own hosts and the edge VPN. The VPC holds every EKS pod (Cilium
        // ENI mode gives pods VPC addresses), and Docker's swarm docs say never to expose 7946 or 4789 to
        // untrusted networks. Encrypted overlays carry VXLAN inside IPsec ESP, IP protocol 50 (Docker's
        // overlay network driver docs), which needs a rule of its own.
        for (const [label, source] of [["managers", { sg: hostSg.id }], ["vpn", { cidr: args.vpnCidr }]] as const) {
            ingress(`swarm-gossip-tcp-${label}`, hostSg, SWARM_PORTS.gossip, "tcp", source, `Swarm gossip from the ${label}`);
            ingress(`swarm-gossip-udp-${label}`, hostSg, SWARM_PORTS.gossip, "udp", source, `Swarm gossip from the ${label}`);
            ingress(`swarm-overlay-${label}`, hostSg, SWARM_PORTS.overlay, "udp", source, `Overlay (VXLAN) from the ${label}`);
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-swarm-esp-${label}`,
                { securityGroupId: hostSg.id, ipProtocol: "50", cidrIpv4: "cidr" in source ? source.cidr : undefined, referencedSecurityGroupId: "sg" in source ? source.sg : undefined, description: `Encrypted overlay (IPsec ESP) from the ${label}` },
                { parent: this },
            );
        }
        // The collectors' metrics to the cluster's Prometheus only: each manager scraped on its own address.
        (args.metricsScraperSecurityGroupIds ?? []).forEach((sg, i) => ingress(`metrics-${i}`, hostSg, SWARM_PORTS.metrics, "tcp", { sg }, "Collector metrics (Prometheus) from the EKS cluster"));
        args.deployCidrs.forEach((cidr, i) => ingress(`docker-api-${i}`, hostSg, SWARM_PORTS.dockerApi, "tcp", { cidr }, "Docker API (mutual TLS) from the deployment network"));
        for (const port of [80, 443]) {
            ingress(`web-${port}-world`, publicLbSg, port, "tcp", { cidr: "0.0.0.0/0" }, `Web ${port} from the internet to the load balancer`);
            ingress(`web-${port}-from-lb`, hostSg, port, "tcp", { sg: publicLbSg.id }, `Web ${port} from the Traefik load balancer only`);
        }
        new aws.vpc.SecurityGroupEgressRule(`${name}-egress`, { securityGroupId: hostSg.id, ipProtocol: "-1", cidrIpv4: "0.0.0.0/0", description: "Package, image and AWS API traffic" }, { parent: this });
        new aws.vpc.SecurityGroupEgressRule(`${name}-web-lb-egress`, { securityGroupId: publicLbSg.id, ipProtocol: "tcp", fromPort: 80, toPort: 443, referencedSecurityGroupId: hostSg.id, description: "To Traefik on the managers" }, { parent: this });

        const apiLb = new aws.lb.LoadBalancer(
            `${name}-api-lb`,
            { name: `${swarm}-api`.slice(0, 32), loadBalancerType: "network", internal: true, subnets: args.privateSubnetIds, enableCrossZoneLoadBalancing: true, tags: { ...tags, Name: `${name}-api` } },
            { parent: this },
        );
        const webLb = new aws.lb.LoadBalancer(
            `${name}-web-lb`,
            { name: `${swarm}-web`.slice(0, 32), loadBalancerType: "network", internal: false, subnets: args.publicSubnetIds, securityGroups: [publicLbSg.id], enableCrossZoneLoadBalancing: true, tags: { ...tags, Name: `${name}-web` } },
            { parent: this },
        );
        const targetGroup = (role: string, port: number) =>
            new aws.lb.TargetGroup(
                `${name}-${role}-tg`,
                { port, protocol: "TCP", vpcId: args.vpcId, targetType: "instance", healthCheck: { protocol: "TCP", port: String(port), interval: 10, healthyThreshold: 3, unhealthyThreshold: 3 }, deregistrationDelay: 30, tags: { ...tags, Name: `${name}-${role}` } },
                { parent: this },
            );
        const apiTg = targetGroup("api", SWARM_PORTS.dockerApi);
        const webTgs = [80, 443].map((port) => targetGroup(`web-${port}`, port));
        new aws.lb.Listener(`${name}-api-listener`, { loadBalancerArn: apiLb.arn, port: SWARM_PORTS.dockerApi, protocol: "TCP", defaultActions: [{ type: "forward", targetGroupArn: apiTg.arn }], tags }, { parent: this });
        // Edge workers reach the managers through the same internal load balancer, over the VPN: to join
        // (2377; afterwards they talk to the managers' own addresses) and to send telemetry (4317).
        const joinTg = targetGroup("join", SWARM_PORTS.management);
        const otlpTg = targetGroup("otlp", SWARM_PORTS.otlp);
        new aws.lb.Listener(`${name}-join-listener`, { loadBalancerArn: apiLb.arn, port: SWARM_PORTS.management, protocol: "TCP", defaultActions: [{ type: "forward", targetGroupArn: joinTg.arn }], tags }, { parent: this });
        new aws.lb.Listener(`${name}-otlp-listener`, { loadBalancerArn: apiLb.arn, port: SWARM_PORTS.otlp, protocol: "TCP", defaultActions: [{ type: "forward", targetGroupArn: otlpTg.arn }], tags }, { parent: this });
        [80, 443].forEach((port, i) => new aws.lb.Listener(`${name}-web-${port}-listener`, { loadBalancerArn: webLb.arn, port, protocol: "TCP", defaultActions: [{ type: "forward", targetGroupArn: webTgs[i].arn }], tags }, { parent: this }));

        const arch = archOfInstanceType(instanceType);
        const ami = aws.ssm.getParameterOutput({ name: al2023AmiParameter(arch) }, invoke).value;
        const userData = pulumi.all([region, backupBucketName]).apply(([r, bucket]) => {
            const settings: ManagerHostSettings = {
                swarmName: swarm,
                region: r,
                dockerVersion: args.dockerVersion ?? d.dockerVersion,
                lockParam,
                leaderParam,
                managerTokenSecret: `${swarm}/manager-join-token`,
                workerTokenSecret: `${swarm}/worker-join-token`,
                tlsSecretPrefix: tlsPrefix,
                backupBucket: bucket,
                lifecycleHook,
            };
            return packUserData(renderManagerUserData(settings));
        });
        const template = new aws.ec2.LaunchTemplate(
            `${name}-lt`,
            {
                description: `Swarm managers of ${swarm}`,
                imageId: ami,
                instanceType,
                iamInstanceProfile: { arn: profile.arn },
                vpcSecurityGroupIds: [hostSg.id],
                userData,
                updateDefaultVersion: true,
                metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "enabled" },
                blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: args.rootVolumeGiB ?? d.rootVolumeGiB, volumeType: "gp3", encrypted: "true", kmsKeyId: key.arn, deleteOnTermination: "true" } }],
                monitoring: { enabled: true },
                tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({ resourceType, tags: { ...tags, Name: `${swarm}-manager` } })),
                tags: { ...tags, Name: `${name}-lt` },
            },
            { parent: this },
        );

        const groups = Array.from({ length: managers }, (_, i) =>
            new aws.autoscaling.Group(
                `${name}-manager-${i}`,
                {
                    name: asgName(i),
                    // 0, not 1: the hourly backup puts its host in Standby with the desired capacity decremented
                    // (so no replacement is launched), which EnterStandby allows only down to the minimum
                    // (Auto Scaling API reference, EnterStandby). The desired capacity keeps one running.
                    minSize: 0,
                    maxSize: 1,
                    desiredCapacity: 1,
                    vpcZoneIdentifiers: [args.privateSubnetIds[i % args.privateSubnetIds.length]],
                    launchTemplate: { id: template.id, version: pulumi.interpolate`${template.latestVersion}` },
                    healthCheckType: "EC2",
                    healthCheckGracePeriod: 300,
                    targetGroupArns: [apiTg.arn, joinTg.arn, otlpTg.arn, ...webTgs.map((tg) => tg.arn)],
                    initialLifecycleHooks: [{ name: lifecycleHook, lifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING", heartbeatTimeout: 300, defaultResult: "CONTINUE" }],
                    tags: Object.entries({ ...tags, Name: `${swarm}-manager-${i}` }).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
                },
                // A new template version reaches a manager only when it is replaced, by hand, one at a time (runbook).
                { parent: this, dependsOn: [profile] },
            ),
        );

        this.apiHostname = apiLb.dnsName;
        this.joinAddress = pulumi.interpolate`${apiLb.dnsName}:${SWARM_PORTS.management}`;
        this.collectorEndpoint = pulumi.interpolate`${apiLb.dnsName}:${SWARM_PORTS.otlp}`;
        this.publicHostname = webLb.dnsName;
        this.managerTokenSecretArn = managerToken.arn;
        this.workerTokenSecretArn = workerToken.arn;
        this.backupBucketName = backups.bucket;
        this.kmsKeyArn = key.arn;
        this.securityGroupId = hostSg.id;
        this.tlsSecretIds = { ca: tlsSecrets[0].id, cert: tlsSecrets[1].id, key: tlsSecrets[2].id };
        this.autoScalingGroupNames = pulumi.output(groups.map((g) => g.name));
        this.hosts = [...groups, apiLb];
        this.registerOutputs({
            apiHostname: this.apiHostname,
            publicHostname: this.publicHostname,
            managerTokenSecretArn: this.managerTokenSecretArn,
            workerTokenSecretArn: this.workerTokenSecretArn,
            backupBucketName: this.backupBucketName,
            autoScalingGroupNames: this.autoScalingGroupNames,
        });
    }
}
