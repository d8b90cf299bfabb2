#!/usr/bin/python3
"""Throughput of `phonomaser map` on threads and on MPI ranks, in one run.

Usage (Debian's interpreter; needs h5py and Open MPI's mpirun):
    /usr/bin/python3 benchmarks/bench_map.py [--phonomaser build/phonomaser]
        [--axis S=-0.1:0.3:21] [--axis delta=-3000:3000:11] [--repeat 2] [--ranks 2,4,8]
        [--compare-points 20] [--no-steady]

The JC steady-state map of data/table1.ini (eta = 0.1, N = auto per point),
issue 14's targets:
  throughput    points per second: --threads 1, --threads 2, mpirun -np 1, -np 2
  efficiency    T(threads 1) / (2 T(-np 2)), target >= 90 %; also from CPU
                seconds, CPU(threads 1) / CPU(-np 2), which a loaded machine
                does not spoil (the work the ranks add: start-up, coordination)
  MPI overhead  T(-np 1) / T(threads 1) - 1, target < 5 %
  load balance  more ranks than the machine's cores (oversubscribed): the idle
                fraction of the workers, 1 - sum(busy) / (workers x wall), with
                busy the wall seconds each rank spent inside its points and wall
                the map's time on rank 0 (phonomaser map's /map_timing), and the
                cores' use, CPU seconds of all processes / (cores x wall)
Every run's map is compared with the threaded one: the numbers must be equal.
The best of --repeat runs is reported (CPU seconds and idle fraction of that
run); say how loaded the machine was (uptime is printed before and after).
Then the JC *comparison* point (issue 14, "fast points": target 50 ms of CPU at
the operating point): `map --quantities compare --threads 1` over
--compare-points copies of the operating point (S = 0.2, N = auto), CPU seconds
(user + system of the child) per point, and over a small (S, delta) grid, points/s.
"""

import argparse
import os
import resource
import subprocess
import tempfile
import time

import h5py
import numpy as np


def run(cmd):
    """Wall seconds and CPU seconds (user + system of every process it started and waited for)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
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
        best = min((run(cmd) for _ in range(args.repeat)), key=lambda t: t[1])
        print(f"{name:40s} {best[0]:9.2f} {points / best[0]:9.1f} {1e3 * best[1] / points:13.1f}")


def same_map(a, b):
    with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
        return all(np.array_equal(fa["map"][k][()], fb["map"][k][()], equal_nan=True)
                   for k in fa["map"] if k != "axes")


def timing(path):
    """idle fraction, map seconds and per-rank busy seconds that phonomaser map wrote."""
    with h5py.File(path, "r") as f:
        t = f["map_timing"]
        return float(t.attrs["idle_fraction"]), float(t.attrs["seconds"]), t["busy_seconds"][()]


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser()
    ap.add_argument("--phonomaser", default=os.path.join(root, "build", "phonomaser"))
    ap.add_argument("--axis", action="append", default=None)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--compare-points", type=int, default=20)
    ap.add_argument("--no-steady", action="store_true", help="only the JC comparison points")
    ap.add_argument("--ranks", default="2,4,8", help="rank counts for the MPI runs besides -np 1")
    args = ap.parse_args()
    if args.no_steady:
        compare_points(args, root)
        return
    axes = args.axis or ["S=-0.1:0.3:21", "delta=-3000:3000:11"]
    cores = os.cpu_count()
    base = [args.phonomaser, "map", "-c", os.path.join(root, "data", "table1.ini"), "-q"]
    for a in axes:
        base += ["--axis", a]
    mpirun = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np"]
    runs = [("threads 1", base + ["--threads", "1"]), ("threads 2", base + ["--threads", "2"]),
            ("mpirun -np 1", mpirun + ["1"] + base)]
    for np_ in (int(x) for x in args.ranks.split(",")):
        label = f"mpirun -np {np_}" + (" (oversubscribed)" if np_ > cores else "")
        runs.append((label, mpirun + [str(np_)] + base))
    print("before:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    with tempfile.TemporaryDirectory() as tmp:
        best, files = {}, {}
        for name, cmd in runs:
            path = os.path.join(tmp, name.split(" (")[0].replace(" ", "_") + ".h5")
            trials = []
            for _ in range(args.repeat):
                wall, cpu = run(cmd + ["-o", path])
                trials.append((wall, cpu) + timing(path))
            best[name], files[name] = min(trials), path
        after = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
        with h5py.File(files["threads 1"], "r") as f:
            points = int(f["map"].attrs["points"])
        print(f"map of {points} points ({' x '.join(axes)}), best of {args.repeat}, {cores} cores")
        print(f"{'run':32s} {'seconds':>8s} {'points/s':>9s} {'CPU s':>8s} {'idle':>7s} {'cores used':>10s}  "
              f"same map as threads 1   busy seconds per rank")
        for name, _ in runs:
            wall, cpu, idle, _, busy = best[name]
            print(f"{name:32s} {wall:8.2f} {points / wall:9.1f} {cpu:8.2f} {idle:7.1%} "
                  f"{cpu / (cores * wall):10.1%}  {str(same_map(files['threads 1'], files[name])):22s}  "
                  + ",".join(f"{b:.1f}" for b in busy))
        t1, c1 = best["threads 1"][0], best["threads 1"][1]
        np2 = next(n for n, _ in runs if n.startswith("mpirun -np 2"))
        print(f"parallel efficiency, threads 2:  {t1 / (2 * best['threads 2'][0]):.1%} (CPU: {c1 / best['threads 2'][1]:.1%})")
        print(f"parallel efficiency, -np 2:      {t1 / (2 * best[np2][0]):.1%}  (target >= 90 %; CPU: "
              f"{c1 / best[np2][1]:.1%})")
        print(f"MPI overhead at -np 1:           {best['mpirun -np 1'][0] / t1 - 1:+.1%}  (target < 5 %; CPU: "
              f"{best['mpirun -np 1'][1] / c1 - 1:+.1%})")
        for name, _ in runs:
            if "oversubscribed" in name:
                print(f"{name} against -np 2: {best[name][0] / best[np2][0] - 1:+.1%} wall, "
                      f"idle fraction {best[name][2]:.2%}")
        print("after: ", after)
    compare_points(args, root)


if __name__ == "__main__":
    main()
