#!/usr/bin/python3
"""Reference Wigner functions for tests/phase_space/test_wigner.c.

Interpreter: /usr/bin/python3 (Debian's python3-qutip 4.7.1, python3-mpmath).
Run from the repository root:

    /usr/bin/python3 tools/make_wigner_reference.py

writes
  data/wigner_reference_qutip.txt  qutip.wigner (default method 'clenshaw',
      g = sqrt(2)) of small states, N <= 100, on non-symmetric grids.  Each
      case is checked here against QuTiP's 'iterative' method and, at a few
      points, against an mpmath evaluation of the Laguerre sum at 40 digits;
      the script stops if QuTiP's own error exceeds 1e-12.
  data/wigner_reference_large.txt  independent large-N values (no QuTiP:
      its Clenshaw sum overflows there): the Fock state n = 9999 from
      mpmath's hypergeometric Laguerre polynomial at 40 digits, and the
      phase-averaged coherent state (Poisson P(n), mean 5000, N = 10^4; and
      mean 1500, N = 4000) from its closed form
      W(r) = exp(-(r - R0)^2) i0e(2 r R0) / pi, R0 = sqrt(2 nbar),
      which is exact for the untruncated Poisson distribution (the truncated
      tail is below 1e-300).

Conventions (shared with src/phase_space/wigner.c): z = (a + a^dag)/sqrt(2),
p = (a - a^dag)/(i sqrt(2)), integral W dz dp = 1.  QuTiP's wigner(rho,
xvec, yvec) with g = sqrt(2) sets a = (x + i y)/sqrt(2), so x = z and y = p;
its array is W[iy, ix] and is written here as rows of constant z.

File format (whitespace separated, '#' comments):
  case NAME N NZ NP
  trace VALUE n_mean VALUE        (of the mechanical reduced state)
  z NZ values
  p NP values
  NZ lines of NP values: W[iz][ip]
and for the large file
  radial NAME N NR
  NR lines: r W(r)
  ring NAME r_peak_W r_peak_Pr   (the maxima of W(r) and of 2 pi r W(r))
The state of each case is defined below and, identically, in
tests/phase_space/test_wigner.c (test_qutip_case, cat_matrix).
"""

import os
import sys

import mpmath
import numpy as np
import qutip

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "data")


def coherent_amplitudes(N, alpha):
    """c_n = e^{-|alpha|^2/2} alpha^n / sqrt(n!), n < N, not renormalised
    (as qutip.coherent(N, alpha, method='analytic') and pm_initial)."""
    c = np.zeros(N, dtype=complex)
    c[0] = np.exp(-abs(alpha) ** 2 / 2)
    for n in range(1, N):
        c[n] = c[n - 1] * alpha / np.sqrt(n)
    return c


def thermal_populations(N, n_th):
    """P(n) = n_th^n/(n_th+1)^(n+1) renormalised over n < N."""
    q = n_th / (n_th + 1.0)
    p = (1 - q) * q ** np.arange(N)
    return p / p.sum()


def spin_fock(psi_up, psi_down):
    """|up> (x) psi_up + |down> (x) psi_down in QuTiP's tensor(spin, fock)
    ordering (index s*N + n, s = 0 up)."""
    return np.concatenate([psi_up, psi_down])


