#!/usr/bin/env bash
# Runs schemathesis (every check) against a live agentd's own GET /openapi.json: the document must describe what
# the server does, and the server must accept what the document allows and refuse what it does not.
# agentd runs on a free loopback port with the built-in mock provider (no provider key is passed on), no rate
# limit (schemathesis sends hundreds of requests from one address) and a task journal in a temporary folder.
# Reproducible: a fixed seed, a bounded number of examples per operation, no example database carried between runs.
#   scripts/schemathesis.sh                      the binary in .build/debug (AGENTD_BIN_DIR to use another)
#   SCHEMATHESIS_SEED=7 scripts/schemathesis.sh  another seed; SCHEMATHESIS_MAX_EXAMPLES, SCHEMATHESIS_TIMEOUT_S too
# Extra arguments go to `schemathesis run` (e.g. --include-path /chat). Exits with schemathesis' status (124 when
# the run outlived SCHEMATHESIS_TIMEOUT_S).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=".venv-schemathesis"
# Pinned: another release generates other cases from the same seed and adds checks, which would change the verdict
# without a change here.
SCHEMATHESIS_VERSION=4.32.5
SEED="${SCHEMATHESIS_SEED:-20250617}"
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-100}"
TIMEOUT_S="${SCHEMATHESIS_TIMEOUT_S:-170}"
BIN_DIR="${AGENTD_BIN_DIR:-.build/debug}"

. scripts/deps.sh
agentd_python_venv "$VENV" "schemathesis==$SCHEMATHESIS_VERSION"
[ -x "$BIN_DIR/agentd" ] || { echo "no agentd in $BIN_DIR: build it first (swift build), or set AGENTD_BIN_DIR" >&2; exit 2; }

work="$(mktemp -d)"
agentd_pid=""
cleanup() {
  if [ -n "$agentd_pid" ]; then
    kill "$agentd_pid" 2>/dev/null || true
    wait "$agentd_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# Port 0: agentd binds a free port and names it in its first log line. Only the variables agentd must see pass:
# a provider key or API keys from the caller's environment would change the default model and the answers.
env -i PATH="$PATH" HOME="${HOME:-/tmp}" \
  AGENTD_HOST=127.0.0.1 AGENTD_PORT=0 AGENTD_RATE_LIMIT_RPS=0 AGENTD_DATA_DIR="$work/data" \
  AGENTD_LOG_LEVEL=info AGENTD_SHUTDOWN_GRACE_S=2 \
  "$BIN_DIR/agentd" >"$work/agentd.log" 2>&1 &
agentd_pid=$!
# Readiness through the venv's Python: a fresh machine need not have curl.
ready() { "$VENV/bin/python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' "http://127.0.0.1:$1/health/ready" 2>/dev/null; }
port=""
for _ in $(seq 100); do
  port="$(sed -n 's/.*"msg":"listening".*"port":\([0-9]*\).*/\1/p' "$work/agentd.log" | head -1)"
  [ -n "$port" ] && ready "$port" && break
  kill -0 "$agentd_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$port" ] || ! ready "$port"; then
  echo "agentd did not start:" >&2
  cat "$work/agentd.log" >&2
  exit 1
fi
echo "agentd pid $agentd_pid on 127.0.0.1:$port; schemathesis $SCHEMATHESIS_VERSION, seed $SEED, $MAX_EXAMPLES examples per operation"

# Every operation of the document and every check; nothing is excluded. schemathesis leaves out the operation
# its document was loaded from (GET /openapi.json) unless a filter names it, so without filters of the caller's
# one filter selects every path.
include_all=(--include-path-regex '^/')
for argument in "$@"; do
  case "$argument" in --include-*) include_all=() ;; esac
done
# Sanitizing would print fields named like secrets (max_tokens) as [Filtered], so the curl lines of a failure would
# not reproduce it; nothing secret is in play (no keys are configured).
# One worker: agentd's answers (task lists, conversation ids) depend on what came before, so concurrent workers
# would make a run depend on scheduling as well as on the seed. --continue-on-failure: every failing case of a
# scenario is reported, not only the first, so one run shows all there is to fix.
# Its own configuration file, so no schemathesis.toml of this folder or a parent applies, and no crash cache
# (.schemathesis/, replayed by later runs) carries one run's cases into the next.
# POST /v1/responses answers 400 to two schema-valid kinds of request, as OpenAI does, for reasons no JSON Schema
# can say: a previous_response_id that names no stored response (or another key's), and a tool_choice naming a
# function that is not among its tools. Both are tested in Tests/ (InboundAPIsTests, ResponsesTranslationTests);
# here a 400 is an accepted answer to a valid request on that operation only.
cat >"$work/schemathesis.toml" <<'TOML'
[cache]
enabled = false

[[operations]]
include-path = "/v1/responses"
include-method = "POST"
checks.positive_data_acceptance.expected-statuses = ["2XX", "400"]
TOML
status=0
timeout --signal=INT --kill-after=10 "$TIMEOUT_S" \
  "$VENV/bin/schemathesis" --config-file "$work/schemathesis.toml" run "http://127.0.0.1:$port/openapi.json" \
  --checks all \
  --seed "$SEED" \
  --max-examples "$MAX_EXAMPLES" \
  --generation-database none \
  --workers 1 \
  --continue-on-failure \
  --request-timeout 10 \
  --output-sanitize false \
  --no-color \
  "${include_all[@]}" \
  "$@" || status=$?
[ "$status" -eq 124 ] && echo "schemathesis did not finish within $TIMEOUT_S s" >&2
exit "$status"
