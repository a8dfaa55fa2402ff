#!/usr/bin/env bash
# Pass-through: agentd as a non-streaming Chat Completions proxy, against nginx's own reverse proxy, on loopback.
#
#   bench/passthrough.sh [runs=3] [seconds=10]
#
# The upstream is nginx (Debian's nginx-light) answering a canned OpenAI chat completion on POST /v1/chat/completions
# with `return 200` (the fastest upstream there is). In the same nginx, a second server is the reference: nginx's
# reverse proxy (proxy_pass, HTTP/1.1, a keepalive upstream pool) in front of that upstream. agentd's provider `ngx`
# is the same upstream (AGENTD_PROVIDER_NGX_BASE_URL).
#  1. Throughput: wrk -t1 -c64 POSTs {"model":"ngx:gpt-4o-mini","messages":[{"role":"user","content":"hi"}]} to agentd
#     and the same body with "model":"gpt-4o-mini" to nginx's proxy, alternating, `runs` times `seconds` each;
#     medians, the ratio agentd/nginx-proxy (the goal: >= 0.5, aim 0.8) and p99 latency from wrk --latency.
#     The upstream alone is measured the same way for reference.
#     agentd's CPU per request: user + system time from /proc/<pid>/stat over its wrk runs, over their requests.
#  2. One request at a time (wrk -t1 -c1): the p50 through agentd and through nginx's proxy, minus the upstream
#     alone's (the latency a lone request pays for the proxy), alternating, medians.
#  3. Added p99 latency at a fixed 1,000 requests/s: hey -z <seconds>s -c 50 -q 20 (hey's -q is per worker:
#     50 x 20 = 1,000/s) against agentd, against the upstream nginx directly, and against nginx's proxy for
#     reference, alternating; medians of the p99s and the difference agentd - upstream (the p99 agentd adds).
# Neither server logs requests (agentd AGENTD_LOG_LEVEL=warning, nginx access_log off). Every response must be a 200:
# the script stops if wrk or hey counts errors or non-2xx answers. Exit status 1 when the ratio is below 0.5.
#
# BENCH_PROTECTED=1 runs agentd the way production does: an API key required (wrk and hey send it), the per-key
# token bucket on (set high enough never to refuse: the check itself is measured), metrics, and the JSON access
# log at info, one line per request, written to a file.
#
# Binaries: BENCH_BIN_DIR=<dir with agentd> uses it as it is; otherwise agentd is built with `swift build -c release`
# (BENCH_SCRATCH_PATH=<dir> adds --scratch-path) and taken from --show-bin-path.
# Needs wrk, nginx-light, hey and curl (installed when missing). Ports picked free from 18100-18199.
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

trap bench_cleanup EXIT
trap 'exit 130' INT TERM
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

echo "$(date -u +%FT%TZ), load average $(cut -d" " -f1-3 /proc/loadavg), $(nproc) cores"
bin=$(bench_binaries "$here" agentd)

read -r up_port proxy_port agentd_port < <(free_ports 3)

