#!/usr/bin/python3
"""Throughput of `phonomaser map` on threads and on MPI ranks, in one run.

Usage (Debian's interpreter; needs h5py and Open MPI's mpirun):
    /usr/bin/python3 benchmarks/bench_map.py [--phonomaser build/phonomaser]
        [--axis S=-0.1:0.3:21] [--axis delta=-3000:3000:11] [--repeat 2]

The JC steady-state map of data/table1.ini (eta = 0.1, N = auto per point),
issue 14's targets:
  throughput    points per second: --threads 1, --threads 2, mpirun -np 1, -np 2
  efficiency    T(threads 1) / (2 T(-np 2)), target >= 90 %
  MPI overhead  T(-np 1) / T(threads 1) - 1, target < 5 %
  load balance  -np 4 on this 2-core machine (oversubscribed): its time against
                -np 2 (ideal: equal; the excess is ranks waiting or competing)
Every run's map is compared with the threaded one: the numbers must be equal.
The best of --repeat runs is reported; say how loaded the machine was (uptime
is printed).
"""

import argparse
import os
import subprocess
import tempfile
import time

import h5py
import numpy as np


def run(cmd, env=None):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    return time.perf_counter() - start


def same_map(a, b):
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        return all(np.array_equal(fa["map"][k][()], fb["map"][k][()], equal_nan=True)
                   for k in fa["map"] if k != "axes")


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser()
    ap.add_argument("--phonomaser", default=os.path.join(root, "build", "phonomaser"))
    ap.add_argument("--axis", action="append", default=None)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    axes = args.axis or ["S=-0.1:0.3:21", "delta=-3000:3000:11"]
    base = [args.phonomaser, "map", "-c", os.path.join(root, "data", "table1.ini"), "-q"]
    for a in axes:
        base += ["--axis", a]
    mpirun = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np"]
    runs = [("threads 1", base + ["--threads", "1"]), ("threads 2", base + ["--threads", "2"]),
            ("mpirun -np 1", mpirun + ["1"] + base), ("mpirun -np 2", mpirun + ["2"] + base),
            ("mpirun -np 4 (oversubscribed)", mpirun + ["4"] + base)]
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    with tempfile.TemporaryDirectory() as tmp:
        best, files = {}, {}
        for name, cmd in runs:
            path = os.path.join(tmp, name.replace(" ", "_") + ".h5")
            times = [run(cmd + ["-o", path]) for _ in range(args.repeat)]
            best[name], files[name] = min(times), path
        with h5py.File(files["threads 1"], "r") as f:
            points = int(f["map"].attrs["points"])
        print(f"map of {points} points ({' x '.join(axes)}), best of {args.repeat}")
        print(f"{'run':32s} {'seconds':>9s} {'points/s':>9s}  same map as threads 1")
        for name, _ in runs:
            print(f"{name:32s} {best[name]:9.2f} {points / best[name]:9.1f}  "
                  f"{same_map(files['threads 1'], files[name])}")
        t1 = best["threads 1"]
        print(f"parallel efficiency, threads 2:  {t1 / (2 * best['threads 2']):.1%}")
        print(f"parallel efficiency, -np 2:      {t1 / (2 * best['mpirun -np 2']):.1%}  (target >= 90 %)")
        print(f"MPI overhead at -np 1:           {best['mpirun -np 1'] / t1 - 1:+.1%}  (target < 5 %)")
        print(f"-np 4 on 2 cores against -np 2:  {best['mpirun -np 4 (oversubscribed)'] / best['mpirun -np 2'] - 1:+.1%}")


if __name__ == "__main__":
    main()
