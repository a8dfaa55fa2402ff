#!/usr/bin/env bash
# The shared task queue on Redis against the local journal, on loopback and the disk the repository is on.
#
#   bench/redis-tasks.sh [runs=3] [seconds=10]
#
#  1. Acknowledged submissions per second: POST /tasks {"message":...,"model":"mock:echo"} answered 202, by two wrk
#     (-t1 -c32 each) at once:
#       journal  one agentd, its local journal (group commit, AGENTD_JOURNAL_SYNC=group) on a fresh data directory;
#       redis    two replicas on one redis-server with AOF on and `appendfsync always` (a 202 is on disk), each wrk
#                on one replica (as a Service spreads clients);
#     alternating, `runs` times `seconds` each; medians, the sum of both wrk's rates, the higher of their p99s.
#     Tasks run meanwhile on the built-in mock (4 workers a process): the workers' writes share the disk.
#     Every answer must be a 202: the script stops on anything else. The goal: redis >= 5,000 acknowledged/s.
#  2. Redis commands per task, submit to done: INFO commandstats before and after 1,000 tasks (hey -n 1000 -c 8)
#     have all completed, by command; the replicas' idle work during the wait (blocking reads, lease checks) is in it.
#  3. Takeover latency: two replicas with AGENTD_TASK_LEASE_S=5, one slow task; kill -9 of the replica running it;
#     the time until another replica runs it again (attempts 2). Three times; each figure and the median.
# Binaries: BENCH_BIN_DIR=<dir with agentd>, else `swift build -c release` (BENCH_SCRATCH_PATH adds --scratch-path).
# mock-llm (built with agentd) is the slow upstream of part 3.
# Needs wrk, hey, curl, python3 and redis-server (installed when missing). Ports picked free from 18300-18399.
set -euo pipefail
runs=${1:-3}
seconds=${2:-10}
here=$(cd "$(dirname "$0")/.." && pwd)
. "$(dirname "$0")/lib.sh"
need wrk wrk
need hey hey
need curl curl
need ss iproute2
need redis-server redis-server
need python3 python3
# On the repository's disk, not tmpfs: an fsync there costs nothing.
work=$(mktemp -d "$here/.bench-redis-tasks.XXXXXX")
pids=()
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

echo "$(date -u +%FT%TZ), load average $(cut -d" " -f1-3 /proc/loadavg), $(nproc) cores, $(redis-server --version | cut -d' ' -f1-3), data on $(df -T "$here" | awk 'NR==2 {print $2}')"
bin=$(bench_binaries "$here" agentd)
mock_bin=$(bench_binaries "$here" mock-llm)
read -r redis_port p1 p2 mock_port < <(free_ports 4 18300 18399)

cat >"$work/tasks.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"message":"summarise the quarterly report","model":"mock:echo"}'
wrk.headers["Content-Type"] = "application/json"
LUA

start_redis() {
  rm -rf "$work/redis"; mkdir -p "$work/redis"
  redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work/redis" --save "" --appendonly yes --appendfsync always \
    --daemonize no --logfile "$work/redis/redis.log" &
  redis_pid=$!; pids+=("$redis_pid")
  for _ in $(seq 100); do redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG && return 0; sleep 0.05; done
  echo "redis-server did not start"; exit 1
}
stop_redis() { stop "$redis_pid"; wait "$redis_pid" 2>/dev/null || true; }

# start_agentd PORT LOG [VAR=VALUE...]: one agentd, waits until it is ready; its pid in `last_pid`.
start_agentd() {
  local port=$1 log=$2; shift 2
  env AGENTD_PORT="$port" AGENTD_TASK_QUEUE_MAX=10000000 AGENTD_RATE_LIMIT_RPS=0 AGENTD_LOG_LEVEL=warning "$@" "$bin/agentd" >"$log" 2>&1 &
  last_pid=$!; pids+=("$last_pid")
  for _ in $(seq 600); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/ready")" = 200 ] && return 0
    sleep 0.05
  done
  echo "agentd did not become ready:"; tail -5 "$log"; exit 1
}