def case_states():
    """name -> (N, full spin-Fock density matrix 2N x 2N) or (N, mechanical N x N)."""
    cases = {}
    # coherent |alpha><alpha| (x) spin populations p_up = 0.3
    N, alpha, p_up = 60, 3.0 + 2.0j, 0.3
    c = coherent_amplitudes(N, alpha)
    rho = np.zeros((2 * N, 2 * N), dtype=complex)
    rho[:N, :N] = p_up * np.outer(c, c.conj())
    rho[N:, N:] = (1 - p_up) * np.outer(c, c.conj())
    cases["coherent"] = (N, rho)
    # Fock |30><30| (x) |down><down|
    N = 40
    rho = np.zeros((2 * N, 2 * N), dtype=complex)
    rho[N + 30, N + 30] = 1.0
    cases["fock30"] = (N, rho)
    # thermal n_th = 2.5 (x) spin populations p_up = 0.6
    N, n_th = 80, 2.5
    p = thermal_populations(N, n_th)
    rho = np.diag(np.concatenate([0.6 * p, 0.4 * p])).astype(complex)
    cases["thermal"] = (N, rho)
    # spin-entangled cat: 0.7 |Psi><Psi| + 0.3 thermal(1.5) (x) |down><down|,
    # Psi = (|up> psi_a + |down> |beta>)/sqrt(2),
    # psi_a ~ |a> + e^{i pi/3} |i a> + 0.5 |-a>, a = 2.5, beta = -1 + 3i
    N = 100
    a, beta = 2.5, -1.0 + 3.0j
    psi_a = (coherent_amplitudes(N, a) + np.exp(1j * np.pi / 3) * coherent_amplitudes(N, 1j * a)
             + 0.5 * coherent_amplitudes(N, -a))
    psi_a /= np.linalg.norm(psi_a)
    psi = spin_fock(psi_a, coherent_amplitudes(N, beta)) / np.sqrt(2)
    rho = 0.7 * np.outer(psi, psi.conj())
    rho[N:, N:] += 0.3 * np.diag(thermal_populations(N, 1.5))
    cases["cat"] = (N, rho)
    # mechanical state with coherences at k = 3 and 7 only (Hermitian, not
    # necessarily positive: W is linear in rho)
    N = 40
    p = thermal_populations(N, 4.0)
    rho = np.diag(p).astype(complex)
    for k, amp, freq in ((3, 0.4, 0.3), (7, -0.25, -0.7)):
        for m in range(N - k):
            v = amp * np.exp(1j * freq * m) * np.sqrt(p[m] * p[m + k])
            rho[m, m + k] = v
            rho[m + k, m] = np.conj(v)
    cases["sparse_k"] = (N, rho)
    return cases


GRIDS = {
    "coherent": (np.linspace(-3.1, 9.4, 27), np.linspace(-2.6, 8.9, 23)),
    "fock30": (np.linspace(-9.3, 8.8, 31), np.linspace(-8.7, 9.1, 29)),
    "thermal": (np.linspace(-8.2, 7.9, 25), np.linspace(-7.6, 8.3, 21)),
    "cat": (np.linspace(-6.9, 7.3, 33), np.linspace(-7.2, 6.8, 31)),
    "sparse_k": (np.linspace(-9.1, 9.7, 27), np.linspace(-9.4, 9.2, 25)),
}


def mechanical(N, rho):
    if rho.shape[0] == 2 * N:
        return rho[:N, :N] + rho[N:, N:]
    return rho


def mp_wigner(rho_m, z, p, dps=40):
    """W(z, p) from the Laguerre form (wigner.h) with mpmath at `dps` digits."""
    with mpmath.workdps(dps):
        N = rho_m.shape[0]
        r2 = mpmath.mpf(z) ** 2 + mpmath.mpf(p) ** 2
        x = 2 * r2
        phi = mpmath.atan2(p, z)
        total = mpmath.mpf(0)
        for k in range(N):
            for m in range(N - k):
                c = rho_m[m, m + k]
                if c == 0:
                    continue
                f = (mpmath.sqrt(mpmath.factorial(m) / mpmath.factorial(m + k)) * x ** (mpmath.mpf(k) / 2)
                     * mpmath.exp(-x / 2) * mpmath.laguerre(m, k, x))
                term = (-1) ** m * f * mpmath.mpc(c.real, c.imag) * mpmath.expj(k * phi)
                total += term.real if k == 0 else 2 * term.real
        return float(total / mpmath.pi)


