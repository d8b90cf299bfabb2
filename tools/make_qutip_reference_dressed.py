#!/usr/bin/python3
"""Write QuTiP reference values for phonomaser's dressed model into data/.

Usage (from the repository root; Debian's interpreter, it has python3-qutip):
    /usr/bin/python3 tools/make_qutip_reference_dressed.py [--outdir data]

Model: the dressed-basis model of Eq. (5) without the rotating-wave
approximation, lab frame, time independent (shared physics notes, last section):
    H = omega_m a^dag a + (omega_tilde/2) sigma_z
        + g0 (a + a^dag) (cos(theta) sigma_z + sin(theta) sigma_x)
    omega_tilde = omega_m + delta, g0 = g / sin(theta), g = eta omega_m (or given),
    sigma_x = sigma_+ + sigma_-,
with the collapse operators, derived rates, Hilbert space and file format of
tools/make_qutip_reference.py (imported here; its helpers are reused).

Files written:
    data/qutip_reference_dressed_steady_<case>.txt   steady states (method='direct')
    data/qutip_reference_dressed_evolve_<case>.txt   mesolve time series
Records beyond those of the JC files:
    param model dressed, param theta <rad>
    derived g0 / omega_tilde
    rho <i> <j> <Re> <Im>   <i|rho_ss|j>, i = s*N + n (s = 0 up, 1 down)
    sector <k> <norm>       Frobenius norm of the elements with e_i - e_j = k,
                            e = n + [s == up] (excitation number)
    row <t> <n> <n2> <sz> <re_a> <im_a> <trace> <re_a2> <im_a2>   (two new columns)
Every case is checked for Fock truncation (P(N-1) < 1e-10 and <n> changing by
less than 1e-9 relative at N + 10); the script stops if a case fails.
The run is deterministic and takes ~20 s.
"""

import math
import os
import sys

import numpy as np
import qutip

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_qutip_reference as ref  # noqa: E402  (also sets qutip auto_tidyup = False)

TWO_PI = 2.0 * math.pi
P_TAIL_MAX = 1e-10       # P(N-1) of every steady case must stay below this
DN_REL_MAX = 1e-9        # and <n> may change by less than this (relative) at N + 10
SECTORS = range(-4, 5)   # the k of the `sector` records
# mesolve of the truncation check: the recorded run's integrator and tolerances
MESOLVE_OPTIONS = qutip.Options(atol=ref.MESOLVE_ATOL, rtol=ref.MESOLVE_RTOL,
                                nsteps=ref.MESOLVE_NSTEPS, method=ref.MESOLVE_METHOD)

MODEL_LINE = ("H = omega_m a^dag a + (omega_tilde/2) sigma_z + g0 (a + a^dag) (cos(theta) sigma_z\n"
              "#   + sin(theta) sigma_x), sigma_x = sigma_+ + sigma_-, omega_tilde = omega_m + delta,\n"
              "#   g0 = g/sin(theta) (dressed model, Eq. (5), no RWA; LAB frame, time independent);")

# Common inputs: the Table I spin rates; low Q (gamma_m = omega_m/Q) keeps the
# counter-rotating heating small enough for N <= 34 (at Q = 100-300 the same
# spin heats the mode to <n> = 3-14 and N = 40 leaves P(N-1) = 1e-4..1e-2).
BASE = dict(model="dressed", omega_m=TWO_PI * 50, gamma_1=500.0, gamma_2=1000.0,
            eta=0.3, n_th=0.5)

# Steady-state cases.  Each N passes both truncation criteria, N - 2 fails the second.
STEADY_CASES = [
    ("C1", "theta = pi/2 (transverse coupling only, parity conserved), resonant, S = -0.8 "
           "below threshold: the RWA would cool the mode from n_th = 0.5, the counter-rotating "
           "terms heat it",
     dict(BASE, Q=10.0, S=-0.8, delta=0.0, theta=math.pi / 2, N=34)),
    ("C2", "theta = 1.0 (longitudinal term g0 cos(theta) (a + a^dag) sigma_z displaces the mode, "
           "<a> != 0), resonant, mild inversion S = +0.3 far below threshold",
     dict(BASE, Q=5.0, S=0.3, delta=0.0, theta=1.0, N=32)),
    ("C3", "detuned delta = -200 (omega_tilde = 114 rad/s), theta = 1.2, S = -0.3 below "
           "threshold",
     dict(BASE, Q=5.0, S=-0.3, delta=-200.0, theta=1.2, N=30)),
]

