#!/usr/bin/env bash
# Agent tools run by agentd: what a tool step costs agentd itself, and 1,000 agent runs at once.
#
#   bench/tools.sh [runs=3] [seconds=5]
#
#  1. agentd's own time per tool step. nginx (Debian's nginx-light) is the tool: POST /tool answers a small JSON at
#     once. One agentd (release), two agents on the built-in mock (no network to a model):
#       plain   mock:echo, one model call;
#       tooled  mock:tool with an http tool on nginx: model call, the tool call, the next model call.
#     wrk -t1 -c8 POST /chat on each, alternating, `runs` times `seconds`; and wrk straight at nginx's /tool (the
#     tool's own time, the reference). A tool step's cost to agentd = tooled - plain - nginx at p50 (medians of the
#     runs, wrk's percentiles); at p99 tooled - plain (percentiles do not subtract: the tool's p99 stays in it).
#  2. 1,000 agent runs at once, each with 2 tool steps against a tool that answers in 200 ms (a Python asyncio
#     server), the model mock-llm (`tool=1&tool_steps=2`): hey -n 1000 -c 1000. Every answer must be a 200 with two
#     steps. Reported: the time for all, hey's p50/p99, agentd's threads and RSS (sampled every 50 ms, the highest).
# Binaries: BENCH_BIN_DIR=<dir with agentd and mock-llm>, else `swift build -c release`.
# Needs nginx-light, wrk, hey, curl and python3 (installed when missing). Ports picked free from 18400-18499.
set -euo pipefail
runs=${1:-3}
seconds=${2:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pids=()
. "$(dirname "$0")/lib.sh"
need nginx nginx-light
need hey hey
need wrk wrk
need curl curl
need ss iproute2
need python3 python3
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

echo "$(date -u +%FT%TZ), load average $(cut -d" " -f1-3 /proc/loadavg), $(nproc) cores"
bin=$(bench_binaries "$here" agentd)
mock_bin=$(bench_binaries "$here" mock-llm)
read -r tool_port agentd_port mock_port slow_port < <(free_ports 4 18400 18499)

cat >"$work/nginx.conf" <<EOF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$tool_port;
    location = /tool { default_type application/json; return 200 '{"temperature":21,"sky":"clear"}'; }
  }
}
EOF
nginx -c "$work/nginx.conf"

cat >"$work/agents.json" <<EOF
{"plain": {"model": "mock:echo"},
 "tooled": {"model": "mock:tool", "tools": [{"type": "http", "name": "get_weather", "url": "http://127.0.0.1:$tool_port/tool",
   "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}}]},
 "slow": {"model": "up:m?tool=1&tool_steps=2", "tools": [{"type": "http", "name": "get_weather", "url": "http://127.0.0.1:$slow_port/tool",
   "parameters": {"type": "object", "properties": {"query": {"type": "string"}}}}]}}
EOF

MOCK_LLM_PORT=$mock_port "$mock_bin/mock-llm" >"$work/mock.log" 2>&1 &
pids+=("$!")
# The 200 ms tool: a bare asyncio HTTP/1.1 server (one request per connection).
cat >"$work/slow.py" <<'PY'
import asyncio, sys
async def handle(reader, writer):
    try:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            return  # a probe that only connected
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        await asyncio.sleep(0.2)
        body = b'{"temperature":21}'
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        await writer.drain()
    finally:
        writer.close()
async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]), backlog=4096)
    async with server:
        await server.serve_forever()
asyncio.run(main())
PY
python3 "$work/slow.py" "$slow_port" &
pids+=("$!")

AGENTD_PORT=$agentd_port AGENTD_AGENTS_FILE="$work/agents.json" AGENTD_RATE_LIMIT_RPS=0 AGENTD_LOG_LEVEL=warning \
  AGENTD_PROVIDER_UP_BASE_URL="http://127.0.0.1:$mock_port/v1" "$bin/agentd" >"$work/agentd.log" 2>&1 &
agentd_pid=$!; pids+=("$agentd_pid")
for _ in $(seq 200); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$agentd_port/health/ready")" = 200 ] && break
  sleep 0.05
