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
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; fi
done
step() {  # name, timeout seconds, command...
  local name=$1 limit=$2; shift 2
  echo "=== $name"
  local t0=$SECONDS
  timeout "$limit" "$@" > "$out/$name.log" 2>&1
  local rc=$?
  grep -E "tok/s|ms/step|us per layer|barrier alone|K parts|FAIL|passed|failed|error" "$out/$name.log" | head -n 40
  echo "=== $name rc=$rc ($((SECONDS - t0)) s)"
}
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
