#!/usr/bin/python3
"""Write QuTiP reference values for phonomaser's tests into data/.

Usage (from the repository root; Debian's interpreter, it has python3-qutip):
    /usr/bin/python3 tools/make_qutip_reference.py [--outdir data] [--expm-check]

Model: the Jaynes-Cummings maser of the paper, Eqs. (6)-(9), in the frame
rotating at omega_m (conventions: shared physics notes),
    H      = (delta/2) sigma_z + g (a sigma_+ + a^dag sigma_-)
    c_ops  = sqrt(gamma_m (n_th+1)) a,  sqrt(gamma_m n_th) a^dag,
             sqrt(gamma_down) sigma_-,  sqrt(gamma_up) sigma_+,
             sqrt(gamma_phi/2) sigma_z
    gamma_up = gamma_1 (1+S)/2, gamma_down = gamma_1 (1-S)/2,
    gamma_phi = gamma_2 - gamma_1/2, g = eta omega_m, gamma_m = omega_m/Q.
Hilbert space: tensor(spin, fock); spin basis(2,0) = |up> (sigma_z = +1),
sigma_- = qutip.sigmam() maps up -> down; a = destroy(N) on levels 0..N-1.

Files written (format documented in each file's header):
    data/qutip_reference_steady_<case>.txt   steady states (method='direct')
    data/qutip_reference_evolve_<case>.txt   mesolve time series
Every non-comment line is "<record> <fields...>" so a C reader can fgets each
line, skip '#', and sscanf the first token:
    param   <key> <value>   input accepted by pm_params_set (key names of params.h)
    derived <key> <value>   rates derived from the inputs (for cross-checking)
    result  <key> <value>   a reference value
    P       <n> <P(n)>      steady-state phonon distribution, n = 0..N-1
    initial thermal | initial coherent <Re alpha> <Im alpha>   mesolve's rho0
    row     <t> <n> <n2> <sz> <re_a> <im_a> <trace>   one output time of mesolve
The run is deterministic (no random numbers) and takes ~20 s (a few minutes
with --expm-check, which also propagates with the dense exact expm(L dt)).
"""

import argparse
import datetime
import math
import os
import sys

import numpy as np
import scipy
import scipy.linalg
import scipy.sparse as sp
import scipy.sparse.linalg as spla
import qutip

# QuTiP 4 drops matrix elements below 1e-12 after every Qobj operation
# (auto_tidyup); that would cut the thermal tail of rho0 (Tr rho0 = 1 - 9e-13
# in case B1).  Reference values must keep every element.
qutip.settings.auto_tidyup = False

# Tighter than the 1e-12/1e-10 one might pick: at 1e-12/1e-10 the adams
# result of case B1 differs from the exact propagator by 6e-10 (3e-9 relative),
# too close to the 1e-8 agreement the C tests ask for.
MESOLVE_ATOL = 1e-14
MESOLVE_RTOL = 1e-12
MESOLVE_NSTEPS = 10**7
MESOLVE_METHOD = "adams"
CHECK_METHOD = "bdf"   # second integrator, same tolerances, as an error estimate

TWO_PI = 2.0 * math.pi

