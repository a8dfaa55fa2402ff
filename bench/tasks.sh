#!/usr/bin/env bash
# Durable task submissions: POST /tasks acknowledged (202) per second with 64 concurrent clients, with the
# journal's group commit (concurrent submissions share one fdatasync) against one fdatasync per record, and the
# time a restart takes to replay the journal those runs left.
#
#   bench/tasks.sh [runs=3] [seconds=10]
#
# Each run starts agentd on a fresh data directory on the disk the repository is on (not tmpfs: an fsync there
# costs nothing), AGENTD_JOURNAL_SYNC=group or each, alternating, and drives it with wrk -t2 -c64 posting
# {"message":"...","model":"mock:echo"} (tasks then run on the built-in mock: the workers' journal records
# share the disk with the submissions'). Every answer must be a 202: the script stops on anything else.
# After each group run, agentd is restarted on the same directory and the replay time it logs is reported
# (records replayed, ms). Medians of the runs; the goal is at least 5,000 acknowledged tasks/s with group commit.
#
# Binaries: BENCH_BIN_DIR=<dir with agentd> uses it as it is; otherwise `swift build -c release`.
set -euo pipefail
runs=${1:-3}
seconds=${2:-10}
here=$(cd "$(dirname "$0")/.." && pwd)
. "$(dirname "$0")/lib.sh"
need wrk wrk
need curl curl
work=$(mktemp -d "$here/.bench-tasks.XXXXXX")
pids=()
cleanup() {
  stop "${pids[@]}"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "$(date -u +%FT%TZ), load average $(cut -d" " -f1-3 /proc/loadavg), $(nproc) cores, data on $(df -T "$here" | awk 'NR==2 {print $2}')"
if [ -n "${BENCH_BIN_DIR:-}" ]; then
  bin=$BENCH_BIN_DIR
else
  (cd "$here" && swift build -c release --product agentd >/dev/null)
  bin=$(cd "$here" && swift build -c release --show-bin-path)
fi

port=$(( 18200 + RANDOM % 200 ))
cat >"$work/tasks.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"message":"summarise the quarterly report","model":"mock:echo"}'
wrk.headers["Content-Type"] = "application/json"
LUA

start_agentd() { # data-dir sync-mode log
  env AGENTD_PORT=$port AGENTD_DATA_DIR="$1" AGENTD_JOURNAL_SYNC="$2" AGENTD_TASK_QUEUE_MAX=10000000 \
    AGENTD_RATE_LIMIT_RPS=0 AGENTD_LOG_LEVEL=info "$bin/agentd" >"$3" 2>&1 &
  agentd_pid=$!
  pids+=("$agentd_pid")
  for _ in $(seq 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/ready")" = 200 ] && return 0
    sleep 0.05
  done
  echo "agentd did not become ready:"; tail -5 "$3"; exit 1
}
stop_agentd() { stop "$agentd_pid"; wait "$agentd_pid" 2>/dev/null || true; }

to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) {sub(/us$/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v+0} else {sub(/s$/,"",v); print v*1000} }'; }

group=(); each=(); group_p99=(); each_p99=(); replay_ms=(); replay_records=()
for i in $(seq "$runs"); do
  for mode in group each; do
    dir="$work/data-$mode-$i"
    start_agentd "$dir" "$mode" "$work/agentd-$mode-$i.log"
    out=$(wrk -t2 -c64 -d"${seconds}s" --latency -s "$work/tasks.lua" "http://127.0.0.1:$port/tasks")
    if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then echo "wrk against $mode: errors or non-2xx answers:"; echo "$out"; exit 1; fi
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p99=$(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")
    stop_agentd
    if [ "$mode" = group ]; then group+=("$rps"); group_p99+=("$p99"); else each+=("$rps"); each_p99+=("$p99"); fi
    echo "  run $i, $mode: $rps acknowledged/s (p99 $p99 ms), journal $(du -sh "$dir" | cut -f1)"
    if [ "$mode" = group ]; then
      start_agentd "$dir" group "$work/replay-$i.log"
      # The log line is written in a batch (within 50 ms): wait for it.
      line=
      for _ in $(seq 100); do
        line=$(grep -m1 '"task journal replayed"' "$work/replay-$i.log" || true)
        [ -n "$line" ] && break
        sleep 0.05
      done
      [ -n "$line" ] || { echo "no replay line in the log:"; tail -3 "$work/replay-$i.log"; exit 1; }
      records=$(sed 's/.*"records":\([0-9]*\).*/\1/' <<<"$line"); ms=$(sed 's/.*"ms":\([0-9.]*\).*/\1/' <<<"$line")
      replay_records+=("$records"); replay_ms+=("$ms")
      echo "  restart: replayed $records records in $ms ms"
      stop_agentd
    fi
    rm -rf "$dir"
  done
done
g=$(printf '%s\n' "${group[@]}" | median); e=$(printf '%s\n' "${each[@]}" | median)
echo
echo "POST /tasks, wrk -t2 -c64 -d${seconds}s, every answer a 202 (on disk before it was sent), median of $runs runs:"
echo "  group commit       $g acknowledged/s   p99 $(printf '%s\n' "${group_p99[@]}" | median) ms"
echo "  fsync per record   $e acknowledged/s   p99 $(printf '%s\n' "${each_p99[@]}" | median) ms"
echo "  group / each: $(awk -v g="$g" -v e="$e" 'BEGIN {printf "%.1f", g/e}')x   (goal: >= 5000/s with group commit: $(awk -v g="$g" 'BEGIN {print (g >= 5000) ? "ok" : "MISSED"}'))"
echo "replay at restart: median $(printf '%s\n' "${replay_ms[@]}" | median) ms for median $(printf '%s\n' "${replay_records[@]}" | median) records"
