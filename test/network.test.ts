import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Vpc, VPC_DEFAULTS, validateVpcArgs, validateVpcFlowLogsArgs, validateVpcEndpointsArgs, VPC_FLOW_LOGS_DEFAULTS, INTERFACE_ENDPOINT_SERVICES, VPC_ENDPOINTS_DEFAULTS } from "../components/network";
import { installMocks, RecordedResource, TypeRef } from "./mocks";
import { promiseOf } from "./helpers/outputs";

// The AZ shortage error (an apply that fails after registration started) is tested end to end in
// synth-cli.test.ts, where it must reach the user as one clean line.

const harness = installMocks({ stack: "network" });
const provider = new aws.Provider("aws-test", { region: "us-east-1" });

const named = (type: TypeRef, prefix: string) => harness.ofType(type).filter((r) => r.name.startsWith(prefix));
const byName = (rs: RecordedResource[]) => Object.fromEntries(rs.map((r) => [r.name, r]));

describe("Vpc, dev shape (2 AZs, single NAT, no interface endpoints)", () => {
    let vpc: Vpc;
    beforeAll(async () => {
        vpc = new Vpc("dev", { cidr: "10.20.0.0/16", azCount: 2, natGateways: "single", clusterName: "pr-cybr-dev", flowLogRetentionDays: 30, tags: { component: "network" } }, { providers: { aws: provider } });
        await harness.settle();
    });

    it("creates one VPC with DNS on, and locks down the default security group", () => {
        const [v] = named(aws.ec2.Vpc, "dev-");
        expect(v.inputs).toMatchObject({ cidrBlock: "10.20.0.0/16", enableDnsSupport: true, enableDnsHostnames: true, tags: { Name: "dev", component: "network" } });
        const [dsg] = named(aws.ec2.DefaultSecurityGroup, "dev-");
        expect(dsg.inputs).toMatchObject({ vpcId: v.id, ingress: [], egress: [] });
    });

    it("creates 3 tiers x 2 AZs with computed CIDRs, AZs from the lookup, and the load-balancer/karpenter tags", () => {
        const subnets = byName(named(aws.ec2.Subnet, "dev-"));
        expect(Object.keys(subnets).sort()).toEqual(["dev-intra-0", "dev-intra-1", "dev-private-0", "dev-private-1", "dev-public-0", "dev-public-1"]);
        expect(subnets["dev-private-1"].inputs).toMatchObject({
            cidrBlock: "10.20.16.0/20",
            availabilityZone: "us-east-1b",
            mapPublicIpOnLaunch: false,
            tags: { tier: "private", "kubernetes.io/role/internal-elb": "1", "karpenter.sh/discovery": "pr-cybr-dev" },
        });
        expect(subnets["dev-public-0"].inputs).toMatchObject({ cidrBlock: "10.20.128.0/21", availabilityZone: "us-east-1a", tags: { tier: "public", "kubernetes.io/role/elb": "1" } });
        expect(subnets["dev-public-0"].inputs.tags).not.toHaveProperty("karpenter.sh/discovery");
        expect(subnets["dev-intra-0"].inputs).toMatchObject({ cidrBlock: "10.20.192.0/21", tags: { tier: "intra" } });
    });

    it("routes: public via the IGW, every private AZ via the single NAT, intra has no default route", () => {
        const [nat] = named(aws.ec2.NatGateway, "dev-");
        expect(named(aws.ec2.NatGateway, "dev-")).toHaveLength(1);
        const [igw] = named(aws.ec2.InternetGateway, "dev-");
        expect(nat.inputs).toMatchObject({ subnetId: harness.get(aws.ec2.Subnet, "dev-public-0").id, connectivityType: "public" });
        expect(nat.dependsOn).toContain(igw.urn);
        const routes = byName(named(aws.ec2.Route, "dev-"));
        expect(routes["dev-public-default"].inputs).toMatchObject({ destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id });
        expect(routes["dev-private-default-0"].inputs).toMatchObject({ destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id });
        expect(routes["dev-private-default-1"].inputs).toMatchObject({ natGatewayId: nat.id });
        const intraRt = harness.get(aws.ec2.RouteTable, "dev-intra-rt");
        expect(harness.ofType(aws.ec2.Route).filter((r) => r.inputs.routeTableId === intraRt.id)).toEqual([]);
        const assocs = harness.ofType(aws.ec2.RouteTableAssociation).filter((r) => r.inputs.routeTableId === intraRt.id);
        expect(assocs).toHaveLength(2);
    });

    it("sends flow logs (ALL, 1-minute) to a KMS-encrypted log group with retention, through a scoped role", () => {
        const [flowLog] = named(aws.ec2.FlowLog, "dev-");
        const [group] = named(aws.cloudwatch.LogGroup, "dev-");
        const [key] = named(aws.kms.Key, "dev-");
        const [role] = named(aws.iam.Role, "dev-");
        expect(flowLog.inputs).toMatchObject({
            vpcId: harness.get(aws.ec2.Vpc, "dev-vpc").id,
            trafficType: "ALL",
            logDestinationType: "cloud-watch-logs",
            logDestination: group.outputs.arn,
            iamRoleArn: role.outputs.arn,
            maxAggregationInterval: 60,
        });
        expect(group.inputs).toMatchObject({ name: "/aws/vpc-flow-logs/dev-flow-logs", retentionInDays: 30, kmsKeyId: key.outputs.arn });
        expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
        const keyPolicy = JSON.parse(String(key.inputs.policy));
        expect(keyPolicy.Statement[1]).toMatchObject({
            Principal: { Service: "logs.us-east-1.amazonaws.com" },
            Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vpc-flow-logs/dev-flow-logs" } },
        });
        const trust = JSON.parse(String(role.inputs.assumeRolePolicy));
        expect(trust.Statement[0]).toMatchObject({ Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } });
        const [write] = named(aws.iam.RolePolicy, "dev-");
        const policy = JSON.parse(String(write.inputs.policy));
        expect(policy.Statement).toEqual([
            { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [group.outputs.arn, `${group.outputs.arn}:*`] },
        ]);
    });

    it("always adds the S3 gateway endpoint to the private and intra route tables, and no interface endpoints", () => {
        const endpoints = named(aws.ec2.VpcEndpoint, "dev-");
        expect(endpoints).toHaveLength(1);
        const rts = ["dev-intra-rt", "dev-private-rt-0", "dev-private-rt-1"].map((n) => harness.get(aws.ec2.RouteTable, n).id);
        expect(endpoints[0].inputs).toMatchObject({ serviceName: "com.amazonaws.us-east-1.s3", vpcEndpointType: "Gateway", routeTableIds: rts });
        expect(named(aws.ec2.SecurityGroup, "dev-")).toEqual([]);
    });

    it("puts every child under the component and on the given provider", () => {
        const component = harness.get("pr-cybr:network:Vpc", "dev");
        const providerUrn = harness.get("pulumi:providers:aws", "aws-test").urn;
        const custom = harness.recorder.list().filter((r) => r.custom && r.name.startsWith("dev-") && r.type.startsWith("aws:"));
        expect(custom.length).toBeGreaterThan(20);
        for (const r of custom) expect(r.providerRef.startsWith(`${providerUrn}::`)).toBe(true);
        for (const r of named(aws.ec2.Subnet, "dev-")) expect(r.parent).toBe(component.urn);
    });

    it("exposes ids per tier, AZ names and the NAT addresses as outputs", async () => {
        expect(await promiseOf(vpc.availabilityZones)).toEqual(["us-east-1a", "us-east-1b"]);
        expect(await promiseOf(vpc.privateSubnetIds)).toEqual(["dev-private-0", "dev-private-1"].map((n) => harness.get(aws.ec2.Subnet, n).id));
        expect(await promiseOf(vpc.intraSubnetIds)).toHaveLength(2);
        expect(await promiseOf(vpc.publicSubnetIds)).toHaveLength(2);
        expect(await promiseOf(vpc.cidrBlock)).toBe("10.20.0.0/16");
        expect(await promiseOf(vpc.natPublicIps)).toEqual([harness.get(aws.ec2.Eip, "dev-nat-eip-0").outputs.publicIp]);
        expect(await promiseOf(vpc.flowLogGroupName)).toBe("/aws/vpc-flow-logs/dev-flow-logs");
    });
});