# Steady-state cases.  Inputs use the key names of include/phonomaser/core/params.h;
# exactly one of eta / g is given.  Chosen so that P(n) at the top Fock level
# is negligible (truncation check in each header).
STEADY_CASES = [
    ("A1", "below threshold, S < 0: the spin cools the mode from n_th = 5 to "
           "~0.52 phonons (Table I rates, eta = 0.25, Q = 1e4)",
     dict(omega_m=TWO_PI * 50, Q=1e4, gamma_1=500.0, gamma_2=1000.0, S=-0.5,
          eta=0.25, delta=0.0, n_th=5.0, N=28)),
    ("A2", "above threshold, detuned (S/S_th ~ 3.6, n_las ~ 2.4 from Eq. 15); "
           "Q = 10 keeps the lasing state inside N = 36",
     dict(omega_m=TWO_PI * 50, Q=10.0, gamma_1=500.0, gamma_2=600.0, S=0.6,
          g=200.0, delta=300.0, n_th=0.2, N=36)),
    ("A3", "strong coupling g > gamma_2 (reduced theory invalid), above "
           "threshold, negative detuning, super-Poissonian",
     dict(omega_m=TWO_PI * 50, Q=25.0, gamma_1=200.0, gamma_2=150.0, S=0.3,
          g=400.0, delta=-100.0, n_th=0.5, N=40)),
    ("A4", "uncontrolled: inverted spin but far below threshold (S_th ~ 64), "
           "the bath sets the state",
     dict(omega_m=TWO_PI * 50, Q=10.0, gamma_1=500.0, gamma_2=1000.0, S=0.9,
          eta=0.05, delta=0.0, n_th=0.1, N=14)),
]

# Time-series cases: (name, description, params, initial, times).
EVOLVE_CASES = [
    ("B1", "strong coupling, fast: thermal(n_th) (x) diag(p_up, p_down), "
           "the spin (S < 0) cools the mode from 0.3 towards ~0.13 phonons",
     dict(omega_m=TWO_PI * 50, Q=50.0, gamma_1=200.0, gamma_2=150.0, S=-0.8,
          g=400.0, delta=-100.0, n_th=0.3, N=20),
     dict(kind="thermal"), np.linspace(0.0, 0.05, 51)),
    ("B2", "slow, detuned: coherent alpha = 1.5 (analytic truncated Poisson "
           "amplitudes, NOT renormalised) (x) |down>; <a> decays and rotates "
           "(Lamb shift)",
     dict(omega_m=TWO_PI * 50, Q=1e4, gamma_1=500.0, gamma_2=1000.0, S=-0.5,
          eta=0.05, delta=300.0, n_th=0.5, N=20),
     dict(kind="coherent", alpha=1.5), np.linspace(0.0, 20.0, 21)),
]


def derive(p):
    """Derived rates, the formulas of params.h."""
    d = {}
    d["gamma_m"] = p["omega_m"] / p["Q"]
    d["gamma_up"] = p["gamma_1"] * (1.0 + p["S"]) / 2.0
    d["gamma_down"] = p["gamma_1"] * (1.0 - p["S"]) / 2.0
    d["gamma_phi"] = p["gamma_2"] - p["gamma_1"] / 2.0
    d["g"] = p["g"] if "g" in p else p["eta"] * p["omega_m"]
    assert d["gamma_phi"] >= 0.0
    return d


def operators(N):
    a = qutip.tensor(qutip.qeye(2), qutip.destroy(N))
    sm = qutip.tensor(qutip.sigmam(), qutip.qeye(N))
    sz = qutip.tensor(qutip.sigmaz(), qutip.qeye(N))
    return a, sm, sz


def dissipators(p, d):
    """The collapse operators of Eqs. (8)-(9), the same for every model."""
    a, sm, sz = operators(p["N"])
    return [math.sqrt(d["gamma_m"] * (p["n_th"] + 1.0)) * a,
            math.sqrt(d["gamma_m"] * p["n_th"]) * a.dag(),
            math.sqrt(d["gamma_down"]) * sm,
            math.sqrt(d["gamma_up"]) * sm.dag(),
            math.sqrt(d["gamma_phi"] / 2.0) * sz]


def model(p):
    d = derive(p)
    a, sm, sz = operators(p["N"])
    H = 0.5 * p["delta"] * sz + d["g"] * (a * sm.dag() + a.dag() * sm)
    return H, dissipators(p, d), d


def independent_steady(L, dim):
    """Null vector of L by a plain sparse LU solve with the trace condition
    replacing the first equation (column-stacked vec, as in QuTiP)."""
    A = sp.lil_matrix(L.data, dtype=complex)
    A[0, :] = 0.0
    for i in range(dim):
        A[0, i * (dim + 1)] = 1.0
    b = np.zeros(dim * dim, dtype=complex)
    b[0] = 1.0
    x = spla.spsolve(sp.csc_matrix(A), b)
    return x.reshape((dim, dim), order="F")


