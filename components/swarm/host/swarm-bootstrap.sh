#!/usr/bin/env bash
# Swarm manager bootstrap (run by cloud-init on every boot, safe to re-run):
#  1. install the pinned Docker and turn on its TLS API with the certificate from Secrets Manager;
#  2. if not yet in a swarm: take the SSM lock -> `swarm init`, else join a live manager with the
#     manager token from Secrets Manager (a stale lock whose holder is gone is broken and retried);
#  3. publish the join tokens to Secrets Manager when they changed, label the node with its AZ, and
#     remove managers whose instance is gone (replaced), so the Raft quorum counts only live ones.
set -euo pipefail
umask 077
# shellcheck source=SCRIPTDIR/swarm-common.sh
source "$(dirname "$0")/swarm-common.sh"

INSTANCE_ID=$(imds meta-data/instance-id)
ADDRESS=$(imds meta-data/local-ipv4)
AZ=$(imds meta-data/placement/availability-zone)
JOIN_WAIT_SECONDS="${JOIN_WAIT_SECONDS:-600}"

install_docker() {
    if command -v dockerd >/dev/null 2>&1 && dockerd --version | grep -q " ${DOCKER_VERSION}[,.]"; then return; fi
    log "installing docker ${DOCKER_VERSION}"
    dnf install -y "docker-${DOCKER_VERSION}*"
}

configure_tls_api() {
    local waited=0
    mkdir -p "${TLS_DIR}" "${ROOT}/etc/systemd/system/docker.service.d"
    # Pulumi stores the certificate once the API load balancer (its name) exists: it may land after boot.
    until fetch_tls_material "${TLS_DIR}"; do
        if [ "${waited}" -ge "${JOIN_WAIT_SECONDS}" ]; then log "Secrets Manager has no TLS material under ${TLS_SECRET_PREFIX}"; exit 1; fi
        sleep 10
        waited=$((waited + 10))
    done
    # metrics-addr: the engine's and (on managers) swarmkit's Prometheus metrics, on loopback only: the
    # collector runs on the host's network and scrapes it; nothing off the host can (moby
    # daemon/metrics.go listens on exactly this address; not experimental since Engine 20.10, docker/cli#4391).
    cat >"${ROOT}/etc/docker/daemon.json" <<JSON
{
  "hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2376"],
  "tlsverify": true,
  "tlscacert": "/etc/docker/tls/ca.pem",
  "tlscert": "/etc/docker/tls/server-cert.pem",
  "tlskey": "/etc/docker/tls/server-key.pem",
  "labels": ["az=${AZ}", "role=manager"],
  "log-driver": "local",
  "live-restore": false,
  "metrics-addr": "${METRICS_ADDR}"
}
JSON
    # The packaged unit passes -H fd://, which conflicts with "hosts" above.
    cat >"${ROOT}/etc/systemd/system/docker.service.d/tls-api.conf" <<'UNIT'
[Service]
ExecStart=
ExecStart=/usr/bin/dockerd --containerd=/run/containerd/containerd.sock
UNIT
    systemctl daemon-reload
    systemctl enable --now docker
    systemctl restart docker
}

# Private addresses of this swarm's running instances.
running_instances() {
    aws ec2 describe-instances --region "${AWS_REGION}" \
        --filters "Name=tag:pr-cybr.io:swarm,Values=${SWARM_NAME}" "Name=instance-state-name,Values=running" \
        --query 'Reservations[].Instances[].PrivateIpAddress' --output text | tr '\t' '\n'
}

# Managers that may be alive now: the leader recorded at init, then every running instance of this swarm.
candidate_managers() {
    local leader
    leader=$(aws ssm get-parameter --region "${AWS_REGION}" --name "${LEADER_PARAM}" --query Parameter.Value --output text 2>/dev/null || true)
    [ -n "${leader}" ] && echo "${leader}"
    running_instances
}

init_swarm() {
    log "holding the init lock: initialising the swarm"
    docker swarm init --advertise-addr "${ADDRESS}" --listen-addr "${ADDRESS}:2377" >/dev/null
    aws ssm put-parameter --region "${AWS_REGION}" --name "${LEADER_PARAM}" --type String --overwrite --value "${ADDRESS}" >/dev/null
}

# The lock's holder when that instance no longer runs (nothing when the lock is free or its holder runs).
stale_lock_holder() {
    local holder state
    holder=$(aws ssm get-parameter --region "${AWS_REGION}" --name "${LOCK_PARAM}" --query Parameter.Value --output text 2>/dev/null || true)
    [ -n "${holder}" ] || return 0
    state=$(aws ec2 describe-instances --region "${AWS_REGION}" --instance-ids "${holder}" --query 'Reservations[0].Instances[0].State.Name' --output text 2>/dev/null || echo terminated)
    if [ "${state}" != "running" ] && [ "${state}" != "pending" ]; then echo "${holder}"; fi
}

