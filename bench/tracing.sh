#!/usr/bin/env bash
# Tracing's cost: Chat Completions pass-through with traces on (ratio 1.0, every span exported to a collector on
# loopback) against the same agentd build with traces off, in one script.
#
#   bench/tracing.sh [runs=5] [seconds=5]
#
# nginx (Debian's nginx-light) is both the upstream (a canned chat completion on POST /v1/chat/completions, `return
# 200`) and the collector (POST /v1/traces answered 200 at once: what is measured is agentd's side of tracing, not a
# collector's). Two agentd processes: `off` without AGENTD_OTLP_ENDPOINT, `on` with it (AGENTD_TRACE_SAMPLE_RATIO=1:
# a server span and a model-call span per request, batched 512 a request). wrk -t1 -c64 on each, alternating (each
# run starts with the other), `runs` times `seconds`: medians of requests/s and of wrk's p50/p99, the ratio on/off
# (the goal: >= 0.9), and the spans the collector took against those dropped (agentd_trace_spans_dropped_total).
# Exit status 1 when the ratio is below 0.9. Neither agentd logs requests.
#
# Binaries: BENCH_BIN_DIR=<dir with agentd> as it is; otherwise `swift build -c release`. Needs wrk, nginx-light, curl.
# Ports picked free from 18600-18699.
set -euo pipefail
runs=${1:-5}
seconds=${2:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pids=()

. "$(dirname "$0")/lib.sh"
need wrk wrk
need nginx nginx-light
need curl curl
need ss iproute2

trap bench_cleanup EXIT
trap 'exit 130' INT TERM
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

echo "$(date -u +%FT%TZ), load average $(cut -d" " -f1-3 /proc/loadavg), $(nproc) cores"
bin=$(bench_binaries "$here" agentd)
read -r up_port collector_port off_port on_port < <(free_ports 4 18600 18699)

cat >"$work/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_buffer_size 4m;
  server {
    listen 127.0.0.1:$up_port;
    location = /v1/chat/completions { default_type application/json; return 200 '$bench_completion'; }
  }
  server {
    listen 127.0.0.1:$collector_port;
    location = /v1/traces { default_type application/json; return 200 '{}'; }
  }
}
NGINX
nginx -c "$work/nginx.conf"

start_agentd() { # port extra-env...
  local port=$1
  shift
  env AGENTD_PORT="$port" AGENTD_MAX_CONNECTIONS=20000 AGENTD_LOG_LEVEL=warning AGENTD_RATE_LIMIT_RPS=0 \
    AGENTD_PROVIDER_NGX_BASE_URL="http://127.0.0.1:$up_port/v1" "$@" "$bin/agentd" >"$work/agentd-$port.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health/live" >/dev/null && return 0; sleep 0.1; done
  echo "agentd on $port did not start:"; cat "$work/agentd-$port.log"; exit 1
}
start_agentd "$off_port"
start_agentd "$on_port" AGENTD_OTLP_ENDPOINT="http://127.0.0.1:$collector_port" AGENTD_TRACE_SAMPLE_RATIO=1

body='{"model":"ngx:gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}'
cat >"$work/chat.lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
LUA
for port in "$off_port" "$on_port"; do
  answer=$(curl -s --max-time 5 -w '\n%{http_code}' "http://127.0.0.1:$port/v1/chat/completions" -H 'Content-Type: application/json' -d "$body")
  [ "${answer##*$'\n'}" = 200 ] || { echo "bad answer from :$port:"; echo "$answer"; exit 1; }
done

run_wrk() { # url
  local out rps p50 p99 bad
  out=$(wrk -t1 -c64 -d"${seconds}s" --latency -s "$work/chat.lua" "$1")
  bad=$(grep -E 'Non-2xx|Socket errors' <<<"$out" || true)
  if [ -n "$bad" ]; then echo "wrk against $1: $bad" >&2; echo "$out" >&2; exit 1; fi
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(to_us "$(awk '$1=="50%" {print $2}' <<<"$out")")
  p99=$(to_us "$(awk '$1=="99%" {print $2}' <<<"$out")")
  echo "$rps $p50 $p99"
}

for port in "$off_port" "$on_port"; do wrk -t1 -c64 -d2s -s "$work/chat.lua" "http://127.0.0.1:$port/v1/chat/completions" >/dev/null; done
echo "wrk -t1 -c64 -d${seconds}s, POST /v1/chat/completions pass-through (off :$off_port, on :$on_port, collector :$collector_port):"
declare -A rps p50 p99
for i in $(seq "$runs"); do
  order=(off on); [ $((i % 2)) -eq 0 ] && order=(on off)
  line="  run $i:"
  for name in "${order[@]}"; do
    port_var=${name}_port
    read -r r a b <<<"$(run_wrk "http://127.0.0.1:${!port_var}/v1/chat/completions")"
    rps[$name]+="$r "; p50[$name]+="$a "; p99[$name]+="$b "
    line+=" $name $r req/s (p50/p99 $a/$b us),"
  done
  echo "${line%,}"
done
sleep 2  # the last partial batch goes out after AGENTD_OTLP_INTERVAL_MS (1 s)
dropped=$(curl -s "http://127.0.0.1:$on_port/metrics" | awk '$1=="agentd_trace_spans_dropped_total" {print $2}')
off_rps=$(med ${rps[off]}); on_rps=$(med ${rps[on]})
ratio=$(awk -v a="$on_rps" -v b="$off_rps" 'BEGIN {printf "%.2f", a / b}')
echo
echo "median of $runs alternating runs:"
echo "  tracing off  $off_rps req/s   p50 $(med ${p50[off]}) us   p99 $(med ${p99[off]}) us"
echo "  tracing on   $on_rps req/s   p50 $(med ${p50[on]}) us   p99 $(med ${p99[on]}) us   ratio $ratio (goal >= 0.9)"
echo "  spans dropped by the traced agentd: ${dropped:-?}; its RSS: $(awk '/^VmRSS/ {print $2}' "/proc/${pids[-1]}/status") KiB"
awk -v r="$ratio" 'BEGIN {exit !(r >= 0.9)}'
