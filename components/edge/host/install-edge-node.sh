#!/usr/bin/env bash
# pr-cybr edge node installer. Pulumi renders one copy per node (stack output edgeInstallScripts);
# the copy carries names and ARNs only, never a secret. Safe to re-run: a run on an installed node
# changes nothing. It also installs itself as a daily timer, which picks up renewed certificates and
# rotated credentials from the node's bundle. Needs: Debian/Ubuntu on arm64 or amd64, root, and the
# node identity provisioned once (docs/runbooks/edge.md, "Provision a node").
#
#  1. check the architecture and the identity (node.crt/node.key/ca.crt from the edge CA);
#  2. install the pinned AWS CLI, Roles Anywhere signing helper, Docker and VPN client;
#  3. fetch the node's bundle from Secrets Manager with a Roles Anywhere session (the certificate is
#     the credential: revoking the node deletes the bundle it could read);
#  4. join the VPN, label the engine (site, arch, profile, capabilities), join the swarm as a worker
#     over the VPN, run the sites' origin (Traefik on the loopback), the site's tunnel connector and
#     the telemetry agent (mTLS to the collector, disk-buffered while offline).
set -euo pipefail
umask 077

# @@SETTINGS@@

# ROOT prefixes every host path so the tests can run this script in a scratch directory.
ROOT="${PR_CYBR_ROOT:-}"
ETC="${ROOT}/etc/pr-cybr/edge"
IDENTITY="${ETC}/identity"
STATE="${ROOT}/var/lib/pr-cybr/edge"
BIN="${ROOT}/usr/local/bin"
UNITS="${ROOT}/etc/systemd/system"
ZT_HOME="${ROOT}/var/lib/zerotier-one"
VPN_WAIT_SECONDS="${VPN_WAIT_SECONDS:-120}"
CHANGED=()

log() { echo "pr-cybr-edge: $*" >&2; }
fail() {
    log "$*"
    exit 1
}

# Writes stdin to $1 (mode 0600) only when the content differs; records the change. Returns 1 if unchanged.
# Feed it with a redirection, not a pipe: a function at the end of a pipeline runs in a subshell, and
# the change it records would be lost (a rotated certificate was reported as "up to date").
write_if_changed() {
    local target=$1 tmp
    tmp=$(mktemp "${target}.XXXXXX")
    cat >"${tmp}"
    if [ -f "${target}" ] && cmp -s "${tmp}" "${target}"; then
        rm -f "${tmp}"
        return 1
    fi
    chmod "${2:-0600}" "${tmp}"
    mv -f "${tmp}" "${target}"
    CHANGED+=("${target}")
}

detect_arch() {
    case "$(uname -m)" in
    aarch64 | arm64) echo arm64 ;;
    x86_64 | amd64) echo amd64 ;;
    *) echo "unsupported:$(uname -m)" ;;
    esac
}

check_host() {
    local arch
    arch=$(detect_arch)
    [ "${arch}" = "${NODE_ARCH}" ] || fail "this machine is ${arch}, but ${NODE_NAME} is configured as ${NODE_ARCH} (edge.nodes[].arch)"
    for f in node.crt node.key ca.crt; do
        [ -s "${IDENTITY}/${f}" ] || fail "missing ${IDENTITY}/${f}: provision the node identity first (docs/runbooks/edge.md, 'Provision a node')"
    done
    mkdir -p "${STATE}" "${BIN}" "${UNITS}"
}

apt_install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"; }

# Adds an apt source with its signing key, once. $3 is the key's format as apt reads it from the
# file name: asc (armored) or gpg (binary).
apt_source() {
    local name=$1 key_url=$2 key_type=$3 line=$4
    local keyring="/etc/apt/keyrings/${name}.${key_type}"
    [ -s "${ROOT}${keyring}" ] && [ -s "${ROOT}/etc/apt/sources.list.d/${name}.list" ] && return 0
    # apt reads keyrings as an unprivileged user: the directory must be traversable.
    install -d -m 0755 "${ROOT}/etc/apt/keyrings" "${ROOT}/etc/apt/sources.list.d"
    curl -fsSL --retry 3 -o "${ROOT}${keyring}" "${key_url}"
    chmod 0644 "${ROOT}${keyring}"
    write_if_changed "${ROOT}/etc/apt/sources.list.d/${name}.list" 0644 < <(echo "deb [signed-by=${keyring}] ${line}") || true
    APT_UPDATED=""
}

APT_UPDATED=""
apt_update_once() {
    [ -n "${APT_UPDATED}" ] && return 0
    apt-get update -q
    APT_UPDATED=1
}

