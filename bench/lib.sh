#!/usr/bin/env bash
# Helpers the benchmark scripts share. Sourced, not run.

# need COMMAND PACKAGE: installs the Debian package when the command is missing.
need() { command -v "$1" >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }; }

# stop PID...: SIGTERM, then SIGKILL for whatever has not exited 5 s later.
stop() {
  local pid
  for pid in "$@"; do kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 50); do
    for pid in "$@"; do kill -0 "$pid" 2>/dev/null && break; pid=; done
    [ -z "$pid" ] && break
    sleep 0.1
  done
  for pid in "$@"; do kill -9 "$pid" 2>/dev/null && echo "pid $pid did not stop on SIGTERM within 5 s: killed" >&2 || true; done
}

# free_ports COUNT [FIRST LAST]: COUNT TCP ports nothing listens on, from FIRST-LAST (default 18100-18199).
free_ports() {
  local first=${2:-18100} last=${3:-18199} used port found=()
  used=$(ss -Htan 2>/dev/null | awk '{print $4}' | sed 's/.*://' | sort -u)
  for port in $(seq "$first" "$last"); do
    grep -qx "$port" <<<"$used" || found+=("$port")
    [ "${#found[@]}" -ge "$1" ] && break
  done
  [ "${#found[@]}" -ge "$1" ] || { echo "no free port in $first-$last" >&2; exit 2; }
  echo "${found[@]}"
}

# to_us DURATION: wrk's "1.23ms" / "456.00us" / "1.02s" / "1.5m" in microseconds.
to_us() {
  awk -v v="$1" 'BEGIN { if (v ~ /us$/) {sub(/us$/,"",v); print v+0} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v*1000} else if (v ~ /m$/) {sub(/m$/,"",v); print v*60000000} else {sub(/s$/,"",v); print v*1000000} }'
}

# median (numbers on stdin, one a line) and med NUMBER...: the median.
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
med() { printf '%s\n' "$@" | median; }
