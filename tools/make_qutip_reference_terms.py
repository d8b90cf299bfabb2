#!/usr/bin/python3
"""Write QuTiP reference values for phonomaser's user-defined terms into data/.

Usage (from the repository root; Debian's interpreter, it has python3-qutip):
    /usr/bin/python3 tools/make_qutip_reference_terms.py [--outdir data]

Model: the JC maser of tools/make_qutip_reference.py (frame rotating at omega_m,
    H = (delta/2) sigma_z + g (a sigma_+ + a^dag sigma_-), the collapse operators of
Eqs. (8)-(9)), plus user terms.  Each case lists the terms twice: as the text
phonomaser parses (`term` records, the syntax of include/phonomaser/model/terms.h) and as
QuTiP operators written out here by hand (EXTRA below), so the reference does not
depend on phonomaser's parser.  A term H.<name> = X adds X to H; D.<name> = r L adds
the collapse operator sqrt(r) L.

Files written:
    data/qutip_reference_terms_steady_<case>.txt   steady states (method='direct')
Records beyond those of the JC files:
    term <key> <value...>   a user term: the key, then the rest of the line is its value
    result re_a / im_a / re_a2 / im_a2   <a>, <a^2> (nonzero when a term breaks the symmetry)
    result sector_step <s>  the Liouvillian couples excitation-difference sectors k and
                            k +- s (0: every sector invariant), from the operators' shifts
    rho <i> <j> <Re> <Im>   <i|rho_ss|j>, i = s*N + n (s = 0 up, 1 down)
Every case is checked for Fock truncation (P(N-1) < 1e-10 and every result record
changing by less than 1e-8 relative at N + 10, <a> and <a^2> relative to their
modulus); the script stops if a case fails.
The run is deterministic and takes a few seconds.
"""

import math
import os
import sys

import numpy as np
import qutip

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_qutip_reference as ref  # noqa: E402  (also sets qutip auto_tidyup = False)

TWO_PI = 2.0 * math.pi
P_TAIL_MAX = 1e-10
DN_REL_MAX = 1e-8   # phonomaser is compared at the same N; this only shows N is physical

# The Table I spin rates with a low Q (the mode damps fast, so the states fit N <= 20).
BASE = dict(omega_m=TWO_PI * 50, Q=10.0, gamma_1=500.0, gamma_2=600.0, n_th=0.2)

# (name, description, params, terms as phonomaser text, the same terms as QuTiP operators)
# EXTRA(a, sm, sz) -> (H_extra, [c_ops]) with a, sm, sz of ref.operators.
CASES = [
    ("E1", "Kerr term K n^2, K = 100 rad/s (keeps the excitation-number symmetry: sector "
           "path), inverted spin S = 0.6, resonant; without the term <n> = 0.9846",
     dict(BASE, Q=3.0, S=0.6, g=200.0, delta=0.0, N=20),
     [("H.kerr", "100 n n")],
     lambda a, sm, sz: (100.0 * (a.dag() * a) * (a.dag() * a), [])),
    ("E2", "complex coherent drive F a + conj(F) a^dag, F = 15 + 10i (breaks the symmetry: "
           "full Liouvillian), below threshold, detuned",
     dict(BASE, Q=3.0, S=-0.5, g=150.0, delta=200.0, N=20),
     [("H.drive", "(15 + 10i) a + (15 - 10i) adag")],
     lambda a, sm, sz: ((15 + 10j) * a + (15 - 10j) * a.dag(), [])),
    ("E3", "two-phonon loss 5 D[a a] on a lasing JC maser (keeps the symmetry: L shifts e by -2)",
     dict(BASE, S=0.8, g=250.0, delta=0.0, N=20),
     [("D.two_phonon", "5 a a")],
     lambda a, sm, sz: (0 * a, [math.sqrt(5.0) * a * a])),
    ("E4", "parametric drive i (lambda/2)(a a - a^dag a^dag), lambda = 4, plus extra spin "
           "dephasing 40 D[sigma_z] (parity conserved: sectors k and k +- 2 coupled, full "
           "Liouvillian for the JC model)",
     dict(BASE, Q=2.0, S=0.2, g=150.0, delta=-100.0, N=20),
     [("H.parametric", "2i a a - 2i adag adag"), ("D.dephasing", "40 sz")],
     lambda a, sm, sz: (2j * a * a - 2j * a.dag() * a.dag(), [math.sqrt(40.0) * sz])),
    ("E5", "a second, complex spin-phonon exchange (6 + 8i) a sigma_+ + h.c. and a collective "
           "jump 30 D[a + 0.5i sigma_-] (both keep the symmetry), with a Kerr term written with "
           "parentheses",
     dict(BASE, Q=5.0, S=0.5, g=120.0, delta=50.0, N=18),
     [("H.exchange", "(6 + 8i) a sp + (6 - 8i) adag sm"), ("D.collective", "30 (a + 0.5i sm)"),
      ("H.kerr", "0.5 * (n n + n)")],
     lambda a, sm, sz: ((6 + 8j) * a * sm.dag() + (6 - 8j) * a.dag() * sm
                        + 0.5 * ((a.dag() * a) * (a.dag() * a) + a.dag() * a),
                        [math.sqrt(30.0) * (a + 0.5j * sm)])),
]

