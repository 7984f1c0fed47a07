#!/usr/bin/env bash
# Builds the edge agent (a custom OpenTelemetry Collector, manifest.yaml) with the OpenTelemetry
# Collector Builder from the Go module proxy: `build.sh OUT ARCH...` writes OUT/<arch>/otelcol-edge,
# a static linux binary (CGO_ENABLED=0) per arch (amd64, arm64), cross-compiled on the build machine.
# The image's Dockerfile runs it once per target platform; the integration engine 44-edge-agent runs
# it for both arches. Needs Go (1.23 or newer) and the module proxy.
#
# go.sum pins every module the manifest resolves to: the builder's `go mod tidy` checks the downloads
# against it, and a build whose sums differ fails. After changing the manifest, run
# `UPDATE_GO_SUM=1 components/edge/agent/build.sh /tmp/otelcol-edge amd64` and commit go.sum.
set -euo pipefail

BUILDER_VERSION=v0.128.0
HERE="$(cd "$(dirname "$0")" && pwd)"
OUT=${1:?usage: build.sh OUT ARCH...}
shift
[ $# -gt 0 ] || set -- amd64 arm64
mkdir -p "${OUT}"
OUT="$(cd "${OUT}" && pwd)"
WORK=$(mktemp -d)
trap 'rm -rf "${WORK}"' EXIT

# The builder itself: its module's own go.sum verifies its dependencies; the module is skipped in the
# checksum database only (GONOSUMDB), which not every proxy mirrors.
GOBIN="${WORK}/bin" GONOSUMDB=go.opentelemetry.io/collector/cmd/builder GOFLAGS=-buildvcs=false \
    go install "go.opentelemetry.io/collector/cmd/builder@${BUILDER_VERSION}"

# Sources and go.mod from the manifest (output_path ./build, relative to the manifest), modules resolved.
cp "${HERE}/manifest.yaml" "${WORK}/manifest.yaml"
mkdir -p "${WORK}/build"
[ -n "${UPDATE_GO_SUM:-}" ] || cp "${HERE}/go.sum" "${WORK}/build/go.sum"
(cd "${WORK}" && "${WORK}/bin/builder" --config manifest.yaml --skip-compilation --skip-strict-versioning=false)
if [ -n "${UPDATE_GO_SUM:-}" ]; then
    cp "${WORK}/build/go.sum" "${HERE}/go.sum"
elif ! cmp -s "${HERE}/go.sum" "${WORK}/build/go.sum"; then
    diff "${HERE}/go.sum" "${WORK}/build/go.sum" >&2 || true
    echo "build.sh: the modules the manifest resolves differ from go.sum (above); after a manifest change run UPDATE_GO_SUM=1 $0 ${OUT} amd64 and commit go.sum" >&2
    exit 1
fi

for arch in "$@"; do
    case "${arch}" in amd64 | arm64) ;; *) echo "build.sh: unsupported arch ${arch} (amd64, arm64)" >&2; exit 2 ;; esac
    mkdir -p "${OUT}/${arch}"
    # The builder's own flags (-trimpath, stripped), for another GOARCH; -mod=readonly: nothing resolves anew.
    (cd "${WORK}/build" && CGO_ENABLED=0 GOOS=linux GOARCH="${arch}" GOFLAGS="-mod=readonly -buildvcs=false" \
        go build -trimpath -ldflags="-s -w" -o "${OUT}/${arch}/otelcol-edge" .)
done
