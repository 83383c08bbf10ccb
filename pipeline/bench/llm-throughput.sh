#!/usr/bin/env bash
# LLM call throughput of the teacher and of the whole job against a fake OpenAI server on 127.0.0.1
# that answers every call after a fixed delay (default 100 ms), at 16 and 64 calls in flight, plus the
# wall time of a rerun on a fully recorded cache. Ideal calls/s = in-flight / delay.
#   pipeline/bench/llm-throughput.sh [RUNS] [delayMs=100] [inFlight=16,64] [samples=640] [teacherSeconds=4]
# Main class: org.aspd.pipeline.llmjob.LlmThroughputBench (pipeline test sources). Each run is a
# fresh JVM; prints every run, then the median of every RESULT over the runs. Nothing is asserted.
# SKIP_BUILD=1 skips compiling the pipeline test classes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUNS="${1:-3}"; shift || true
cd "$ROOT"
CP_FILE="$ROOT/pipeline/target/llm-bench-classpath.txt"
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  mvn -B -ntp -o -q -pl pipeline test-compile
fi
if [[ ! -s "$CP_FILE" || "$ROOT/pipeline/pom.xml" -nt "$CP_FILE" ]]; then
  mvn -B -ntp -o -q -pl pipeline dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$CP_FILE" >/dev/null
fi
CP="$ROOT/pipeline/target/test-classes:$ROOT/pipeline/target/classes:$(cat "$CP_FILE")"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$RUNS"); do
  echo "== run $i"
  java -Xmx3g -Daspd.home="$ROOT" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" \
    org.aspd.pipeline.llmjob.LlmThroughputBench "$@" 2> "$WORK/err-$i" | tee "$WORK/out-$i"
  grep -v ' WARN \| INFO ' "$WORK/err-$i" | tail -5 >&2 || true
done
echo "== median of $RUNS runs"
cat "$WORK"/out-* | awk '$1 == "RESULT" {print $2, $3}' | sort -k1,1 -k2,2n | awk '
  { v[$1] = v[$1] " " $2; n[$1]++ }
  END { for (k in v) { split(substr(v[k], 2), a, " "); m = n[k];
          med = (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2;
          printf "%-32s %10s   (runs:%s)\n", k, med, v[k] } }' | sort
