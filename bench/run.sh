#!/usr/bin/env bash
# Runs every load scenario against Stratus and against Mosquitto, one broker at a time, and prints a
# Markdown table of the figures, the CPU each side used and whether anything was lost.
# See bench/README.md for what is measured and why the JVM flags are what they are.
#
#   bash bench/run.sh [--quick] [--only REGEX] [--out FILE] [--nice N] [--broker-jar JAR]
#                     [--jfr DIR] [--keep] [--no-mosquitto] [--no-stratus] [--auth password|jwt]
#
# Everything it starts is stopped when it exits, however it exits. Traffic stays on 127.0.0.1.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_JAR="$ROOT/bench/target/stratus-bench.jar"
BROKER_JAR="$ROOT/broker-runtime/target/stratus-broker.jar"
MOSQUITTO=${MOSQUITTO:-$(command -v mosquitto || echo /usr/sbin/mosquitto)}

QUICK=0
ONLY=""
OUT=""
NICE=""
JFR_DIR=""
KEEP=0
RUN_STRATUS=1
RUN_MOSQUITTO=1
AUTH_METHOD=password
PORT_BASE=${PORT_BASE:-18830}

usage() { sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --only) ONLY="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    --nice) NICE="$2"; shift ;;
    --broker-jar) BROKER_JAR="$2"; shift ;;
    --jfr) JFR_DIR="$2"; shift ;;
    --keep) KEEP=1 ;;
    --no-mosquitto) RUN_MOSQUITTO=0 ;;
    --no-stratus) RUN_STRATUS=0 ;;
    --auth) AUTH_METHOD="$2"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

say() { printf 'run.sh: %s\n' "$*" >&2; }
die() { printf 'run.sh: ERROR: %s\n' "$*" >&2; exit 1; }
case "$AUTH_METHOD" in password|jwt) ;; *) die "--auth is password or jwt" ;; esac

# ---- JVM flags (the reasons are in bench/README.md) ------------------------------------------
# Load scenarios: a fixed, pre-touched 2 GiB heap, so that neither heap growth nor first-touch page
# faults land in a measurement window; G1 (the JVM's default collector) with its default pause goal.
STRATUS_JVM_LOAD=${STRATUS_JVM_LOAD:-"-Xms2g -Xmx2g -XX:+AlwaysPreTouch -XX:+UseG1GC -XX:+PerfDisableSharedMem"}
# Memory scenario: the broker's recommended flags for deployments that hold many idle connections
# on few cores: a small heap that grows with what is live (a small initial heap, no pre-touching, a
# small fixed young generation, a heap kept within 10-20 % of its live data), the serial collector,
# and native memory the JVM no longer uses (the JIT compiler's scratch memory) given back to the
# system every second. See bench/README.md for each flag's share.
STRATUS_JVM_MEMORY=${STRATUS_JVM_MEMORY:-"-Xms16m -Xmn8m -Xmx2g -XX:-AlwaysPreTouch -XX:+UseSerialGC -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:TrimNativeHeapInterval=1000 -XX:+PerfDisableSharedMem"}
# The generator: enough heap that it never collects in a window; the throughput collector.
GENERATOR_JVM=${GENERATOR_JVM:-"-Xms1g -Xmx1g -XX:+UseParallelGC -XX:+AlwaysPreTouch -XX:+PerfDisableSharedMem"}
# Broker limits for the comparison: queues deep enough that neither broker drops QoS 1/2 messages
# because of its queue limit (Mosquitto gets the same below), connections beyond the test's count.
# Connection logging is off in both brokers (Stratus logs every connect and disconnect at INFO,
# Mosquitto below logs errors and warnings only).
STRATUS_LOGGING=(-Dlogback.configurationFile=__WORK__/logback.xml)
STRATUS_SETTINGS=(--set sys.interval=0 --set limits.max-queued-messages=1000000
  --set limits.max-queued-bytes=4294967296 --set limits.max-connections=200000)

# ---- what runs -------------------------------------------------------------------------------
if [ "$QUICK" = 1 ]; then
  COMMON=(--seconds 2 --warmup 1 --drain 5)
  CONNECTIONS=1000
