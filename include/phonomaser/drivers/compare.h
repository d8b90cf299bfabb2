/* The exact master equation against the reduced theory (reduced.h): where
 * adiabatic elimination, Maxwell-Bloch saturation and the Fokker-Planck
 * picture of the paper hold, and where they fail.
 *
 * For one parameter point, pm_compare_point_run computes from the exact
 * model (sector path, public API only):
 *  - the steady state (pm_converge_auto, or the given N): <n>, <n^2>, g2,
 *    <sigma_z>, P(n);
 *  - the slowest eigenvalues lambda of the k = +1 sector (spectrum.h), which
 *    carries <a>: <a>(t) ~ e^{lambda t} in the frame rotating at omega_m.
 *    Below threshold -2 Re(lambda) is the exact phonon-number damping
 *    gamma_eff and -Im(lambda) the exact Lamb shift; above threshold the
 *    slowest k = 1 mode is the phase diffusion of the limit cycle and
 *    -Re(lambda) the maser linewidth (HWHM, rad/s);
 *  - the slowest nonzero eigenvalue of sector 0 (intensity relaxation);
 * and sets each against its reduced-theory prediction, with the validity
 * ratios of (B8).  Relative deviation = (exact - reduced) / |reduced|
 * (NaN when the reduced value is 0 or not finite).  `applies` says whether
 * the reduced formula is meant for the regime of the point: below threshold
 * (S < S_th of Eq. 14) gamma_eff, Lamb shift and n_ss (B92); above it n_las,
 * the clamped inversion and the linewidth; everywhere the Fokker-Planck
 * <n>_FP and g2, the ring radius (above) and the intensity relaxation.
 *
 * Occupations: n_exact = <a^dag a>.  The Fokker-Planck value <n>_FP of
 * (B133) is <r^2/2> of the Wigner function, so the quantity N_FP compares it
 * with <a^dag a> + 1/2 (erratum 4); g2 of the FP is ordering-corrected
 * (reduced.h).
 *
 * Exact threshold.  In the exact finite problem nothing changes sign: the
 * k = 1 spectrum never has a positive real part (below threshold the slowest
 * rate is the amplitude damping, above it the phase diffusion), and <n>(S)
 * is smooth.  pm_compare_threshold_run therefore measures the threshold in
 * two well-defined ways (see compare.c for the justification):
 *  - S_th_exact, the gain-clamping inversion: far above threshold the exact
 *    <sigma_z> stops growing with S and stays at the inversion where gain
 *    equals loss; the Maxwell-Bloch theory says it is S_th (B109), so it is
 *    the exact counterpart of Eq. (14).  By the exact number balance
 *    <n> - n_th = gamma_1 (S - <sigma_z>) / (2 gamma_m) it is also the
 *    S-intercept of the exact linear <n>(S) curve above threshold (the
 *    experimentalist's input-output threshold).
 *  - S_mid, the centre of the smeared transition: the pump where the
 *    intensity statistics of the Wigner function, <I^2>/<I>^2 with
 *    I = (z^2 + p^2)/2, equals pi/2, its value at threshold (gain = loss)
 *    in the large-n_sat limit of Eq. (20) (a half-Gaussian P(I)); found by
 *    bisection on S for the exact model and, with the same criterion, for
 *    the Fokker-Planck distribution. */
#ifndef PHONOMASER_COMPARE_H
#define PHONOMASER_COMPARE_H

#include <stddef.h>

#include "phonomaser/core/complex_type.h"
#include "phonomaser/drivers/converge.h"
#include "phonomaser/theory/langevin.h"
#include "phonomaser/theory/reduced.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    PM_CMP_GAMMA_EFF,       /* -2 Re lambda_1  vs gamma_m + Gamma_opt (Eq. 12)        [1/s] */
    PM_CMP_LAMB_SHIFT,      /* -Im lambda_1    vs delta_omega (B95, sign fixed)      [rad/s] */
    PM_CMP_N_SS,            /* <n>             vs n_ss (B92)                              */
    PM_CMP_N_LAS,           /* <n>             vs n_las (Eq. 15)                          */
    PM_CMP_N_FP,            /* <n> + 1/2       vs <n>_FP = <r^2/2> (B133)                 */
    PM_CMP_G2,              /* g2(0)           vs g2 of Eq. (20), ordering-corrected      */
    PM_CMP_INVERSION,       /* <sigma_z>       vs S below, S_th above (B109)              */
    PM_CMP_LINEWIDTH,       /* -Re lambda_1    vs D_W <1/r^2>_FP (Eqs. 16-18)        [1/s] */
    PM_CMP_RING_RADIUS,     /* argmax of the exact radial distribution vs sqrt(2 n_las) (Fig. 2c) */
    PM_CMP_INTENSITY_RATE,  /* slowest nonzero rate of sector 0 vs pm_reduced_intensity_relaxation [1/s] */
    PM_CMP_COUNT
} pm_compare_quantity;

