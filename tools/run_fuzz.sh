#!/bin/bash
# Builds the libFuzzer targets of tests/fuzz/ (clang, with AddressSanitizer
# and UBSan) in build-fuzz/ and runs each for its share of a bounded total
# time, starting from its seed corpus and the dictionary tests/fuzz/config.dict:
#   fuzz_config  the INI reader, --set overrides and the common options
#                (seeds tests/fuzz/corpus/)
#   fuzz_args    the command lines of the seven commands with their own flags
#                (--sweep, --eta, --checkpoint, --resume, --state, --seed,
#                --threads, --table, ...) and the number scanners
#                (seeds tests/fuzz/corpus_args/)
#   fuzz_h5      the readers of state files (wigner --state) and checkpoints
#                (evolve --resume), on valid files mutated through the HDF5
#                API (seeds tests/fuzz/corpus_h5/; its temporary files live
#                in /dev/shm/pm_fuzz_h5_*, removed at its exit, and here
#                after a crash)
# A crash, a leak, a sanitizer report, a hang (> 10 s for one input) or a
# broken property of a target fails the run; the input that did it is kept
# in build-fuzz/fuzz-artifacts/ and printed.
# Usage: bash tools/run_fuzz.sh [SECONDS]   (the total over all targets,
# default 60, split evenly; needs clang-14 and libclang-rt-14-dev:
# bash tools/install_deps.sh --fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || { echo "run_fuzz.sh: SECONDS must be a positive integer" >&2; exit 2; }
targets=(fuzz_config fuzz_args fuzz_h5)
declare -A seeds=([fuzz_config]=tests/fuzz/corpus [fuzz_args]=tests/fuzz/corpus_args [fuzz_h5]=tests/fuzz/corpus_h5)
share=$(( seconds / ${#targets[@]} ))
(( share > 0 )) || share=1
cc=$(command -v clang-14 || command -v clang || true)
if [[ -z "$cc" ]]; then
    echo "run_fuzz.sh: clang not found; run: bash tools/install_deps.sh --fuzz" >&2
    exit 1
fi
if [[ ! -d build-fuzz ]]; then
    CC=$cc meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
        --buildtype=debugoptimized -Dc_args=-fsanitize=fuzzer-no-link
fi
ninja -C build-fuzz "${targets[@]/#/tests/fuzz/}"
artifacts=build-fuzz/fuzz-artifacts
mkdir -p "$artifacts"
export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
summary=()
trap 'rm -rf /dev/shm/pm_fuzz_h5_* /tmp/pm_fuzz_h5_* 2>/dev/null || true' EXIT
for target in "${targets[@]}"; do
    corpus=build-fuzz/fuzz-corpus-$target
    mkdir -p "$corpus"
    # -close_fd_mask=2: the parsers' own error lines are noise here (libFuzzer
    # and the sanitizers keep reporting on the original stderr); -max_len:
    # inputs well above 8 kB (one argument holds up to 128 KiB)
    status=0
    build-fuzz/tests/fuzz/$target -max_total_time="$share" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -dict=tests/fuzz/config.dict -close_fd_mask=2 -print_final_stats=1 -artifact_prefix="$artifacts/$target-" \
        "$corpus" "${seeds[$target]}" || status=$?
    if [[ $status -ne 0 ]]; then
        for f in "$artifacts/$target-"*; do
            [[ -f "$f" ]] || continue
            echo "run_fuzz.sh: $target: failing input $f:" >&2
            od -c "$f" | head -40 >&2
        done
        exit "$status"
    fi
    summary+=("$target: $(ls "$corpus" | wc -l) corpus inputs")
done
joined=$(printf '%s; ' "${summary[@]}")
echo "fuzz: ${joined%; }; no crash, leak or sanitizer report in ${seconds} s (${share} s each)"
