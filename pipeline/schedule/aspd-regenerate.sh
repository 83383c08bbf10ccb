#!/usr/bin/env bash
# One scheduled regeneration of a dataset spec, for cron and systemd (see README.md).
#   aspd-regenerate.sh /etc/aspd/dataset.yaml [--full]
# ASPD names the aspd launcher (default: the checkout's ./aspd, two folders up from this script).
# The exit status is aspd's: 0 published or nothing changed, 1 failed (LATEST untouched),
# 2 invalid spec or usage, 75 another regeneration of the same output root holds the lock.
set -euo pipefail

if [[ $# -lt 1 || "$1" == -* ]]; then
  echo "usage: $(basename "$0") SPEC.yaml [--full]" >&2
  exit 2
fi
spec="$1"
shift
if [[ ! -f "$spec" ]]; then
  echo "aspd-regenerate: spec $spec not found" >&2
  exit 2
fi
# Absolute, so the run does not depend on the scheduler's working directory.
spec="$(cd "$(dirname "$spec")" && pwd)/$(basename "$spec")"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
aspd="${ASPD:-$here/../../aspd}"
if [[ ! -x "$aspd" ]]; then
  echo "aspd-regenerate: no aspd launcher at $aspd (set ASPD)" >&2
  exit 2
fi

echo "aspd-regenerate: $(date -u +%Y-%m-%dT%H:%M:%SZ) start $spec" >&2
status=0
"$aspd" regenerate --spec "$spec" "$@" || status=$?
echo "aspd-regenerate: $(date -u +%Y-%m-%dT%H:%M:%SZ) exit $status" >&2
exit "$status"
