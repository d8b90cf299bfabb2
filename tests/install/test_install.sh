#!/bin/bash
# Installable and linkable: `meson install --destdir` into a temporary
# directory, then src/examples/steady_operating_point.c is compiled against
# that copy with the flags of its phonomaser.pc, twice:
#   shared:  cc ... $(pkg-config --cflags --libs phonomaser), run with the
#            installed libphonomaser.so.N;
#   static:  the shared library removed from the copy, so -lphonomaser is
#            libphonomaser.a and `pkg-config --static` must name every private
#            dependency (Requires.private, Libs.private) or the link fails.
# Both must print what the example built in the tree prints.
# Usage: test_install.sh MESON BUILD_DIR SRC_INCLUDE_DIR EXAMPLE.c IN_TREE_EXAMPLE
#   (environment: CC, the C compiler command; SANITIZE, the build's b_sanitize)
set -euo pipefail
meson=$1 build=$2 src_inc=$3 example=$4 in_tree=$5
cc=${CC:-cc}
sanitize=()
[[ -n "${SANITIZE:-}" && "$SANITIZE" != none ]] && sanitize=(-fsanitize="$SANITIZE")
unset LD_LIBRARY_PATH  # meson test points it at the build tree
command -v pkg-config >/dev/null || { echo "pkg-config not found: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$meson" install -C "$build" --destdir "$tmp/root" --no-rebuild >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log" >&2; fail "meson install --destdir"; }
pc=$(find "$tmp/root" -name phonomaser.pc)
[[ -n "$pc" && $(wc -l <<<"$pc") -eq 1 ]] || fail "expected one installed phonomaser.pc, found: ${pc:-none}"
pcdir=$(dirname "$pc")
if ! grep -q '^prefix=${pcfiledir}' "$pc"; then
    # a build directory configured before pkgconfig.relocatable=true became the
    # default keeps an absolute prefix: point it at the copy
    prefix=$(sed -n 's/^prefix=//p' "$pc")
    mkdir "$tmp/pc"
    sed "s|^prefix=.*|prefix=$tmp/root$prefix|" "$pc" >"$tmp/pc/phonomaser.pc"
    pcdir=$tmp/pc
fi
export PKG_CONFIG_PATH=$pcdir
libdir=$(pkg-config --variable=libdir phonomaser)
includedir=$(pkg-config --variable=includedir phonomaser)
[[ "$libdir" == "$tmp/root"* ]] || fail "libdir $libdir is not in the installed copy"
for f in libphonomaser.a "libphonomaser.so" "libphonomaser.so.$(pkg-config --modversion phonomaser | cut -d. -f1)"; do
    [[ -e "$libdir/$f" ]] || fail "$libdir/$f not installed"
done
for h in $(cd "$src_inc" && find phonomaser -name '*.h'); do
    [[ -f "$includedir/$h" ]] || fail "header $h not installed"
done
[[ -f "$includedir/phonomaser/version.h" ]] || fail "phonomaser/version.h not installed"
grep -q '^Requires.private:.*arpack' "$pc" && grep -q '^Requires.private:.*hdf5-serial' "$pc" ||
    fail "Requires.private of $pc lacks arpack or hdf5-serial"
"$in_tree" >"$tmp/expected.txt" || fail "the in-tree example failed"

# the shared library exports exactly what the installed headers declare: no
# internal symbol (src/*.h, PM_INTERNAL) leaks into its ABI
if command -v nm >/dev/null; then
    so=$(find "$libdir" -name 'libphonomaser.so.*.*' | head -1)
    nm -D --defined-only "$so" | awk '{print $3}' | sort -u >"$tmp/exported.txt"
    find "$includedir/phonomaser" -name '*.h' -exec cat {} + | grep -oE '\bpm_[A-Za-z0-9_]+\b' | sort -u >"$tmp/declared.txt"
    leaked=$(comm -23 "$tmp/exported.txt" "$tmp/declared.txt")
    [[ -z "$leaked" ]] || fail "libphonomaser.so exports symbols no installed header declares: $(echo $leaked)"
    [[ $(wc -l <"$tmp/exported.txt") -gt 100 ]] || fail "libphonomaser.so exports only $(wc -l <"$tmp/exported.txt") symbols"
fi

# shared
# shellcheck disable=SC2046
$cc -std=c11 -Wall -Wextra -Werror "${sanitize[@]}" "$example" -o "$tmp/example_shared" \
    $(pkg-config --cflags --libs phonomaser) || fail "compile against the installed copy (shared)"
readelf -d "$tmp/example_shared" | grep -q 'NEEDED.*libphonomaser\.so' || fail "shared: not linked to libphonomaser.so"
LD_LIBRARY_PATH=$libdir "$tmp/example_shared" >"$tmp/shared.txt" || fail "shared: the example failed"
cmp -s "$tmp/expected.txt" "$tmp/shared.txt" || { diff "$tmp/expected.txt" "$tmp/shared.txt" >&2; fail "shared: other output"; }

# the Python package as installed for Debian's /usr/bin/python3 (its
# dist-packages under the prefix) imports and solves, with the copy's library
# (PHONOMASER_LIBRARY: the installed _paths.py names the final prefix)
# (not in a sanitized build: python would need the sanitizer runtimes preloaded, which
# tests/python/run_pytest.sh does for the package in the build tree)
if [[ ${#sanitize[@]} -eq 0 ]] && /usr/bin/python3 -c 'import cffi, numpy' 2>/dev/null; then
    pkg=$(find "$tmp/root" -path '*dist-packages/phonomaser/__init__.py' | head -1)
    [[ -n "$pkg" ]] || fail "the Python package was not installed (no dist-packages/phonomaser)"
    grep -q "libphonomaser.so" "$(dirname "$pkg")/_paths.py" || fail "installed _paths.py names no library"
    PYTHONPATH=$(dirname "$(dirname "$pkg")") PHONOMASER_LIBRARY=$(find "$libdir" -name 'libphonomaser.so.*.*' | head -1) \
        /usr/bin/python3 -c 'import sys, phonomaser as pm; r = pm.steadystate(N=20); sys.exit(not (r.N == 20 and r.n_mean > 0))' \
        || fail "the installed Python package does not import or solve"
fi

# static
rm -f "$libdir"/libphonomaser.so*
# shellcheck disable=SC2046
$cc -std=c11 -Wall -Wextra -Werror "${sanitize[@]}" "$example" -o "$tmp/example_static" \
    $(pkg-config --static --cflags --libs phonomaser) || fail "compile against the installed copy (--static)"
if readelf -d "$tmp/example_static" | grep -q 'NEEDED.*libphonomaser'; then fail "static: linked to a shared libphonomaser"; fi
"$tmp/example_static" >"$tmp/static.txt" || fail "static: the example failed"
cmp -s "$tmp/expected.txt" "$tmp/static.txt" || { diff "$tmp/expected.txt" "$tmp/static.txt" >&2; fail "static: other output"; }

echo "installed into a temporary directory; the example built through pkg-config (shared and --static) prints:"
cat "$tmp/static.txt"