# A field of /etc/os-release (ID, VERSION_ID, VERSION_CODENAME), unquoted.
os_release() { sed -n "s/^$1=//p" "${ROOT}/etc/os-release" | tr -d '"'; }

install_aws_tools() {
    local uarch tmp
    uarch=$([ "${NODE_ARCH}" = arm64 ] && echo aarch64 || echo x86_64)
    if ! aws --version 2>/dev/null | grep -q "^aws-cli/${AWS_CLI_VERSION} "; then
        log "installing AWS CLI ${AWS_CLI_VERSION}"
        command -v unzip >/dev/null 2>&1 || { apt_update_once && apt_install unzip ca-certificates curl jq; }
        tmp=$(mktemp -d)
        curl -fsSL --retry 3 -o "${tmp}/awscliv2.zip" "https://awscli.amazonaws.com/awscli-exe-linux-${uarch}-${AWS_CLI_VERSION}.zip"
        unzip -q -o "${tmp}/awscliv2.zip" -d "${tmp}"
        "${tmp}/aws/install" --update
        rm -rf "${tmp}"
        CHANGED+=(aws-cli)
    fi
    command -v jq >/dev/null 2>&1 || { apt_update_once && apt_install jq; }
    if ! "${BIN}/aws_signing_helper" version 2>/dev/null | grep -qx "${SIGNING_HELPER_VERSION}"; then
        log "installing the Roles Anywhere signing helper ${SIGNING_HELPER_VERSION}"
        local dir
        dir=$([ "${NODE_ARCH}" = arm64 ] && echo Aarch64 || echo X86_64)
        curl -fsSL --retry 3 -o "${BIN}/aws_signing_helper" "https://rolesanywhere.amazonaws.com/releases/${SIGNING_HELPER_VERSION}/${dir}/Linux/aws_signing_helper"
        chmod 0755 "${BIN}/aws_signing_helper"
        CHANGED+=(aws_signing_helper)
    fi
    # The AWS CLI gets credentials from the signing helper: a Roles Anywhere session per call, from the node certificate.
    write_if_changed "${ETC}/aws-config" 0600 <<CONFIG || true
[profile edge]
region = ${AWS_REGION}
credential_process = ${BIN}/aws_signing_helper credential-process --certificate ${IDENTITY}/node.crt --private-key ${IDENTITY}/node.key --trust-anchor-arn ${TRUST_ANCHOR_ARN} --profile-arn ${PROFILE_ARN} --role-arn ${ROLE_ARN}
CONFIG
}

aws_edge() { AWS_CONFIG_FILE="${ETC}/aws-config" AWS_PROFILE=edge aws --region "${AWS_REGION}" "$@"; }

fetch_bundle() {
    local tmp
    tmp=$(mktemp "${STATE}/bundle.XXXXXX")
    if ! aws_edge secretsmanager get-secret-value --secret-id "${BUNDLE_SECRET_ARN}" --query SecretString --output text >"${tmp}" || ! jq -e .certificatePem "${tmp}" >/dev/null; then
        rm -f "${tmp}"
        fail "cannot read bundle ${BUNDLE_SECRET_ARN}: the node may have been removed from the stack, or its certificate has expired (docs/runbooks/edge.md)"
    fi
    mv -f "${tmp}" "${STATE}/bundle.json"
    field() { jq -r "$1 // empty" "${STATE}/bundle.json"; }
    # A renewed certificate (the weekly rotate run re-issues it 30 days before expiry) replaces the provisioned one.
    write_if_changed "${IDENTITY}/node.crt" 0644 < <(field .certificatePem) || true
    write_if_changed "${IDENTITY}/node.key" < <(field .privateKeyPem) || true
    write_if_changed "${IDENTITY}/ca.crt" 0644 < <(field .caCertPem) || true
    write_if_changed "${IDENTITY}/collector-ca.crt" 0644 < <(field .collectorCaPem) || true
    write_if_changed "${STATE}/node-token" < <(field .nodeToken) || true
    write_if_changed "${STATE}/tunnel.env" < <(printf 'TUNNEL_TOKEN=%s\n' "$(field .tunnelToken)") || true
    WORKER_TOKEN_SECRET_ARN=$(field .workerTokenSecretArn)
}

