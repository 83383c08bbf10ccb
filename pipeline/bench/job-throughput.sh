#!/usr/bin/env bash
# Throughput and peak memory of `aspd run` (embedded rules teacher, DirectRunner) over an input.
#   pipeline/bench/job-throughput.sh [RUNS] [INPUT...]
# Default input: the AlpacaEval model outputs in ../shared/datasets (~11k answers; not shipped
# with aspd because of their non-commercial licence). Prints one line per run and the median.
# The steady-state rate is the best 5-second interval the job's own progress line reported.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUNS="${1:-3}"; shift || true
INPUTS=("$@")
if [[ ${#INPUTS[@]} -eq 0 ]]; then
  INPUTS=("$ROOT/../shared/datasets/alpaca-eval/model_outputs")
fi
"$ROOT/aspd" --version >/dev/null   # build once, outside the timings
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)"
walls=()
for i in $(seq 1 "$RUNS"); do
  out="$WORK/out-$i"
  /usr/bin/time -f "%e %M" -o "$WORK/time-$i" "$ROOT/aspd" run --input "${INPUTS[@]}" --output "$out" \
    > "$WORK/log-$i" 2>&1
  read -r wall rss < "$WORK/time-$i"
  rows=$(grep -o '"rows_in" : [0-9]*' "$out/stats.json" | grep -o '[0-9]*$')
  steady=$(grep -o '[0-9]* rows/s' "$WORK/log-$i" | awk '{print $1}' | sort -n | tail -1)
  awk -v i="$i" -v rows="$rows" -v wall="$wall" -v steady="${steady:-n/a}" -v rss="$rss" 'BEGIN {
    printf "run %d: %d rows in %.1f s = %.0f rows/s end to end; steady %s rows/s; peak RSS %.0f MiB\n",
      i, rows, wall, rows / wall, steady, rss / 1024 }'
  walls+=("$wall")
done
median=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END{print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}')
echo "median wall time: $median s over $RUNS runs"
