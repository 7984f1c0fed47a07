#!/usr/bin/env bash
# Hourly Raft backup (systemd timer) to the encrypted, versioned backup bucket, for the DR runbook.
# Docker must be stopped for a consistent copy of /var/lib/docker/swarm (Docker's "Back up the swarm"),
# so one manager at a time backs up: every manager's timer fires, but only the follower with the
# lowest node ID does the work, and only while every other manager is Ready and reachable, so the
# others keep the quorum. A single-manager swarm (dev) accepts the pause.
set -euo pipefail
umask 077
# shellcheck source=SCRIPTDIR/swarm-common.sh
source "$(dirname "$0")/swarm-common.sh"

[ "$(swarm_state)" = "active" ] || { log "not in a swarm: nothing to back up"; exit 0; }
self=$(docker info --format '{{.Swarm.NodeID}}')
managers=$(docker node ls --filter role=manager --format '{{.ID}} {{.Status}} {{.ManagerStatus}}')
count=$(grep -c . <<<"${managers}" || true)
if [ "${count}" -gt 1 ]; then
    if [ "${count}" -eq 2 ]; then log "two managers: skipping (quorum)"; exit 0; fi
    unhealthy=$(awk -v self="${self}" '$1 != self && ($2 != "Ready" || $3 == "Unreachable")' <<<"${managers}")
    if [ -n "${unhealthy}" ]; then log "a manager is not Ready and reachable: skipping"; exit 0; fi
    designated=$(awk '$3 != "Leader" {print $1}' <<<"${managers}" | sort | head -n 1)
    if [ "${designated}" != "${self}" ]; then log "the follower ${designated} takes the backup"; exit 0; fi
fi

# Stopping dockerd stops this node's tasks: live restore "only pertains to standalone containers, and
# not to swarm services" (Docker docs, "Live restore"), and the load balancers still route to them. So
# the host first leaves them: Standby deregisters it from its group's target groups, after their
# deregistration delay (Auto Scaling user guide, "Temporarily remove instances from your Auto Scaling
# group"; desired capacity drops with it, so no replacement is launched); then the node is drained and
# its tasks stop while no traffic reaches them. Both are undone after the copy, also on failure.
instance=$(imds meta-data/instance-id)
group=$(imds meta-data/tags/instance/aws:autoscaling:groupName)
asg_state() { aws autoscaling describe-auto-scaling-instances --region "${AWS_REGION}" --instance-ids "${instance}" --query 'AutoScalingInstances[0].LifecycleState' --output text; }
wait_state() {
    for _ in $(seq "${STANDBY_WAIT_SECONDS:-600}"); do [ "$(asg_state)" = "$1" ] && return 0; sleep 1; done
    log "the instance did not reach $1 (it is $(asg_state))"
    return 1
}
restore() {
    systemctl start docker
    docker node update --availability active "${self}" >/dev/null || true
    if [ "$(asg_state)" = Standby ]; then
        aws autoscaling exit-standby --region "${AWS_REGION}" --auto-scaling-group-name "${group}" --instance-ids "${instance}" >/dev/null
        wait_state InService || true
    fi
}
archive=$(mktemp --suffix .tar.gz)
trap 'rm -f "${archive}"; restore' EXIT
aws autoscaling enter-standby --region "${AWS_REGION}" --auto-scaling-group-name "${group}" --instance-ids "${instance}" --should-decrement-desired-capacity >/dev/null
wait_state Standby
docker node update --availability drain "${self}" >/dev/null
for _ in $(seq 120); do [ -z "$(docker ps -q --filter label=com.docker.swarm.task.id)" ] && break; sleep 1; done
systemctl stop docker
tar -czf "${archive}" -C "${ROOT}/var/lib/docker" swarm
restore
# The address is in the name: a restored Raft member keeps it (swarm init --force-new-cluster ignores
# --advertise-addr, docker/for-linux#523), so the restore host must take it over (runbook, Restore).
key="raft/$(date -u +%Y/%m/%d/%H%M%S)-$(imds meta-data/instance-id)-$(imds meta-data/local-ipv4).tar.gz"
# No --sse: the bucket's default encryption applies, the swarm's own KMS key. `--sse aws:kms` without a
# key id would pick the account's aws/s3 key instead (S3 user guide, "Specifying server-side encryption
# with AWS KMS (SSE-KMS)"; PutObject x-amz-server-side-encryption-aws-kms-key-id).
aws s3 cp --only-show-errors "${archive}" "s3://${BACKUP_BUCKET}/${key}"
log "backed up the Raft state to s3://${BACKUP_BUCKET}/${key}"
# The success reaches Prometheus through the collector on this host (OTLP/HTTP on loopback, then its
# Prometheus exporter): SwarmRaftBackupTooOld alerts when the newest is over two hours old. Only a
# completed upload gets here (set -e); a failed report leaves the backup in place and says so. The
# collector is a task of this node, which dockerd's stop ended: retried until the swarm restarts it.
now=$(date +%s)
metric='{"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"swarm-backup"}}]},"scopeMetrics":[{"metrics":[{"name":"pr_cybr_swarm_backup_last_success_timestamp_seconds","gauge":{"dataPoints":[{"asDouble":'"${now}"',"timeUnixNano":"'"${now}"'000000000","attributes":[{"key":"swarm","value":{"stringValue":"'"${SWARM_NAME}"'"}}]}]}}]}]}]}'
curl -fsS --max-time 10 --retry "${REPORT_RETRIES:-30}" --retry-delay 5 --retry-connrefused -H 'Content-Type: application/json' -d "${metric}" "${COLLECTOR_OTLP_HTTP}/v1/metrics" >/dev/null ||
    log "could not report the backup's success to the collector at ${COLLECTOR_OTLP_HTTP}"
