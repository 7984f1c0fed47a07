import { MockCallArgs } from "@pulumi/pulumi/runtime";
import { hexOf, passwordOf, uuidOf } from "./ids";

/** The fake cloud the mocks describe; synth and tests share it. */
export interface FakeCloud {
    readonly region: string;
    readonly accountId: string;
    readonly partition: string;
}

export const DEFAULT_CLOUD: FakeCloud = { region: "us-east-1", accountId: "123456789012", partition: "aws" };

/** AZ letters a region offers without opt-in; us-east-1 really has six. */
const AZ_LETTERS: Record<string, string> = { "us-east-1": "abcdef", "us-west-2": "abcd", "eu-west-1": "abc" };

/** Receives every generated secret value, so a leak of it can be detected. */
export type SecretSink = (value: string) => void;

type InvokeHandler = (args: MockCallArgs, cloud: FakeCloud, secret: SecretSink) => Record<string, unknown>;

/**
 * Every invoke (data-source lookup) the program makes, answered realistically. An invoke missing from
 * this table fails the run on purpose: a new lookup must be mocked deliberately, never silently empty.
 */
export const INVOKES: Record<string, InvokeHandler> = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": (_args, cloud) => {
        const letters = AZ_LETTERS[cloud.region] ?? "abc";
        const names = [...letters].map((l) => `${cloud.region}${l}`);
        return {
            id: cloud.region,
            names,
            zoneIds: names.map((_, i) => `${cloud.region.replace(/-/g, "").slice(0, 4)}-az${i + 1}`),
            groupNames: names.map(() => cloud.region),
            state: "available",
        };
    },
    "aws:eks/getAddonVersion:getAddonVersion": (args, cloud) => {
        const minor = Number(String(args.inputs.kubernetesVersion).split(".")[1]);
        const versions: Record<string, string> = { coredns: `v1.${minor - 22}.1-eksbuild.1`, "eks-pod-identity-agent": "v1.3.4-eksbuild.1" };
        const version = versions[String(args.inputs.addonName)];
        if (!version) throw new Error(`no mocked version for add-on ${String(args.inputs.addonName)}`);
        return { addonName: args.inputs.addonName, kubernetesVersion: args.inputs.kubernetesVersion, mostRecent: args.inputs.mostRecent ?? false, version, region: cloud.region, id: String(args.inputs.addonName) };
    },
    "aws:secretsmanager/getSecretVersion:getSecretVersion": (args, cloud, secret) => {
        const secretId = String(args.inputs.secretId);
        // OAuth clients are stored as JSON (README "Stack config"); other secrets are plain tokens.
        // Git credentials: JSON {"username","password"} for https (README "Stack config").
        const secretString = /oauth/.test(secretId)
            ? JSON.stringify({ id: `k${hexOf(secretId, 16)}`, secret: `tskey-client-${passwordOf(secretId, 40)}` })
            : /git-https/.test(secretId)
              ? JSON.stringify({ username: "x-access-token", password: `ghs_${passwordOf(secretId, 36)}` })
              : `sm-${passwordOf(secretId, 40)}`;
        secret(secretString);
        const name = secretId.startsWith("arn:") ? secretId.split(":").pop()! : secretId;
        return {
            id: `${secretId}|AWSCURRENT`,
            arn: `arn:${cloud.partition}:secretsmanager:${cloud.region}:${cloud.accountId}:secret:${name}-${hexOf(secretId, 6)}`,
            secretId,
            secretString,
            secretBinary: "",
            versionId: uuidOf(secretId),
            versionStage: "AWSCURRENT",
            versionStages: ["AWSCURRENT"],
            createdDate: "2026-01-01T00:00:00Z",
        };
    },
    "aws:ssm/getParameter:getParameter": (args, cloud) => {
        const name = String(args.inputs.name);
        if (!name.startsWith("/aws/service/ami-amazon-linux-latest/")) throw new Error(`no mocked SSM parameter ${name}`);
        return { name, value: `ami-0${hexOf(`${cloud.region}:${name}`, 16)}`, type: "String", version: 1, arn: `arn:${cloud.partition}:ssm:${cloud.region}::parameter${name}`, id: name, insecureValue: "", withDecryption: true };
    },
    "aws:index/getCallerIdentity:getCallerIdentity": (_args, cloud) => ({
        accountId: cloud.accountId,
        arn: `arn:${cloud.partition}:sts::${cloud.accountId}:assumed-role/pulumi-deploy/session`,
        id: cloud.accountId,
        userId: "AROAEXAMPLEDEPLOYROLE:session",
    }),
    "aws:index/getPartition:getPartition": (_args, cloud) => ({
        partition: cloud.partition,
        dnsSuffix: "amazonaws.com",
        reverseDnsPrefix: "com.amazonaws",
        id: cloud.partition,
    }),
    "aws:index/getRegion:getRegion": (_args, cloud) => ({
        region: cloud.region,
        name: cloud.region,
        id: cloud.region,
        endpoint: `ec2.${cloud.region}.amazonaws.com`,
        description: "US East (N. Virginia)",
    }),
};

INVOKES["cloudflare:index/getZeroTrustTunnelCloudflaredToken:getZeroTrustTunnelCloudflaredToken"] = (args, _cloud, secret) => {
    // A connector token is base64 JSON {a: account, t: tunnel, s: secret}, as Cloudflare issues it.
    const token = Buffer.from(JSON.stringify({ a: args.inputs.accountId, t: args.inputs.tunnelId, s: Buffer.from(hexOf(`tunnel:${String(args.inputs.tunnelId)}`, 64), "hex").toString("base64") })).toString("base64");
    secret(token);
    return { accountId: args.inputs.accountId, tunnelId: args.inputs.tunnelId, token };
};
INVOKES["aws:ecr/getAuthorizationToken:getAuthorizationToken"] = (args, cloud, secret) => {
    const password = `eyJ${passwordOf(`ecr:${String(args.inputs.registryId)}`, 60).replace(/[^A-Za-z0-9]/g, "Q")}`;
    secret(password);
    return {
        authorizationToken: Buffer.from(`AWS:${password}`).toString("base64"),
        expiresAt: "2026-01-01T12:00:00Z",
        id: cloud.region,
        password,
        proxyEndpoint: `https://${cloud.accountId}.dkr.ecr.${cloud.region}.amazonaws.com`,
        region: cloud.region,
        registryId: args.inputs.registryId ?? cloud.accountId,
        userName: "AWS",
    };
};

export function answerInvoke(args: MockCallArgs, cloud: FakeCloud, secret: SecretSink): Record<string, unknown> {
    const handler = INVOKES[args.token];
    if (!handler) {
        // The SDK rethrows an invoke failure as new Error(err.details), as for a gRPC error.
        const message = `unmocked invoke ${args.token}: add a realistic answer to test/mocks/invokes.ts`;
        throw Object.assign(new Error(message), { details: message });
    }
    return handler(args, cloud, secret);
}
