#!/usr/bin/python3
"""phonomaser spectrum against qutip.spectrum, side by side in one run (issue 13).

Usage (Debian's interpreter, it has python3-qutip):
    /usr/bin/python3 benchmarks/bench_spectrum.py [--N 20 40 60] [--frequencies 100]
        [--timeout 600] [--phonomaser build/phonomaser]

1. Operating point (data/table1.ini, N = auto): `phonomaser spectrum` with the
   default adaptive grid (up to 2000 frequencies) and the linewidth, then with
   the correlations g1(tau), g2(tau) over 0-20000 s; the targets: spectrum +
   linewidth in <= 1 s of solver time, g1 over 20 000 s in <= 2 s.
2. Equal N (the operating point's parameters truncated at N; the same truncated
   model on both sides): phonomaser's emission spectrum S_a on its adaptive grid
   against qutip.spectrum(H, w, c_ops, a.dag(), a) (solver 'es', QuTiP's default:
   the dense Liouvillian's eigenvectors) at --frequencies of phonomaser's grid
   points; the times (phonomaser: spectrum_seconds, its whole grid and the FWHM;
   QuTiP: the spectrum call for its subset) and the largest relative difference
   where S is above 1e-12 of its maximum (targets: >= 100x faster, 1e-8).
Every measurement runs in a fresh single-threaded process.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, ".."))
CONFIG = os.path.join(REPO, "data", "table1.ini")


def run_phonomaser(exe, settings, flags, timeout, output=None):
    cmd = [exe, "spectrum", "-c", CONFIG, "-q"] + flags
    for key, value in settings.items():
        cmd += ["--set", "%s=%s" % (key, value)]
    if output:
        cmd += ["-o", output]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, check=True).stdout
    except subprocess.TimeoutExpired:
        return None
    return dict(line.split(" = ", 1) for line in out.splitlines() if " = " in line)


CHILD = r"""
import sys, time
import numpy as np
tools, benchmarks, config, N, wfile, sfile = sys.argv[1:7]
sys.path[:0] = [tools, benchmarks]
import qutip
import make_qutip_reference as ref
from qutip_bench import read_params
p = dict(read_params(config), N=int(N))
H, c_ops, d = ref.model(p)
a = ref.operators(p["N"])[0]
w = np.loadtxt(wfile)
t0 = time.perf_counter()
S = qutip.spectrum(H, w, c_ops, a.dag(), a)
print("SECONDS %.6g" % (time.perf_counter() - t0))
np.savetxt(sfile, np.asarray(S), fmt="%.17g")
"""


def run_qutip(N, omega, timeout, tmp):
    wfile, sfile = os.path.join(tmp, "w%d.txt" % N), os.path.join(tmp, "s%d.txt" % N)
    np.savetxt(wfile, omega, fmt="%.17g")
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", QUTIP_NUM_PROCESSES="1")
    try:
        out = subprocess.run(["/usr/bin/python3", "-c", CHILD, os.path.join(REPO, "tools"), HERE, CONFIG, str(N),
                              wfile, sfile], capture_output=True, text=True, timeout=timeout, env=env).stdout
    except subprocess.TimeoutExpired:
        return "timeout", None
    seconds = [float(l.split()[1]) for l in out.splitlines() if l.startswith("SECONDS")]
    if not seconds:
        return "error", None
    return seconds[0], np.loadtxt(sfile)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--N", nargs="*", type=int, default=[20, 40, 60])
    ap.add_argument("--frequencies", type=int, default=100, help="QuTiP: frequencies of phonomaser's grid")
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--phonomaser", default=os.path.join(REPO, "build", "phonomaser"))
    args = ap.parse_args()
    load = os.getloadavg()[0]
    print("## phonomaser spectrum vs qutip.spectrum (load average %.1f on %d cores)" % (load, os.cpu_count()))
    print()
    f = run_phonomaser(args.phonomaser, {}, ["--no-x", "--no-tau"], args.timeout)
    print("operating point, N = %s: %s frequencies (resolved %s), FWHM %s rad/s, -2 Re lambda_1 %s, "
          "phase diffusion %s; sum rule %s; solver time %s s (LUs %s s); target 2000 frequencies + "
          "linewidth <= 1 s" % (f["N"], f["spectrum_points"], f["spectrum_resolved"], f["linewidth_fwhm"],
                                f["linewidth_slowest_mode"], f["linewidth_fp"], f["sum_rule_error"],
                                f["spectrum_seconds"], f["lu_seconds"]))
    f = run_phonomaser(args.phonomaser, {}, ["--no-x", "--points", "100", "--tau-max", "20000"], args.timeout)
    print("operating point: g1(tau) and g2(tau) over 0-20000 s, 401 times: %s s for both (target g1 <= 2 s), "
          "|g1(20000 s)| = %s" % (f["tau_seconds"], f["g1_at_tau_max"]))
    print()
    print("| N | phonomaser s (grid points) | QuTiP s (frequencies) | QuTiP/phonomaser | max rel. difference |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for N in args.N:
            h5 = os.path.join(tmp, "spec%d.h5" % N)
            f = run_phonomaser(args.phonomaser, {"N": N}, ["--no-x", "--no-tau"], args.timeout, h5)
            with h5py.File(h5, "r") as hf:
                omega, S = hf["spectrum/omega"][()], hf["spectrum/S_a"][()]
            pick = np.unique(np.linspace(0, len(omega) - 1, args.frequencies).round().astype(int))
            qs, qS = run_qutip(N, omega[pick], args.timeout, tmp)
            ps = float(f["spectrum_seconds"])
            if isinstance(qs, float):
                big = np.abs(qS) > 1e-12 * np.max(np.abs(qS))
                dev = "%.1e" % np.max(np.abs(S[pick][big] - qS[big]) / np.abs(qS[big]))
                rat = "%.3g" % (qs / ps)
            else:
                dev, rat = "-", ("> %.3g" % (args.timeout / ps) if qs == "timeout" else "-")
            print("| %d | %.3g (%d) | %s (%d) | %s | %s |" % (N, ps, len(omega), qs if isinstance(qs, str) else
                                                             "%.3g" % qs, len(pick), rat, dev), flush=True)


if __name__ == "__main__":
    sys.exit(main())
