#!/usr/bin/env bash
# Helpers the benchmark scripts share. Sourced, not run.

# The one Debian installer every script uses (apt-get update once, sudo when not root, one line saying why).
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/deps.sh"

# need COMMAND PACKAGE: installs the Debian package when the command is missing.
need() { command -v "$1" >/dev/null 2>&1 || agentd_install_debian_packages "the benchmark runs $1" "$2"; }

# stop PID...: SIGTERM, then SIGKILL for whatever has not exited 5 s later.
stop() {
  local pid
  for pid in "$@"; do kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 50); do
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && break; pid=; done
    [ -z "$pid" ] && break
    sleep 0.1
  done
  for pid in "$@"; do kill -9 "$pid" 2>/dev/null && echo "pid $pid did not stop on SIGTERM within 5 s: killed" >&2 || true; done
}

# free_ports COUNT [FIRST LAST]: COUNT TCP ports nothing listens on, from FIRST-LAST (default 18100-18199).
free_ports() {
  local first=${2:-18100} last=${3:-18199} used port found=()
  used=$(ss -Htan 2>/dev/null | awk '{print $4}' | sed 's/.*://' | sort -u)
  for port in $(seq "$first" "$last"); do
    grep -qx "$port" <<<"$used" || found+=("$port")
    [ "${#found[@]}" -ge "$1" ] && break
  done
  [ "${#found[@]}" -ge "$1" ] || { echo "no free port in $first-$last" >&2; exit 2; }
  echo "${found[@]}"
}

# to_us DURATION: wrk's "1.23ms" / "456.00us" / "1.02s" / "1.5m" in microseconds.
to_us() {
  awk -v v="$1" 'BEGIN { if (v ~ /us$/) {sub(/us$/,"",v); print v+0} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v*1000} else if (v ~ /m$/) {sub(/m$/,"",v); print v*60000000} else {sub(/s$/,"",v); print v*1000000} }'
}

# median (numbers on stdin, one a line) and med NUMBER...: the median.
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
med() { printf '%s\n' "$@" | median; }

# bench_binaries HERE PRODUCT: the directory of release binaries to measure: BENCH_BIN_DIR as it is, else
# `swift build -c release --product PRODUCT` in HERE (BENCH_SCRATCH_PATH adds --scratch-path). Exits 2 when
# PRODUCT is not there.
bench_binaries() {
  local here=$1 product=$2 bin build=(-c release)
  if [ -n "${BENCH_BIN_DIR:-}" ]; then
    bin=$BENCH_BIN_DIR
  else
    [ -n "${BENCH_SCRATCH_PATH:-}" ] && build+=(--scratch-path "$BENCH_SCRATCH_PATH")
    (cd "$here" && swift build "${build[@]}" --product "$product" >/dev/null)
    bin=$(cd "$here" && swift build "${build[@]}" --show-bin-path)
  fi
  [ -x "$bin/$product" ] || { echo "no $product in $bin" >&2; exit 2; }
  echo "$bin"
}

# The canned OpenAI chat completion every proxy benchmark's nginx upstream answers with.
bench_completion='{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I help you today?"},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":8,"completion_tokens":9,"total_tokens":17}}'

# bench_cleanup: stops every pid in the caller's `pids` and the nginx whose pid file is in `work`, then removes
# `work`. For `trap bench_cleanup EXIT`.
bench_cleanup() {
  local pid
  stop "${pids[@]}"
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
