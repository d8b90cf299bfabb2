#!/usr/bin/python3
"""Benchmark: `phonomaser wigner` against QuTiP's `wigner`, same states, same
grid, same run.  Prints one table: state, N, <n>, grid, seconds of each tool,
max |W_phonomaser - W_qutip| / max W, and a note when QuTiP's result is not
finite.

Usage (from the repository root, after building; ~10 minutes, QuTiP's
Clenshaw sum is O(N^2) numpy operations over the grid):
    /usr/bin/python3 benchmarks/bench_wigner.py [--phonomaser build/phonomaser] [--quick]

States (each written as a phonomaser HDF5 file, /steady/rho, and read back
with `phonomaser wigner --state`):
  ring-N    phase-invariant, maser-like P(n): a Gaussian of mean N/3 and width
            3 sqrt(mean) (the operating point has width 2.9 sqrt(<n>)); the
            radial path.
  coherent-N  |alpha><alpha|, |alpha|^2 = N/4: every coherence present, the
            general path (O(N^2) per radius).
  operating point  the steady state of data/table1.ini (N = auto, ~4163),
            solved and stored by `phonomaser steady --set store_rho=1`.
phonomaser's time is its `grid_seconds` line: W on the grid, without start-up,
file input, the ring search or the steady-state solve.  QuTiP's is the call to qutip.wigner alone (default method
'clenshaw'; its sparse=True variant was measured no faster here).

Interpreter: /usr/bin/python3 (Debian's python3-qutip 4.7.1, numpy, h5py).
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np
import qutip

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import phonomaser_h5  # noqa: E402


def write_state(path, N, rows, cols, values):
    """A phonomaser-format density matrix (spin (x) Fock, dim 2N)."""
    with h5py.File(path, "w") as f:
        g = f.create_group("steady/rho")
        g.create_dataset("row", data=np.asarray(rows, dtype=np.int64))
        g.create_dataset("col", data=np.asarray(cols, dtype=np.int64))
        g.create_dataset("value", data=np.asarray(values, dtype=np.complex128))
        g.attrs["dim"] = np.int64(2 * N)
        g.attrs["adjoint_implied"] = np.int64(0)
        f.attrs["complete"] = np.int64(1)


def ring_state(N):
    mean = N / 3.0
    n = np.arange(N)
    p = np.exp(-0.5 * ((n - mean) / (3.0 * np.sqrt(mean))) ** 2)
    return p / p.sum()


def coherent_ket(N, alpha):
    c = np.zeros(N, dtype=complex)
    c[0] = np.exp(-abs(alpha) ** 2 / 2)
    for k in range(1, N):
        c[k] = c[k - 1] * alpha / np.sqrt(k)
    return c


def run_phonomaser(exe, state_file, range_, points, out):
    cmd = [exe, "wigner", "-q", "--state", state_file, "--set", f"wigner_range={range_!r}",
           "--set", f"wigner_points={points}", "--output", out]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stderr}")
    lines = dict(line.split(" = ", 1) for line in proc.stdout.splitlines() if " = " in line)
    with h5py.File(out, "r") as f:
        W = f["/wigner/W"][()]
        z = f["/wigner/z"][()]
    return float(lines["grid_seconds"]), wall, W, z


def time_qutip(rho, z, **kwargs):
    t0 = time.perf_counter()
    with np.errstate(all="ignore"):
        W = qutip.wigner(rho, z, z, **kwargs).T  # QuTiP: W[ip, iz]
    return time.perf_counter() - t0, W


def compare(W, Wq):
    finite = np.isfinite(Wq)
    if not finite.any():
        return float("nan"), "QuTiP: all NaN/Inf (overflow)"
    diff = np.abs(W - Wq)[finite].max() / np.abs(W).max()
    note = "" if finite.all() else f"QuTiP: {np.count_nonzero(~finite)} NaN/Inf"
    if finite.all() and diff > 1e-6:
        note = "QuTiP inaccurate (cancellation)"
    return diff, note


# (state, N, grid points per axis).  QuTiP's Clenshaw sum costs O(N^2) numpy
# operations over the whole grid (~17 s for N = 50 on 400 x 400, ~75 s for
# N = 100), so larger N use smaller grids to keep the run to ~10 minutes.
CASES = [("ring", 50, 400), ("ring", 100, 400), ("ring", 200, 200), ("coherent", 50, 400),
         ("coherent", 100, 200), ("ring", 400, 100), ("ring", 800, 50), ("ring", 1600, 50)]
QUICK_CASES = [("ring", 50, 100), ("coherent", 50, 100)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--phonomaser", default=os.path.join(ROOT, "build", "phonomaser"))
    ap.add_argument("--quick", action="store_true", help="two small cases only (a smoke test)")
    args = ap.parse_args()
    exe = os.path.abspath(args.phonomaser)
    if not os.access(exe, os.X_OK):
        sys.exit(f"no phonomaser executable at {exe} (build first, or pass --phonomaser)")
    header = (f"{'state':<16} {'N':>6} {'<n>':>8} {'grid':>9} {'phonomaser [s]':>15} {'QuTiP [s]':>10} "
              f"{'ratio':>8} {'max|dW|/maxW':>13}  note")
    with tempfile.TemporaryDirectory() as tmp:
        state_file, out = os.path.join(tmp, "state.h5"), os.path.join(tmp, "w.h5")
        print(f"phonomaser wigner vs qutip.wigner {qutip.__version__} (method 'clenshaw', the default)", flush=True)
        print(header)

        def report(name, N, nmean, grid, seconds, tq, diff, note, same_grid=True):
            ratio = f"{tq / seconds:>8.0f}" if same_grid else f"{'-':>8}"
            print(f"{name:<16} {N:>6} {nmean:>8.1f} {grid:>9} {seconds:>15.4f} {tq:>10.3f} {ratio} "
                  f"{diff:>13.2e}  {note}", flush=True)

        for kind, N, points in (QUICK_CASES if args.quick else CASES):
            if kind == "ring":
                p = ring_state(N)
                nmean = float(np.dot(np.arange(N), p))
                idx = N + np.arange(N)  # spin down
                write_state(state_file, N, idx, idx, p)
                range_ = 1.3 * np.sqrt(2 * nmean + 1) + 6.0
                rho = qutip.Qobj(np.diag(p))
            else:
                alpha = np.sqrt(N / 4.0) * np.exp(0.6j)
                c = coherent_ket(N, alpha)
                i, j = np.meshgrid(np.arange(N), np.arange(N), indexing="ij")
                write_state(state_file, N, (N + i).ravel(), (N + j).ravel(), np.outer(c, c.conj()).ravel())
                nmean = abs(alpha) ** 2
                range_ = np.sqrt(2) * abs(alpha) + 6.0
                rho = qutip.Qobj(np.outer(c, c.conj()))
            seconds, _, W, z = run_phonomaser(exe, state_file, range_, points, out)
            tq, Wq = time_qutip(rho, z)
            diff, note = compare(W, Wq)
            report(f"{kind}-{N}", N, nmean, f"{points}x{points}", seconds, tq, diff, note)

        if not args.quick:
            # the operating point: phonomaser on 400 x 400; QuTiP (O(N^2)
            # Python-level steps at N ~ 4000) on 16 points of one grid row
            steady = os.path.join(tmp, "steady.h5")
            subprocess.run([exe, "steady", "-q", "-c", os.path.join(ROOT, "data", "table1.ini"), "--set",
                            "store_rho=1", "--output", steady], check=True, capture_output=True)
            seconds, _, W, z = run_phonomaser(exe, steady, 0.0, 400, out)
            with h5py.File(out, "r") as f:
                N = int(f["/wigner"].attrs["N"])
            rho_m = phonomaser_h5.to_qobj(steady).ptrace(1)
            nmean = float(qutip.expect(qutip.num(N), rho_m))
            sel = np.linspace(200, 399, 16).astype(int)
            t0 = time.perf_counter()
            with np.errstate(all="ignore"):
                Wq = qutip.wigner(rho_m, z[sel], z[200:201])[0]  # W[ip = 0][iz]
            tq = time.perf_counter() - t0
            diff, note = compare(W[sel, 200], Wq)
            report("operating point", N, nmean, "400x400", seconds, tq, diff,
                   (note + "; " if note else "") + "QuTiP on 16 points of one row only", same_grid=False)


if __name__ == "__main__":
    main()
