#!/bin/bash
# The main job of README.md: the paper's operating point (data/table1.ini:
# eta = 0.1, S = 0.2, n_th = 5, delta = 0) solved exactly, and every figure of
# the paper (Fig. 2(a)-(d), Fig. 3, Table II) from the exact master equation
# with the reduced theory overlaid, plus the truncation-convergence figure.
#   results/table1_steady.h5     steady state at the converged cutoff (N = auto)
#   results/table1_converge.h5   the truncation-convergence ladder (automatic)
#   results/table1_converge_ladder.h5  the same on a dense ladder around the converged N
#   results/table1_evolve.h5     <n(t)> from the thermal state over 0-60 s (Fig. 2(b))
#   results/table1_evolve_long.h5  the same over 0-250 s (saturation)
#   results/table1_compare.h5    exact vs reduced at the operating point: P(n), radial
#                                distributions, thresholds, Langevin <n>(t) (Fig. 2(b), (c))
#   results/table1_wigner.h5     W(z, p) of the steady state (Fig. 3)
#   results/table1_spectrum.h5   emission/displacement spectra, g1(tau), g2(tau), linewidth
#   results/linewidth_S*.h5      the linewidth (exact spectrum) at 14 values of S
#   results/linewidth_dressed_S*.h5  the dressed model's FWHM at S = -0.2, 0, 0.2
#   results/theory.h5            the reduced theory for eta = 0.05, 0.1, 0.25 (Table II)
#   results/fig2a_S*.h5          compare sweeps over delta at five inversions S (Fig. 2(a))
#   results/fig2d_S_sweep.h5     compare sweep over S with Langevin (Fig. 2(d))
#   results/table1_compare_dressed.h5  the dressed model of Eq. (5) (no RWA) at the operating
#                                point: exact dressed vs exact JC vs both reduced theories
#   results/dressed_S_sweep.h5 (.txt)  the same four-way comparison at 7 values of S <= 0.15,
#   results/dressed_S_sweep_high.h5 (.txt)  and at S = 0.4; with S = 0.2 from
#                                table1_compare_dressed.h5 (dressed_vs_jc_S.png, the dressed
#                                curve of Fig. 2(d))
#   results/table1_wigner_dressed.h5  W(z, p) of the dressed steady state (fig3_wigner_dressed.png)
#   results/fig2a_dressed_S*.h5  the dressed model's damping vs delta at the five S of Fig. 2(a)
#   results/fig2a_beyond_rwa/    the beyond-RWA damping (phonomaser theory) on a dense delta grid
#   results/table1_evolve_dressed.h5  <n(t)> of the dressed model from the thermal state, 0-2 s
#                                (Fig. 2(b); the documented 0-10 s run of README.md writes
#                                table1_evolve_dressed_long.h5, drawn when present)
#   results/map_steady.h5, map_compare.h5  maps over (S, delta) (phase_diagram.png)
#   results/map_dressed.h5, map_dressed_beyond_rwa/  the dressed model over (S, delta) and its
#                                beyond-RWA threshold S_th(delta) (phase_diagram_dressed.png)
#   results/*.png, results/table2.md   the figures (tools/make_figures.py)
# Installs the Debian packages it needs, builds into build/, prints the summaries.
# PHONOMASER_BUILD and PHONOMASER_RESULTS override the build and results directories.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${PHONOMASER_BUILD:-build}
out=${PHONOMASER_RESULTS:-results}
bash tools/install_deps.sh --python
[[ -d $build ]] || meson setup "$build" --buildtype=release
ninja -C "$build"
mkdir -p "$out"
pm=$build/phonomaser
cfg=data/table1.ini
# The S sweep of the dressed model (Eq. 5, no RWA) is the longest part of the job (per
# point the N/K search, about 8 s at N = 1850, K = 21, and the amplitude modes by ARPACK,
# about 8 s, and the mode's own N check; twice that at N = 2775), so it starts now, in the
# background, as two runs of one core each, and the rest of the job shares the machine
# with them: S <= 0.15 (7 points) and S = 0.4 (N = 2775, K = 21; S = 0.2, N = 1850, is the
# operating point's dressed comparison below, not computed twice). 9 points across both
# thresholds (S_th = 0.0159 RWA, 0.0562 beyond the RWA), none on a threshold itself
# (where the reduced formulas diverge).  (The sweeps are deterministic in parallel too;
# two one-core runs balance the load better than one two-thread run.)
S_dressed=-0.2,-0.05,0,0.03,0.05,0.1,0.15
S_dressed_high=0.4
$pm compare -c $cfg -q --threads 1 --set model=dressed --sweep "S=$S_dressed" \
    --output "$out/dressed_S_sweep.h5" > "$out/dressed_S_sweep.txt" &