# Time-series cases: (name, description, params, times); initial state
# thermal(n_th) (x) diag(p_up, p_down), as 'initial thermal' of the JC files.
EVOLVE_CASES = [
    ("D1", "the parameters of C1 (theta = pi/2): from thermal(0.5) (x) uncoupled spin, "
           "<n> rises towards C1's 0.867; <a> stays 0 (parity), <a^2> builds up",
     dict(BASE, Q=10.0, S=-0.8, delta=0.0, theta=math.pi / 2, N=34),
     np.linspace(0.0, 0.08, 41)),
    ("D2", "theta = 0.9, S = +0.3, Q = 5: <a> oscillates at omega_m around the static "
           "displacement of the longitudinal term; <n> rises from 0.5 towards ~1.0",
     dict(BASE, Q=5.0, S=0.3, delta=0.0, theta=0.9, N=34),
     np.linspace(0.0, 0.05, 41)),
]

# Density-matrix elements recorded for every steady case, as (s_i, n_i, s_j, n_j)
# with s = 0 up, 1 down: k = e_i - e_j = 0, 0, 0, 1, 1, 1, 2, 2, -2, 3, 4.
RHO_ELEMENTS = [(1, 0, 1, 0), (0, 0, 0, 0), (0, 0, 1, 1), (0, 0, 1, 0), (1, 1, 1, 0),
                (0, 1, 0, 0), (1, 2, 1, 0), (0, 1, 1, 0), (1, 0, 1, 2), (1, 3, 1, 0),
                (1, 4, 1, 0)]


# The `result` records of a steady case, in file order.
RESULT_KEYS = ("n_mean", "n2_mean", "g2", "sz_mean", "re_a", "im_a", "re_a2", "im_a2",
               "sx_mean", "p_up", "p_down", "spin_coherence_abs", "purity", "trace")


def dressed_model(p):
    """H of Eq. (5) in the lab frame and the shared collapse operators."""
    d = ref.derive(p)
    d["g0"] = d["g"] / math.sin(p["theta"])
    d["omega_tilde"] = p["omega_m"] + p["delta"]
    a, sm, sz = ref.operators(p["N"])
    sx = sm + sm.dag()
    H = (p["omega_m"] * a.dag() * a + 0.5 * d["omega_tilde"] * sz
         + d["g0"] * (a + a.dag()) * (math.cos(p["theta"]) * sz + math.sin(p["theta"]) * sx))
    return H, ref.dissipators(p, d), d


def excitation(N):
    """e of every basis index i = s*N + n of tensor(spin, fock): n + [s == up]."""
    n = np.tile(np.arange(N), 2)
    return n + np.repeat([1, 0], N)


def sector_of(N):
    """Matrix of k = e_i - e_j."""
    e = excitation(N)
    return e[:, None] - e[None, :]


def steady(p):
    H, c_ops, d = dressed_model(p)
    rho = qutip.steadystate(H, c_ops, method="direct")
    obs, p_n = ref.steady_observables(rho, p["N"])
    a, sm, _ = ref.operators(p["N"])
    mean_a, mean_a2 = qutip.expect(a, rho), qutip.expect(a * a, rho)
    obs.update(re_a=mean_a.real, im_a=mean_a.imag, re_a2=mean_a2.real, im_a2=mean_a2.imag,
               sx_mean=qutip.expect(sm + sm.dag(), rho))
    return H, c_ops, d, rho, obs, p_n


