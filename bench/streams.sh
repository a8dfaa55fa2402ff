#!/usr/bin/env bash
# Concurrency: N concurrent streaming chats through agentd, against the same streams taken from mock-llm directly.
#
#   bench/streams.sh [streams=10000] [runs=3]
#
# Each stream is POST /v1/chat/completions with "stream": true; the upstream (mock-llm) sends 10 content chunks
# 200 ms apart (model option chunks=10&chunk_delay_ms=200), so every stream lasts ~1.8 s and all N are open at once.
# bench/streamload.c (built here with gcc -O2) holds the N connections on one epoll thread, ramping them up in batches
# (RAMP_BATCH=500 connections every RAMP_INTERVAL_MS=50 ms), and reads each SSE answer to its end.
# Each run, alternating: (a) the N streams against mock-llm directly (the baseline), (b) the same N through agentd,
# whose provider `up` is that mock-llm, a fresh agentd process each run (so its memory is that run's). Printed per run
# and as medians over the runs:
#   - streams completed / failed through agentd (the goal: all N complete)
#   - agentd's thread count: max of /proc/<pid>/status Threads sampled every 100 ms (goal: <= 32)
#   - agentd's memory: max VmRSS sample and VmHWM (goal: <= 256 MiB)
#   - TTFB p50/p99 and stream duration p50/p99, direct and through agentd, and the TTFB added by agentd
#     (through agentd minus direct; TTFB = first body byte after the whole request was written)
#   - the first byte counted from the connect's start, direct and through agentd, and what agentd adds to it: a
#     burst waits in the server's accept queue, which TTFB leaves out of the direct run but not of agentd's (agentd
#     opens its upstream connections during the same burst, and waits in mock-llm's queue inside its own TTFB)
# mock-llm's own threads and RSS (sampled the same way during the direct runs) are printed for reference.
#
# Binaries: BENCH_BIN_DIR=<dir with agentd and mock-llm> uses them as they are; otherwise they are built with
# `swift build -c release` (BENCH_SCRATCH_PATH=<dir> adds --scratch-path) and taken from --show-bin-path.
# Needs gcc and curl (installed when missing). Loopback only; ports picked free from 18100-18199; every run is
# bounded by STREAM_TIMEOUT_S (default 60). Exit status 1 when a goal is missed.
# agentd needs two descriptors per stream (client and upstream socket): under an open-file hard limit of 20000 it
# can hold ~9980 streams at most, and the rest fail with 502 "Couldn't connect" (the script warns when N is too big).
set -euo pipefail
streams=${1:-10000}
runs=${2:-3}
ramp_batch=${RAMP_BATCH:-500}
ramp_interval_ms=${RAMP_INTERVAL_MS:-50}
stream_timeout_s=${STREAM_TIMEOUT_S:-60}
max_threads=32
max_rss_kib=$((256 * 1024))
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pids=()

. "$(dirname "$0")/lib.sh"
need gcc gcc
need curl curl
need ss iproute2

