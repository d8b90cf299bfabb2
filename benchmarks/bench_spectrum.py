#!/usr/bin/python3
"""phonomaser spectrum against qutip.spectrum, side by side in one run (issue 13).

Usage (Debian's interpreter, it has python3-qutip):
    /usr/bin/python3 benchmarks/bench_spectrum.py [--N 20 40 60] [--frequencies 100]
        [--timeout 600] [--qutip-timeout 600] [--phonomaser build/phonomaser]

1. Operating point (data/table1.ini, N = auto): `phonomaser spectrum` with the
   default adaptive grid (up to 2000 frequencies) and the linewidth, then with
   the correlations g1(tau), g2(tau) over 0-20000 s; the targets: spectrum +
   linewidth in <= 1 s of solver time, g1 over 20 000 s in <= 2 s.
2. Equal N (the operating point's parameters truncated at N; the same truncated
   model on both sides): phonomaser's emission spectrum S_a on its adaptive grid
   against, at --frequencies of its grid points,
   (a) qutip.spectrum(H, w, c_ops, a.dag(), a) (solver 'es', QuTiP's default:
       the dense Liouvillian's eigenvectors), limited to --qutip-timeout CPU
       seconds: if it does not finish, the CPU time it used is a measured lower
       bound ("> T s", ratio "> r");
   (b) an independent reference built from QuTiP's own objects:
       L = qutip.liouvillian(H, c_ops), rho_ss = qutip.steadystate(H, c_ops),
       then S(w) = -2 Re Tr[a^dag (L - i w)^{-1} Q (a rho_ss)] (Q X = X - Tr(X)
       rho_ss; the regression formula of correlation.h) by one
       scipy.sparse.linalg.spsolve of the full Liouvillian per frequency.
   The times (phonomaser: spectrum_seconds, its whole grid and the FWHM, one
   thread; QuTiP: CPU seconds of the child process for its subset of
   frequencies, imports included) and the largest relative difference
   where S is above 1e-12 of its maximum (targets: >= 100x faster, 1e-8).
Every measurement runs in a fresh single-threaded process.  On a shared
machine run it with `nice` (the children inherit it).
"""

import argparse
import math
import os
import resource
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
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, check=True).stdout
    except subprocess.TimeoutExpired:
        return None
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = dict(line.split(" = ", 1) for line in out.splitlines() if " = " in line)
    result["cpu_seconds"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result


# The QuTiP model at N and the frequencies, for both child scripts below.
CHILD_SETUP = r"""
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
"""

CHILD = CHILD_SETUP + r"""
t0 = time.perf_counter()
S = qutip.spectrum(H, w, c_ops, a.dag(), a)
print("SECONDS %.6g" % (time.perf_counter() - t0))
np.savetxt(sfile, np.asarray(S), fmt="%.17g")
"""


REFERENCE = CHILD_SETUP + r"""
import scipy.sparse as sp
import scipy.sparse.linalg as spla
t0 = time.perf_counter()
L = sp.csc_matrix(qutip.liouvillian(H, c_ops).data)
rho = qutip.steadystate(H, c_ops)
dim = rho.shape[0]
x0 = (a * rho).full()
x0 = (x0 - np.trace(x0) * rho.full()).reshape(-1, order="F")   # Q (a rho_ss), column stacking
adag = a.dag().full()
weight = adag.T.reshape(-1, order="F")                          # Tr[A X] = sum_ij A_ji X_ij
I = sp.identity(dim * dim, dtype=complex, format="csc")
S = [-2 * np.real(weight @ spla.spsolve(L - 1j * om * I, x0)) for om in w]
print("SECONDS %.6g" % (time.perf_counter() - t0))
np.savetxt(sfile, np.asarray(S), fmt="%.17g")
"""


def run_child(code, N, omega, cpu_limit, tmp, tag):
    """A fresh single-threaded Debian python3 running `code`, limited to cpu_limit CPU seconds (RLIMIT_CPU;
    wall-clock limit 20x that): (CPU seconds, S), or ("timeout", CPU seconds used) / ("error", None).
    CPU time, not wall time: the machine is shared, and the limit is then a measured lower bound."""
    wfile, sfile = os.path.join(tmp, "w%s%d.txt" % (tag, N)), os.path.join(tmp, "s%s%d.txt" % (tag, N))
    np.savetxt(wfile, omega, fmt="%.17g")
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", QUTIP_NUM_PROCESSES="1")
    limit = int(math.ceil(cpu_limit))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        proc = subprocess.run(["/usr/bin/python3", "-c", code, os.path.join(REPO, "tools"), HERE, CONFIG, str(N),
                               wfile, sfile], capture_output=True, text=True, timeout=20 * limit, env=env,
                              preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_CPU, (limit, limit + 5)))
        out = proc.stdout
    except subprocess.TimeoutExpired:
        out = ""
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if not any(l.startswith("SECONDS") for l in out.splitlines()):
        return ("timeout", cpu) if cpu >= 0.95 * limit else ("error", None)
    return cpu, np.loadtxt(sfile)