dressed_sweeps=($!)
$pm compare -c $cfg -q --threads 1 --set model=dressed --sweep "S=$S_dressed_high" \
    --output "$out/dressed_S_sweep_high.h5" > "$out/dressed_S_sweep_high.txt" &
dressed_sweeps+=($!)
# Fig. 2(a) and 2(b) for the dressed model, a third background run of one core (started
# now, it shares the two cores with the rest; about 75 CPU seconds on an idle machine):
# - the exact damping -2 Re lambda_1 vs delta at the five S of Fig. 2(a), only where
#   omega_tilde = omega_m + delta, the dressed splitting, is positive (delta > -omega_m =
#   -314 rad/s; below it Eq. (5) describes the spin flipped, S -> -S). delta = 0 comes from
#   the S sweeps above (S = -0.2, -0.05, 0.05, 0.2), except at S = 0.016; at S = 0.2 the points
#   delta = 250, 600 (N = 1850: 18 and 24 s) are left out. converge_tol = 1e-4 (the cutoffs of
#   <n> to 1e-4: a quarter of the time of 1e-6; the damping moves by 2e-7 at S = -0.05,
#   delta = 0); the amplitude mode's damping has its own N check (compare_models.c: to 1e-3,
#   it needs N = 1850 at S = -0.2, delta = 600, 1000 where <n> converges at N = 365-548).
# - <n(t)> from the thermal state over 0-2 s at N = 200, K = 6 (9 s): the cutoffs of the
#   trajectory, not of the steady state (N = 1850, K = 21), which evolve = auto would pick.
#   The step is set by the fastest lab-frame phase K omega_m (README.md, dressed model).
fig2a_dressed() { # S, file-name suffix, delta list, more options
    local S=$1 suffix=$2 deltas=$3
    shift 3
    $pm compare -c $cfg -q --threads 1 --set model=dressed --set converge_tol=1e-4 --set S=$S "$@" \
        --sweep "delta=$deltas" --output "$out/fig2a_dressed_S$S$suffix.h5" > /dev/null & wait $!
}
dressed_fig2ab() {
    trap 'kill $! 2>/dev/null; exit 143' TERM
    fig2a_dressed -0.2 "" -250,250,600,1000,2000,4000
    fig2a_dressed -0.05 "" -250,250,600,1000,2000,4000
    fig2a_dressed 0.016 "" -250,0,250,600,1000,2000,4000
    fig2a_dressed 0.05 "" -250,250,600,1000,2000,4000
    fig2a_dressed 0.2 "" -250,1000,2000,4000
    $pm evolve -c $cfg -q --set model=dressed --set N=200 --set K=6 --set t_final=2 --set n_times=81 \
        --output "$out/table1_evolve_dressed.h5" > "$out/table1_evolve_dressed.txt" & wait $!
    # then the phase diagram (phonomaser map): the steady state over (S, delta) at eta = 0.1
    # on a 21 x 13 grid and the comparison with the reduced theory on a 9 x 5 grid (each
    # point its own N = auto; about 50 CPU seconds together)
    $pm map -c $cfg -q --threads 1 --axis S=-0.1:0.3:21 --axis delta=-3000:3000:13 \
        --output "$out/map_steady.h5" >/dev/null & wait $!
    $pm map -c $cfg -q --threads 1 --quantities compare --axis S=-0.1:0.3:9 --axis delta=-3000:3000:5 \
        --output "$out/map_compare.h5" >/dev/null & wait $!
    # --- the dressed phase diagram (phase_diagram_dressed.png; README.md, Figures) ---
    # the dressed steady state over (S, delta) on 9 x 10 points, delta > -omega_m only, with
    # <I^2>/<I>^2 (its pi/2 contour: the exact transition line); K = 9, converge_tol = 1e-4: at the
    # map's largest <n> (S = 0.4, delta = 500) K = auto (21) takes 18 CPU s instead of 1.4 and moves
    # <I^2>/<I>^2 by 1e-3, <n> by 2e-3; 77 CPU seconds
    $pm map -c $cfg -q --threads 1 --set model=dressed --set converge_tol=1e-4 --set K=9 \
        --axis S=0:0.4:9 --axis delta=-250,0,250,500,750,1000,1500,2000,2500,3000 \
        --output "$out/map_dressed.h5" >/dev/null & wait $!
    # beside it S_th(delta) beyond the RWA and of Eq. (14) (phonomaser theory; 67 points, 1 CPU s)
    mkdir -p "$out/map_dressed_beyond_rwa"
    for d in $(seq -300 50 3000); do
        $pm theory -c $cfg --set model=dressed --set delta=$d --eta 0.1 \
            --output "$out/map_dressed_beyond_rwa/delta$d.h5" >/dev/null
    done
}
dressed_fig2ab &
dressed_sweeps+=($!)
trap 'kill "${dressed_sweeps[@]}" 2>/dev/null || true' EXIT
echo "== started in the background: the dressed model at 7 + 2 values of S (results/dressed_S_sweep{,_high}.h5),"
echo "   at 5 x 4-7 detunings (results/fig2a_dressed_S*.h5) and its <n(t)> over 0-2 s (results/table1_evolve_dressed.h5),"
echo "   then the maps of the phase diagrams (results/map_{steady,compare,dressed}.h5)"
echo "== steady state at the operating point (N = auto)"
$pm steady -c $cfg --output "$out/table1_steady.h5"
echo "== truncation convergence"
$pm converge -c $cfg --output "$out/table1_converge.h5"
$pm converge -c $cfg -q --set ladder=1000,1250,1500,1600,1700,1800,1900,2000,2100,2200,2300,2400,2500,2600,2800,3000,3500,4163 \
    --output "$out/table1_converge_ladder.h5" >/dev/null