# load PORT PORT: two wrk at once, one per port; prints "<sum of rates> <higher p99 in ms>".
load() {
  wrk -t1 -c32 -d"${seconds}s" --latency -s "$work/tasks.lua" "http://127.0.0.1:$1/tasks" >"$work/wrk1" &
  local w1=$!
  wrk -t1 -c32 -d"${seconds}s" --latency -s "$work/tasks.lua" "http://127.0.0.1:$2/tasks" >"$work/wrk2" &
  local w2=$!
  wait "$w1" "$w2"
  for f in "$work/wrk1" "$work/wrk2"; do
    if grep -qE 'Non-2xx|Socket errors' "$f"; then echo "wrk: errors or non-2xx answers:" >&2; cat "$f" >&2; exit 1; fi
  done
  local r1 r2 q1 q2
  r1=$(awk '/Requests\/sec/ {print $2}' "$work/wrk1"); r2=$(awk '/Requests\/sec/ {print $2}' "$work/wrk2")
  q1=$(to_us "$(awk '$1=="99%" {print $2}' "$work/wrk1")"); q2=$(to_us "$(awk '$1=="99%" {print $2}' "$work/wrk2")")
  awk -v a="$r1" -v b="$r2" -v c="$q1" -v d="$q2" 'BEGIN {printf "%.0f %.2f\n", a+b, (c>d?c:d)/1000}'
}

journal=(); journal_p99=(); shared=(); shared_p99=()
for i in $(seq "$runs"); do
  start_agentd "$p1" "$work/journal-$i.log" AGENTD_DATA_DIR="$work/data-$i"
  read -r rps p99 < <(load "$p1" "$p1")
  stop "$last_pid"; rm -rf "$work/data-$i"
  journal+=("$rps"); journal_p99+=("$p99")
  echo "  run $i, journal: $rps acknowledged/s (p99 $p99 ms)"

  start_redis
  start_agentd "$p1" "$work/r1-$i.log" AGENTD_REDIS_URL="redis://127.0.0.1:$redis_port" AGENTD_REPLICA_ID=r1 AGENTD_DATA_DIR="$work/unused"
  a=$last_pid
  start_agentd "$p2" "$work/r2-$i.log" AGENTD_REDIS_URL="redis://127.0.0.1:$redis_port" AGENTD_REPLICA_ID=r2 AGENTD_DATA_DIR="$work/unused"
  b=$last_pid
  read -r rps p99 < <(load "$p1" "$p2")
  aof=$(du -sh "$work/redis" | cut -f1)
  stop "$a" "$b"; stop_redis
  shared+=("$rps"); shared_p99+=("$p99")
  echo "  run $i, redis (2 replicas, AOF always): $rps acknowledged/s (p99 $p99 ms), AOF $aof"
done
j=$(med "${journal[@]}"); r=$(med "${shared[@]}")
echo
echo "POST /tasks, two wrk -t1 -c32 -d${seconds}s, every answer a 202, median of $runs runs:"
echo "  local journal, one agentd         $j acknowledged/s   p99 $(med "${journal_p99[@]}") ms"
echo "  Redis, two replicas, AOF always   $r acknowledged/s   p99 $(med "${shared_p99[@]}") ms"
echo "  redis / journal: $(awk -v r="$r" -v j="$j" 'BEGIN {printf "%.2f", r/j}')   (goal: redis >= 5000/s: $(awk -v r="$r" 'BEGIN {print (r >= 5000) ? "ok" : "MISSED"}'))"

# 2. Commands per task.
start_redis
url="redis://127.0.0.1:$redis_port"
start_agentd "$p1" "$work/c1.log" AGENTD_REDIS_URL="$url" AGENTD_REPLICA_ID=r1 AGENTD_DATA_DIR="$work/unused"; a=$last_pid
start_agentd "$p2" "$work/c2.log" AGENTD_REDIS_URL="$url" AGENTD_REPLICA_ID=r2 AGENTD_DATA_DIR="$work/unused"; b=$last_pid
stats() { redis-cli -p "$redis_port" info commandstats | tr -d '\r' | sed -n 's/^cmdstat_\([^:]*\):calls=\([0-9]*\).*/\1 \2/p' | sort; }
stats >"$work/before"
hey -n 1000 -c 8 -m POST -T application/json -d '{"message":"summarise the quarterly report","model":"mock:echo"}' \
  "http://127.0.0.1:$p1/tasks" >"$work/hey"
