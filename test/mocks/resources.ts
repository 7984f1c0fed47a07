import { MockResourceArgs } from "@pulumi/pulumi/runtime";
import { hexOf, passwordOf, pemKeyOf, publicIpOf, uuidOf } from "./ids";

/** EC2-style id prefixes ("vpc-0a1b…"), as the provider would return them. */
const EC2_ID_PREFIX: Record<string, string> = {
    "aws:ec2/vpc:Vpc": "vpc",
    "aws:ec2/subnet:Subnet": "subnet",
    "aws:ec2/internetGateway:InternetGateway": "igw",
    "aws:ec2/natGateway:NatGateway": "nat",
    "aws:ec2/eip:Eip": "eipalloc",
    "aws:ec2/routeTable:RouteTable": "rtb",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc",
    "aws:ec2/securityGroup:SecurityGroup": "sg",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce",
    "aws:ec2/flowLog:FlowLog": "fl",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt",
    "aws:ec2/instance:Instance": "i",
};

type Inputs = Record<string, unknown>;

/** "Now" for time-derived outputs (certificate validity, rotation clocks): fixed, so plans are reproducible. */
const MOCK_EPOCH = new Date("2026-01-01T00:00:00Z");

import { FakeCloud, SecretSink } from "./invokes";

type Computed = (ctx: { name: string; id: string; inputs: Inputs; cloud: FakeCloud; seed: string; secret: SecretSink }) => Record<string, unknown>;

const arn = (cloud: FakeCloud, service: string, resource: string, regional = true) =>
    `arn:${cloud.partition}:${service}:${regional ? cloud.region : ""}:${cloud.accountId}:${resource}`;

/** Auto-naming as Pulumi does it: logical name plus a 7-hex suffix, stable per resource here. */
const autoName = (name: string, seed: string) => `${name}-${hexOf(seed, 7)}`;

