#!/usr/bin/env bash
# Hourly Raft backup (systemd timer) to the encrypted, versioned backup bucket, for the DR runbook.
# Docker must be stopped for a consistent copy of /var/lib/docker/swarm, so only a follower backs up
# while at least two other managers keep the quorum; a single-manager swarm (dev) accepts the pause.
set -euo pipefail
umask 077
# shellcheck source=SCRIPTDIR/swarm-common.sh
source "$(dirname "$0")/swarm-common.sh"

[ "$(swarm_state)" = "active" ] || { log "not in a swarm: nothing to back up"; exit 0; }
leader=$(docker node inspect self --format '{{.ManagerStatus.Leader}}')
managers=$(docker node ls --filter role=manager --format '{{.Status}}' | grep -c Ready || true)
if [ "${managers}" -gt 1 ] && [ "${leader}" = "true" ]; then log "leader: a follower takes the backup"; exit 0; fi
if [ "${managers}" -eq 2 ]; then log "two managers: stopping one would lose quorum; skipping"; exit 0; fi

archive=$(mktemp --suffix .tar.gz)
trap 'rm -f "${archive}"; systemctl start docker' EXIT
systemctl stop docker
tar -czf "${archive}" -C "${ROOT}/var/lib/docker" swarm
systemctl start docker
key="raft/$(date -u +%Y/%m/%d/%H%M%S)-$(imds meta-data/instance-id).tar.gz"
aws s3 cp --only-show-errors --sse aws:kms "${archive}" "s3://${BACKUP_BUCKET}/${key}"
log "backed up the Raft state to s3://${BACKUP_BUCKET}/${key}"