# The timer runs the copy of this script made at the last install; the bundle carries the current
# rendered one (a new agent image, endpoint or pinned version) and its sha256. A different one runs in
# place of this copy, but only once its bytes match that hash; it then installs itself as the timer's
# copy. The bundle is the trusted source: read with the node's own certificate, from its own secret.
update_installer() {
    local want have next="${STATE}/install-edge-node.next.sh"
    want=$(jq -r '.installScriptSha256 // empty' "${STATE}/bundle.json")
    [ -n "${want}" ] || return 0
    have=$(sha256sum <"$0" | cut -d' ' -f1)
    [ "${have}" = "${want}" ] && return 0
    [ -z "${PR_CYBR_EDGE_UPDATED:-}" ] || fail "the updated installer's hash ${have} is not the bundle's ${want}"
    jq -j '.installScript // empty' "${STATE}/bundle.json" >"${next}"
    have=$(sha256sum <"${next}" | cut -d' ' -f1)
    if [ "${have}" != "${want}" ]; then
        rm -f "${next}"
        fail "the bundle's installer does not match its sha256 (${have}, want ${want}): not running it"
    fi
    chmod 0700 "${next}"
    log "the bundle has a newer installer (sha256 ${want}): running it"
    PR_CYBR_EDGE_UPDATED=1 exec bash "${next}" "$@"
}

install_docker() {
    local id codename version_id
    if command -v dockerd >/dev/null 2>&1 && dockerd --version | grep -q " ${DOCKER_VERSION},"; then return 0; fi
    id=$(os_release ID)
    codename=$(os_release VERSION_CODENAME)
    version_id=$(os_release VERSION_ID)
    log "installing docker ${DOCKER_VERSION} (${id} ${codename})"
    apt_source docker "https://download.docker.com/linux/${id}/gpg" asc "https://download.docker.com/linux/${id} ${codename} stable"
    apt_update_once
    local pin="5:${DOCKER_VERSION}-1~${id}.${version_id}~${codename}"
    apt_install "docker-ce=${pin}" "docker-ce-cli=${pin}" containerd.io
    apt-mark hold docker-ce docker-ce-cli
    CHANGED+=(docker)
}

configure_docker() {
    local labels
    # Engine labels, for placement: `engine.labels.site == san-juan`, `engine.labels.capability.gpu == true`.
    labels="\"site=${NODE_SITE}\", \"arch=${NODE_ARCH}\", \"profile=${NODE_PROFILE}\", \"pr-cybr.io/edge=true\""
    local cap
    for cap in ${NODE_CAPABILITIES//,/ }; do labels="${labels}, \"capability.${cap}=true\""; done
    mkdir -p "${ROOT}/etc/docker"
    if write_if_changed "${ROOT}/etc/docker/daemon.json" 0644 <<JSON; then
{
  "labels": [${labels}],
  "log-driver": "local",
  "log-opts": { "max-size": "10m", "max-file": "3" }
}
JSON
        systemctl enable docker
        systemctl restart docker
    fi
}

# Docker drops a container's memory limit with only a warning when the kernel's memory cgroup is off
# (Raspberry Pi OS's default): refuse rather than run the agents unlimited on a small device.
check_memory_cgroup() {
    [ "$(docker info --format '{{.MemoryLimit}}')" = true ] && return 0
    fail "the kernel's memory cgroup is off, so Docker would drop the agents' memory limits. On Raspberry Pi OS add 'cgroup_enable=memory cgroup_memory=1' to /boot/firmware/cmdline.txt (/boot/cmdline.txt before Bookworm), reboot, and run this again"
}

vpn_address() {
    case "${VPN}" in
    tailscale) tailscale ip -4 2>/dev/null | sed -n 1p ;;
    zerotier) zerotier-cli -j listnetworks 2>/dev/null | jq -r --arg n "${ZEROTIER_NETWORK}" '.[] | select(.nwid == $n) | .assignedAddresses[0] // empty' | cut -d/ -f1 ;;
    esac
}

join_tailscale() {
    local codename id
    # `sed -n 1p`, not `head -n1`: head exits after one line, the CLI's next write gets SIGPIPE, and
    # under pipefail the check failed at random (a re-run reinstalled Tailscale).
    if [ "$(tailscale version 2>/dev/null | sed -n 1p)" != "${TAILSCALE_VERSION}" ]; then
        id=$(os_release ID)
        codename=$(os_release VERSION_CODENAME)
        apt_source tailscale "https://pkgs.tailscale.com/stable/${id}/${codename}.noarmor.gpg" gpg "https://pkgs.tailscale.com/stable/${id} ${codename} main"
        apt_update_once
        apt_install "tailscale=${TAILSCALE_VERSION}"
        apt-mark hold tailscale
        systemctl enable --now tailscaled
        CHANGED+=(tailscale)
    fi
    if [ "$(tailscale status --json 2>/dev/null | jq -r '.BackendState // empty')" = "Running" ]; then return 0; fi
    # The key goes through a file (`file:`), never the command line, and is removed after use.
    write_if_changed "${STATE}/tailscale-authkey" < <(jq -r '.vpn.authKey // empty' "${STATE}/bundle.json") || true
    tailscale up --auth-key="file:${STATE}/tailscale-authkey" --hostname="${NODE_NAME}" --advertise-tags="${TAILSCALE_TAG}" --accept-routes
    rm -f "${STATE}/tailscale-authkey"
    CHANGED+=(tailscale-up)
}

