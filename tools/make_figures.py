#!/usr/bin/python3
"""Draw the paper's figures from phonomaser's HDF5 results (plotting only).

    /usr/bin/python3 tools/make_figures.py [RESULTS_DIR]     (default: results)

Reads the files that tools/main_job.sh writes into RESULTS_DIR and writes
    fig2a_gamma_opt.png   Gamma_opt(delta)/gamma_m for five inversions S
    fig2b_n_of_t.png      <n(t)> from the thermal state (0-60 s and 0-250 s)
    fig2c_radial.png      stationary radial distribution P(r)
    fig2d_g2.png          g2(0) versus S across threshold
    fig3_wigner.png       steady-state Wigner function W(z, p)
    fig3_wigner_dressed.png  W(z, p) of the dressed model of Eq. (5) (no RWA) next to the JC one
    dressed_vs_jc_S.png   <n>, g2(0), <sigma_z> versus S: exact dressed model (Eq. 5), exact JC
                          model (Eq. 6), reduced theory with and beyond the RWA
    table2.png, table2.md Table II (reduced theory, with the paper's printed values)
    convergence.png       truncation convergence versus the Fock cutoff N
    phase_diagram.png     <n>, g2(0) over (S, delta/gamma_2) (map_steady.h5) and the relative
                          deviation of the reduced <n>_FP (map_compare.h5), with S_th(delta) of Eq. (14)
    phase_diagram_dressed.png  the dressed model of Eq. (5) over (S, delta/gamma_2): <n>, g2(0) and
                          <I^2>/<I>^2 with its pi/2 contour (the exact transition line) beside
                          S_th(delta) beyond the RWA and of Eq. (14) (map_dressed.h5,
                          map_dressed_beyond_rwa/; drawn only when they exist)
    spectrum_operating_point.png  emission spectrum S_a at the operating point (log scale,
                          exact vs the phase-diffusion Lorentzian), g1(tau), g2(tau), S_xx
    linewidth_vs_S.png    linewidth (FWHM of the exact spectrum) versus S across threshold,
                          with -2 Re lambda_1, the phase-diffusion and the below-threshold widths;
                          the dressed model's FWHM (linewidth_dressed_S*.h5, --linewidth-only)
                          and -2 Re lambda_1 (dressed_S_sweep*.h5) where those files exist

Every exact curve is the exact master equation solved by phonomaser (steady,
evolve, converge, compare, wigner); every reduced-theory curve is the value
phonomaser's compare/theory commands wrote (one implementation of each
formula, src/theory/reduced.c).  This script does no physics beyond unit changes
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
from matplotlib import patheffects  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
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

def fig2a_dressed(results, S_text, eta):
    """The dressed model (Eq. 5) at one S of Fig. 2(a): the exact damping -2 Re lambda_1 of the
    slowest amplitude mode (compare --set model=dressed --sweep delta=..., plus the delta = 0
    point of the S sweeps where they have this S), and the beyond-RWA gamma_eff on a dense delta
    grid (phonomaser theory, one file per delta, column eta)."""
    # fig2a_dressed_S<S>.h5, and fig2a_dressed_S<S>_N<N>.h5 for points run at a fixed larger N
    extra = sorted(n for n in os.listdir(results) if n.startswith(f"fig2a_dressed_S{S_text}_N") and n.endswith(".h5"))
    c = [need(results, name)["compare4"] for name in [f"fig2a_dressed_S{S_text}.h5"] + extra]

    def joined(get):
        return np.concatenate([np.asarray(get(ci), dtype=float) for ci in c])

    delta = joined(lambda ci: ci["delta"])
    exact = joined(lambda ci: ci["gamma_eff"]["dressed"])
    formula = joined(lambda ci: ci["gamma_eff"]["reduced_beyond_rwa"])
    S_th_b = joined(lambda ci: ci["S_th_beyond_rwa"])
    ok = np.isfinite(exact)  # a failed point is NaN in /compare4
    sw = dressed_sweep(results)
    at_S = np.isclose(sw["S"], float(S_text), rtol=0, atol=1e-12)
    if at_S.any() and not np.isclose(delta, 0).any():
        delta = np.append(delta, float(param(sw["data"], "delta")))
        exact = np.append(exact, sw["gamma_eff"]["dressed"][at_S][0])
        formula = np.append(formula, sw["gamma_eff"]["reduced_beyond_rwa"][at_S][0])
        S_th_b = np.append(S_th_b, sw["S_th_beyond_rwa_per_point"][at_S][0])
        ok = np.append(ok, True)
    order = np.argsort(delta)
    curve = []
    folder = os.path.join(results, "fig2a_beyond_rwa")
    prefix = f"S{S_text}_delta"
    names = sorted(n for n in os.listdir(folder) if n.startswith(prefix)) if os.path.isdir(folder) else []
    if not names:
        sys.exit(f"make_figures.py: error: {folder}/{prefix}*.h5 missing; run 'bash tools/main_job.sh'")
    for name in names:
        th = need(folder, name)
        column = np.flatnonzero(np.isclose(th["theory"]["eta"], eta))
        if len(column) != 1:
            sys.exit(f"make_figures.py: error: {folder}/{name} has no column eta = {eta:g}")
        curve.append((param(th, "delta"), float(th["theory"]["gamma_eff_beyond_rwa"][column[0]])))
    curve = np.array(sorted(curve))
    return {"delta": delta[order], "exact": exact[order], "formula": formula[order],
            "below": float(S_text) < S_th_b[order], "ok": ok[order],
            "curve_delta": curve[:, 0], "curve": curve[:, 1]}


def fig2a(results):
    # left: the paper's range; right: the same zoomed on the range of the dressed model
    fig, axes = plt.subplots(2, 2, figsize=(19, 9.4), sharex="col",
                             gridspec_kw={"height_ratios": [2.3, 1.0], "width_ratios": [1.2, 1.0],
                                          "hspace": 0.08, "wspace": 0.16})
    colors = ["tab:blue", "tab:cyan", "k", "tab:orange", "tab:red"]
    handles = []
    omega_m = gamma_2 = None
    zoom_y = []
    for S_text, color in zip(FIG2A_S, colors):
        d = need(results, f"fig2a_S{S_text}.h5")
        c = d["compare"]
        gamma_m, gamma_2, omega_m = param(d, "gamma_m"), param(d, "gamma_2"), param(d, "omega_m")
        x = c["values"] / gamma_2
        order = np.argsort(x)
        x = x[order]
        ge = c["gamma_eff"]
        # Eq. (12): Gamma_opt = gamma_eff - gamma_m
        reduced = (ge["reduced"][order] - gamma_m) / gamma_m
        exact = (ge["exact"][order] - gamma_m) / gamma_m
        rel = np.abs(ge["rel_dev"][order])
        ok = (ge["applies"][order] == 1) & (c["status"][order] == 0) & np.isfinite(exact)
        # the dressed model of Eq. (5), no RWA: beyond-RWA formula (line) and exact (diamonds)
        dr = fig2a_dressed(results, S_text, param(d, "eta"))
        xd, yd = dr["delta"] / gamma_2, (dr["exact"] - gamma_m) / gamma_m
        dev = np.abs(dr["exact"] - dr["formula"]) / np.abs(dr["formula"])
        zoom_y += list(yd[dr["ok"]])
        for ax, axd in axes.T:
            ax.plot(x, reduced, "-", color=color, lw=1.8)
            ax.plot(x[ok], exact[ok], "o", color=color, mec="k", mew=0.6, ms=6)
            # NaN outside the meaningful region so that the line breaks there
            axd.semilogy(x, np.where(ok, rel, np.nan), "o-", color=color, mec="k", mew=0.6, ms=5, lw=1)
            ax.plot(dr["curve_delta"] / gamma_2, (dr["curve"] - gamma_m) / gamma_m, "-.", color=color, lw=1.5)
            for sel, face in ((dr["ok"] & dr["below"], color), (dr["ok"] & ~dr["below"], "white")):
                ax.plot(xd[sel], yd[sel], "D", color=color, mfc=face, mec="k", mew=0.8, ms=7, zorder=4)
            axd.semilogy(xd, np.where(dr["ok"] & dr["below"], dev, np.nan), "D--", color=color, mec="k",
                         mew=0.6, ms=5, lw=0.8)
        handles.append(matplotlib.lines.Line2D(
            [], [], color=color, lw=6, label=f"$S$ = {float(S_text):+g}: JC exact at {ok.sum()} of {len(x)} "
            f"$\\delta$ (below $S_{{th}}(\\delta)$); dressed at {dr['ok'].sum()}"))
    gray = dict(color="0.35")
    handles += [
        matplotlib.lines.Line2D([], [], ls="-", lw=1.8, **gray, label="reduced theory, RWA: Eq. (13)"),
        matplotlib.lines.Line2D([], [], ls="none", marker="o", mec="k", ms=6, **gray,
                                label=r"exact JC model (Eq. 6): $-2\,\mathrm{Re}\,\lambda_1 - \gamma_m$"),
        matplotlib.lines.Line2D([], [], ls="-.", lw=1.5, **gray, label="reduced theory beyond the RWA (Eq. 5)"),
        matplotlib.lines.Line2D([], [], ls="none", marker="D", mec="k", ms=7, **gray,
                                label="exact dressed model, Eq. (5) without the RWA\n(open: above the beyond-RWA "
                                "threshold)"),
        matplotlib.lines.Line2D([], [], color="k", ls="--", lw=1.2,
                                label=r"threshold $\Gamma_{opt} = -\gamma_m$ ($\gamma_{eff}$ = 0), both theories"),
        matplotlib.lines.Line2D([], [], color="tab:purple", ls=":", lw=1.3,
                                label=r"$\delta = -\omega_m$: dressed splitting $\tilde\omega$ = 0"
                                "\n(dressed model drawn for $\\tilde\\omega > 0$ only)"),
    ]
    for ax, axd in axes.T:
        ax.axhline(-1.0, color="k", ls="--", lw=1.2)
        ax.axhline(0.0, color="0.5", lw=0.8)
        for a in (ax, axd):
            a.axvline(-omega_m / gamma_2, color="tab:purple", ls=":", lw=1.3)
        ax.set_ylabel(r"$\Gamma_{opt}(\delta)/\gamma_m$")
        axd.set_xlabel(r"detuning $\delta/\gamma_2$")
        axd.set_ylabel("|exact - reduced| / |reduced|\nof $\\gamma_{eff}$", fontsize=11)
    zoom, zoomd = axes[0, 1], axes[1, 1]
    zoom.set_xlim(-omega_m / gamma_2 - 0.1, 4.1)
    zoom.set_ylim(min(-5.0, min(zoom_y) - 0.5), max(zoom_y) + 1.0)
    zoom.set_title("zoom on the range of the dressed model ($\\delta > -\\omega_m$)")
    axes[0, 0].set_title("Fig. 2(a): spin-induced phonon-number damping, exact master equation vs reduced theory\n"
                         r"exact: $\Gamma_{opt} = -2\,\mathrm{Re}\,\lambda_1 - \gamma_m$, $\lambda_1$ = slowest "
                         r"amplitude mode ($k = 1$ sector; dressed: odd parity, near $-i\omega_m$);" "\nJC shown only "
                         "below threshold ($S < S_{th}(\\delta)$, Eq. 14), where it is the amplitude damping rate "
                         "(above: the maser linewidth)", fontsize=11)
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.03), ncol=3, frameon=False,
               fontsize=10)
    axes[1, 0].text(0.01, 0.04, "circles: JC vs Eq. (13), deviation grows near threshold (the exact damping never "
                    "reaches zero);\ndiamonds: dressed vs beyond-RWA, below its threshold",
                    transform=axes[1, 0].transAxes, fontsize=9.5)
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

    fig, axes = plt.subplots(1, 3, figsize=(19, 5.0), gridspec_kw={"wspace": 0.25})
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
    fig2b_dressed(results, axes[2], ev)
    fig.suptitle(operating_point_label(cmp_) + f"; exact: Fock cutoff N = {len(steady['steady']['p_n'])}, "
                 f"CVODE BDF in the k = 0 sector", y=1.01)
    save(fig, results, "fig2b_n_of_t.png")


DRESSED_EVOLVE_LONG = "table1_evolve_dressed_long.h5"  # README.md: the documented 0-10 s run, drawn when present


def fig2b_dressed(results, ax, ev_jc):
    """Fig. 2(b), third panel: the first seconds of the growth in the JC model and in the dressed
    model of Eq. (5) (lab frame, coupled sectors |k| <= K, cutoffs of the trajectory)."""
    runs = [need(results, "table1_evolve_dressed.h5")]
    if os.path.exists(os.path.join(results, DRESSED_EVOLVE_LONG)):
        runs.append(need(results, DRESSED_EVOLVE_LONG))
    dressed_ss = float(need(results, "table1_compare_dressed.h5")["compare4"]["n_mean"]["dressed"][0])
    tmax = max(float(r["evolve"]["t"][-1]) for r in runs)
    sel = ev_jc["t"] <= tmax * 1.0001
    ax.plot(ev_jc["t"][sel], ev_jc["n_mean"][sel], "-", color="tab:blue", lw=2.0, label="exact JC model, Eq. (6)")
    for r, style in zip(reversed(runs), (dict(fmt="-", lw=2.0), dict(fmt="o", mfc="none", ms=4, markevery=4))):
        e = r["evolve"]
        style = dict(style)
        ax.plot(e["t"], e["n_mean"], style.pop("fmt"), color="k", **style,
                label=f"exact dressed model, Eq. (5), 0-{e['t'][-1]:g} s: N = {param(r, 'N'):.0f}, "
                      f"K = {param(r, 'K'):.0f} (CVODE BDF, lab frame, {e['solver'].attrs['steps']} steps)")
    ax.axhline(dressed_ss, color="k", ls=":", lw=1.5,
               label=rf"dressed exact steady state $\langle n\rangle$ = {dressed_ss:.1f}")
    ax.set_xlim(0, tmax)
    ax.set_ylim(0, 1.1 * max(dressed_ss, float(np.max(ev_jc["n_mean"][sel]))))
    ax.set_xlabel("time $t$ [s]")
    ax.set_ylabel(r"mean phonon number $\langle n(t)\rangle$")
    ax.set_title("the first seconds: JC model vs dressed model (no RWA)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize=9, frameon=False)

# ---------------------------------------------------------------- Fig. 2(c)

def fig2c(results):
    d = need(results, "table1_compare.h5")
    c = d["compare"]
    rad = c["radial"]
    r, pr_exact, pr_fp = rad["r"], rad["P_r_exact"], rad["P_r_fp"]
    r0 = float(rad.attrs["r0_maxwell_bloch"])
    r_peak_exact = float(c["ring_radius"]["exact"][0])
    r_peak_fp = float(c["fp"]["r_peak"][0])
    wr = need(results, "table1_wigner.h5")["wigner"]["radial"]

    fig, axes = plt.subplots(1, 2, figsize=(13, 5.2))
    for ax, log in ((axes[0], False), (axes[1], True)):
        plot = ax.semilogy if log else ax.plot
        plot(r, pr_exact, "k-", lw=2.2, label=r"exact: $P(n)$ at $r_n = \sqrt{2n+1}$, $P_r = P(n)\,r_n$")
        plot(wr["r"], wr["P_r"], "--", color="tab:orange", lw=1.5,
             label=r"exact: $2\pi r\,W(r)$ of the Wigner function")
        plot(r, pr_fp, "-", color="tab:red", lw=1.6, label="Fokker-Planck $P_r(r)$, Eq. (20)")
        ax.axvline(r0, color="tab:blue", ls="--", lw=1.3,
                   label=rf"Maxwell-Bloch $r_0 = \sqrt{{2 n_{{las}}}}$ = {r0:.2f}")
        ax.axvline(r_peak_exact, color="k", ls=":", lw=1.3, label=f"exact peak r = {r_peak_exact:.2f}")
        ax.axvline(r_peak_fp, color="tab:red", ls=":", lw=1.3, label=f"Fokker-Planck peak r = {r_peak_fp:.2f}")
        ax.set_xlabel(r"phase-space amplitude $r = \sqrt{z^2 + p^2}$ [1]")
        ax.set_ylabel(r"radial density $P(r)$")
    big = pr_exact > 1e-3 * pr_exact.max()
    lo, hi = r[big].min(), r[big].max()
    pad = 0.6 * (hi - lo)
    axes[0].set_xlim(lo - pad, hi + pad)
    axes[0].set_ylim(0, 1.08 * max(pr_exact.max(), pr_fp.max()))
    axes[0].set_title("Fig. 2(c): stationary radial distribution (linear)")
    axes[1].set_xlim(0, r.max())
    axes[1].set_ylim(1e-12, 3 * max(pr_exact.max(), pr_fp.max()))
    axes[1].set_title("the same on a log scale: tails")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3, fontsize=10, frameon=False)
    fig.suptitle(operating_point_label(d) + f"; exact: Fock cutoff N = {len(r)}\n"
                 r"Convention $r^2/2 = n + 1/2$ (Wigner ordering, physics notes erratum 4; "
                 r"the paper's $r = \sqrt{2n}$ moves points by $1/(2r)$ = 0.01)", y=1.06, fontsize=11)
    save(fig, results, "fig2c_radial.png")


# ---------------------------------------------------------------- Fig. 2(d)

def fig2d(results):
    d = need(results, "fig2d_S_sweep.h5")
    c = d["compare"]
    S = c["values"]
    order = np.argsort(S)
    S = S[order]
    ok = c["status"][order] == 0
    g2_exact = np.where(ok, c["exact"]["g2"][order], np.nan)
    g2_fp = np.where(ok, c["fp"]["g2"][order], np.nan)
    S_th = float(c["reduced"]["S_th"][0])
    op = need(results, "table1_compare.h5")["compare"]["threshold"]
    S_mid_exact, S_mid_fp = float(op["S_mid_exact"][0]), float(op["S_mid_fp"][0])
    lang = c.get("langevin")
    dr = dressed_sweep(results)

    fig, axes = plt.subplots(1, 2, figsize=(13, 5.2))
    for ax, zoom in ((axes[0], False), (axes[1], True)):
        ax.plot(S, g2_exact, "ko-", lw=1.8, ms=5, label="exact master equation (JC model, Eq. 6)")
        ax.plot(dr["S"], dr["g2"]["dressed"], "D-", color="tab:purple", mec="k", mew=0.5, lw=1.8, ms=5,
                label="exact dressed model, Eq. (5) without the RWA")
        ax.plot(S, g2_fp, "-", color="tab:red", lw=1.8, label="Fokker-Planck, Eq. (20) (ordering-corrected)")
        if lang is not None and "g2" in lang:
            ax.errorbar(S, lang["g2"][order], yerr=lang["g2_error"][order], fmt="s", color="tab:green",
                        mfc="none", ms=5, capsize=2, label="Langevin, Eq. (19)")
        ax.axvline(S_th, color="k", ls="--", lw=1.3, label=rf"$S_{{th}}$ (Eq. 14) = {S_th:.4f}")
        ax.axvline(S_mid_exact, color="0.4", ls=":", lw=1.3,
                   label=rf"exact transition centre $S_{{mid}}$ = {S_mid_exact:.4f}")
        ax.axvline(S_mid_fp, color="tab:red", ls=":", lw=1.3,
                   label=rf"Fokker-Planck $S_{{mid}}$ = {S_mid_fp:.4f}")
        ax.axvline(dr["S_th_beyond_rwa"], color="tab:purple", ls="--", lw=1.3,
                   label=rf"$S_{{th}}$ beyond the RWA = {dr['S_th_beyond_rwa']:.4f}")
        for level in (1.0, 2.0):
            ax.axhline(level, color="0.6", lw=0.8)
        ax.set_xlabel(r"dressed inversion $S = S_z^{(0)}$")
        ax.set_ylabel(r"$g^{(2)}(0) = (\langle n^2\rangle - \langle n\rangle)/\langle n\rangle^2$")
        if zoom:
            ax.set_xlim(-0.005, 0.065)
    axes[0].set_xlim(S.min() - 0.01, S.max() + 0.01)
    axes[0].set_ylim(0.9, 2.55)
    axes[1].set_ylim(0.9, 2.25)
    axes[0].set_title("Fig. 2(d): intensity correlations across threshold")
    axes[1].set_title("zoom on the threshold region")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3, fontsize=10, frameon=False)
    p = d["parameters"].attrs
    fig.suptitle(f"$\\eta$ = {p['eta']:g}, $\\delta$ = {p['delta']:g}, $\\bar n_{{th}}$ = {p['n_th']:g}; "
                 f"exact JC: N = auto per point ({int(np.nanmin(c['exact']['N']))}-{int(np.nanmax(c['exact']['N']))}); "
                 r"$S_{mid}$: $\langle I^2\rangle/\langle I\rangle^2 = \pi/2$"
                 f"; dressed: N, K = auto (dressed_S_sweep*.h5)", y=1.01, fontsize=11)
    save(fig, results, "fig2d_g2.png")


# ---------------------------------------------------------------- Fig. 3

def fig3(results):
    d = need(results, "table1_wigner.h5")
    w = d["wigner"]
    z, p, W = w["z"], w["p"], w["W"]  # W[iz][ip]
    r_mb = float(w.attrs["ring_radius_mb"])
    r_exact = float(w.attrs["ring_radius_exact"])
    fig, (ax, axr) = plt.subplots(1, 2, figsize=(13.5, 5.8), gridspec_kw={"width_ratios": [1.15, 1.0], "wspace": 0.38})
    im = ax.imshow(W.T, origin="lower", extent=[z[0], z[-1], p[0], p[-1]], cmap="magma", aspect="equal",
                   interpolation="bilinear")
    cb = fig.colorbar(im, ax=ax, fraction=0.046, pad=0.03)
    cb.set_label(r"$W(z, p)$,  $\int W\,dz\,dp = 1$")
    cb.formatter.set_powerlimits((-2, 2))
    phi = np.linspace(0, 2 * np.pi, 400)
    ax.plot(r_mb * np.cos(phi), r_mb * np.sin(phi), "--", color="cyan", lw=1.3,
            label=rf"Maxwell-Bloch $r_0 = \sqrt{{2n_{{las}}}}$ = {r_mb:.3f}")
    ax.plot(r_exact * np.cos(phi), r_exact * np.sin(phi), ":", color="lime", lw=1.2,
            label=f"exact ring radius (peak of W) = {r_exact:.3f}")
    ax.set_xlabel(r"$z = (a + a^\dagger)/\sqrt{2}$ [1]")
    ax.set_ylabel(r"$p = (a - a^\dagger)/(i\sqrt{2})$ [1]")
    ax.set_title("Fig. 3: exact steady-state Wigner function", pad=14)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), fontsize=9, frameon=False)
    ax.grid(False)

    rad = w["radial"]
    r, Wr = rad["r"], rad["W"]
    big = Wr > 1e-3 * Wr.max()
    lo, hi = r[big].min(), r[big].max()
    pad = 0.5 * (hi - lo)
    sel = (r > lo - pad) & (r < hi + pad)
    axr.plot(r[sel], Wr[sel], "k-", lw=2, label="exact phase-averaged $W(r)$")
    axr.axvline(r_mb, color="tab:blue", ls="--", lw=1.3, label=rf"Maxwell-Bloch $r_0$ = {r_mb:.3f}")
    axr.axvline(r_exact, color="k", ls=":", lw=1.3, label=f"exact peak of $W(r)$ = {r_exact:.3f}")
    axr.set_xlabel(r"$r = \sqrt{z^2 + p^2}$ [1]")
    axr.set_ylabel(r"$W(r)$ [1]")
    axr.set_title("radial cut through the ring")
    axr.ticklabel_format(axis="y", style="sci", scilimits=(-2, 2))
    axr.legend(loc="center right", fontsize=9)
    fig.suptitle(operating_point_label(d) + f"; Fock cutoff N = {int(w.attrs['N'])}, "
                 f"{len(z)} x {len(p)} grid; quadratures dimensionless", y=1.0, fontsize=11)
    save(fig, results, "fig3_wigner.png")


# ---------------------------------------------------------------- dressed model (Eq. 5, no RWA)

DRESSED_COLUMNS = (  # /compare4/<quantity>/<column>: style, label
    ("dressed", dict(fmt="o-", color="k", mfc="k", lw=2.0, ms=6), "exact dressed model, Eq. (5) (no RWA)"),
    ("jc", dict(fmt="s-", color="tab:blue", mfc="none", lw=1.6, ms=6), "exact JC model, Eq. (6) (RWA)"),
    ("reduced_rwa", dict(fmt="v--", color="tab:red", mfc="none", lw=1.4, ms=6),
     "reduced theory, RWA: (B92) below / Eq. (15) above $S_{th}$; g2: Eq. (20)"),
    ("reduced_beyond_rwa", dict(fmt="^-.", color="tab:orange", mfc="none", lw=1.4, ms=6),
     "reduced theory beyond the RWA (below its threshold only)"),
)


def theta_label(p):
    """The mixing angle theta of /parameters as text (pi/2: the resonant drive)."""
    return r"$\pi/2$" if abs(p["theta"] - math.pi / 2) < 1e-12 else f"{p['theta']:.4g}"


# main_job.sh: two runs of one core each and the operating point's comparison (S = 0.2)
DRESSED_SWEEP_FILES = ("dressed_S_sweep.h5", "dressed_S_sweep_high.h5", "table1_compare_dressed.h5")


def dressed_sweep(results):
    """The four-way comparison over S (compare --set model=dressed --sweep S=...), the points
    of the main job's files joined and sorted by S."""
    files = [need(results, name) for name in DRESSED_SWEEP_FILES]
    c = [d["compare4"] for d in files]

    def joined(get):
        return np.concatenate([np.asarray(get(ci), dtype=float) for ci in c])

    S = joined(lambda ci: ci["S"])
    order = np.argsort(S)
    out = {"data": files[0], "S": S[order]}
    for q in ("n_mean", "g2", "sz_mean", "gamma_eff"):
        out[q] = {col: joined(lambda ci: ci[q][col])[order] for col, _, _ in DRESSED_COLUMNS}
    for key in ("N", "K", "N_jc", "a2_abs", "rwa_coupling_ratio", "rwa_resonance_ratio", "S_th_rwa",
                "S_th_beyond_rwa"):
        out[key] = joined(lambda ci: ci[key])[order]
    out["S_th_beyond_rwa_per_point"] = out["S_th_beyond_rwa"]
    out["S_th_rwa"] = float(np.nanmedian(out["S_th_rwa"]))
    out["S_th_beyond_rwa"] = float(np.nanmedian(out["S_th_beyond_rwa"]))
    return out


