#!/usr/bin/env bash
# Run by Pulumi (@pulumi/command) before the docker provider is used: waits, for a bounded time, until
# the swarm's Docker API answers over mutual TLS with an active swarm. Certificates arrive in the
# environment and go to 0600 files in a private directory that is removed on exit.
set -euo pipefail
umask 077
: "${DOCKER_API:?}" "${DOCKER_CA:?}" "${DOCKER_CERT:?}" "${DOCKER_KEY:?}"
TIMEOUT_SECONDS="${TIMEOUT_SECONDS:-900}"
dir=$(mktemp -d)
trap 'rm -rf "${dir}"' EXIT
printf '%s' "${DOCKER_CA}" >"${dir}/ca.pem"
printf '%s' "${DOCKER_CERT}" >"${dir}/cert.pem"
printf '%s' "${DOCKER_KEY}" >"${dir}/key.pem"
url="https://${DOCKER_API#tcp://}/info"
waited=0
until curl -fsS --max-time 5 --cacert "${dir}/ca.pem" --cert "${dir}/cert.pem" --key "${dir}/key.pem" "${url}" 2>/dev/null | grep -q '"LocalNodeState":"active"'; do
    if [ "${waited}" -ge "${TIMEOUT_SECONDS}" ]; then
        echo "the Docker API at ${DOCKER_API} did not report an active swarm within ${TIMEOUT_SECONDS}s" >&2
        exit 1
    fi
    sleep 10
    waited=$((waited + 10))
done
echo "swarm API ready at ${DOCKER_API}"