else
  COMMON=(--seconds 10 --warmup 6 --drain 15)
  CONNECTIONS=10000
fi

# id | generator arguments | figures shown in the table: key:label[:low], separated by ';'
# (low: lower is better). Cases whose id ends in -auth run Stratus only, with a tenants file: every
# client authenticates (--auth: a password, or a JWT) and every SUBSCRIBE and PUBLISH goes through
# the tenant's policy; the table shows them next to the same case without.
CASES=(
  "fanin-q0-16|--scenario fanin --qos 0 --payload 16|msgs_per_s:msg/s received"
  "fanin-q0-4k|--scenario fanin --qos 0 --payload 4096|msgs_per_s:msg/s received"
  "fanin-q1-16|--scenario fanin --qos 1 --payload 16|msgs_per_s:msg/s received"
  "fanin-q1-16-auth|--scenario fanin --qos 1 --payload 16|msgs_per_s:msg/s received"
  "fanin-q1-4k|--scenario fanin --qos 1 --payload 4096|msgs_per_s:msg/s received"
  "fanin-q2-16|--scenario fanin --qos 2 --payload 16|msgs_per_s:msg/s received"
  "fanin-q2-4k|--scenario fanin --qos 2 --payload 4096|msgs_per_s:msg/s received"
  "fanout-q0-16|--scenario fanout --qos 0 --payload 16|deliveries_per_s:deliveries/s"
  "fanout-q1-16|--scenario fanout --qos 1 --payload 16|deliveries_per_s:deliveries/s"
  "latency-q0|--scenario latency --qos 0 --rate 5000|p50_us:p50 us:low;p99_us:p99 us:low;p999_us:p99.9 us:low;max_us:max us:low"
  "latency-q1|--scenario latency --qos 1 --rate 5000|p50_us:p50 us:low;p99_us:p99 us:low;p999_us:p99.9 us:low;max_us:max us:low"
  "connections|--scenario connections --connections $CONNECTIONS --concurrency 200|connects_per_s:connects/s;kib_per_conn:KiB per connection:low"
  "connections-auth|--scenario connections --connections $CONNECTIONS --concurrency 200|connects_per_s:connects/s;kib_per_conn:KiB per connection:low"
  "fanin-q0-16-open|--scenario fanin --qos 0 --payload 16 --e2e-window 0|msgs_per_s:msg/s received (open loop)"
)

# ---- processes we start, and how they all stop ------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/stratus-bench.XXXXXX")
PIDS=()
STRATUS_LOGGING=("${STRATUS_LOGGING[@]/__WORK__/$WORK}")
cat >"$WORK/logback.xml" <<'EOF'
<configuration>
  <!-- written by bench/run.sh: warnings and errors only, like the Mosquitto configuration -->
  <appender name="CONSOLE" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{24} %msg%n</pattern></encoder>
  </appender>
  <root level="WARN"><appender-ref ref="CONSOLE"/></root>
</configuration>
EOF

cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ "$KEEP" = 1 ]; then
    say "kept the work directory $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

forget() { # removes a pid from PIDS once it has been stopped
  local keep=() p
  for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  PIDS=("${keep[@]+"${keep[@]}"}")
}

stop_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  forget "$pid"
}

# ---- preparation ------------------------------------------------------------------------------
command -v java >/dev/null || die "java not found"
if [ "$RUN_MOSQUITTO" = 1 ] && [ ! -x "$MOSQUITTO" ]; then
  die "mosquitto not found (Debian package mosquitto), or run with --no-mosquitto"
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
say "open files limit: $(ulimit -n)"
if [ "$(ulimit -n)" -lt $((CONNECTIONS + 1000)) ]; then
  say "warning: the open files limit is below what $CONNECTIONS connections need"
fi

if [ ! -f "$BENCH_JAR" ] || { [ "$RUN_STRATUS" = 1 ] && [ ! -f "$BROKER_JAR" ]; }; then
  say "building the jars (mvn -B -q -o -DskipTests package)"
  (cd "$ROOT" && mvn -B -q -o -DskipTests package -pl bench -am) \
    || (cd "$ROOT" && mvn -B -q -DskipTests package -pl bench -am) \
    || die "build failed"
