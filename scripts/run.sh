#!/usr/bin/env bash
# Builds agentd (release) and starts it on 127.0.0.1:8080, serving the built-in mock provider.
# Configuration comes from AGENTD_* variables: `.build/release/agentd --help` lists them.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
agentd_install_debian_packages "agentd calls its providers through libcurl" libcurl4-openssl-dev
agentd_install_debian_packages "agentd links OpenSSL (TLS to Redis, SHA-256, HMAC)" libssl-dev
swift build -c release --product agentd
exec .build/release/agentd "$@"
