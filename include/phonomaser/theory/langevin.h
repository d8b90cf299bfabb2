/* Semiclassical Langevin simulation of the maser (paper Eq. 19, B128-B129):
 *   dz = (mu(n) z + Omega p) dt + sqrt(2 D_W) dW_z,
 *   dp = (mu(n) p - Omega z) dt + sqrt(2 D_W) dW_p,   n = (z^2 + p^2)/2,
 * with mu(n) and D_W from reduced.h (Eqs. 17-18) and Omega the rotation in
 * the frame turning at omega_m (the Lamb shift; it does not affect n).
 * Integrated with Euler-Maruyama (strong order 1/2, weak order 1).
 *
 * Random numbers: xoshiro256** (Blackman & Vigna 2018), seeded per
 * trajectory by splitmix64(seed, trajectory index), and the Box-Muller
 * transform; a run is reproducible for a given seed and independent of the
 * number of threads.
 *
 * Initial state: the Wigner function of the thermal state of occupation
 * n_init, i.e. z, p independent Gaussians of variance n_init + 1/2.
 * The samples are Wigner (symmetric-ordering) samples, I = (z^2+p^2)/2:
 * <a^dag a> = <I> - 1/2 and <a^dag2 a^2> = <I^2> - 2<I> + 1/2; both the
 * ordering-corrected g2 and the paper's B135 estimate (n = I) are returned. */
#ifndef PHONOMASER_LANGEVIN_H
#define PHONOMASER_LANGEVIN_H

#include <stddef.h>
#include <stdint.h>

#include "phonomaser/core/params.h"

#ifdef __cplusplus
extern "C" {
#endif

/* xoshiro256** generator (public so tests can check it). */
typedef struct pm_rng {
    uint64_t s[4];
} pm_rng;

/* State from splitmix64 of (seed, stream): distinct streams are independent. */
void pm_rng_seed(pm_rng *rng, uint64_t seed, uint64_t stream);
uint64_t pm_rng_next(pm_rng *rng);
/* Uniform in (0, 1) (never 0 or 1). */
double pm_rng_uniform(pm_rng *rng);
/* Two independent standard normal deviates (Box-Muller). */
void pm_rng_normal2(pm_rng *rng, double *x, double *y);

typedef struct pm_langevin_options {
    uint64_t seed;             /* default 1 */
    size_t trajectories;       /* default 400 */
    double dt;                 /* [s]; 0: 0.01 / (the fastest drift rate) */
    double t_final;            /* [s]; 0: t_burn + 20 relaxation times */
    double t_burn;             /* [s] start of the stationary statistics; < 0: 5 relaxation
                                  times (the slower of gamma_eff and the amplitude relaxation
                                  of the reduced theory, at most 10 / gamma_m) */
    size_t ntimes;             /* output times of <n>(t), evenly spaced in [0, t_final] (>= 2; default 121) */
    double sample_interval;    /* [s] between stationary samples; 0: 1 relaxation time / 4 */
    double n_init;             /* initial thermal occupation; < 0: the bath n_th */
    double omega;              /* rotation Omega [rad/s]; NAN: the Lamb shift */
} pm_langevin_options;

void pm_langevin_options_default(pm_langevin_options *opts);

typedef struct pm_langevin_result {
    size_t ntimes;
    double *t;          /* [s] */
    double *n_mean;     /* <a^dag a>(t) = <I>(t) - 1/2, averaged over trajectories */
    /* stationary statistics (t >= t_burn), pooled over trajectories */
    size_t samples;
    double I_mean, I2_mean;   /* <I>, <I^2>, I = (z^2 + p^2)/2 */
    double n_stat;            /* <a^dag a> = <I> - 1/2 */
    double n_stat_error;      /* standard error of n_stat (10 groups of trajectories) */
    double g2;                /* ordering-corrected (<I^2> - 2<I> + 1/2) / (<I> - 1/2)^2 */
    double g2_error;          /* standard error (10 groups) */
    double g2_paper;          /* (<I^2> - <I>) / <I>^2, the paper's B135 with n = I */
    double r_mean;            /* <r>, r = sqrt(z^2 + p^2) */
    double dt, t_burn, t_final, seconds;
} pm_langevin_result;

/* Run the simulation; `out` is overwritten, release it with
 * pm_langevin_result_clear (also after a failure).  PM_EINVAL for invalid
 * options (message names the field), PM_ENOMEM, PM_EINTERRUPT if *stop
 * becomes nonzero (stop may be NULL). */
pm_status pm_langevin_run(const pm_params *params, const pm_langevin_options *opts,
                          const pm_stop_flag *stop, pm_langevin_result *out);
void pm_langevin_result_clear(pm_langevin_result *result);

#ifdef __cplusplus
}
#endif

#endif
