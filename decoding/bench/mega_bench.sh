#!/usr/bin/env bash
# The decode megakernel on a GPU host in about three minutes: its GPU tests against the
# separate-kernel path, then serial decode and step costs of the Qwen2.5-0.5B and -7B shapes on the
# default (cuBLAS) path and on the megakernel in the same run, with the K split across blocks
# chosen by the cost model and forced (all whole, all in 2 parts, down alone in 2), so that one run
# both measures the megakernel against the baseline and calibrates the cost model.
# usage: decoding/bench/mega_bench.sh BIN_DIR OUT_DIR
#   BIN_DIR holds aspd_gpu_engine_tests and aspd_engine_bench (cmake --build <build> where nvcc is).
set -uo pipefail
bin=${1:?BIN_DIR}; out=${2:?OUT_DIR}
mkdir -p "$out"
. "$(cd "$(dirname "$0")" && pwd)/bench_lib.sh"
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv > "$out/gpu.txt" 2>&1; cat "$out/gpu.txt"
step gpu_engine_tests 120 "$bin/aspd_gpu_engine_tests"
for shape in qwen2.5-0.5b qwen2.5-7b; do
  reps=3; [ "$shape" = qwen2.5-7b ] && reps=2
  step "engine_${shape}_default" 90 "$bin/aspd_engine_bench" --shape "$shape" --reps "$reps" --json "$out/${shape}_default.json"
  step "engine_${shape}_mega" 90 "$bin/aspd_engine_bench" --shape "$shape" --mega --reps "$reps" \
    --json "$out/${shape}_mega.json"
  for parts in 1 2 1,1,1,2; do
    step "engine_${shape}_mega_parts_${parts//,/-}" 90 "$bin/aspd_engine_bench" --shape "$shape" --mega \
      --mega-parts "$parts" --reps "$reps" --json "$out/${shape}_mega_parts_${parts//,/-}.json"
  done
done
