#!/usr/bin/env bash
# The libcurl floor: what one upstream call costs through agentd's transfer engine (libcurl's multi interface on
# one thread) before any HTTP serving, JSON or gateway work: calls/s and CPU µs per call (getrusage) with
# `in flight` calls against nginx answering a canned chat completion on loopback (the upstream of
# bench/passthrough.sh). Compare with the µs per request agentd spends in the pass-through benchmark.
#
#   bench/curl-floor.sh [in flight=64] [seconds=10]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
. "$(dirname "$0")/lib.sh"
need nginx nginx-light
cleanup() { [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
(cd "$here" && swift build -c release --product agentd-microbench >/dev/null)
bin=$(cd "$here" && swift build -c release --show-bin-path)
port=$(( 18300 + RANDOM % 100 ))
completion=$bench_completion
cat >"$work/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$port; location = /v1/chat/completions { default_type application/json; return 200 '$completion'; } }
}
NGINX
nginx -c "$work/nginx.conf"
echo "$(date -u +%FT%TZ), load average $(cut -d" " -f1-3 /proc/loadavg), $(nproc) cores"
"$bin/agentd-microbench" transfers "http://127.0.0.1:$port/v1/chat/completions" "${1:-64}" "${2:-10}"