echo "== growth of <n(t)> from the thermal state, 0-60 s"
$pm evolve -c $cfg --set t_final=60 --set n_times=601 --output "$out/table1_evolve.h5"
echo "== the same to 250 s: the saturation (relaxation time ~35 s) is not complete at 60 s"
$pm evolve -c $cfg -q --set t_final=250 --set n_times=501 --output "$out/table1_evolve_long.h5" | grep -E '^(n_mean|seconds) ='

echo "== figures: reduced theory (Table II)"
$pm theory -c $cfg --output "$out/theory.h5"
echo "== figures: exact vs reduced at the operating point (Fig. 2(b), (c); Langevin of Eq. 19)"
$pm compare -c $cfg --set N=auto --langevin --output "$out/table1_compare.h5" --table "$out/table1_compare.txt" \
    | grep -E '^(N|n_exact|n_las|n_fp|g2_exact|g2_fp|n_langevin|g2_langevin|ring_radius_(exact|mb|fp)|S_th_(exact|reduced)|S_mid_(exact|fp)) ='
echo "== figures: Wigner function at the operating point (Fig. 3)"
$pm wigner -c $cfg --set N=auto --output "$out/table1_wigner.h5" \
    | grep -E '^(N|ring_radius_(exact|pr|mb)|integral|seconds) ='
# Fig. 2(a): detuning sweeps at five inversions, denser near delta = 0; delta in rad/s,
# gamma_2 = 1000 1/s in data/table1.ini, so these are delta/gamma_2 = 0, +-0.1, ..., +-4.
deltas=0
for x in 100 250 400 600 800 1000 1250 1500 1750 2000 2500 3000 3500 4000; do deltas="-$x,$deltas,$x"; done
echo "== figures: Gamma_opt(delta) at S = -0.2, -0.05, 0.016, 0.05, 0.2 (Fig. 2(a), 5 x 29 points)"
for S in -0.2 -0.05 0.016 0.05 0.2; do
    $pm compare -c $cfg -q --set S=$S --set N=auto --sweep "delta=$deltas" \
        --output "$out/fig2a_S$S.h5" >/dev/null