RESULT_KEYS = ("n_mean", "n2_mean", "g2", "sz_mean", "re_a", "im_a", "re_a2", "im_a2",
               "p_up", "p_down", "purity", "trace")

# Density-matrix elements recorded, as (s_i, n_i, s_j, n_j), s = 0 up, 1 down.
RHO_ELEMENTS = [(1, 0, 1, 0), (0, 0, 0, 0), (0, 0, 1, 1), (1, 1, 1, 0), (0, 1, 1, 0),
                (1, 2, 1, 0), (0, 2, 1, 3), (1, 3, 1, 1)]


def model_with_terms(p, extra):
    H, c_ops, d = ref.model(p)
    a, sm, sz = ref.operators(p["N"])
    H_extra, c_extra = extra(a, sm, sz)
    return H + H_extra, c_ops + c_extra, d


def excitation(N):
    """e of every basis index i = s*N + n of tensor(spin, fock): n + [s == up]."""
    return np.tile(np.arange(N), 2) + np.repeat([1, 0], N)


def sector_step(H, c_ops, N):
    """gcd of the charge changes of the Liouvillian: of H's entries and of the
    differences between the shifts within each collapse operator (liouvillian.h)."""
    e = excitation(N)
    step = 0
    shifts_of = lambda op: set(int(e[i] - e[j]) for i, j in zip(*np.nonzero(np.abs(op.full()) > 0)))
    for s in shifts_of(H):
        step = math.gcd(step, abs(s))
    for c in c_ops:
        shifts = sorted(shifts_of(c))
        for s in shifts:
            step = math.gcd(step, abs(s - shifts[0]))
    return step


def steady(p, extra):
    H, c_ops, d = model_with_terms(p, extra)
    rho = qutip.steadystate(H, c_ops, method="direct")
    obs, p_n = ref.steady_observables(rho, p["N"])
    a, _, _ = ref.operators(p["N"])
    mean_a, mean_a2 = qutip.expect(a, rho), qutip.expect(a * a, rho)
    obs.update(re_a=mean_a.real, im_a=mean_a.imag, re_a2=mean_a2.real, im_a2=mean_a2.imag)
    return H, c_ops, d, rho, obs, p_n