fi
[ -f "$BENCH_JAR" ] || die "no $BENCH_JAR"

CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
RUN_NICE=()
if [ -n "$NICE" ]; then
  RUN_NICE=(nice -n "$NICE")
fi

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {
  local p=$1
  while ! port_free "$p"; do p=$((p + 1)); done
  echo "$p"
}
wait_port() { # pid port: waits until the port accepts connections or the process dies
  for _ in $(seq 300); do
    kill -0 "$1" 2>/dev/null || return 1
    port_free "$2" || return 0
    sleep 0.1
  done
  return 1
}

cpu_of() { # pid -> utime+stime in seconds
  awk -v t="$CLK_TCK" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / t }' "/proc/$1/stat" 2>/dev/null || echo NaN
}

BROKER_PID=""
BROKER_PORT=""

start_stratus() { # case-id memory|load
  local id=$1 mode=$2 flags
  if [ "$mode" = memory ]; then flags=$STRATUS_JVM_MEMORY; else flags=$STRATUS_JVM_LOAD; fi
  local jfr=()
  if [ -n "$JFR_DIR" ]; then
    mkdir -p "$JFR_DIR"
    jfr=("-XX:StartFlightRecording=filename=$JFR_DIR/stratus-$id.jfr,settings=profile")
  fi
  BROKER_PORT=$(pick_port "$PORT_BASE")
  # shellcheck disable=SC2086
  "${RUN_NICE[@]}" java $flags "${STRATUS_LOGGING[@]}" "${jfr[@]}" -jar "$BROKER_JAR" --host 127.0.0.1 --port "$BROKER_PORT" \
    "${STRATUS_SETTINGS[@]}" "${AUTH_SETTINGS[@]+"${AUTH_SETTINGS[@]}"}" >"$WORK/stratus-$id.log" 2>&1 &
  BROKER_PID=$!
  PIDS+=("$BROKER_PID")
  wait_port "$BROKER_PID" "$BROKER_PORT" || { tail -20 "$WORK/stratus-$id.log" >&2; die "Stratus did not start"; }
}

start_mosquitto() { # case-id
  local id=$1
  BROKER_PORT=$(pick_port $((PORT_BASE + 1)))
  cat >"$WORK/mosquitto.conf" <<EOF
# written by bench/run.sh: the settings that match Stratus's in this comparison
listener $BROKER_PORT 127.0.0.1
allow_anonymous true
persistence false
# deep queues, so that no QoS 1/2 message is dropped for a full queue (Stratus: max-queued-messages)
max_queued_messages 1000000
max_queued_bytes 0
# as many unacknowledged outgoing QoS 1/2 messages per client as Stratus's max-inflight-outbound
max_inflight_messages 100
max_connections -1
set_tcp_nodelay true
log_dest stderr
log_type error
log_type warning
EOF
  "${RUN_NICE[@]}" "$MOSQUITTO" -c "$WORK/mosquitto.conf" >"$WORK/mosquitto-$id.log" 2>&1 &
  BROKER_PID=$!
  PIDS+=("$BROKER_PID")
  wait_port "$BROKER_PID" "$BROKER_PORT" || { tail -20 "$WORK/mosquitto-$id.log" >&2; die "Mosquitto did not start"; }
}

RESULTS="$WORK/results.tsv"
: >"$RESULTS"

AUTH_SETTINGS=()
AUTH_ARGS=()

prepare_auth() { # id: a fresh tenants file and credentials for a -auth case, else none
  AUTH_SETTINGS=()
  AUTH_ARGS=()
  case "$1" in *-auth) ;; *) return 0 ;; esac
  local dir="$WORK/auth-$1" user
  user=$(java -jar "$BENCH_JAR" auth-setup --dir "$dir" --method "$AUTH_METHOD") || die "auth-setup failed"
  AUTH_SETTINGS=(--set "tenants.file=$dir/tenants.json")
  AUTH_ARGS=(--username "$user" --password-file "$dir/password")
}

