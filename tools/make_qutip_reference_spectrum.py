#!/usr/bin/python3
"""Write QuTiP reference spectra and two-time correlations for phonomaser into data/.

Usage (from the repository root; Debian's interpreter, it has python3-qutip):
    /usr/bin/python3 tools/make_qutip_reference_spectrum.py [--outdir data]

Models: the JC model of Eqs. (6)-(9) in the frame rotating at omega_m
(tools/make_qutip_reference.py) and the dressed model of Eq. (5) in the lab frame
(tools/make_qutip_reference_dressed.py), with their collapse operators.  Both
sides solve the same truncated model at the same small N (N = 12: QuTiP's
default spectrum method diagonalises the dense Liouvillian of size 4 N^2);
the truncation is not converged (P(N-1) is recorded): this is a test of the
correlation and spectrum code, not of the physics of a converged state.

Quantities (QuTiP 4.7 conventions):
    spec a    <omega> <S>   qutip.spectrum(H, w, c_ops, a.dag(), a): int e^{-i w tau}
                            (<a^dag(tau) a(0)> - <a^dag><a>) dtau (solver 'pi': a solve per
                            frequency; the default 'es', through the eigenvectors of the
                            non-normal Liouvillian, is written as spec_es and differs from
                            'pi' by up to 3e-7 relative in the dressed cases, 6e-13 in the JC ones)
    spec aad  <omega> <S>   qutip.spectrum(..., a, a.dag())   (JC cases: S_x is built from it)
    spec xx   <omega> <S>   qutip.spectrum(..., x, x), x = (a + a^dag)/sqrt(2) (dressed cases, lab frame)
    corr g1   <tau> <re> <im>  qutip.correlation_2op_1t(H, None, tau, c_ops, a.dag(), a)
                               (mesolve, atol 1e-12, rtol 1e-10)
    corr g2   <tau> <re> <im>  qutip.correlation_3op_1t(H, None, tau, c_ops, a.dag(), a.dag() a, a)
                               (the numerator of g2(tau), <a^dag(0) n(tau) a(0)>)
    result n_mean, re_a, im_a, p_top (P(N-1))
    check <name> <rel>      max relative difference of solver 'es' against 'pi' where
                            S > 1e-12 max S
The frequencies: 31 evenly spaced over +-2500 rad/s around the frame frequency plus
9 across the slowest line (centre and half-width from the Liouvillian's
eigenvalues); the times: 21 over 5 / (half-width of the slowest mode of a).
Deterministic; about 2 minutes on a loaded 2-core machine.
"""

import argparse
import math
import os
import sys

import numpy as np
import qutip

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_qutip_reference as ref  # noqa: E402
import make_qutip_reference_dressed as dref  # noqa: E402

TWO_PI = 2.0 * math.pi

CASES = [
    ("G1", "jc", "JC above threshold (S/S_th = 2), detuned delta = 300: the line is shifted",
     dict(omega_m=TWO_PI * 50, Q=10.0, gamma_1=500.0, gamma_2=600.0, S=0.6, g=200.0,
          delta=300.0, n_th=0.2, N=12)),
    ("G2", "jc", "JC below threshold, S = -0.5, strong coupling, negative detuning",
     dict(omega_m=TWO_PI * 50, Q=25.0, gamma_1=200.0, gamma_2=150.0, S=-0.5, g=400.0,
          delta=-100.0, n_th=0.5, N=12)),
    ("G3", "dressed", "dressed model theta = pi/2 (parity: the odd block), S = -0.8",
     dict(dref.BASE, Q=10.0, S=-0.8, delta=0.0, theta=math.pi / 2, n_th=0.1, N=12)),
    ("G4", "dressed", "dressed model theta = 1.0: <a> != 0 (static displacement), the "
                      "correlations' block holds the steady state (projector, coherent part)",
     dict(dref.BASE, Q=5.0, S=0.3, delta=0.0, theta=1.0, n_th=0.1, N=12)),
]


def slowest_line(L, shift):
    """The eigenvalue of L closest to `shift` (excluding the steady state's 0)."""
    ev = np.linalg.eigvals(L.full())
    ev = ev[np.abs(ev) > 1e-9 * np.max(np.abs(ev))]
    return ev[np.argmin(np.abs(ev - shift))]


CORR_OPTIONS = qutip.Options(atol=1e-12, rtol=1e-10, nsteps=10**7)


