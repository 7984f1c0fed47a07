import { createHash } from "crypto";
import * as YAML from "yaml";
import { COLLECTOR_METRICS_PORT, EDGE_LAST_SEEN_METRIC } from "../shared/swarm-telemetry";

/** Pinned images: a tag here is a reviewed change, never "latest". */
export const SWARM_IMAGES = {
    traefik: "traefik:v3.4.4",
    collector: "otel/opentelemetry-collector-contrib:0.128.0",
    socketProxy: "wollomatic/socket-proxy:1.13.1",
};

/**
 * Where Traefik reaches the Docker API: the socket proxy's filtered socket, in a node-local volume both
 * tasks mount (both are global on managers, so each Traefik has its node's proxy). No TCP listener: the
 * proxy's `-proxysocketendpoint` turns it off (wollomatic/socket-proxy 1.13.1 README, main.go).
 */
export const DOCKER_API_VOLUME = "traefik-docker-api";
export const FILTERED_SOCKET_DIR = "/run/docker-api";
export const FILTERED_SOCKET = `${FILTERED_SOCKET_DIR}/docker.sock`;

/**
 * The only requests Traefik's Swarm provider makes (traefik v3.4.4 pkg/provider/docker/pswarm.go:
 * ServerVersion, ServiceList, NetworkList, TaskList, all at the pinned API version SwarmAPIVersion
 * "1.24", so no /_ping negotiation; ContainerInspect in config.go is reached only for a container's
 * `container:` network mode, which a swarm task never has). GET only: every other method is refused
 * with 405, every other path with 403. socket-proxy anchors each pattern (`^...$`, config.go
 * compileRegexp) and matches the path only, so the tasks list's filter query passes.
 */
export const SOCKET_PROXY_ALLOW_GET = String.raw`/v1\.[0-9]+/(version|services|networks|tasks)`;

/** The socket proxy's arguments (flags of wollomatic/socket-proxy 1.13.1, README "Parameters"). */
export function socketProxyArgs(): string[] {
    return [
        "-socketpath=/var/run/docker.sock",
        `-proxysocketendpoint=${FILTERED_SOCKET}`,
        "-proxysocketendpointfilemode=0600",
        `-allowGET=${SOCKET_PROXY_ALLOW_GET}`,
        "-allowhealthcheck",
        "-shutdowngracetime=5",
        "-logjson",
    ];
}

/**
 * Docker secrets and configs are immutable and cannot be deleted while in use: naming them after a
 * hash of their content makes a change create a new one that services roll over to.
 */
export function contentName(base: string, content: string): string {
    return `${base}-${createHash("sha256").update(content).digest("hex").slice(0, 12)}`;
}

/** Traefik's static configuration: Swarm provider, ACME through Cloudflare DNS, dashboard on an unpublished port only. */
export function traefikStaticConfig(args: { acmeEmail: string; network: string }): string {
    return YAML.stringify({
        entryPoints: {
            web: { address: ":80", http: { redirections: { entryPoint: { to: "websecure", scheme: "https" } } } },
            websecure: { address: ":443", http: { tls: { certResolver: "letsencrypt" } } },
            // Not published by the service: reachable only from inside the overlay network.
            traefik: { address: ":8080" },
        },
        // The socket proxy's filtered socket, never the engine's own: a read-only bind of the engine's
        // socket still allows every API call (a container with one creates networks).
        providers: { swarm: { endpoint: `unix://${FILTERED_SOCKET}`, exposedByDefault: false, network: args.network } },
        certificatesResolvers: {
            letsencrypt: { acme: { email: args.acmeEmail, storage: "/data/acme.json", dnsChallenge: { provider: "cloudflare", resolvers: ["1.1.1.1:53", "1.0.0.1:53"] } } },
        },
        api: { dashboard: true, insecure: false },
        ping: { entryPoint: "traefik" },
        log: { level: "INFO", format: "json" },
        accessLog: { format: "json" },
        metrics: { prometheus: { entryPoint: "traefik" } },
    });
}

/**
 * The user the collector image runs as (open-telemetry/opentelemetry-collector-releases,
 * distributions/otelcol-contrib/Dockerfile: `USER 10001`). Swarm mounts secrets owned by uid/gid 0
 * unless told otherwise (the docker provider's file_uid/file_gid default "0"), so a 0400 secret is
 * unreadable to it.
 */
export const COLLECTOR_USER = { uid: "10001", gid: "10001" };

/**
 * dockerd's metrics endpoint (daemon.json `metrics-addr`, swarm-bootstrap.sh): loopback only, so only
 * processes on the host, the collector among them (host network), reach it.
 */
export const DOCKERD_METRICS_ADDR = "127.0.0.1:9323";

/** The collector's OTLP/HTTP receiver on loopback: the Raft backup reports its success there (swarm-backup.sh). */
export const COLLECTOR_LOCAL_OTLP_HTTP = "127.0.0.1:4318";

export { BACKUP_SUCCESS_METRIC, COLLECTOR_METRICS_PORT, EDGE_LAST_SEEN_METRIC } from "../shared/swarm-telemetry";


