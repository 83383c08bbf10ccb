#!/usr/bin/env bash
# PDL run 1: the fused path with programmatic dependent launch (and L2 prefetch) against the
# default path and the plain fused path, same card, same run; GPU tests first.
set -uo pipefail
R=decoding/target/gpu-run; O=$OUT/d; B=$R/p1; mkdir -p $O
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv > $O/gpu.txt 2>&1; cat $O/gpu.txt
timeout 150 $B/aspd_gpu_engine_tests > $O/tests.log 2>&1; echo "tests rc=$?"; grep -E "FAIL|fused|failed|programmatic" $O/tests.log | tail -12
run() { local name=$1 shape=$2 reps=$3; shift 3
  timeout 90 $B/aspd_engine_bench --shape $shape "$@" --reps $reps --json $O/${name}.json > $O/${name}.log 2>&1
  echo "== $name rc=$?"; grep -E "^shape|serial decode|k= 1 |k= 2 |k= 4 |k= 8 |k=16" $O/${name}.log; }
run 05b_default qwen2.5-0.5b 3
run 05b_fused qwen2.5-0.5b 3 --fused
run 05b_pdl qwen2.5-0.5b 3 --fused --pdl
run 05b_pdl_l2 qwen2.5-0.5b 3 --fused --pdl --prefetch-l2
run 05b_default_again qwen2.5-0.5b 3
run 7b_default qwen2.5-7b 2
run 7b_pdl_l2 qwen2.5-7b 2 --fused --pdl --prefetch-l2
cd $OUT && tar czf d.tgz d && rm -rf d
