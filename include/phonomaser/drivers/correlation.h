/* Two-time correlations and spectra of the steady state (quantum regression
 * theorem), and the linewidth of the line they show.
 *
 * Regression: for operators A, B, C and the steady state rho_ss,
 *   C_AB(tau) = Tr[A e^{L tau} (B rho_ss C)],   tau >= 0,
 * (C = identity: <A(tau) B(0)>; B = a, C = a^dag, A = a^dag a: the
 * numerator of g2(tau) = <a^dag(0) a^dag(tau) a(tau) a(0)> / <n>^2).  The
 * initial condition X0 = B rho_ss C lives in the sector k = k_rho + s_B + s_C
 * of the excitation difference (a lowers k by 1, a^dag raises it), so it is
 * evolved on that block alone: JC sectors k = -1 (a rho_ss), +1 (a^dag rho_ss),
 * 0 (a rho_ss a^dag); for coupled sectors (dressed model) the block of k's
 * class; on the full path the full block.  A block that holds the steady state
 * (its class contains k = 0) gets the projector: X0 -> X0 - Tr(X0) rho_ss, and
 * the constant Tr[A rho_ss] Tr(X0) (the coherent part, <A><B> for C = 1) is
 * reported apart and added back to C(tau).
 *
 * Spectra (QuTiP's convention, qutip.spectrum):
 *   S_AB(omega) = int_{-inf}^{inf} e^{-i omega tau} [C_AB(tau) - coherent] dtau
 *               = 2 Re int_0^inf e^{-i omega tau} [...] dtau
 *               = -2 Re Tr[A (L - i omega)^{-1} Q X0]        (A = B^dag, C = 1),
 * one LU of the shifted block per frequency (resolvent.h).  Sum rule:
 *   int S(omega) domega / 2 pi = C(0) - coherent.
 * A coherent part c != 0 is the term 2 pi c delta(omega - omega_c) left out of S.
 *
 * Frames: S_a(omega) = S_{a^dag a} is given in the model's frame (JC:
 * rotating at omega_m, so the line sits near 0 and its centre is the shift
 * from omega_m; dressed: lab frame, line near +omega_m).  The displacement
 * spectrum S_xx of x = (a + a^dag)/sqrt(2) is always in the lab frame
 * (lines at +-omega_m): in a rotating-frame model
 *   S_xx(omega) = [S_{a^dag a}(omega - omega_m) + S_{a a^dag}(omega + omega_m)] / 2
 * (the terms <a a>, <a^dag a^dag> oscillate at 2 omega_m in the lab and
 * average out), in a lab-frame model S_xx directly with A = B = x.
 *
 * Frequency grid (adaptive): around each line centre c (the slowest mode
 * lambda of the block near the frame's frequency: c = Im lambda, half-width
 * h = |Re lambda|), omega = c + h sinh(t) on a uniform grid in t out to
 * |omega - c| = extent, where the analytic tail (the 1/omega^2..1/omega^4
 * moments Tr[A L^n X0]) takes over.  The grid is halved in t until the
 * curve at the new points agrees with linear interpolation in t to rtol of
 * the maximum, or max_points would be exceeded.  In t the integrand of the
 * sum rule is smooth at every scale (a Lorentzian of any width becomes
 * h / cosh t), so the trapezoid rule in t converges exponentially: the sum
 * rule is a test of the resolved spectrum, not of the quadrature.  The new
 * frequencies of each level are solved on `threads` threads, a resolvent
 * each; the curve does not depend on their number. */
#ifndef PHONOMASER_CORRELATION_H
#define PHONOMASER_CORRELATION_H

#include <stddef.h>

#include "phonomaser/core/complex_type.h"
#include "phonomaser/core/progress.h"
#include "phonomaser/drivers/solve.h"
#include "phonomaser/model/model.h"
#include "phonomaser/solvers/evolve.h"
#include "phonomaser/solvers/resolvent.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- one regression problem ------------------------------------------------- */

