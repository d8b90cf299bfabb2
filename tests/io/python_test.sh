#!/bin/sh
# Run a Python test with Debian's /usr/bin/python3 (numpy, h5py; a pyenv or
# venv python3 usually lacks them; PM_TEST_PYTHON overrides); exit 77
# (meson: skipped) without them.
# usage: python_test.sh SCRIPT [ARGS...]
python=${PM_TEST_PYTHON:-/usr/bin/python3}
if ! [ -x "$python" ] || ! "$python" -c "import h5py, numpy" 2>/dev/null; then
    echo "skipped: $python with h5py and numpy is not available"
    exit 77
fi
exec "$python" "$@"
