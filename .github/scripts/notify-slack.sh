#!/usr/bin/env bash
# Posts one line to Slack with a link to the run: notify-slack.sh <emoji> <text>. Needs SLACK_WEBHOOK_URL,
# GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_RUN_ID (set by Actions). A missing webhook is an error:
# a failure nobody hears of is the thing this exists to prevent.
set -euo pipefail
emoji=$1
text=$2
: "${SLACK_WEBHOOK_URL:?SLACK_WEBHOOK_URL is not set (repository secret, docs/runbooks/github-settings.md)}"
run_url="${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}"
payload=$(jq -n --arg text "${emoji} ${text}: ${run_url}" '{text: $text}')
curl --fail --silent --show-error -X POST -H 'Content-Type: application/json' --data "${payload}" "${SLACK_WEBHOOK_URL}"
