#!/usr/bin/env bash
# The inbound APIs agentd translates, against its Chat Completions pass-through, on loopback.
#
#   bench/inbound-apis.sh [runs=3] [seconds=5]
#
# One agentd (release), one mock-llm as the upstream, reached as two providers: `oai` (OpenAI kind, base .../v1)
# and `ant` (Anthropic kind). Three non-streaming routes, each answered by mock-llm's "echo: hi":
#   messages   POST /v1/messages          {"model":"ant:claude-3-5-haiku-latest","max_tokens":64,...}  Anthropic in,
#              Anthropic-kind upstream (decoded, run through the pipeline, encoded again)
#   responses  POST /v1/responses         {"model":"oai:gpt-4o-mini","input":"hi"}  Responses in, Chat Completions
#              upstream (translated both ways; stored for previous_response_id, as by default)
#   reference  POST /v1/chat/completions  {"model":"oai:gpt-4o-mini","messages":[...]}  OpenAI in and out
# wrk -t1 -c64 on each, alternating (each run starts with the next route), `runs` times `seconds`: medians of the requests/s and of wrk's own p50/p99
# (--latency), and each route's ratio to the reference (the goal: >= 0.9). Every answer must be a 200: the script
# stops if wrk counts errors or non-2xx answers. Exit status 1 when a ratio is below 0.9.
# agentd runs without logging requests (AGENTD_LOG_LEVEL=warning) and without the token bucket; mock-llm at warning.
# At the defaults it takes about a minute.
#
# Binaries: BENCH_BIN_DIR=<dir with agentd and mock-llm> uses them as they are; otherwise `swift build -c release`
# (BENCH_SCRATCH_PATH=<dir> adds --scratch-path). Needs wrk and curl (installed when missing). Ports picked free
# from 18500-18599.
set -euo pipefail
runs=${1:-3}
seconds=${2:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pids=()

. "$(dirname "$0")/lib.sh"
need wrk wrk
need curl curl
need ss iproute2

trap bench_cleanup EXIT
trap 'exit 130' INT TERM
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

echo "$(date -u +%FT%TZ), load average $(cut -d" " -f1-3 /proc/loadavg), $(nproc) cores"
bin=$(bench_binaries "$here" agentd)
mock_bin=$(bench_binaries "$here" mock-llm)
read -r mock_port agentd_port < <(free_ports 2 18500 18599)

MOCK_LLM_PORT=$mock_port MOCK_LLM_LOG_LEVEL=warning "$mock_bin/mock-llm" >"$work/mock.log" 2>&1 &
pids+=("$!")
env AGENTD_PORT="$agentd_port" AGENTD_MAX_CONNECTIONS=20000 AGENTD_LOG_LEVEL=warning AGENTD_RATE_LIMIT_RPS=0 \
  AGENTD_PROVIDER_OAI_BASE_URL="http://127.0.0.1:$mock_port/v1" \
  AGENTD_PROVIDER_ANT_BASE_URL="http://127.0.0.1:$mock_port" AGENTD_PROVIDER_ANT_KIND=anthropic \
  "$bin/agentd" >"$work/agentd.log" 2>&1 &
agentd_pid=$!; pids+=("$agentd_pid")
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$agentd_port/health/live" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$agentd_port/health/live" >/dev/null || { echo "agentd did not start:"; cat "$work/agentd.log"; exit 1; }

names=(messages responses reference)
declare -A path body expect
path[messages]=/v1/messages
body[messages]='{"model":"ant:claude-3-5-haiku-latest","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}'
expect[messages]='"type":"message"'
path[responses]=/v1/responses
body[responses]='{"model":"oai:gpt-4o-mini","input":"hi"}'
expect[responses]='"object":"response"'
path[reference]=/v1/chat/completions
body[reference]='{"model":"oai:gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}'
expect[reference]='"object":"chat.completion"'

for name in "${names[@]}"; do
  url="http://127.0.0.1:$agentd_port${path[$name]}"
  # The Anthropic SDK's version header goes to every route; only /v1/messages reads it.
  answer=$(curl -s --max-time 5 -w '\n%{http_code}' "$url" -H 'Content-Type: application/json' \
    -H 'anthropic-version: 2023-06-01' -d "${body[$name]}")
  if [ "${answer##*$'\n'}" != 200 ] || ! grep -q "${expect[$name]}" <<<"$answer" || ! grep -q 'echo: hi' <<<"$answer"; then
    echo "bad answer from $url:"; echo "$answer"; exit 1
  fi
  echo "$name answers: ${answer%$'\n'*}"
  cat >"$work/$name.lua" <<EOF
wrk.method = "POST"
wrk.body = '${body[$name]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["anthropic-version"] = "2023-06-01"
EOF
done

# agentd_alive: exits 1 with agentd's exit status and log when it is gone (run in the script's own shell: wait).
agentd_alive() {
  local status=0
  kill -0 "$agentd_pid" 2>/dev/null && return 0
  wait "$agentd_pid" || status=$?
  echo "agentd exited (status $status); its log:" >&2; tail -20 "$work/agentd.log" >&2
  exit 1
}
# wrk's summary: requests/s, the p50 and the p99 in microseconds; stops on errors or non-2xx answers.
run_wrk() { # lua url
  local out rps p50 p99 bad
  out=$(wrk -t1 -c64 -d"${seconds}s" --latency -s "$1" "$2") || { echo "wrk against $2 failed" >&2; exit 1; }
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(to_us "$(awk '$1=="50%" {print $2}' <<<"$out")")
  p99=$(to_us "$(awk '$1=="99%" {print $2}' <<<"$out")")
  bad=$(grep -E 'Non-2xx|Socket errors' <<<"$out" || true)
  if [ -n "$bad" ]; then echo "wrk against $2: $bad" >&2; echo "$out" >&2; exit 1; fi
  echo "$rps $p50 $p99"
}

# Warm-up: connections, agentd's pools to mock-llm, caches.
for name in "${names[@]}"; do
  wrk -t1 -c64 -d2s -s "$work/$name.lua" "http://127.0.0.1:$agentd_port${path[$name]}" >/dev/null || agentd_alive
done

echo "wrk -t1 -c64 -d${seconds}s, non-streaming (agentd pid $agentd_pid :$agentd_port, mock-llm :$mock_port):"
declare -A rps p50 p99
for i in $(seq "$runs"); do
  line="  run $i:"
  # Each run starts with the next route, so none always runs first (or last, on a machine warming up).
  order=("${names[@]:$(((i - 1) % 3))}" "${names[@]:0:$(((i - 1) % 3))}")
  for name in "${order[@]}"; do
    res=$(run_wrk "$work/$name.lua" "http://127.0.0.1:$agentd_port${path[$name]}") || { agentd_alive; exit 1; }
    read -r r m p <<<"$res"
    rps[$name]+="$r "; p50[$name]+="$m "; p99[$name]+="$p "
    line+=" $name $r req/s (p50/p99 $m/$p us),"
  done
  echo "${line%,}"
done
agentd_alive
if [ -s "$work/agentd.log" ]; then echo "agentd logged (warning and above), last lines:"; tail -5 "$work/agentd.log" | sed 's/^/  /'; fi

# shellcheck disable=SC2086 # the lists are space-separated numbers
reference=$(med ${rps[reference]})
missed=0
echo
echo "median of $runs alternating runs, wrk -t1 -c64 -d${seconds}s:"
for name in "${names[@]}"; do
  # shellcheck disable=SC2086
  r=$(med ${rps[$name]}); m=$(med ${p50[$name]}); p=$(med ${p99[$name]})
  ratio=$(awk -v a="$r" -v b="$reference" 'BEGIN {printf "%.2f", a/b}')
  verdict=""
  if [ "$name" != reference ]; then
    if awk -v x="$ratio" 'BEGIN {exit !(x >= 0.9)}'; then verdict="(goal >= 0.9: ok)"; else verdict="(goal >= 0.9: MISSED)"; missed=1; fi
  fi
  printf '  %-10s %-28s %10s req/s   p50 %6s us   p99 %6s us   ratio to reference %s %s\n' \
    "$name" "POST ${path[$name]}" "$r" "$m" "$p" "$ratio" "$verdict"
done
echo "agentd RSS after the runs: $(awk '/^VmRSS/ {print $2}' "/proc/$agentd_pid/status") KiB"
exit "$missed"
