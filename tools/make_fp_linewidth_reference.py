#!/usr/bin/python3
"""Independent reference for the Fokker-Planck linewidth D_W <1/r^2> (Eqs. 16-18, 20;
reduced.h pm_reduced_linewidth_fp): mpmath quadrature at 30 digits of
<1/max(r^2, 1)> = int e^F(n) / max(2n, 1) dn / int e^F(n) dn with
F(n) = (-gamma_m n / 2 + (gamma_1 S / 4) ln(1 + n / n_sat)) / D_W, n = r^2 / 2,
at the paper's Table I (n_th = 5).  The values are pasted into
tests/theory/test_reduced.c (test_fp_linewidth_reference).
Run with Debian's /usr/bin/python3 (mpmath)."""
import mpmath as mp

mp.mp.dps = 30


def linewidth(eta, S, delta, n_th=5, omega_m=2 * mp.pi * 50, Q=1e4, gamma_1=500, gamma_2=1000):
    gamma_m = omega_m / Q
    g = eta * omega_m
    G = g**2 * gamma_2 / (gamma_2**2 + delta**2)
    D_W = (gamma_m * (2 * n_th + 1) + 2 * G) / 4  # Gamma_- + Gamma_+ = 2 G (p_down + p_up)
    n_sat = gamma_1 * (gamma_2**2 + delta**2) / (4 * g**2 * gamma_2)
    F = lambda n: (-gamma_m * n / 2 + (gamma_1 * S / 4) * mp.log1p(n / n_sat)) / D_W
    n_peak = max(gamma_1 * S / (2 * gamma_m) - n_sat, 0)
    points = sorted(set([mp.mpf(0), mp.mpf("0.5"), n_peak, 2 * n_peak + 100, mp.inf]))
    Z = mp.quad(lambda n: mp.e ** F(n), points)
    inv_r2 = mp.quad(lambda n: mp.e ** F(n) / max(2 * n, 1), points)
    return D_W * inv_r2 / Z


for eta, S, delta in [(0.25, 0.05, -300), (0.1, 0.2, 0), (0.05, 0.2, 0), (0.25, 0.2, 500)]:
    print(f"eta = {eta}, S = {S}, delta = {delta}: {mp.nstr(linewidth(eta, S, delta), 15)}")
