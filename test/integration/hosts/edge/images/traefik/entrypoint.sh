#!/bin/sh
# As the official image's entrypoint: arguments that start with "-" are traefik's.
if [ "${1#-}" != "$1" ]; then set -- traefik "$@"; fi
exec "$@"