done
# the beyond-RWA damping of the dressed model (no master equation: 25 ms a point) on a dense
# delta grid for delta > -omega_m, one file per point
mkdir -p "$out/fig2a_beyond_rwa"
for S in -0.2 -0.05 0.016 0.05 0.2; do
    for d in -300 -250 -200 -150 -100 -50 0 50 100 150 200 300 400 500 600 800 1000 1250 1500 1750 2000 2500 3000 3500 4000; do
        $pm theory -c $cfg --set model=dressed --set S=$S --set delta=$d --eta 0.1 \
            --output "$out/fig2a_beyond_rwa/S${S}_delta$d.h5" > /dev/null
    done
done
echo "== figures: g2(0) across threshold (Fig. 2(d), 29 points, exact + Fokker-Planck + Langevin)"
S_list=-0.1,-0.075,-0.05,-0.035,-0.02,-0.01,0,0.005,0.01,0.0125,0.015,0.016,0.017,0.0175,0.019,0.02,0.0225,0.025,0.03,0.035,0.04,0.05,0.06,0.08,0.1,0.125,0.15,0.2,0.25
$pm compare -c $cfg -q --set N=auto --sweep "S=$S_list" --langevin --output "$out/fig2d_S_sweep.h5" >/dev/null
echo "== spectrum and correlations at the operating point (issue 13): linewidth from the exact spectrum"
$pm spectrum -c $cfg --rtol 1e-2 --output "$out/table1_spectrum.h5" \
    | grep -E '^(N|linewidth_[a-z_]+|line_shift|sum_rule_error|spectrum_(points|resolved|seconds)|g2_0|tau_seconds|seconds) ='
echo "== the linewidth across threshold (14 values of S, exact JC spectrum)"
for S in -0.1 -0.05 0 0.005 0.01 0.013 0.015 0.017 0.02 0.03 0.05 0.1 0.2 0.3; do
    $pm spectrum -c $cfg -q --set S=$S --points 1000 --rtol 1e-2 --no-x --no-tau --output "$out/linewidth_S$S.h5" >/dev/null
done
# the dressed model's exact FWHM at three S (no grid: the line's mode, its peak and the two
# half-maximum crossings by direct solves, --linewidth-only; UMFPACK LUs of the coupled odd
# sectors, 14-24 a point). K = 11 instead of K = auto (21): the FWHM moves by 5e-8, 9e-9,
# 3e-6 at S = -0.2, 0, 0.2 (measured) for a third of the cost, about 47 CPU s for the three
echo "== the dressed model's linewidth at S = -0.2, 0, 0.2 (exact FWHM, K = 11)"
for S in -0.2 0 0.2; do
    $pm spectrum -c $cfg -q --set model=dressed --set S=$S --set K=11 --no-x --no-tau --linewidth-only \
        --output "$out/linewidth_dressed_S$S.h5" >/dev/null
done
echo "== the dressed model of Eq. (5) without the RWA: exact dressed vs exact JC vs both reduced theories"
$pm compare -c $cfg --set model=dressed --output "$out/table1_compare_dressed.h5" \
    | grep -E '^(N|K|N_jc|n_mean_|g2_(dressed|jc)|sz_mean_(dressed|jc)|S_th_|a2_abs|rwa_)'
echo "== figures: Wigner function of the dressed steady state at the operating point"
$pm wigner -c $cfg --set model=dressed --output "$out/table1_wigner_dressed.h5" \
    | grep -E '^(N|n_mean|max_coherence_order|ring_radius_(exact|pr)|integral|W_min|steady_seconds|seconds) ='
echo "== figures: the dressed model across S (9 points) and delta, and its <n(t)> (waiting for the background runs)"
for job in "${dressed_sweeps[@]}"; do wait "$job"; done
cat "$out/dressed_S_sweep.txt"
grep -v '^#' "$out/dressed_S_sweep_high.txt"
grep -E '^(N|K|n_mean|steps|seconds|tail_population_max) =' "$out/table1_evolve_dressed.txt"
echo "== drawing the figures"
/usr/bin/python3 tools/make_figures.py "$out"
echo "results written to $out/ (main job: ${SECONDS} s)"
