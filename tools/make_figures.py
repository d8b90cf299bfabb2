#!/usr/bin/python3
"""Draw the paper's figures from phonomaser's HDF5 results (plotting only).

    /usr/bin/python3 tools/make_figures.py [RESULTS_DIR]     (default: results)

Reads the files that tools/main_job.sh writes into RESULTS_DIR and writes
    fig2a_gamma_opt.png   Gamma_opt(delta)/gamma_m for five inversions S
    fig2b_n_of_t.png      <n(t)> from the thermal state (0-60 s and 0-250 s)
    fig2c_radial.png      stationary radial distribution P(r)
    fig2d_g2.png          g2(0) versus S across threshold
    fig3_wigner.png       steady-state Wigner function W(z, p)
    table2.png, table2.md Table II (reduced theory, with the paper's printed values)
    convergence.png       truncation convergence versus the Fock cutoff N

Every exact curve is the exact master equation solved by phonomaser (steady,
evolve, converge, compare, wigner); every reduced-theory curve is the value
phonomaser's compare/theory commands wrote (one implementation of each
formula, src/reduced.c).  This script does no physics beyond unit changes
(delta/gamma_2, rate/gamma_m, Gamma_opt = gamma_eff - gamma_m (Eq. 12),
<a^dag a> = <r^2/2> - 1/2 (physics notes, erratum 4)).

Run with Debian's /usr/bin/python3 (python3-numpy, -h5py, -matplotlib).
"""

import math
import os
import sys

import matplotlib

matplotlib.use("Agg")  # non-interactive: works without a display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from phonomaser_h5 import load  # noqa: E402

FIG2A_S = ["-0.2", "-0.05", "0.016", "0.05", "0.2"]  # file names fig2a_S<S>.h5 (main_job.sh)

# The paper's Table II as printed (for the comparison column of table2.*).
PAPER_TABLE2 = {
    0.05: {"g": 15.7, "S_th": 6.37e-2, "gamma_opt_max": 4.93e-1, "gamma_opt_max_over_gamma_m": 15.7, "n_sat": 507},
    0.10: {"g": 31.4, "S_th": 1.59e-2, "gamma_opt_max": 1.97, "gamma_opt_max_over_gamma_m": 62.7, "n_sat": 127},
    0.25: {"g": 78.5, "S_th": 2.55e-3, "gamma_opt_max": 12.3, "gamma_opt_max_over_gamma_m": 392, "n_sat": 20.3},
}

plt.rcParams.update({
    "font.size": 12,
    "axes.titlesize": 12,
    "axes.labelsize": 13,
    "legend.fontsize": 10,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "axes.grid": True,
    "grid.alpha": 0.3,
})


def need(results, name):
    path = os.path.join(results, name)
    if not os.path.exists(path):
        sys.exit(f"make_figures.py: error: {path} is missing; run 'bash tools/main_job.sh' "
                 f"(it writes every input of this script)")
    data = load(path)
    if data.attrs.get("complete", 1) != 1:
        print(f"make_figures.py: warning: {path} is marked incomplete (interrupted run)", file=sys.stderr)
    return data


def param(data, name):
    return float(data["parameters"].attrs[name])


def save(fig, results, name):
    path = os.path.join(results, name)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    print(f"wrote {path}")


def operating_point_label(data):
    p = data["parameters"].attrs
    return (f"$\\eta$ = {p['eta']:g}, $S$ = {p['S']:g}, $\\delta$ = {p['delta']:g}, "
            f"$\\bar n_{{th}}$ = {p['n_th']:g}")


# ---------------------------------------------------------------- Fig. 2(a)

