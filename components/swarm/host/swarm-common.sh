#!/usr/bin/env bash
# Shared by the Swarm manager scripts: settings, logging, IMDSv2 and Secrets Manager helpers.
# Nothing here ever prints a secret: values are written to 0600 files or passed to docker directly.

# ROOT prefixes every host path so the tests can run these scripts in a scratch directory.
ROOT="${PR_CYBR_ROOT:-}"
# shellcheck source=/dev/null
source "${ROOT}/etc/pr-cybr/swarm.env"

log() { echo "$(basename "$0"): $*" >&2; }

imds() {
    local token
    token=$(curl -fsS -X PUT "http://169.254.169.254/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 300")
    curl -fsS -H "X-aws-ec2-metadata-token: ${token}" "http://169.254.169.254/latest/$1"
}

# The current value of a Secrets Manager secret, or nothing when it has none yet.
secret_value() {
    aws secretsmanager get-secret-value --region "${AWS_REGION}" --secret-id "$1" --query SecretString --output text 2>/dev/null || true
}

# Writes a secret from a file (never from the command line, where `ps` would show it).
put_secret_from_file() {
    aws secretsmanager put-secret-value --region "${AWS_REGION}" --secret-id "$1" --secret-string "file://$2" >/dev/null
}

# Where dockerd reads its TLS material (paths in /etc/docker/daemon.json).
# shellcheck disable=SC2034 # used by the scripts that source this file
TLS_DIR="${ROOT}/etc/docker/tls"

# Writes the dockerd CA, certificate and key from Secrets Manager into directory $1; fails if any is missing.
fetch_tls_material() {
    secret_value "${TLS_SECRET_PREFIX}/ca" >"$1/ca.pem"
    secret_value "${TLS_SECRET_PREFIX}/cert" >"$1/server-cert.pem"
    secret_value "${TLS_SECRET_PREFIX}/key" >"$1/server-key.pem"
    [ -s "$1/ca.pem" ] && [ -s "$1/server-cert.pem" ] && [ -s "$1/server-key.pem" ]
}

# dockerd's metrics endpoint (daemon.json metrics-addr), which the collector scrapes; the collector's
# OTLP/HTTP receiver on loopback, where the backup reports its success.
# shellcheck disable=SC2034 # used by the scripts that source this file
METRICS_ADDR=127.0.0.1:9323
# shellcheck disable=SC2034
COLLECTOR_OTLP_HTTP=http://127.0.0.1:4318

swarm_state() { docker info --format '{{.Swarm.LocalNodeState}}'; }