def heisenberg_check(p, d, rho):
    """Residuals of the steady-state Heisenberg equations of a and a^2,
        <a> = -g0 <X> / (omega_m - i gamma_m/2),  <a^2> = -g0 <a X> / (omega_m - i gamma_m/2),
    X = cos(theta) sigma_z + sin(theta) sigma_x (the bath damps a^k at k gamma_m/2 for any
    n_th; the spin dissipators do not act on a): a check of H's signs that needs no solver.
    They hold in the untruncated space; the truncated a has [a, a^dag] = 1 - N |N-1><N-1|,
    so the residuals are of the size of the truncation error, not of round-off."""
    a, sm, sz = ref.operators(p["N"])
    X = math.cos(p["theta"]) * sz + math.sin(p["theta"]) * (sm + sm.dag())
    den = p["omega_m"] - 0.5j * d["gamma_m"]
    return (abs(qutip.expect(a, rho) + d["g0"] * qutip.expect(X, rho) / den),
            abs(qutip.expect(a * a, rho) + d["g0"] * qutip.expect(a * X, rho) / den))


def truncation(p, obs):
    """P(N-1) criterion is checked by the caller; here the N + 10 comparison."""
    obs_big = steady(dict(p, N=p["N"] + 10))[4]
    dn_rel = abs(obs_big["n_mean"] - obs["n_mean"]) / obs["n_mean"]
    worst = max(RESULT_KEYS, key=lambda k: abs(obs_big[k] - obs[k]))
    return dn_rel, "%.3e (%s)" % (abs(obs_big[worst] - obs[worst]), worst)


def write_param_block(f, p, d):
    ref.write_params(f, p, d)
    for key in ("g0", "omega_tilde"):
        f.write("derived %s %r\n" % (key, d[key]))


def rwa_comparison(p):
    """The JC (RWA) steady state at the same parameters, for the header only."""
    H, c_ops, d = ref.model(p)
    obs = ref.steady_observables(qutip.steadystate(H, c_ops, method="direct"), p["N"])[0]
    G = d["g"] ** 2 * p["gamma_2"] / (p["gamma_2"] ** 2 + p["delta"] ** 2)
    return ("# RWA comparison (not reference values): the JC model (make_qutip_reference.py) at the\n"
            "#   same inputs gives n_mean = %.6f, sz_mean = %.6f; its threshold S_th = gamma_m/(2 G)\n"
            "#   = %.3f (G = g^2 gamma_2/(gamma_2^2 + delta^2)), so no S in [-1, 1] lases\n"
            % (obs["n_mean"], obs["sz_mean"], d["gamma_m"] / (2.0 * G)))


