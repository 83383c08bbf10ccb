#!/usr/bin/env bash
# PDL run 2: GPU tests (PDL + early trigger), the early-trigger variant beside run 1's, and where
# the fused kernels' time goes (ncu: each kernel of one step alone, and the full set on one layer).
set -uo pipefail
R=decoding/target/gpu-run; O=$OUT/d; B=$R/p2; mkdir -p $O
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
(which nsys; ls /usr/local/cuda/bin; ls /opt/nvidia 2>&1) > $O/tools.txt 2>&1; grep -i nsys $O/tools.txt
timeout 150 $B/aspd_gpu_engine_tests > $O/tests.log 2>&1; echo "tests rc=$?"; grep -E "FAIL|failed|programmatic" $O/tests.log | tail -6
run() { local name=$1 shape=$2 reps=$3; shift 3
  timeout 90 $B/aspd_engine_bench --shape $shape "$@" --reps $reps --json $O/${name}.json > $O/${name}.log 2>&1
  echo "== $name rc=$?"; grep -E "serial decode|k= 1 |k= 8 " $O/${name}.log; }
run 05b_default qwen2.5-0.5b 3
run 05b_pdl qwen2.5-0.5b 3 --fused --pdl
run 05b_pdl_early qwen2.5-0.5b 3 --fused --pdl --trigger-early
run 05b_pdl_early_l2 qwen2.5-0.5b 3 --fused --pdl --trigger-early --prefetch-l2
NCU="ncu --clock-control none --kill on"
timeout 120 $NCU --metrics gpu__time_duration.sum --csv --launch-skip 4000 --launch-count 140 $B/aspd_engine_bench --shape qwen2.5-0.5b --fused --pdl --reps 1 > $O/dur_fused.csv 2>&1; echo "dur fused rc=$?"
timeout 120 $NCU --metrics gpu__time_duration.sum --csv --launch-skip 6000 --launch-count 260 $B/aspd_engine_bench --shape qwen2.5-0.5b --reps 1 > $O/dur_default.csv 2>&1; echo "dur default rc=$?"
timeout 150 $NCU --set full --import-source yes -k regex:'decode_gemv|decode_attention' --launch-skip 500 --launch-count 5 -o $O/layer $B/aspd_engine_bench_li --shape qwen2.5-0.5b --fused --pdl --reps 1 > $O/full.log 2>&1; echo "full rc=$?"
ncu -i $O/layer.ncu-rep --page details --print-details all > $O/layer_details.txt 2>&1
ncu -i $O/layer.ncu-rep --page source --csv --print-source cuda,sass > $O/layer_source.csv 2>&1
python3 - "$O" <<'PY'
import csv, sys, collections
d = sys.argv[1]
for name in ("dur_fused", "dur_default"):
    rows = [r for r in csv.reader(open(f"{d}/{name}.csv")) if len(r) > 10]
    if not rows: print(name, "no rows"); continue
    h = rows[0]; ki = h.index("Kernel Name"); vi = h.index("Metric Value"); ui = h.index("Metric Unit")
    agg = collections.OrderedDict(); tot = 0
    for r in rows[1:]:
        v = float(r[vi].replace(",", "")); v = v / 1000 if r[ui] == "nsecond" else v * 1000 if r[ui] == "msecond" else v
        k = r[ki][:90]; agg.setdefault(k, []).append(v); tot += v
    print(f"{name}: {len(rows)-1} kernels, {tot:.1f} us")
    for k, vs in agg.items(): print(f"  {len(vs):4d} x {sum(vs)/len(vs):7.2f} us  {k}")
PY
cd $OUT && tar czf d.tgz d && rm -rf d
