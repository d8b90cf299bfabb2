#!/bin/sh
# The pytest suite of the Python package with Debian's /usr/bin/python3
# (PM_TEST_PYTHON overrides); exit 77 (meson: skipped) without pytest,
# cffi, numpy, scipy or qutip.
# usage: run_pytest.sh PACKAGE_DIR CLI TEST_DIR [pytest args...]
python=${PM_TEST_PYTHON:-/usr/bin/python3}
if ! [ -x "$python" ] || ! "$python" -c "import pytest, cffi, numpy, scipy, h5py, qutip" 2>/dev/null; then
    echo "skipped: $python with pytest, cffi, numpy, scipy, h5py and qutip is not available"
    exit 77
fi
package=$1 cli=$2 tests=$3
shift 3
# a sanitized build (SANITIZE, the build's b_sanitize): the interpreter is not
# instrumented, so the runtimes are preloaded; Python's own allocations are
# not tracked as leaks
case "${SANITIZE:-none}" in
    *address*)
        cc=${CC:-cc}
        LD_PRELOAD="$($cc -print-file-name=libasan.so) $($cc -print-file-name=libubsan.so)"
        ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
        export LD_PRELOAD ASAN_OPTIONS ;;
esac
PYTHONPATH=$package PHONOMASER_CLI=$cli exec "$python" -m pytest -q -p no:cacheprovider "$tests" "$@"
