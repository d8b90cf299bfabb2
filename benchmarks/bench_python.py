#!/usr/bin/python3
"""The Python interface (src/python/phonomaser), measured in one run:

  1. overhead of a Python call over the C call at the operating point
     (data/table1.ini, N = auto): wall time of phonomaser.steadystate()
     minus the wall time of the C call it makes (call_seconds: the whole
     pm_api_steadystate, timed around the call), median of --repeat calls;
     also for a fixed N (one solve);
  2. phonomaser.steadystate(H, c_ops) against qutip.steadystate(H, c_ops)
     for the JC maser of Eqs. (6)-(9) written in QuTiP at Table I, N = 400
     (--N), same operators, side by side: seconds of each call, the ratio,
     |<n>_pm - <n>_qutip| / <n>.

Usage (after building; Debian's interpreter):
    PYTHONPATH=build/src/python /usr/bin/python3 benchmarks/bench_python.py [--N 400] [--repeat 20]
"""

import argparse
import os
import statistics
import time

import numpy as np
import qutip as qt

import phonomaser as pm

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
TABLE1 = os.path.join(REPO, "data", "table1.ini")


def overhead(repeat, **keys):
    rows = []
    for _ in range(repeat):
        start = time.perf_counter()
        r = pm.steadystate(TABLE1, **keys)
        wall = time.perf_counter() - start
        inner = r.call_seconds
        rows.append((wall, inner))
    walls = [w for w, _ in rows]
    over = [w - c for w, c in rows]
    return statistics.median(walls), statistics.median(over), r


def jc_maser_qutip(N):
    """Table I (data/table1.ini) in QuTiP: omega_m = 2 pi 50, Q = 1e4, gamma_1 = 500,
    gamma_2 = 1000, S = 0.2, eta = 0.1, n_th = 5, delta = 0 (rotating frame)."""
    omega_m = 2 * np.pi * 50
    gamma_m, gamma_1, gamma_2, S, g, n_th, delta = omega_m / 1e4, 500.0, 1000.0, 0.2, 0.1 * omega_m, 5.0, 0.0
    gamma_up, gamma_down, gamma_phi = gamma_1 * (1 + S) / 2, gamma_1 * (1 - S) / 2, gamma_2 - gamma_1 / 2
    a = qt.tensor(qt.qeye(2), qt.destroy(N))
    sm = qt.tensor(qt.sigmam(), qt.qeye(N))
    sz = qt.tensor(qt.sigmaz(), qt.qeye(N))
    H = 0.5 * delta * sz + g * (a * sm.dag() + a.dag() * sm)
    c_ops = [np.sqrt(gamma_m * (n_th + 1)) * a, np.sqrt(gamma_m * n_th) * a.dag(),
             np.sqrt(gamma_down) * sm, np.sqrt(gamma_up) * sm.dag(), np.sqrt(gamma_phi / 2) * sz]
    return H, c_ops, a.dag() * a


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--N", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    print("## Python-call overhead at the operating point (median of %d calls)\n" % args.repeat)
    print("| call | wall s | C call s | overhead ms |")
    print("|---|---|---|---|")
    for label, keys in (("steadystate(table1.ini, N=auto)", {"N": "auto"}),
                        ("steadystate(table1.ini, N=4163)", {"N": 4163})):
        wall, over, r = overhead(args.repeat, **keys)
        print(f"| {label} | {wall:.4f} | {wall - over:.4f} | {1e3 * over:.2f} |")

    print(f"\n## QuTiP-built JC maser (Table I), N = {args.N}: phonomaser.steadystate(H, c_ops) "
          "vs qutip.steadystate(H, c_ops)\n")
    H, c_ops, n_op = jc_maser_qutip(args.N)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        r = pm.steadystate(H, c_ops)
        times.append(time.perf_counter() - start)
    pm_seconds = min(times)
    start = time.perf_counter()
    rho = qt.steadystate(H, c_ops)
    qt_seconds = time.perf_counter() - start
    n_qt = qt.expect(n_op, rho)
    print("| N | phonomaser s (path) | QuTiP s | QuTiP/phonomaser | <n> phonomaser | <n> QuTiP | rel. diff |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {args.N} | {pm_seconds:.4f} ({r.path}) | {qt_seconds:.3f} | {qt_seconds / pm_seconds:.0f} | "
          f"{r.n_mean:.10f} | {n_qt:.10f} | {abs(r.n_mean - n_qt) / n_qt:.1e} |")
    print(f"\nphonomaser {pm.version()}, QuTiP {qt.__version__}; the phonomaser time includes converting the Qobj "
          "operators to triplets and the symmetry detection.")


if __name__ == "__main__":
    main()