def max_rel_dev(S, ref):
    big = np.abs(ref) > 1e-12 * np.max(np.abs(ref))
    return np.max(np.abs(S[big] - ref[big]) / np.abs(ref[big]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--N", nargs="*", type=int, default=[20, 40, 60])
    ap.add_argument("--frequencies", type=int, default=100, help="QuTiP: frequencies of phonomaser's grid")
    ap.add_argument("--timeout", type=float, default=600.0, help="phonomaser and the spsolve reference [s]")
    ap.add_argument("--qutip-timeout", type=float, default=600.0,
                    help="qutip.spectrum and the reference: CPU seconds each; a lower bound if hit")
    ap.add_argument("--phonomaser", default=os.path.join(REPO, "build", "phonomaser"))
    args = ap.parse_args()
    load = os.getloadavg()[0]
    print("## phonomaser spectrum vs qutip.spectrum (load average %.1f on %d cores)" % (load, os.cpu_count()))
    print()
    for label, flags in (("full block (--window-tol 0), 1 thread", ["--window-tol", "0", "--threads", "1"]),
                         ("window, 1 thread", ["--threads", "1"]), ("window, 2 threads", ["--threads", "2"]),
                         ("window, 2 threads, --points 3200 --rtol 1e-4", ["--threads", "2", "--points", "3200",
                                                                         "--rtol", "1e-4"])):
        f = run_phonomaser(args.phonomaser, {}, ["--no-x", "--no-tau"] + flags, args.timeout)
        n, solver = int(f["spectrum_points"]), float(f["spectrum_seconds"])
        print("operating point, N = %s, %s: Fock window [%s, %s]; %d frequencies (resolved %s) + FWHM, %s solves; "
              "FWHM %s rad/s, -2 Re lambda_1 %s, phase diffusion %s; sum rule %s; solver time %.3g s wall (LUs %.3g "
              "s summed over threads), process CPU %.3g s (steady state %.3g s of it); per frequency %.3g ms CPU, "
              "2000 frequencies + linewidth ~ %.3g s wall at this load (target <= 1 s)" %
              (f["N"], label, f["spectrum_window_lo"], f["spectrum_window_hi"], n, f["spectrum_resolved"],
               f["spectrum_solves"], f["linewidth_fwhm"], f["linewidth_slowest_mode"], f["linewidth_fp"],
               f["sum_rule_error"], solver, float(f["lu_seconds"]), f["cpu_seconds"], float(f["steady_seconds"]),
               1e3 * (f["cpu_seconds"] - float(f["steady_seconds"])) / int(f["spectrum_solves"]),
               solver * 2000 / n), flush=True)
    f = run_phonomaser(args.phonomaser, {}, ["--no-x", "--points", "100", "--tau-max", "20000", "--threads", "1"],
                       args.timeout)
    print("operating point: g1(tau) and g2(tau) over 0-20000 s, 401 times: %s s for both (target g1 <= 2 s), "
          "|g1(20000 s)| = %s" % (f["tau_seconds"], f["g1_at_tau_max"]))
    print()
    print("| N | phonomaser s (grid points) | qutip.spectrum s (frequencies) | QuTiP/phonomaser | "
          "max rel. difference vs qutip.spectrum | vs QuTiP L + steadystate + spsolve (its s) |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for N in args.N:
            h5 = os.path.join(tmp, "spec%d.h5" % N)
            f = run_phonomaser(args.phonomaser, {"N": N}, ["--no-x", "--no-tau", "--threads", "1"], args.timeout, h5)
            with h5py.File(h5, "r") as hf:
                omega, S = hf["spectrum/omega"][()], hf["spectrum/S_a"][()]
            pick = np.unique(np.linspace(0, len(omega) - 1, args.frequencies).round().astype(int))
            ps = float(f["spectrum_seconds"])
            rs, rS = run_child(REFERENCE, N, omega[pick], args.qutip_timeout, tmp, "ref")
            ref_dev = ("%.1e (%.3g s)" % (max_rel_dev(S[pick], rS), rs)) if isinstance(rs, float) else rs
            qs, qS = run_child(CHILD, N, omega[pick], args.qutip_timeout, tmp, "es")
            if isinstance(qs, float):
                q_time, rat, dev = "%.3g" % qs, "%.3g" % (qs / ps), "%.1e" % max_rel_dev(S[pick], qS)
            elif qs == "timeout":
                q_time, rat, dev = "> %.3g" % qS, "> %.3g" % (qS / ps), "-"
            else:
                q_time, rat, dev = qs, "-", "-"
            print("| %d | %.3g (%d) | %s (%d) | %s | %s | %s |" % (N, ps, len(omega), q_time, len(pick), rat, dev,
                                                                  ref_dev), flush=True)

if __name__ == "__main__":
    sys.exit(main())
