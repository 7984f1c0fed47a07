import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { ArgProblem, throwIfProblems } from "../shared/validation";
import { IssuedCert } from "./pki";
import { COLLECTOR_USER, collectorConfig, contentName, DOCKER_API_VOLUME, FILTERED_SOCKET_DIR, RESTART_POLICY, rollout, socketProxyArgs, SWARM_IMAGES, traefikStaticConfig } from "./service-specs";

/** The option a swarm's engine adds to every overlay it creates (its VXLAN id), seen on Engine 20.10 by swarm-overlay-read-back. */
export const OVERLAY_VXLAN_OPTION = "com.docker.network.driver.overlay.vxlanid_list";

/** The overlay driver's option for the MTU of the links under it (libnetwork overlay driver). */
export const OVERLAY_MTU_OPTION = "com.docker.network.driver.mtu";

/** Tailscale's interface MTU (tailscale0: 1280, the IPv6 minimum, so WireGuard fits any path). */
export const TAILSCALE_MTU = 1280;

/** The engine's predefined network of the host's own stack (a swarm service may attach to it by name). */
export const HOST_NETWORK = "host";

export interface SwarmServicesArgs {
    readonly swarmName: string;
    readonly region: pulumi.Input<string>;
    /** The Docker API, `tcp://<host>:2376`. Required. */
    readonly dockerHost: pulumi.Input<string>;
    /** CA and the deployer's client certificate for the Docker API. Required. */
    readonly caCertPem: pulumi.Input<string>;
    readonly deployer: IssuedCert;
    /** The collector's server certificate. Required. */
    readonly collector: IssuedCert;
    /** The CA whose client certificates the collector accepts (the edge CA: agents present node certificates). Defaults to caCertPem. */
    readonly telemetryClientCaPem?: pulumi.Input<string>;
    readonly acmeEmail: string;
    /** Secrets Manager secret with the Cloudflare token Traefik uses for the ACME DNS challenge. Required. */
    readonly cloudflareDnsTokenSecretId: string;
    /** What must exist before the Docker API can answer (the managers). Defaults to []. */
    readonly hosts?: pulumi.Resource[];
    /**
     * The smallest MTU of the links the overlays' VXLAN crosses (Tailscale's 1280 when an edge node uses
     * it), set as `com.docker.network.driver.mtu`: the engine takes it as the underlay's MTU and gives
     * containers that less the VXLAN (50 bytes) and, encrypted, the ESP overhead (swarm-overlay-mtu).
     * Defaults to unset (the engine's 1500).
     */
    readonly overlayLinkMtu?: number;
}

export function validateSwarmServicesArgs(args: SwarmServicesArgs): void {
    const problems: ArgProblem[] = [];
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(args.acmeEmail)) problems.push({ path: "acmeEmail", reason: `"${args.acmeEmail}" is not an email address` });
    const mtu = args.overlayLinkMtu;
    // IPv4's minimum is 576 (RFC 791); above 9001 no EC2 link carries it.
    if (mtu !== undefined && (!Number.isInteger(mtu) || mtu < 576 || mtu > 9001)) problems.push({ path: "overlayLinkMtu", reason: `${mtu} is not an MTU between 576 and 9001` });
    throwIfProblems("SwarmServices", problems);
}

const b64 = (s: string) => Buffer.from(s).toString("base64");
const WAIT_FOR_DOCKER_API = fs.readFileSync(path.join(__dirname, "host", "wait-for-docker-api.sh"), "utf8");

/**
 * The swarm's own services, deployed through the TLS Docker API: encrypted overlay networks, Traefik
 * (global on managers, host ports 80/443, ACME through Cloudflare DNS) behind a Docker socket proxy that
 * answers only its reads, and the telemetry collector
 * (OTLP over mutual TLS from edge nodes, to CloudWatch). Secrets and configs carry a content hash in
 * their name; every service converges, updates one task at a time and rolls back on failure.
 */
export class SwarmServices extends pulumi.ComponentResource {
    public readonly networkNames: string[];