/** Outputs a provider computes, per type; anything not listed just echoes its inputs. */
const COMPUTED: Record<string, Computed> = {
    "aws:ec2/vpc:Vpc": ({ id, cloud, seed }) => ({
        arn: arn(cloud, "ec2", `vpc/${id}`),
        defaultSecurityGroupId: `sg-${hexOf(`${seed}:dsg`, 17)}`,
        mainRouteTableId: `rtb-${hexOf(`${seed}:main`, 17)}`,
        defaultNetworkAclId: `acl-${hexOf(`${seed}:acl`, 17)}`,
        ownerId: cloud.accountId,
    }),
    "aws:ec2/subnet:Subnet": ({ id, cloud }) => ({ arn: arn(cloud, "ec2", `subnet/${id}`), ownerId: cloud.accountId }),
    "aws:ec2/eip:Eip": ({ seed }) => ({ publicIp: publicIpOf(seed), allocationId: `eipalloc-${hexOf(seed, 17)}`, domain: "vpc" }),
    "aws:ec2/natGateway:NatGateway": ({ seed }) => ({ publicIp: publicIpOf(`${seed}:nat`), networkInterfaceId: `eni-${hexOf(seed, 17)}` }),
    "aws:ec2/securityGroup:SecurityGroup": ({ id, cloud, name, inputs, seed }) => ({
        arn: arn(cloud, "ec2", `security-group/${id}`),
        name: inputs.name ?? autoName(name, seed),
        ownerId: cloud.accountId,
    }),
    "aws:ec2/vpcEndpoint:VpcEndpoint": ({ id, cloud }) => ({ arn: arn(cloud, "ec2", `vpc-endpoint/${id}`), state: "available" }),
    "aws:ec2/flowLog:FlowLog": ({ id, cloud }) => ({ arn: arn(cloud, "ec2", `vpc-flow-log/${id}`) }),
    "aws:kms/key:Key": ({ id, cloud }) => ({ arn: arn(cloud, "kms", `key/${id}`), keyId: id }),
    "aws:kms/alias:Alias": ({ inputs, cloud }) => ({ arn: arn(cloud, "kms", String(inputs.name)) }),
    "aws:cloudwatch/logGroup:LogGroup": ({ inputs, cloud, name, seed }) => {
        const groupName = inputs.name ?? autoName(name, seed);
        return { name: groupName, arn: arn(cloud, "logs", `log-group:${groupName}`) };
    },
    "aws:iam/role:Role": ({ inputs, cloud, name, seed }) => {
        const roleName = inputs.name ?? autoName(name, seed);
        return { name: roleName, arn: arn(cloud, "iam", `role/${roleName}`, false), uniqueId: `AROA${hexOf(seed, 17).toUpperCase()}` };
    },
    "aws:iam/rolePolicy:RolePolicy": ({ inputs, name, seed }) => ({ name: inputs.name ?? autoName(name, seed) }),
    "aws:eks/cluster:Cluster": ({ inputs, cloud, seed }) => {
        const host = `${hexOf(seed, 32).toUpperCase()}.gr7.${cloud.region}.eks.amazonaws.com`;
        const vpcConfig = (inputs.vpcConfig ?? {}) as Record<string, unknown>;
        return {
            arn: arn(cloud, "eks", `cluster/${String(inputs.name)}`),
            endpoint: `https://${host}`,
            certificateAuthority: { data: Buffer.from(pemKeyOf(`${seed}:ca`, "CERTIFICATE")).toString("base64") },
            identities: [{ oidcs: [{ issuer: `https://oidc.eks.${cloud.region}.amazonaws.com/id/${hexOf(`${seed}:oidc`, 32).toUpperCase()}` }] }],
            vpcConfig: { ...vpcConfig, clusterSecurityGroupId: `sg-${hexOf(`${seed}:csg`, 17)}`, vpcId: `vpc-${hexOf(`${seed}:vpc`, 17)}` },
            platformVersion: "eks.5",
            status: "ACTIVE",
        };
    },
    "aws:eks/nodeGroup:NodeGroup": ({ inputs, cloud }) => ({
        arn: arn(cloud, "eks", `nodegroup/${String(inputs.clusterName)}/${String(inputs.nodeGroupName)}/${uuidOf(String(inputs.nodeGroupName))}`),
        status: "ACTIVE",
    }),
    "aws:eks/addon:Addon": ({ inputs, cloud }) => ({
        arn: arn(cloud, "eks", `addon/${String(inputs.clusterName)}/${String(inputs.addonName)}/${uuidOf(String(inputs.addonName))}`),
        addonVersion: inputs.addonVersion ?? "v1.0.0-eksbuild.1",
    }),
    "aws:eks/accessEntry:AccessEntry": ({ inputs, cloud, seed }) => ({ accessEntryArn: arn(cloud, "eks", `access-entry/${String(inputs.clusterName)}/${hexOf(seed, 8)}`) }),
    "aws:ec2/launchTemplate:LaunchTemplate": ({ id, cloud }) => ({ arn: arn(cloud, "ec2", `launch-template/${id}`), latestVersion: 1, defaultVersion: 1 }),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": ({ inputs, cloud }) => ({
        arn: arn(cloud, "iam", `oidc-provider/${String(inputs.url).replace(/^https:\/\//, "")}`, false),
    }),
    "aws:s3/bucket:Bucket": ({ inputs, cloud }) => ({ arn: `arn:${cloud.partition}:s3:::${String(inputs.bucket)}`, bucket: inputs.bucket, bucketDomainName: `${String(inputs.bucket)}.s3.amazonaws.com`, region: cloud.region }),
    "aws:iam/policy:Policy": ({ inputs, cloud, name, seed }) => {
        const policyName = inputs.name ?? autoName(name, seed);
        return { name: policyName, arn: arn(cloud, "iam", `policy/${String(policyName)}`, false), policyId: `ANPA${hexOf(seed, 17).toUpperCase()}` };
    },
    "aws:lb/loadBalancer:LoadBalancer": ({ inputs, cloud, seed }) => {
        const lbName = String(inputs.name);
        const scheme = inputs.internal ? "internal-" : "";
        return {
            arn: arn(cloud, "elasticloadbalancing", `loadbalancer/net/${lbName}/${hexOf(seed, 16)}`),
            dnsName: `${scheme}${lbName}-${hexOf(seed, 16)}.elb.${cloud.region}.amazonaws.com`,
            zoneId: "Z26RNL4JYFTOTI",
        };
    },
    "aws:lb/targetGroup:TargetGroup": ({ name, cloud, seed }) => ({ arn: arn(cloud, "elasticloadbalancing", `targetgroup/${name.slice(0, 20)}/${hexOf(seed, 16)}`) }),
    "aws:lb/listener:Listener": ({ cloud, seed }) => ({ arn: arn(cloud, "elasticloadbalancing", `listener/net/${hexOf(seed, 16)}`) }),
    "aws:iam/instanceProfile:InstanceProfile": ({ inputs, cloud, name, seed }) => {
        const profileName = inputs.name ?? autoName(name, seed);
        return { name: profileName, arn: arn(cloud, "iam", `instance-profile/${String(profileName)}`, false) };
    },
    "aws:autoscaling/group:Group": ({ inputs, cloud, name, seed }) => ({ name: inputs.name ?? autoName(name, seed), arn: arn(cloud, "autoscaling", `autoScalingGroup:${uuidOf(seed)}:autoScalingGroupName/${String(inputs.name)}`) }),
    "aws:secretsmanager/secret:Secret": ({ id }) => ({ arn: id }),
    "aws:sqs/queue:Queue": ({ inputs, cloud, name, seed }) => {
        const queueName = String(inputs.name ?? autoName(name, seed));
        return { name: queueName, arn: arn(cloud, "sqs", queueName), url: `https://sqs.${cloud.region}.amazonaws.com/${cloud.accountId}/${queueName}` };
    },
    "aws:cloudwatch/eventRule:EventRule": ({ inputs, cloud, name, seed }) => {
        const ruleName = String(inputs.name ?? autoName(name, seed));
        return { name: ruleName, arn: arn(cloud, "events", `rule/${ruleName}`) };
    },
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": ({ cloud, seed, inputs }) => ({
        associationId: `a-${hexOf(seed, 17)}`,
        associationArn: arn(cloud, "eks", `podidentityassociation/${String(inputs.clusterName)}/a-${hexOf(seed, 17)}`),
    }),
    "aws:lambda/function:Function": ({ inputs, cloud, name, seed }) => {
        const fnName = String(inputs.name ?? autoName(name, seed));
        return { name: fnName, arn: arn(cloud, "lambda", `function:${fnName}`), invokeArn: `arn:${cloud.partition}:apigateway:${cloud.region}:lambda:path/2015-03-31/functions/${arn(cloud, "lambda", `function:${fnName}`)}/invocations`, version: "$LATEST" };
    },
    "tls:index/selfSignedCert:SelfSignedCert": ({ seed }) => ({ certPem: pemKeyOf(`${seed}:cert`, "CERTIFICATE"), readyForRenewal: false }),
    "tls:index/certRequest:CertRequest": ({ seed }) => ({ certRequestPem: pemKeyOf(`${seed}:csr`, "CERTIFICATE REQUEST") }),
    "tls:index/locallySignedCert:LocallySignedCert": ({ seed, inputs }) => ({
        certPem: pemKeyOf(`${seed}:cert`, "CERTIFICATE"),
        readyForRenewal: false,
        validityStartTime: MOCK_EPOCH.toISOString().replace(".000", ""),
        validityEndTime: new Date(MOCK_EPOCH.getTime() + Number(inputs.validityPeriodHours ?? 0) * 3600_000).toISOString().replace(".000", ""),
    }),
    // The runner's `zerotier-idtool` prints the public identity (address:0:public key); the secret half never comes back.
    "command:local:Command": ({ inputs, seed }) => ({ stdout: String(inputs.create ?? "").includes("zerotier-idtool") ? `${hexOf(`${seed}:zt`, 10)}:0:${hexOf(`${seed}:ztpub`, 128)}` : "swarm API ready", stderr: "" }),
    "random:index/randomId:RandomId": ({ inputs, seed }) => {
        const hex = hexOf(`${seed}:id`, Number(inputs.byteLength ?? 4) * 2);
        const bytes = Buffer.from(hex, "hex");
        return { hex, b64Std: bytes.toString("base64"), b64Url: bytes.toString("base64url"), dec: BigInt(`0x${hex}`).toString() };
    },
    "tailscale:index/tailnetKey:TailnetKey": ({ seed, secret }) => {
        const key = `tskey-auth-k${hexOf(`${seed}:kid`, 16)}-${passwordOf(seed, 32).replace(/[^A-Za-z0-9]/g, "x")}`;
        secret(key);
        return { key, createdAt: MOCK_EPOCH.toISOString(), expiresAt: MOCK_EPOCH.toISOString(), invalid: false };
    },
    "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared": () => ({ status: "inactive", createdAt: MOCK_EPOCH.toISOString(), tunType: "cfd_tunnel", remoteConfig: true }),
    // ACM's DNS validation record, as DescribeCertificate returns it (names with the trailing dot).
    "aws:acm/certificate:Certificate": ({ id, inputs, seed }) => {
        const domainName = String(inputs.domainName);
        return {
            arn: id,
            domainValidationOptions: [
                {
                    domainName,
                    resourceRecordName: `_${hexOf(`${seed}:name`, 32)}.${domainName}.`,
                    resourceRecordType: "CNAME",
                    resourceRecordValue: `_${hexOf(`${seed}:value`, 32)}.${hexOf(`${seed}:zone`, 10)}.acm-validations.aws.`,
                },
            ],
            subjectAlternativeNames: [domainName],
            status: "PENDING_VALIDATION",
            type: "AMAZON_ISSUED",
        };
    },
    "cloudflare:index/dnsRecord:DnsRecord": ({ inputs }) => ({ proxiable: true, createdOn: MOCK_EPOCH.toISOString(), name: inputs.name }),
    "aws:ecr/repository:Repository": ({ inputs, cloud }) => ({
        arn: arn(cloud, "ecr", `repository/${String(inputs.name)}`),
        registryId: cloud.accountId,
        repositoryUrl: `${cloud.accountId}.dkr.ecr.${cloud.region}.amazonaws.com/${String(inputs.name)}`,
    }),
    // buildOnPreview is off, so a real preview has no digest either; the mock gives the one an `up` would.
    "docker-build:index:Image": ({ inputs, seed }) => {
        const tag = String((inputs.tags as string[] | undefined)?.[0] ?? "image:latest");
        const digest = `sha256:${hexOf(`${seed}:digest`, 64)}`;
        return { digest, ref: `${tag.slice(0, tag.lastIndexOf(":"))}@${digest}`, contextHash: hexOf(`${seed}:ctx`, 64) };
    },
    "aws:rolesanywhere/trustAnchor:TrustAnchor": ({ cloud, seed }) => ({ arn: arn(cloud, "rolesanywhere", `trust-anchor/${uuidOf(seed)}`) }),
    "aws:rolesanywhere/profile:Profile": ({ cloud, seed }) => ({ arn: arn(cloud, "rolesanywhere", `profile/${uuidOf(seed)}`) }),
    "aws:ssm/parameter:Parameter": ({ inputs, cloud }) => ({ arn: arn(cloud, "ssm", `parameter${String(inputs.name)}`), version: 1 }),
    "time:index/rotating:Rotating": ({ inputs }) => {
        const due = new Date(MOCK_EPOCH.getTime() + Number(inputs.rotationDays ?? 0) * 86400_000);
        return { rfc3339: MOCK_EPOCH.toISOString().replace(".000", ""), rotationRfc3339: due.toISOString().replace(".000", ""), unix: MOCK_EPOCH.getTime() / 1000 };
    },
    "kubernetes:helm.sh/v3:Release": ({ inputs }) => ({ status: { name: inputs.name, namespace: inputs.namespace, status: "deployed", version: inputs.version, revision: 1 } }),
    "random:index/randomPassword:RandomPassword": ({ inputs, seed, secret }) => {
        const result = passwordOf(seed, Number(inputs.length ?? 32));
        secret(result);
        return { result, bcryptHash: `$2a$10$${hexOf(`${seed}:bcrypt`, 53)}` };
    },
    "tls:index/privateKey:PrivateKey": ({ seed, secret }) => {
        const privateKeyPem = pemKeyOf(seed);
        secret(privateKeyPem);
        return { privateKeyPem, privateKeyOpenssh: privateKeyPem, publicKeyPem: pemKeyOf(`${seed}:pub`, "PUBLIC KEY") };
    },
};