join_zerotier() {
    local codename
    if ! zerotier-one -v 2>/dev/null | grep -qx "${ZEROTIER_VERSION}"; then
        codename=$(os_release VERSION_CODENAME)
        apt_source zerotier "https://download.zerotier.com/contact%40zerotier.com.gpg" asc "https://download.zerotier.com/debian/${codename} ${codename} main"
        apt_update_once
        apt_install "zerotier-one=${ZEROTIER_VERSION}"
        apt-mark hold zerotier-one
        systemctl enable zerotier-one
        CHANGED+=(zerotier)
    fi
    mkdir -p "${ZT_HOME}"
    # The identity was minted (and its member authorized) by Pulumi, so the node joins pre-approved.
    local restart="" identity
    identity=$(aws_edge secretsmanager get-secret-value --secret-id "$(jq -r '.vpn.identitySecretArn' "${STATE}/bundle.json")" --query SecretString --output text)
    [ -n "${identity}" ] || fail "the ZeroTier identity of ${NODE_NAME} is empty (the deploy runner writes it: docs/runbooks/edge.md)"
    write_if_changed "${ZT_HOME}/identity.secret" < <(printf '%s\n' "${identity}") && restart=1
    write_if_changed "${ZT_HOME}/identity.public" 0644 < <(jq -r '.vpn.identityPublic // empty' "${STATE}/bundle.json") && restart=1
    if [ -n "${restart}" ]; then systemctl restart zerotier-one; fi
    if zerotier-cli listnetworks 2>/dev/null | grep -q " ${ZEROTIER_NETWORK} "; then return 0; fi
    zerotier-cli join "${ZEROTIER_NETWORK}"
    CHANGED+=(zerotier-join)
}

wait_for_vpn() {
    local waited=0 address
    until address=$(vpn_address) && [ -n "${address}" ]; do
        [ "${waited}" -ge "${VPN_WAIT_SECONDS}" ] && fail "no ${VPN} address after ${VPN_WAIT_SECONDS}s (is the node authorized on the ${VPN} network?)"
        sleep 5
        waited=$((waited + 5))
    done
    VPN_ADDRESS=${address}
}

join_swarm() {
    local token
    if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" = "active" ]; then return 0; fi
    token=$(aws_edge secretsmanager get-secret-value --secret-id "${WORKER_TOKEN_SECRET_ARN}" --query SecretString --output text)
    [ -n "${token}" ] || fail "the swarm worker token ${WORKER_TOKEN_SECRET_ARN} is empty (is the swarm initialised?)"
    log "joining the swarm at ${SWARM_JOIN_ADDR} as a worker (advertising ${VPN_ADDRESS})"
    docker swarm join --token "${token}" --advertise-addr "${VPN_ADDRESS}" --data-path-addr "${VPN_ADDRESS}" "${SWARM_JOIN_ADDR}"
    CHANGED+=(swarm-join)
}