# Only one host breaks a given stale lock: creating "<lock>-broken-<holder>" (no overwrite) is atomic,
# so a second breaker cannot delete the lock the first one's successor has just taken.
break_lock() {
    if aws ssm put-parameter --region "${AWS_REGION}" --name "${LOCK_PARAM}-broken-$1" --type String --value "${INSTANCE_ID}" >/dev/null 2>&1; then
        log "the init lock is held by $1, which is gone, and no manager answers: breaking it"
        aws ssm delete-parameter --region "${AWS_REGION}" --name "${LOCK_PARAM}" >/dev/null 2>&1 || true
    fi
}

# A manager listens on 2377; a host that is not (or no longer) in a swarm does not.
manager_answers() { timeout 3 bash -c ": >/dev/tcp/$1/2377" 2>/dev/null; }

join_swarm() {
    local waited=0 token addr answered stale
    while true; do
        token=$(secret_value "${MANAGER_TOKEN_SECRET}")
        answered=0
        for addr in $(candidate_managers | sort -u); do
            [ "${addr}" = "${ADDRESS}" ] && continue
            manager_answers "${addr}" || continue
            answered=1
            [[ "${token}" == SWMTKN-* ]] || continue
            if docker swarm join --token "${token}" --advertise-addr "${ADDRESS}" "${addr}:2377" >/dev/null 2>&1; then
                log "joined the swarm through ${addr}"
                return 0
            fi
        done
        # After a total loss the old swarm's token stays in Secrets Manager, so the token says nothing:
        # the lock is broken when its holder is gone and no manager answers.
        if [ "${answered}" = 0 ]; then
            stale=$(stale_lock_holder)
            if [ -n "${stale}" ]; then
                break_lock "${stale}"
                return 1
            fi
        fi
        if [ "${waited}" -ge "${JOIN_WAIT_SECONDS}" ]; then log "no manager to join after ${waited}s"; exit 1; fi
        sleep 10
        waited=$((waited + 10))
    done
}

publish_tokens() {
    local role secret file token
    file=$(mktemp)
    for role in manager worker; do
        secret="${MANAGER_TOKEN_SECRET}"
        [ "${role}" = worker ] && secret="${WORKER_TOKEN_SECRET}"
        # The CLI ends the token with a newline; the secret holds the token alone (non-shell readers).
        token=$(docker swarm join-token -q "${role}")
        printf '%s' "${token}" >"${file}"
        if [ "$(secret_value "${secret}")" != "${token}" ]; then
            put_secret_from_file "${secret}" "${file}"
            log "published the ${role} join token"
        fi
    done
    rm -f "${file}"
}

# Managers whose instance is gone. A node is Down once the leader has missed its heartbeats; a leader
# elected after the loss reports it Unknown/Unreachable instead (swarmkit marks every node unknown on
# election), so an unreachable manager whose address is no running instance of this swarm counts too.
remove_gone_managers() {
    local id status self reach addr running
    running=$(running_instances)
    while read -r id status self reach; do
        [ "${self}" = "true" ] && continue
        if [ "${status}" != "Down" ]; then
            if [ "${reach}" = "Unreachable" ]; then
                addr=$(docker node inspect "${id}" --format '{{.ManagerStatus.Addr}}')
            elif [ -z "${reach}" ] && [ "${status}" != "Ready" ]; then
                # A manager by role but no Raft member: what a restore (--force-new-cluster) leaves.
                addr=$(docker node inspect "${id}" --format '{{.Status.Addr}}')
            else
                continue
            fi
            grep -qxF "${addr%:*}" <<<"${running}" && continue
        fi
        log "removing manager ${id}, whose instance is gone"
        docker node demote "${id}" >/dev/null || true
        docker node rm --force "${id}" >/dev/null
    done < <(docker node ls --filter role=manager --format '{{.ID}} {{.Status}} {{.Self}} {{.ManagerStatus}}')
}

main() {
    install_docker
    configure_tls_api
    until [ "$(swarm_state)" = "active" ]; do
        if aws ssm put-parameter --region "${AWS_REGION}" --name "${LOCK_PARAM}" --type String --value "${INSTANCE_ID}" >/dev/null 2>&1; then
            init_swarm
        else
            join_swarm || continue
        fi
    done
    docker node update --label-add "az=${AZ}" --label-add "role=manager" "$(docker info --format '{{.Swarm.NodeID}}')" >/dev/null
    publish_tokens
    remove_gone_managers
    log "manager ready (${AZ})"
}

main "$@"
