#!/usr/bin/env bash
# Runs agentd's whole test suite: unit tests and end-to-end tests against live servers on loopback, then
# the official OpenAI Python SDK against a live agentd (in a venv this script makes: .venv/).
#   scripts/test.sh                 debug build
#   SANITIZE=thread scripts/test.sh the Swift suite under ThreadSanitizer (also: address)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
# prometheus: for promtool, which checks the /metrics exposition (MetricsEndpointTests, PromtoolTests).
agentd_install_debian_packages libcurl4-openssl-dev nginx-light openssl prometheus
ulimit -n 65536 2>/dev/null || true
# Serial: the end-to-end tests start real servers and processes and check timing (deadlines, drains);
# run side by side on two cores they starve each other. Serially the whole suite takes about 30 s.
if [ "${SANITIZE:-}" = address ]; then
  export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
fi
if [ -n "${SANITIZE:-}" ]; then
  # Its own build folder, so the sanitized build does not replace the normal one.
  swift test --scratch-path ".build-$SANITIZE" --sanitize="$SANITIZE" --disable-xctest --no-parallel
else
  swift test --disable-xctest --no-parallel
  # The OpenAI SDK compatibility tests use the binaries the Swift tests just built.
  command -v python3 >/dev/null 2>&1 || agentd_install_debian_packages python3
  if ! python3 -m venv --help >/dev/null 2>&1; then agentd_install_debian_packages python3-venv; fi
  if [ ! -x .venv/bin/pytest ] || ! .venv/bin/python -c 'import openai' 2>/dev/null; then
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check openai pytest
  fi
  AGENTD_BIN_DIR="$(swift build --show-bin-path)" .venv/bin/pytest -q Tests/sdk
  # The deployment artefacts: hadolint, kustomize + kubernetes-validate, yamllint, promtool check config, the
  # Grafana dashboard's metric names.
  scripts/validate-deploy.sh
fi
