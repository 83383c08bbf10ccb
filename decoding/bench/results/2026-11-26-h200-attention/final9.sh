#!/usr/bin/env bash
# Run 9: the decode attention's block moved to decode_attention_body.cuh (shared with its CPU
# emulation test): GPU tests, kernel checks, 0.5B serial decode and step costs beside run 8's binary.
set -uo pipefail
R=decoding/target/gpu-run; O=$OUT/d; B=$R/p9; mkdir -p $O
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
timeout 60 $B/aspd_gpu_engine_tests > $O/tests.log 2>&1; echo "tests rc=$?"; grep -E "FAIL|failed|rejects" $O/tests.log | tail -4
timeout 30 $B/aspd_decode_step_bench > $O/step.log 2>&1; echo "step rc=$?"; grep -E "check decode|FAIL" $O/step.log | head -6
run() { local name=$1 bin=$2; shift 2
  timeout 30 $bin --shape qwen2.5-0.5b "$@" --reps 3 --json $O/${name}.json > $O/${name}.log 2>&1
  echo "== $name rc=$?"; grep -E "serial decode|k= [1-9] |k=1[26]" $O/${name}.log; }
run 05b_p9 $B/aspd_engine_bench
run 05b_p8 $R/p8/aspd_engine_bench
cd $OUT && tar czf d.tgz d && rm -rf d