def break_at(x, y, x_break):
    """Insert a NaN at x_break so that the line does not join the two branches of a piecewise
    formula ((B92) below and Eq. (15) above S_th)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    k = int(np.searchsorted(x, x_break))
    if 0 < k < len(x):
        x, y = np.insert(x, k, x_break), np.insert(y, k, np.nan)
    return x, y


def dressed_vs_jc(results):
    dr = dressed_sweep(results)
    S = dr["S"]
    S_th, S_th_b = dr["S_th_rwa"], dr["S_th_beyond_rwa"]
    fig, axes = plt.subplots(1, 3, figsize=(17, 5.4), gridspec_kw={"wspace": 0.27})
    quantities = (("n_mean", r"mean phonon number $\langle n\rangle = \langle a^\dagger a\rangle$", True),
                  ("g2", r"$g^{(2)}(0) = (\langle n^2\rangle - \langle n\rangle)/\langle n\rangle^2$", False),
                  ("sz_mean", r"spin inversion $\langle\sigma_z\rangle$", False))
    for ax, (q, ylabel, log) in zip(axes, quantities):
        for col, style, label in DRESSED_COLUMNS:
            y = dr[q][col]
            if not np.isfinite(y).any():
                continue  # no formula for this quantity (g2 beyond the RWA)
            # (B92) below and Eq. (15) above S_th are two branches: not joined by a line
            x, y = break_at(S, y, S_th) if (col, q) == ("reduced_rwa", "n_mean") else (S, y)
            style = dict(style)
            fmt = style.pop("fmt")
            ax.plot(x, y, fmt, mec=style["color"], label=label, **style)
        ax.axvline(S_th, color="tab:red", ls=":", lw=1.5, label=rf"$S_{{th}}$ RWA (Eq. 14) = {S_th:.4f}")
        ax.axvline(S_th_b, color="tab:orange", ls=":", lw=1.5,
                   label=rf"$S_{{th}}$ beyond the RWA = {S_th_b:.4f}")
        ax.set_xlabel(r"dressed inversion $S = S_z^{(0)}$ (pump)")
        ax.set_ylabel(ylabel)
        ax.set_xlim(S.min() - 0.02, S.max() + 0.02)
        if log:
            ax.set_yscale("log")
            finite = np.concatenate([v[np.isfinite(v)] for v in dr[q].values()])
            ax.set_ylim(0.5 * finite.min(), min(3 * finite.max(), 1e4))
    for level in (1.0, 2.0):
        axes[1].axhline(level, color="0.6", lw=0.8)
    axes[1].text(0.97, 0.97, "thermal: 2\ncoherent: 1\n(no g2 formula beyond the RWA)", transform=axes[1].transAxes,
                 ha="right", va="top", fontsize=9)
    axes[2].plot(S, S, "-", color="0.6", lw=0.8, zorder=0)
    axes[2].text(0.03, 0.97, r"grey: $\langle\sigma_z\rangle = S$ (uncoupled spin)", transform=axes[2].transAxes,
                 va="top", fontsize=9)
    axes[0].set_title(r"(a) $\langle n\rangle$ (log scale)")
    axes[1].set_title(r"(b) intensity correlations $g^{(2)}(0)$")
    axes[2].set_title(r"(c) inversion $\langle\sigma_z\rangle$: clamped only in the JC model")
    # zoom on the two thresholds (linear S, log <n>) in the empty lower right of (a)
    ins = axes[0].inset_axes([0.58, 0.07, 0.39, 0.36])
    for col, style, _ in DRESSED_COLUMNS:
        x, y = break_at(S, dr["n_mean"][col], S_th) if col == "reduced_rwa" else (S, dr["n_mean"][col])
        style = dict(style)
        fmt = style.pop("fmt")
        style["ms"] = 4
        ins.semilogy(x, y, fmt, mec=style["color"], **style)
    ins.axvline(S_th, color="tab:red", ls=":", lw=1.2)
    ins.axvline(S_th_b, color="tab:orange", ls=":", lw=1.2)
    ins.set_xlim(-0.03, 0.08)
    ins.set_ylim(10, 800)
    ins.tick_params(labelsize=8)
    ins.set_title("zoom: thresholds", fontsize=9, pad=2)
    handles, labels = axes[2].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.02), ncol=3, fontsize=10,
               frameon=False)
    p = dr["data"]["parameters"].attrs
    theta = theta_label(p)
    fig.suptitle("The dressed model of Eq. (5) without the rotating-wave approximation vs the JC model of Eq. (6): "
                 f"$\\eta$ = {p['eta']:g}, $\\delta$ = {p['delta']:g}, $\\bar n_{{th}}$ = {p['n_th']:g}, "
                 f"$\\theta$ = {theta}\n"
                 f"exact: N, K = auto per point (dressed N = {int(np.nanmin(dr['N']))}-{int(np.nanmax(dr['N']))}, "
                 f"K = {int(np.nanmin(dr['K']))}-{int(np.nanmax(dr['K']))}); RWA conditions: "
                 f"$(\\tilde\\omega + \\omega_m)/\\gamma_2$ = {dr['rwa_resonance_ratio'][0]:.2f}, "
                 f"$g\\sqrt{{\\langle n\\rangle}}/\\omega_m$ = {np.nanmin(dr['rwa_coupling_ratio']):.2f}-"
                 f"{np.nanmax(dr['rwa_coupling_ratio']):.2f} (dressed $\\langle n\\rangle$)",
                 y=1.04, fontsize=11)
    save(fig, results, "dressed_vs_jc_S.png")


def support_radius(w, level=1e-4):
    """Largest r where the radial density 2 pi r W(r) exceeds `level` of its maximum."""
    rad = w["radial"]
    big = rad["P_r"] > level * np.nanmax(rad["P_r"])
    return float(rad["r"][big].max())


def wigner_image(fig, ax, w, title, half_width):
    z, p, W = w["z"], w["p"], w["W"]  # W[iz][ip]
    im = ax.imshow(W.T, origin="lower", extent=[z[0], z[-1], p[0], p[-1]], cmap="magma", aspect="equal",
                   interpolation="bilinear")
    cb = fig.colorbar(im, ax=ax, fraction=0.046, pad=0.03)
    cb.set_label(r"$W(z, p)$,  $\int W\,dz\,dp = 1$")
    cb.formatter.set_powerlimits((-2, 2))
    half_width = min(half_width, float(z[-1]), float(p[-1]))
    ax.set_xlim(-half_width, half_width)
    ax.set_ylim(-half_width, half_width)
    ax.set_xlabel(r"$z = (a + a^\dagger)/\sqrt{2}$ [1]")
    ax.set_ylabel(r"$p = (a - a^\dagger)/(i\sqrt{2})$ [1]")
    ax.set_title(title)
    ax.grid(False)


def fig3_dressed(results):
    dd = need(results, "table1_wigner_dressed.h5")
    dj = need(results, "table1_wigner.h5")
    wd, wj = dd["wigner"], dj["wigner"]
    n_d, n_j = float(dd["steady"].attrs["n_mean"]), float(dj["steady"].attrs["n_mean"])
    a2 = complex(dd["steady"].attrs["a2_re"], dd["steady"].attrs["a2_im"])
    fig, axes = plt.subplots(2, 2, figsize=(13.5, 12.8), gridspec_kw={"hspace": 0.52, "wspace": 0.38})
    phi = np.linspace(0, 2 * np.pi, 400)
    for ax, w, n, name in ((axes[0, 0], wd, n_d, "dressed model, Eq. (5) (no RWA)"),
                           (axes[0, 1], wj, n_j, "JC model, Eq. (6) (RWA)")):
        panel = "(a)" if w is wd else "(b)"
        wigner_image(fig, ax, w, f"{panel} exact steady state, {name}\n"
                     rf"$\langle n\rangle$ = {n:.1f}, Fock cutoff N = {int(w.attrs['N'])}", 1.15 * support_radius(w, 1e-3))
        # the radius of a ring holding <n> phonons: r^2/2 = <n> + 1/2 (Wigner ordering, erratum 4)
        r_n = math.sqrt(2 * n + 1)
        ax.plot(r_n * np.cos(phi), r_n * np.sin(phi), "--", color="cyan", lw=1.2,
                label=rf"$r = \sqrt{{2\langle n\rangle + 1}}$ = {r_n:.2f}")
        r_peak = float(w.attrs["ring_radius_exact"])
        ax.plot(r_peak * np.cos(phi), r_peak * np.sin(phi), ":", color="lime", lw=1.4,
                label=f"peak of the phase-averaged W(r): r = {r_peak:.2f}")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize=9, frameon=False)

    ax = axes[1, 0]
    r_max = 1.05 * support_radius(wj)
    for w, color, name in ((wd, "k", "dressed, Eq. (5)"), (wj, "tab:blue", "JC, Eq. (6)")):
        rad = w["radial"]
        sel = rad["r"] <= r_max
        r_pr = float(w.attrs["ring_radius_pr"])
        ax.plot(rad["r"][sel], rad["P_r"][sel], "-", color=color, lw=2,
                label=rf"{name}: $2\pi r\,W(r)$, peak at r = {r_pr:.2f}")
        ax.axvline(r_pr, color=color, ls=":", lw=1.2)
    r_mb = float(wj.attrs["ring_radius_mb"])
    ax.axvline(r_mb, color="tab:red", ls="--", lw=1.2,
               label=rf"Maxwell-Bloch $\sqrt{{2 n_{{las}}}}$ = {r_mb:.2f} (Eq. 15, RWA)")
    ax.set_yscale("log")
    peak = max(np.nanmax(wd["radial"]["P_r"]), np.nanmax(wj["radial"]["P_r"]))
    ax.set_ylim(1e-8 * peak, 5 * peak)
    ax.set_xlim(0, r_max)
    ax.set_xlabel(r"$r = \sqrt{z^2 + p^2}$ [1]")
    ax.set_ylabel(r"radial density $2\pi r\,W(r)$ [1]")
    ax.set_title("(c) phase-averaged radial distributions (log scale)")
    ax.legend(loc="lower left", fontsize=9)

    # the dressed state is not phase invariant (<a^2> != 0): W along the z axis against W along p
    ax = axes[1, 1]
    z, W = wd["z"], wd["W"]
    i0 = int(np.argmin(np.abs(z)))
    r = z[i0:]
    along_z = 0.5 * (W[i0:, i0] + W[i0::-1, i0])  # W(z, 0): mean of +z and -z
    along_p = 0.5 * (W[i0, i0:] + W[i0, i0::-1])  # W(0, p)
    scale = float(np.nanmax(W))
    ax.plot(r, along_z / scale, "-", color="k", lw=2, label=r"$W(r, 0)$, along $z$")
    ax.plot(r, along_p / scale, "--", color="tab:green", lw=1.6, label=r"$W(0, r)$, along $p$")
    ax2 = ax.twinx()
    ax2.plot(r, (along_z - along_p) / scale, "-", color="tab:purple", lw=1.4,
             label=r"$(W(r, 0) - W(0, r))/W_{max}$ (right axis)")
    ax2.set_ylabel(r"$(W(r, 0) - W(0, r))/W_{max}$", color="tab:purple")
    ax2.tick_params(axis="y", colors="tab:purple")
    ax2.ticklabel_format(axis="y", style="sci", scilimits=(-2, 2))
    ax2.grid(False)
    ax.set_xlim(0, 1.1 * support_radius(wd))
    ax.set_xlabel(r"distance from the origin $r$ [1]")
    ax.set_ylabel(r"$W/W_{max}$ on the axes")
    ax.set_title("(d) dressed state: not phase invariant, "
                 rf"$|\langle a^2\rangle|$ = {abs(a2):.3g}" "\n"
                 rf"($|\langle a^2\rangle|/\langle n\rangle$ = {abs(a2) / n_d:.1e}; JC state: $\langle a^2\rangle$ = 0)",
                 pad=16)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper right", fontsize=9)
    p = dd["parameters"].attrs
    fig.suptitle(operating_point_label(dd) + f", $\\theta$ = {theta_label(p)}: "
                 "exact steady states with and without the RWA\n"
                 "dressed: mechanical coherences $|n_i - n_j| \\leq$ " f"{int(wd.attrs['max_coherence_order'])}, "
                 f"Wigner path '{wd.attrs['path']}'; "
                 f"JC: path '{wj.attrs['path']}'; {len(wd['z'])} x {len(wd['p'])} grids; quadratures dimensionless",
                 y=0.97, fontsize=11)
    save(fig, results, "fig3_wigner_dressed.png")


# ---------------------------------------------------------------- Table II

TABLE2_ROWS = [
    ("g", r"$g = \eta\,\omega_m$ [rad/s]", "g = eta omega_m [rad/s]"),
    ("S_th", r"$S_z^{(th)}$ (Eq. 14)", "S_th (Eq. 14)"),
    ("gamma_opt_max", r"$|\Gamma_{opt}|_{max} = 2g^2/\gamma_2$ [1/s]", "abs(Gamma_opt)_max = 2 g^2/gamma_2 [1/s]"),
    ("gamma_opt_max_over_gamma_m", r"$|\Gamma_{opt}|_{max}/\gamma_m$", "abs(Gamma_opt)_max / gamma_m"),
    ("n_sat", r"$n_{sat} = \gamma_1\gamma_2/(4g^2)$", "n_sat = gamma_1 gamma_2 / (4 g^2)"),
]


def fmt3(x):
    return f"{x:.3g}" if 1e-2 <= abs(x) < 1e4 else f"{x:.2e}"


def table2(results):
    d = need(results, "theory.h5")
    th = d["theory"]
    etas = list(th["eta"])
    cells = []
    for key, _, _ in TABLE2_ROWS:
        row = []
        for j, eta in enumerate(etas):
            value = float(th[key][j])
            paper = PAPER_TABLE2.get(round(eta, 4), {}).get(key)
            row.append(fmt3(value) + (f"  ({fmt3(paper)})" if paper is not None else ""))
        cells.append(row)
    fig, ax = plt.subplots(figsize=(10.5, 3.3))
    ax.axis("off")
    table = ax.table(cellText=cells, rowLabels=[label for _, label, _ in TABLE2_ROWS],
                     colLabels=[f"$\\eta$ = {eta:g}" for eta in etas], loc="center", cellLoc="center")
    table.auto_set_font_size(False)
    table.set_fontsize(12)
    table.scale(1.0, 1.8)
    p = d["parameters"].attrs
    ax.set_title("Table II from phonomaser theory (the paper's printed value in parentheses)\n"
                 f"$\\omega_m$ = 2$\\pi\\times${p['omega_m'] / (2 * math.pi):g} rad/s, Q = {p['Q']:g}, "
                 f"$\\gamma_1$ = {p['gamma_1']:g} 1/s, $\\gamma_2$ = {p['gamma_2']:g} 1/s, $\\delta$ = 0",
                 fontsize=12)
    save(fig, results, "table2.png")
    path = os.path.join(results, "table2.md")
    with open(path, "w") as f:
        f.write("# Table II (phonomaser theory; the paper's printed value in parentheses)\n\n")
        f.write(f"omega_m = 2 pi x {p['omega_m'] / (2 * math.pi):g} rad/s, Q = {p['Q']:g}, "
                f"gamma_1 = {p['gamma_1']:g} 1/s, gamma_2 = {p['gamma_2']:g} 1/s, delta = 0; "
                "source: results/theory.h5 (/theory/*)\n\n")
        f.write("| quantity | " + " | ".join(f"eta = {eta:g}" for eta in etas) + " |\n")
        f.write("|---|" + "---|" * len(etas) + "\n")
        for (key, _, plain), row in zip(TABLE2_ROWS, cells):
            f.write(f"| {plain} | " + " | ".join(row) + " |\n")
    print(f"wrote {path}")


# ---------------------------------------------------------------- convergence

def convergence(results):
    auto = need(results, "table1_converge.h5")
    dense = need(results, "table1_converge_ladder.h5")["converge"]
    ca = auto["converge"]
    eps = np.finfo(float).eps
    floor = 1e-20  # changes that are exactly 0 (identical in double precision) are drawn here

    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(13.5, 5.6))
    ax0.plot(dense["N"], dense["n_mean"], "-", color="tab:blue", lw=1.5, label="dense ladder")
    ax0.plot(ca["N"], ca["n_mean"], "o", color="k", ms=6, label="automatic ladder (N = auto)")
    ax0.axvline(ca.attrs["chosen_N"], color="k", ls="--", lw=1, label=f"chosen N = {ca.attrs['chosen_N']}")
    ax0.set_xscale("log")
    ax0.set_xlabel("Fock cutoff N (levels n = 0..N-1)")
    ax0.set_ylabel(r"steady-state $\langle n\rangle$")
    ax0.set_title(r"$\langle n\rangle$ versus the cutoff")
    ax0.legend(loc="upper left")

    for key, color, label in (("rel_change_n", "tab:blue", r"relative change of $\langle n\rangle$"),
                              ("rel_change_n2", "tab:purple", r"relative change of $\langle n^2\rangle$"),
                              ("tail_population", "tab:red", "tail population (top 5% of levels)")):
        for data, style, ms in ((dense, "-", 0), (ca, "o", 6)):
            v = np.abs(np.asarray(data[key], dtype=float))
            nonzero = v > 0
            ax1.semilogy(np.where(nonzero, data["N"], np.nan), np.where(nonzero, v, np.nan), style, color=color,
                         mec="k", ms=ms, lw=1.5, label=label + ", dense ladder" if style == "-" else None)
            if (~nonzero & np.isfinite(v)).any():
                ax1.semilogy(data["N"][~nonzero & np.isfinite(v)], np.full((~nonzero & np.isfinite(v)).sum(), floor),
                             "v", color=color, mec="k", ms=7 if ms else 5)
    ax1.plot([], [], "o", color="0.7", mec="k", label="automatic ladder (N = auto)")
    ax1.plot([], [], "v", color="0.7", mec="k", label=f"change exactly 0 (drawn at {floor:g})")
    ax1.axhline(ca.attrs["converge_tol"], color="tab:blue", ls=":", lw=1.2,
                label=f"converge_tol = {ca.attrs['converge_tol']:g}")
    ax1.axhline(ca.attrs["tail_tol"], color="tab:red", ls=":", lw=1.2, label=f"tail_tol = {ca.attrs['tail_tol']:g}")
    ax1.axhline(eps, color="0.5", ls="-.", lw=1, label=r"double precision $\epsilon$")
    ax1.axvline(ca.attrs["chosen_N"], color="k", ls="--", lw=1)
    ax1.set_xscale("log")
    ax1.set_ylim(1e-70, 30)
    ax1.set_yticks([10.0 ** e for e in range(0, -71, -10)])
    ax1.set_xlabel("Fock cutoff N (levels n = 0..N-1)")
    ax1.set_ylabel("change from the previous N;  tail population")
    ax1.set_title("convergence measures (log scale)")
    ax1.legend(loc="lower left", fontsize=9)
    fig.suptitle("Truncation convergence of the exact steady state (phonomaser converge): "
                 + operating_point_label(auto), y=1.01, fontsize=12)
    save(fig, results, "convergence.png")


# ---------------------------------------------------------------- phase diagram (map)

def phase_diagram(results):
    steady, comp = need(results, "map_steady.h5"), need(results, "map_compare.h5")
    gamma_2 = param(steady, "gamma_2")
    m = steady["map"]
    S, delta = m["axes"]["S"], m["axes"]["delta"] / gamma_2
    cm = comp["map"]
    S_c, delta_c = cm["axes"]["S"], cm["axes"]["delta"] / gamma_2
    # S_th(delta) of Eq. (14): the value compare wrote at each delta (it does not depend on S)
    S_th = cm["S_th"][0, :]
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.8), sharey=True)
    panels = [
        (axes[0], delta, S, np.log10(np.maximum(m["n_mean"], 1e-3)), r"$\log_{10}\langle n\rangle$ (exact)", "viridis", None),
        (axes[1], delta, S, m["g2"], r"$g^{(2)}(0)$ (exact)", "magma", (1, 2)),
        (axes[2], delta_c, S_c, np.abs(cm["n_fp_rel_dev"]), r"$|\langle n\rangle_{exact} + 1/2 - \langle n\rangle_{FP}|"
         r"/\langle n\rangle_{FP}$", "cividis", (0, 0.5)),
    ]
    for ax, x, y, z, title, cmap, lim in panels:
        mesh = ax.pcolormesh(x, y, z, shading="nearest", cmap=cmap,
                             vmin=lim[0] if lim else None, vmax=lim[1] if lim else None)
        fig.colorbar(mesh, ax=ax)
        ax.plot(delta_c, S_th, "w--", lw=1.5, label=r"$S_{th}(\delta)$, Eq. (14)")
        ax.set_xlabel(r"$\delta/\gamma_2$")
        ax.set_title(title)
        ax.set_ylim(y.min(), y.max())
        ax.grid(False)
    axes[0].set_ylabel(r"$S_z^{(0)}$")
    axes[0].legend(loc="upper right", fontsize=9)
    fig.suptitle(f"Phase diagram of the JC maser, exact master equation ({m.attrs['points']} + "
                 f"{cm.attrs['points']} points, phonomaser map), " + operating_point_label(steady).split(", $S$")[0],
                 y=1.02)
    save(fig, results, "phase_diagram.png")
DRESSED_MAP = "map_dressed.h5"                  # phonomaser map --set model=dressed (main_job.sh)
DRESSED_MAP_THEORY = "map_dressed_beyond_rwa"  # phonomaser theory --set model=dressed, one file per delta


def threshold_curves(results, eta):
    """S_th(delta) of Eq. (14) and of the theory beyond the RWA, as phonomaser theory wrote them
    (one file per delta in DRESSED_MAP_THEORY, column eta)."""
    folder = os.path.join(results, DRESSED_MAP_THEORY)
    rows = []
    for name in sorted(os.listdir(folder)):
        th = need(folder, name)
        column = np.flatnonzero(np.isclose(th["theory"]["eta"], eta))
        if len(column) != 1:
            sys.exit(f"make_figures.py: error: {folder}/{name} has no column eta = {eta:g}")
        rows.append((param(th, "delta"), float(th["theory"]["S_th"][column[0]]),
                     float(th["theory"]["S_th_beyond_rwa"][column[0]])))
    if not rows:
        sys.exit(f"make_figures.py: error: {folder} is empty; run 'bash tools/main_job.sh'")
    return np.array(sorted(rows))


def phase_diagram_dressed(results):
    """The dressed model of Eq. (5) over (S, delta/gamma_2): exact <n>, g2 and the intensity
    statistics <I^2>/<I>^2, whose pi/2 contour is the exact transition line (compare.h: S_mid),
    beside S_th(delta) beyond the RWA and of Eq. (14).  Drawn only when the main job wrote its
    inputs."""
    if not (os.path.exists(os.path.join(results, DRESSED_MAP))
            and os.path.isdir(os.path.join(results, DRESSED_MAP_THEORY))):
        print(f"skipped phase_diagram_dressed.png ({DRESSED_MAP} or {DRESSED_MAP_THEORY}/ missing)")
        return
    d = need(results, DRESSED_MAP)
    gamma_2, eta = param(d, "gamma_2"), param(d, "eta")
    m = d["map"]
    S, delta = m["axes"]["S"], m["axes"]["delta"] / gamma_2
    curves = threshold_curves(results, eta)
    shown = (curves[:, 0] / gamma_2 >= delta.min() - 1e-12) & (curves[:, 0] / gamma_2 <= delta.max() + 1e-12)
    c_delta, S_th_rwa, S_th_beyond = curves[shown, 0] / gamma_2, curves[shown, 1], curves[shown, 2]
    # the exact JC transition line from the JC map of phase_diagram.png, where it has the statistic
    jc = None
    if os.path.exists(os.path.join(results, "map_steady.h5")):
        js = need(results, "map_steady.h5")
        if "intensity_ratio" in js["map"]:
            jc = (js["map"]["axes"]["delta"] / param(js, "gamma_2"), js["map"]["axes"]["S"],
                  js["map"]["intensity_ratio"])
    half_pi = np.pi / 2  # the transition criterion of compare.c (THRESHOLD_CRITERION): its value at threshold
    fig, axes = plt.subplots(1, 3, figsize=(16, 5.0), sharey=True)
    panels = [
        (axes[0], np.log10(np.maximum(m["n_mean"], 1e-3)), r"$\log_{10}\langle n\rangle$ (exact dressed)", "viridis",
         None),
        (axes[1], m["g2"], r"$g^{(2)}(0)$ (exact dressed)", "magma", (1, 2)),
        (axes[2], m["intensity_ratio"], r"$\langle I^2\rangle/\langle I\rangle^2$ of $W$ (exact dressed)", "cividis",
         (1, 2)),
    ]
    dS = 0.5 * (S[1] - S[0]) if len(S) > 1 else 0.05
    for k, (ax, z, title, cmap, lim) in enumerate(panels):
        mesh = ax.pcolormesh(delta, S, z, shading="nearest", cmap=cmap,
                             vmin=lim[0] if lim else None, vmax=lim[1] if lim else None)
        fig.colorbar(mesh, ax=ax)
        outlined = [patheffects.Stroke(linewidth=4.2, foreground="k"), patheffects.Normal()]
        cs = ax.contour(delta, S, m["intensity_ratio"], levels=[half_pi], colors="w", linewidths=2.2)
        plt.setp(cs.collections, path_effects=outlined)
        ax.plot(c_delta, S_th_beyond, "--", color="tab:red", lw=2, label=r"$S_{th}(\delta)$ beyond the RWA")
        ax.plot(c_delta, S_th_rwa, ":", color="tab:orange", lw=2, label=r"$S_{th}(\delta)$, Eq. (14) (RWA)")
        if jc is not None:
            ax.contour(jc[0], jc[1], jc[2], levels=[half_pi], colors="tab:cyan", linewidths=1.5, linestyles="-.")
        ax.plot(*np.meshgrid(delta, S), ".", color="0.6", ms=2.5)
        ax.set_xlim(delta.min(), delta.max())
        ax.set_ylim(S.min() - dS, S.max() + dS)
        ax.set_xlabel(r"$\delta/\gamma_2$")
        ax.set_title(title)
        ax.grid(False)
    axes[0].set_ylabel(r"$S_z^{(0)}$")
    # the contours have no legend entries of their own: proxies drawn like them
    handles, _ = axes[0].get_legend_handles_labels()
    handles.insert(0, Line2D([], [], color="w", lw=2.2, path_effects=outlined,
                             label=r"exact dressed transition: $\langle I^2\rangle/\langle I\rangle^2 = \pi/2$ "
                                   r"(contour, linear between grid points)"))
    if jc is not None:
        handles.append(Line2D([], [], color="tab:cyan", lw=1.5, ls="-.",
                              label=r"exact JC transition ($\pi/2$ contour of the map of phase_diagram.png)"))
    axes[0].legend(handles=handles, loc="upper center", bbox_to_anchor=(1.7, -0.14), ncol=2, fontsize=10,
                   frameon=False)
    K = np.unique(m["K"][np.isfinite(m["K"])])
    cutoffs = f"N = auto, K = {K[0]:.0f}" if len(K) == 1 else "N, K = auto"
    fig.suptitle(f"The dressed model of Eq. (5) without the RWA over (S, $\\delta/\\gamma_2$), exact master equation "
                 f"({m.attrs['points']} points, {cutoffs}, phonomaser map; dots: grid), "
                 + operating_point_label(d).split(", $S$")[0], y=1.02, fontsize=11)
    save(fig, results, "phase_diagram_dressed.png")


# ---------------------------------------------------------------- spectra (issue 13)

LINEWIDTH_S = ["-0.1", "-0.05", "0", "0.005", "0.01", "0.013", "0.015", "0.017", "0.02", "0.03", "0.05", "0.1",
               "0.2", "0.3"]  # file names linewidth_S<S>.h5 (main_job.sh)


def spectrum_op(results):
    d = need(results, "table1_spectrum.h5")
    sp, corr = d["spectrum"], d["correlation"]
    om, S = np.asarray(sp["omega"]), np.asarray(sp["S_a"])
    fwhm, fp = float(sp.attrs["linewidth_fwhm"]), float(sp.attrs["linewidth_fp"])
    n = float(corr.attrs["n_mean"])
    fig, axes = plt.subplots(2, 2, figsize=(13.5, 10.0), gridspec_kw={"hspace": 0.33, "wspace": 0.28})
    ax = axes[0, 0]
    # the phase-diffusion Lorentzian of the same weight: S = <n> Gamma / (w^2 + Gamma^2 / 4), Gamma = FWHM
    lor = n * fp / (om ** 2 + fp ** 2 / 4)
    order = np.argsort(om)
    pos = om[order] > 0
    ax.loglog(om[order][pos], S[order][pos], "-", color="tab:blue", lw=2, label="exact $S_a(\\omega)$ (JC, N = %d)"
              % int(d["parameters"].attrs["N"]))
    ax.loglog(om[order][pos], lor[order][pos], "--", color="tab:red", lw=1.5,
              label="phase-diffusion Lorentzian, FWHM $2 D_W\\langle 1/r^2\\rangle$ (Eqs. 16-18)")
    ax.axvline(fwhm / 2, color="0.4", ls=":", lw=1, label=f"HWHM of the exact line, {fwhm / 2:.3g} rad/s")
    ax.axvline(float(d["parameters"].attrs["gamma_2"]), color="tab:green", ls=":", lw=1, label="$\\gamma_2$")
    ax.set_xlabel("$\\omega - \\omega_m$ [rad/s] (frame rotating at $\\omega_m$; $S_a$ is even here)")
    ax.set_ylabel("$S_a(\\omega)$ [s/rad]")
    ax.set_title("emission spectrum, log scale")
    ax.legend(fontsize=9, loc="lower left")
    ax = axes[0, 1]
    near = np.abs(om) < 6 * fwhm
    ax.plot(om[near] * 1e3, S[near], "o-", color="tab:blue", ms=3, label="exact (adaptive grid points)")
    ax.plot(om[near] * 1e3, lor[near], "--", color="tab:red", label="phase-diffusion Lorentzian")
    ax.set_xlabel("$\\omega - \\omega_m$ [mrad/s]")
    ax.set_ylabel("$S_a(\\omega)$ [s/rad]")
    ax.set_title(f"the line: FWHM {fwhm:.5g} rad/s, $-2$Re$\\lambda_1$ = "
                 f"{float(sp.attrs['linewidth_slowest_mode']):.5g}, theory {fp:.5g}", fontsize=11)
    ax.legend(fontsize=9)
    tau = np.asarray(corr["tau"])
    g1 = np.asarray(corr["g1"])
    g2 = np.asarray(corr["g2"])
    ax = axes[1, 0]
    ax.semilogx(tau[1:], np.abs(g1[1:]), color="tab:blue", lw=2, label="$|g^{(1)}(\\tau)|$ exact")
    ax.semilogx(tau[1:], np.exp(-fp * tau[1:] / 2), "--", color="tab:red", label="$e^{-\\Gamma\\tau/2}$, phase diffusion")
    ax.set_xlabel("$\\tau$ [s]")
    ax.set_ylabel("$|g^{(1)}(\\tau)|$")
    ax.set_title("first-order coherence")
    ax.legend(fontsize=9)
    ax = axes[1, 1]
    ax.semilogx(tau[1:], g2[1:] - 1, color="tab:purple", lw=2, label="$g^{(2)}(\\tau) - 1$ exact")
    ax.axhline(0, color="0.5", lw=1)
    ax.set_xlabel("$\\tau$ [s]")
    ax.set_ylabel("$g^{(2)}(\\tau) - 1$")
    ax.set_title(f"intensity correlation, $g^{{(2)}}(0)$ = {g2[0]:.5f}")
    ax.legend(fontsize=9)
    fig.suptitle(operating_point_label(d) + ": spectrum and correlations of the exact steady state "
                 "(quantum regression; phonomaser spectrum)", fontsize=12)
    save(fig, results, "spectrum_operating_point.png")


def linewidth_vs_S(results):
    rows = []
    for S in LINEWIDTH_S:
        d = need(results, f"linewidth_S{S}.h5")
        sp = d["spectrum"].attrs
        rows.append((float(S), float(sp["linewidth_fwhm"]), float(sp["linewidth_slowest_mode"]),
                     float(sp["linewidth_fp"]), float(sp["linewidth_reduced"])))
    r = np.array(rows)
    p = d["parameters"].attrs
    S_th = float(d["spectrum"].attrs["S_th"])  # Eq. (14), as phonomaser wrote it
    fig, ax = plt.subplots(figsize=(9.5, 6.2))
    ax.semilogy(r[:, 0], r[:, 1], "o-", color="tab:blue", ms=7, mec="k", lw=2, label="exact FWHM of $S_a(\\omega)$ (JC)")
    ax.semilogy(r[:, 0], r[:, 2], "x", color="k", ms=9, label="$-2$ Re $\\lambda_1$, slowest mode of sector $k = -1$")
    ax.semilogy(r[:, 0], r[:, 3], "s--", color="tab:red", ms=5, label="phase diffusion $2 D_W\\langle 1/r^2\\rangle$ (above $S_{th}$)")
    below = np.isfinite(r[:, 4]) & (r[:, 4] > 0)
    ax.semilogy(r[below, 0], r[below, 4], "^--", color="tab:green", ms=6,
                label="$\\gamma_{eff}$ of the reduced theory (Eq. 12, below $S_{th}$)")
    # the dressed model (no rotating-wave approximation), where the main job wrote it
    dressed = []
    for name in sorted(os.listdir(results)):
        if name.startswith("linewidth_dressed_S") and name.endswith(".h5"):
            dd = need(results, name)
            dressed.append((float(dd["parameters"].attrs["S"]), float(dd["spectrum"].attrs["linewidth_fwhm"])))
    if dressed:
        dr = np.array(sorted(dressed))
        ax.semilogy(dr[:, 0], dr[:, 1], "D-", color="tab:purple", ms=7, mec="k", lw=1.5,
                    label="exact FWHM of $S_a(\\omega)$, dressed model (no RWA; line only, direct solves)")
    sweep = [need(results, n)["compare4"] for n in ("dressed_S_sweep.h5", "dressed_S_sweep_high.h5")
             if os.path.exists(os.path.join(results, n))]
    if sweep:
        S_d = np.concatenate([np.asarray(g["S"]) for g in sweep])
        lam_d = np.concatenate([np.asarray(g["gamma_eff"]["dressed"]) for g in sweep])
        ax.semilogy(S_d, lam_d, "+", color="tab:purple", ms=11, mew=1.8,
                    label="$-2$ Re $\\lambda_1$, dressed model (phonomaser compare)")
    ax.axvline(S_th, color="0.4", ls=":", lw=1.2, label=f"$S_{{th}}$ = {S_th:.4f} (Eq. 14)")
    ax.axhline(float(p["gamma_m"]), color="0.6", ls="-.", lw=1, label="$\\gamma_m$ (bare mode)")
    ax.set_xlabel("dressed inversion $S$")
    ax.set_ylabel("linewidth (FWHM) [rad/s]")
    ax.set_title("Linewidth collapse across threshold: " + operating_point_label(d).split(", $S$")[0]
                 + f", $\\bar n_{{th}}$ = {float(p['n_th']):g}", fontsize=11)
    ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # outside: the curves fill the axes
    save(fig, results, "linewidth_vs_S.png")


def main():
    results = sys.argv[1] if len(sys.argv) > 1 else "results"
    if not os.path.isdir(results):
        sys.exit(f"make_figures.py: error: results directory '{results}' does not exist; "
                 "run 'bash tools/main_job.sh'")
    for draw in (fig2a, fig2b, fig2c, fig2d, fig3, fig3_dressed, dressed_vs_jc, table2, convergence,
                 phase_diagram, phase_diagram_dressed, spectrum_op, linewidth_vs_S):
        draw(results)


if __name__ == "__main__":
    main()