# Runs container $1 from image $2: `ensure_container NAME IMAGE [docker run options] -- [command args]`.
# Nothing happens when it already runs that image with the same options (a hash label records them).
ensure_container() {
    local name=$1 image=$2 settings_hash
    shift 2
    local options=() args=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do
        options+=("$1")
        shift
    done
    [ $# -gt 0 ] && shift
    args=("$@")
    settings_hash=$(printf '%s\n' "${image}" "${options[@]}" -- "${args[@]}" | sha256sum | cut -c1-16)
    if [ "$(docker inspect --format '{{index .Config.Labels "pr-cybr.io/settings"}} {{.State.Running}}' "${name}" 2>/dev/null)" = "${settings_hash} true" ]; then return 0; fi
    docker rm -f "${name}" >/dev/null 2>&1 || true
    docker run -d --name "${name}" --restart unless-stopped --label "pr-cybr.io/settings=${settings_hash}" "${options[@]}" "${image}" "${args[@]}" >/dev/null
    CHANGED+=("${name}")
}

run_tunnel_connector() {
    # The token changes only when the site's tunnel is replaced; the file's hash restarts the connector then.
    ensure_container pr-cybr-cloudflared "cloudflare/cloudflared:${CLOUDFLARED_VERSION}" \
        --network host --env-file "${STATE}/tunnel.env" --memory 128m --cpus 0.25 \
        --label "pr-cybr.io/token=$(sha256sum "${STATE}/tunnel.env" | cut -c1-16)" \
        --read-only --cap-drop ALL --security-opt no-new-privileges \
        -- tunnel --no-autoupdate run
}

# The sites' origin: each site's tunnel sends its hostname to http://localhost:${ORIGIN_PORT} on the
# node (components/edge/site.ts). Traefik answers there, on the host's network beside the connector but
# bound to the loopback only (nothing on the LAN or the VPN reaches it but through the tunnel), as
# nobody: the port is above 1024, so it needs no capability.
run_origin() {
    ensure_container pr-cybr-traefik "traefik:${TRAEFIK_VERSION}" \
        --network host --user 65534:65534 --memory 128m --cpus 0.25 --read-only --cap-drop ALL --security-opt no-new-privileges \
        -- "--entryPoints.web.address=127.0.0.1:${ORIGIN_PORT}" --ping=true --ping.entryPoint=web --log.format=json --accesslog=true --accesslog.format=json
}

run_agent() {
    if ! docker image inspect "${AGENT_IMAGE}" >/dev/null 2>&1; then
        aws_edge ecr get-login-password | docker login --username AWS --password-stdin "${AGENT_IMAGE%%/*}"
        docker pull -q "${AGENT_IMAGE}" >/dev/null
    fi
    mkdir -p "${STATE}/agent-queue"
    # At most 256 MiB and a fifth of a CPU (5% of a 4-core device); the collector's memory_limiter keeps it under 200 MiB.
    ensure_container pr-cybr-agent "${AGENT_IMAGE}" \
        --network host --user 0:0 --memory 256m --cpus 0.2 --read-only --cap-drop ALL --security-opt no-new-privileges \
        -v /:/hostfs:ro -v "${IDENTITY}:/etc/pr-cybr/identity:ro" -v "${STATE}/agent-queue:/var/lib/otelcol/queue" \
        --label "pr-cybr.io/identity=$(cat "${IDENTITY}/node.crt" "${IDENTITY}/collector-ca.crt" | sha256sum | cut -c1-16)" \
        -e "NODE_NAME=${NODE_NAME}" -e "NODE_SITE=${NODE_SITE}" -e "NODE_ENVIRONMENT=${ENVIRONMENT}" \
        -e "COLLECTOR_ENDPOINT=${COLLECTOR_ENDPOINT}" -e "COLLECTOR_SERVER_NAME=${COLLECTOR_SERVER_NAME}"
}

install_timer() {
    local self="${ROOT}/opt/pr-cybr/edge/install-edge-node.sh"
    mkdir -p "$(dirname "${self}")"
    write_if_changed "${self}" 0700 <"$0" || true
    local units_changed=""
    write_if_changed "${UNITS}/pr-cybr-edge.service" 0644 <<'UNIT' && units_changed=1
[Unit]
Description=pr-cybr edge node: refresh bundle, VPN, swarm membership and agents
Wants=network-online.target
After=network-online.target docker.service

[Service]
Type=oneshot
ExecStart=/opt/pr-cybr/edge/install-edge-node.sh
UNIT
    write_if_changed "${UNITS}/pr-cybr-edge.timer" 0644 <<'UNIT' && units_changed=1
[Unit]
Description=Daily pr-cybr edge refresh (renewed certificates, rotated credentials)

[Timer]
OnBootSec=5min
OnUnitActiveSec=1d
RandomizedDelaySec=1h
Persistent=true

[Install]
WantedBy=timers.target
UNIT
    if [ -n "${units_changed}" ]; then
        systemctl daemon-reload
        systemctl enable --now pr-cybr-edge.timer
    fi
}

main() {
    check_host
    install_aws_tools
    fetch_bundle
    update_installer "$@"
    install_docker
    configure_docker
    check_memory_cgroup
    "join_${VPN}"
    wait_for_vpn
    join_swarm
    run_origin
    run_tunnel_connector
    run_agent
    install_timer
    if [ "${#CHANGED[@]}" -eq 0 ]; then log "${NODE_NAME}: up to date"; else log "${NODE_NAME}: changed ${CHANGED[*]}"; fi
}

main "$@"