typedef struct pm_regression {
    pm_block *block;      /* owned: the block holding X0 */
    pm_complex *x0;       /* Q X0 on the block (steady-state part removed) */
    pm_complex *weight;   /* Tr[A X] = sum_p weight[p] x[p] on the block */
    pm_complex c0;        /* C(0) = Tr[A X0] */
    pm_complex coherent;  /* Tr[A rho_ss] Tr(X0): the limit of C(tau) (0 without the steady state) */
    int holds_steady;     /* the block holds the steady state's elements (projector applied) */
} pm_regression;

/* Set up C(tau) = Tr[A e^{L tau}(B rho_ss C)] (C = NULL: identity) for the
 * steady state `steady` of `model` (the same cutoffs): X0 on the block of
 * sector `sector` (the k of X0's elements; ignored on the full path, where
 * the block is the full one).  Operators are 2N x 2N (space.h). */
pm_status pm_regression_init(const pm_model *model, const pm_steady_result *steady, const pm_sparse *A,
                             const pm_sparse *B, const pm_sparse *C, int64_t sector, pm_regression *out);
void pm_regression_clear(pm_regression *reg);

/* ---- the window on the steady state's support ----------------------------------
 *
 * Most of a block at N = auto carries nothing: at the operating point the
 * steady state's P(n) sums to <= 5e-17 below n = 653 and above n = 2536
 * (N = 4163), so the window at tol = 1e-16 keeps 45% of sector -1 and its
 * spectrum costs 2.5x less (README "spectrum").  The window keeps the elements rho_ij whose Fock indices
 * n_i, n_j (basis index mod N, space.h) both lie in [n_lo, n_hi] and drops
 * the rest (P L P: the truncation of the cutoff N, applied at both ends).
 * Error: with W the kept and O the dropped elements, the exact solution
 * of (L - z) x = b satisfies (L_WW - z) x_W + L_WO x_O = b_W, so the window
 * changes x_W by (L_WW - z)^{-1} L_WO x_O: it is set by the exact x on the
 * dropped elements next to the window, i.e. by correlations carried by Fock
 * levels the steady state (of weight <= tol there) does not occupy; b = X0
 * = B rho_ss itself is O(tol) there.  Tested against the full block
 * (tests/drivers/test_correlation.c).  Only for blocks that do not hold the
 * steady state (the window would break trace conservation there). */

/* The window [n_lo, n_hi] of the number distribution p_n (n = 0..N-1):
 * the largest n_lo and smallest n_hi with sum_{n < n_lo} |p_n| <= tol/2
 * and sum_{n > n_hi} |p_n| <= tol/2 (tol = 0: [0, N-1] unless p_n = 0 there). */
void pm_fock_window(const double *p_n, int64_t N, double tol, int64_t *n_lo, int64_t *n_hi);
/* The regression `full` restricted to the window (a principal sub-block,
 * pm_block_principal; x0 and weight restricted, c0 and coherent those of
 * `full`).  N: the Fock cutoff of the block (dim = 2N).  PM_EINVAL for a
 * block holding the steady state or a window outside [0, N-1]. */
pm_status pm_regression_window(const pm_regression *full, int64_t N, int64_t n_lo, int64_t n_hi, pm_regression *out);

/* C(tau) (coherent part included) at `ntimes` increasing times >= 0 by
 * CVODE on the block (evolve.h). */
pm_status pm_regression_evolve(const pm_regression *reg, size_t ntimes, const double *tau,
                               const pm_evolve_options *opts, pm_complex *out, pm_evolve_info *info);
/* int_0^inf e^{-z tau} [C(tau) - coherent] dtau = -Tr[A (L - z)^{-1} Q X0]
 * (z = i omega: half the one-sided transform of the spectrum), through r, a
 * resolvent of reg->block; `work` holds block->size elements. */
pm_status pm_regression_laplace(const pm_regression *reg, pm_resolvent *r, pm_complex z, pm_complex *work,
                                pm_complex *out);

/* ---- spectra on an adaptive grid --------------------------------------------- */

#define PM_SPECTRUM_MAX_TERMS 2
#define PM_SPECTRUM_MAX_LINES 4