def run_steady(name, desc, p, outdir, cmd):
    N = p["N"]
    H, c_ops, d, rho, obs, p_n = steady(p)
    chk = ref.steady_checks(H, c_ops, rho)
    dn_rel, dmax = truncation(p, obs)
    if not (p_n[-1] < P_TAIL_MAX and dn_rel < DN_REL_MAX):
        sys.exit("%s: not converged at N = %d (P(N-1) = %.2e, rel dn = %.2e)" % (name, N, p_n[-1], dn_rel))
    mat = rho.full()
    k_of = sector_of(N)
    norms = {k: float(np.sqrt(np.sum(np.abs(mat[k_of == k]) ** 2))) for k in SECTORS}
    outside = float(np.sqrt(np.sum(np.abs(mat[np.abs(k_of) > max(SECTORS)]) ** 2)))
    odd_max = float(np.max(np.abs(mat[k_of % 2 != 0])))
    if p["theta"] == math.pi / 2 and odd_max > 1e-14:
        sys.exit("%s: theta = pi/2 but max |rho| over odd k = %.2e (parity)" % (name, odd_max))

    path = os.path.join(outdir, "qutip_reference_dressed_steady_%s.txt" % name)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        ref.header_common(f, "dressed model, steady state, case %s" % name, cmd, MODEL_LINE)
        f.write("#   result <key> <value>   observable of the steady state rho_ss (lab frame; rho_ss is\n"
                "#                          time independent there, so no frame phase enters)\n")
        f.write("#   P <n> <P(n)>           phonon distribution (diagonal of Tr_spin rho_ss), n = 0..N-1\n")
        f.write("#   rho <i> <j> <Re> <Im>  element <i|rho_ss|j>, i = s*N + n of tensor(spin, fock),\n"
                "#                          s = 0 up, 1 down; the '# rho' comment above each names it\n")
        f.write("#   sector <k> <norm>      sqrt(sum |rho_ij|^2) over e_i - e_j = k, e = n + [s == up]\n")
        f.write("# case %s: %s\n" % (name, desc))
        f.write("# solver: qutip.steadystate(H, c_ops, method='direct') (sparse LU, trace condition)\n")
        ref.write_steady_checks(f, chk)
        f.write("# truncation: P(N-1) = %.3e (< %g); |n_mean(N+10) - n_mean(N)|/n_mean = %.3e (< %g);\n"
                "#   largest change of a result record at N+10: %s\n"
                % (p_n[-1], P_TAIL_MAX, dn_rel, DN_REL_MAX, dmax))
        f.write("# sectors: the Liouvillian couples k to k +- 2 (counter-rotating terms) and, when\n"
                "#   cos(theta) != 0, to k +- 1; max |rho_ij| over odd k = %.3e%s;\n"
                "#   norm of all sectors |k| > %d together = %.3e\n"
                % (odd_max, " (theta = pi/2: parity, odd k must vanish)" if p["theta"] == math.pi / 2
                   else " (theta < pi/2: odd k populated)", max(SECTORS), outside))
        f.write("# Heisenberg check: |<a> + g0 <X>/(omega_m - i gamma_m/2)| = %.3e, |<a^2> + g0 <a X>/\n"
                "#   (omega_m - i gamma_m/2)| = %.3e, X = cos(theta) sigma_z + sin(theta) sigma_x (exact in\n"
                "#   the untruncated space; here of the size of the Fock truncation error)\n"
                % heisenberg_check(p, d, rho))
        f.write(rwa_comparison(p))
        f.write("# g2 = (<n^2> - <n>)/<n>^2; re_a/im_a = <a>, re_a2/im_a2 = <a^2>, sx_mean = <sigma_x>;\n"
                "# p_up/p_down = diagonal of Tr_fock rho_ss; purity = Tr rho_ss^2\n")
        write_param_block(f, p, d)
        for key in RESULT_KEYS:
            f.write("result %s %r\n" % (key, float(obs[key])))
        f.write("result residual_max_abs %r\n" % chk["resid"])
        for n, pn in enumerate(p_n):
            f.write("P %d %r\n" % (n, float(pn)))
        for si, ni, sj, nj in RHO_ELEMENTS:
            i, j = si * N + ni, sj * N + nj
            f.write("# rho: <%s,%d|rho|%s,%d>, k = %d\n" % ("up" if si == 0 else "down", ni,
                                                         "up" if sj == 0 else "down", nj, k_of[i, j]))
            f.write("rho %d %d %r %r\n" % (i, j, float(mat[i, j].real), float(mat[i, j].imag)))
        for k in SECTORS:
            f.write("sector %d %r\n" % (k, norms[k]))
    os.replace(tmp, path)
    print("%s: wrote %s" % (name, path))
    print("  %s" % desc)
    for key in RESULT_KEYS[:10]:
        print("  %-8s %.15g" % (key, obs[key]))
    print("  residual %.2e  |rho-rho_indep| %.2e  min_eig %.2e  P(N-1) %.2e  rel dn(N+10) %.2e  odd max %.2e"
          % (chk["resid"], chk["diff_ind"], chk["min_eig"], p_n[-1], dn_rel, odd_max))


ROW_NAMES = ("n", "n2", "sz", "a", "trace", "a2")


