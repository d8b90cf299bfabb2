/* Four-way comparison for the dressed model of Eq. (5): at one parameter
 * point, the exact dressed steady state, the exact JC steady state (the
 * same parameters, Eqs. 6-9: the rotating-wave approximation of Eq. 5), the
 * reduced theory of the paper (RWA: Eqs. 11-15, B92, Eq. 20) and the
 * reduced theory beyond the RWA (reduced.h, pm_reduced_beyond_rwa_*).
 *
 * Quantities (columns dressed | jc | reduced_rwa | reduced_beyond_rwa):
 *   n_mean     <a^dag a>; reduced: n_ss (B92) below its threshold, n_las
 *              (Eq. 15) above (RWA); n_ss beyond the RWA below its
 *              threshold, NaN above (no closed form of the saturated state)
 *   g2         (<n^2> - <n>)/<n>^2; reduced RWA: Eq. (20) ordering-corrected;
 *              beyond the RWA: NaN
 *   sz_mean    <sigma_z>; reduced: S below threshold, S_th above (clamping)
 *   gamma_eff  [1/s] -2 Re(lambda) of the slowest mode that carries <a>:
 *              dressed: the eigenvalue of the odd (theta = pi/2) or only
 *              class closest to -i omega_m (lab frame: <a> ~ e^{lambda t});
 *              JC: the slowest of sector k = 1 (frame rotating at omega_m);
 *              reduced: Eq. (12) and its beyond-RWA form.  Below threshold
 *              the phonon-number damping, above it the phase diffusion
 *              (2 x the linewidth), as in compare.h
 *   freq_shift [rad/s] the shift of that mode's frequency from omega_m,
 *              -Im(lambda) - omega_m (dressed) or -Im(lambda) (JC): the Lamb
 *              shift plus, for the dressed model, the Bloch-Siegert shift;
 *              reduced RWA: pm_reduced_lamb_shift; beyond the RWA: NaN
 * Relative deviations are of the exact dressed value from each of the
 * other three.  Validity of the RWA itself: (omega_tilde + omega_m)/gamma_2
 * (the counter-rotating resonance must lie outside the spin's line) and
 * g sqrt(<n>)/omega_m (must be << 1). */
#ifndef PHONOMASER_COMPARE_MODELS_H
#define PHONOMASER_COMPARE_MODELS_H

#include "phonomaser/drivers/compare.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    PM_CMP4_N_MEAN, PM_CMP4_G2, PM_CMP4_SZ_MEAN, PM_CMP4_GAMMA_EFF, PM_CMP4_FREQ_SHIFT, PM_CMP4_COUNT
} pm_compare4_quantity;
typedef enum { PM_COL_DRESSED, PM_COL_JC, PM_COL_REDUCED_RWA, PM_COL_REDUCED_BEYOND_RWA, PM_COL_COUNT } pm_compare4_column;

/* "n_mean", "g2", "sz_mean", "gamma_eff", "freq_shift"; unit "1", "1/s", "rad/s" */
const char *pm_compare4_quantity_name(pm_compare4_quantity q);
const char *pm_compare4_quantity_unit(pm_compare4_quantity q);
const char *pm_compare4_column_name(pm_compare4_column c);     /* "dressed", "jc", "reduced_rwa", "reduced_beyond_rwa" */

typedef struct pm_compare4_point {
    pm_params params;          /* the dressed point (N, K: the cutoffs used) */
    double value[PM_CMP4_COUNT][PM_COL_COUNT];
    double rel_dev[PM_CMP4_COUNT][PM_COL_COUNT]; /* (dressed - column)/|column|; NaN for the dressed column */
    double S_th_rwa, S_th_beyond_rwa;            /* Eq. (14) and its beyond-RWA form */
    long N_dressed, K_dressed, N_jc;
    long N_mode;               /* the cutoff of the dressed amplitude mode (gamma_eff, freq_shift) */
    double mode_rel_change;    /* its damping's relative change from the cutoff before */
    int converged_dressed, converged_jc;
    double a2_abs;             /* |<a^2>| of the dressed state (0 in the JC model) */
    double coherence_tail;     /* of the dressed state */
    double rwa_resonance_ratio; /* (omega_tilde + omega_m) / gamma_2 */
    double rwa_coupling_ratio;  /* g sqrt(<n>_dressed) / omega_m */
    double seconds;
    pm_status status;
} pm_compare4_point;

/* The dressed amplitude mode's damping is converged in N to this (relative;
 * N = auto only: a fixed N is used as given and the change reported). */
#define PM_COMPARE4_MODE_TOL 1e-3

/* One point: params must have model = dressed (N and K may be auto). */
pm_status pm_compare4_point_run(const pm_params *params, const pm_compare_options *opts, pm_compare4_point *out);

/* The transition centres (compare.h: <I^2>/<I>^2 = pi/2, bracketed by
 * S = -1 and min(1, 4 S_th beyond the RWA)) of the exact dressed and the
 * exact JC model at params (model = dressed): neither model has a sharp
 * threshold, this is where the intensity statistics cross from thermal to
 * coherent.  About 15 steady states each. */
typedef struct pm_compare4_threshold {
    double S_mid_dressed, S_mid_jc;
    double S_th_rwa, S_th_beyond_rwa;
    int solves;
} pm_compare4_threshold;
pm_status pm_compare4_threshold_run(const pm_params *params, const pm_compare_options *opts,
                                    pm_compare4_threshold *out);

/* A sweep, points in parallel (opts->threads, opts->stop, opts->progress as
 * for pm_compare_sweep); each point carries its status. */
pm_status pm_compare4_sweep(const pm_params *base, pm_sweep_variable v, size_t count, const double *values,
                            const pm_compare_options *opts, pm_compare4_point *points, size_t *completed);

#ifdef __cplusplus
}
#endif

#endif
