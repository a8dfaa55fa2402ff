#!/usr/bin/env bash
# Builds the HTTP parser fuzzer (libFuzzer + AddressSanitizer, LeakSanitizer on) and runs it.
#
#   Fuzz/run.sh [seconds=60]        (from the repo root or anywhere)
#
# Seeds: Fuzz/corpus/ (checked in). Working corpus: Fuzz/corpus-work/ (gitignored; seeded from Fuzz/corpus/).
# Crashes, leaks and timeouts: Fuzz/artifacts/ (gitignored). Binary: .build-fuzz/ (gitignored).
# Exits non-zero when libFuzzer finds a crash, a leak, a timeout or an out-of-memory input.
# Reproduce one artifact: .build-fuzz/http-fuzzer Fuzz/artifacts/crash-<sha1>
# Extra arguments after the seconds are passed to libFuzzer (e.g. -jobs=2 -workers=2).
set -euo pipefail

seconds=${1:-60}
shift || true
case "$seconds" in
  ''|*[!0-9]*) echo "usage: $0 [seconds] [libFuzzer options...]" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

swiftc_bin=${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}
out_dir="$root/.build-fuzz"
binary="$out_dir/http-fuzzer"
mkdir -p "$out_dir" Fuzz/corpus-work Fuzz/artifacts

echo "building $binary"
"$swiftc_bin" -sanitize=fuzzer,address -parse-as-library -O -g -swift-version 6 -use-ld=lld \
  -module-name HTTPFuzz -module-cache-path "$out_dir/module-cache" \
  Sources/HTTP/*.swift Fuzz/ParserFuzzer.swift -o "$binary"

# Seeds go in first; what the fuzzer found on earlier runs stays.
cp -n Fuzz/corpus/* Fuzz/corpus-work/ 2>/dev/null || true

echo "fuzzing for ${seconds}s"
set +e
# The Swift runtime's own backtracer would take over crash signals from libFuzzer (and can hang under ASan).
SWIFT_BACKTRACE=enable=no \
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
"$binary" Fuzz/corpus-work \
  -max_total_time="$seconds" -dict=Fuzz/http.dict -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -detect_leaks=1 -artifact_prefix="$root/Fuzz/artifacts/" "$@"
status=$?
set -e

if [ "$status" -ne 0 ]; then
  echo "fuzzer exited with status $status; artifacts in $root/Fuzz/artifacts/:" >&2
  ls -l "$root/Fuzz/artifacts/" >&2 || true
  exit "$status"
fi
echo "no crash in ${seconds}s; corpus: $(ls Fuzz/corpus-work | wc -l) inputs"