/* S(omega) = sum_t scale_t S_t(omega + offset_t), S_t the spectrum of
 * regression t; each term names the shifts near which its lines lie
 * (pm_spectrum_slowest looks for the closest mode of its block). */
typedef struct pm_spectrum_term {
    const pm_regression *reg;
    double scale;                 /* e.g. 1/2 for the two halves of S_xx */
    double offset;                /* [rad/s] */
    int nhints;                   /* 1..PM_SPECTRUM_MAX_LINES (with the other terms' together) */
    pm_complex hints[PM_SPECTRUM_MAX_LINES]; /* eigenvalue shifts [1/s] (0: the block's slowest) */
} pm_spectrum_term;

typedef struct pm_spectrum_grid_options {
    size_t max_points;      /* budget of frequencies (default 2000) */
    double rtol;            /* resolution: interpolation error / max S (default 1e-3) */
    double dt_start;        /* first spacing in t = asinh((omega - c)/h) (default 0.5) */
    double extent_factor;   /* extent = factor x the Gershgorin bound of |L| (default 1e3) */
    pm_lu_backend lu;       /* LU of the shifted blocks (default AUTO) */
    int threads;            /* frequencies of a refinement level in parallel, a resolvent per
                             * thread (0, the default: the number of cores); S does not
                             * depend on it (every frequency is factorised afresh) */
    const pm_stop_flag *stop;
    pm_progress_fn progress;
    void *progress_user;
} pm_spectrum_grid_options;

void pm_spectrum_grid_options_default(pm_spectrum_grid_options *opts);

typedef struct pm_spectrum_line {
    pm_complex lambda;      /* the mode [1/s] */
    double centre;          /* Im lambda - offset [rad/s], on the output frequency axis */
    double half_width;      /* |Re lambda| [1/s] */
} pm_spectrum_line;

typedef struct pm_spectrum_curve {
    size_t n;
    double *omega;          /* [rad/s], increasing (owned) */
    double *S;              /* [1/(rad/s)]: int S domega/2pi is dimensionless (owned) */
    int nlines;
    pm_spectrum_line lines[PM_SPECTRUM_MAX_LINES];
    double integral;        /* int S domega / 2 pi, grid (trapezoid in t) + analytic tails */
    double c0;              /* sum_t scale_t (C_t(0) - coherent_t): what the integral must equal */
    double coherent;        /* sum_t scale_t coherent_t (left out of S) */
    double sum_rule_error;  /* |integral - c0| / |c0| */
    double peak_omega;      /* maximum of S, refined by direct solves [rad/s] */
    double peak_S;
    double fwhm;            /* full width at half maximum of the highest line (direct solves) [rad/s] */
    int resolved;           /* rtol met within max_points */
    double dt;              /* final spacing in t */
    double extent;          /* [rad/s] */
    long solves;            /* resolvent solves (LUs) */
    double seconds;         /* wall time (eigenvalues, LUs, solves) */
    double lu_seconds;      /* in the resolvents, summed over threads (their CPU time: with
                             * several threads it can exceed `seconds`) */
} pm_spectrum_curve;

/* The spectrum of `nterms` terms (1..PM_SPECTRUM_MAX_TERMS).  `out` is
 * overwritten; release with pm_spectrum_curve_clear (also after a failure). */
pm_status pm_spectrum_adaptive(size_t nterms, const pm_spectrum_term *terms, const pm_spectrum_grid_options *opts,
                               pm_spectrum_curve *out);
void pm_spectrum_curve_clear(pm_spectrum_curve *curve);
/* The line alone, no grid: the mode of term->reg's block nearest
 * term->hints[0] (lines[0]), the peak of S near it by parabolic steps and
 * the FWHM by the half-maximum crossings, each by direct solves (about 30 at
 * the operating point; 1 thread).  No curve (n = 0), no sum rule (NaN), not
 * `resolved`; it does not look for a higher line elsewhere.  For blocks whose
 * LU is costly (the dressed model's coupled sectors). */
