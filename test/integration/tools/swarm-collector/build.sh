#!/usr/bin/env bash
# Builds the test-only managers' collector (manifest.yaml beside this file) for this machine:
# `build.sh OUT` writes OUT/otelcol-managers, a static linux binary. The same steps as the edge agent's
# components/edge/agent/build.sh: the OpenTelemetry Collector Builder v0.128.0 from the Go module proxy,
# the sources generated, the modules checked against go.sum (a difference fails the build), then
# compiled. After changing the manifest: UPDATE_GO_SUM=1 build.sh /tmp/out, and commit go.sum.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
OUT=${1:?usage: build.sh OUT}
mkdir -p "${OUT}"
OUT="$(cd "${OUT}" && pwd)"
WORK=$(mktemp -d)
trap 'rm -rf "${WORK}"' EXIT
GOBIN="${WORK}/bin" GONOSUMDB=go.opentelemetry.io/collector/cmd/builder GOFLAGS=-buildvcs=false \
    go install "go.opentelemetry.io/collector/cmd/builder@v0.128.0"
cp "${HERE}/manifest.yaml" "${WORK}/manifest.yaml"
mkdir -p "${WORK}/build"
[ -n "${UPDATE_GO_SUM:-}" ] || cp "${HERE}/go.sum" "${WORK}/build/go.sum"
(cd "${WORK}" && "${WORK}/bin/builder" --config manifest.yaml --skip-compilation --skip-strict-versioning=false)
if [ -n "${UPDATE_GO_SUM:-}" ]; then
    cp "${WORK}/build/go.sum" "${HERE}/go.sum"
elif ! cmp -s "${HERE}/go.sum" "${WORK}/build/go.sum"; then
    diff "${HERE}/go.sum" "${WORK}/build/go.sum" >&2 || true
    echo "build.sh: the modules the manifest resolves differ from go.sum (above)" >&2
    exit 1
fi
(cd "${WORK}/build" && CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false" go build -trimpath -ldflags="-s -w" -o "${OUT}/otelcol-managers" .)
