#!/usr/bin/python3
"""Exact steady-state <n> of the dressed model of Eq. (5), computed with QuTiP,
for the beyond-RWA reduced theory test (tests/theory/test_reduced.c, test_beyond_rwa_exact).

Usage (from the repository root; Debian's interpreter, it has python3-qutip):
    /usr/bin/python3 tools/make_beyond_rwa_reference.py [--out data/qutip_reference_beyond_rwa.txt]

Model (shared physics notes, last section), lab frame, time independent:
    H     = omega_m a^dag a + (omega_tilde/2) sigma_z
            + g0 (a + a^dag) (cos(theta) sigma_z + sin(theta) sigma_x),
    g = eta omega_m = g0 sin(theta), omega_tilde = omega_m + delta,
    c_ops = sqrt(gamma_m (n_th+1)) a, sqrt(gamma_m n_th) a^dag, sqrt(gamma_down) sigma_-,
            sqrt(gamma_up) sigma_+, sqrt(gamma_phi/2) sigma_z,
with the Table I rates (omega_m = 2 pi 50, Q = 1e4, gamma_1 = 500, gamma_2 = 1000,
n_th = 5).  Space tensor(spin, fock), basis(2,0) = |up> (sigma_z = +1),
sigma_+ = qutip.sigmap() = |up><down|.  The points are weakly coupled (eta = 0.02,
g/gamma_2 = 6e-3) and below threshold, where the second-order elimination is
controlled; each is solved at N and N + 20 Fock levels and the change is recorded.

Output: comment lines '#', then one line per point
    point <eta> <S> <theta> <delta> <N> <n_mean> <abs change of n_mean from N to N+20>
Deterministic; takes about 5 minutes.
"""

import argparse
import datetime
import math
import sys

import numpy as np
import qutip as qt

OMEGA_M = 2 * math.pi * 50
GAMMA_M = OMEGA_M / 1e4
GAMMA_1, GAMMA_2, N_TH = 500.0, 1000.0, 5.0
POINTS = [  # eta, S, theta, delta [rad/s]
    (0.02, 0.0, math.pi / 2, 0.0),
    (0.02, -0.5, math.pi / 2, 0.0),
    (0.02, 0.0, 1.0, 0.0),
    (0.02, 0.3, 1.0, 0.0),
    (0.02, 0.0, 0.6, 300.0),
]
N_LEVELS = 160


def n_mean(eta, S, theta, delta, N):
    g = eta * OMEGA_M
    g0 = g / math.sin(theta)
    omega_tilde = OMEGA_M + delta
    a = qt.tensor(qt.qeye(2), qt.destroy(N))
    sp = qt.tensor(qt.sigmap(), qt.qeye(N))
    sz = qt.tensor(qt.sigmaz(), qt.qeye(N))
    sx = qt.tensor(qt.sigmax(), qt.qeye(N))
    H = OMEGA_M * a.dag() * a + omega_tilde / 2 * sz + g0 * (a + a.dag()) * (math.cos(theta) * sz + math.sin(theta) * sx)
    gamma_up, gamma_down = GAMMA_1 * (1 + S) / 2, GAMMA_1 * (1 - S) / 2
    gamma_phi = GAMMA_2 - GAMMA_1 / 2
    c_ops = [math.sqrt(GAMMA_M * (N_TH + 1)) * a, math.sqrt(GAMMA_M * N_TH) * a.dag(),
             math.sqrt(gamma_down) * sp.dag(), math.sqrt(gamma_up) * sp, math.sqrt(gamma_phi / 2) * sz]
    rho = qt.steadystate(H, c_ops, method='direct')
    return float(np.real(qt.expect(a.dag() * a, rho)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default='data/qutip_reference_beyond_rwa.txt')
    args = parser.parse_args()
    lines = ['# exact steady-state <n> of the dressed model of Eq. (5) (lab frame), QuTiP steadystate(method=direct)',
             f'# QuTiP {qt.__version__}, numpy {np.__version__}, Python {sys.version.split()[0]}',
             f'# date: {datetime.date.today().isoformat()}',
             '# command: /usr/bin/python3 tools/make_beyond_rwa_reference.py (model and format: its docstring)',
             f'# Table I rates: omega_m = 2 pi 50, Q = 1e4, gamma_1 = {GAMMA_1}, gamma_2 = {GAMMA_2}, n_th = {N_TH}',
             '# point <eta> <S> <theta> <delta> <N> <n_mean> <|n_mean(N+20) - n_mean(N)|>']
    for eta, S, theta, delta in POINTS:
        n = n_mean(eta, S, theta, delta, N_LEVELS)
        n_more = n_mean(eta, S, theta, delta, N_LEVELS + 20)
        lines.append(f'point {eta!r} {S!r} {theta!r} {delta!r} {N_LEVELS} {n!r} {abs(n_more - n):.3e}')
        print(lines[-1], flush=True)
    with open(args.out, 'w') as f:
        f.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
