#!/bin/bash
# Installs the Debian 12 packages phonomaser needs (build, tests, tools/ scripts).
# Usage: bash tools/install_deps.sh [--python] [--fuzz]
#   --python  adds the plotting/QuTiP packages
#   --fuzz    adds clang and its runtimes (libFuzzer, sanitizers) for tools/run_fuzz.sh
# Runs apt-get only when a package is missing; needs root (or sudo).
set -euo pipefail
# Not OpenBLAS: Debian 12's libopenblas0-serial made the dressed steady state 25 %
# faster (UMFPACK's frontal matrices) but is not thread-safe: eight identical points of a
# parallel compare sweep gave five different <n> (up to 6e-6 apart) and different
# cutoffs; the pthread build spins in sched_yield beside phonomaser's own threads.  The
# reference BLAS is deterministic.
packages=(build-essential meson ninja-build pkg-config libsundials-dev libsuitesparse-dev
          libarpack2-dev liblapack-dev libhdf5-dev libinih-dev
          libopenmpi-dev openmpi-bin)  # phonomaser map across ranks (mpirun)
for flag in "$@"; do
    case "$flag" in
        # tools/ scripts run with Debian's /usr/bin/python3 (not a pyenv/venv python)
        # (python3-cffi and python3-pytest: the phonomaser package and its test suite)
        --python) packages+=(python3 python3-numpy python3-scipy python3-h5py python3-matplotlib python3-qutip
                             python3-cffi python3-pytest) ;;
        # gcc's AddressSanitizer/UBSan runtimes come with build-essential (libasan8, libubsan1)
        --fuzz) packages+=(clang-14 libclang-rt-14-dev) ;;
        *) echo "install_deps.sh: unknown option '$flag' (--python, --fuzz)" >&2; exit 2 ;;
    esac
done
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
