#!/usr/bin/python3
"""phonomaser against QuTiP, measured side by side in one run.

Usage (Debian's interpreter: it has python3-qutip; the pyenv python3 does not):
    /usr/bin/python3 benchmarks/run_benchmarks.py [--model jc dressed]
        [--N 25 50 100 200 400] [--large 1000 10000 100000] [--timeout 600]
        [--skip-qutip-evolve-above 200]
        [--dressed-N 50 100 200 400] [--dressed-timeout 900]
        [--dressed-converge-tol 1e-6 1e-8] [--dressed-real-fold off auto]
        [--dressed-windows 0.05 0.2]
        [--dressed-evolve-N 30 50 100] [--dressed-evolve-window 0.05]
        [--phonomaser build/phonomaser]

--model jc (the JC model of Eq. 6, rotating frame), at the operating point of
data/table1.ini (Table I), for each N of --N:
  steady  phonomaser on the k = 0 sector, phonomaser on the full Liouvillian,
          qutip.steadystate (direct)
  evolve  0-20 s from the thermal state with 201 outputs, rtol 1e-8, atol 1e-10:
          phonomaser sector (k = 0), phonomaser full, qutip.mesolve
  For each N of --large: the sector steady state alone (time should grow
  linearly with N); then the operating point with N = auto.
--model dressed (Eq. 5 without the RWA, lab frame, --set model=dressed), the
targets of issue 11:
  (the steady-state rows run once per --dressed-real-fold: off = the complex
  LU of the coupled sectors, auto = the real LU of the Hermitian fold)
  operating point  N = auto, K = auto, once per --dressed-converge-tol:
          search_seconds (the whole N/K search) and peak memory against 2 s and
          1 GB, with the chosen N, K and <n>
  equal N  for each N of --dressed-N: phonomaser with K = auto at that N
          against qutip.steadystate (direct, full Liouvillian) on the same
          Hamiltonian; ratio of the times and |<n>_pm - <n>_qutip| / <n>
          (targets at N = 400: >= 1000x, 1e-8)
  evolve   from the thermal state at the N, K of the last operating-point row,
          over 0-w for each w of --dressed-windows, extrapolated to 0-10 s
          (target 60 s); and at each N of --dressed-evolve-N phonomaser (same K)
          against qutip.mesolve (adams) over 0 - --dressed-evolve-window,
          rtol 1e-8, atol 1e-10, 11 outputs.
Every measurement runs in a fresh process, single-threaded; `seconds` is the
solver's own wall time (phonomaser: its `seconds` line, which covers building
the Liouvillian and solving at the final cutoffs, or `search_seconds` for the
whole cutoff search; QuTiP: the steadystate/mesolve call), `MiB` the process's
peak resident memory (ru_maxrss).  QuTiP's peak includes the Python + QuTiP
baseline (~90 MiB).
"""

import argparse
import importlib.util
import os
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, ".."))

spec = importlib.util.spec_from_file_location("qutip_bench", os.path.join(HERE, "qutip_bench.py"))
qutip_bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(qutip_bench)


def run_phonomaser(exe, command, settings, timeout):
    """Run phonomaser single-threaded; returns (seconds, peak MiB, fields)."""
    cmd = [exe, command, "-c", os.path.join(REPO, "data", "table1.ini"), "-q"]
    for key, value in settings.items():
        cmd += ["--set", "%s=%s" % (key, value)]
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            return "timeout", usage.ru_maxrss / 1024.0, {}
        time.sleep(0.01)
    out = proc.stdout.read().decode()
    fields = dict(line.split(" = ", 1) for line in out.splitlines() if " = " in line)
    fields["_cpu_s"] = usage.ru_utime + usage.ru_stime  # less sensitive to a loaded machine than wall time
    if os.waitstatus_to_exitcode(status) != 0 or "seconds" not in fields:
        return "error", usage.ru_maxrss / 1024.0, fields
    return float(fields["seconds"]), usage.ru_maxrss / 1024.0, fields


def run_qutip(kind, N, timeout, model="jc", t_final=qutip_bench.T_FINAL_S, n_times=qutip_bench.N_TIMES):
    """qutip_bench.py's measurement in a fresh process; returns (seconds, peak MiB, fields)."""
    qargs = argparse.Namespace(config=os.path.join(REPO, "data", "table1.ini"), rtol=1e-8, atol=1e-10,
                               method="adams", threads=1, timeout=timeout, model=model, theta=None,
                               t_final=t_final, n_times=n_times)
    line = qutip_bench.run_one(kind, N, qargs)
    f = dict(tok.split("=", 1) for tok in line.split()[2:] if "=" in tok)
    seconds = f["seconds"]
    return (float(seconds) if seconds not in ("timeout", "error") else seconds), float(f["peak_mib"]), f


