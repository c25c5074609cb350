#!/usr/bin/env bash
# The Lint step of action.yml: annotations on the console (GitHub turns them into review comments), the SARIF
# report for code scanning, and the markdown report as the job summary. The exit code is passed on as the
# step's output; the action's last step fails the job with it, after the SARIF upload.
set -u
extra=()
if [ "${PULLCHECK_SARIF:-true}" = "true" ]; then
  # the upload step sends whatever the workspace holds under this name: a committed file, link or folder
  # (rm removes a link itself, not what it names) goes first, so that what pullcheck refuses to write
  # through is never uploaded in the place of its report
  rm -rf -- pullcheck.sarif
  extra+=(--output "sarif:pullcheck.sarif")
fi
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  extra+=(--output "markdown:${GITHUB_STEP_SUMMARY}")
fi
# Options: split on blanks and line breaks (an `args: |` block may give one per line), never globbed. Paths:
# one per line when the input holds a line break (a `|` block, the way to name a path with blanks), else
# split on blanks; each passed literally, after `--`.
args=()
IFS=$' \t\r\n' read -r -d '' -a args <<< "${PULLCHECK_ARGS:-}" || true
paths=()
if [[ "${PULLCHECK_PATHS:-}" == *$'\n'* ]]; then
  while IFS= read -r line || [ -n "${line}" ]; do
    line="${line%$'\r'}"
    line="${line#"${line%%[![:space:]]*}"}"
    line="${line%"${line##*[![:space:]]}"}"
    if [ -n "${line}" ]; then
      paths+=("${line}")
    fi
  done <<< "${PULLCHECK_PATHS}"
else
  read -r -a paths <<< "${PULLCHECK_PATHS:-}"
fi
if [ "${#paths[@]}" -eq 0 ]; then
  paths=(.)
fi
# --root .: the checkout is what the named paths may read from (modules, file(), nested stacks)
pullcheck --format github --root . "${extra[@]}" "${args[@]}" -- "${paths[@]}"
code=$?
echo "exit-code=${code}" >> "${GITHUB_OUTPUT:-/dev/null}"
exit 0
