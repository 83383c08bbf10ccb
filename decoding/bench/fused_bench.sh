#!/usr/bin/env bash
# The fused decode products (decode_gemv.h) on a GPU host in about three minutes: the GPU engine
# tests (fused steps against the default path, with clusters of 2 and a pipelined plan, and the
# timeline), the per-kernel check of the fused products against cuBLAS, then Qwen2.5-0.5B serial
# decode and step costs on the default path and on the fused path in the same run: as planned
# (clusters, resident weights), with its timeline (where each product's time goes after its wait),
# without K splits, with the weights streamed through the pipeline (all, or only gate/up's); OLD_BIN, when given, is an
# earlier build whose default and fused paths run beside them as the baseline.
# usage: decoding/bench/fused_bench.sh BIN_DIR OUT_DIR [OLD_BIN_DIR]
#   BIN_DIR holds aspd_gpu_engine_tests, aspd_decode_step_bench and aspd_engine_bench
#   (cmake --build <build> where nvcc is; they run without a JDK).
set -uo pipefail
bin=${1:?BIN_DIR}; out=${2:?OUT_DIR}; old=${3:-}
mkdir -p "$out"
. "$(cd "$(dirname "$0")" && pwd)/bench_lib.sh"
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv > "$out/gpu.txt" 2>&1; cat "$out/gpu.txt"
step gpu_engine_tests 120 "$bin/aspd_gpu_engine_tests"
step decode_step_0.5b 60 "$bin/aspd_decode_step_bench" --shape qwen2.5-0.5b
engine() {  # engine NAME BIN ARGS...: 0.5B serial decode and step costs, medians of 3
  local name=$1 b=$2; shift 2
  step "$name" 60 "$b/aspd_engine_bench" --shape qwen2.5-0.5b --reps 3 "$@" --json "$out/$name.json"
}
engine default "$bin"
engine fused "$bin" --fused
engine fused_timeline "$bin" --fused --timeline
engine fused_no_splits "$bin" --fused --fused-max-splits 1
engine fused_pipelined "$bin" --fused --fused-pipelined
# Gate/up streamed: its 304 blocks shrink from ~69 to ~41 KB of shared memory (at one row), so
# that a block of the down product (~91 KB, resident) fits beside two or three of them and copies
# its weights during gate/up; beside three resident gate/up blocks an SM has ~18 KB left, so down's
# copies wait for gate/up to end (an estimate from the plans and ptxas's registers, not measured).
engine fused_stream_gate_up "$bin" --fused --fused-stream gate_up
engine fused_stream_gate_up_timeline "$bin" --fused --fused-stream gate_up --timeline  # beside fused_timeline
if [ -n "$old" ]; then
  engine old_default "$old"
  engine old_fused "$old" --fused
fi
engine default_again "$bin"  # drift over the run
