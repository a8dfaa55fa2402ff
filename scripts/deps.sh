#!/usr/bin/env bash
# Installs what building and testing agentd needs on Debian, when it is missing.
# Sourced by run.sh, test.sh, validate-deploy.sh, fresh-machine.sh and bench/lib.sh (every benchmark): the one
# installer; uses sudo only when not root.

# agentd_install_debian_packages REASON PACKAGE...: installs the packages that are not installed yet, saying in
# one line which and why.
agentd_install_debian_packages() {
  local reason="$1"
  shift
  local missing=()
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  echo "installing ${missing[*]}: $reason" >&2
  if [ "${agentd_apt_updated:-0}" != 1 ]; then
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    agentd_apt_updated=1
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >/dev/null
}

# agentd_python_venv DIR PIP_PACKAGE...: makes DIR a Python venv holding the packages, when it does not already
# import them. Creating a venv needs ensurepip, which Debian ships apart from python3 (python3-venv): `python3
# -m venv --help` works without it, so that is not the test; importing ensurepip is.
agentd_python_venv() {
  local dir="$1"
  shift
  command -v python3 >/dev/null 2>&1 || agentd_install_debian_packages "python3 runs the test venvs" python3
  if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    agentd_install_debian_packages "python3 -m venv needs ensurepip" python3-venv
  fi
  if [ -x "$dir/bin/python" ] && [ -f "$dir/.agentd-packages" ] && [ "$(cat "$dir/.agentd-packages")" = "$*" ]; then
    return 0
  fi
  rm -rf "$dir"
  python3 -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check "$@"
  echo "$*" >"$dir/.agentd-packages"
}
