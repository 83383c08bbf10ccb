#!/usr/bin/env bash
# Run 3: decode attention in thread-block clusters (split states merged through distributed shared
# memory; bias + RoPE + append inside on the default path): GPU tests, kernel checks and timings,
# serial decode on the default path and the fused + PDL path, ncu durations of one default step.
set -uo pipefail
R=decoding/target/gpu-run; O=$OUT/d; B=$R/p3; mkdir -p $O
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
timeout 150 $B/aspd_gpu_engine_tests > $O/tests.log 2>&1; echo "tests rc=$?"; grep -E "FAIL|failed|max \|" $O/tests.log | tail -16
timeout 60 $B/aspd_decode_step_bench > $O/step.log 2>&1; echo "step rc=$?"; grep -E "M=|attention|check|FAIL|layer" $O/step.log | head -40
run() { local name=$1 shape=$2 reps=$3; shift 3
  timeout 90 $B/aspd_engine_bench --shape $shape "$@" --reps $reps --json $O/${name}.json > $O/${name}.log 2>&1
  echo "== $name rc=$?"; grep -E "serial decode|k= [1-9] |k=1[26]" $O/${name}.log; }
run 05b_default qwen2.5-0.5b 3
run 05b_pdl qwen2.5-0.5b 3 --fused --pdl
run 7b_default qwen2.5-7b 2
timeout 120 ncu --clock-control none --kill on --metrics gpu__time_duration.sum --csv --launch-skip 6000 --launch-count 240 $B/aspd_engine_bench --shape qwen2.5-0.5b --reps 1 > $O/dur_default.csv 2>&1; echo "dur default rc=$?"
python3 - "$O" <<'PY'
import csv, sys, collections
d = sys.argv[1]
for name in ("dur_default",):
    rows = [r for r in csv.reader(open(f"{d}/{name}.csv")) if len(r) > 10]
    h = rows[0]; ki = h.index("Kernel Name"); vi = h.index("Metric Value"); ui = h.index("Metric Unit")
    agg = collections.OrderedDict(); tot = 0
    for r in rows[1:]:
        v = float(r[vi].replace(",", "")); u = r[ui]
        v = v / 1000 if u in ("ns", "nsecond") else v * 1000 if u in ("ms", "msecond") else v
        agg.setdefault(r[ki][:90], []).append(v); tot += v
    print(f"{name}: {len(rows)-1} kernels, {tot:.1f} us (unit {rows[1][ui]})")
    for k, vs in agg.items(): print(f"  {len(vs):4d} x {sum(vs)/len(vs):7.2f} us  {k}")
PY
cd $OUT && tar czf d.tgz d && rm -rf d
