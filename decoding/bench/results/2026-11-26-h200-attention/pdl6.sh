#!/usr/bin/env bash
# Run 6 (final): the cache append back inside the chunk loop (tensor-core scores kept); against
# run 5's binary (p5) in the same run; 7B; replay vs serial at both shapes; transformers generate.
set -uo pipefail
R=decoding/target/gpu-run; O=$OUT/d; B=$R/p6; mkdir -p $O
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
nvidia-smi --query-gpu=name,memory.total,clocks.max.sm --format=csv > $O/gpu.txt 2>&1; cat $O/gpu.txt
timeout 150 $B/aspd_gpu_engine_tests > $O/tests.log 2>&1; echo "tests rc=$?"; grep -E "FAIL|failed|replay - CPU|0.5b shape" $O/tests.log | tail -6
timeout 60 $B/aspd_decode_step_bench > $O/step.log 2>&1; echo "step rc=$?"; grep -E "M=|decode attention|check|FAIL" $O/step.log | head -24
run() { local name=$1 bin=$2 shape=$3 reps=$4 limit=$5; shift 5
  timeout $limit $bin --shape $shape "$@" --reps $reps --json $O/${name}.json > $O/${name}.log 2>&1
  echo "== $name rc=$?"; grep -E "serial decode|k= [1-9] |k=1[26]|realized" $O/${name}.log | grep -v "^  row"; }
run 05b_p6 $B/aspd_engine_bench qwen2.5-0.5b 3 60
run 05b_p5 $R/p5/aspd_engine_bench qwen2.5-0.5b 3 60
run 05b_p6_again $B/aspd_engine_bench qwen2.5-0.5b 3 60
run 7b_p6 $B/aspd_engine_bench qwen2.5-7b 2 90
run 05b_replay $B/aspd_engine_bench qwen2.5-0.5b 1 60 --rows $R/rows.txt --sample 12
timeout 80 env OUT=$O python3 $R/torch_baselines.py --no-attention > $O/torch.log 2>&1; echo "torch rc=$?"; tail -2 $O/torch.log
run 7b_replay $B/aspd_engine_bench qwen2.5-7b 1 100 --rows $R/rows.txt --sample 8
cd $OUT && tar czf d.tgz d && rm -rf d