cleanup() {
  local pid
  stop "${pids[@]}"
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# agentd holds two descriptors per stream (the client's and its upstream connection): raise the soft limit to the hard one.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fd_limit=$(ulimit -n)
if [ "$fd_limit" != unlimited ] && [ $((2 * streams + 64)) -gt "$fd_limit" ]; then
  echo "warning: agentd needs ~$((2 * streams + 64)) descriptors for $streams streams (client + upstream socket each)" \
       "but the open-file limit is $fd_limit and cannot be raised here: streams beyond ~$(((fd_limit - 64) / 2)) may fail for that reason alone"
fi

echo "$(date -u +%FT%TZ), load average $(cut -d" " -f1-3 /proc/loadavg), $(nproc) cores"
if [ -n "${BENCH_BIN_DIR:-}" ]; then
  bin=$BENCH_BIN_DIR
else
  build=(-c release)
  [ -n "${BENCH_SCRATCH_PATH:-}" ] && build+=(--scratch-path "$BENCH_SCRATCH_PATH")
  (cd "$here" && swift build "${build[@]}" --product agentd >/dev/null && swift build "${build[@]}" --product mock-llm >/dev/null)
  bin=$(cd "$here" && swift build "${build[@]}" --show-bin-path)
fi
[ -x "$bin/agentd" ] && [ -x "$bin/mock-llm" ] || { echo "no agentd or mock-llm in $bin" >&2; exit 2; }
gcc -O2 -o "$work/streamload" "$here/bench/streamload.c"

# Two free ports from 18100-18199 (nothing listening there now).
read -r mock_port agentd_port < <(free_ports 2)

MOCK_LLM_PORT=$mock_port MOCK_LLM_LOG_LEVEL=warning MOCK_LLM_MAX_CONNECTIONS=20000 "$bin/mock-llm" >"$work/mock.log" 2>&1 &
mock_pid=$!; pids+=("$mock_pid")
# All streams come from one address: the per-client rate limit (10/s by default) is off for this benchmark.
# Each run gets a fresh agentd (its memory figures are that run's, not what malloc kept from the run before).
start_agentd() {
  AGENTD_PORT=$agentd_port AGENTD_LOG_LEVEL=warning AGENTD_MAX_CONNECTIONS=20000 AGENTD_RATE_LIMIT_RPS=0 \
    AGENTD_PROVIDER_UP_BASE_URL="http://127.0.0.1:$mock_port/v1" \
    "$bin/agentd" >>"$work/agentd.log" 2>&1 &
  agentd_pid=$!; pids+=("$agentd_pid")
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$agentd_port/health/live" >/dev/null && break; sleep 0.1; done
}
start_agentd
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$mock_port/health" >/dev/null && curl -sf "http://127.0.0.1:$agentd_port/health/live" >/dev/null && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$mock_port/health" >/dev/null || { echo "mock-llm did not start:"; cat "$work/mock.log"; exit 1; }
curl -sf "http://127.0.0.1:$agentd_port/health/live" >/dev/null || { echo "agentd did not start:"; cat "$work/agentd.log"; exit 1; }

options='chunks=10&chunk_delay_ms=200'
words='one two three four five six seven eight nine ten'  # "echo: " + 10 words: 11 words, so 10 chunks
direct_body='{"model":"m?'$options'","stream":true,"messages":[{"role":"user","content":"'$words'"}]}'
agentd_body='{"model":"up:m?'$options'","stream":true,"messages":[{"role":"user","content":"'$words'"}]}'

# One stream each way first: the answer must be a whole SSE stream ending in [DONE].
for target in "$mock_port $direct_body" "$agentd_port $agentd_body"; do
  port=${target%% *}; body=${target#* }
  answer=$(curl -sN --max-time 10 "http://127.0.0.1:$port/v1/chat/completions" -H 'Content-Type: application/json' -d "$body")
  grep -q '^data: \[DONE\]' <<<"$answer" || { echo "no complete stream from port $port:"; echo "$answer" | head -20; exit 1; }
done

# Samples /proc/<pid>/status every 100 ms until killed; each line: threads vmrss_kib vmhwm_kib.
sample() { # pid file
  local k v th rss hwm
  while :; do
    th=0 rss=0 hwm=0
    while read -r k v _; do
      case $k in Threads:) th=$v ;; VmRSS:) rss=$v ;; VmHWM:) hwm=$v ;; esac
    done <"/proc/$1/status" || break
    echo "$th $rss $hwm" >>"$2"
    sleep 0.1
  done
}
# max of column $2 in file $1
col_max() { awk -v c="$2" 'BEGIN {m = 0} $c > m {m = $c} END {print m}' "$1"; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

run_load() { # port body pid-to-sample samples-file
  local sampler out
  : >"$4"
  sample "$3" "$4" &
  sampler=$!
  out=$("$work/streamload" -p "$1" -b "$2" -n "$streams" -B "$ramp_batch" -I "$ramp_interval_ms" -t "$stream_timeout_s") || true
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  echo "$out"
}

echo "agentd pid $agentd_pid on :$agentd_port, mock-llm pid $mock_pid on :$mock_port; $streams streams per run, $runs runs"
echo "agentd idle: $(awk '/^Threads/ {t=$2} /^VmRSS/ {r=$2} END {print t " threads, VmRSS " r " KiB"}' "/proc/$agentd_pid/status")"
d_ttfb50=(); d_ttfb99=(); d_dur50=(); d_dur99=(); a_ttfb50=(); a_ttfb99=(); a_dur50=(); a_dur99=()
d_first50=(); d_first99=(); a_first50=(); a_first99=()
a_done=(); d_done=(); a_threads=(); a_rss=(); a_hwm=(); m_threads=(); m_rss=()
for i in $(seq "$runs"); do
  out=$(run_load "$mock_port" "$direct_body" "$mock_pid" "$work/mock.samples")
  echo "run $i, direct to mock-llm:"; grep -v '^RESULT' <<<"$out" | sed 's/^/  /'
  res=$(grep '^RESULT' <<<"$out")
  d_done+=("$(field completed "$res")"); d_ttfb50+=("$(field ttfb_p50 "$res")"); d_ttfb99+=("$(field ttfb_p99 "$res")")
  d_dur50+=("$(field dur_p50 "$res")"); d_dur99+=("$(field dur_p99 "$res")")
  d_first50+=("$(field first_p50 "$res")"); d_first99+=("$(field first_p99 "$res")")
  m_threads+=("$(col_max "$work/mock.samples" 1)"); m_rss+=("$(col_max "$work/mock.samples" 2)")
  echo "  mock-llm: max threads ${m_threads[-1]}, max VmRSS ${m_rss[-1]} KiB"
  sleep 2

  if [ "$i" -gt 1 ]; then
    stop "$agentd_pid"; wait "$agentd_pid" 2>/dev/null || true
    start_agentd
    curl -sf "http://127.0.0.1:$agentd_port/health/live" >/dev/null || { echo "agentd did not restart:"; tail -20 "$work/agentd.log"; exit 1; }
  fi
  out=$(run_load "$agentd_port" "$agentd_body" "$agentd_pid" "$work/agentd.samples")
  kill -0 "$agentd_pid" 2>/dev/null || { echo "agentd exited during run $i:"; tail -20 "$work/agentd.log"; exit 1; }
  echo "run $i, through agentd:"; grep -v '^RESULT' <<<"$out" | sed 's/^/  /'
  res=$(grep '^RESULT' <<<"$out")
  a_done+=("$(field completed "$res")"); a_ttfb50+=("$(field ttfb_p50 "$res")"); a_ttfb99+=("$(field ttfb_p99 "$res")")
  a_dur50+=("$(field dur_p50 "$res")"); a_dur99+=("$(field dur_p99 "$res")")
  a_first50+=("$(field first_p50 "$res")"); a_first99+=("$(field first_p99 "$res")")
  a_threads+=("$(col_max "$work/agentd.samples" 1)"); a_rss+=("$(col_max "$work/agentd.samples" 2)"); a_hwm+=("$(col_max "$work/agentd.samples" 3)")
  echo "  agentd: max threads ${a_threads[-1]}, max VmRSS ${a_rss[-1]} KiB, VmHWM ${a_hwm[-1]} KiB ($(wc -l <"$work/agentd.samples") samples)"
  sleep 2
done
if [ -s "$work/agentd.log" ]; then echo "agentd logged (warning and above), last lines:"; tail -5 "$work/agentd.log" | sed 's/^/  /'; fi

max() { printf '%s\n' "$@" | sort -n | tail -1; }
min() { printf '%s\n' "$@" | sort -n | head -1; }
dt50=$(med "${d_ttfb50[@]}"); dt99=$(med "${d_ttfb99[@]}"); at50=$(med "${a_ttfb50[@]}"); at99=$(med "${a_ttfb99[@]}")
threads=$(max "${a_threads[@]}"); rss=$(max "${a_rss[@]}"); hwm=$(max "${a_hwm[@]}")
done_min=$(min "${a_done[@]}")
ok_done=0; [ "$done_min" = "$streams" ] && ok_done=1
ok_threads=0; [ "$threads" -le "$max_threads" ] && ok_threads=1
ok_rss=0; [ "$hwm" -le "$max_rss_kib" ] && [ "$rss" -le "$max_rss_kib" ] && ok_rss=1
verdict() { if [ "$1" = 1 ]; then echo ok; else echo MISSED; fi; }

echo
echo "$streams concurrent streams (10 chunks, 200 ms apart), $runs alternating runs, medians (ms):"
printf '  %-16s %10s %10s %10s %10s %12s\n' "" "TTFB p50" "TTFB p99" "dur p50" "dur p99" "completed"
printf '  %-16s %10.2f %10.2f %10.1f %10.1f %12s\n' "mock-llm direct" "$dt50" "$dt99" "$(med "${d_dur50[@]}")" "$(med "${d_dur99[@]}")" "$(IFS=/; echo "${d_done[*]}")"
printf '  %-16s %10.2f %10.2f %10.1f %10.1f %12s\n' "through agentd" "$at50" "$at99" "$(med "${a_dur50[@]}")" "$(med "${a_dur99[@]}")" "$(IFS=/; echo "${a_done[*]}")"
echo "  TTFB added by agentd: p50 $(awk -v a="$at50" -v d="$dt50" 'BEGIN {printf "%.2f", a-d}') ms, p99 $(awk -v a="$at99" -v d="$dt99" 'BEGIN {printf "%.2f", a-d}') ms"
df50=$(med "${d_first50[@]}"); df99=$(med "${d_first99[@]}"); af50=$(med "${a_first50[@]}"); af99=$(med "${a_first99[@]}")
echo "  first byte counted from the connect's start (includes waiting to be accepted), direct: p50 $df50 p99 $df99;" \
     "through agentd: p50 $af50 p99 $af99; added: p50 $(awk -v a="$af50" -v d="$df50" 'BEGIN {printf "%.2f", a-d}') ms," \
     "p99 $(awk -v a="$af99" -v d="$df99" 'BEGIN {printf "%.2f", a-d}') ms"
echo "  all $streams complete through agentd in every run: $(verdict $ok_done) (fewest: $done_min)"
echo "  agentd threads, max of 100 ms samples over all runs: $threads (<= $max_threads: $(verdict $ok_threads))"
echo "  agentd memory: max VmRSS sample $rss KiB ($((rss / 1024)) MiB), VmHWM $hwm KiB ($((hwm / 1024)) MiB) (<= 256 MiB: $(verdict $ok_rss));" \
     "median of the runs' peaks $(med "${a_rss[@]}") KiB ($(( $(med "${a_rss[@]}" | cut -d. -f1) / 1024 )) MiB), a fresh agentd each run"
echo "  mock-llm for reference: max threads $(max "${m_threads[@]}"), max VmRSS $(max "${m_rss[@]}") KiB"
[ $((ok_done * ok_threads * ok_rss)) = 1 ] || exit 1
