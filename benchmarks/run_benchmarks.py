#!/usr/bin/python3
"""phonomaser against QuTiP, measured side by side in one run.

Usage (Debian's interpreter: it has python3-qutip; the pyenv python3 does not):
    /usr/bin/python3 benchmarks/run_benchmarks.py [--N 25 50 100 200 400]
        [--large 1000 10000 100000] [--timeout 600] [--skip-qutip-evolve-above 200]
        [--phonomaser build/phonomaser]

For each N of --N, at the operating point of data/table1.ini (Table I):
  steady  phonomaser on the k = 0 sector, phonomaser on the full Liouvillian,
          qutip.steadystate (direct)
  evolve  0-20 s from the thermal state with 201 outputs, rtol 1e-8, atol 1e-10:
          phonomaser sector (k = 0), phonomaser full, qutip.mesolve
For each N of --large: the sector steady state alone (time should grow
linearly with N).  Every measurement runs in a fresh process, single-threaded;
`seconds` is the solver's own wall time (phonomaser: its `seconds` line, which
covers building the Liouvillian and solving; QuTiP: the steadystate/mesolve
call), `MiB` the process's peak resident memory (ru_maxrss).  QuTiP's peak
includes the Python + QuTiP baseline (~90 MiB).
"""

import argparse
import importlib.util
import os
import subprocess
import sys
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
    if os.waitstatus_to_exitcode(status) != 0 or "seconds" not in fields:
        return "error", usage.ru_maxrss / 1024.0, fields
    return float(fields["seconds"]), usage.ru_maxrss / 1024.0, fields


def run_qutip(kind, N, args):
    qargs = argparse.Namespace(config=os.path.join(REPO, "data", "table1.ini"), rtol=1e-8, atol=1e-10,
                               method="adams", threads=1, timeout=args.timeout)
    line = qutip_bench.run_one(kind, N, qargs)
    f = dict(tok.split("=", 1) for tok in line.split()[2:] if "=" in tok)
    seconds = f["seconds"]
    return (float(seconds) if seconds not in ("timeout", "error") else seconds), float(f["peak_mib"])


def fmt(x, spec="%.4g"):
    return spec % x if isinstance(x, float) else str(x)


def ratio(slow, fast):
    if isinstance(slow, float) and isinstance(fast, float) and fast > 0:
        return "%.3g" % (slow / fast)
    if slow == "timeout" and isinstance(fast, float):
        return "> %.3g" % (args.timeout / fast)
    return "-"


ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--N", nargs="*", type=int, default=[25, 50, 100, 200, 400])
ap.add_argument("--large", nargs="*", type=int, default=[1000, 3000, 10000, 30000, 100000])
ap.add_argument("--timeout", type=float, default=600.0)
ap.add_argument("--skip-qutip-evolve-above", type=int, default=10**9,
                help="do not run qutip.mesolve above this N (reported as 'skipped')")
ap.add_argument("--phonomaser", default=os.path.join(REPO, "build", "phonomaser"))
args = ap.parse_args()
if not os.access(args.phonomaser, os.X_OK):
    ap.error("--phonomaser: %s is not an executable (build first: meson setup build && ninja -C build)"
             % args.phonomaser)

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
            row[kind, "qutip"] = run_qutip(kind, N, args)
    rows.append(row)

print()
print("## phonomaser vs QuTiP %s, operating point (data/table1.ini), single thread" %
      subprocess.run(["/usr/bin/python3", "-c", "import qutip; print(qutip.__version__)"],
                     capture_output=True, text=True).stdout.strip())
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
            ratio(qt[0], sec[0]), ratio(qt[0], full[0])))

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
