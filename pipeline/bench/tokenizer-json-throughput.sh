#!/usr/bin/env bash
# The job with a tokenizer.json target against the built-in tokenizer of the same vocabulary,
# interleaved, RUNS rounds (default 3): wall time and peak RSS of each run.
#   pipeline/bench/tokenizer-json-throughput.sh TOKENIZER_JSON [BUILTIN] [RUNS] [INPUT...]
# TOKENIZER_JSON: e.g. o200k_base written as a tokenizer.json (TiktokenTokenizerJson in the
# transforms tests writes one); BUILTIN: o200k_base (default) or cl100k_base. Default input: the
# AlpacaEval model outputs in ../shared/datasets (~11k answers; not shipped: non-commercial licence).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JSON="$1"; BUILTIN="${2:-o200k_base}"; RUNS="${3:-3}"; shift $(( $# < 3 ? $# : 3 ))
INPUTS=("$@")
if [[ ${#INPUTS[@]} -eq 0 ]]; then INPUTS=("$ROOT/../shared/datasets/alpaca-eval/model_outputs"); fi
"$ROOT/aspd" --version >/dev/null   # build once, outside the timings
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
for i in $(seq 1 "$RUNS"); do
  for t in "$BUILTIN" "$JSON"; do
    rm -rf "$WORK/out"
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$ROOT/aspd" run --input "${INPUTS[@]}" --output "$WORK/out" \
      --tokenizer="$t" > "$WORK/log" 2>&1
    read -r wall rss < "$WORK/time"
    echo "round $i tokenizer $t: wall $wall s, peak RSS $((rss / 1024)) MiB, load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
