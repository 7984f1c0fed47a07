/**
 * Alerts on the Docker Swarm, its Raft backups and the edge nodes (issue 19 item 7). Their series reach
 * Prometheus through the collector on each manager (components/swarm/service-specs.ts collectorConfig; names in components/shared/swarm-telemetry.ts),
 * scraped as job SWARM_MANAGERS_JOB, one target per manager (EC2 discovery, swarmScrapeConfig):
 * - `up` of that job: the manager's collector answers (it is a task of the manager's dockerd, so a
 *   stopped engine stops it too);
 * - swarmkit's gauges from dockerd's metrics endpoint, verified on real engines by
 *   test/integration/hosts/swarm-metrics.test.ts: `swarm_manager_leader` is 1 on the Raft leader only,
 *   `swarm_node_manager` is 1 on every manager;
 * - BACKUP_SUCCESS_METRIC, posted by swarm-backup.sh after an upload;
 * - EDGE_LAST_SEEN_METRIC{edge_node, site}, when a collector last received the node's telemetry.
 * The exporter drops a series 5 minutes after its last update, so the rules read Prometheus' history
 * (`max_over_time`) rather than the current sample: a silent node or an hourly timestamp stays known.
 */
import type { AlertRule } from "./alerting";
import { BACKUP_SUCCESS_METRIC, COLLECTOR_METRICS_PORT, EDGE_LAST_SEEN_METRIC, SWARM_INSTANCE_TAG } from "../shared/swarm-telemetry";

export const SWARM_MANAGERS_JOB = "swarm-managers";

/**
 * Prometheus' scrape job for the managers' collectors (prometheusSpec.additionalScrapeConfigs): EC2
 * discovery of the running instances tagged with the swarm, each scraped on its own private address, so
 * every manager is its own target and `up` names the one that is down. An NLB in front of the three
 * would answer from any healthy one (and hide the others' series behind one target). Discovery calls
 * ec2:DescribeInstances (Prometheus docs, ec2_sd_config); the filter names are EC2's
 * (DescribeInstances `tag:<key>`, `instance-state-name`). The ec2 meta labels: __meta_ec2_tag_<name>
 * with the tag name sanitised, __meta_ec2_instance_id, __meta_ec2_availability_zone.
 */
export function swarmScrapeConfig(args: { region: string; swarmName: string }): Record<string, unknown> {
    return {
        job_name: SWARM_MANAGERS_JOB,
        scrape_interval: "30s",
        ec2_sd_configs: [
            {
                region: args.region,
                port: COLLECTOR_METRICS_PORT,
                refresh_interval: "60s",
                filters: [
                    { name: `tag:${SWARM_INSTANCE_TAG}`, values: [args.swarmName] },
                    { name: "instance-state-name", values: ["running"] },
                ],
            },
        ],
        relabel_configs: [
            { source_labels: ["__meta_ec2_tag_Name"], target_label: "manager" },
            { source_labels: ["__meta_ec2_instance_id"], target_label: "instance_id" },
            { source_labels: ["__meta_ec2_availability_zone"], target_label: "availability_zone" },
        ],
    };
}

const RUNBOOKS = "https://github.com/pr-cybr/pr-cybr-platform/blob/main/docs/runbooks";

type RunbookRule = AlertRule & { annotations: AlertRule["annotations"] & { runbook_url: string } };

/** How far back the backup rules look: the series is on the page 5 minutes an hour, so a week is few samples. */
const BACKUP_LOOKBACK = "7d";
/** How far back the most managers ever discovered is remembered. */
const MANAGERS_LOOKBACK = "1d";
/** How far back a silent edge node is remembered (one sample per scrape per collector while it sends). */
const EDGE_LOOKBACK = "1d";