run_case() { # id broker args
  local id=$1 broker=$2 args=$3 mode=load
  case "$args" in *connections*) mode=memory ;; esac
  prepare_auth "$id"
  if [ "$broker" = stratus ]; then start_stratus "$id" "$mode"; else start_mosquitto "$id"; fi
  local load cpu0 cpu1 line status=0 hook=()
  if [ "$broker" = stratus ] && [ "$mode" = memory ] && [ -n "${STRATUS_RSS_HOOK:-}" ]; then
    # e.g. "jcmd %p GC.run": with the recommended flags the young generation is small and fixed, so
    # uncollected garbage is resident before and after alike and no hook is needed
    hook=(--rss-hook "$STRATUS_RSS_HOOK")
  fi
  load=$(cut -d' ' -f1 /proc/loadavg)
  cpu0=$(cpu_of "$BROKER_PID")
  # shellcheck disable=SC2086
  "${RUN_NICE[@]}" java $GENERATOR_JVM -jar "$BENCH_JAR" --host 127.0.0.1 --port "$BROKER_PORT" \
    --label "$broker" --broker-pid "$BROKER_PID" --clk-tck "$CLK_TCK" "${COMMON[@]}" "${hook[@]+"${hook[@]}"}" "${AUTH_ARGS[@]+"${AUTH_ARGS[@]}"}" $args \
    >"$WORK/generator-$id-$broker.out" 2>"$WORK/generator-$id-$broker.err" &
  local gen=$!
  PIDS+=("$gen")
  wait "$gen" || status=$?
  forget "$gen"
  line=$(tail -1 "$WORK/generator-$id-$broker.out")
  cpu1=$(cpu_of "$BROKER_PID")
  if ! kill -0 "$BROKER_PID" 2>/dev/null; then
    line="$line broker_died=true"
    say "$broker died during $id; its log: $WORK/$broker-$id.log"
  fi
  stop_pid "$BROKER_PID"
  [ -n "$line" ] || line="scenario=$id broker=$broker ok=false error=no_output | the generator printed nothing (exit $status)"
  local run_cpu
  run_cpu=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { if (a == "NaN" || b == "NaN") print "NaN"; else printf "%.2f", b - a }')
  printf '%s\t%s\t%s load1=%s broker_cpu_run_s=%s\n' "$id" "$broker" "${line%% | *}" "$load" "$run_cpu" >>"$RESULTS"
  say "$id $broker: ${line#* | }"
}

say "work directory $WORK; broker jar $BROKER_JAR"
say "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
n=0
for c in "${CASES[@]}"; do
  IFS='|' read -r id args _ <<<"$c"
  if [ -n "$ONLY" ] && ! [[ $id =~ $ONLY ]]; then continue; fi
  # alternate which broker goes first, so that neither always gets the fresher machine
  if [ $((n % 2)) = 0 ]; then order=(stratus mosquitto); else order=(mosquitto stratus); fi
  n=$((n + 1))
  for b in "${order[@]}"; do
    if [ "$b" = stratus ] && [ "$RUN_STRATUS" = 0 ]; then continue; fi
    if [ "$b" = mosquitto ] && [ "$RUN_MOSQUITTO" = 0 ]; then continue; fi
    # the -auth cases compare Stratus with itself without authentication
    if [ "$b" = mosquitto ] && [[ $id == *-auth ]]; then continue; fi
    run_case "$id" "$b" "$args"
  done
done

# ---- the table --------------------------------------------------------------------------------
SPEC="$WORK/spec.txt"
for c in "${CASES[@]}"; do
  IFS='|' read -r id args figs <<<"$c"
  printf '%s\t%s\t%s\n' "$id" "$args" "$figs" >>"$SPEC"
done

