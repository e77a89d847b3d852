#!/usr/bin/env bash
# Known vulnerabilities of the venv's packages. pip-audit asks PyPI's advisory data; where that
# cannot be reached (a mirror without it, no network) it reports packages "not found" and
# exits 0, which proves nothing: then say so, and list the outdated packages instead.
set -uo pipefail
VENV="${VENV:-.venv}"
"$VENV/bin/pip" install --quiet pip-audit
report="$(mktemp)"
trap 'rm -f "$report"' EXIT
"$VENV/bin/pip-audit" --skip-editable >"$report" 2>&1
status=$?
cat "$report"
if grep -q "could not be audited" "$report"; then
  echo
  echo "pip-audit could not reach the advisory data for some packages: outdated packages instead:"
  "$VENV/bin/pip" list --outdated
fi
exit $status