def evolve_expect(p, times, with_checks):
    """Rows n, n^2, sigma_z, a, 1, a^2 of Tr(O rho(t)) from mesolve; with_checks adds a
    second integrator and the sparse exact propagator (the JC script's dense expm, at
    (2N)^2 = 4624, did not finish case D1 in 7 minutes with Debian's reference BLAS)."""
    H, c_ops, d = dressed_model(p)
    rho0, note = ref.initial_state(p, d, dict(kind="thermal"))
    a, sm, sz = ref.operators(p["N"])
    n_op = a.dag() * a
    ident = qutip.tensor(qutip.qeye(2), qutip.qeye(p["N"]))
    e_ops = [n_op, n_op * n_op, sz, a, ident, a * a]  # ROW_NAMES
    if not with_checks:
        return d, note, np.array(qutip.mesolve(H, rho0, times, c_ops, e_ops, options=MESOLVE_OPTIONS).expect), []
    got, checks = ref.integrate(H, c_ops, rho0, times, e_ops)
    checks.append(ref.sparse_propagator_check(H, c_ops, rho0, times, e_ops, got))
    return d, note, got, checks


def run_evolve(name, desc, p, times, outdir, cmd):
    d, note, got, checks = evolve_expect(p, times, True)
    # Truncation: the same evolution with 10 more Fock levels.
    got_big = evolve_expect(dict(p, N=p["N"] + 10), times, False)[2]
    dn_rel = float(np.max(np.abs(got_big[0] - got[0]) / np.abs(got[0])))
    if dn_rel >= DN_REL_MAX:
        sys.exit("%s: not converged at N = %d (rel dn = %.2e)" % (name, p["N"], dn_rel))
    change = np.max(np.abs(got_big - got), axis=1)
    worst = int(np.argmax(change))
    checks.append("truncation: max over t of |n(t; N+10) - n(t; N)|/n(t) = %.3e (< %g); largest change "
                  "of an expectation at N+10: %.3e (%s)"
                  % (dn_rel, DN_REL_MAX, change[worst], ROW_NAMES[worst]))
    n_t, n2_t, sz_t, a_t, tr_t, a2_t = got

    path = os.path.join(outdir, "qutip_reference_dressed_evolve_%s.txt" % name)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        ref.header_common(f, "dressed model, time evolution, case %s" % name, cmd, MODEL_LINE)
        f.write("#   initial thermal        rho0 = thermal(n_th) (x) diag(p_up, p_down), p_up = gamma_up/gamma_1\n")
        f.write("#   result ntimes <count>  number of row records\n")
        f.write("#   row <t [s]> <n_mean> <n2_mean> <sz_mean> <Re a> <Im a> <trace> <Re a^2> <Im a^2>\n"
                "#       (expectations Tr(O rho(t)), not divided by the trace, in the LAB frame: no\n"
                "#       rotating-frame phase is removed, <a> and <a^2> oscillate at about omega_m and\n"
                "#       2 omega_m; the last two columns are new relative to the JC files)\n")
        f.write("# case %s: %s\n" % (name, desc))
        f.write("# initial state rho0 = rho_spin (x) rho_mech: %s\n" % note)
        f.write("# solver: qutip.mesolve, Options(method='%s', atol=%g, rtol=%g, nsteps=%d)\n"
                % (ref.MESOLVE_METHOD, ref.MESOLVE_ATOL, ref.MESOLVE_RTOL, ref.MESOLVE_NSTEPS))
        for line in checks:
            f.write("# check: %s\n" % line)
        write_param_block(f, p, d)
        f.write("initial thermal\n")
        f.write("result ntimes %d\n" % len(times))
        for i, t in enumerate(times):
            f.write("row %r %r %r %r %r %r %r %r %r\n" % (
                float(t), float(n_t[i].real), float(n2_t[i].real), float(sz_t[i].real),
                float(a_t[i].real), float(a_t[i].imag), float(tr_t[i].real),
                float(a2_t[i].real), float(a2_t[i].imag)))
    os.replace(tmp, path)
    print("%s: wrote %s" % (name, path))
    print("  %s" % desc)
    for line in checks:
        print("  check: %s" % line)


def main():
    outdir, cmd, _ = ref.parse_args(__doc__.split("\n")[0], "make_qutip_reference_dressed.py",
                                    with_expm_check=False)
    for name, desc, p in STEADY_CASES:
        run_steady(name, desc, p, outdir, cmd)
    for name, desc, p, times in EVOLVE_CASES:
        run_evolve(name, desc, p, times, outdir, cmd)


if __name__ == "__main__":
    main()
