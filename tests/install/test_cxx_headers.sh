#!/bin/bash
# Every public header alone, as C++17 and as C11, with -Wall -Wextra
# -Wpedantic -Werror (so each is self-contained and C++-clean), and
# test_cxx_headers.cpp includes every one of them (a header added later
# without the C++ test seeing it fails here).
# Usage: test_cxx_headers.sh SRC_INCLUDE_DIR BUILD_INCLUDE_DIR TEST_CPP
#   (environment: CXX and CC, the compiler commands of the build)
set -euo pipefail
src_inc=$1 build_inc=$2 test_cpp=$3
cxx=${CXX:-c++} cc=${CC:-cc}
failed=0
headers=$( (cd "$src_inc" && find phonomaser -name '*.h'; cd "$build_inc" && find phonomaser -name '*.h') | sort -u)
[[ -n "$headers" ]] || { echo "no headers under $src_inc" >&2; exit 1; }
count=0
for h in $headers; do
    count=$((count + 1))
    if ! grep -q "^#include \"$h\"" "$test_cpp"; then
        echo "FAIL: $h is not included by $(basename "$test_cpp")" >&2
        failed=1
    fi
    if ! printf '#include "%s"\n' "$h" | $cxx -std=c++17 -Wall -Wextra -Wpedantic -Werror -fsyntax-only \
            -I"$src_inc" -I"$build_inc" -x c++ - ; then
        echo "FAIL: $h alone as C++17" >&2
        failed=1
    fi
    # (one declaration after it: a header of macros alone, constants.h, is
    # otherwise an empty translation unit, which -Wpedantic rejects)
    if ! printf '#include "%s"\ntypedef int pm_header_check;\n' "$h" | $cc -std=c11 -Wall -Wextra -Wpedantic -Werror -fsyntax-only \
            -I"$src_inc" -I"$build_inc" -x c - ; then
        echo "FAIL: $h alone as C11" >&2
        failed=1
    fi
done
(( failed )) || echo "$count public headers: each compiles alone as C++17 and C11; all in $(basename "$test_cpp")"
exit "$failed"
