#!/usr/bin/env bash
# Runs agentd's whole test suite: unit tests and end-to-end tests against live servers on loopback.
#   scripts/test.sh                 debug build
#   SANITIZE=thread scripts/test.sh the same suite under ThreadSanitizer (also: address)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
agentd_install_debian_packages libcurl4-openssl-dev
ulimit -n 65536 2>/dev/null || true
if [ "${SANITIZE:-}" = address ]; then
  export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
fi
if [ -n "${SANITIZE:-}" ]; then
  # Its own build folder, so the sanitized build does not replace the normal one.
  swift test --scratch-path ".build-$SANITIZE" --sanitize="$SANITIZE" --disable-xctest
else
  swift test --disable-xctest
fi