done
for port in "$mock_port" "$slow_port"; do
  for _ in $(seq 100); do (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
done
answer=$(curl -s -XPOST "http://127.0.0.1:$agentd_port/chat" -H 'Content-Type: application/json' -d '{"agent":"tooled","message":"Paris"}')
grep -q '"ok":true' <<<"$answer" || { echo "the tooled agent did not run its tool: $answer"; exit 1; }

# hey's "NN% in X secs" lines, in microseconds: percentile FILE PERCENT.
percentile() { awk -v p="$2%" '$1==p && $2=="in" {printf "%.0f", $3*1000000}' "$1"; }
check_hey() {
  local codes
  codes=$(awk '/Status code distribution/ {on=1; next} on && /\[[0-9]+\]/ {print $1}' "$1" | tr -d '[]' | sort -u | tr '\n' ' ')
  [ "$codes" = "200 " ] && ! grep -q 'Error distribution' "$1" || { echo "hey: errors or non-200 answers ($codes):"; cat "$1"; exit 1; }
}

# wrk (microsecond percentiles) with a POST body: wrk_post URL BODY OUT.
wrk_post() {
  cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$2'
wrk.headers["Content-Type"] = "application/json"
LUA
  wrk -t1 -c8 -d"${seconds}s" --latency -s "$work/post.lua" "$1" >"$3"
  if grep -qE 'Non-2xx|Socket errors' "$3"; then echo "wrk: errors or non-2xx answers:"; cat "$3"; exit 1; fi
}
wrk_p() { to_us "$(awk -v p="$2%" '$1==p {print $2}' "$1")"; }

plain50=(); plain99=(); tooled50=(); tooled99=(); nginx50=(); nginx99=()
for i in $(seq "$runs"); do
  wrk_post "http://127.0.0.1:$agentd_port/chat" '{"agent":"plain","message":"Paris"}' "$work/wrk-plain"
  wrk_post "http://127.0.0.1:$agentd_port/chat" '{"agent":"tooled","message":"Paris"}' "$work/wrk-tooled"
  wrk_post "http://127.0.0.1:$tool_port/tool" '{"query":"Paris"}' "$work/wrk-nginx"
  plain50+=("$(wrk_p "$work/wrk-plain" 50)"); plain99+=("$(wrk_p "$work/wrk-plain" 99)")
  tooled50+=("$(wrk_p "$work/wrk-tooled" 50)"); tooled99+=("$(wrk_p "$work/wrk-tooled" 99)")
  nginx50+=("$(wrk_p "$work/wrk-nginx" 50)"); nginx99+=("$(wrk_p "$work/wrk-nginx" 99)")
  echo "  run $i: plain p50 ${plain50[-1]} us p99 ${plain99[-1]} us; tooled p50 ${tooled50[-1]} us p99 ${tooled99[-1]} us; nginx /tool p50 ${nginx50[-1]} us p99 ${nginx99[-1]} us"
done
p50=$(awk -v t="$(med "${tooled50[@]}")" -v p="$(med "${plain50[@]}")" -v n="$(med "${nginx50[@]}")" 'BEGIN {print t-p-n}')
p99=$(awk -v t="$(med "${tooled99[@]}")" -v p="$(med "${plain99[@]}")" 'BEGIN {print t-p}')
echo
echo "POST /chat, wrk -t1 -c8 -d${seconds}s, medians of $runs runs (wrk's own percentiles):"
echo "  plain (1 model call)                       p50 $(med "${plain50[@]}") us   p99 $(med "${plain99[@]}") us"
echo "  tooled (model, tool, model)                p50 $(med "${tooled50[@]}") us   p99 $(med "${tooled99[@]}") us"
echo "  the tool alone (wrk straight at nginx)     p50 $(med "${nginx50[@]}") us   p99 $(med "${nginx99[@]}") us"
echo "  a tool step's cost to agentd: p50 $p50 us (tooled - plain - tool); at p99 tooled - plain = $p99 us, the tool's own p99 included (aim: under 1000 us)"

# 2. 1,000 runs at once.
peak_threads=0; peak_rss=0
sample() {
  while kill -0 "$agentd_pid" 2>/dev/null && [ ! -f "$work/stop-sampling" ]; do
    threads=$(ls "/proc/$agentd_pid/task" | wc -l)
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$agentd_pid/status")
    echo "$threads $rss" >>"$work/samples"
    sleep 0.05
  done
}
sample &
sampler=$!
started=$(date +%s%N)
hey -n 1000 -c 1000 -t 60 -m POST -T application/json -d '{"agent":"slow","message":"Rome"}' "http://127.0.0.1:$agentd_port/chat" >"$work/hey-slow"
elapsed=$(( ($(date +%s%N) - started) / 1000000 ))
touch "$work/stop-sampling"; wait "$sampler" 2>/dev/null || true
check_hey "$work/hey-slow"
grep -q '\[200\].*1000 responses' "$work/hey-slow" || { echo "not 1000 answers of 200:"; cat "$work/hey-slow"; exit 1; }
steps=$(curl -s -XPOST "http://127.0.0.1:$agentd_port/chat" -H 'Content-Type: application/json' -d '{"agent":"slow","message":"Rome"}' |
  python3 -c 'import json,sys; print(len(json.load(sys.stdin)["steps"]))')
[ "$steps" = 2 ] || { echo "a slow run made $steps tool steps, not 2"; exit 1; }
threads=$(sort -n -k1 "$work/samples" | tail -1 | awk '{print $1}')
rss=$(sort -n -k2 "$work/samples" | tail -1 | awk '{print $2}')
echo
echo "1000 agent runs at once (2 tool steps each, the tool answers in 200 ms; the model is mock-llm):"
echo "  all 1000 answered 200 in $elapsed ms; hey p50 $(percentile "$work/hey-slow" 50) us, p99 $(percentile "$work/hey-slow" 99) us"
echo "  agentd at its highest: $threads threads (limit 32), RSS $((rss / 1024)) MiB"
[ "$threads" -le 32 ] || { echo "more than 32 threads"; exit 1; }
