// The Cilium operator's role may make every EC2 call ENI IPAM needs in the pinned Cilium version, only
// in this region, tag only the ENIs it creates, and only its own service account assumes it.
import { Claim, request } from "../lib/claims";
import { resourcesOfType } from "../lib/plans";
import { World } from "../lib/world";

// Cilium v1.19.4 (tag commit 95e477fdcfd35d438b135f4d981ee20ce3016ac3),
// Documentation/network/concepts/ipam/eni.rst, "Required Privileges". DescribeRouteTables is called
// by every infrastructure sync (pkg/aws/eni/instances.go, syncInfrastructure) since 1.18.
const CILIUM_DOC = "cilium v1.19.4 Documentation/network/concepts/ipam/eni.rst#ec2privileges";
const REQUIRED = [
    "DeleteNetworkInterface",
    "DescribeNetworkInterfaces",
    "DescribeSubnets",
    "DescribeVpcs",
    "DescribeRouteTables",
    "DescribeSecurityGroups",
    "CreateNetworkInterface",
    "AttachNetworkInterface",
    "ModifyNetworkInterfaceAttribute",
    "AssignPrivateIpAddresses",
    "CreateTags",
];
// Conditional entries of the same section that apply to our values (components/cluster/cilium-values.ts):
// awsReleaseExcessIPs is on; ENI limits come from the EC2 API "from 1.18 onwards" (DescribeInstanceTypes),
// and the operator runs on IRSA, so the node role's AmazonEKSWorkerNodePolicy does not cover it.
// Not needed: DescribeTags (cluster.name is set), DescribeInstances (no --instance-tags-filter),
// AssignIpv6Addresses (IPv4 only).
const CONDITIONAL = ["UnassignPrivateIpAddresses", "DescribeInstanceTypes"];

export async function ciliumClaims(world: World): Promise<Claim[]> {
    const env = world.plan.stack;
    const role = await world.role(`pr-cybr-${env}-cilium-operator-role`);
    const base = { principal: world.session(role, "cilium-operator"), identityPolicies: role.identityPolicies, boundary: role.boundary, resourceAccount: world.account };
    const eni = (region: string) => `arn:aws:ec2:${region}:${world.account}:network-interface/eni-0a1b2c3d4e5f60718`;
    const call = (action: string, region = world.region, context: Record<string, string> = {}) => () => ({
        ...base,
        action: `ec2:${action}`,
        // Describe* have no resource-level permissions; the ENI operations act on an ENI.
        resource: action.startsWith("Describe") ? "*" : eni(region),
        context: { "aws:RequestedRegion": region, ...context },
    });
    const claims: Claim[] = [...REQUIRED, ...CONDITIONAL].map((action) =>
        request(`${env}: the Cilium operator may call ec2:${action}`, CILIUM_DOC, "Allowed", call(action, world.region, action === "CreateTags" ? { "ec2:CreateAction": "CreateNetworkInterface" } : {})),
    );
    const other = world.region === "us-west-2" ? "us-east-2" : "us-west-2";
    claims.push(request(`${env}: the Cilium operator cannot create ENIs in ${other}`, "docs/architecture.md#cluster-decisions", "Denied", call("CreateNetworkInterface", other)));
    claims.push(request(`${env}: the Cilium operator cannot tag an existing resource`, "docs/architecture.md#cluster-decisions", "Denied", () => ({ ...base, action: "ec2:CreateTags", resource: world.arn("ec2", "instance/i-0a1b2c3d4e5f60718"), context: { "aws:RequestedRegion": world.region } })));

    // IRSA: the cluster's OIDC issuer vouches for the service account in the token's `sub`.
    const issuer = String(resourcesOfType(world.plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")[0].inputs.url).replace(/^https:\/\//, "");
    const assume = (serviceAccount: string) => () => ({
        principal: `arn:aws:iam::${world.account}:oidc-provider/${issuer}`,
        action: "sts:AssumeRoleWithWebIdentity",
        resource: role.arn,
        resourceAccount: world.account,
        resourcePolicy: role.trust,
        context: { [`${issuer}:sub`]: `system:serviceaccount:${serviceAccount}`, [`${issuer}:aud`]: "sts.amazonaws.com" },
    });
    claims.push(request(`${env}: kube-system/cilium-operator assumes the operator role`, "docs/architecture.md#cluster-decisions", "Allowed", assume("kube-system:cilium-operator")));
    claims.push(request(`${env}: another service account cannot assume the operator role`, "docs/architecture.md#cluster-decisions", "Denied", assume("kube-system:default")));
    return claims;
}
