#!/usr/bin/env bash
# Every GPU check and benchmark of decoding/ in one run, for a GPU host (no JDK needed):
#   GPU tests (attention kernels, GPU model + engine), the prefill attention bench, the per-kernel
#   decode-step bench, the engine bench (Qwen2.5-0.5B and -7B shapes; default, fused decode
#   products and decode megakernel) and the PyTorch baselines on the same card.
# usage: decoding/bench/gpu_bench.sh BIN_DIR OUT_DIR [ROWS_FILE]
#   BIN_DIR holds aspd_gpu_tests, aspd_gpu_engine_tests, aspd_attention_bench, aspd_engine_bench,
#   aspd_decode_step_bench
#   (cmake --build <build> builds them where nvcc is present); ROWS_FILE comes from
#   `aspd bench OUT --export-rows FILE --sample 0` on a machine with the JDK.
set -uo pipefail
bin=${1:?BIN_DIR}; out=${2:?OUT_DIR}; rows=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
. "$here/bench_lib.sh"
if [ -z "${ASPD_CUBLAS:-}" ] && ! ls /usr/local/cuda/lib64/libcublas.so* >/dev/null 2>&1; then
  ASPD_CUBLAS=$(find /usr /opt -name 'libcublas.so*' 2>/dev/null | grep -v Lt | sort | tail -n 1)
  export ASPD_CUBLAS
fi
echo "cuBLAS: LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-} ASPD_CUBLAS=${ASPD_CUBLAS:-}"
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv > "$out/gpu.txt" 2>&1; cat "$out/gpu.txt"
step gpu_tests 120 "$bin/aspd_gpu_tests"
step gpu_engine_tests 180 "$bin/aspd_gpu_engine_tests"
if [ -n "${ASPD_JAVA_TESTS:-}" ]; then  # "JAVA JUNIT_CONSOLE_JAR CLASSPATH": the Java GPU tests through JNI
  read -r java junit cp <<< "$ASPD_JAVA_TESTS"
  step java_gpu_tests 180 "$java" -jar "$junit" execute -cp "$cp" --select-class org.aspd.decoding.GpuAttentionTest \
    --select-class org.aspd.decoding.GpuEngineTest --details=tree
fi
step attention_bench 120 "$bin/aspd_attention_bench" --json "$out/attention_bench.json"
rows_arg=(); [ -n "$rows" ] && rows_arg=(--rows "$rows")
step decode_step_0.5b 60 "$bin/aspd_decode_step_bench" --shape qwen2.5-0.5b --json "$out/decode_step_0.5b.json"
step decode_step_7b 60 "$bin/aspd_decode_step_bench" --shape qwen2.5-7b --json "$out/decode_step_7b.json"
step engine_bench_0.5b 200 "$bin/aspd_engine_bench" --shape qwen2.5-0.5b "${rows_arg[@]}" --reps 2 --sample 30 \
  --json "$out/engine_bench_0.5b.json"
step torch_baselines 240 env OUT="$out" python3 "$here/torch_baselines.py"
step engine_bench_7b 240 "$bin/aspd_engine_bench" --shape qwen2.5-7b "${rows_arg[@]}" --reps 1 --sample 12 \
  --json "$out/engine_bench_7b.json"
step engine_bench_0.5b_gemv 120 "$bin/aspd_engine_bench" --shape qwen2.5-0.5b --gemm gemv --reps 3 \
  --json "$out/engine_bench_0.5b_gemv.json"
step engine_bench_0.5b_mega 120 "$bin/aspd_engine_bench" --shape qwen2.5-0.5b --mega --reps 3 \
  --json "$out/engine_bench_0.5b_mega.json"
step engine_bench_0.5b_fused 120 "$bin/aspd_engine_bench" --shape qwen2.5-0.5b --fused --reps 3 \
  --json "$out/engine_bench_0.5b_fused.json"
