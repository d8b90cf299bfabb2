#!/bin/bash
# Installs the Debian 12 packages phonomaser needs (build, tests, tools/ scripts).
# Usage: bash tools/install_deps.sh [--python]   (--python adds the plotting/QuTiP packages)
# Runs apt-get only when a package is missing; needs root (or sudo).
set -euo pipefail
packages=(build-essential meson ninja-build pkg-config libsundials-dev libsuitesparse-dev
          libarpack2-dev liblapack-dev libhdf5-dev libinih-dev)
if [[ "${1:-}" == "--python" ]]; then
    # tools/ scripts run with Debian's /usr/bin/python3 (not a pyenv/venv python)
    packages+=(python3 python3-numpy python3-h5py python3-matplotlib python3-qutip)
fi
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} )); then
    sudo_cmd=""
    [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
    echo "installing: ${missing[*]}" >&2
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
