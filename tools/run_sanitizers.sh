#!/bin/bash
# The whole test suite once more under AddressSanitizer (with LeakSanitizer)
# and UndefinedBehaviorSanitizer, in its own build directory build-asan/.
# Any report fails the run: UBSan halts on the first error, LSan makes the
# leaking program exit non-zero.  No suppressions: none are needed (HDF5,
# SUNDIALS, SuiteSparse and ARPACK report no leaks here); if a third-party
# library ever does, suppress its frames only (LSAN_OPTIONS=suppressions=...),
# never ours.
# Usage: bash tools/run_sanitizers.sh   (after tools/install_deps.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -d build-asan ]]; then
    meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false --buildtype=debugoptimized
fi
ninja -C build-asan
export ASAN_OPTIONS=detect_leaks=1:print_summary=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# sanitized programs run 2-3x slower: give each test more time
meson test -C build-asan --print-errorlogs --timeout-multiplier 3
