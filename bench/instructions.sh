#!/usr/bin/env bash
# Instructions and allocations per proxied call: agentd under valgrind's callgrind, counted over a fixed number of
# calls after a warm-up, so the figure is the same from run to run on a noisy machine (time-based figures are not).
#
#   bench/instructions.sh [calls=2000] [stream=0]        (BENCH_CHUNK=openai: OpenAI-shaped stream chunks)
#
# The upstream is nginx answering the canned chat completion (as in passthrough.sh), or with stream=1 a canned
# SSE stream of a few chunks. The warm-up sends 200 calls with collection off (connections open, caches filled);
# then `callgrind_control -i on`, `calls` calls from curl over one keep-alive connection (--parallel-max 4 would add
# curl's own noise: one connection, one at a time, so each call is the lone request a c1 client sends), then off.
# Printed: instructions per call in total, in agentd's own code (frames in the agentd binary, which links its Swift
# modules statically), in libcurl, in the Swift runtime and in libc; calls to malloc per call; the top functions
# by exclusive instructions. Counts are user space only (valgrind does not see the kernel).
#
# Binaries as in passthrough.sh (BENCH_BIN_DIR, else a release build). Needs valgrind, nginx-light, curl.
set -euo pipefail
calls=${1:-2000}
stream=${2:-0}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pids=()

. "$(dirname "$0")/lib.sh"
need valgrind valgrind
need nginx nginx-light
need curl curl
need ss iproute2
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

bin=$(bench_binaries "$here" agentd)
# valgrind 3.19 cannot read the toolchain's DWARF 5: a copy without debug info keeps the symbols it needs.
objcopy --strip-debug "$bin/agentd" "$work/agentd"
read -r up_port agentd_port < <(free_ports 2)

# The chunks: minimal (the default, as in the first figures), or BENCH_CHUNK=openai for OpenAI's own shape (a
# 38-byte id, service tier, system fingerprint, logprobs and usage nulls), which costs more to read.
chunk='{"id":"c","object":"chat.completion.chunk","created":1700000000,"model":"m","choices":[{"index":0,"delta":{"content":"word "},"finish_reason":null}]}'
if [ "${BENCH_CHUNK:-minimal}" = openai ]; then
  chunk='{"id":"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT","object":"chat.completion.chunk","created":1741570283,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_eb9dce56a8","choices":[{"index":0,"delta":{"content":"word "},"logprobs":null,"finish_reason":null}],"usage":null}'
fi
events=""
for _ in 1 2 3 4 5 6 7 8; do events+="data: $chunk\n\n"; done
events+='data: {"id":"c","object":"chat.completion.chunk","created":1700000000,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":8,"completion_tokens":8,"total_tokens":16}}\n\ndata: [DONE]\n\n'
if [ "$stream" = 1 ]; then
  answer="default_type text/event-stream; return 200 '$events';"
  body='{"model":"ngx:gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}'
else
  answer="default_type application/json; return 200 '$bench_completion';"
  body='{"model":"ngx:gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}'
fi
cat >"$work/nginx.conf" <<EOF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$up_port; location = /v1/chat/completions { $answer } }
}
EOF
nginx -c "$work/nginx.conf"

env AGENTD_PORT=$agentd_port AGENTD_LOG_LEVEL=warning AGENTD_RATE_LIMIT_RPS=0 \
  AGENTD_PROVIDER_NGX_BASE_URL="http://127.0.0.1:$up_port/v1" \
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/callgrind.out" \
  "$work/agentd" >"$work/agentd.log" 2>&1 &
agentd_pid=$!; pids+=("$agentd_pid")
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$agentd_port/health/live" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$agentd_port/health/live" >/dev/null || { echo "agentd did not start:"; cat "$work/agentd.log"; exit 1; }

url="http://127.0.0.1:$agentd_port/v1/chat/completions"
printf '%s' "$body" >"$work/body.json"
# calls N: N POSTs on one keep-alive connection; every answer must be a 200.
send() {
  local config="$work/curl.cfg" codes
  : >"$config"
  for i in $(seq "$1"); do
    [ "$i" = 1 ] || echo next >>"$config"
    printf 'url = "%s"\nheader = "Content-Type: application/json"\ndata-binary = "@%s"\noutput = /dev/null\nwrite-out = "%%{http_code}\\n"\n' \
      "$url" "$work/body.json" >>"$config"
  done
  codes=$(curl -s --max-time 600 -K "$config" | sort | uniq -c)
  grep -qx " *$1 200" <<<"$codes" || { echo "not every call answered 200: $codes"; cat "$work/agentd.log"; exit 1; }
}
send 200
callgrind_control -i on "$agentd_pid" >/dev/null
send "$calls"
callgrind_control -i off "$agentd_pid" >/dev/null
callgrind_control -d "$agentd_pid" >/dev/null
sleep 1
out=$(ls -t "$work"/callgrind.out* | head -1)
[ -n "${BENCH_KEEP_PROFILE:-}" ] && cp "$out" "$BENCH_KEEP_PROFILE"

callgrind_annotate --inclusive=no --threshold=100 "$out" >"$work/annotate.txt" 2>/dev/null
total=$(awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}' "$work/annotate.txt")
per() { awk -v n="$1" -v c="$calls" 'BEGIN { printf "%.0f", n / c }'; }
# Exclusive instructions by object file (the bracketed path callgrind_annotate ends each line with).
by_object() {
  awk -v pat="$1" '/^ *[0-9,]+ .*:/ { n = $1; gsub(",", "", n); if ($0 ~ pat) s += n } END { printf "%.0f", s }' "$work/annotate.txt"
}
# Calls to malloc: the "calls=N" line under every call whose target is malloc, summed over the profile. Names are
# compressed ("cfn=(12) malloc" the first time, "cfn=(12)" after): ids are resolved from fn= and cfn= lines alike.
malloc_calls=$(awk '
  /^c?fn=\([0-9]+\)/ {
    line = $0; sub(/^c?fn=/, "", line); id = line; sub(/\).*/, ")", id); name = line; sub(/^\([0-9]+\) ?/, "", name)
    if (name != "") names[id] = name
    mark = ($0 ~ /^cfn=/ && names[id] == "malloc"); next
  }
  /^calls=/ { if (mark) { split($0, a, /[= ]/); s += a[2] } mark = 0 }
  END { printf "%.0f", s }' "$out")
echo "agentd under callgrind, $calls $([ "$stream" = 1 ] && echo streamed || echo non-streamed) calls, one at a time on one connection"
echo "instructions per call: $(per "$total") (agentd's own code $(per "$(by_object "/agentd\\]")"), libcurl $(per "$(by_object "/libcurl")"), Swift runtime $(per "$(by_object "/libswift")"), libc $(per "$(by_object "/libc\\.so")"))"
echo "malloc calls per call: $(per "$malloc_calls")"
echo "top functions by exclusive instructions per call:"
awk -v c="$calls" '/^ *[0-9,]+ .*:/ { n = $1; gsub(",", "", n); $1 = ""; printf "  %8.0f %s\n", n / c, substr($0, 1, 150); if (++k == 25) exit }' \
  <(sed -n '/^-* *$/,$p' "$work/annotate.txt" | grep -E '^ *[0-9,]+ ')
