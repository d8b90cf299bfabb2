#!/usr/bin/python3
"""phonomaser from Python, notebook style (each block is a notebook cell).

    ninja -C build && PYTHONPATH=build/src/python /usr/bin/python3 tools/python_example.py [OUT.png]

1. the paper's operating point (Table I, N = auto) and its state as a Qobj;
2. a 1-D sweep of the pump S with <n> and g2(0) (one call per point);
3. the same JC maser written in QuTiP, solved by phonomaser and by QuTiP;
4. a figure: <n>(S), g2(S) and the Wigner function at the operating point."""

import os
import sys
import time

import numpy as np

import phonomaser as pm

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
TABLE1 = os.path.join(REPO, "data", "table1.ini")
out_png = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "results", "python_example.png")

# %% 1. the operating point
r = pm.steadystate(TABLE1, N="auto", store_rho=True)
print(f"operating point: <n> = {r.n_mean:.2f}, g2(0) = {r.g2:.4f}, <sigma_z> = {r.sz_mean:.6f}, "
      f"N = {r.N} ({'converged' if r.converged else 'NOT converged'}), path = {r.path}, {r.call_seconds:.3f} s")
rho = r.to_qobj()  # qutip.Qobj, dims [[2, N], [2, N]]
print(f"  as a Qobj: dims {rho.dims}, trace {rho.tr().real:.12f}")

# %% 2. a sweep of the pump S (the cutoff chosen per point)
S_values = np.linspace(-0.1, 0.4, 11)
sweep = [pm.steadystate(TABLE1, S=S, N="auto") for S in S_values]
n_mean = np.array([p.n_mean for p in sweep])
g2 = np.array([p.g2 for p in sweep])
for S, n, g in zip(S_values, n_mean, g2):
    print(f"  S = {S:+.2f}: <n> = {n:9.2f}, g2 = {g:.4f}")

# %% 3. the JC maser in QuTiP's own terms, at a small cutoff
try:
    import qutip as qt

    N = 60
    omega_m, g, gamma_1, gamma_2, S, n_th = 2 * np.pi * 50, 0.1 * 2 * np.pi * 50, 500.0, 1000.0, 0.2, 5.0
    gamma_m = omega_m / 1e4
    a = qt.tensor(qt.qeye(2), qt.destroy(N))
    sm = qt.tensor(qt.sigmam(), qt.qeye(N))
    sz = qt.tensor(qt.sigmaz(), qt.qeye(N))
    H = g * (a * sm.dag() + a.dag() * sm)
    c_ops = [np.sqrt(gamma_m * (n_th + 1)) * a, np.sqrt(gamma_m * n_th) * a.dag(),
             np.sqrt(gamma_1 * (1 - S) / 2) * sm, np.sqrt(gamma_1 * (1 + S) / 2) * sm.dag(),
             np.sqrt((gamma_2 - gamma_1 / 2) / 2) * sz]
    t0 = time.perf_counter()
    mine = pm.steadystate(H, c_ops)
    t1 = time.perf_counter()
    theirs = qt.steadystate(H, c_ops)
    t2 = time.perf_counter()
    print(f"QuTiP-built JC maser at N = {N}: phonomaser <n> = {mine.n_mean:.10f} ({mine.path}, {t1 - t0:.4f} s), "
          f"qutip <n> = {qt.expect(a.dag() * a, theirs):.10f} ({t2 - t1:.3f} s)")
except ImportError:
    print("QuTiP is not installed: part 3 skipped")

# %% 4. the figure
try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("matplotlib is not installed: no figure")
    sys.exit(0)
w = pm.wigner(r, points=201)
fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
axes[0].plot(S_values, n_mean, "o-")
axes[0].set(xlabel="pump S", ylabel="<n>", yscale="log", title="phonon number")
axes[1].plot(S_values, g2, "o-")
axes[1].set(xlabel="pump S", ylabel="g2(0)", title="intensity correlation")
image = axes[2].pcolormesh(w.z, w.p, w.W.T, shading="auto", cmap="RdBu_r")
axes[2].set(xlabel="z", ylabel="p", title=f"W(z, p) at S = 0.2, N = {r.N}", aspect="equal")
fig.colorbar(image, ax=axes[2])
fig.tight_layout()
os.makedirs(os.path.dirname(out_png) or ".", exist_ok=True)
fig.savefig(out_png, dpi=110)
print(f"figure: {out_png}")
