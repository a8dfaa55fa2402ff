#!/usr/bin/env bash
# Shared state on Redis against local state, on loopback: what a Redis round trip per request costs.
#
#   bench/redis-state.sh [runs=3] [seconds=10]
#
# The upstream is nginx (Debian's nginx-light) answering a canned OpenAI chat completion (as bench/passthrough.sh).
# Two agentd on it, both protected the way production runs (an API key, the per-key token bucket on but set high
# enough never to refuse, a daily token budget too large to run out, metrics), one replica each:
#   local  state in memory (the embedded default),
#   redis  the same with AGENTD_REDIS_URL: bucket check and budget reservation in one EVALSHA, the settlement in
#          another, on a redis-server of its own (Debian's 7.0, AOF off: these limits need no disk; the task queue's
#          durability is measured by bench/tasks.sh).
#  1. Throughput: wrk -t1 -c64 POST /v1/chat/completions against local and redis, alternating, `runs` times `seconds`
#     each; medians, the ratio redis/local (the goal: >= 0.8) and wrk's p99.
#  2. Redis round trips per request: INFO commandstats before and after 10,000 requests (hey -n).
#  3. Added p99 at a fixed 1,000 requests/s: hey -z -c 50 -q 20 against local and redis, alternating; medians.
#  4. Three replicas on one Redis behind nginx's round-robin proxy (as a Kubernetes Service spreads requests):
#     wrk through the front, total requests/s, and the CPU Redis itself used per second of load (from /proc).
# Every response must be a 200: the script stops if wrk or hey counts errors or non-2xx answers. Exit status 1 when
# the ratio is below 0.8.
# Binaries: BENCH_BIN_DIR=<dir with agentd>, else `swift build -c release` (BENCH_SCRATCH_PATH adds --scratch-path).
# Needs wrk, nginx-light, hey, curl and redis-server (installed when missing). Ports picked free from 18200-18299.
set -euo pipefail
runs=${1:-3}
seconds=${2:-10}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pids=()

. "$(dirname "$0")/lib.sh"
need wrk wrk
need nginx nginx-light
need hey hey
need curl curl
need ss iproute2
need redis-server redis-server

trap bench_cleanup EXIT
trap 'exit 130' INT TERM
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

echo "$(date -u +%FT%TZ), load average $(cut -d" " -f1-3 /proc/loadavg), $(nproc) cores, $(redis-server --version | cut -d' ' -f1-3)"
bin=$(bench_binaries "$here" agentd)

read -r up_port front_port redis_port local_port shared_port r1_port r2_port r3_port < <(free_ports 8 18200 18299)