def fmt(x, spec="%.4g"):
    return spec % x if isinstance(x, float) else str(x)


def ratio(slow, fast, timeout):
    if isinstance(slow, float) and isinstance(fast, float) and fast > 0:
        return "%.3g" % (slow / fast)
    if slow == "timeout" and isinstance(fast, float):
        return "> %.3g" % (timeout / fast)
    return "-"


def rel_diff(f1, f2, key="n_mean"):
    """|x1 - x2| / |x2| of a field of two result dicts, or None."""
    try:
        x1, x2 = float(f1[key]), float(f2[key])
    except (KeyError, ValueError):
        return None
    return abs(x1 - x2) / abs(x2)


def verdict(ok):
    return "**met**" if ok else "**missed**"


def jc_benchmarks(args):
    """The JC model (Eq. 6): sector, full and QuTiP side by side."""
    rows = []
    for N in args.N:
        row = {"N": N}
        for kind in ("steady", "evolve"):
            base = {"N": N} if kind == "steady" else {"N": N, "t_final": 20, "n_times": 201}
            for path in ("sector", "full"):
                s, m, _ = run_phonomaser(args.phonomaser, kind, dict(base, path=path), args.timeout)
                row[kind, path] = (s, m)
            if kind == "evolve" and N > args.skip_qutip_evolve_above:
                row[kind, "qutip"] = ("skipped", float("nan"))
            else:
                row[kind, "qutip"] = run_qutip(kind, N, args.timeout)[:2]
        rows.append(row)

    print()
    print("## phonomaser vs QuTiP %s, operating point (data/table1.ini), single thread" % QUTIP_VERSION)
    for kind, what in (("steady", "steady state"), ("evolve", "evolution 0-20 s, 201 outputs, rtol 1e-8, atol 1e-10")):
        print()
        print("### %s" % what)
        print()
        print("| N | sector s | sector MiB | full s | full MiB | QuTiP s | QuTiP MiB | QuTiP/sector | QuTiP/full |")
        print("|---|---|---|---|---|---|---|---|---|")
        for row in rows:
            sec, full, qt = row[kind, "sector"], row[kind, "full"], row[kind, "qutip"]
            print("| %d | %s | %.0f | %s | %.0f | %s | %.0f | %s | %s |" % (
                row["N"], fmt(sec[0]), sec[1], fmt(full[0]), full[1], fmt(qt[0]), qt[1],
                ratio(qt[0], sec[0], args.timeout), ratio(qt[0], full[0], args.timeout)))

    if args.large:
        print()
        print("### sector steady state at large N (time should grow linearly)")
        print()
        print("| N | seconds | seconds / N [us] | MiB | n_mean |")
        print("|---|---|---|---|---|")
        for N in args.large:
            s, m, f = run_phonomaser(args.phonomaser, "steady", {"N": N, "path": "sector"}, args.timeout)
            per = "%.3g" % (1e6 * s / N) if isinstance(s, float) else "-"
            print("| %d | %s | %s | %.0f | %s |" % (N, fmt(s), per, m, f.get("n_mean", "-")))
        s, m, f = run_phonomaser(args.phonomaser, "steady", {"N": "auto"}, args.timeout)
        print()
        print("operating point, N = auto: chosen N = %s, n_mean = %s, solve at that N %s s "
              "(build %s s + solve %s s), whole search %s s, peak %.0f MiB" % (
                  f.get("N"), f.get("n_mean"), fmt(s), f.get("build_seconds"), f.get("solve_seconds"),
                  f.get("search_seconds"), m))
        start = time.monotonic()
        s2, m2, f2 = run_phonomaser(args.phonomaser, "evolve", {"N": "auto", "t_final": 60, "n_times": 601},
                                    args.timeout)
        print("operating point, 0-60 s evolution at N = %s: %s s (whole process %.3g s), peak %.0f MiB" % (
            f2.get("N"), fmt(s2), time.monotonic() - start, m2))


