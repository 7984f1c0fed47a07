#!/usr/bin/env bash
# wait-for-unlock.sh <bucket> <stack> [minutes]: waits while the self-managed backend holds a lock on
# the stack (pulumi/pulumi pkg/backend/diy lock.go: `.pulumi/locks/organization/<project>/<stack>/`),
# so a rotation queued behind a deploy waits instead of failing on the lock. Gives up after [minutes]
# (default 60) with the runbook's pointer: a lock older than any running job is stale.
set -euo pipefail
bucket=$1
stack=$2
minutes=${3:-60}
prefix=".pulumi/locks/organization/pr-cybr-platform/${stack}/"
for _ in $(seq 1 "${minutes}"); do
    count=$(aws s3api list-objects-v2 --bucket "${bucket}" --prefix "${prefix}" --query 'KeyCount' --output text)
    if [ "${count}" = "0" ]; then exit 0; fi
    echo "stack ${stack} is locked (${count} lock object(s)); waiting"
    sleep 60
done
echo "::error::stack ${stack} still locked after ${minutes} minutes: docs/runbooks/deploy.md \"A stale lock\""
exit 1
