#!/usr/bin/python3
"""QuTiP side of the phonomaser benchmarks: steady state and mesolve timings.

Usage (Debian's interpreter, it has python3-qutip):
    /usr/bin/python3 benchmarks/qutip_bench.py [N ...] [--timeout 600]
        [--what steady,evolve] [--config data/table1.ini] [--rtol 1e-8] [--atol 1e-10]
        [--method adams] [--threads 1] [--model jc|dressed] [--theta RAD]
        [--t-final 20] [--n-times 201]
Default N list: 25 50 100 200 400.

Model (--model): `jc` (default) is the JC maser of the paper (Eqs. 6-9) in the
frame rotating at omega_m; `dressed` is the dressed-basis model of Eq. (5)
without the rotating-wave approximation, in the lab frame, H = omega_m a^dag a
+ (omega_tilde/2) sigma_z + g0 (a + a^dag)(cos theta sigma_z + sin theta sigma_x)
(g0 = g/sin theta, omega_tilde = omega_m + delta, theta from --theta, else from
the INI file, else pi/2).  Both are built by the reference scripts of tools/
(make_qutip_reference.model, make_qutip_reference_dressed.dressed_model), with
the same collapse operators, so the benchmark solves exactly the model of the
QuTiP references of the tests.  Parameters: [model] of data/table1.ini
(Table I: omega_m = 2 pi 50, Q = 1e4, gamma_1 = 500, gamma_2 = 1000, eta = 0.1,
S = 0.2, n_th = 5, delta = 0), space tensor(spin, fock) of dimension 2N
(Liouvillian dimension 4 N^2).  The operating point needs N of a few thousand
(JC) or about 2000 (dressed), so <n> at small N is a truncated value: the
benchmark measures cost at each N regardless.

Measurements, each in a fresh subprocess (so peak memory is that run's own):
  steady: qutip.steadystate(H, c_ops, method='direct') (QuTiP's default)
  evolve: qutip.mesolve from thermal(n_th) (x) diag(p_up, p_down),
          p_up = gamma_up/gamma_1, times linspace(0, --t-final, --n-times)
          (default 0-20 s, 201 outputs), e_ops [a^dag a],
          Options(method=adams, rtol=1e-8, atol=1e-10, nsteps=1e7) unless changed.
`seconds` is the wall time of the solver call only (model building and the
QuTiP import are excluded, reported as setup_seconds); `peak_mib` is the
child's ru_maxrss (from os.wait4, so also known for a timed-out child), which
includes the Python + QuTiP baseline reported as base_mib.
OpenMP/BLAS threads are limited to --threads (default 1; phonomaser's
comparison runs are single-threaded too).

Output: one machine-readable line per measurement, e.g.
  qutip steady N=25 seconds=0.0123 peak_mib=95.1 base_mib=90.2 n_mean=4.87 setup_seconds=0.01 status=ok
  qutip evolve N=25 seconds=3.21 peak_mib=96.0 ... n_mean=... (at t = 20 s)
  qutip evolve N=400 seconds=timeout peak_mib=812.3 ... status=timeout
followed by a summary table.
"""

import argparse
import configparser
import math
import os
import signal
import subprocess
import sys
import time

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
DEFAULT_CONFIG = os.path.join(REPO, "data", "table1.ini")
T_FINAL_S = 20.0
N_TIMES = 201


def read_params(path):
    """[model] of a phonomaser INI file; only the keys the models need."""
    cp = configparser.ConfigParser(inline_comment_prefixes=(";",), comment_prefixes=(";", "#"))
    cp.optionxform = str  # keys are case-sensitive (Q, S)
    cp.read(path)
    m = cp["model"]
    p = {k: float(m[k]) for k in ("omega_m", "Q", "gamma_1", "gamma_2", "S", "n_th", "delta")}
    p["g"] = float(m["g"]) if "g" in m else float(m["eta"]) * p["omega_m"]
    if "theta" in m:
        p["theta"] = float(m["theta"])
    return p


def build_model(model, N, args):
    """(H, c_ops, derived rates, p) of --model at cutoff N, from the reference scripts."""
    sys.path.insert(0, os.path.join(REPO, "tools"))
    import make_qutip_reference as ref  # also sets qutip auto_tidyup = False
    p = dict(read_params(args.config), N=N)
    if model == "jc":
        H, c_ops, d = ref.model(p)
    else:
        import make_qutip_reference_dressed as ref_dressed
        if args.theta is not None:
            p["theta"] = args.theta
        p.setdefault("theta", math.pi / 2)
        H, c_ops, d = ref_dressed.dressed_model(p)
    # At theta = pi/2, cos(theta) = 6e-17 leaves a longitudinal term g0 cos(theta) of ~1e-15
    # rad/s in H: physically zero (phonomaser builds only the even sectors there), but it
    # breaks parity and fills the LU (QuTiP 4.7 at N = 100: 455208 instead of 296808
    # Liouvillian entries, 4x slower).  QuTiP's default auto_tidyup would drop it; the
    # reference scripts switch auto_tidyup off (for the thermal tail of rho0), so tidy here.
    # Every physical entry of H and c_ops is >= 0.1; the JC operators are unchanged.
    return H.tidyup(atol=1e-12), [c.tidyup(atol=1e-12) for c in c_ops], d, p, ref


