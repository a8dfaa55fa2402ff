#!/usr/bin/env bash
# Microbenchmarks of the per-request primitives: a rate limiter decision, a counter increment and a histogram
# observation, in ns/op on 1 thread and on 2 threads at once (median of runs). Release build.
#
#   bench/micro.sh [operations per thread=2000000] [runs=5]
#   bench/micro.sh journal [records=100000] [seconds per mode=2] [replay runs=5]
#     the task journal: replay time of `records` ~300-byte task records, and appends/s on 64 threads with group
#     commit and with one fdatasync per record (bound by the disk's fsync latency; the temp dir's disk).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=(-c release)
[ -n "${BENCH_SCRATCH_PATH:-}" ] && build+=(--scratch-path "$BENCH_SCRATCH_PATH")
(cd "$here" && swift build "${build[@]}" --product agentd-microbench >/dev/null)
bin=$(cd "$here" && swift build "${build[@]}" --show-bin-path)
echo "$(date -u +%FT%TZ), load average $(cut -d" " -f1-3 /proc/loadavg), $(nproc) cores"
if [ "${1:-}" = journal ]; then
    "$bin/agentd-microbench" "$@"
else
    "$bin/agentd-microbench" "${1:-2000000}" "${2:-5}"
fi
