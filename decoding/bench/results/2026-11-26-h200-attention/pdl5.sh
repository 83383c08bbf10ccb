#!/usr/bin/env bash
# Run 5: attention scores on tensor cores, cache append after the cluster's state release;
# against run 4's binary (p4) in the same run; then replay vs serial at 0.5B on p5.
set -uo pipefail
R=decoding/target/gpu-run; O=$OUT/d; B=$R/p5; mkdir -p $O
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv > $O/gpu.txt 2>&1
timeout 150 $B/aspd_gpu_engine_tests > $O/tests.log 2>&1; echo "tests rc=$?"; grep -E "FAIL|failed|replay - CPU|0.5b shape|forward:" $O/tests.log | tail -8
timeout 60 $B/aspd_decode_step_bench > $O/step.log 2>&1; echo "step rc=$?"; grep -E "M=|decode attention|check|FAIL" $O/step.log | head -24
run() { local name=$1 bin=$2 shape=$3 reps=$4; shift 4
  timeout 120 $bin --shape $shape "$@" --reps $reps --json $O/${name}.json > $O/${name}.log 2>&1
  echo "== $name rc=$?"; grep -E "serial decode|k= [1-9] |k=1[26]|realized|theoretical" $O/${name}.log | grep -v "^  row"; }
run 05b_p4 $R/p4/aspd_engine_bench qwen2.5-0.5b 3
run 05b_p5 $B/aspd_engine_bench qwen2.5-0.5b 3
run 05b_p4_again $R/p4/aspd_engine_bench qwen2.5-0.5b 3
run 05b_p5_again $B/aspd_engine_bench qwen2.5-0.5b 3
run 7b_p5 $B/aspd_engine_bench qwen2.5-7b 2
run 05b_replay $B/aspd_engine_bench qwen2.5-0.5b 1 --rows $R/rows.txt --sample 12
cd $OUT && tar czf d.tgz d && rm -rf d
