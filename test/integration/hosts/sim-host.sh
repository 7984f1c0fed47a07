#!/usr/bin/env bash
# Simulated EC2 hosts for the host suites. A host is a network namespace (prc-<name>, one veth on the
# bridge prc-br0, 10.99.0.0/24), a private mount namespace in which its own /etc/docker, /etc/pr-cybr,
# /opt/pr-cybr, /etc/systemd/system, /var/lib/docker, /var/lib/amazon (the SSM agent's), /run and /tmp are directories under
# $PR_CYBR_HOSTS_DIR/<name>/fs (so the scripts run with their real paths, ROOT empty), an instance
# metadata emulator on 169.254.169.254 behind a link of its own, and moto's loopback port forwarded into it.
# Everything here is created by this script and removed by it; nothing else is touched.
#
#   sim-host.sh bridge-up | bridge-down
#   sim-host.sh create <name> <ip>          namespace, link, file system, the holder of the mount namespace
#   sim-host.sh metadata <name> <config.json> <hop limit> [emulator flags...]   (re)start its metadata emulator
#   sim-host.sh forward <name> <port>       moto's port on the host's loopback
#   sim-host.sh exec <name> <command...>    run inside the host (both namespaces)
#   sim-host.sh power-off <name>            the host is lost: every process in it killed, its link down
#   sim-host.sh destroy <name>              power-off, then remove the namespace, link and files
set -euo pipefail

BRIDGE=prc-br0
BRIDGE_ADDR=10.99.0.1/24
DIR="${PR_CYBR_HOSTS_DIR:?set PR_CYBR_HOSTS_DIR}"
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "${HERE}/../../.." && pwd)"
# An edge device also writes /etc/apt (sources, keyrings), /usr/local/bin, /var/lib/pr-cybr and its VPN's state.
BINDS=(etc/docker etc/pr-cybr opt/pr-cybr etc/systemd/system etc/apt usr/local/bin var/lib/docker var/lib/amazon var/lib/pr-cybr var/lib/zerotier-one run tmp)

ns() { echo "prc-$1"; }
home() { echo "${DIR}/$1"; }
holder() { cat "$(home "$1")/holder.pid"; }

bridge_up() {
    ip link show "${BRIDGE}" >/dev/null 2>&1 || ip link add "${BRIDGE}" type bridge
    local addrs
    addrs=$(ip addr show dev "${BRIDGE}")
    [[ "${addrs}" == *"${BRIDGE_ADDR}"* ]] || ip addr add "${BRIDGE_ADDR}" dev "${BRIDGE}"
    ip link set "${BRIDGE}" up
}

bridge_down() {
    if ip link show "${BRIDGE}" >/dev/null 2>&1; then ip link del "${BRIDGE}"; fi
}