grep -q '\[202\].*1000 responses' "$work/hey" || { echo "hey: not 1000 answers of 202:"; cat "$work/hey"; exit 1; }
for _ in $(seq 600); do
  [ "$(redis-cli -p "$redis_port" zcard agentd:tasks:idx:s:completed)" -ge 1000 ] && break
  sleep 0.05
done
stats >"$work/after"
echo
echo "Redis commands per task, submit to done (1000 tasks, two replicas; the idle loops' commands included):"
# commandstats counts the commands scripts run too; round trips are the commands agentd sends itself.
join -a2 -e0 -o 0,1.2,2.2 "$work/before" "$work/after" | awk '
  BEGIN { sent["evalsha"]; sent["eval"]; sent["xreadgroup"]; sent["xgroup|create"]; sent["ping"]; sent["subscribe"];
          sent["unsubscribe"]; sent["info"]; sent["config|get"]; sent["hello"]; sent["script|load"] }
  { d=$3-$2; if (d>0) { printf "  %-14s %6.2f%s\n", $1, d/1000, ($1 in sent) ? "  (sent by agentd)" : ""; t+=d; if ($1 in sent) r+=d } }
  END { printf "  all commands   %6.2f per task\n  round trips    %6.2f per task (commands agentd sent; the rest ran inside its scripts)\n", t/1000, r/1000 }'
stop "$a" "$b"; stop_redis

# 3. Takeover latency: the slow task streams from mock-llm (ten pieces 800 ms apart: 8 s, longer than the lease).
MOCK_LLM_PORT=$mock_port "$mock_bin/mock-llm" >"$work/mock.log" 2>&1 &
pids+=("$!")
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$mock_port/stats" && break; sleep 0.05; done
upstream="http://127.0.0.1:$mock_port/v1"
takeovers=()
for i in 1 2 3; do
  start_redis
  start_agentd "$p1" "$work/t1-$i.log" AGENTD_REDIS_URL="$url" AGENTD_REPLICA_ID=r1 AGENTD_TASK_LEASE_S=5 AGENTD_SHUTDOWN_GRACE_S=1 AGENTD_PROVIDER_UP_BASE_URL="$upstream" AGENTD_DATA_DIR="$work/unused"; a=$last_pid
  start_agentd "$p2" "$work/t2-$i.log" AGENTD_REDIS_URL="$url" AGENTD_REPLICA_ID=r2 AGENTD_TASK_LEASE_S=5 AGENTD_SHUTDOWN_GRACE_S=1 AGENTD_PROVIDER_UP_BASE_URL="$upstream" AGENTD_DATA_DIR="$work/unused"; b=$last_pid
  id=$(curl -s -XPOST "http://127.0.0.1:$p1/tasks" -H 'Content-Type: application/json' \
    -d '{"message":"one two three four five six seven eight nine ten","model":"up:m?chunks=10&chunk_delay_ms=800"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["task_id"])')
  owner=
  for _ in $(seq 200); do
    owner=$(redis-cli -p "$redis_port" hget "agentd:tasks:t:$id" o)
    [ -n "$owner" ] && break
    sleep 0.01
  done
  if [ "$owner" = r1 ]; then victim=$a; else victim=$b; fi
  kill -9 "$victim"; wait "$victim" 2>/dev/null || true
  killed=$(date +%s%N)
  took=
  for _ in $(seq 3000); do
    if [ "$(redis-cli -p "$redis_port" hget "agentd:tasks:t:$id" a)" = 2 ]; then took=$(( ($(date +%s%N) - killed) / 1000000 )); break; fi
    sleep 0.01
  done
  [ -n "$took" ] || { echo "not taken over within 30 s"; exit 1; }
  takeovers+=("$took")
  echo "  takeover $i: running again on the other replica $took ms after kill -9 (lease 5000 ms)"
  stop "$a" "$b"; stop_redis
done
echo "takeover latency after kill -9, lease 5 s: median $(med "${takeovers[@]}") ms (lease + at most a janitor tick of 1 s + the start)"