def write_qutip_reference(path):
    lines = [f"# qutip.wigner reference values, made by tools/make_wigner_reference.py with qutip "
             f"{qutip.__version__}, numpy {np.__version__}, mpmath {mpmath.__version__}",
             "# W[iz][ip] = qutip.wigner(rho_m, z, p)[ip, iz] (method 'clenshaw', g = sqrt(2))"]
    for name, (N, rho) in case_states().items():
        rho_m = mechanical(N, rho)
        zs, ps = GRIDS[name]
        qobj = qutip.Qobj(rho_m)
        W = qutip.wigner(qobj, zs, ps).T  # -> [iz, ip]
        W_it = qutip.wigner(qobj, zs, ps, method="iterative").T
        spread = np.max(np.abs(W - W_it))
        # spot checks against mpmath at 40 digits
        rng = np.random.default_rng(1)
        worst = 0.0
        for _ in range(4):
            iz, ip = rng.integers(len(zs)), rng.integers(len(ps))
            worst = max(worst, abs(W[iz, ip] - mp_wigner(rho_m, zs[iz], ps[ip])))
        print(f"{name}: N = {N}, max|clenshaw - iterative| = {spread:.2e}, max|clenshaw - mpmath| = {worst:.2e}")
        if spread > 1e-12 or worst > 1e-12:
            sys.exit(f"{name}: QuTiP's values are not accurate to 1e-12; refusing to store them")
        n = np.arange(N)
        lines.append(f"case {name} {N} {len(zs)} {len(ps)}")
        lines.append(f"trace {np.trace(rho_m).real:.17g} n_mean {np.sum(n * np.diag(rho_m).real):.17g}")
        lines.append("z " + " ".join(f"{v:.17g}" for v in zs))
        lines.append("p " + " ".join(f"{v:.17g}" for v in ps))
        for iz in range(len(zs)):
            lines.append(" ".join(f"{v:.17g}" for v in W[iz]))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def write_large_reference(path):
    lines = ["# independent large-N radial Wigner functions, made by tools/make_wigner_reference.py with "
             f"mpmath {mpmath.__version__} (40 digits; checked at 60)",
             "# radial NAME N NR, then NR lines 'r W(r)'"]
    mpmath.mp.dps = 40
    # Fock n = 9999: W(r) = (-1)^n e^{-r^2} L_n(2 r^2) / pi
    n = 9999
    radii = [0.0, 0.7, 1.0, 10.0, 50.0, 100.0, 120.5, 140.0, 141.0, 141.4, 141.6, 142.0, 143.0, 145.0, 150.0]
    rows = []
    for r in radii:
        values = []
        for dps in (40, 60):
            with mpmath.workdps(dps):
                x = 2 * mpmath.mpf(r) ** 2
                values.append((-1) ** n * mpmath.exp(-x / 2) * mpmath.laguerre(n, 0, x) / mpmath.pi)
        if abs(values[0] - values[1]) > 1e-25 * max(abs(values[1]), mpmath.mpf("1e-300")):
            sys.exit(f"fock9999: mpmath not converged at r = {r}")
        rows.append((r, float(values[1])))
    lines.append(f"radial fock9999 10000 {len(rows)}")
    lines += [f"{r:.17g} {w:.17g}" for r, w in rows]
    # phase-averaged coherent states (Poisson P(n))
    for name, nbar, N, radii in (
            ("poisson5000", 5000.0, 10000, [0.0, 5.0, 60.0, 90.0, 95.0, 98.0, 99.0, 99.5, 100.0, 100.3, 101.0,
                                             102.0, 105.0, 110.0, 130.0]),
            ("poisson1500", 1500.0, 4000, [0.0, 20.0, 45.0, 50.0, 53.0, 54.0, 54.77, 55.0, 56.0, 58.0, 62.0, 80.0])):
        R0 = mpmath.sqrt(2 * mpmath.mpf(nbar))
        rows = []
        for r in radii:
            r_mp = mpmath.mpf(r)
            w = mpmath.exp(-r_mp ** 2 - R0 ** 2) * mpmath.besseli(0, 2 * r_mp * R0) / mpmath.pi
            rows.append((r, float(w)))
        lines.append(f"radial {name} {N} {len(rows)}")
        lines += [f"{r:.17g} {w:.17g}" for r, w in rows]
        # ring radii: d/dr ln W = -2 r + 2 R0 I1(2 r R0)/I0(2 r R0) = 0, and
        # with + 1/r for the radial density 2 pi r W(r)
        dlnw = lambda r: -2 * r + 2 * R0 * mpmath.besseli(1, 2 * r * R0) / mpmath.besseli(0, 2 * r * R0)
        r_w = mpmath.findroot(dlnw, R0)
        r_pr = mpmath.findroot(lambda r: dlnw(r) + 1 / r, R0)
        lines.append(f"ring {name} {float(r_w):.17g} {float(r_pr):.17g}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    write_qutip_reference(os.path.join(DATA, "wigner_reference_qutip.txt"))
    write_large_reference(os.path.join(DATA, "wigner_reference_large.txt"))
    print("wrote data/wigner_reference_qutip.txt and data/wigner_reference_large.txt")


if __name__ == "__main__":
    main()