describe("Vpc, prod shape (3 AZs, NAT per AZ, interface endpoints, shared KMS key)", () => {
    beforeAll(async () => {
        new Vpc(
            "prod",
            { cidr: "10.40.0.0/16", azCount: 3, natGateways: "onePerAz", interfaceEndpoints: INTERFACE_ENDPOINT_SERVICES, flowLogKmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/env-key" },
            { providers: { aws: provider } },
        );
        await harness.settle();
    });

    it("gives each AZ its own NAT (in its own public subnet) and private route", () => {
        const nats = byName(named(aws.ec2.NatGateway, "prod-"));
        expect(Object.keys(nats).sort()).toEqual(["prod-nat-0", "prod-nat-1", "prod-nat-2"]);
        for (const i of [0, 1, 2]) {
            expect(nats[`prod-nat-${i}`].inputs.subnetId).toBe(harness.get(aws.ec2.Subnet, `prod-public-${i}`).id);
            expect(harness.get(aws.ec2.Route, `prod-private-default-${i}`).inputs.natGatewayId).toBe(nats[`prod-nat-${i}`].id);
        }
        expect(named(aws.ec2.Eip, "prod-")).toHaveLength(3);
        expect(named(aws.ec2.Subnet, "prod-")).toHaveLength(9);
    });

    it("uses the given KMS key instead of making one", () => {
        expect(named(aws.kms.Key, "prod-")).toEqual([]);
        expect(harness.get(aws.cloudwatch.LogGroup, "prod-flow-logs-group").inputs.kmsKeyId).toBe("arn:aws:kms:us-east-1:123456789012:key/env-key");
        expect(harness.get(aws.cloudwatch.LogGroup, "prod-flow-logs-group").inputs.retentionInDays).toBe(VPC_DEFAULTS.flowLogRetentionDays);
    });

    it("creates the seven interface endpoints in the private subnets, reachable on 443 from the VPC only", () => {
        const interfaces = named(aws.ec2.VpcEndpoint, "prod-").filter((e) => e.inputs.vpcEndpointType === "Interface");
        expect(interfaces.map((e) => String(e.inputs.serviceName)).sort()).toEqual(INTERFACE_ENDPOINT_SERVICES.map((s) => `com.amazonaws.us-east-1.${s}`).sort());
        const privateIds = [0, 1, 2].map((i) => harness.get(aws.ec2.Subnet, `prod-private-${i}`).id);
        const [sg] = named(aws.ec2.SecurityGroup, "prod-");
        for (const e of interfaces) expect(e.inputs).toMatchObject({ privateDnsEnabled: true, subnetIds: privateIds, securityGroupIds: [sg.id] });
        const [rule] = named(aws.vpc.SecurityGroupIngressRule, "prod-");
        expect(rule.inputs).toMatchObject({ securityGroupId: sg.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "10.40.0.0/16" });
    });
});

describe("validation (before anything is registered)", () => {
    it("lists every bad arg with what is allowed", () => {
        expect(() => validateVpcArgs({ cidr: "10.20.1.0/16", azCount: 7, natGateways: "many" as never })).toThrow(
            [
                "invalid Vpc args:",
                '  cidr: "10.20.1.0/16" has host bits set (use its network address, 10.20.0.0/16)',
                "  azCount: 7 is out of range (a whole number from 2 to 6)",
                '  natGateways: "many" is not a NAT strategy ("single" or "onePerAz")',
            ].join("\n"),
        );
    });

    it("throws a structured InputPropertiesError and registers nothing, not even the component", async () => {
        const before = harness.recorder.resources.size;
        let error: unknown;
        try {
            new Vpc("broken", { cidr: "8.8.8.0/16" }, { providers: { aws: provider } });
        } catch (err) {
            error = err;
        }
        expect(pulumi.InputPropertiesError.isInstance(error)).toBe(true);
        expect((error as pulumi.InputPropertiesError).errors).toEqual([{ propertyPath: "cidr", reason: '"8.8.8.0/16" has host bits set (use its network address, 8.8.0.0/16)' }]);
        await harness.settle();
        expect(harness.recorder.list().filter((r) => r.name.startsWith("broken"))).toEqual([]);
        expect(harness.recorder.resources.size).toBe(before);
    });

    it("checks flow-log retention and endpoint services", () => {
        expect(() => validateVpcFlowLogsArgs({ vpcId: "vpc-1", retentionDays: 45 })).toThrow("retentionDays: 45 is not a CloudWatch retention (one of 1, 3, 5");
        expect(() => validateVpcEndpointsArgs({ vpcId: "v", vpcCidr: "10.0.0.0/16", gatewayRouteTableIds: [], services: ["s3" as never, "sts", "sts"] })).toThrow(
            'invalid VpcEndpoints args:\n  services[0]: "s3" is not supported (one of ecr.api, ecr.dkr, sts, ssm, ssmmessages, ec2, logs)\n  services: lists a service twice (list each once)',
        );
    });

    it("documents its defaults in one exported object each", () => {
        expect(VPC_DEFAULTS).toMatchObject({ azCount: 3, natGateways: "onePerAz", interfaceEndpoints: [], flowLogRetentionDays: 90 });
        expect(VPC_FLOW_LOGS_DEFAULTS).toMatchObject({ retentionDays: 90, trafficType: "ALL" });
        expect(VPC_ENDPOINTS_DEFAULTS.services).toBe(INTERFACE_ENDPOINT_SERVICES);
    });
});