/** The id a provider would assign: EC2 prefix + 17 hex, a UUID for KMS keys, else name-based. */
function fakeId(type: string, name: string, inputs: Inputs, seed: string, cloud: FakeCloud): string {
    const prefix = EC2_ID_PREFIX[type];
    if (prefix) return `${prefix}-${hexOf(seed, 17)}`;
    if (type === "aws:kms/key:Key" || type === "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared") return uuidOf(seed);
    // Secrets Manager ids are the secret's ARN (with AWS's 6-character suffix).
    if (type === "aws:secretsmanager/secret:Secret") return arn(cloud, "secretsmanager", `secret:${String(inputs.name)}-${hexOf(seed, 6)}`);
    // A certificate's id is its ARN; a validation's, the time it was issued (terraform-provider-aws internal/service/acm).
    if (type === "aws:acm/certificate:Certificate") return arn(cloud, "acm", `certificate/${uuidOf(seed)}`);
    if (type === "aws:acm/certificateValidation:CertificateValidation") return MOCK_EPOCH.toISOString().replace("T", " ").replace(".000Z", " +0000 UTC");
    if (typeof inputs.name === "string") return inputs.name;
    // A role's id is its name, auto-named ones too (terraform-provider-aws internal/service/iam/role.go: d.SetId(roleName)),
    // so a RolePolicy's `role: role.id` names the role its ARN names.
    if (type === "aws:iam/role:Role") return autoName(name, seed);
    if (type === "aws:s3/bucket:Bucket" && typeof inputs.bucket === "string") return inputs.bucket;
    return `${name}-${hexOf(seed, 8)}`;
}

/** The provider's answer to a create: an id and the full state (inputs plus computed outputs). */
export function fakeResource(args: MockResourceArgs, cloud: FakeCloud, secret: SecretSink): { id: string | undefined; state: Record<string, unknown> } {
    const inputs = (args.inputs ?? {}) as Inputs;
    // Components and providers carry no id; the engine gives providers a UUID-like one.
    if (args.custom === false) return { id: undefined, state: inputs };
    const seed = `${args.type}::${args.name}`;
    const id = args.type.startsWith("pulumi:providers:") ? uuidOf(seed) : fakeId(args.type, args.name, inputs, seed, cloud);
    const computed = COMPUTED[args.type]?.({ name: args.name, id, inputs, cloud, seed, secret }) ?? {};
    return { id, state: { ...inputs, ...computed, id } };
}