create() {
    local name=$1 ip=$2 h n mounts="" b
    h=$(home "${name}")
    n=$(ns "${name}")
    bridge_up
    mkdir -p "${h}/fs"
    for b in "${BINDS[@]}"; do
        mkdir -p "${h}/fs/${b}" "/${b}"
        # A checkout under one of these (CI may clone into /tmp) would vanish behind the host's own
        # directory: bind it into that directory first, at the same path.
        local keep rel
        for keep in "${REPO}" "${DIR}"; do
            [[ "${keep}" == "/${b}/"* ]] || continue
            [[ "${keep}" == "${DIR}" && "${DIR}" == "${REPO}/"* ]] && continue
            rel=${keep#/"${b}"/}
            mkdir -p "${h}/fs/${b}/${rel}"
            mounts+="mount --bind '${keep}' '${h}/fs/${b}/${rel}'; "
        done
        mounts+="mount --rbind '${h}/fs/${b}' '/${b}'; "
    done
    chmod 1777 "${h}/fs/tmp"
    # Its own /etc/hosts (a copy of the machine's): a suite may name addresses, as DNS would.
    cp /etc/hosts "${h}/hosts"
    mounts+="mount --bind '${h}/hosts' /etc/hosts; "
    ip netns add "${n}"
    ip link add "prcv-${name}" type veth peer name eth0 netns "${n}"
    ip link set "prcv-${name}" master "${BRIDGE}" up
    ip -n "${n}" link set lo up
    ip -n "${n}" addr add "${ip}/24" dev eth0
    ip -n "${n}" link set eth0 up
    # The instance-metadata service is not in the instance (on EC2 the hypervisor answers it): its
    # emulator lives in a namespace of its own behind a link, so nothing in the host listens on
    # 169.254.169.254:80 and a service may publish port 80 on all addresses.
    ip netns add "${n}-m"
    ip link add imds0 netns "${n}" type veth peer name imds0 netns "${n}-m"
    ip -n "${n}" addr add 169.254.169.1/24 dev imds0
    ip -n "${n}" link set imds0 up
    ip -n "${n}-m" addr add 169.254.169.254/24 dev imds0
    ip -n "${n}-m" link set imds0 up
    ip -n "${n}-m" link set lo up
    # Answers to a container's own address go back through the instance, which forwards them to the
    # container (one routed hop, as behind Docker's NAT on EC2; dockerd here runs without iptables).
    ip -n "${n}-m" route add default via 169.254.169.1 dev imds0
    # nsenter and unshare exec (no fork), so the pid recorded is the holder's: sleep in both namespaces.
    setsid nsenter "--net=/var/run/netns/${n}" unshare --mount --propagation private \
        bash -c "${mounts} touch '${h}/ready'; exec sleep infinity" </dev/null >"${h}/holder.log" 2>&1 &
    echo $! >"${h}/holder.pid"
    for _ in $(seq 100); do [ -e "${h}/ready" ] && return 0; sleep 0.1; done
    echo "host ${name}: the mount namespace did not come up ($(cat "${h}/holder.log"))" >&2
    return 1
}

metadata() {
    local name=$1 config=$2 hops=$3 h
    shift 3
    h=$(home "${name}")
    stop_pidfile "${h}/metadata.pid"
    # EC2 sends the IMDSv2 token's PUT response with an IP TTL of the instance's hop limit, so a
    # container one routed hop further (bridge or overlay, behind the host's forwarding) gets no token
    # (EC2 user guide, "Use IMDSv2": "the PUT response ... hop limit"). The emulator's namespace sends
    # every packet with that TTL: its SYN-ACK already dies where the host forwards it, as on EC2.
    ip netns exec "$(ns "${name}")-m" sysctl -qw "net.ipv4.ip_default_ttl=${hops}"
    setsid nsenter "--net=/var/run/netns/$(ns "${name}")-m" "${PR_CYBR_EC2_METADATA_MOCK:?}" \
        --hostname 169.254.169.254 --port 80 --config-file "${config}" "$@" </dev/null >>"${h}/metadata.log" 2>&1 &
    echo $! >"${h}/metadata.pid"
    for _ in $(seq 100); do
        if nsenter "--net=/var/run/netns/$(ns "${name}")" curl -fsS -o /dev/null -X PUT http://169.254.169.254/latest/api/token \
            -H "X-aws-ec2-metadata-token-ttl-seconds: 60" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "host ${name}: the metadata emulator did not answer ($(tail -5 "${h}/metadata.log"))" >&2
    return 1
}

forward() {
    local name=$1 port=$2 h
    h=$(home "${name}")
    stop_pidfile "${h}/forward.pid"
    setsid "${PR_CYBR_PYTHON:?}" "${HERE}/lib/ns-forward.py" "${port}" "/var/run/netns/$(ns "${name}")" </dev/null >"${h}/forward.log" 2>&1 &
    echo $! >"${h}/forward.pid"
    for _ in $(seq 100); do grep -q forwarding "${h}/forward.log" 2>/dev/null && return 0; sleep 0.1; done
    echo "host ${name}: the forwarder did not start ($(cat "${h}/forward.log"))" >&2
    return 1
}

stop_pidfile() {
    local pid
    [ -f "$1" ] || return 0
    pid=$(cat "$1")
    kill -KILL "${pid}" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "${pid}" 2>/dev/null || break; sleep 0.1; done
    rm -f "$1"
}

host_exec() {
    local name=$1
    shift
    exec nsenter -t "$(holder "${name}")" -m -n -- "$@"
}

power_off() {
    local name=$1 h n pid
    h=$(home "${name}")
    n=$(ns "${name}")
    stop_pidfile "${h}/forward.pid"
    if [ -e "/var/run/netns/${n}" ]; then
        # Every process in the host's network namespace is the host's (dockerd, containerd, tasks, the
        # emulator, the holder): this suite created the namespace.
        for _ in 1 2 3; do
            for pid in $(ip netns pids "${n}"); do kill -KILL "${pid}" 2>/dev/null || true; done
            sleep 0.2
        done
    fi
    stop_pidfile "${h}/metadata.pid"
    rm -f "${h}/holder.pid" "${h}/metadata.pid" "${h}/ready"
    if ip link show "prcv-${name}" >/dev/null 2>&1; then ip link set "prcv-${name}" down; fi
}

destroy() {
    local name=$1 n
    n=$(ns "${name}")
    power_off "${name}"
    if ip link show "prcv-${name}" >/dev/null 2>&1; then ip link del "prcv-${name}"; fi
    if [ -e "/var/run/netns/${n}" ]; then ip netns del "${n}"; fi
    if [ -e "/var/run/netns/${n}-m" ]; then ip netns del "${n}-m"; fi
    rm -rf "$(home "${name}")"
}

cmd=${1:?usage: sim-host.sh bridge-up|bridge-down|create|metadata|forward|exec|power-off|destroy}
shift
case "${cmd}" in
    bridge-up) bridge_up ;;
    bridge-down) bridge_down ;;
    create) create "$@" ;;
    metadata) metadata "$@" ;;
    forward) forward "$@" ;;
    exec) host_exec "$@" ;;
    power-off) power_off "$@" ;;
    destroy) destroy "$@" ;;
    *) echo "sim-host.sh: unknown command ${cmd}" >&2; exit 2 ;;
esac