def child(kind, N, args):
    """Run one measurement and print one result line (parsed by the parent)."""
    import resource
    t_setup = time.perf_counter()
    import numpy as np
    import qutip

    H, c_ops, d, p, ref = build_model(args.model, N, args)
    a = ref.operators(N)[0]
    n_op = a.dag() * a
    if kind == "evolve":
        p_up = d["gamma_up"] / p["gamma_1"]
        rho0 = qutip.tensor(qutip.Qobj(np.diag([p_up, 1.0 - p_up])),
                            qutip.thermal_dm(N, p["n_th"]))
        times = np.linspace(0.0, args.t_final, args.n_times)
        opts = qutip.Options(method=args.method, rtol=args.rtol, atol=args.atol,
                             nsteps=10**7, use_openmp=args.threads > 1)
    setup_s = time.perf_counter() - t_setup
    base_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    t0 = time.perf_counter()
    if kind == "steady":
        rho = qutip.steadystate(H, c_ops, method="direct")
        seconds = time.perf_counter() - t0
        n_mean = qutip.expect(n_op, rho)
        extra = ""
    else:
        res = qutip.mesolve(H, rho0, times, c_ops, [n_op], options=opts)
        seconds = time.perf_counter() - t0
        n_mean = res.expect[0][-1]
        extra = " n_mean_t0=%.10g rtol=%g atol=%g method=%s" % (
            res.expect[0][0], args.rtol, args.atol, args.method)
    print("RESULT seconds=%.6g base_mib=%.1f n_mean=%.15g setup_seconds=%.3g%s"
          % (seconds, base_mib, float(np.real(n_mean)), setup_s, extra), flush=True)


def run_one(kind, N, args):
    """Start the child, wait up to --timeout, return the output line."""
    cmd = [sys.executable, os.path.abspath(__file__), "--child", kind, str(N),
           "--config", args.config, "--rtol", repr(args.rtol), "--atol", repr(args.atol),
           "--method", args.method, "--threads", str(args.threads), "--model", args.model,
           "--t-final", repr(args.t_final), "--n-times", str(args.n_times)]
    if args.theta is not None:
        cmd += ["--theta", repr(args.theta)]
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "QUTIP_NUM_PROCESSES"):
        env[var] = str(args.threads)
    out_path = "/tmp/qutip_bench.%d.%s.%d.out" % (os.getpid(), kind, N)
    with open(out_path, "w+") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
        deadline = time.monotonic() + args.timeout
        timed_out = False
        while True:
            # wait4 reaps the child and returns its rusage (ru_maxrss in KiB).
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid != 0:
                break
            if time.monotonic() > deadline:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)  # the child's own session only
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped
        out.seek(0)
        text = out.read()
    os.unlink(out_path)
    peak_mib = usage.ru_maxrss / 1024.0
    result = [l for l in text.splitlines() if l.startswith("RESULT ")]
    if timed_out:
        line = "qutip %s N=%d seconds=timeout peak_mib=%.1f status=timeout timeout_s=%g" % (
            kind, N, peak_mib, args.timeout)
    elif proc.returncode != 0 or not result:
        last = text.strip().splitlines()[-1] if text.strip() else ""
        line = "qutip %s N=%d seconds=error peak_mib=%.1f status=error exit=%d message=%r" % (
            kind, N, peak_mib, proc.returncode, last[:200])
    else:
        fields = dict(tok.split("=", 1) for tok in result[-1].split()[1:])
        seconds = fields.pop("seconds")
        line = "qutip %s N=%d seconds=%s peak_mib=%.1f %s status=ok" % (
            kind, N, seconds, peak_mib, " ".join("%s=%s" % kv for kv in fields.items()))
    print(line, flush=True)
    return line


def add_model_args(ap):
    """The options that choose the model and the evolve window (shared with run_benchmarks.py)."""
    ap.add_argument("--model", default="jc", choices=["jc", "dressed"],
                    help="jc: Eq. (6), rotating frame; dressed: Eq. (5), lab frame")
    ap.add_argument("--theta", type=float, default=None,
                    help="dressed: mixing angle [rad] (default: the INI file's, else pi/2)")
    ap.add_argument("--t-final", type=float, default=T_FINAL_S, help="evolve: end time [s]")
    ap.add_argument("--n-times", type=int, default=N_TIMES, help="evolve: number of outputs")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("N", nargs="*", type=int, default=[25, 50, 100, 200, 400])
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per measurement")
    ap.add_argument("--what", default="steady,evolve", help="comma list of steady, evolve")
    ap.add_argument("--config", default=DEFAULT_CONFIG, help="INI file with a [model] section")
    ap.add_argument("--rtol", type=float, default=1e-8)
    ap.add_argument("--atol", type=float, default=1e-10)
    ap.add_argument("--method", default="adams", choices=["adams", "bdf"])
    ap.add_argument("--threads", type=int, default=1)
    add_model_args(ap)
    ap.add_argument("--child", nargs=2, metavar=("KIND", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]), args)
        return
    if not os.path.isfile(args.config):
        ap.error("--config: no such file %r (need an INI file with a [model] section)" % args.config)
    kinds = [k for k in args.what.split(",") if k]
    for k in kinds:
        if k not in ("steady", "evolve"):
            ap.error("--what: unknown measurement %r (allowed: steady, evolve)" % k)
    import platform
    print("# qutip_bench: model %s, config %s, threads %d, timeout %g s, evolve 0-%g s with %d outputs, "
          "%s rtol %g atol %g; python %s on %s" % (
              args.model, args.config, args.threads, args.timeout, args.t_final, args.n_times, args.method,
              args.rtol, args.atol, platform.python_version(), platform.node()), flush=True)
    lines = [run_one(k, N, args) for N in args.N for k in kinds]
    print("\n# %-7s %6s %12s %10s %14s" % ("kind", "N", "seconds", "peak_MiB", "n_mean"))
    for line in lines:
        f = dict(tok.split("=", 1) for tok in line.split()[2:] if "=" in tok)
        print("# %-7s %6s %12s %10s %14s" % (line.split()[1], f["N"], f["seconds"],
                                             f["peak_mib"], f.get("n_mean", "-")))


if __name__ == "__main__":
    main()