completion=$bench_completion
cat >"$work/nginx.conf" <<EOF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  upstream replicas {
    server 127.0.0.1:$r1_port;
    server 127.0.0.1:$r2_port;
    server 127.0.0.1:$r3_port;
    keepalive 96;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$up_port;
    location = /v1/chat/completions { default_type application/json; return 200 '$completion'; }
  }
  # The round-robin front of the three replicas (what a Service does).
  server {
    listen 127.0.0.1:$front_port;
    location / { proxy_pass http://replicas; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
EOF
nginx -c "$work/nginx.conf"
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work" --save "" --appendonly no --daemonize no \
  --logfile "$work/redis.log" &
redis_pid=$!; pids+=("$redis_pid")
for _ in $(seq 100); do redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG && break; sleep 0.05; done

budget=1000000000000
[ "${BENCH_BUDGET:-1}" = 0 ] && budget=0 && echo "no budget (BENCH_BUDGET=0): the rate limit only"
common=(AGENTD_LOG_LEVEL=warning AGENTD_API_KEYS=bench-key AGENTD_RATE_LIMIT_RPS=1000000 AGENTD_RATE_LIMIT_BURST=1000000
  AGENTD_DAILY_TOKEN_BUDGET=$budget AGENTD_MAX_CONNECTIONS=20000
  AGENTD_PROVIDER_NGX_BASE_URL="http://127.0.0.1:$up_port/v1")
start_agentd() { # port [extra env...]
  local port=$1
  shift
  env AGENTD_PORT="$port" AGENTD_DATA_DIR="$work/data-$port" "${common[@]}" "$@" "$bin/agentd" >"$work/agentd-$port.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health/live" >/dev/null && break; sleep 0.1; done
}
redis_env=(AGENTD_REDIS_URL="redis://127.0.0.1:$redis_port")
start_agentd "$local_port"
start_agentd "$shared_port" "${redis_env[@]}"
for port in "$r1_port" "$r2_port" "$r3_port"; do start_agentd "$port" "${redis_env[@]}" AGENTD_REPLICA_ID="replica-$port"; done
for port in "$shared_port" "$r1_port" "$r2_port" "$r3_port"; do
  for _ in $(seq 100); do curl -s "http://127.0.0.1:$port/health" | grep -q 'connected;' && break; sleep 0.05; done
  curl -s "http://127.0.0.1:$port/health" | grep -q 'connected;' || { echo "agentd :$port not connected to redis"; exit 1; }
done

body='{"model":"ngx:gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":64}'
cat >"$work/agentd.lua" <<EOF
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench-key"
EOF
for port in "$local_port" "$shared_port" "$front_port"; do
  answer=$(curl -s --max-time 5 -w '\n%{http_code}' "http://127.0.0.1:$port/v1/chat/completions" -H 'Content-Type: application/json' \
    -H 'Authorization: Bearer bench-key' -d "$body")
  [ "${answer##*$'\n'}" = 200 ] || { echo "bad answer from :$port:"; echo "$answer"; exit 1; }
done

run_wrk() { # url
  local out rps p99 bad
  out=$(wrk -t1 -c64 -d"${seconds}s" --latency -s "$work/agentd.lua" "$1")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(to_us "$(awk '$1=="99%" {print $2}' <<<"$out")")
  bad=$(grep -E 'Non-2xx|Socket errors' <<<"$out" || true)
  if [ -n "$bad" ]; then echo "wrk against $1: $bad" >&2; echo "$out" >&2; exit 1; fi
  echo "$rps $p99"
}
run_hey() { # url [hey options]
  local out p50 p99 codes
  out=$(hey "${@:2}" -m POST -T application/json -H 'Authorization: Bearer bench-key' -d "$body" "$1")
  p50=$(awk '$1=="50%" && $2=="in" {printf "%.0f", $3 * 1000000}' <<<"$out")
  p99=$(awk '$1=="99%" && $2=="in" {printf "%.0f", $3 * 1000000}' <<<"$out")
  codes=$(awk '/Status code distribution/ {f=1; next} f && /\[/ {print} f && !/\[/ {f=0}' <<<"$out")
  if grep -q 'Error distribution' <<<"$out" || grep -vq '\[200\]' <<<"$codes"; then
    echo "hey against $1 failed:" >&2; echo "$out" >&2; exit 1
  fi
  echo "$p50 $p99"
}
# Round trips: the commands agentd sent (EVALSHA, and EVAL after a NOSCRIPT); commandstats also counts the
# commands scripts run inside Redis, which are no round trips.
redis_calls() { redis-cli -p "$redis_port" info commandstats | awk -F'[:=,]' '/^cmdstat_(evalsha|eval):/ {sum += $3} END {print sum+0}'; }
redis_cpu_ticks() { awk '{print $14 + $15}' "/proc/$redis_pid/stat"; }

local_url="http://127.0.0.1:$local_port/v1/chat/completions"
shared_url="http://127.0.0.1:$shared_port/v1/chat/completions"
front_url="http://127.0.0.1:$front_port/v1/chat/completions"
for url in "$local_url" "$shared_url" "$front_url"; do wrk -t1 -c64 -d2s -s "$work/agentd.lua" "$url" >/dev/null; done

echo "1. wrk -t1 -c64 -d${seconds}s, one replica, local state vs state in Redis:"
l_rps=(); l_p99=(); s_rps=(); s_p99=()
for i in $(seq "$runs"); do
  read -r r p <<<"$(run_wrk "$local_url")"; l_rps+=("$r"); l_p99+=("$p")
  read -r r p <<<"$(run_wrk "$shared_url")"; s_rps+=("$r"); s_p99+=("$p")
  echo "  run $i: local ${l_rps[-1]} req/s (p99 ${l_p99[-1]} us), redis ${s_rps[-1]} req/s (p99 ${s_p99[-1]} us)"
done
lm=$(med "${l_rps[@]}"); sm=$(med "${s_rps[@]}")
ratio=$(awk -v s="$sm" -v l="$lm" 'BEGIN {printf "%.2f", s / l}')
echo "  medians: local $lm req/s (p99 $(med "${l_p99[@]}") us), redis $sm req/s (p99 $(med "${s_p99[@]}") us): ratio $ratio"

echo "2. Redis round trips per request (INFO commandstats over 10,000 requests):"
before=$(redis_calls)
run_hey "$shared_url" -n 10000 -c 50 >/dev/null
after=$(redis_calls)
echo "  $((after - before)) round trips for 10,000 requests: $(awk -v d="$((after - before))" 'BEGIN {printf "%.2f", d / 10000}') per request"
redis-cli -p "$redis_port" info commandstats | grep -E 'evalsha|eval:' | sed 's/^/  /'

echo "3. hey -z ${seconds}s -c 50 -q 20 (1,000 requests/s), p50/p99:"
lp50=(); lp99=(); sp50=(); sp99=()
for i in $(seq "$runs"); do
  read -r m p <<<"$(run_hey "$local_url" -z "${seconds}s" -c 50 -q 20)"; lp50+=("$m"); lp99+=("$p")
  read -r m p <<<"$(run_hey "$shared_url" -z "${seconds}s" -c 50 -q 20)"; sp50+=("$m"); sp99+=("$p")
  echo "  run $i: local ${lp50[-1]}/${lp99[-1]} us, redis ${sp50[-1]}/${sp99[-1]} us"
done
echo "  medians: local p99 $(med "${lp99[@]}") us, redis p99 $(med "${sp99[@]}") us: Redis adds" \
  "$(( $(med "${sp99[@]}" | cut -d. -f1) - $(med "${lp99[@]}" | cut -d. -f1) )) us at p99"

echo "4. three replicas on one Redis behind nginx round robin, wrk -t1 -c64 -d${seconds}s through the front:"
ticks_per_second=$(getconf CLK_TCK)
f_rps=(); cpu=()
for i in $(seq "$runs"); do
  t0=$(redis_cpu_ticks); s0=$(date +%s.%N)
  read -r r p <<<"$(run_wrk "$front_url")"; f_rps+=("$r")
  t1=$(redis_cpu_ticks); s1=$(date +%s.%N)
  cpu+=("$(awk -v t="$((t1 - t0))" -v h="$ticks_per_second" -v a="$s0" -v b="$s1" 'BEGIN {printf "%.2f", t / h / (b - a)}')")
  echo "  run $i: ${f_rps[-1]} req/s through the front (p99 $p us), Redis CPU ${cpu[-1]} s per s"
done
echo "  medians: $(med "${f_rps[@]}") req/s in all, Redis CPU $(med "${cpu[@]}") s per s (2 cores shared by wrk, nginx, 3 agentd, Redis)"
for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "a process exited during the run"; exit 1; }; done
awk -v r="$ratio" 'BEGIN {exit !(r >= 0.8)}' || { echo "ratio $ratio is below 0.8"; exit 1; }