def fig2a(results):
    fig, (ax, axd) = plt.subplots(2, 1, figsize=(10.5, 8.6), sharex=True,
                                  gridspec_kw={"height_ratios": [2.3, 1.0], "hspace": 0.08})
    colors = ["tab:blue", "tab:cyan", "k", "tab:orange", "tab:red"]
    for S_text, color in zip(FIG2A_S, colors):
        d = need(results, f"fig2a_S{S_text}.h5")
        c = d["compare"]
        gamma_m, gamma_2 = param(d, "gamma_m"), param(d, "gamma_2")
        x = c["values"] / gamma_2
        order = np.argsort(x)
        x = x[order]
        ge = c["gamma_eff"]
        # Eq. (12): Gamma_opt = gamma_eff - gamma_m
        reduced = (ge["reduced"][order] - gamma_m) / gamma_m
        exact = (ge["exact"][order] - gamma_m) / gamma_m
        rel = np.abs(ge["rel_dev"][order])
        ok = (ge["applies"][order] == 1) & (c["status"][order] == 0) & np.isfinite(exact)
        S = float(S_text)
        ax.plot(x, reduced, "-", color=color, lw=1.8, label=f"$S$ = {S:+g}: reduced, Eq. (13)")
        ax.plot(x[ok], exact[ok], "o", color=color, mec="k", mew=0.6, ms=6,
                label=f"$S$ = {S:+g}: exact ({ok.sum()} of {len(x)} $\\delta$ below threshold)")
        # NaN outside the meaningful region so that the line breaks there
        axd.semilogy(x, np.where(ok, rel, np.nan), "o-", color=color, mec="k", mew=0.6, ms=5, lw=1)
    ax.axhline(-1.0, color="k", ls="--", lw=1.2, label=r"threshold $\Gamma_{opt} = -\gamma_m$")
    ax.axhline(0.0, color="0.5", lw=0.8)
    ax.set_ylabel(r"$\Gamma_{opt}(\delta)/\gamma_m$")
    ax.set_title("Fig. 2(a): spin-induced phonon-number damping, exact master equation vs reduced theory\n"
                 r"exact: $\Gamma_{opt} = -2\,\mathrm{Re}\,\lambda_1 - \gamma_m$, $\lambda_1$ = slowest eigenvalue "
                 r"of the $k = 1$ sector;" "\nshown only below threshold ($S < S_{th}(\\delta)$, Eq. 14), "
                 "where it is the amplitude damping rate (above: the maser linewidth)")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    axd.set_xlabel(r"detuning $\delta/\gamma_2$")
    axd.set_ylabel("|exact - reduced| / |reduced|\nof $\\gamma_{eff}$", fontsize=11)
    axd.text(0.01, 0.04, "deviation grows near threshold: the exact damping never reaches zero",
             transform=axd.transAxes, fontsize=10)
    save(fig, results, "fig2a_gamma_opt.png")


# ---------------------------------------------------------------- Fig. 2(b)

def fig2b(results):
    ev = need(results, "table1_evolve.h5")["evolve"]
    ev_long = need(results, "table1_evolve_long.h5")["evolve"]
    cmp_ = need(results, "table1_compare.h5")
    c = cmp_["compare"]
    steady = need(results, "table1_steady.h5")
    n_las = float(c["n_las"]["reduced"][0])
    n_fp = float(c["fp"]["n_mean"][0]) - 0.5  # <r^2/2> - 1/2 = <a^dag a> (erratum 4)
    n_exact_ss = float(steady["steady"].attrs["n_mean"])
    lang = c.get("langevin")

    fig, axes = plt.subplots(1, 2, figsize=(12.5, 5.0))
    for ax, e, tmax in ((axes[0], ev, 60.0), (axes[1], ev_long, None)):
        t = e["t"]
        tmax = tmax if tmax is not None else float(t[-1])
        ax.plot(t, e["n_mean"], "k-", lw=2.0, label=r"exact master equation $\langle a^\dagger a\rangle(t)$")
        if lang is not None and "t" in lang:
            sel = lang["t"] <= tmax * 1.0001
            ax.plot(lang["t"][sel], lang["n_of_t"][sel], "s", color="tab:green", ms=5, mfc="none",
                    label="Langevin Eq. (19), mean over trajectories")
        ax.axhline(n_las, color="tab:blue", ls="--", lw=1.5, label=rf"$n_{{las}}$ (Eq. 15) = {n_las:.1f}")
        ax.axhline(n_fp, color="tab:red", ls="--", lw=1.5,
                   label=rf"$\langle n\rangle_{{FP}} - 1/2$ (B133) = {n_fp:.1f}")
        ax.axhline(n_exact_ss, color="0.4", ls=":", lw=1.5,
                   label=rf"exact steady state $\langle n\rangle$ = {n_exact_ss:.1f}")
        ax.set_xlim(0, tmax)
        ax.set_ylim(0, 1.12 * max(n_fp, n_exact_ss))
        ax.set_xlabel("time $t$ [s]")
        ax.set_ylabel(r"mean phonon number $\langle n(t)\rangle$")
    axes[0].set_title("Fig. 2(b): growth from the thermal state, 0-60 s")
    axes[1].set_title("the same to 250 s: saturation")
    axes[1].legend(loc="lower right")
    # log-scale inset: the exponential start
    ins = axes[0].inset_axes([0.17, 0.47, 0.33, 0.32])
    ins.semilogy(ev["t"], ev["n_mean"], "k-", lw=1.5)
    ins.axhline(n_las, color="tab:blue", ls="--", lw=1)
    ins.set_xlim(0, 60)
    ins.set_xlabel("$t$ [s]", fontsize=9)
    ins.set_ylabel(r"$\langle n\rangle$", fontsize=9)
    ins.tick_params(labelsize=8)
    fig.suptitle(operating_point_label(cmp_) + f"; exact: Fock cutoff N = {len(steady['steady']['p_n'])}, "
                 f"CVODE BDF in the k = 0 sector", y=1.01)
    save(fig, results, "fig2b_n_of_t.png")


def main():
    results = sys.argv[1] if len(sys.argv) > 1 else "results"
    if not os.path.isdir(results):
        sys.exit(f"make_figures.py: error: results directory '{results}' does not exist; "
                 "run 'bash tools/main_job.sh'")
    for draw in (fig2a, fig2b):
        draw(results)


if __name__ == "__main__":
    main()