table() {
  awk -F'\t' '
    function get(line, key,   n, i, parts, kv) {
      n = split(line, parts, " ")
      for (i = 1; i <= n; i++) {
        split(parts[i], kv, "=")
        if (kv[1] == key) return substr(parts[i], length(key) + 2)
      }
      return ""
    }
    function grouped(x,   s, neg) {
      s = sprintf("%.0f", x)
      neg = (substr(s, 1, 1) == "-")
      if (neg) s = substr(s, 2)
      return (neg ? "-" : "") commas(s)
    }
    function commas(s,   out) {
      out = ""
      while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
      return s out
    }
    function fmt(v,   x) {
      if (v == "" || v == "NaN") return "n/a"
      x = v + 0
      if (x >= 100) return grouped(x)
      if (x >= 10) return sprintf("%.1f", x)
      return sprintf("%.2f", x)
    }
    function loss(line,   lost, dup, d, str) {
      if (line == "") return "n/a"
      if (get(line, "error") != "") return "failed: " get(line, "error")
      lost = get(line, "lost")
      if (lost == "") {
        d = get(line, "failed")
        return (d == "0" ? "no connection failed" : d " connections failed")
      }
      dup = get(line, "duplicates")
      d = get(line, "disconnects")
      str = (lost == "0" ? "none" : lost " lost")
      if (dup != "" && dup != "0") str = str ", " dup " duplicated"
      if (d != "" && d != "0") str = str ", " d " disconnects"
      if (get(line, "broker_died") == "true") str = str ", BROKER DIED"
      return str
    }
    function cpu(line) {
      if (line == "") return "n/a"
      return fmt(get(line, "broker_cpu_s")) " / " fmt(get(line, "gen_cpu_s"))
    }
    FNR == NR { order[++cases] = $1; figs[$1] = $3; next }
    { res[$1 "\t" $2] = $3 }
    END {
      print "| scenario | figure | Stratus | Mosquitto | Stratus/Mosquitto | CPU s broker / generator, Stratus | CPU s broker / generator, Mosquitto | loss Stratus | loss Mosquitto |"
      print "|---|---|---:|---:|---:|---|---|---|---|"
      for (i = 1; i <= cases; i++) {
        id = order[i]
        sl = res[id "\tstratus"]; ml = res[id "\tmosquitto"]
        if (sl == "" && ml == "") continue
        k = split(figs[id], spec, ";")
        for (j = 1; j <= k; j++) {
          split(spec[j], p, ":")
          key = p[1]; label = p[2]; low = (p[3] == "low")
          sv = get(sl, key); mv = get(ml, key)
          ratio = "n/a"
          if (sv != "" && mv != "" && sv != "NaN" && mv != "NaN" && mv + 0 != 0) ratio = sprintf("%.2fx", sv / mv)
          if (low && ratio != "n/a") ratio = ratio " (lower is better)"
          first = (j == 1)
          printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", first ? id : "", label, fmt(sv), fmt(mv), ratio,
            first ? cpu(sl) : "", first ? cpu(ml) : "", first ? loss(sl) : "", first ? loss(ml) : ""
        }
      }
    }
  ' "$SPEC" "$RESULTS"
}

