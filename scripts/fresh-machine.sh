#!/usr/bin/env bash
# Proves the README's two commands on a fresh Debian machine instead of trusting this one.
#
# Builds (or takes from its cache) a Debian bookworm minbase root with only the Swift toolchain's own
# prerequisites, bind-mounts this machine's toolchain into it, clones the committed HEAD of this repository,
# and runs the README's two commands exactly as written:
#   1. the run command in the background, until /health/live answers 200 and POST /chat answers; then stopped;
#   2. the test command, to its end.
# Each step runs in its own mount and PID namespace (unshare), so every mount it makes and every process it
# starts (agentd, nginx, redis, ...) ends with it, also when a step fails or this script is interrupted.
# Package registries are reached the way this machine reaches them: its apt sources and Acquire settings and its
# CA trust store are copied into the root (so a proxy's CA keeps working). Nothing is installed into the root
# beyond the toolchain's prerequisites before the README's commands run: what they need, they must install.
#
#   scripts/fresh-machine.sh              whole check; exit 0 only if both commands worked
#   FRESH_KEEP=1 scripts/fresh-machine.sh keep the work root afterwards (its path is printed)
#   FRESH_CACHE_DIR=DIR                   where the pristine base root is cached (default below)
#   FRESH_REBUILD=1                       build the base root anew, ignoring the cache
# Needs root (debootstrap, chroot, namespaces). Installs debootstrap when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
repository="$PWD"
. scripts/deps.sh

readonly SUITE="bookworm"
# The packages the Swift toolchain itself needs on Debian 12, as the official swift:bookworm image installs them.
readonly TOOLCHAIN_PACKAGES=(binutils git gnupg2 libc6-dev libcurl4-openssl-dev libedit2 libgcc-12-dev libncurses6
  libpython3-dev libsqlite3-0 libstdc++-12-dev libxml2-dev libz3-dev pkg-config tzdata zlib1g-dev)
readonly RUN_PORT=8080                      # where the README's run command listens (its default)
readonly RUN_READY_TIMEOUT_S=1200           # build + start of the run command, on 2 cores
readonly TEST_TIMEOUT_S=3600                # the whole test command
readonly BASE_LAYOUT_VERSION=1              # bump when the way the base root is made changes
cache_dir="${FRESH_CACHE_DIR:-/var/cache/agentd-fresh-machine}"

[ "$(id -u)" -eq 0 ] || { echo "fresh-machine: needs root (debootstrap, chroot, mount namespaces)" >&2; exit 2; }
toolchain_bin="$(dirname "$(readlink -f "$(command -v swift)")")"
toolchain_root="$(dirname "$(dirname "$toolchain_bin")")"   # .../usr/bin/swift -> ...
[ -x "$toolchain_bin/swift" ] || { echo "fresh-machine: no Swift toolchain on the PATH" >&2; exit 2; }
command -v debootstrap >/dev/null || agentd_install_debian_packages "debootstrap builds the fresh root" debootstrap
command -v unshare >/dev/null || agentd_install_debian_packages "unshare isolates each step" util-linux
command -v curl >/dev/null || agentd_install_debian_packages "curl probes the run command" curl

step_names=()
step_seconds=()
step_results=()
record_step() { step_names+=("$1"); step_seconds+=("$2"); step_results+=("$3"); }
print_steps() {
  echo "fresh-machine: steps"
  local index
  for index in "${!step_names[@]}"; do
    printf '  %-58s %6ss  %s\n' "${step_names[$index]}" "${step_seconds[$index]}" "${step_results[$index]}"
  done
}

work=""
step_pids=()
# Ends a step: SIGTERM to its unshare, SIGKILL after a grace; either way its namespace and all inside end.
stop_step() {
  local pid="$1" waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 10 ]; do sleep 1; waited=$((waited + 1)); done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