def steady_observables(rho, N):
    a, sm, sz = operators(N)
    n_op = a.dag() * a
    n_mean = qutip.expect(n_op, rho)
    n2_mean = qutip.expect(n_op * n_op, rho)
    rho_spin = rho.ptrace(0).full()
    p_n = np.real(np.diag(rho.ptrace(1).full()))
    return dict(n_mean=n_mean, n2_mean=n2_mean,
                g2=(n2_mean - n_mean) / n_mean**2,
                sz_mean=qutip.expect(sz, rho),
                p_up=rho_spin[0, 0].real, p_down=rho_spin[1, 1].real,
                spin_coherence_abs=abs(rho_spin[0, 1]),
                purity=(rho * rho).tr().real,
                trace=rho.tr().real), p_n


# The Hamiltonian line of the headers; the dissipators are the same for every model.
JC_MODEL_LINE = "H = (delta/2) sigma_z + g (a sigma_+ + a^dag sigma_-) (frame rotating at omega_m);"


def header_common(f, title, cmd, model_line=JC_MODEL_LINE):
    f.write("# phonomaser reference values computed with QuTiP: %s\n" % title)
    f.write("# QuTiP %s (settings.auto_tidyup = %s), numpy %s, scipy %s, Python %s\n" % (
        qutip.__version__, qutip.settings.auto_tidyup, np.__version__, scipy.__version__,
        sys.version.split()[0]))
    f.write("# date: %s\n" % datetime.date.today().isoformat())
    f.write("# command: %s\n" % cmd)
    f.write("# model: %s\n" % model_line)
    f.write("#   c_ops sqrt(gamma_m (n_th+1)) a, sqrt(gamma_m n_th) a^dag, sqrt(gamma_down) sigma_-,\n")
    f.write("#   sqrt(gamma_up) sigma_+, sqrt(gamma_phi/2) sigma_z; space tensor(spin, fock),\n")
    f.write("#   spin index 0 = |up> (sigma_z = +1), Fock levels n = 0..N-1.\n")
    f.write("# format: every non-'#' line is '<record> <fields>'; records:\n")
    f.write("#   param <key> <value>    input for pm_params_set (keys of params.h)\n")
    f.write("#   derived <key> <value>  derived rate (gamma_m = omega_m/Q, gamma_up/down = gamma_1 (1 +- S)/2,\n")
    f.write("#                          gamma_phi = gamma_2 - gamma_1/2, g)\n")


def write_params(f, p, d):
    # model and theta exist only in the dressed cases (make_qutip_reference_dressed.py);
    # a string value (model = dressed) is written bare, numbers with repr.
    for key in ("model", "omega_m", "Q", "gamma_1", "gamma_2", "S", "eta", "g",
                "delta", "n_th", "N", "theta"):
        if key in p:
            value = p[key]
            f.write("param %s %s\n" % (key, value if isinstance(value, str) else repr(value)))
    for key in ("gamma_m", "gamma_up", "gamma_down", "gamma_phi", "g"):
        f.write("derived %s %r\n" % (key, d[key]))


def steady_checks(H, c_ops, rho):
    """Residual, Hermiticity, positivity and an independent solve of rho_ss."""
    L = qutip.liouvillian(H, c_ops)
    vec = qutip.operator_to_vector(rho).full().ravel()
    rho_ind = independent_steady(L, rho.shape[0])
    return dict(resid=float(np.max(np.abs(L.data @ vec))),
                l_norm=float(abs(spla.norm(L.data, np.inf))),
                herm_err=float(np.max(np.abs(rho.full() - rho.full().conj().T))),
                min_eig=float(np.min(np.linalg.eigvalsh(rho.full()))),
                diff_ind=float(np.max(np.abs(rho.full() - rho_ind))))


