#!/usr/bin/env bash
# A real Flink 1.19.0 standalone session cluster on 127.0.0.1, built from Maven jars alone:
# one JobManager JVM and one TaskManager JVM (2 slots), each in the background with its log in DIR.
#
#   flink-cluster.sh start  [--dir DIR] [--port REST_PORT]   start, wait for free slots, print --flinkMaster=...
#   flink-cluster.sh status [--dir DIR]                      processes and the REST overview; exit 3 when down
#   flink-cluster.sh stop   [--dir DIR]                      stop every JVM this script started in DIR, by PID
#   flink-cluster.sh add-taskmanager [--dir DIR]             one more TaskManager (e.g. to replace a killed one)
#   flink-cluster.sh flink  [--dir DIR] ARGS...              Flink's own CLI on this cluster: `flink run ...`
#
# DIR defaults to $ASPD_FLINK_DIR or pipeline/cluster/target/cluster; the jars are resolved once with
# Maven from pom.xml next to this script into $ASPD_FLINK_LIB (default pipeline/cluster/target/lib).
# Memory is small and explicit (JobManager ~1.1 GB, TaskManager 2 GB) so the cluster fits a 2-core
# machine next to the client JVM; see README.md for the settings and how to submit aspd.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
LIB="${ASPD_FLINK_LIB:-$HERE/target/lib}"
DIR="${ASPD_FLINK_DIR:-$HERE/target/cluster}"
REST_PORT=""
START_TIMEOUT_S="${ASPD_FLINK_START_TIMEOUT_S:-120}"

# Memory of each JVM, in MiB. The TaskManager's components are all explicit: without Flink's shell
# scripts (which derive them from taskmanager.memory.process.size) the TaskManager refuses to start.
TM_FRAMEWORK_HEAP=128 TM_TASK_HEAP=768 TM_FRAMEWORK_OFF_HEAP=128 TM_TASK_OFF_HEAP=64
TM_NETWORK=128 TM_MANAGED=256 TM_METASPACE=384 TM_OVERHEAD=192
JM_HEAP=512 JM_OFF_HEAP=128 JM_METASPACE=256 JM_OVERHEAD=192
SLOTS=2

# What Flink's own config.yaml passes to every JVM on Java 17 (env.java.opts.all of flink-dist 1.19).
JAVA17_OPENS=(
  --add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)

die() { echo "flink-cluster: $*" >&2; exit 1; }