export function swarmAlertGroups(): { name: string; rules: RunbookRule[] }[] {
    const job = `job="${SWARM_MANAGERS_JOB}"`;
    return [
        {
            name: "pr-cybr-swarm",
            rules: [
                {
                    alert: "SwarmManagerDown",
                    // The hourly backup drains its manager and stops dockerd for a few minutes (swarm-backup.sh): 10m outlasts it.
                    expr: `max by (job, instance, manager, instance_id) (up{${job}}) == 0 or max by (job, instance, manager, instance_id) (swarm_node_manager{${job}}) == 0`,
                    for: "10m",
                    labels: { severity: "warning" },
                    annotations: {
                        summary: "Swarm manager {{ $labels.manager }} ({{ $labels.instance_id }}) is down or no longer a manager",
                        description: "Its collector does not answer (dockerd stopped, the host hung) or its engine left the managers. One more loss and the swarm loses its Raft quorum.",
                        runbook_url: `${RUNBOOKS}/swarm.md#alert-swarmmanagerdown`,
                    },
                },
                {
                    alert: "SwarmManagerMissing",
                    // A terminated manager leaves EC2 discovery, so its `up` goes stale and SwarmManagerDown resolves:
                    // count the managers discovered now against the most seen in the last day. A replacement
                    // (old gone, new discovered) takes a few minutes; 15m outlasts it.
                    expr: `(count(up{${job}}) or vector(0)) < max_over_time((count(up{${job}}) or vector(0))[${MANAGERS_LOOKBACK}:5m])`,
                    for: "15m",
                    labels: { severity: "warning" },
                    annotations: {
                        summary: "{{ $value }} Swarm managers are discovered, fewer than in the last day",
                        description: `A manager's instance is gone and its group has not replaced it. After ${MANAGERS_LOOKBACK} the smaller count is the new normal and this alert ends.`,
                        runbook_url: `${RUNBOOKS}/swarm.md#alert-swarmmanagermissing`,
                    },
                },
                {
                    alert: "SwarmQuorumLost",
                    // Raft elects a leader only with a majority: no manager reporting leadership is a lost quorum
                    // (or no manager reachable at all, which the runbook tells apart).
                    expr: `(sum(swarm_manager_leader{${job}}) or vector(0)) < 1`,
                    for: "2m",
                    labels: { severity: "critical" },
                    annotations: {
                        summary: "The swarm has no Raft leader: quorum lost",
                        description: "No manager reports itself leader for 2 minutes. The swarm cannot schedule, update or recover services until a majority of managers is back.",
                        runbook_url: `${RUNBOOKS}/swarm.md#alert-swarmquorumlost`,
                    },
                },
                {
                    alert: "SwarmRaftBackupTooOld",
                    expr: `time() - max(max_over_time(${BACKUP_SUCCESS_METRIC}[${BACKUP_LOOKBACK}])) > 2 * 3600`,
                    for: "5m",
                    labels: { severity: "warning" },
                    annotations: {
                        summary: "The newest Raft backup is {{ $value | humanizeDuration }} old",
                        description: "The hourly backup has not succeeded for over two hours (it skips while a manager is unhealthy, or its upload fails).",
                        runbook_url: `${RUNBOOKS}/swarm.md#alert-swarmraftbackuptooold`,
                    },
                },
                {
                    alert: "SwarmRaftBackupNeverSucceeded",
                    // A fresh Prometheus has no history: the first hourly backup has two hours to appear.
                    expr: `absent_over_time(${BACKUP_SUCCESS_METRIC}[${BACKUP_LOOKBACK}])`,
                    for: "2h",
                    labels: { severity: "warning" },
                    annotations: {
                        summary: `No Raft backup has succeeded in ${BACKUP_LOOKBACK}`,
                        description: "No manager has reported a successful backup: the swarm has none to restore from.",
                        runbook_url: `${RUNBOOKS}/swarm.md#alert-swarmraftbackuptooold`,
                    },
                },
            ],
        },
        {
            name: "pr-cybr-edge",
            rules: [
                {
                    alert: "EdgeNodeSilent",
                    // Newest over every collector: a node whose connection moved to another manager is not silent.
                    expr: `time() - max by (edge_node, site) (max_over_time(${EDGE_LAST_SEEN_METRIC}[${EDGE_LOOKBACK}])) > 600`,
                    for: "0m",
                    labels: { severity: "warning" },
                    annotations: {
                        summary: "Edge node {{ $labels.edge_node }} (site {{ $labels.site }}) has sent no telemetry for {{ $value | humanizeDuration }}",
                        description: `No collector has received its agent's metrics for over 10 minutes: the node, its VPN or its agent is down. After ${EDGE_LOOKBACK} of silence the node leaves this alert.`,
                        runbook_url: `${RUNBOOKS}/edge.md#alert-edgenodesilent`,
                    },
                },
            ],
        },
    ];
}