def write_steady_checks(f, chk):
    f.write("# checks: max|L vec(rho)| = %.3e (||L||_inf = %.3e), Hermiticity error %.3e,\n"
            "#   min eigenvalue %.3e, max|rho - rho_indep| = %.3e where rho_indep is an\n"
            "#   independent scipy spsolve of L with the trace row (column-stacked vec)\n"
            % (chk["resid"], chk["l_norm"], chk["herm_err"], chk["min_eig"], chk["diff_ind"]))


def run_steady(name, desc, p, outdir, cmd):
    H, c_ops, d = model(p)
    N = p["N"]
    rho = qutip.steadystate(H, c_ops, method="direct")
    chk = steady_checks(H, c_ops, rho)
    resid, diff_ind, min_eig = chk["resid"], chk["diff_ind"], chk["min_eig"]
    obs, p_n = steady_observables(rho, N)
    # Truncation check: the same case with 10 more Fock levels.
    p_big = dict(p, N=N + 10)
    Hb, cb, _ = model(p_big)
    obs_big, _ = steady_observables(qutip.steadystate(Hb, cb, method="direct"), N + 10)
    dn_trunc = abs(obs_big["n_mean"] - obs["n_mean"])

    path = os.path.join(outdir, "qutip_reference_steady_%s.txt" % name)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        header_common(f, "steady state, case %s" % name, cmd)
        f.write("#   result <key> <value>   observable of the steady state rho_ss\n")
        f.write("#   P <n> <P(n)>           phonon distribution (diagonal of Tr_spin rho_ss), n = 0..N-1\n")
        f.write("# case %s: %s\n" % (name, desc))
        f.write("# solver: qutip.steadystate(H, c_ops, method='direct') (sparse LU, trace condition)\n")
        write_steady_checks(f, chk)
        f.write("# truncation: P(N-1) = %.3e; |n_mean(N+10) - n_mean(N)| = %.3e\n"
                % (p_n[-1], dn_trunc))
        f.write("# g2 = (<n^2> - <n>)/<n>^2; p_up/p_down = diagonal of Tr_fock rho_ss;\n")
        f.write("# purity = Tr rho_ss^2 (full spin (x) fock state)\n")
        write_params(f, p, d)
        for key in ("n_mean", "n2_mean", "g2", "sz_mean", "p_up", "p_down",
                    "spin_coherence_abs", "purity", "trace"):
            f.write("result %s %r\n" % (key, float(obs[key])))
        f.write("result residual_max_abs %r\n" % float(resid))
        for n, pn in enumerate(p_n):
            f.write("P %d %r\n" % (n, float(pn)))
    os.replace(tmp, path)
    print("%s: wrote %s" % (name, path))
    print("  %s" % desc)
    for key in ("n_mean", "n2_mean", "g2", "sz_mean", "p_up", "p_down", "purity"):
        print("  %-8s %.15g" % (key, obs[key]))
    print("  residual %.2e  |rho-rho_indep| %.2e  min_eig %.2e  P(N-1) %.2e  dn(N+10) %.2e"
          % (resid, diff_ind, min_eig, p_n[-1], dn_trunc))


def initial_state(p, d, init):
    N = p["N"]
    p_up = d["gamma_up"] / p["gamma_1"]
    if init["kind"] == "thermal":
        mech = qutip.thermal_dm(N, p["n_th"], method="operator")
        spin = qutip.Qobj(np.diag([p_up, 1.0 - p_up]))
        tail = sum((p["n_th"] / (1 + p["n_th"]))**n for n in range(N, 2000)) / (1 + p["n_th"])
        note = ("thermal_dm(N, n_th, method='operator'): P(n) ~ (n_th/(1+n_th))^n renormalised "
                "on n < N (the untruncated tail is %.2e, so normalising or not does not matter "
                "at 1e-12); spin diag(p_up, p_down), p_up = gamma_up/gamma_1 = %r" % (tail, p_up))
    else:
        ket = qutip.coherent(N, init["alpha"], method="analytic")
        mech = ket * ket.dag()
        spin = qutip.fock_dm(2, 1)  # |down>
        note = ("coherent(N, alpha=%r, method='analytic'): amplitudes e^{-|alpha|^2/2} alpha^n/sqrt(n!) "
                "on n < N, NOT renormalised (Tr rho0 = %.17g); spin |down><down|"
                % (init["alpha"], mech.tr().real))
    return qutip.tensor(spin, mech), note


