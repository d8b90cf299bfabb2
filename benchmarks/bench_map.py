#!/usr/bin/python3
"""Throughput of `phonomaser map` on threads and on MPI ranks, in one run.

Usage (Debian's interpreter; needs h5py and Open MPI's mpirun):
    /usr/bin/python3 benchmarks/bench_map.py [--phonomaser build/phonomaser]
        [--axis S=-0.1:0.3:21] [--axis delta=-3000:3000:11] [--repeat 2]
        [--compare-points 20] [--no-steady]

The JC steady-state map of data/table1.ini (eta = 0.1, N = auto per point),
issue 14's targets:
  throughput    points per second: --threads 1, --threads 2, mpirun -np 1, -np 2
  efficiency    T(threads 1) / (2 T(-np 2)), target >= 90 %
  MPI overhead  T(-np 1) / T(threads 1) - 1, target < 5 %
  load balance  -np 4 on this 2-core machine (oversubscribed): its time against
                -np 2 (ideal: equal; the excess is ranks waiting or competing)
Every run's map is compared with the threaded one: the numbers must be equal.
Then the JC *comparison* point (issue 14, "fast points": target 50 ms of CPU at
the operating point): `map --quantities compare --threads 1` over
--compare-points copies of the operating point (S = 0.2, N = auto), CPU seconds
(user + system of the child) per point, and over a small (S, delta) grid, points/s.
The best of --repeat runs is reported; say how loaded the machine was (uptime
is printed).
"""

import argparse
import os
import resource
import subprocess
import tempfile
import time

import h5py
import numpy as np


def run(cmd, env=None):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    return time.perf_counter() - start


def run_cpu(cmd):
    """Wall seconds and CPU seconds (user + system) of one child run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = run(cmd)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def compare_points(args, root):
    """CPU per JC comparison point at the operating point, and a small grid's throughput."""
    base = [args.phonomaser, "map", "-c", os.path.join(root, "data", "table1.ini"), "-q",
            "--quantities", "compare", "--threads", "1"]
    same = ",".join(["0.2"] * args.compare_points)
    runs = [(f"operating point x {args.compare_points}", base + ["--axis", f"S={same}"], args.compare_points),
            ("grid S=0.1:0.3:5 x delta=-1000:1000:3",
             base + ["--axis", "S=0.1:0.3:5", "--axis", "delta=-1000:1000:3"], 15)]
    print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    print(f"JC compare map (--quantities compare --threads 1), best of {args.repeat}")
    print(f"{'run':40s} {'seconds':>9s} {'points/s':>9s} {'CPU ms/point':>13s}")
    for name, cmd, points in runs:
        best = min((run_cpu(cmd) for _ in range(args.repeat)), key=lambda t: t[1])
        print(f"{name:40s} {best[0]:9.2f} {points / best[0]:9.1f} {1e3 * best[1] / points:13.1f}")


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
    ap.add_argument("--compare-points", type=int, default=20)
    ap.add_argument("--no-steady", action="store_true", help="only the JC comparison points")
    args = ap.parse_args()
    if args.no_steady:
        compare_points(args, root)
        return
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
    compare_points(args, root)


if __name__ == "__main__":
    main()