/**
 * The collector's configuration: OTLP over mutual TLS in from the edge, CloudWatch out (the managers'
 * role writes); and, for the cluster's Prometheus, a Prometheus exporter on each manager
 * (COLLECTOR_METRICS_PORT) with three kinds of series:
 * - dockerd's own metrics (swarmkit's `swarm_manager_leader`, `swarm_node_manager`, `swarm_manager_nodes`),
 *   scraped from the engine's loopback endpoint;
 * - the backup's success timestamp, which the backup script posts to the OTLP/HTTP receiver on loopback;
 * - one liveness gauge per edge node: each batch an edge agent sends is counted (count connector, which
 *   keeps the batch's resource), turned into a gauge of the time it arrived and labelled with the agent's
 *   `host.name` and `pr_cybr.site` (its resource processor sets them), so the rule can take the newest
 *   over every collector: an agent whose connection moves to another manager stays one node.
 * Each manager is its own scrape target (EC2 discovery in the cluster's Prometheus, not the NLB), so
 * `up` says which manager is down.
 */
export function collectorConfig(args: { region: string; logGroup: string; namespace: string }): string {
    const tls = { cert_file: "/run/secrets/collector-cert.pem", key_file: "/run/secrets/collector-key.pem", client_ca_file: "/run/secrets/client-ca.pem" };
    const batch = ["memory_limiter", "batch"];
    return YAML.stringify({
        receivers: {
            otlp: { protocols: { grpc: { endpoint: "0.0.0.0:4317", tls } } },
            // Loopback, no TLS: only processes of the host (the backup unit) reach it.
            "otlp/local": { protocols: { http: { endpoint: COLLECTOR_LOCAL_OTLP_HTTP } } },
            "prometheus/dockerd": { config: { scrape_configs: [{ job_name: "dockerd", scrape_interval: "30s", static_configs: [{ targets: [DOCKERD_METRICS_ADDR] }] }] } },
        },
        connectors: {
            // The count connector groups by data point attributes only and copies the resource
            // (opentelemetry-collector-contrib connector/countconnector v0.128.0 connector.go, counter.go).
            "count/edge": { datapoints: { [EDGE_LAST_SEEN_METRIC]: { description: "When this collector last received the edge node's telemetry (Unix seconds)" } } },
        },
        processors: {
            memory_limiter: { check_interval: "1s", limit_percentage: 80, spike_limit_percentage: 20 },
            batch: {},
            "transform/edge-last-seen": {
                metric_statements: [
                    { context: "metric", statements: ["convert_sum_to_gauge()"] },
                    {
                        context: "datapoint",
                        statements: [
                            "set(value_double, Double(UnixSeconds(Now())))",
                            'set(attributes["edge_node"], resource.attributes["host.name"])',
                            'set(attributes["site"], resource.attributes["pr_cybr.site"])',
                        ],
                    },
                    // Only the two labels reach Prometheus: the hostmetrics resource (CPU model, OS) stays in CloudWatch.
                    { context: "resource", statements: ['keep_keys(attributes, [])'] },
                ],
            },
        },
        exporters: {
            awsemf: { region: args.region, namespace: args.namespace, log_group_name: `${args.logGroup}/metrics` },
            awscloudwatchlogs: { region: args.region, log_group_name: `${args.logGroup}/logs`, log_stream_name: "edge" },
            // Series not updated for metric_expiration (5m, the default) leave the page: a silent node's
            // last-seen gauge and a backup's timestamp stay in Prometheus' history, where the rules look.
            prometheus: { endpoint: `0.0.0.0:${COLLECTOR_METRICS_PORT}`, metric_expiration: "5m" },
        },
        // On the host's network (services.ts): the health endpoint answers the host only.
        extensions: { health_check: { endpoint: "127.0.0.1:13133" } },
        service: {
            extensions: ["health_check"],
            pipelines: {
                metrics: { receivers: ["otlp"], processors: batch, exporters: ["awsemf", "count/edge"] },
                "metrics/edge-last-seen": { receivers: ["count/edge"], processors: ["transform/edge-last-seen"], exporters: ["prometheus"] },
                "metrics/swarm": { receivers: ["prometheus/dockerd", "otlp/local"], processors: batch, exporters: ["prometheus"] },
                logs: { receivers: ["otlp"], processors: batch, exporters: ["awscloudwatchlogs"] },
            },
        },
    });
}

/** Update and rollback behaviour every service shares: one task at a time, watched, rolled back on failure. */
export function rollout(order: "start-first" | "stop-first", mode: "replicated" | "global") {
    const common = { parallelism: 1, delay: "10s", monitor: "30s", maxFailureRatio: "0", order };
    return {
        updateConfig: { ...common, failureAction: "rollback" },
        rollbackConfig: { ...common, failureAction: "pause" },
        // Replicated: wait for the tasks to run (the docker CLI's behaviour), so a broken image fails the
        // deployment. Global services cannot: the provider declares converge_config ConflictsWith
        // mode.0.global (kreuzwerker/terraform-provider-docker v4.5.0 resource_docker_service.go), and its
        // converge wait needs a replica count. There the update's monitor + rollback catches a bad image.
        ...(mode === "replicated" ? { convergeConfig: { delay: "7s", timeout: "5m" } } : {}),
    };
}

/**
 * Restart on any exit, with a backoff. `delay` and `window` are set explicitly: left out, the daemon
 * stores "0s" for both and every `up` shows them as changed (pulumi/pulumi-docker#1285), so no
 * `ignoreChanges` is needed.
 */
export const RESTART_POLICY = { condition: "any", delay: "5s", maxAttempts: 0, window: "60s" };