def spectra(H, w, c_ops, A, B):
    """(S by solver 'pi', S by solver 'es', their max relative difference)"""
    s_es = np.asarray(qutip.spectrum(H, w, c_ops, A, B, solver="es"))
    s_pi = np.asarray(qutip.spectrum(H, w, c_ops, A, B, solver="pi"))
    big = np.abs(s_pi) > 1e-12 * np.max(np.abs(s_pi))
    return s_pi, s_es, float(np.max(np.abs(s_es[big] - s_pi[big]) / np.abs(s_pi[big])))


def run_case(name, kind, title, p, outdir):
    if kind == "jc":
        H, c_ops, d = ref.model(p)
        frame_omega, model_line = 0.0, ref.JC_MODEL_LINE
    else:
        H, c_ops, d = dref.dressed_model(p)[:3]
        frame_omega, model_line = p["omega_m"], dref.MODEL_LINE
    N = p["N"]
    a = qutip.tensor(qutip.qeye(2), qutip.destroy(N))
    x = (a + a.dag()) / math.sqrt(2.0)
    rho = qutip.steadystate(H, c_ops)
    L = qutip.liouvillian(H, c_ops)
    # <a^dag(tau) a> ~ e^{lambda tau} with lambda near +i frame_omega (a rho lowers k by one)
    lam = slowest_line(L, 1j * frame_omega)
    c, h = lam.imag, abs(lam.real)
    w = np.concatenate([frame_omega + np.linspace(-2500.0, 2500.0, 31), c + h * np.linspace(-4, 4, 9)])
    w = np.unique(np.round(w, 9))
    S_a, S_a_es, chk_a = spectra(H, w, c_ops, a.dag(), a)
    if kind == "jc":
        wb = np.concatenate([np.linspace(-2500.0, 2500.0, 31), -c + h * np.linspace(-4, 4, 9)])
        wb = np.unique(np.round(wb, 9))
        S_b, S_b_es, chk_b = spectra(H, wb, c_ops, a, a.dag())
        second = ("aad", wb, S_b, chk_b, S_b_es)
    else:
        wx = np.unique(np.round(np.concatenate([w, -w]), 9))
        S_x, S_x_es, chk_x = spectra(H, wx, c_ops, x, x)
        second = ("xx", wx, S_x, chk_x, S_x_es)
    tau = np.linspace(0.0, 5.0 / h, 21)
    g1 = qutip.correlation_2op_1t(H, None, tau, c_ops, a.dag(), a, options=CORR_OPTIONS)
    g2 = qutip.correlation_3op_1t(H, None, tau, c_ops, a.dag(), a.dag() * a, a, options=CORR_OPTIONS)
    n_mean = qutip.expect(a.dag() * a, rho)
    a_mean = qutip.expect(a, rho)
    p_top = rho.ptrace(1).diag()[-1].real
    path = os.path.join(outdir, "qutip_reference_spectrum_%s.txt" % name)
    with open(path, "w") as f:
        ref.header_common(f, "spectra and correlations, case %s: %s" % (name, title),
                          "/usr/bin/python3 tools/make_qutip_reference_spectrum.py", model_line)
        f.write("#   spec|spec_es <which> <omega [rad/s]> <S [s/rad]>, corr <which> <tau [s]> <re> <im>,\n"
                "#   check <which> <rel>: see the script's docstring\n")
        ref.write_params(f, p, d)
        f.write("result n_mean %r\nresult re_a %r\nresult im_a %r\nresult p_top %r\n" %
                (n_mean, a_mean.real, a_mean.imag, p_top))
        f.write("result lambda_re %r\nresult lambda_im %r\n" % (lam.real, lam.imag))
        f.write("check a %r\ncheck %s %r\n" % (chk_a, second[0], second[3]))
        for wi, si, ei in zip(w, S_a, S_a_es):
            f.write("spec a %r %r\nspec_es a %r %r\n" % (float(wi), float(si), float(wi), float(ei)))
        for wi, si, ei in zip(second[1], second[2], second[4]):
            f.write("spec %s %r %r\nspec_es %s %r %r\n" % (second[0], float(wi), float(si), second[0], float(wi),
                                                            float(ei)))
        for ti, ci in zip(tau, g1):
            f.write("corr g1 %r %r %r\n" % (float(ti), complex(ci).real, complex(ci).imag))
        for ti, ci in zip(tau, g2):
            f.write("corr g2 %r %r %r\n" % (float(ti), complex(ci).real, complex(ci).imag))
    print("%s: <n> = %.6g, P(N-1) = %.2g, lambda = %s, es vs pi %.1e / %.1e -> %s" %
          (name, n_mean, p_top, lam, chk_a, second[3], path))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--outdir", default="data")
    args = parser.parse_args()
    for case in CASES:
        run_case(*case, args.outdir)


if __name__ == "__main__":
    main()