def dressed_benchmarks(args):
    """The dressed model (Eq. 5, lab frame): the targets of issue 11 side by side."""
    exe, dressed = args.phonomaser, {"model": "dressed"}
    print()
    print("## dressed model (Eq. 5, --set model=dressed), data/table1.ini, single thread, QuTiP %s"
          % QUTIP_VERSION)

    print()
    print("### operating point, N = auto, K = auto (targets: whole search <= 2 s, peak <= 1 GB)")
    print()
    print("real_fold = off: the complex LU of the coupled sectors; auto (the default): the real LU of the "
          "Hermitian fold.  process CPU s: user + system time of the whole process.")
    print()
    print("| converge_tol | real_fold | N | K | <n> | rel. change of <n> | cutoffs tried | search s | final solve s "
          "| process CPU s | lu_nnz | peak MiB | 2 s | 1 GB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    op = {}
    for tol in args.dressed_converge_tol:
        for fold in args.dressed_real_fold:
            _, m, f = run_phonomaser(exe, "steady", dict(dressed, N="auto", K="auto", converge_tol=repr(tol),
                                                         real_fold=fold), args.dressed_timeout)
            search = float(f["search_seconds"]) if "search_seconds" in f else "error"
            print("| %g | %s | %s | %s | %s | %s | %s | %s | %s | %.3g | %s | %.0f | %s | %s |" % (
                tol, fold, f.get("N"), f.get("K"), f.get("n_mean"), f.get("rel_change_n"), f.get("cutoffs_tried"),
                fmt(search), fmt(float(f["seconds"])) if "seconds" in f else "-", f["_cpu_s"], f.get("lu_nnz"), m,
                verdict(isinstance(search, float) and search <= 2.0), verdict(m <= 1024.0)))
            if "N" in f:
                op = f

    print()
    print("### equal N: phonomaser (K = auto at that N) vs qutip.steadystate (direct, full Liouvillian)")
    print()
    print("| N | real_fold | K | pm search s | pm final s | pm MiB | QuTiP s | QuTiP MiB | QuTiP/pm search "
          "| QuTiP/pm final | \\|Δ<n>\\|/<n> | <n> |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for N in args.dressed_N:
        runs = []
        for fold in args.dressed_real_fold:
            s, m, f = run_phonomaser(exe, "steady", dict(dressed, N=N, K="auto", real_fold=fold), args.dressed_timeout)
            runs.append((fold, s, m, f))
        qs, qm, qf = run_qutip("steady", N, args.dressed_timeout, model="dressed")
        for fold, s, m, f in runs:
            search = float(f["search_seconds"]) if "search_seconds" in f else s
            dn = rel_diff(f, qf)
            print("| %d | %s | %s | %s | %s | %.0f | %s | %.0f | %s | %s | %s | %s |" % (
                N, fold, f.get("K", "-"), fmt(search), fmt(s), m, fmt(qs), qm,
                ratio(qs, search, args.dressed_timeout), ratio(qs, s, args.dressed_timeout),
                "%.1e" % dn if dn is not None else "-", f.get("n_mean", "-")))
            if N == 400:
                fast = isinstance(qs, float) and isinstance(search, float) and qs / search >= 1000.0
                print("| target at N = 400 (real_fold = %s) | | | | | | | | >= 1000: %s | | <= 1e-8: %s | |" % (
                    fold, verdict(fast) if qs != "timeout" else "(QuTiP timed out)",
                    verdict(dn is not None and dn <= 1e-8)))

    print()
    N_op, K_op = op.get("N", "auto"), op.get("K", "auto")
    print("### evolution from the thermal state (n_th = 5), N = %s, K = %s, rtol 1e-8, atol 1e-10, "
          "11 outputs (target: 0-10 s in <= 60 s)" % (N_op, K_op))
    print()
    print("| window [s] | seconds | steps | steps per simulated s | peak MiB | <n>(t_end) |")
    print("|---|---|---|---|---|---|")
    windows = []
    for w in args.dressed_windows:
        s, m, f = run_phonomaser(exe, "evolve", dict(dressed, N=N_op, K=K_op, t_final=repr(w), n_times=11),
                                 args.dressed_timeout)
        steps = int(f["steps"]) if "steps" in f else None
        print("| 0-%g | %s | %s | %s | %.0f | %s |" % (
            w, fmt(s), steps if steps else "-", "%.0f" % (steps / w) if steps else "-", m, f.get("n_mean", "-")))
        if isinstance(s, float) and steps:
            windows.append((w, s, steps))
    if windows:
        # Extrapolation: the step count is deterministic, the time per step is not (shared
        # machine).  Steps per simulated second from the last two windows (the first steps
        # resolve the initial transient), seconds per step from the time between them
        # (without the set-up: building, symbolic and first numeric LU), else the average.
        (w1, s1, n1), (w2, s2, n2) = windows[0], windows[-1]
        step_rate = (n2 - n1) / (w2 - w1) if w2 > w1 and n2 > n1 else n2 / w2
        per_step = (s2 - s1) / (n2 - n1) if n2 > n1 and s2 > s1 else s2 / n2
        steps_10 = n2 + step_rate * (10.0 - w2)
        cost = s2 + per_step * (steps_10 - n2)
        print()
        print("extrapolated 0-10 s at N = %s, K = %s: %.3g s (%.0f steps: %.0f steps per simulated second "
              "after t = %g s, %.3g s per step); target 60 s: %s" % (
                  N_op, K_op, cost, steps_10, step_rate, w1, per_step, verdict(cost <= 60.0)))

    print()
    w = args.dressed_evolve_window
    print("### evolution 0-%g s at small N: phonomaser (K = %s) vs qutip.mesolve (adams, full Liouvillian)"
          % (w, K_op))
    print()
    print("| N | pm s | pm steps | pm MiB | QuTiP s | QuTiP MiB | QuTiP/pm | \\|Δ<n>(t_end)\\|/<n> |")
    print("|---|---|---|---|---|---|---|---|")
    for N in args.dressed_evolve_N:
        s, m, f = run_phonomaser(exe, "evolve", dict(dressed, N=N, K=K_op, t_final=repr(w), n_times=11),
                                 args.dressed_timeout)
        qs, qm, qf = run_qutip("evolve", N, args.dressed_timeout, model="dressed", t_final=w, n_times=11)
        dn = rel_diff(f, qf)
        print("| %d | %s | %s | %.0f | %s | %.0f | %s | %s |" % (
            N, fmt(s), f.get("steps", "-"), m, fmt(qs), qm, ratio(qs, s, args.dressed_timeout),
            "%.1e" % dn if dn is not None else "-"))


ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--model", nargs="+", choices=["jc", "dressed"], default=["jc", "dressed"],
                help="which benchmark suites to run (default both)")
ap.add_argument("--N", nargs="*", type=int, default=[25, 50, 100, 200, 400])
ap.add_argument("--large", nargs="*", type=int, default=[1000, 3000, 10000, 30000, 100000])
ap.add_argument("--timeout", type=float, default=600.0)
ap.add_argument("--skip-qutip-evolve-above", type=int, default=10**9,
                help="do not run qutip.mesolve above this N (reported as 'skipped')")
ap.add_argument("--dressed-N", nargs="*", type=int, default=[50, 100, 200, 400],
                help="dressed: the N of the phonomaser vs qutip.steadystate table")
ap.add_argument("--dressed-timeout", type=float, default=900.0,
                help="dressed: seconds per measurement (QuTiP needs minutes at N = 400)")
ap.add_argument("--dressed-converge-tol", nargs="+", type=float, default=[1e-6, 1e-8],
                help="dressed: converge_tol of the operating-point rows (the last sets N, K of the evolution)")
ap.add_argument("--dressed-real-fold", nargs="+", choices=["auto", "on", "off"], default=["off", "auto"],
                help="dressed: the steady-state rows once per real_fold (off: the complex LU; auto, the default: "
                     "the real LU of the Hermitian fold), before/after in the same run")
ap.add_argument("--dressed-windows", nargs="*", type=float, default=[0.05, 0.2],
                help="dressed: evolution windows 0-w [s] at the operating point, extrapolated to 0-10 s")
ap.add_argument("--dressed-evolve-N", nargs="*", type=int, default=[30, 50, 100],
                help="dressed: the N of the phonomaser vs qutip.mesolve evolution")
ap.add_argument("--dressed-evolve-window", type=float, default=0.05,
                help="dressed: the window [s] of the mesolve comparison")
ap.add_argument("--phonomaser", default=os.path.join(REPO, "build", "phonomaser"))
args = ap.parse_args()
if not os.access(args.phonomaser, os.X_OK):
    ap.error("--phonomaser: %s is not an executable (build first: meson setup build && ninja -C build)"
             % args.phonomaser)
QUTIP_VERSION = subprocess.run(["/usr/bin/python3", "-c", "import qutip; print(qutip.__version__)"],
                               capture_output=True, text=True).stdout.strip()
if "jc" in args.model:
    jc_benchmarks(args)
if "dressed" in args.model:
    dressed_benchmarks(args)
