/* Euler-Maruyama integration of the Langevin equations (19), (B128)-(B129)
 * (langevin.h). */
#include "phonomaser/theory/langevin.h"
#include "phonomaser/core/constants.h"
#include "phonomaser/core/timer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "phonomaser/theory/reduced.h"

/* ---- random numbers ---------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void pm_rng_seed(pm_rng *rng, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ splitmix64(&(uint64_t){stream + 0x632be59bd9b4e019ULL});
    for (int i = 0; i < 4; i++) rng->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* xoshiro256** 1.0 (https://prng.di.unimi.it/xoshiro256starstar.c) */
uint64_t pm_rng_next(pm_rng *rng)
{
    uint64_t *s = rng->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double pm_rng_uniform(pm_rng *rng)
{
    /* 53 random bits, shifted by half a unit: in (0, 1) */
    return ((double)(pm_rng_next(rng) >> 11) + 0.5) * 0x1.0p-53;
}

void pm_rng_normal2(pm_rng *rng, double *x, double *y)
{
    /* Box-Muller */
    double radius = sqrt(-2.0 * log(pm_rng_uniform(rng)));
    double angle = PM_TWO_PI * pm_rng_uniform(rng);
    *x = radius * cos(angle);
    *y = radius * sin(angle);
}

/* ---- simulation ------------------------------------------------------------------ */

void pm_langevin_options_default(pm_langevin_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->seed = 1;
    opts->trajectories = 400;
    opts->dt = 0;
    opts->t_final = 0;
    opts->t_burn = -1;
    opts->ntimes = 121;
    opts->sample_interval = 0;
    opts->n_init = -1;
    opts->omega = NAN;
}

void pm_langevin_result_clear(pm_langevin_result *result)
{
    free(result->t);
    free(result->n_mean);
    memset(result, 0, sizeof *result);
}

/* Relaxation rate of the intensity in the reduced theory, floored at
 * gamma_m / 10 near threshold (where it vanishes). */
static double relaxation_rate(const pm_params *p)
{
    double rate = pm_reduced_intensity_relaxation(p);
    return rate > p->gamma_m / 10.0 ? rate : p->gamma_m / 10.0;
}

#define LANGEVIN_GROUPS 10

pm_status pm_langevin_run(const pm_params *params, const pm_langevin_options *opts,
                          const pm_stop_flag *stop, pm_langevin_result *out)
{
    memset(out, 0, sizeof *out);
    pm_langevin_options o = *opts;
    if (!(params->gamma_m > 0))
        return pm_error_set(PM_EINVAL, "Langevin simulation needs gamma_m > 0 (got %g 1/s)", params->gamma_m);
    if (o.trajectories < LANGEVIN_GROUPS)
        return pm_error_set(PM_EINVAL, "Langevin trajectories = %zu: must be >= %d", o.trajectories,
                            LANGEVIN_GROUPS);
    if (o.ntimes < 2) return pm_error_set(PM_EINVAL, "Langevin ntimes = %zu: must be >= 2", o.ntimes);
    if (!(o.dt >= 0) || !(o.t_final >= 0) || !(o.sample_interval >= 0) || !isfinite(o.dt) ||
        !isfinite(o.t_final) || !isfinite(o.t_burn) || !isfinite(o.sample_interval) || !isfinite(o.n_init))
        return pm_error_set(PM_EINVAL, "Langevin options: dt, t_final, sample_interval must be finite and >= 0 "
                            "(0: automatic), t_burn and n_init finite (< 0: automatic)");
    double D_W = pm_reduced_D_W(params), G = pm_reduced_G(params);
    double rate = relaxation_rate(params);
    double fastest = fmax(params->gamma_m / 2.0, fabs(G * params->S));
    if (o.dt == 0) o.dt = 0.005 / fastest;
    if (o.t_burn < 0) o.t_burn = 5.0 / rate;
    if (o.t_final == 0) o.t_final = o.t_burn + 20.0 / rate;
    if (o.sample_interval == 0) o.sample_interval = 0.25 / rate;
    if (o.n_init < 0) o.n_init = params->n_th;
    double omega = isnan(o.omega) ? pm_reduced_lamb_shift(params) : o.omega;
    if (!(o.t_final > 0) || o.t_burn > o.t_final)
        return pm_error_set(PM_EINVAL, "Langevin t_final = %g s must be > 0 and >= t_burn = %g s", o.t_final, o.t_burn);
    double steps_real = ceil(o.t_final / o.dt);
    if (steps_real * (double)o.trajectories > 1e11)
        return pm_error_set(PM_EINVAL, "Langevin run of %g steps x %zu trajectories is too long (dt = %g s, "
                            "t_final = %g s): use fewer --trajectories (a C caller: raise "
                            "pm_langevin_options.dt or lower its t_final)", steps_real, o.trajectories, o.dt, o.t_final);
    long steps = (long)steps_real;
    double dt = o.t_final / (double)steps;
    long sample_every = (long)fmax(1.0, round(o.sample_interval / dt));
    long first_sample = (long)ceil(o.t_burn / dt);

    out->t = calloc(o.ntimes, sizeof *out->t);
    out->n_mean = calloc(o.ntimes, sizeof *out->n_mean);
    long *output_step = malloc(o.ntimes * sizeof *output_step);
    if (!out->t || !out->n_mean || !output_step) {
        free(output_step);
        pm_langevin_result_clear(out);
        return pm_error_set(PM_ENOMEM, "out of memory for %zu Langevin output times", o.ntimes);
    }
    out->ntimes = o.ntimes;
    for (size_t j = 0; j < o.ntimes; j++) {
        output_step[j] = (long)llround((double)j * (double)steps / (double)(o.ntimes - 1));
        out->t[j] = (double)output_step[j] * dt;
    }

    double start = pm_wall_seconds();
    double noise = sqrt(2.0 * D_W * dt), sigma0 = sqrt(o.n_init + 0.5);
    double n_sat = pm_reduced_n_sat(params);
    double gain = G * params->S;
    double group_I[LANGEVIN_GROUPS] = {0}, group_I2[LANGEVIN_GROUPS] = {0};
    double group_count[LANGEVIN_GROUPS] = {0};
    double sum_r = 0;
    pm_status status = PM_OK;
    for (size_t traj = 0; traj < o.trajectories; traj++) {
        if (stop && *stop) {
            status = pm_error_set(PM_EINTERRUPT, "Langevin simulation interrupted after %zu of %zu trajectories",
                                  traj, o.trajectories);
            break;
        }
        pm_rng rng;
        pm_rng_seed(&rng, o.seed, traj);
        double z, p;
        pm_rng_normal2(&rng, &z, &p);
        z *= sigma0, p *= sigma0;
        size_t next_output = 0;
        int group = (int)(traj % LANGEVIN_GROUPS);
        for (long k = 0;; k++) {
            double I = 0.5 * (z * z + p * p);
            while (next_output < o.ntimes && output_step[next_output] == k) out->n_mean[next_output++] += I;
            if (k >= first_sample && (k - first_sample) % sample_every == 0) {
                group_I[group] += I;
                group_I2[group] += I * I;
                group_count[group] += 1;
                sum_r += sqrt(2.0 * I);
            }
            if (k == steps) break;
            /* Eq. (18) with n = (z^2+p^2)/2, then one Euler-Maruyama step of (19) */
            double mu = -params->gamma_m / 2.0 + (isfinite(n_sat) && n_sat > 0 ? gain / (1.0 + I / n_sat) : gain);
            double xi_z, xi_p;
            pm_rng_normal2(&rng, &xi_z, &xi_p);
            double dz = (mu * z + omega * p) * dt + noise * xi_z;
            double dp = (mu * p - omega * z) * dt + noise * xi_p;
            z += dz, p += dp;
        }
        if (!isfinite(z) || !isfinite(p)) {
            status = pm_error_set(PM_ENUMERIC, "Langevin trajectory %zu diverged (dt = %g s too large?)", traj, dt);
            break;
        }
    }
    free(output_step);
    size_t done = o.trajectories;
    if (status != PM_OK) {
        pm_langevin_result_clear(out);
        return status;
    }
    for (size_t j = 0; j < o.ntimes; j++) out->n_mean[j] = out->n_mean[j] / (double)done - 0.5;

    /* pooled moments, and the scatter of the 10 groups for the errors */
    double count = 0, sI = 0, sI2 = 0, n_groups[LANGEVIN_GROUPS], g2_groups[LANGEVIN_GROUPS];
    for (int g = 0; g < LANGEVIN_GROUPS; g++) {
        count += group_count[g], sI += group_I[g], sI2 += group_I2[g];
        double I = group_I[g] / group_count[g], I2 = group_I2[g] / group_count[g];
        n_groups[g] = I - 0.5;
        g2_groups[g] = (I2 - 2.0 * I + 0.5) / ((I - 0.5) * (I - 0.5));
    }
    if (!(count > 0)) return pm_error_set(PM_EINVAL, "Langevin: no stationary sample (t_burn = %g s, t_final = %g s)",
                                          o.t_burn, o.t_final);
    out->samples = (size_t)count;
    out->I_mean = sI / count;
    out->I2_mean = sI2 / count;
    out->n_stat = out->I_mean - 0.5;
    out->g2 = (out->I2_mean - 2.0 * out->I_mean + 0.5) / (out->n_stat * out->n_stat);
    out->g2_paper = (out->I2_mean - out->I_mean) / (out->I_mean * out->I_mean);
    out->r_mean = sum_r / count;
    double var_n = 0, var_g2 = 0;
    for (int g = 0; g < LANGEVIN_GROUPS; g++) {
        var_n += (n_groups[g] - out->n_stat) * (n_groups[g] - out->n_stat);
        var_g2 += (g2_groups[g] - out->g2) * (g2_groups[g] - out->g2);
    }
    out->n_stat_error = sqrt(var_n / (LANGEVIN_GROUPS * (LANGEVIN_GROUPS - 1.0)));
    out->g2_error = sqrt(var_g2 / (LANGEVIN_GROUPS * (LANGEVIN_GROUPS - 1.0)));
    out->dt = dt;
    out->t_burn = o.t_burn;
    out->t_final = o.t_final;
    out->seconds = pm_wall_seconds() - start;
    return PM_OK;
}
