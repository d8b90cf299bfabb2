#!/bin/bash
# The test command of README.md: installs the Debian packages, builds, runs every test.
# Usage: bash tools/run_tests.sh [--sanitize] [--fuzz SECONDS]
#   --sanitize      then the whole suite again under AddressSanitizer + UBSan
#                   (tools/run_sanitizers.sh, build directory build-asan/)
#   --fuzz SECONDS  then the libFuzzer targets over the INI and command-line
#                   parsers for SECONDS in all (tools/run_fuzz.sh, build-fuzz/; installs clang)
# .ci/run runs all three.
set -euo pipefail
cd "$(dirname "$0")/.."
sanitize=0
fuzz_seconds=0
while (( $# )); do
    case "$1" in
        --sanitize) sanitize=1 ;;
        --fuzz)
            [[ $# -ge 2 && "$2" =~ ^[0-9]+$ && "$2" -gt 0 ]] || { echo "run_tests.sh: --fuzz needs a number of seconds" >&2; exit 2; }
            fuzz_seconds=$2; shift ;;
        *) echo "run_tests.sh: unknown option '$1' (--sanitize, --fuzz SECONDS)" >&2; exit 2 ;;
    esac
    shift
done
deps=(--python)  # the Python package's tests (tests/python) need cffi, pytest and QuTiP
(( fuzz_seconds > 0 )) && deps+=(--fuzz)
bash tools/install_deps.sh "${deps[@]}"
[[ -d build ]] || meson setup build --buildtype=release
ninja -C build
meson test -C build --print-errorlogs
stages=1
if (( sanitize )); then
    bash tools/run_sanitizers.sh
    stages=$((stages + 1))
fi
if (( fuzz_seconds > 0 )); then
    bash tools/run_fuzz.sh "$fuzz_seconds"
    stages=$((stages + 1))
fi
# every stage above stops the script on a failure
echo "test stages: $stages passed, 0 failed"