/* Short name ("gamma_eff", "lamb_shift", "n_ss", "n_las", "n_fp", "g2",
 * "inversion", "linewidth", "ring_radius", "intensity_rate") and unit. */
const char *pm_compare_quantity_name(pm_compare_quantity q);
const char *pm_compare_quantity_unit(pm_compare_quantity q);

typedef struct pm_compare_value {
    double exact, reduced, rel_dev;
    int applies;             /* the reduced formula is meant for this regime */
} pm_compare_value;

#define PM_COMPARE_MAX_NEV 8

typedef struct pm_compare_options {
    pm_converge_options converge; /* exact steady state (path forced to sectors) */
    int nev;                      /* k = 1 eigenvalues to compute, 1..PM_COMPARE_MAX_NEV (default 3) */
    int threads;                  /* sweep points run in parallel: 0 = number of cores */
    int langevin;                 /* 1: also the Langevin estimate of <n> and g2 */
    pm_langevin_options langevin_opts;
    const pm_stop_flag *stop;     /* set: stop a sweep (PM_EINTERRUPT) before each point; may be NULL
                                     (converge.steady.stop stops inside a point) */
    pm_progress_fn progress;      /* progress of the sweep points (core/progress.h), NULL: none */
    void *progress_user;
} pm_compare_options;

void pm_compare_options_default(pm_compare_options *opts);

typedef struct pm_compare_point {
    pm_params params;              /* with N = the cutoff used */
    int above_threshold;           /* S > S_th (Eq. 14) */
    pm_reduced_validity validity;  /* (B8), with n = exact <n> */
    pm_compare_value q[PM_CMP_COUNT];
    /* exact */
    long N;
    int converged;                 /* N = auto met its tolerances */
    double n_mean, n2_mean, g2, sz_mean, tail_population, residual;
    int nev;
    pm_complex lambda_k1[PM_COMPARE_MAX_NEV]; /* slowest first [1/s] */
    double rate_k0;                /* slowest nonzero rate of sector 0 [1/s] */
    double radial_tv;              /* total-variation distance between the exact P(n) and the
                                      FP density at n + 1/2 (0: equal, 1: disjoint) */
    double r_peak_exact;           /* argmax_n P(n) sqrt(2n+1), as r = sqrt(2n+1) */
    /* reduced */
    double S_th, n_sat;
    pm_reduced_fp fp;
    /* Langevin (if opts->langevin) */
    int has_langevin;
    double langevin_n, langevin_n_error, langevin_g2, langevin_g2_error;
    double seconds;                /* wall time of the point */
    pm_status status;              /* sweeps: PM_OK or the failure of this point */
} pm_compare_point;

/* PM_EINVAL if params has user terms (terms.h): the reduced theory knows
 * only the paper's models, so every pm_compare_* and pm_compare4_* call
 * rejects them before any work. */
pm_status pm_compare_check_terms(const pm_params *params);

/* One point; out->params.N is the cutoff used (params->N = PM_N_AUTO: grown
 * until converged).  The exact P(n) is returned in *p_n (length out->N,
 * owned by the caller: free()) if p_n is not NULL. */
pm_status pm_compare_point_run(const pm_params *params, const pm_compare_options *opts,
                               pm_compare_point *out, double **p_n);

/* Sweep variables. */
typedef enum { PM_SWEEP_S, PM_SWEEP_DELTA, PM_SWEEP_ETA, PM_SWEEP_N_TH, PM_SWEEP_COUNT } pm_sweep_variable;

const char *pm_sweep_variable_name(pm_sweep_variable v); /* "S", "delta", "eta", "n_th" */
/* PM_EINVAL for an unknown name (the message lists the valid ones). */
pm_status pm_sweep_variable_parse(const char *name, pm_sweep_variable *out);
/* `base` with the variable set to `value` (through the key API, so that a
 * value given by an alternative key, g for eta or T for n_th, is replaced),
 * derived again. */
