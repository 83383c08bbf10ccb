#!/usr/bin/env bash
# Run 8: the final code (head-dim check for the decode attention, its argument test): GPU tests,
# 0.5B serial decode and step costs beside run 6's binary (p6).
set -uo pipefail
R=decoding/target/gpu-run; O=$OUT/d; B=$R/p8; mkdir -p $O
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv > $O/gpu.txt 2>&1
timeout 100 $B/aspd_gpu_engine_tests > $O/tests.log 2>&1; echo "tests rc=$?"; grep -E "FAIL|failed|rejects" $O/tests.log | tail -6
run() { local name=$1 bin=$2; shift 2
  timeout 40 $bin --shape qwen2.5-0.5b "$@" --reps 3 --json $O/${name}.json > $O/${name}.log 2>&1
  echo "== $name rc=$?"; grep -E "serial decode|k= [1-9] |k=1[26]" $O/${name}.log; }
run 05b_p8 $B/aspd_engine_bench
run 05b_p6 $R/p6/aspd_engine_bench
cd $OUT && tar czf d.tgz d && rm -rf d
