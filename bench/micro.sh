#!/usr/bin/env bash
# Microbenchmarks of the per-request primitives: a rate limiter decision, a counter increment and a histogram
# observation, in ns/op on 1 thread and on 2 threads at once (median of runs). Release build.
#
#   bench/micro.sh [operations per thread=2000000] [runs=5]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=(-c release)
[ -n "${BENCH_SCRATCH_PATH:-}" ] && build+=(--scratch-path "$BENCH_SCRATCH_PATH")
(cd "$here" && swift build "${build[@]}" --product agentd-microbench >/dev/null)
bin=$(cd "$here" && swift build "${build[@]}" --show-bin-path)
echo "$(date -u +%FT%TZ), load average $(cut -d" " -f1-3 /proc/loadavg), $(nproc) cores"
"$bin/agentd-microbench" "${1:-2000000}" "${2:-5}"
