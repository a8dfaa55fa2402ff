#!/usr/bin/env bash
# Prints the configuration table (`agentd config --table`: every variable's name, default, accepted values and
# meaning, from the one declaration the reader uses too), or rewrites the two files that carry it.
#   scripts/config-table.sh [path to agentd]           print it
#   scripts/config-table.sh --write [path to agentd]   replace it in README.md and docs/configuration.md
# OperatorCommandsTests fails while either file differs from it.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
write=false
if [ "${1:-}" = --write ]; then write=true; shift; fi
bin=${1:-$(cd "$here" && swift build --show-bin-path)/agentd}
if ! $write; then exec "$bin" config --table; fi
table=$(mktemp)
trap 'rm -f "$table"' EXIT
"$bin" config --table >"$table"
for file in "$here/README.md" "$here/docs/configuration.md"; do
  # The table starts at its header row and ends at the first line that is not a row.
  python3 - "$file" "$table" <<'PY'
import sys
path, table = sys.argv[1], open(sys.argv[2]).read()
lines = open(path).read().split("\n")
start = next(i for i, line in enumerate(lines) if line.startswith("| variable | default |"))
end = start
while end < len(lines) and lines[end].startswith("|"):
    end += 1
lines[start:end] = table.rstrip("\n").split("\n")
open(path, "w").write("\n".join(lines))
PY
done
