#!/usr/bin/env bash
# Termination handler (systemd service): when the Auto Scaling group marks this instance for
# termination, drain it, demote it while other managers keep the quorum, leave the swarm, and let the
# termination continue. Reads the lifecycle state from instance metadata; needs no queue or Lambda.
set -euo pipefail
# shellcheck source=SCRIPTDIR/swarm-common.sh
source "$(dirname "$0")/swarm-common.sh"

POLL_SECONDS="${POLL_SECONDS:-10}"

leave_swarm() {
    local node managers
    node=$(docker info --format '{{.Swarm.NodeID}}')
    log "terminating: draining ${node}"
    docker node update --availability drain "${node}" >/dev/null || true
    managers=$(docker node ls --filter role=manager --format '{{.Status}}' | grep -c Ready || true)
    if [ "${managers}" -gt 1 ]; then
        docker node demote "${node}" >/dev/null || true
    fi
    docker swarm leave --force >/dev/null || true
}

complete() {
    aws autoscaling complete-lifecycle-action --region "${AWS_REGION}" --lifecycle-hook-name "${LIFECYCLE_HOOK}" \
        --auto-scaling-group-name "$(imds meta-data/tags/instance/aws:autoscaling:groupName 2>/dev/null || echo "${ASG_NAME:-}")" \
        --instance-id "$(imds meta-data/instance-id)" --lifecycle-action-result CONTINUE
}

while true; do
    if [ "$(imds meta-data/autoscaling/target-lifecycle-state 2>/dev/null || true)" = "Terminated" ]; then
        [ "$(swarm_state)" = "active" ] && leave_swarm
        complete
        exit 0
    fi
    [ "${ONCE:-}" = "1" ] && exit 0
    sleep "${POLL_SECONDS}"
done
