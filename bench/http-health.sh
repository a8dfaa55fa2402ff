#!/usr/bin/env bash
# agentd's GET /health/live against nginx answering the same JSON, on loopback, alternating runs.
#
#   bench/http-health.sh [runs=3] [seconds=10]
#
# Prints each run, the medians, the ratio agentd/nginx, p99 latency at -c64 and -c1000, and agentd's RSS
# idle and under load. Needs wrk and nginx-light (installed when missing). Neither server logs requests.
set -euo pipefail
runs=${1:-3}
seconds=${2:-10}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
nginx_port=18090
agentd_port=18091

. "$(dirname "$0")/lib.sh"
need wrk wrk
need nginx nginx-light

cleanup() {
  [ -n "${agentd_pid:-}" ] && kill "$agentd_pid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"  # -c1000 needs more than the usual 1024

(cd "$here" && swift build -c release --product agentd >/dev/null)
agentd_bin="$here/.build/release/agentd"

cat >"$work/nginx.conf" <<EOF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$nginx_port reuseport;
    location = /health/live { default_type application/json; return 200 '{"alive":true}'; }
  }
}
EOF
nginx -c "$work/nginx.conf"
AGENTD_PORT=$agentd_port AGENTD_LOG_LEVEL=warning AGENTD_MAX_CONNECTIONS=20000 "$agentd_bin" &
agentd_pid=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$agentd_port/health/live" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$nginx_port/health/live" >/dev/null

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$agentd_pid/status"; }
# wrk's summary: requests/s and the p99 from --latency, in microseconds.
run_wrk() { # connections url
  local out
  out=$(wrk -t1 -c"$1" -d"${seconds}s" --latency "$2")
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); print v} else if (v ~ /ms$/) {sub(/ms/,"",v); print v*1000} else {sub(/s/,"",v); print v*1000000}}' <<<"$out")
  echo "$rps $p99"
}

rss_idle=$(rss_kib)
wrk -t1 -c64 -d2s "http://127.0.0.1:$nginx_port/health/live" >/dev/null
wrk -t1 -c64 -d2s "http://127.0.0.1:$agentd_port/health/live" >/dev/null

nginx_rps=(); agentd_rps=(); nginx_p99=(); agentd_p99=()
for i in $(seq "$runs"); do
  read -r r p < <(run_wrk 64 "http://127.0.0.1:$nginx_port/health/live"); nginx_rps+=("$r"); nginx_p99+=("$p")
  read -r r p < <(run_wrk 64 "http://127.0.0.1:$agentd_port/health/live"); agentd_rps+=("$r"); agentd_p99+=("$p")
  echo "run $i: nginx ${nginx_rps[-1]} req/s (p99 ${nginx_p99[-1]} us), agentd ${agentd_rps[-1]} req/s (p99 ${agentd_p99[-1]} us)"
done
rss_loaded=$(rss_kib)

n_med=$(printf '%s\n' "${nginx_rps[@]}" | median)
a_med=$(printf '%s\n' "${agentd_rps[@]}" | median)
n_p99=$(printf '%s\n' "${nginx_p99[@]}" | median)
a_p99=$(printf '%s\n' "${agentd_p99[@]}" | median)

n1000=(); a1000=(); n1000p99=(); a1000p99=()
for i in $(seq "$runs"); do
  read -r r p < <(run_wrk 1000 "http://127.0.0.1:$nginx_port/health/live"); n1000+=("$r"); n1000p99+=("$p")
  (sleep $((seconds / 2)); rss_kib >"$work/rss1000") &
  sampler=$!
  read -r r p < <(run_wrk 1000 "http://127.0.0.1:$agentd_port/health/live"); a1000+=("$r"); a1000p99+=("$p")
  wait "$sampler"
  echo "c1000 run $i: nginx ${n1000[-1]} req/s (p99 ${n1000p99[-1]} us), agentd ${a1000[-1]} req/s (p99 ${a1000p99[-1]} us)"
done
rss_1000=$(cat "$work/rss1000")
n1000_med=$(printf '%s\n' "${n1000[@]}" | median)
a1000_med=$(printf '%s\n' "${a1000[@]}" | median)
n1000_p99=$(printf '%s\n' "${n1000p99[@]}" | median)
a1000_p99=$(printf '%s\n' "${a1000p99[@]}" | median)

echo
echo "wrk -t1 -c64 -d${seconds}s, median of $runs alternating runs:"
echo "  nginx   $n_med req/s   p99 ${n_p99} us"
echo "  agentd  $a_med req/s   p99 ${a_p99} us"
echo "  ratio agentd/nginx: $(awk -v a="$a_med" -v n="$n_med" 'BEGIN {printf "%.2f", a/n}')"
echo "wrk -t1 -c1000 -d${seconds}s, median of $runs alternating runs:"
echo "  nginx   $n1000_med req/s   p99 ${n1000_p99} us"
echo "  agentd  $a1000_med req/s   p99 ${a1000_p99} us"
echo "  ratio agentd/nginx: $(awk -v a="$a1000_med" -v n="$n1000_med" 'BEGIN {printf "%.2f", a/n}')"
echo "agentd RSS: idle ${rss_idle} KiB, after the -c64 runs ${rss_loaded} KiB, during -c1000 ${rss_1000} KiB"