    constructor(name: string, args: SwarmServicesArgs, opts?: pulumi.ComponentResourceOptions) {
        validateSwarmServicesArgs(args);
        super("pr-cybr:swarm:SwarmServices", name, {}, opts);
        const swarm = args.swarmName;

        // Bounded wait (not a poll loop in the program): the first `up` creates the hosts this talks to.
        // The script's text is the command, not its path: a path would embed the runner's checkout
        // directory and change the resource whenever the workspace differs.
        const ready = new command.local.Command(
            `${name}-wait-for-api`,
            {
                create: WAIT_FOR_DOCKER_API,
                interpreter: ["bash", "-c"],
                environment: { DOCKER_API: args.dockerHost, DOCKER_CA: args.caCertPem, DOCKER_CERT: args.deployer.certPem, DOCKER_KEY: args.deployer.keyPem },
                triggers: [args.dockerHost],
            },
            { parent: this, dependsOn: args.hosts ?? [], additionalSecretOutputs: ["environment"] },
        );
        const provider = new docker.Provider(
            `${name}-docker`,
            { host: args.dockerHost, caMaterial: args.caCertPem, certMaterial: args.deployer.certPem, keyMaterial: args.deployer.keyPem },
            { parent: this, dependsOn: [ready] },
        );
        const inSwarm = { parent: this, provider };

        const overlayOptions: Record<string, string> = { encrypted: "true", ...(args.overlayLinkMtu ? { [OVERLAY_MTU_OPTION]: String(args.overlayLinkMtu) } : {}) };
        const network = (role: string) =>
            new docker.Network(
                `${name}-${role}-net`,
                { name: `${swarm}-${role}`, driver: "overlay", attachable: true, options: overlayOptions, labels: [{ label: "pr-cybr.io/swarm", value: swarm }] },
                // The engine adds the VXLAN id it picked to a swarm overlay's options, the provider reads
                // them back as they are, and `options` is ForceNew: without this every `up` would
                // replace the networks (kreuzwerker/docker resource_docker_network_funcs.go, read).
                { ...inSwarm, ignoreChanges: [`options["${OVERLAY_VXLAN_OPTION}"]`] },
            );
        const edge = network("edge");
        const edgeName = `${swarm}-edge`;

        const secret = (base: string, value: pulumi.Input<string>) =>
            // A new content hash is a new name: Pulumi creates the new secret, updates the services, then
            // deletes the old one (which Docker refuses while a service still uses it).
            // The name carries a hash of the value, not the value: it need not be secret (and a secret name
            // would hide which secret a service uses in every diff).
            new docker.Secret(`${name}-${base}`, { name: pulumi.unsecret(pulumi.output(value).apply((v) => contentName(base, v))), data: pulumi.secret(pulumi.output(value).apply(b64)) }, inSwarm);
        const config = (base: string, content: string) => new docker.ServiceConfig(`${name}-${base}`, { name: contentName(base, content), dataRaw: content }, inSwarm);

        const dnsToken = pulumi.secret(aws.secretsmanager.getSecretVersionOutput({ secretId: args.cloudflareDnsTokenSecretId }, { parent: this }).secretString);
        const cfToken = secret("cloudflare-dns-token", dnsToken);
        const traefikConfig = config("traefik-static", traefikStaticConfig({ acmeEmail: args.acmeEmail, network: edgeName }));
        // Traefik faces the internet; the engine's socket, even bound read-only, answers every API call
        // (create networks, services, exec). The proxy holds the socket and serves Traefik a filtered one
        // that answers only the reads its Swarm provider makes (service-specs.ts SOCKET_PROXY_ALLOW_GET).
        new docker.Service(
            `${name}-socket-proxy`,
            {
                name: "socket-proxy",
                mode: { global: true },
                taskSpec: {
                    containerSpec: {
                        image: SWARM_IMAGES.socketProxy,
                        args: socketProxyArgs(),
                        // Root, not the image's 65534: the engine's socket is root:docker 0660 and the docker
                        // group's id differs per host (no group name resolves in the scratch image). The
                        // process opens nothing but the two sockets; its root file system is read-only.
                        user: "0:0",
                        readOnly: true,
                        mounts: [
                            { type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock", readOnly: true },
                            { type: "volume", source: DOCKER_API_VOLUME, target: FILTERED_SOCKET_DIR },
                        ],
                        // The image's own probe (socket-proxy's cmd/healthcheck): answered only with -allowhealthcheck.
                        healthcheck: { tests: ["CMD", "/healthcheck"], interval: "10s", timeout: "3s", retries: 3, startPeriod: "5s" },
                    },
                    placement: { constraints: ["node.role == manager"] },
                    resources: { limits: { memoryBytes: 64 * 2 ** 20, nanoCpus: 250_000_000 }, reservation: { memoryBytes: 16 * 2 ** 20, nanoCpus: 10_000_000 } },
                    restartPolicy: RESTART_POLICY,
                },
                ...rollout("stop-first", "global"),
            },
            inSwarm,
        );
        new docker.Service(
            `${name}-traefik`,
            {
                name: "traefik",
                mode: { global: true },
                taskSpec: {
                    containerSpec: {
                        image: SWARM_IMAGES.traefik,
                        args: ["--configFile=/etc/traefik/traefik.yml"],
                        env: { CF_DNS_API_TOKEN_FILE: "/run/secrets/cf_dns_api_token" },
                        secrets: [{ secretId: cfToken.id, secretName: cfToken.name, fileName: "cf_dns_api_token", fileMode: 0o400 }],
                        configs: [{ configId: traefikConfig.id, configName: traefikConfig.name, fileName: "/etc/traefik/traefik.yml" }],
                        mounts: [
                            // The proxy's filtered socket (a socket on a read-only mount still connects).
                            { type: "volume", source: DOCKER_API_VOLUME, target: FILTERED_SOCKET_DIR, readOnly: true },
                            { type: "volume", source: "traefik-acme", target: "/data" },
                        ],
                        healthcheck: { tests: ["CMD", "traefik", "healthcheck", "--ping"], interval: "10s", timeout: "3s", retries: 3, startPeriod: "20s" },
                    },
                    placement: { constraints: ["node.role == manager"] },
                    resources: { limits: { memoryBytes: 512 * 2 ** 20, nanoCpus: 1_000_000_000 }, reservation: { memoryBytes: 128 * 2 ** 20, nanoCpus: 100_000_000 } },
                    restartPolicy: RESTART_POLICY,
                    // `id`, not the deprecated `name`: the provider reads attachments back into `id` only, and both are
                    // ForceNew, so `name` replaced the service on every up (resource_docker_service.go v4.5.0).
                    networksAdvanceds: [{ id: edge.id }],
                },
                endpointSpec: {
                    ports: [
                        { name: "web", targetPort: 80, publishedPort: 80, publishMode: "host", protocol: "tcp" },
                        { name: "websecure", targetPort: 443, publishedPort: 443, publishMode: "host", protocol: "tcp" },
                    ],
                },
                // Host-mode ports: a second task cannot bind them while the first runs, so stop-first.
                ...rollout("stop-first", "global"),
            },
            { ...inSwarm, dependsOn: [edge] },
        );

        const collectorCfg = pulumi.output(args.region).apply((region) => collectorConfig({ region, logGroup: `/pr-cybr/${swarm}/telemetry`, namespace: "PrCybr/Edge" }));
        const collectorConfigRes = new docker.ServiceConfig(`${name}-collector-config`, { name: collectorCfg.apply((c) => contentName("collector", c)), dataRaw: collectorCfg }, inSwarm);
        const caSecret = secret("telemetry-client-ca", args.telemetryClientCaPem ?? args.caCertPem);
        const certSecret = secret("collector-cert", args.collector.certPem);
        const keySecret = secret("collector-key", args.collector.keyPem);
        new docker.Service(
            `${name}-collector`,
            {
                name: "collector",
                mode: { global: true },
                taskSpec: {
                    containerSpec: {
                        image: SWARM_IMAGES.collector,
                        args: ["--config=/etc/otelcol/config.yaml"],
                        configs: [{ configId: collectorConfigRes.id, configName: collectorConfigRes.name, fileName: "/etc/otelcol/config.yaml" }],
                        secrets: [
                            { secretId: caSecret.id, secretName: caSecret.name, fileName: "client-ca.pem", fileMode: 0o400, fileUid: COLLECTOR_USER.uid, fileGid: COLLECTOR_USER.gid },
                            { secretId: certSecret.id, secretName: certSecret.name, fileName: "collector-cert.pem", fileMode: 0o400, fileUid: COLLECTOR_USER.uid, fileGid: COLLECTOR_USER.gid },
                            { secretId: keySecret.id, secretName: keySecret.name, fileName: "collector-key.pem", fileMode: 0o400, fileUid: COLLECTOR_USER.uid, fileGid: COLLECTOR_USER.gid },
                        ],
                        healthcheck: { tests: ["CMD", "/otelcol-contrib", "--version"], interval: "30s", timeout: "5s", retries: 3 },
                    },
                    // Managers only: the CloudWatch exporters write with the managers' instance role.
                    placement: { constraints: ["node.role == manager"] },
                    resources: { limits: { memoryBytes: 512 * 2 ** 20, nanoCpus: 1_000_000_000 }, reservation: { memoryBytes: 128 * 2 ** 20, nanoCpus: 100_000_000 } },
                    restartPolicy: RESTART_POLICY,
                    // The host's network, not an overlay: the CloudWatch exporters take the instance role from
                    // IMDS, whose token answer carries the managers' hop limit of 1 (managers.ts), which keeps
                    // it from every container behind the host's forwarding (Traefik's above all). On the host's
                    // network the collector is no hop further than the host; it listens on 4317 itself, so no
                    // port is published (swarm-collector-imds shows both on a real engine).
                    networksAdvanceds: [{ id: HOST_NETWORK }],
                },
                ...rollout("stop-first", "global"),
            },
            // The engine stores the id of the swarm's predefined "host" network for the name, and the
            // provider reads that back into `id` (ForceNew): without this every up would replace the
            // collector (kreuzwerker v4.5.0 flattenTaskNetworksAdvanced; the read-back in swarm-collector-imds).
            { ...inSwarm, ignoreChanges: ["taskSpec.networksAdvanceds"] },
        );

        this.networkNames = [edgeName];
        this.registerOutputs({ networkNames: this.networkNames });
    }
}
