import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as tailscale from "@pulumi/tailscale";

/** A node's VPN settings: one of the two networks edge nodes join the swarm over. */
export type EdgeVpnArgs =
    | {
          readonly kind: "tailscale";
          /** ACL tag the node's device gets (tagged devices do not expire). */
          readonly tag: string;
          /** Days the pre-authorized key stays usable; the scheduled run recreates an expired one. */
          readonly keyExpiryDays: number;
      }
    | {
          readonly kind: "zerotier";
          readonly networkId: string;
          /** ZeroTier Central API token (a Pulumi secret), used by the runner to authorize the member. */
          readonly apiToken: pulumi.Input<string>;
      };

/** What a VPN credential adds to the node's bundle. */
export type VpnBundle = Record<string, pulumi.Input<string>>;

/** A single-use, pre-authorized, tagged Tailscale auth key; the tailscale provider comes from opts. */
export function tailscaleAuthKey(parent: pulumi.Resource, name: string, args: { nodeName: string; environment: string; tag: string; keyExpiryDays: number }): VpnBundle {
    const key = new tailscale.TailnetKey(
        `${name}-tailscale-key`,
        {
            // Tailscale accepts up to 50 letters, digits, spaces and hyphens here.
            description: `${args.nodeName} pr-cybr ${args.environment}`.slice(0, 50),
            reusable: false,
            ephemeral: false,
            preauthorized: true,
            tags: [args.tag],
            expiry: args.keyExpiryDays * 86400,
            // An expired or used key is replaced on the next run, so an unprovisioned node always has a valid one.
            recreateIfInvalid: "always",
        },
        { parent },
    );
    return { kind: "tailscale", authKey: pulumi.secret(key.key) };
}

const ZT_API = "https://api.zerotier.com/api/v1";

/**
 * A ZeroTier identity minted on the deploy runner and its member pre-authorized on the network. No
 * maintained Pulumi ZeroTier package is published to npm, so this uses the official `zerotier-idtool`
 * and the ZeroTier Central REST API through @pulumi/command. The identity's secret half never enters
 * Pulumi state or logs: the runner writes it straight into the node's own secret (`identitySecret`)
 * and prints only the public half. Deleting the node deletes the member (revoking it) and the secret.
 */
export function zeroTierMember(
    parent: pulumi.Resource,
    name: string,
    args: { nodeName: string; region: string; networkId: string; apiToken: pulumi.Input<string>; identitySecret: aws.secretsmanager.Secret },
): VpnBundle {
    const identity = new command.local.Command(
        `${name}-zerotier-identity`,
        {
            interpreter: ["/bin/bash", "-c"],
            create: [
                "set -euo pipefail",
                'command -v zerotier-idtool >/dev/null || { echo "zerotier-idtool is not installed on this runner (docs/runbooks/edge.md: runner prerequisites)" >&2; exit 127; }',
                "id=$(zerotier-idtool generate)",
                'printf %s "$id" | aws secretsmanager put-secret-value --region "$AWS_REGION" --secret-id "$SECRET_ARN" --secret-string file:///dev/stdin >/dev/null',
                'printf %s "$id" | cut -d: -f1-3',
            ].join("\n"),
            environment: { SECRET_ARN: args.identitySecret.arn, AWS_REGION: args.region },
            // A new secret (a re-added node) gets a new identity.
            triggers: [args.identitySecret.arn],
        },
        { parent },
    );
    const identityPublic = identity.stdout.apply((s) => s.trim());
    const memberId = identityPublic.apply((s) => s.split(":")[0]);
    const memberUrl = pulumi.interpolate`${ZT_API}/network/${args.networkId}/member/${memberId}`;
    new command.local.Command(
        `${name}-zerotier-member`,
        {
            interpreter: ["/bin/bash", "-c"],
            create: 'curl -fsS -o /dev/null -X POST -H "Authorization: token $ZT_API_TOKEN" -H "Content-Type: application/json" -d "{\\"name\\":\\"$NODE_NAME\\",\\"config\\":{\\"authorized\\":true}}" "$MEMBER_URL"',
            delete: 'curl -fsS -o /dev/null -X DELETE -H "Authorization: token $ZT_API_TOKEN" "$MEMBER_URL"',
            environment: { ZT_API_TOKEN: pulumi.secret(args.apiToken), NODE_NAME: args.nodeName, MEMBER_URL: memberUrl },
            triggers: [memberUrl],
        },
        { parent, deleteBeforeReplace: true },
    );
    return { kind: "zerotier", networkId: args.networkId, identityPublic, identitySecretArn: args.identitySecret.arn };
}