# Processes whose root directory is inside the work root (for the final check that nothing was left running).
processes_in_work() {
  local proc
  for proc in /proc/[0-9]*; do
    [ "$(readlink "$proc/root" 2>/dev/null)" = "$work/root" ] && echo "${proc#/proc/}"
  done
  return 0
}
cleanup() {
  local status=$?
  local pid
  for pid in "${step_pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "${step_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  # A namespace's processes are gone shortly after its first one; wait until none runs from the work root.
  local tries=0
  while [ -n "$work" ] && [ "$tries" -lt 50 ] && processes_in_work | grep -q .; do sleep 0.2; tries=$((tries + 1)); done
  if [ -n "$work" ] && [ -d "$work" ]; then
    mkdir -p "$cache_dir"
    for log in run test; do
      [ -f "$work/$log.log" ] && cp "$work/$log.log" "$cache_dir/last-$log.log"
    done
    # The mounts live in the steps' own namespaces, gone with them; never delete through a mount that leaked.
    if processes_in_work | grep -q .; then
      echo "fresh-machine: processes still run in $work/root: $(processes_in_work | tr '\n' ' '); not deleting it" >&2
    elif findmnt -rn -o TARGET | grep -qF "$work/"; then
      echo "fresh-machine: mounts remain under $work; not deleting it" >&2
      findmnt -rn -o TARGET | grep -F "$work/" >&2
    elif [ "${FRESH_KEEP:-0}" = 1 ]; then
      echo "fresh-machine: work root kept: $work/root"
    else
      rm -rf --one-file-system "$work"
    fi
  fi
  [ ${#step_names[@]} -gt 0 ] && print_steps
  [ -f "$cache_dir/last-test.log" ] && echo "fresh-machine: logs: $cache_dir/last-run.log, $cache_dir/last-test.log"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The README's commands: the first command line (not a comment) of each of the two sh blocks under "## Two commands".
readme_commands() {
  awk '
    /^## / { in_section = ($0 == "## Two commands") }
    in_section && /^```sh/ { in_block = 1; taken = 0; next }
    in_block && /^```/ { in_block = 0; next }
    in_block && !taken && $0 !~ /^[[:space:]]*(#|$)/ { print; taken = 1 }
  ' README.md
}
mapfile -t commands < <(readme_commands)
[ ${#commands[@]} -eq 2 ] || {
  echo "fresh-machine: README.md's '## Two commands' must hold two sh blocks; found ${#commands[@]} commands" >&2
  exit 2
}
run_command="${commands[0]}"
test_command="${commands[1]}"
echo "fresh-machine: run command:  $run_command"
echo "fresh-machine: test command: $test_command"

# --- The base root: debootstrap minbase + the toolchain's prerequisites, cached pristine (nothing of the
# project ever runs in the cached copy; each check works on a copy of it). The key covers what goes into it.
host_mirror() {
  local uri
  uri="$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)"
  [ -n "$uri" ] || uri="$(awk '$1 == "deb" && $0 !~ /security/ { print ($2 ~ /^\[/ ? $3 : $2); exit }' \
    /etc/apt/sources.list 2>/dev/null || true)"
  echo "${uri:-http://deb.debian.org/debian}"
}
mirror="$(host_mirror)"
# http_proxy for debootstrap's own downloads when apt has one set.
apt_proxy="$(apt-config dump Acquire::http::Proxy 2>/dev/null | sed -n 's/^Acquire::http::Proxy "\(.*\)";$/\1/p')"
[ -n "$apt_proxy" ] && export http_proxy="$apt_proxy"
cache_key="$(printf '%s\n' "$BASE_LAYOUT_VERSION" "$SUITE" "$mirror" "$(dpkg --print-architecture)" \
  "${TOOLCHAIN_PACKAGES[@]}" | sha256sum | cut -c1-16)"
base="$cache_dir/$SUITE-$cache_key"

# Copies this machine's way to the registries into a root: apt sources, Acquire settings (proxy, validity),
# the CA trust store (also where update-ca-certificates will look, so installing ca-certificates keeps it),
# and pip's certificate setting.
copy_registry_access() {
  local root="$1"
  mkdir -p "$root/etc/apt/sources.list.d" "$root/etc/apt/apt.conf.d" "$root/etc/ssl/certs" \
    "$root/usr/local/share/ca-certificates"
  rm -f "$root/etc/apt/sources.list" "$root/etc/apt/sources.list.d/"*
  [ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$root/etc/apt/sources.list"
  local file
  for file in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] && cp "$file" "$root/etc/apt/sources.list.d/"
  done
  for file in /etc/apt/apt.conf.d/*; do
    [ -f "$file" ] && grep -q '^[[:space:]]*Acquire' "$file" && cp "$file" "$root/etc/apt/apt.conf.d/"
  done
  if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
    cp /etc/ssl/certs/ca-certificates.crt "$root/usr/local/share/ca-certificates/host-trust-store.crt"
    printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' >"$root/etc/pip.conf"
  fi
  # As in container images: packages do not start services inside the root (nginx, prometheus, redis).
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
  cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
}

# Runs a command inside ROOT in a new mount and PID namespace, with /proc, /sys, /dev and the toolchain mounted;
# all of it ends with the namespace. The environment is what a login on a fresh machine has, plus the toolchain.
# It execs unshare, so call it in a subshell: `( in_root ... )`, or `in_root ... &`, whose $! is then unshare's pid;
# killing that pid kills the namespace's first process (--kill-child), and with it every process inside.
in_root() {
  local root="$1"
  shift
  exec unshare --mount --pid --fork --kill-child --propagation private -- /bin/bash -c '
    set -e
    root="$1" toolchain="$2"; shift 2
    mount -t proc proc "$root/proc"
    mount --rbind /sys "$root/sys"; mount --make-rslave "$root/sys"
    mount --rbind /dev "$root/dev"; mount --make-rslave "$root/dev"
    mkdir -p "$root$toolchain"
    mount --bind "$toolchain" "$root$toolchain"; mount -o remount,bind,ro "$root$toolchain"
    exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
      PATH="$toolchain/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "$@"
  ' in-root "$root" "$toolchain_root" "$@"
}

build_base() {
  local started=$SECONDS
  mkdir -p "$cache_dir"
  local building="$base.building.$$"
  rm -rf --one-file-system "$building"
  echo "fresh-machine: debootstrap --variant=minbase $SUITE from $mirror"
  if ! debootstrap --variant=minbase "$SUITE" "$building" "$mirror" >"$cache_dir/debootstrap.log" 2>&1; then
    tail -20 "$cache_dir/debootstrap.log" >&2
    rm -rf --one-file-system "$building"
    echo "fresh-machine: debootstrap failed (log: $cache_dir/debootstrap.log)" >&2
    return 1
  fi
  copy_registry_access "$building"
  echo "fresh-machine: installing the toolchain's prerequisites: ${TOOLCHAIN_PACKAGES[*]}"
  if ! ( in_root "$building" /bin/sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      ${TOOLCHAIN_PACKAGES[*]} >/dev/null && apt-get clean && rm -rf /var/lib/apt/lists/*" ); then
    rm -rf --one-file-system "$building"
    echo "fresh-machine: installing the prerequisites failed" >&2
    return 1
  fi
  mv "$building" "$base"
  record_step "base root: debootstrap + prerequisites (built, cached)" $((SECONDS - started)) ok
}

if [ "${FRESH_REBUILD:-0}" = 1 ] && [ -d "$base" ]; then rm -rf --one-file-system "$base"; fi
if [ -d "$base" ]; then
  record_step "base root: debootstrap + prerequisites (from cache)" 0 ok
else
  build_base
fi

# --- This check's own root: a copy of the pristine base, the committed HEAD cloned into it.
started=$SECONDS
mkdir -p /var/tmp
work="$(mktemp -d /var/tmp/agentd-fresh-machine.XXXXXX)"
cp -a "$base" "$work/root"
copy_registry_access "$work/root"   # this machine's current settings, not the cached ones
head="$(git -C "$repository" rev-parse HEAD)"
git clone --quiet --no-hardlinks "$repository" "$work/root/root/agentd"
git -C "$work/root/root/agentd" checkout --quiet --detach "$head"
record_step "copy the root, clone HEAD ${head:0:12}" $((SECONDS - started)) ok
if [ -n "$(git -C "$repository" status --porcelain)" ]; then
  echo "fresh-machine: note: uncommitted changes in $repository are not part of this check"
fi

# --- 1. The run command, in the background, until /health/live and /chat answer.
if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$RUN_PORT/health/live"; then
  echo "fresh-machine: something already answers on 127.0.0.1:$RUN_PORT; stop it first" >&2
  exit 1
fi
started=$SECONDS
run_log="$work/run.log"
in_root "$work/root" /bin/bash -c "cd /root/agentd && $run_command" >"$run_log" 2>&1 &
run_pid=$!
step_pids+=("$run_pid")
ready=0
while [ $((SECONDS - started)) -lt "$RUN_READY_TIMEOUT_S" ]; do
  if ! kill -0 "$run_pid" 2>/dev/null; then break; fi
  if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$RUN_PORT/health/live")" = 200 ]; then
    ready=1
    break
  fi
  sleep 1
done
if [ "$ready" != 1 ]; then
  record_step "run command: build and start" $((SECONDS - started)) FAILED
  echo "fresh-machine: the run command did not answer /health/live; its output:" >&2
  tail -40 "$run_log" >&2
  exit 1
fi
chat="$(curl -s --max-time 10 -H 'Content-Type: application/json' -d '{"message":"hello from a fresh machine"}' \
  "http://127.0.0.1:$RUN_PORT/chat" || true)"
if ! grep -q 'hello from a fresh machine' <<<"$chat"; then
  record_step "run command: build, start, /health/live, /chat" $((SECONDS - started)) FAILED
  echo "fresh-machine: POST /chat did not answer with the echo: $chat" >&2
  tail -40 "$run_log" >&2
  exit 1
fi
record_step "run command: build, start, /health/live, /chat" $((SECONDS - started)) ok
echo "fresh-machine: /chat answered: $chat"
stop_step "$run_pid"   # ends its namespace: agentd and everything the command started

# --- 2. The test command, to its end.
started=$SECONDS
test_log="$work/test.log"
echo "fresh-machine: running the test command (output: $test_log)"
set +e
in_root "$work/root" /bin/bash -c "cd /root/agentd && $test_command" >"$test_log" 2>&1 &
test_pid=$!
step_pids+=("$test_pid")
( sleep "$TEST_TIMEOUT_S"; kill -KILL "$test_pid" 2>/dev/null ) &
watchdog=$!
wait "$test_pid"
test_status=$?
kill "$watchdog" 2>/dev/null; wait "$watchdog" 2>/dev/null
set -e
if [ "$test_status" -ne 0 ]; then
  record_step "test command" $((SECONDS - started)) "FAILED (exit $test_status)"
  echo "fresh-machine: the test command failed; the end of its output:" >&2
  tail -60 "$test_log" >&2
  exit 1
fi
record_step "test command" $((SECONDS - started)) ok
grep -E 'Test run with|^installing |[0-9]+ passed|validate-deploy:' "$test_log" | sed 's/^/  /' || true
echo "fresh-machine: both README commands work on a fresh $SUITE root"
