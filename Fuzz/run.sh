#!/usr/bin/env bash
# Builds a parser fuzzer (libFuzzer + AddressSanitizer, LeakSanitizer on) and runs it.
#
#   Fuzz/run.sh [seconds=60]                     the HTTP parser (from the repo root or anywhere)
#   FUZZ_TARGET=resp Fuzz/run.sh [seconds=60]    the Redis RESP parser and encoder
#   FUZZ_TARGET=jsonrpc Fuzz/run.sh [seconds=60] MCP's JSON-RPC framing (JSON and SSE answers)
#   FUZZ_TARGET=inbound Fuzz/run.sh [seconds=60] the Anthropic Messages and Responses request decoders and stream encoders
#
# Targets (FUZZ_TARGET, default http):
#   http  Sources/HTTP/*.swift + Fuzz/ParserFuzzer.swift → .build-fuzz/http-fuzzer
#         seeds Fuzz/corpus/, working corpus Fuzz/corpus-work/, dictionary Fuzz/http.dict
#   resp  Sources/Redis/RESP*.swift + Fuzz/RESPFuzzer.swift → .build-fuzz/resp-fuzzer
#         seeds Fuzz/resp-corpus/, working corpus Fuzz/corpus-work-resp/, dictionary Fuzz/resp.dict
#         (only the RESP*.swift files: the rest of Sources/Redis does I/O and is not built here)
#   jsonrpc Sources/JSON/*.swift + Sources/HTTP/{ServerSentEvent,ServerSentEventParser,ASCII}.swift + Sources/MCP/JSONRPC.swift
#         + Fuzz/JSONRPCFuzzer.swift → .build-fuzz/jsonrpc-fuzzer; seeds Fuzz/jsonrpc-corpus/, working corpus
#         Fuzz/corpus-work-jsonrpc/, dictionary Fuzz/jsonrpc.dict
#   inbound Sources/JSON/*.swift + Sources/LLM/Chat/*.swift + Sources/Inbound/**/*.swift + Fuzz/InboundFuzzer.swift
#         → .build-fuzz/inbound-fuzzer; seeds Fuzz/inbound-corpus/, working corpus Fuzz/corpus-work-inbound/,
#         dictionary Fuzz/inbound.dict
# Seeds are checked in; working corpora are gitignored and seeded from them. Crashes, leaks and timeouts:
# Fuzz/artifacts/ (gitignored; the resp target's names start with "resp-"). Binaries: .build-fuzz/ (gitignored).
# Exits non-zero when libFuzzer finds a crash, a leak, a timeout or an out-of-memory input.
# Reproduce one artifact: .build-fuzz/http-fuzzer Fuzz/artifacts/crash-<sha1>
#                         .build-fuzz/resp-fuzzer Fuzz/artifacts/resp-crash-<sha1>
# Extra arguments after the seconds are passed to libFuzzer (e.g. -jobs=2 -workers=2).
set -euo pipefail

seconds=${1:-60}
shift || true
case "$seconds" in
  ''|*[!0-9]*) echo "usage: $0 [seconds] [libFuzzer options...]" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

target=${FUZZ_TARGET:-http}
case "$target" in
  http)
    module=HTTPFuzz; sources=(Sources/HTTP/*.swift Fuzz/ParserFuzzer.swift Fuzz/Invariant.swift)
    seeds=Fuzz/corpus; work=Fuzz/corpus-work; dict=Fuzz/http.dict; artifact_name="" ;;
  resp)
    module=RESPFuzz; sources=(Sources/Redis/RESP*.swift Fuzz/RESPFuzzer.swift Fuzz/Invariant.swift)
    seeds=Fuzz/resp-corpus; work=Fuzz/corpus-work-resp; dict=Fuzz/resp.dict; artifact_name="resp-" ;;
  jsonrpc)
    module=JSONRPCFuzz; sources=(Sources/JSON/*.swift Sources/HTTP/ServerSentEvent.swift Sources/HTTP/ServerSentEventParser.swift Sources/HTTP/ASCII.swift Sources/MCP/JSONRPC.swift Fuzz/JSONRPCFuzzer.swift Fuzz/Invariant.swift)
    seeds=Fuzz/jsonrpc-corpus; work=Fuzz/corpus-work-jsonrpc; dict=Fuzz/jsonrpc.dict; artifact_name="jsonrpc-" ;;
  inbound)
    module=InboundFuzz; sources=(Sources/JSON/*.swift Sources/LLM/Chat/*.swift Sources/Inbound/*.swift Sources/Inbound/*/*.swift Fuzz/InboundFuzzer.swift Fuzz/Invariant.swift)
    seeds=Fuzz/inbound-corpus; work=Fuzz/corpus-work-inbound; dict=Fuzz/inbound.dict; artifact_name="inbound-" ;;
  *) echo "FUZZ_TARGET must be http, resp, jsonrpc or inbound, not $target" >&2; exit 2 ;;
esac

swiftc_bin=${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}
out_dir="$root/.build-fuzz"
binary="$out_dir/$target-fuzzer"
mkdir -p "$out_dir" "$work" Fuzz/artifacts

echo "building $binary"
"$swiftc_bin" -sanitize=fuzzer,address -parse-as-library -O -g -swift-version 6 -use-ld=lld \
  -module-name "$module" -module-cache-path "$out_dir/module-cache" \
  "${sources[@]}" -o "$binary"

# Seeds go in first; what the fuzzer found on earlier runs stays.
cp -n "$seeds"/* "$work"/ 2>/dev/null || true

echo "fuzzing for ${seconds}s"
set +e
# The Swift runtime's own backtracer would take over crash signals from libFuzzer (and can hang under ASan).
SWIFT_BACKTRACE=enable=no \
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
"$binary" "$work" \
  -max_total_time="$seconds" -dict="$dict" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -detect_leaks=1 -artifact_prefix="$root/Fuzz/artifacts/$artifact_name" "$@"
status=$?
set -e

if [ "$status" -ne 0 ]; then
  echo "fuzzer exited with status $status; artifacts in $root/Fuzz/artifacts/:" >&2
  ls -l "$root/Fuzz/artifacts/" >&2 || true
  exit "$status"
fi
echo "no crash in ${seconds}s; corpus: $(ls "$work" | wc -l) inputs"
