#!/usr/bin/env bash
# check-stack-file.sh <stack>: a real CLI run needs Pulumi.<stack>.yaml to carry the awskms secrets
# provider and its data key. Without `secretsprovider:` a diy stack falls back to the passphrase
# provider and fails non-interactively; without `encryptedkey:` every run mints a new data key
# (pulumi/pulumi v3.248.0 pkg/cmd/pulumi/stack/secrets.go, pkg/secrets/cloud/manager.go).
set -euo pipefail
file="Pulumi.$1.yaml"
if ! grep -q '^secretsprovider: awskms://' "${file}"; then
    echo "::error file=${file}::no 'secretsprovider: awskms://...' (bootstrap output secretsProvider; README \"Backend bootstrap\")"
    exit 1
fi
if ! grep -q '^encryptedkey: ' "${file}"; then
    echo "::error file=${file}::no 'encryptedkey:' (commit the line 'pulumi stack init --secrets-provider' wrote; README \"Backend bootstrap\")"
    exit 1
fi
