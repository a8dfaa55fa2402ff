#!/usr/bin/env bash
# Runs agentd's whole test suite: unit tests and end-to-end tests against live servers on loopback, then
# the official OpenAI, Anthropic and OpenAI Agents Python SDKs and headless Chromium against a live agentd (in a
# venv this script makes: .venv/), then schemathesis against the OpenAPI document (in .venv-schemathesis/).
#   scripts/test.sh                 debug build
#   SANITIZE=thread scripts/test.sh the Swift suite under ThreadSanitizer (also: address)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
agentd_install_debian_packages "agentd calls its providers through libcurl" libcurl4-openssl-dev
agentd_install_debian_packages "agentd links OpenSSL (TLS to Redis, SHA-256, HMAC)" libssl-dev
agentd_install_debian_packages "the HTTP/2 upstream test runs nginx over TLS" nginx-light openssl
agentd_install_debian_packages "the shared-state tests run real Redis servers (plain, AOF, TLS)" redis-server
agentd_install_debian_packages "promtool checks the /metrics exposition" prometheus
ulimit -n 65536 2>/dev/null || true
# Serial: the end-to-end tests start real servers and processes and check timing (deadlines, drains);
# run side by side on two cores they starve each other. Serially the whole suite takes about 30 s.
if [ "${SANITIZE:-}" = address ]; then
  export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
fi
# The MCP tool tests start servers from the official MCP Python SDK, and the SDK tests use the OpenAI, Anthropic and
# OpenAI Agents SDKs: one venv. The browser test (CORS) drives Debian's headless Chromium.
agentd_python_venv .venv openai pytest mcp anthropic openai-agents
agentd_install_debian_packages "the browser test runs headless Chromium against agentd's CORS" chromium
# Package.swift declares exactly what each target imports (a text check, before anything builds).
.venv/bin/python scripts/check-targets.py
if [ -n "${SANITIZE:-}" ]; then
  # Its own build folder, so the sanitized build does not replace the normal one.
  swift test --scratch-path ".build-$SANITIZE" --sanitize="$SANITIZE" --disable-xctest --no-parallel
else
  swift test --disable-xctest --no-parallel
  # The SDK and browser compatibility tests use the binaries the Swift tests just built.
  AGENTD_BIN_DIR="$(swift build --show-bin-path)" .venv/bin/pytest -q Tests/sdk
  # The OpenAPI document against the live server: schemathesis (its own venv), fixed seed, bounded examples.
  AGENTD_BIN_DIR="$(swift build --show-bin-path)" scripts/schemathesis.sh
  # The deployment artefacts: hadolint, kustomize + kubernetes-validate, yamllint, promtool check config, the
  # Grafana dashboard's metric names.
  scripts/validate-deploy.sh
fi
