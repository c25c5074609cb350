#!/usr/bin/env bash
# The Lint step of action.yml: annotations on the console (GitHub turns them into review comments), the SARIF
# report for code scanning, and the markdown report as the job summary. The exit code is passed on as the
# step's output; the action's last step fails the job with it, after the SARIF upload.
set -u
extra=()
if [ "${PULLCHECK_SARIF:-true}" = "true" ]; then
  extra+=(--output "sarif:pullcheck.sarif")
fi
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  extra+=(--output "markdown:${GITHUB_STEP_SUMMARY}")
fi
# paths and args are word-split on purpose: several paths, several options
# shellcheck disable=SC2086
pullcheck --format github "${extra[@]}" ${PULLCHECK_ARGS:-} ${PULLCHECK_PATHS:-.}
code=$?
echo "exit-code=${code}" >> "${GITHUB_OUTPUT:-/dev/null}"
exit 0