pm_status pm_spectrum_linewidth(const pm_spectrum_term *term, const pm_spectrum_grid_options *opts,
                                pm_spectrum_curve *out);
/* S(omega) of the terms at `count` given frequencies [rad/s] (no grid, no
 * lines): one resolvent solve per term and frequency; of `opts` (NULL:
 * defaults) only lu, threads and stop are used. */
pm_status pm_spectrum_evaluate(size_t nterms, const pm_spectrum_term *terms, size_t count, const double *omega,
                               const pm_spectrum_grid_options *opts, double *S);

/* ---- the emission and displacement spectra of a model --------------------------- */

typedef struct pm_correlation_options {
    int want_spectrum;      /* S_a and its linewidth (default 1) */
    int want_x;             /* S_xx and <x(tau) x(0)> (default 1) */
    int want_tau;           /* g1(tau), g2(tau) (default 1) */
    size_t tau_points;      /* tau = 0 and tau_points geometric points (default 400) */
    double tau_max;         /* [s]; 0: 5 / the slowest mode's half-width */
    double tau_min_ratio;   /* first nonzero tau = tau_max x ratio (default 1e-6) */
    int linewidth_only;     /* S_a's line by pm_spectrum_linewidth (no grid, no S_x; default 0) */
    double window_tol;      /* the spectra's blocks (not the time domain's) on the Fock window
                             * of the steady state's support (pm_fock_window; default 1e-16;
                             * 0: the full blocks) */
    pm_spectrum_grid_options grid;
    pm_evolve_options evolve; /* linear_solver AUTO: PM_LINSOL_LU (the block's LU; faster here) */
} pm_correlation_options;

void pm_correlation_options_default(pm_correlation_options *opts);

typedef struct pm_correlation_result {
    const char *frame;      /* the model's frame: S_a's frequency axis */
    double frame_omega;     /* omega_m for a rotating frame (lab = omega + frame_omega), 0 for the lab */
    pm_spectrum_curve S_a;  /* emission spectrum S_{a^dag a} (model frame) */
    pm_spectrum_curve S_x;  /* displacement spectrum S_xx (lab frame) */
    size_t ntau;
    double *tau;            /* [s] (owned) */
    pm_complex *g1;         /* <a^dag(tau) a(0)> / <n> (model frame) */
    double *g2;             /* <a^dag a^dag(tau) a(tau) a> / <n>^2 */
    pm_complex *xx;         /* <x(tau) x(0)> (lab frame) */
    double n_mean;          /* <n> */
    int64_t window_lo, window_hi; /* the Fock window of S_a and S_x ([0, N-1]: none) */
    int linewidth_only;     /* S_a holds the line alone (pm_spectrum_linewidth) */
    /* the line of S_a */
    double linewidth_fwhm;  /* [rad/s] */
    double line_shift;      /* centre - omega_m in the lab [rad/s] */
    double linewidth_slowest_mode; /* -2 Re lambda_1 [rad/s] */
    double linewidth_fp;    /* phase diffusion 2 D_W <1/r^2> (Eqs. 16-18), above threshold, else NaN */
    double linewidth_reduced; /* gamma_eff (Eq. 12; beyond-RWA for a model with an RWA reference), below threshold, else NaN */
    int above_threshold;    /* of the reduced theory: S > S_th */
    double S_th;            /* Eq. 14 (beyond-RWA S_th for a model with an RWA reference) */
    double tau_seconds;     /* wall time of the time-domain correlations */
    double seconds;         /* all of it */
} pm_correlation_result;

/* Everything above for the steady state `steady` of `model` (built at the
 * cutoffs of the steady state, e.g. pm_model_desc_build at the chosen N, K
 * of pm_converge_run).  Clear with pm_correlation_result_clear in every case. */
pm_status pm_correlation_run(const pm_model *model, const pm_steady_result *steady,
                             const pm_correlation_options *opts, pm_correlation_result *out);
void pm_correlation_result_clear(pm_correlation_result *result);

#ifdef __cplusplus
}
#endif

#endif
