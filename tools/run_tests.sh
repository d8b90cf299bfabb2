#!/bin/bash
# The test command of README.md: installs the Debian packages, builds, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
[[ -d build ]] || meson setup build --buildtype=release
ninja -C build
meson test -C build --print-errorlogs