targets() {
  awk -F'\t' '
    function get(line, key,   n, i, parts, kv) {
      n = split(line, parts, " ")
      for (i = 1; i <= n; i++) { split(parts[i], kv, "="); if (kv[1] == key) return substr(parts[i], length(key) + 2) }
      return ""
    }
    function ratio(id, key,   sv, mv) {
      sv = get(res[id "\tstratus"], key); mv = get(res[id "\tmosquitto"], key)
      if (sv == "" || mv == "" || sv == "NaN" || mv == "NaN" || mv + 0 == 0) return ""
      return sv / mv
    }
    function verdict(r, op, goal, extra,   ok) {
      if (r == "") return "not measured"
      ok = (op == ">=") ? (r >= goal) : (r <= goal)
      ok = ok && extra
      return sprintf("%s (%.2fx)", ok ? "met" : "NOT met", r)
    }
    { res[$1 "\t" $2] = $3 }
    END {
      print "| target | result |"
      print "|---|---|"
      s16 = res["fanin-q0-16\tstratus"]
      lost16 = get(s16, "lost")
      printf "| QoS 0 fan-in, 16 B: >= 1.5x Mosquitto with no loss | %s%s |\n", verdict(ratio("fanin-q0-16", "msgs_per_s"), ">=", 1.5, lost16 == "0"), (s16 != "" && lost16 != "0") ? "; Stratus lost " lost16 : ""
      printf "| QoS 1 fan-in, 16 B: >= 1.2x | %s |\n", verdict(ratio("fanin-q1-16", "msgs_per_s"), ">=", 1.2, 1)
      printf "| QoS 1 fan-in, 4 KiB: >= 1.2x | %s |\n", verdict(ratio("fanin-q1-4k", "msgs_per_s"), ">=", 1.2, 1)
      printf "| fan-out, QoS 0: >= 1.8x | %s |\n", verdict(ratio("fanout-q0-16", "deliveries_per_s"), ">=", 1.8, 1)
      printf "| fan-out, QoS 1: >= 1.8x | %s |\n", verdict(ratio("fanout-q1-16", "deliveries_per_s"), ">=", 1.8, 1)
      printf "| p99 latency at 5,000 msg/s, QoS 0: <= 1.5x | %s |\n", verdict(ratio("latency-q0", "p99_us"), "<=", 1.5, 1)
      printf "| p99 latency at 5,000 msg/s, QoS 1: <= 1.5x | %s |\n", verdict(ratio("latency-q1", "p99_us"), "<=", 1.5, 1)
      printf "| idle memory per connection: <= 4x | %s |\n", verdict(ratio("connections", "kib_per_conn"), "<=", 4, 1)
      bad = 0; runs = 0; which = ""
      for (k in res) {
        split(k, key, "\t")
        if (key[2] != "stratus") continue
        q = get(res[k], "qos")
        if (q != "1" && q != "2") continue
        runs++
        if (get(res[k], "lost") != "0" || (q == "2" && get(res[k], "duplicates") != "0")) { bad++; which = which " " key[1] }
      }
      printf "| no loss at QoS 1/2 anywhere (Stratus) | %s |\n", runs == 0 ? "not measured" : bad == 0 ? "met (" runs " runs)" : "NOT met:" which
    }
  ' "$RESULTS"
}

auth_cost() { # the -auth cases next to the same case without authentication (Stratus)
  awk -F'\t' '
    function get(line, key,   n, i, parts, kv) {
      n = split(line, parts, " ")
      for (i = 1; i <= n; i++) { split(parts[i], kv, "="); if (kv[1] == key) return substr(parts[i], length(key) + 2) }
      return ""
    }
    FNR == NR { order[++cases] = $1; figs[$1] = $3; next }
    $2 == "stratus" { res[$1] = $3 }
    END {
      shown = 0
      for (i = 1; i <= cases; i++) {
        id = order[i]
        if (id !~ /-auth$/ || res[id] == "") continue
        base = substr(id, 1, length(id) - 5)
        if (!shown) {
          print "| Stratus | figure | without authentication | with authentication and policy | with / without |"
          print "|---|---|---:|---:|---:|"
          shown = 1
        }
        k = split(figs[id], spec, ";")
        for (j = 1; j <= k; j++) {
          split(spec[j], p, ":")
          a = get(res[id], p[1]); b = get(res[base], p[1])
          r = (a != "" && b != "" && b + 0 != 0) ? sprintf("%.2fx", a / b) : "n/a"
          printf "| %s | %s | %s | %s | %s |\n", id, p[2], b == "" ? "not run" : b, a, r
        }
      }
      if (shown) print ""
    }
  ' "$SPEC" "$RESULTS"
}

{
  echo "Stratus vs Mosquitto $("$MOSQUITTO" -h 2>/dev/null | sed -n 's/^mosquitto version \(.*\)/\1/p' | head -1), started $STARTED"
  echo "($(nproc) cores; $([ "$QUICK" = 1 ] && echo 'quick: 2 s windows, 1,000 connections' || echo '10 s windows after 6 s warm-up, 10,000 connections'))"
  echo
  table
  echo
  auth_cost
  targets
  echo
  echo "Raw lines (key=value, one per run):"
  echo
  echo '```'
  sort -t$'\t' -k1,1 -s "$RESULTS" | cut -f2- | tr '\t' ' '
  echo '```'
} >"$WORK/results.md"

cat "$WORK/results.md"
if [ -n "$OUT" ]; then
  cp "$WORK/results.md" "$OUT"
  say "wrote $OUT"
fi