def integrate(H, c_ops, rho0, times, e_ops):
    """Tr(O rho(t)) for O in e_ops (rows) at `times` (columns) from mesolve, and
    the check line of a second integrator."""
    opts = qutip.Options(atol=MESOLVE_ATOL, rtol=MESOLVE_RTOL,
                         nsteps=MESOLVE_NSTEPS, method=MESOLVE_METHOD)
    # e_ops as a list: QuTiP returns Tr(O rho(t)) without renormalising by the trace.
    res = qutip.mesolve(H, rho0, times, c_ops, e_ops, options=opts)
    got = np.array([np.asarray(e) for e in res.expect])
    opts_check = qutip.Options(atol=MESOLVE_ATOL, rtol=MESOLVE_RTOL,
                               nsteps=MESOLVE_NSTEPS, method=CHECK_METHOD)
    other = np.array(qutip.mesolve(H, rho0, times, c_ops, e_ops, options=opts_check).expect)
    checks = ["max deviation of the recorded expectations from mesolve(method='%s', same tolerances): %.3e"
              % (CHECK_METHOD, np.max(np.abs(got - other)))]
    return got, checks


def expectation_rows(e_ops):
    """Rows that give Tr(O rho) = vec(O^dag)^dag vec(rho) from the column-stacked vec(rho)."""
    return np.array([qutip.operator_to_vector(op.dag()).full().ravel().conj() for op in e_ops])


def dense_propagator_check(H, c_ops, rho0, times, e_ops, got):
    """Exact propagator expm(L dt), dense, applied step by step (equally spaced
    times); slow (minutes)."""
    prop = scipy.linalg.expm(qutip.liouvillian(H, c_ops).full() * (times[1] - times[0]))
    v = qutip.operator_to_vector(rho0).full().ravel()
    ops_vec = expectation_rows(e_ops)
    exact = np.empty_like(got)
    for i in range(len(times)):
        if i > 0:
            v = prop @ v
        exact[:, i] = ops_vec @ v
    return ("max deviation from the exact propagator scipy.linalg.expm(L dt) applied step by step: %.3e"
            % np.max(np.abs(got - exact)))


def sparse_propagator_check(H, c_ops, rho0, times, e_ops, got):
    """Exact propagation without an ODE integrator and without a dense matrix:
    scipy.sparse.linalg.expm_multiply (Al-Mohy & Higham 2011) of the sparse L
    at the equally spaced output times."""
    L = qutip.liouvillian(H, c_ops).data.tocsc()
    v0 = qutip.operator_to_vector(rho0).full().ravel()
    vs = spla.expm_multiply(L, v0, start=times[0], stop=times[-1], num=len(times), endpoint=True)
    assert np.allclose(np.linspace(times[0], times[-1], len(times)), times, rtol=0, atol=1e-15)
    exact = expectation_rows(e_ops) @ vs.T
    return ("max deviation from scipy.sparse.linalg.expm_multiply(L t) vec(rho0) (sparse exact "
            "propagator): %.3e" % np.max(np.abs(got - exact)))


