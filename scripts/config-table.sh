#!/usr/bin/env bash
# Prints README.md's configuration table from `agentd --help` (one row per variable: name, default, meaning).
# Regenerate the table with it after adding a setting; OperatorCommandsTests checks README against --help.
#   scripts/config-table.sh [path to agentd]
set -euo pipefail
bin=${1:-$(cd "$(dirname "$0")/.." && swift build --show-bin-path)/agentd}
echo "| variable | default | meaning |"
echo "|---|---|---|"
"$bin" --help | sed -n '/^Environment/,$p' | tail -n +2 | sed -E 's/^  ([A-Z_<>]+) +(.*) \[(.*)\]$/\1\t\2\t\3/' |
  awk -F'\t' 'NF >= 2 { d = ($3 == "") ? "—" : "`" $3 "`"; gsub(/\|/, "\\|", $2); printf "| `%s` | %s | %s |\n", $1, d, $2 }'
