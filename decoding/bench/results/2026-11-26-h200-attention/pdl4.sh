#!/usr/bin/env bash
# Run 4: RoPE table from the step prologue (no double-precision math in attention), shorter
# dependent chains in attention's scores and P.V; against run 3's binary (p3) in the same run.
set -uo pipefail
R=decoding/target/gpu-run; O=$OUT/d; B=$R/p4; mkdir -p $O
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
timeout 150 $B/aspd_gpu_engine_tests > $O/tests.log 2>&1; echo "tests rc=$?"; grep -E "FAIL|failed|replay - CPU|0.5b shape" $O/tests.log | tail -6
timeout 60 $B/aspd_decode_step_bench > $O/step.log 2>&1; echo "step rc=$?"; grep -E "M=|decode attention|check|FAIL|layer" $O/step.log | head -24
run() { local name=$1 bin=$2 shape=$3 reps=$4; shift 4
  timeout 90 $bin --shape $shape "$@" --reps $reps --json $O/${name}.json > $O/${name}.log 2>&1
  echo "== $name rc=$?"; grep -E "serial decode|k= [1-9] |k=1[26]" $O/${name}.log; }
run 05b_p3 $R/p3/aspd_engine_bench qwen2.5-0.5b 3
run 05b_p4 $B/aspd_engine_bench qwen2.5-0.5b 3
run 05b_p3_again $R/p3/aspd_engine_bench qwen2.5-0.5b 3
run 05b_p4_again $B/aspd_engine_bench qwen2.5-0.5b 3
run 05b_p4_pdl $B/aspd_engine_bench qwen2.5-0.5b 3 --fused --pdl
run 7b_p4 $B/aspd_engine_bench qwen2.5-7b 2
timeout 150 ncu --clock-control none --kill on --set full --import-source yes -k regex:decode_attention --launch-skip 60 --launch-count 2 -o $O/attn $B/aspd_engine_bench_li --shape qwen2.5-0.5b --reps 1 > $O/ncu.log 2>&1; echo "ncu rc=$?"
ncu -i $O/attn.ncu-rep --page details --print-details all > $O/attn_details.txt 2>&1
ncu -i $O/attn.ncu-rep --page source --csv --print-source cuda,sass > $O/attn_source.csv 2>&1
grep -E "^  [a-z].*\(|Duration|Warp Cycles Per Issued" $O/attn_details.txt | head -8
cd $OUT && tar czf d.tgz d && rm -rf d