def run_evolve(name, desc, p, init, times, outdir, cmd, expm_check):
    H, c_ops, d = model(p)
    N = p["N"]
    rho0, note = initial_state(p, d, init)
    a, sm, sz = operators(N)
    n_op = a.dag() * a
    ident = qutip.tensor(qutip.qeye(2), qutip.qeye(N))
    e_ops = [n_op, n_op * n_op, sz, a, ident]
    got, checks = integrate(H, c_ops, rho0, times, e_ops)
    checks.append(dense_propagator_check(H, c_ops, rho0, times, e_ops, got) if expm_check
                  else "exact-propagator check not run (pass --expm-check, takes minutes)")
    n_t, n2_t, sz_t, a_t, tr_t = got

    path = os.path.join(outdir, "qutip_reference_evolve_%s.txt" % name)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        header_common(f, "time evolution, case %s" % name, cmd)
        f.write("#   initial thermal        rho0 = thermal(n_th) (x) diag(p_up, p_down), p_up = gamma_up/gamma_1\n")
        f.write("#   initial coherent <Re alpha> <Im alpha>   rho0 = |alpha><alpha| (x) |down><down|\n"
                "#                          (pm_initial: kind COHERENT with p_up = 0; amplitudes not renormalised)\n")
        f.write("#   result ntimes <count>  number of row records\n")
        f.write("#   row <t [s]> <n_mean> <n2_mean> <sz_mean> <Re a> <Im a> <trace>  (expectations\n"
                "#       Tr(O rho(t)), not divided by the trace)\n")
        f.write("# case %s: %s\n" % (name, desc))
        f.write("# initial state rho0 = rho_spin (x) rho_mech: %s\n" % note)
        f.write("# solver: qutip.mesolve, Options(method='%s', atol=%g, rtol=%g, nsteps=%d)\n"
                % (MESOLVE_METHOD, MESOLVE_ATOL, MESOLVE_RTOL, MESOLVE_NSTEPS))
        for line in checks:
            f.write("# check: %s\n" % line)
        write_params(f, p, d)
        if init["kind"] == "coherent":
            f.write("initial coherent %r %r\n" % (float(np.real(init["alpha"])),
                                                 float(np.imag(init["alpha"]))))
        else:
            f.write("initial thermal\n")
        f.write("result ntimes %d\n" % len(times))
        for i, t in enumerate(times):
            f.write("row %r %r %r %r %r %r %r\n" % (
                float(t), float(n_t[i].real), float(n2_t[i].real), float(sz_t[i].real),
                float(a_t[i].real), float(a_t[i].imag), float(tr_t[i].real)))
    os.replace(tmp, path)
    print("%s: wrote %s" % (name, path))
    print("  %s" % desc)
    for line in checks:
        print("  check: %s" % line)
    print("  %12s %18s %18s %18s %18s %18s" % ("t", "n", "n2", "sz", "Re a", "Im a"))
    for i in range(0, len(times), max(1, len(times) // 10)):
        print("  %12.6g %18.12g %18.12g %18.12g %18.12g %18.12g" % (
            times[i], n_t[i].real, n2_t[i].real, sz_t[i].real, a_t[i].real, a_t[i].imag))


def parse_args(description, script, with_expm_check=True):
    """Command line of the reference scripts: (output folder, the command line
    recorded in the headers, whether to run the dense exact-propagator check;
    without with_expm_check the option does not exist)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--outdir", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "data"))
    if with_expm_check:
        ap.add_argument("--expm-check", action="store_true",
                        help="also compare mesolve with the dense exact propagator (slow)")
    args = ap.parse_args()
    expm_check = with_expm_check and args.expm_check
    outdir = os.path.normpath(args.outdir)
    os.makedirs(outdir, exist_ok=True)
    cmd = "/usr/bin/python3 tools/%s" % script + (" --expm-check" if expm_check else "")
    return outdir, cmd, expm_check


def main():
    outdir, cmd, expm_check = parse_args(__doc__.split("\n")[0], "make_qutip_reference.py")
    for name, desc, p in STEADY_CASES:
        run_steady(name, desc, p, outdir, cmd)
    for name, desc, p, init, times in EVOLVE_CASES:
        run_evolve(name, desc, p, init, times, outdir, cmd, expm_check)


if __name__ == "__main__":
    main()
