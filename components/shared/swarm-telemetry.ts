/**
 * What the Swarm managers' collector exports and the cluster's Prometheus reads (components/swarm
 * service-specs.ts collectorConfig, components/gitops/alerting-swarm.ts): shared by both areas.
 */

/** The collector's Prometheus exporter, which the cluster's Prometheus scrapes on each manager's own address. */
export const COLLECTOR_METRICS_PORT = 9464;

/** The liveness series of an edge node (labels `edge_node`, `site`): when one of the collectors last received its telemetry. */
export const EDGE_LAST_SEEN_METRIC = "pr_cybr_edge_last_seen_timestamp_seconds";

/** The Raft backup's success series (swarm-backup.sh posts it to the collector's loopback OTLP/HTTP receiver). */
export const BACKUP_SUCCESS_METRIC = "pr_cybr_swarm_backup_last_success_timestamp_seconds";

/** The instance tag every manager carries (components/swarm/managers.ts), which Prometheus' discovery selects on. */
export const SWARM_INSTANCE_TAG = "pr-cybr.io:swarm";
