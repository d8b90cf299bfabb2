#!/bin/bash
# Builds the libFuzzer target tests/fuzz/fuzz_config (clang, with
# AddressSanitizer and UBSan) in build-fuzz/ and runs it for a bounded time
# over the INI, --set and command-line parsers, starting from the seed corpus
# tests/fuzz/corpus/ and the dictionary tests/fuzz/config.dict.  A crash, a
# leak, a sanitizer report, a hang (> 10 s for one input) or a broken
# property of the target fails the run; the input that did it is kept in
# build-fuzz/fuzz-artifacts/ and printed.
# Usage: bash tools/run_fuzz.sh [SECONDS]   (default 60; needs clang-14 and
# libclang-rt-14-dev: bash tools/install_deps.sh --fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
cc=$(command -v clang-14 || command -v clang || true)
if [[ -z "$cc" ]]; then
    echo "run_fuzz.sh: clang not found; run: bash tools/install_deps.sh --fuzz" >&2
    exit 1
fi
if [[ ! -d build-fuzz ]]; then
    CC=$cc meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
        --buildtype=debugoptimized -Dc_args=-fsanitize=fuzzer-no-link
fi
ninja -C build-fuzz tests/fuzz/fuzz_config
corpus=build-fuzz/fuzz-corpus
artifacts=build-fuzz/fuzz-artifacts
mkdir -p "$corpus" "$artifacts"
export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# -close_fd_mask=2: the parsers' own error lines are noise here (libFuzzer
# and the sanitizers keep reporting on the original stderr)
status=0
build-fuzz/tests/fuzz/fuzz_config -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -dict=tests/fuzz/config.dict -close_fd_mask=2 -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "$corpus" tests/fuzz/corpus || status=$?
if [[ $status -ne 0 ]]; then
    for f in "$artifacts"/*; do
        [[ -f "$f" ]] || continue
        echo "run_fuzz.sh: failing input $f:" >&2
        od -c "$f" | head -40 >&2
    done
    exit "$status"
fi
echo "fuzz: $(ls "$corpus" | wc -l) corpus inputs, no crash, leak or sanitizer report in ${seconds} s"