usage() {
  sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# Resolves the cluster's jars once; a changed pom.xml resolves them again.
resolve_lib() {
  local stamp
  stamp="$(cksum < "$HERE/pom.xml")"
  if [[ -f "$LIB/.resolved" && "$(cat "$LIB/.resolved")" == "$stamp" ]]; then
    return
  fi
  echo "flink-cluster: resolving Flink 1.19.0 jars into $LIB" >&2
  rm -rf "$LIB"
  mvn -B -ntp -q -f "$HERE/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$LIB" >&2 || die "could not resolve the Flink jars with Maven"
  echo "$stamp" > "$LIB/.resolved"
}

# A port nothing on 127.0.0.1 listens on (a connect that fails), not one of the ports in $1; below
# Linux's ephemeral range, where the JVMs' own port-0 sockets land.
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 12000))
    [[ " $1 " == *" $port "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  die "no free port found on 127.0.0.1"
}

write_config() {
  local rest=$1 rpc=$2
  mkdir -p "$DIR/conf" "$DIR/log" "$DIR/tmp" "$DIR/plugins"
  cat > "$DIR/conf/config.yaml" <<EOF
# Written by flink-cluster.sh. Flink 1.19 reads config.yaml; flat keys are valid YAML here.
jobmanager.rpc.address: 127.0.0.1
jobmanager.rpc.port: $rpc
jobmanager.bind-host: 127.0.0.1
taskmanager.host: 127.0.0.1
taskmanager.bind-host: 127.0.0.1
rest.address: 127.0.0.1
rest.port: $rest
rest.bind-address: 127.0.0.1
rest.bind-port: $rest
io.tmp.dirs: $DIR/tmp
web.tmpdir: $DIR/tmp/web
blob.storage.directory: $DIR/tmp/blob

jobmanager.memory.process.size: $((JM_HEAP + JM_OFF_HEAP + JM_METASPACE + JM_OVERHEAD))m
jobmanager.memory.heap.size: ${JM_HEAP}m
jobmanager.memory.off-heap.size: ${JM_OFF_HEAP}m
jobmanager.memory.jvm-metaspace.size: ${JM_METASPACE}m

taskmanager.numberOfTaskSlots: $SLOTS
taskmanager.cpu.cores: $SLOTS
parallelism.default: $SLOTS
taskmanager.memory.framework.heap.size: ${TM_FRAMEWORK_HEAP}m
taskmanager.memory.task.heap.size: ${TM_TASK_HEAP}m
taskmanager.memory.framework.off-heap.size: ${TM_FRAMEWORK_OFF_HEAP}m
taskmanager.memory.task.off-heap.size: ${TM_TASK_OFF_HEAP}m
taskmanager.memory.network.min: ${TM_NETWORK}m
taskmanager.memory.network.max: ${TM_NETWORK}m
taskmanager.memory.managed.size: ${TM_MANAGED}m
taskmanager.memory.jvm-metaspace.size: ${TM_METASPACE}m
taskmanager.memory.jvm-overhead.min: ${TM_OVERHEAD}m
taskmanager.memory.jvm-overhead.max: ${TM_OVERHEAD}m

# A failed job restarts (a batch job has no checkpoints: the failed region runs again from its
# inputs) up to 4 times, 2 s apart. Losing a TaskManager costs one or two of them (README.md).
restart-strategy.type: fixed-delay
restart-strategy.fixed-delay.attempts: 4
restart-strategy.fixed-delay.delay: 2 s
# A killed TaskManager is noticed within seconds: its heartbeat RPC fails twice, 2 s apart.
heartbeat.interval: 2000
heartbeat.timeout: 20000
heartbeat.rpc-failure-threshold: 2
# A restart waits this long for slots (a replacement TaskManager) before the attempt fails.
slot.request.timeout: 60000
EOF
}

tm_heap_opts() {
  echo "-Xms$((TM_FRAMEWORK_HEAP + TM_TASK_HEAP))m -Xmx$((TM_FRAMEWORK_HEAP + TM_TASK_HEAP))m" \
    "-XX:MaxDirectMemorySize=$((TM_FRAMEWORK_OFF_HEAP + TM_TASK_OFF_HEAP + TM_NETWORK))m" \
    "-XX:MaxMetaspaceSize=${TM_METASPACE}m"
}

# Starts one JVM in the background: start_jvm NAME HEAP_OPTS MAIN_CLASS ARGS...
start_jvm() {
  local name=$1 heap=$2 main=$3
  shift 3
  # shellcheck disable=SC2086 # heap options are several words
  FLINK_PLUGINS_DIR="$DIR/plugins" nohup "$JAVA" $heap "${JAVA17_OPENS[@]}" -Dlog.file="$DIR/log/$name.log" \
    -Dorg.slf4j.simpleLogger.showDateTime=true -Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS \
    -cp "$LIB/*" "$main" --configDir "$DIR/conf" "$@" \
    < /dev/null > "$DIR/log/$name.log" 2>&1 &
  echo $! > "$DIR/$name.pid"
}

# The PID in DIR/NAME.pid when that process is alive and is ours (its command line names DIR/conf).
live_pid() {
  local file="$DIR/$1.pid" pid
  [[ -f "$file" ]] || return 1
  pid="$(cat "$file")"
  [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "--configDir $DIR/conf " \
    && echo "$pid"
}

rest_port() {
  [[ -f "$DIR/rest.port" ]] || die "no cluster in $DIR (no rest.port); run: $0 start --dir $DIR"
  cat "$DIR/rest.port"
}

# Waits until the REST API lists TaskManager TM_ID with free slots; fails early if a JVM died.
await_taskmanager() {
  local port=$1 tm=$2 deadline=$((SECONDS + START_TIMEOUT_S)) body
  while ((SECONDS < deadline)); do
    for name in jobmanager "$tm"; do
      if ! live_pid "$name" > /dev/null; then
        tail -n 40 "$DIR/log/$name.log" >&2 || true
        die "$name exited during start-up; log: $DIR/log/$name.log"
      fi
    done
    body="$(curl -sf --max-time 2 "http://127.0.0.1:$port/taskmanagers" || true)"
    if [[ "$body" == *"\"id\":\"$tm\""* ]] \
        && grep -q "\"id\":\"$tm\"[^}]*\"freeSlots\":[1-9]" <<< "$body"; then
      return 0
    fi
    sleep 0.5
  done
  die "$tm did not register with free slots within ${START_TIMEOUT_S} s; logs in $DIR/log"
}

next_taskmanager() {
  local n=1
  while [[ -f "$DIR/taskmanager-$n.pid" ]]; do n=$((n + 1)); done
  echo "taskmanager-$n"
}

start_taskmanager() {
  local port=$1 tm
  tm="$(next_taskmanager)"
  start_jvm "$tm" "$(tm_heap_opts)" org.apache.flink.runtime.taskexecutor.TaskManagerRunner \
    -D "taskmanager.resource-id=$tm"
  await_taskmanager "$port" "$tm"
  echo "$tm"
}

cmd_start() {
  if live_pid jobmanager > /dev/null; then
    die "a cluster is already running in $DIR (stop it first: $0 stop --dir $DIR)"
  fi
  local rest rpc tm
  resolve_lib
  rm -f "$DIR"/*.pid "$DIR/rest.port"
  rest="${REST_PORT:-$(free_port "")}"
  rpc="$(free_port "$rest")"
  write_config "$rest" "$rpc"
  echo "$rest" > "$DIR/rest.port"
  local t0; t0="$(date +%s%3N)"
  start_jvm jobmanager \
    "-Xms${JM_HEAP}m -Xmx${JM_HEAP}m -XX:MaxDirectMemorySize=${JM_OFF_HEAP}m -XX:MaxMetaspaceSize=${JM_METASPACE}m" \
    org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint
  if ! tm="$(start_taskmanager "$rest")"; then
    cmd_stop > /dev/null
    exit 1
  fi
  local ms=$(($(date +%s%3N) - t0))
  printf 'flink-cluster: up in %d.%d s (JobManager pid %s, %s pid %s, %d slots; logs in %s/log)\n' \
    $((ms / 1000)) $((ms % 1000 / 100)) "$(live_pid jobmanager)" "$tm" "$(live_pid "$tm")" "$SLOTS" "$DIR"
  echo "--flinkMaster=127.0.0.1:$rest"
}

cmd_add_taskmanager() {
  live_pid jobmanager > /dev/null || die "no JobManager running in $DIR"
  local tm
  tm="$(start_taskmanager "$(rest_port)")"
  echo "flink-cluster: $tm up, pid $(live_pid "$tm")"
}

cmd_stop() {
  local pid stopped=0
  for file in "$DIR"/taskmanager-*.pid "$DIR/jobmanager.pid"; do
    [[ -f "$file" ]] || continue
    local name; name="$(basename "$file" .pid)"
    if pid="$(live_pid "$name")"; then
      kill -TERM "$pid" 2> /dev/null || true
      for _ in $(seq 1 50); do
        kill -0 "$pid" 2> /dev/null || break
        sleep 0.2
      done
      kill -0 "$pid" 2> /dev/null && kill -KILL "$pid" 2> /dev/null || true
      echo "flink-cluster: stopped $name (pid $pid)"
      stopped=$((stopped + 1))
    fi
    rm -f "$file"
  done
  rm -rf "$DIR/tmp" # uploaded job jars (blobs) and spill files; the logs stay
  ((stopped > 0)) || echo "flink-cluster: nothing running in $DIR"
}

cmd_status() {
  local up=0 pid
  for file in "$DIR/jobmanager.pid" "$DIR"/taskmanager-*.pid; do
    [[ -f "$file" ]] || continue
    local name; name="$(basename "$file" .pid)"
    if pid="$(live_pid "$name")"; then
      echo "$name: running, pid $pid"
      [[ $name == jobmanager ]] && up=1
    else
      echo "$name: not running (pid file $file)"
    fi
  done
  if ((up == 0)); then
    echo "flink-cluster: no cluster running in $DIR"
    exit 3
  fi
  local port; port="$(rest_port)"
  echo "overview: $(curl -sf --max-time 5 "http://127.0.0.1:$port/overview" || echo unreachable)"
  echo "--flinkMaster=127.0.0.1:$port"
}

# Flink's CLI (`flink run|list|cancel ...`) against this cluster, with the cluster's jars and config.
cmd_flink() {
  [[ -f "$DIR/conf/config.yaml" ]] || die "no cluster configured in $DIR"
  resolve_lib
  FLINK_CONF_DIR="$DIR/conf" FLINK_PLUGINS_DIR="$DIR/plugins" exec "$JAVA" ${ASPD_FLINK_CLIENT_OPTS:--Xmx1g} "${JAVA17_OPENS[@]}" \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -Dorg.slf4j.simpleLogger.log.org.apache.flink.client.cli.CliFrontend=error \
    -cp "$LIB/*" org.apache.flink.client.cli.CliFrontend "$@"
}

main() {
  local cmd=${1:-}
  [[ -n "$cmd" ]] || { usage; exit 2; }
  shift
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --dir) DIR="$2"; shift 2 ;;
      --port) REST_PORT="$2"; shift 2 ;;
      *) [[ $cmd == flink ]] && break; die "unknown argument: $1" ;;
    esac
  done
  mkdir -p "$DIR"
  DIR="$(cd "$DIR" && pwd)"
  case "$cmd" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    add-taskmanager) cmd_add_taskmanager ;;
    flink) cmd_flink "$@" ;;
    -h | --help | help) usage ;;
    *) usage; exit 2 ;;
  esac
}

main "$@"
