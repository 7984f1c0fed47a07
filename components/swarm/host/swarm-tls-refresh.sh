#!/usr/bin/env bash
# Daily (systemd timer): install the dockerd certificate Pulumi renewed in Secrets Manager. The
# certificate lives 90 days and is renewed 30 days early by a scheduled `pulumi up`; a host fetches it
# only here and at boot, so without this a long-running manager's API would expire. dockerd reads its
# TLS files only at start, so a change restarts it — but only while every other manager is Ready, so
# two managers never restart together (the timer's random delay spreads them; a skipped run retries).
set -euo pipefail
umask 077
# shellcheck source=SCRIPTDIR/swarm-common.sh
source "$(dirname "$0")/swarm-common.sh"

staged=$(mktemp -d)
trap 'rm -rf "${staged}"' EXIT
fetch_tls_material "${staged}" || { log "Secrets Manager has no complete TLS material under ${TLS_SECRET_PREFIX}"; exit 1; }
if diff -rq "${staged}" "${TLS_DIR}" >/dev/null 2>&1; then
    log "TLS material unchanged"
    exit 0
fi
if [ "$(swarm_state)" = "active" ]; then
    not_ready=$(docker node ls --filter role=manager --format '{{.Status}} {{.Self}}' | grep -vc '^Ready ' || true)
    if [ "${not_ready}" -gt 0 ]; then
        log "a manager is not Ready: retrying on the next run"
        exit 0
    fi
fi
# Timers of several managers can fire together: they restart in node-ID order, each once every
# manager before it serves the renewed certificate (read from its TLS port; no client cert needed).
want=$(openssl x509 -noout -fingerprint -in "${staged}/server-cert.pem")
for id in $(docker node ls --filter role=manager -q | sort); do
    [ "${id}" = "$(docker info --format '{{.Swarm.NodeID}}')" ] && break
    addr=$(docker node inspect "${id}" --format '{{.ManagerStatus.Addr}}')
    if [ "$(openssl s_client -connect "${addr%:*}:2376" </dev/null 2>&1 | openssl x509 -noout -fingerprint)" != "${want}" ]; then
        log "manager ${id} renews first"
        exit 0
    fi
done
cp "${staged}"/*.pem "${TLS_DIR}/"
systemctl restart docker
log "installed the renewed TLS material and restarted dockerd"
