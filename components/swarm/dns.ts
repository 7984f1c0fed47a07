import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { ArgProblem, throwIfProblems } from "../shared/validation";

export interface SwarmDnsArgs {
    /** Cloudflare zone the hostnames live in. Required. */
    readonly zoneId: string;
    /** Hostnames Traefik serves. Required. */
    readonly hostnames: string[];
    /** What they point at: the public load balancer's DNS name. Required. */
    readonly target: pulumi.Input<string>;
    /** Record TTL in seconds. Defaults to 300. */
    readonly ttl?: number;
}

export const SWARM_DNS_DEFAULTS = { ttl: 300 };

export function validateSwarmDnsArgs(args: SwarmDnsArgs): void {
    const problems: ArgProblem[] = [];
    if (new Set(args.hostnames).size !== args.hostnames.length) problems.push({ path: "hostnames", reason: "lists a hostname twice (list each once)" });
    const ttl = args.ttl ?? SWARM_DNS_DEFAULTS.ttl;
    if (!(ttl === 1 || (ttl >= 60 && ttl <= 86400))) problems.push({ path: "ttl", reason: `${ttl} is not 1 (auto) or 60-86400` });
    throwIfProblems("SwarmDns", problems);
}

/**
 * Cloudflare CNAMEs for the hostnames Traefik serves, pointing at the swarm's public load balancer.
 * Not proxied: Traefik terminates TLS with its own ACME certificates. The Cloudflare provider comes
 * from `opts` (the environment's, whose token is read from Secrets Manager at deploy time).
 */
export class SwarmDns extends pulumi.ComponentResource {
    public readonly recordIds: pulumi.Output<string[]>;

    constructor(name: string, args: SwarmDnsArgs, opts?: pulumi.ComponentResourceOptions) {
        validateSwarmDnsArgs(args);
        super("pr-cybr:swarm:SwarmDns", name, {}, opts);
        const records = args.hostnames.map(
            (hostname) =>
                new cloudflare.DnsRecord(
                    `${name}-${hostname.replace(/\./g, "-")}`,
                    { zoneId: args.zoneId, name: hostname, type: "CNAME", content: args.target, ttl: args.ttl ?? SWARM_DNS_DEFAULTS.ttl, proxied: false, comment: "managed by pr-cybr-platform (swarm ingress)" },
                    { parent: this },
                ),
        );
        this.recordIds = pulumi.output(records.map((r) => r.id));
        this.registerOutputs({ recordIds: this.recordIds });
    }
}
