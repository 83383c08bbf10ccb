#!/usr/bin/env bash
# Throughput and peak memory of `aspd run` (embedded rules teacher, DirectRunner) over an input.
#   pipeline/bench/job-throughput.sh [RUNS] [INPUT...]
# Default input: the AlpacaEval model outputs in ../shared/datasets (~11k answers; not shipped
# with aspd because of their non-commercial licence). Prints one line per run and the median.
# The steady-state rate is the best 5-second interval the job's own progress line reported.
# Each round also runs the baseline: the same job with every answer treated as short
# (--minParallelTokens huge), i.e. reading, tokenizing, writing and statistics without the stages'
# rewrite and checks, so the cost of the teacher stages shows against the I/O floor.
# ASPD_JOB_ARGS adds job options to every run, e.g. ASPD_JOB_ARGS=--tokenizer=models/qwen/tokenizer.json.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUNS="${1:-3}"; shift || true
INPUTS=("$@")
read -r -a JOB_ARGS <<< "${ASPD_JOB_ARGS:-}"
if [[ ${#INPUTS[@]} -eq 0 ]]; then
  INPUTS=("$ROOT/../shared/datasets/alpaca-eval/model_outputs")
fi
"$ROOT/aspd" --version >/dev/null   # build once, outside the timings
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
echo "job options: ${ASPD_JOB_ARGS:-(defaults)}"
echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1)"
walls=()
baseline_walls=()
one_run() {  # one_run NAME EXTRA_ARGS...; sets wall rss rows steady
  local name="$1"; shift
  local out="$WORK/out-$name"
  /usr/bin/time -f "%e %M" -o "$WORK/time-$name" "$ROOT/aspd" run --input "${INPUTS[@]}" --output "$out" "${JOB_ARGS[@]}" "$@" \
    > "$WORK/log-$name" 2>&1
  read -r wall rss < "$WORK/time-$name"
  rows=$(grep -o '"rows_in" : [0-9]*' "$out/stats.json" | grep -o '[0-9]*$')
  steady=$(grep -o '[0-9]* rows/s' "$WORK/log-$name" | awk '{print $1}' | sort -n | tail -1)
  rm -rf "$out"
}
for i in $(seq 1 "$RUNS"); do
  one_run "base-$i" --minParallelTokens=1000000000
  awk -v i="$i" -v rows="$rows" -v wall="$wall" -v rss="$rss" 'BEGIN {
    printf "baseline %d (no teacher work): %d rows in %.1f s = %.0f rows/s; peak RSS %.0f MiB\n",
      i, rows, wall, rows / wall, rss / 1024 }'
  baseline_walls+=("$wall")
  one_run "job-$i"
  awk -v i="$i" -v rows="$rows" -v wall="$wall" -v steady="${steady:-n/a}" -v rss="$rss" 'BEGIN {
    printf "run %d: %d rows in %.1f s = %.0f rows/s end to end; steady %s rows/s; peak RSS %.0f MiB\n",
      i, rows, wall, rows / wall, steady, rss / 1024 }'
  walls+=("$wall")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }
echo "median wall time: job $(median "${walls[@]}") s, baseline $(median "${baseline_walls[@]}") s over $RUNS runs; load $(cut -d' ' -f1-3 /proc/loadavg)"