completion=$bench_completion
cat >"$work/nginx.conf" <<EOF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  upstream llm {
    server 127.0.0.1:$up_port;
    keepalive 64;
    keepalive_requests 1000000;
  }
  # The upstream: a canned chat completion.
  server {
    listen 127.0.0.1:$up_port;
    location = /v1/chat/completions { default_type application/json; return 200 '$completion'; }
  }
  # The reference: nginx's reverse proxy to it.
  server {
    listen 127.0.0.1:$proxy_port;
    location / {
      proxy_pass http://llm;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
EOF
nginx -c "$work/nginx.conf"
protection=(AGENTD_LOG_LEVEL=warning AGENTD_RATE_LIMIT_RPS=0)
auth_header=()
if [ -n "${BENCH_PROTECTED:-}" ]; then
  protection=(AGENTD_LOG_LEVEL=info AGENTD_API_KEYS=bench-key AGENTD_RATE_LIMIT_RPS=1000000 AGENTD_RATE_LIMIT_BURST=1000000)
  auth_header=(-H "Authorization: Bearer bench-key")
  echo "agentd protected: API key, rate limit, metrics, access log at info"
fi
env AGENTD_PORT=$agentd_port AGENTD_MAX_CONNECTIONS=20000 "${protection[@]}" \
  AGENTD_PROVIDER_NGX_BASE_URL="http://127.0.0.1:$up_port/v1" \
  "$bin/agentd" >"$work/agentd.log" 2>&1 &
agentd_pid=$!; pids+=("$agentd_pid")
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$agentd_port/health/live" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$agentd_port/health/live" >/dev/null || { echo "agentd did not start:"; cat "$work/agentd.log"; exit 1; }

agentd_body='{"model":"ngx:gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}'
nginx_body='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}'
agentd_url="http://127.0.0.1:$agentd_port/v1/chat/completions"
proxy_url="http://127.0.0.1:$proxy_port/v1/chat/completions"
up_url="http://127.0.0.1:$up_port/v1/chat/completions"
for target in "$agentd_url $agentd_body" "$proxy_url $nginx_body" "$up_url $nginx_body"; do
  url=${target%% *}; body=${target#* }
  answer=$(curl -s --max-time 5 -w '\n%{http_code}' "$url" -H 'Content-Type: application/json' "${auth_header[@]}" -d "$body")
  [ "${answer##*$'\n'}" = 200 ] && grep -q '"chat.completion"' <<<"$answer" || { echo "bad answer from $url:"; echo "$answer"; exit 1; }
done
echo "agentd answers: $(curl -s "$agentd_url" -H 'Content-Type: application/json' "${auth_header[@]}" -d "$agentd_body")"

for name in agentd nginx; do
  body_var=${name}_body
  cat >"$work/$name.lua" <<EOF
wrk.method = "POST"
wrk.body = '${!body_var}'
wrk.headers["Content-Type"] = "application/json"
EOF
done
if [ -n "${BENCH_PROTECTED:-}" ]; then echo 'wrk.headers["Authorization"] = "Bearer bench-key"' >>"$work/agentd.lua"; fi

# wrk's summary: requests/s, the p99 and the p50 in microseconds, and the requests made; stops on errors or
# non-2xx answers. Connections: $3 (64 by default).
run_wrk() { # lua url [connections]
  local out rps p50 p99 total bad
  out=$(wrk -t1 -c"${3:-64}" -d"${seconds}s" --latency -s "$1" "$2")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(to_us "$(awk '$1=="50%" {print $2}' <<<"$out")")
  p99=$(to_us "$(awk '$1=="99%" {print $2}' <<<"$out")")
  total=$(awk '/requests in/ {print $1}' <<<"$out")
  bad=$(grep -E 'Non-2xx|Socket errors' <<<"$out" || true)
  if [ -n "$bad" ]; then echo "wrk against $2: $bad" >&2; echo "$out" >&2; exit 1; fi
  echo "$rps $p99 $p50 $total"
}
# agentd's CPU time so far (user + system), in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$agentd_pid/stat"; }
ticks_per_s=$(getconf CLK_TCK)
# hey at 1,000 requests/s: achieved requests/s, the p50 and the p99 in microseconds (hey prints seconds with four
# decimals: 100 us steps); stops on errors or non-200 answers.
run_hey() { # body url
  local out rps p50 p99 codes
  out=$(hey -z "${seconds}s" -c 50 -q 20 -m POST -T application/json "${@:3}" -d "$1" "$2")
  rps=$(awk '/Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" && $2=="in" {printf "%.0f", $3 * 1000000}' <<<"$out")
  p99=$(awk '$1=="99%" && $2=="in" {printf "%.0f", $3 * 1000000}' <<<"$out")
  codes=$(awk '/Status code distribution/ {f=1; next} f && /\[/ {print} f && !/\[/ {f=0}' <<<"$out")
  if grep -q 'Error distribution' <<<"$out" || grep -vq '\[200\]' <<<"$codes"; then
    echo "hey against $2 failed:" >&2; echo "$out" >&2; exit 1
  fi
  echo "$rps $p50 $p99"
}

# Warm-up: connections, pools, caches.
wrk -t1 -c64 -d2s -s "$work/nginx.lua" "$up_url" >/dev/null
wrk -t1 -c64 -d2s -s "$work/nginx.lua" "$proxy_url" >/dev/null
wrk -t1 -c64 -d2s -s "$work/agentd.lua" "$agentd_url" >/dev/null

echo "wrk -t1 -c64 -d${seconds}s, POST /v1/chat/completions (agentd pid $agentd_pid :$agentd_port, nginx proxy :$proxy_port, upstream :$up_port):"
p_rps=(); p_p99=(); a_rps=(); a_p99=(); a_cpu=(); u_rps=(); u_p99=()
for i in $(seq "$runs"); do
  res=$(run_wrk "$work/nginx.lua" "$proxy_url"); read -r r p _ _ <<<"$res"; p_rps+=("$r"); p_p99+=("$p")
  before=$(cpu_ticks)
  res=$(run_wrk "$work/agentd.lua" "$agentd_url"); read -r r p _ n <<<"$res"; a_rps+=("$r"); a_p99+=("$p")
  a_cpu+=("$(awk -v t="$(( $(cpu_ticks) - before ))" -v hz="$ticks_per_s" -v n="$n" 'BEGIN {printf "%.1f", t * 1000000 / hz / n}')")
  res=$(run_wrk "$work/nginx.lua" "$up_url"); read -r r p _ _ <<<"$res"; u_rps+=("$r"); u_p99+=("$p")
  echo "  run $i: nginx proxy ${p_rps[-1]} req/s (p99 ${p_p99[-1]} us), agentd ${a_rps[-1]} req/s (p99 ${a_p99[-1]} us," \
       "${a_cpu[-1]} us CPU per request), upstream alone ${u_rps[-1]} req/s (p99 ${u_p99[-1]} us)"
done
echo "wrk -t1 -c1 -d${seconds}s (one request at a time):"
l_up=(); l_agentd=(); l_proxy=()
for i in $(seq "$runs"); do
  res=$(run_wrk "$work/nginx.lua" "$up_url" 1); read -r _ _ m _ <<<"$res"; l_up+=("$m")
  res=$(run_wrk "$work/agentd.lua" "$agentd_url" 1); read -r _ _ m _ <<<"$res"; l_agentd+=("$m")
  res=$(run_wrk "$work/nginx.lua" "$proxy_url" 1); read -r _ _ m _ <<<"$res"; l_proxy+=("$m")
  echo "  run $i: p50 upstream ${l_up[-1]} us, agentd ${l_agentd[-1]} us, nginx proxy ${l_proxy[-1]} us"
done
rss_after_wrk=$(awk '/^VmRSS/ {print $2}' "/proc/$agentd_pid/status")

echo "hey -z ${seconds}s -c 50 -q 20 (1,000 requests/s):"
ha_rps=(); ha_p50=(); ha_p99=(); hu_rps=(); hu_p50=(); hu_p99=(); hp_rps=(); hp_p50=(); hp_p99=()
for i in $(seq "$runs"); do
  res=$(run_hey "$nginx_body" "$up_url"); read -r r m p <<<"$res"; hu_rps+=("$r"); hu_p50+=("$m"); hu_p99+=("$p")
  res=$(run_hey "$agentd_body" "$agentd_url" "${auth_header[@]}"); read -r r m p <<<"$res"; ha_rps+=("$r"); ha_p50+=("$m"); ha_p99+=("$p")
  res=$(run_hey "$nginx_body" "$proxy_url"); read -r r m p <<<"$res"; hp_rps+=("$r"); hp_p50+=("$m"); hp_p99+=("$p")
  echo "  run $i: upstream ${hu_rps[-1]} req/s p50/p99 ${hu_p50[-1]}/${hu_p99[-1]} us," \
       "agentd ${ha_rps[-1]} req/s p50/p99 ${ha_p50[-1]}/${ha_p99[-1]} us," \
       "nginx proxy ${hp_rps[-1]} req/s p50/p99 ${hp_p50[-1]}/${hp_p99[-1]} us"
done
kill -0 "$agentd_pid" 2>/dev/null || { echo "agentd exited:"; tail -20 "$work/agentd.log"; exit 1; }
if [ -s "$work/agentd.log" ]; then echo "agentd logged (warning and above), last lines:"; tail -5 "$work/agentd.log" | sed 's/^/  /'; fi

a=$(med "${a_rps[@]}"); p=$(med "${p_rps[@]}"); u=$(med "${u_rps[@]}")
ratio=$(awk -v a="$a" -v p="$p" 'BEGIN {printf "%.2f", a/p}')
hu=$(med "${hu_p99[@]}"); ha=$(med "${ha_p99[@]}"); hp=$(med "${hp_p99[@]}")
echo
echo "throughput, wrk -t1 -c64 -d${seconds}s, median of $runs alternating runs:"
echo "  nginx proxy     $p req/s   p99 $(med "${p_p99[@]}") us"
echo "  agentd          $a req/s   p99 $(med "${a_p99[@]}") us"
echo "  upstream alone  $u req/s   p99 $(med "${u_p99[@]}") us"
echo "  ratio agentd/nginx-proxy: $ratio (goal >= 0.5: $(awk -v r="$ratio" 'BEGIN {print (r >= 0.5) ? "ok" : "MISSED"}'), aim 0.8)"
echo "  agentd CPU per request: $(med "${a_cpu[@]}") us (user + system, /proc/<pid>/stat over the wrk run)"
lu=$(med "${l_up[@]}"); la=$(med "${l_agentd[@]}"); lp=$(med "${l_proxy[@]}")
echo "one request at a time, wrk -t1 -c1, median p50 of $runs runs:"
echo "  upstream alone $lu us, agentd $la us, nginx proxy $lp us"
echo "  p50 added by agentd: $(awk -v a="$la" -v u="$lu" 'BEGIN {print a - u}') us (nginx's proxy adds $(awk -v a="$lp" -v u="$lu" 'BEGIN {print a - u}') us)"
echo "fixed 1,000 requests/s, hey -c 50 -q 20 -z ${seconds}s, median of $runs runs:"
echo "  upstream nginx directly  p99 $hu us   p50 $(med "${hu_p50[@]}") us   ($(med "${hu_rps[@]}") req/s)"
echo "  agentd                   p99 $ha us   p50 $(med "${ha_p50[@]}") us   ($(med "${ha_rps[@]}") req/s)"
echo "  nginx proxy              p99 $hp us   p50 $(med "${hp_p50[@]}") us   ($(med "${hp_rps[@]}") req/s)"
echo "  p99 added by agentd: $(awk -v a="$ha" -v u="$hu" 'BEGIN {print a - u}') us (nginx's proxy adds $(awk -v a="$hp" -v u="$hu" 'BEGIN {print a - u}') us)"
echo "agentd RSS after the wrk runs: $rss_after_wrk KiB"
awk -v r="$ratio" 'BEGIN {exit !(r >= 0.5)}' || exit 1
if [ -n "${BENCH_PROTECTED:-}" ]; then
  echo "access log lines written: $(grep -c '"msg":"request"' "$work/agentd.log") (first: $(grep -m1 '"msg":"request"' "$work/agentd.log"))"
fi