def run_case(name, desc, p, terms, extra, outdir, cmd):
    N = p["N"]
    H, c_ops, d, rho, obs, p_n = steady(p, extra)
    chk = ref.steady_checks(H, c_ops, rho)
    obs_big = steady(dict(p, N=N + 10), extra)[4]
    # relative to the value, for <a> and <a^2> to their modulus
    scale = {k: abs(obs[k]) for k in RESULT_KEYS}
    for pair in (("re_a", "im_a"), ("re_a2", "im_a2")):
        for k in pair:
            scale[k] = math.hypot(obs[pair[0]], obs[pair[1]])
    rel = {k: abs(obs_big[k] - obs[k]) / scale[k] for k in RESULT_KEYS if scale[k] > 1e-12}
    worst = max(rel, key=rel.get)
    if not (p_n[-1] < P_TAIL_MAX and rel[worst] < DN_REL_MAX):
        sys.exit("%s: not converged at N = %d (P(N-1) = %.2e, rel change of %s = %.2e)"
                 % (name, N, p_n[-1], worst, rel[worst]))
    step = sector_step(H, c_ops, N)
    mat = rho.full()

    path = os.path.join(outdir, "qutip_reference_terms_steady_%s.txt" % name)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        ref.header_common(f, "JC model with user terms, steady state, case %s" % name, cmd)
        f.write("#   term <key> <value...>  user term (include/phonomaser/model/terms.h); QuTiP: H += value\n"
                "#                          (H.<name>), c_ops += sqrt(rate) L (D.<name> = rate L)\n")
        f.write("#   result <key> <value>   observable of the steady state rho_ss; sector_step: the\n"
                "#                          Liouvillian couples sectors k, k +- step (0: none)\n")
        f.write("#   P <n> <P(n)>           phonon distribution (diagonal of Tr_spin rho_ss), n = 0..N-1\n")
        f.write("#   rho <i> <j> <Re> <Im>  element <i|rho_ss|j>, i = s*N + n, s = 0 up, 1 down\n")
        f.write("# case %s: %s\n" % (name, desc))
        f.write("# solver: qutip.steadystate(H, c_ops, method='direct') (sparse LU, trace condition)\n")
        ref.write_steady_checks(f, chk)
        f.write("# truncation: P(N-1) = %.3e (< %g); largest relative change of a result record at\n"
                "#   N + 10 (<a>, <a^2>: relative to their modulus): %.3e (%s, < %g)\n" % (p_n[-1], P_TAIL_MAX, rel[worst], worst, DN_REL_MAX))
        f.write("# g2 = (<n^2> - <n>)/<n>^2; re_a/im_a = <a>, re_a2/im_a2 = <a^2>; p_up/p_down =\n"
                "# diagonal of Tr_fock rho_ss; purity = Tr rho_ss^2\n")
        ref.write_params(f, p, d)
        for key, text in terms:
            f.write("term %s %s\n" % (key, text))
        for key in RESULT_KEYS:
            f.write("result %s %r\n" % (key, float(obs[key])))
        f.write("result sector_step %d\n" % step)
        f.write("result residual_max_abs %r\n" % chk["resid"])
        for n, pn in enumerate(p_n):
            f.write("P %d %r\n" % (n, float(pn)))
        for si, ni, sj, nj in RHO_ELEMENTS:
            i, j = si * N + ni, sj * N + nj
            f.write("rho %d %d %r %r\n" % (i, j, float(mat[i, j].real), float(mat[i, j].imag)))
    os.replace(tmp, path)
    print("%s: wrote %s" % (name, path))
    print("  %s" % desc)
    for key in RESULT_KEYS[:8]:
        print("  %-8s %.15g" % (key, obs[key]))
    print("  sector_step %d  residual %.2e  |rho-rho_indep| %.2e  min_eig %.2e  P(N-1) %.2e  "
          "rel change(N+10) %.2e" % (step, chk["resid"], chk["diff_ind"], chk["min_eig"], p_n[-1], rel[worst]))


def main():
    outdir, cmd, _ = ref.parse_args(__doc__.split("\n")[0], "make_qutip_reference_terms.py",
                                    with_expm_check=False)
    for name, desc, p, terms, extra in CASES:
        run_case(name, desc, p, terms, extra, outdir, cmd)


if __name__ == "__main__":
    main()