pm_status pm_sweep_apply(const pm_params *base, pm_sweep_variable v, double value, pm_params *out);

/* Sweep specification "S:0:0.3:31" (count evenly spaced values from..to,
 * count >= 1; count = 1 needs from = to) or "S=0.1,0.2,0.25" (a list of at
 * most PM_SWEEP_MAX values).  Values are malloc'ed into *values. */
#define PM_SWEEP_MAX 100000
pm_status pm_sweep_parse(const char *spec, pm_sweep_variable *v, size_t *count, double **values);

/* `count` evenly spaced values from `from` to `to` (both included; count = 1:
 * `from`), malloc'ed into *values. */
pm_status pm_sweep_values(double from, double to, size_t count, double **values);

/* All points of a sweep, in parallel (opts->threads).  points[count] are
 * filled; each carries its status.  Returns PM_OK if every point succeeded,
 * else the status of the first failed point with a message naming it;
 * PM_EINTERRUPT when opts->stop was set (points not run have status
 * PM_EINTERRUPT).  *completed (may be NULL) receives the number of points done. */
pm_status pm_compare_sweep(const pm_params *base, pm_sweep_variable v, size_t count, const double *values,
                           const pm_compare_options *opts, pm_compare_point *points, size_t *completed);

/* The sweep driver under pm_compare_sweep and pm_compare4_sweep: for each
 * value, `base` with the variable set (pm_sweep_apply, whose status is
 * `applied`) goes to run(user, k, params, applied), which records and
 * returns the point's status; a point not run because opts->stop was set
 * gets applied = PM_EINTERRUPT (and params = base).  Points run in parallel
 * (opts->threads); opts->stop and opts->progress as for pm_compare_sweep,
 * and the same return value.  Models with user terms are refused. */
typedef pm_status (*pm_sweep_point_fn)(void *user, size_t k, const pm_params *params, pm_status applied);
pm_status pm_sweep_run(const pm_params *base, pm_sweep_variable v, size_t count, const double *values,
                       const pm_compare_options *opts, pm_sweep_point_fn run, void *user, size_t *completed);

typedef struct pm_compare_threshold {
    double S_th_reduced;   /* Eq. (14) */
    double S_th_exact;     /* exact <sigma_z> at S_probe (gain clamping; NaN if not clamped) */
    double S_probe;        /* pump of the clamping measurement: min(1, 4 S_th_reduced) */
    double clamp_slope;    /* d<sigma_z>/dS at S_probe: ~1 without gain, -> 0 when clamped;
                              S_th_exact is NaN if it exceeds 0.05 */
    double S_mid_exact;    /* exact: <I^2>/<I>^2 = pi/2 (bisection; NaN if not bracketed in [-1, 1]) */
    double S_mid_fp;       /* the same criterion on the Fokker-Planck distribution (Eq. 20) */
    int iterations;        /* exact steady states solved */
    long N_probe;          /* cutoff used at S_probe */
} pm_compare_threshold;

pm_status pm_compare_threshold_run(const pm_params *params, const pm_compare_options *opts,
                                   pm_compare_threshold *out);
/* The thresholds of every sweep point (pm_compare_threshold_run), one per
 * point; a sweep over S shares the first (the threshold does not depend on
 * S).  thresholds[count] are filled. */
pm_status pm_compare_sweep_thresholds(const pm_params *base, pm_sweep_variable v, size_t count, const double *values,
                                      const pm_compare_options *opts, pm_compare_threshold *thresholds);

/* S_mid of the exact model params describe (any model): the pump in [lo, hi]
 * where <I^2>/<I>^2 = pi/2, by bisection (NaN if not bracketed); *solves
 * (may be NULL) is increased by the steady states solved. */
pm_status pm_compare_transition_centre(const pm_params *params, const pm_compare_options *opts, double lo, double hi,
                                       double *S_mid, int *solves);

/* Exact intensity statistics <I^2>/<I>^2 of the Wigner function, I = (z^2+p^2)/2:
 * (<n^2> + <n> + 1/2) / (<n> + 1/2)^2. */
double pm_compare_intensity_ratio(double n_mean, double n2_mean);

#ifdef __cplusplus
}
#endif

#endif
