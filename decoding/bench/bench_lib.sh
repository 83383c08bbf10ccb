# Shared by the GPU-host scripts (gpu_bench.sh, mega_bench.sh); sourced, with $out set.
# cuBLAS is opened at run time: put the toolkit's copy on the loader path when it is not there.
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do
  if ls "$d"/libcublas.so* >/dev/null 2>&1; then export LD_LIBRARY_PATH="$d:${LD_LIBRARY_PATH:-}"; fi
done
# step NAME LIMIT_SECONDS COMMAND...: runs it under a timeout into $out/NAME.log, shows its tail.
step() {
  local name=$1 limit=$2; shift 2
  echo "=== $name"
  local t0=$SECONDS
  timeout "$limit" "$@" > "$out/$name.log" 2>&1
  local rc=$?
  tail -n 12 "$out/$name.log"
  echo "=== $name rc=$rc ($((SECONDS - t0)) s)"
}
