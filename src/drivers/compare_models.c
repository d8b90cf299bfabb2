/* The four-way comparison of the dressed model (compare_models.h). */
#include "phonomaser/drivers/compare_models.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "phonomaser/solvers/spectrum.h"
#include "phonomaser/core/timer.h"

const char *pm_compare4_quantity_name(pm_compare4_quantity q)
{
    static const char *const names[PM_CMP4_COUNT] = {"n_mean", "g2", "sz_mean", "gamma_eff", "freq_shift"};
    return q < PM_CMP4_COUNT ? names[q] : "?";
}

const char *pm_compare4_quantity_unit(pm_compare4_quantity q)
{
    static const char *const units[PM_CMP4_COUNT] = {"1", "1", "1", "1/s", "rad/s"};
    return q < PM_CMP4_COUNT ? units[q] : "?";
}

/* The slowest mode carrying <a>: the eigenvalue closest to `shift` of the
 * model's block of sector 1 at the converged cutoffs (K of the steady state),
 * near the model's frame frequency (pm_model_type_amplitude_shift). */
static pm_status amplitude_mode(const pm_params *params, long N, long K, double complex *lambda)
{
    const double complex shift = pm_model_type_amplitude_shift(pm_model_type_get(params->model), params);
    pm_params at = *params;
    at.N = N;
    at.K = K;
    pm_model *model = NULL;
    pm_block *block = NULL;
    pm_spectrum spectrum = {0};
    pm_spectrum_options so;
    pm_spectrum_options_default(&so);
    so.nev = 2;
    so.shift = shift;
    pm_model_desc desc;
    pm_status s = pm_model_desc_init(&at, &desc);
    if (s == PM_OK) s = pm_steadystate_memory_check(&desc, PM_PATH_AUTO, PM_STEADY_ARPACK);
    if (s == PM_OK) s = pm_model_desc_build(&desc, N, K, &model);
    if (s == PM_OK) s = pm_model_block(model, 1, &block);
    if (s == PM_OK) s = pm_spectrum_slowest(block, &so, &spectrum);
    if (s == PM_OK) {
        /* the closer of the two to the shift */
        int best = 0;
        for (int j = 1; j < spectrum.nev; j++)
            if (cabs(spectrum.eigenvalues[j] - shift) < cabs(spectrum.eigenvalues[best] - shift)) best = j;
        *lambda = spectrum.eigenvalues[best];
    }
    pm_spectrum_clear(&spectrum);
    pm_block_free(block);
    pm_model_free(model);
    return s;
}

/* The dressed amplitude mode converged in N by its own criterion: its
 * damping can need a larger cutoff than <n> (measured at S = -0.2, delta =
 * 1000 rad/s: -2 Re lambda_1 = 0.245, 0.247, 0.259, 0.260 1/s at N = 365,
 * 548, 822, 1233 while <n> had converged at N = 365).  The damping at *N is
 * compared with that at the ladder's previous cutoff (or N/1.5); with grow,
 * N grows by 1.5 until they agree to PM_COMPARE4_MODE_TOL (or n_max).  K
 * stays the steady state's. */
static pm_status converged_mode(const pm_params *params, const pm_converge_result *ladder, int grow, long n_max,
                                long *N, long K, double complex *lambda, double *rel_change)
{
    long N_prev = 0;
    for (size_t k = 0; k < ladder->nsteps; k++)
        if (ladder->steps[k].N < *N && ladder->steps[k].N > N_prev) N_prev = ladder->steps[k].N;
    if (N_prev < 2) N_prev = (long)ceil((double)*N / 1.5);
    double complex before = NAN;
    pm_status s = amplitude_mode(params, *N, K, lambda);
    if (s == PM_OK && N_prev >= 2 && N_prev < *N) s = amplitude_mode(params, N_prev, K, &before);
    *rel_change = fabs(creal(*lambda) - creal(before)) / fabs(creal(*lambda));
    while (s == PM_OK && grow && !(*rel_change <= PM_COMPARE4_MODE_TOL) && *N < n_max) {
        before = *lambda;
        long next = (long)ceil(1.5 * (double)*N);
        *N = next < n_max ? next : n_max;
        s = amplitude_mode(params, *N, K, lambda);
        *rel_change = fabs(creal(*lambda) - creal(before)) / fabs(creal(*lambda));
    }
    return s;
}

const char *pm_compare4_column_name(pm_compare4_column c)
{
    static const char *const names[PM_COL_COUNT] = {"dressed", "jc", "reduced_rwa", "reduced_beyond_rwa"};
    return c < PM_COL_COUNT ? names[c] : "?";
}

/* The four-way comparison needs a model with a rotating-wave reference
 * (the dressed model of Eq. 5: its RWA is the JC model of Eqs. 6-9). */
static pm_status reference_of(const pm_params *params, const char *what, pm_params *reference)
{
    if (pm_model_rwa_params(params, reference) == PM_OK) return PM_OK;
    return pm_error_set(PM_EINVAL, "the four-way %s needs a model with a rotating-wave reference, "
                        "model = dressed (model = %s given)", what, pm_params_model_name(params->model));
}

pm_status pm_compare4_point_run(const pm_params *params, const pm_compare_options *opts, pm_compare4_point *out)
{
    pm_compare_options defaults;
    if (!opts) {
        pm_compare_options_default(&defaults);
        opts = &defaults;
    }
    memset(out, 0, sizeof *out);
    out->params = *params;
    if (pm_compare_check_terms(params) != PM_OK) return PM_EINVAL;
    pm_params jc_params;
    if (reference_of(params, "comparison", &jc_params) != PM_OK) return PM_EINVAL;
    double start = pm_wall_seconds();
    pm_converge_result dressed = {0}, jc = {0};
    pm_model_desc dressed_model, jc_model;
    pm_status s = pm_model_desc_init(params, &dressed_model);
    if (s == PM_OK) s = pm_model_desc_init(&jc_params, &jc_model);
    if (s == PM_OK) s = pm_converge_run(&dressed_model, &opts->converge, &dressed);
    if (s != PM_OK) {
        pm_converge_result_clear(&dressed);
        return s;
    }
    s = pm_converge_run(&jc_model, &opts->converge, &jc);
    if (s != PM_OK) {
        pm_converge_result_clear(&dressed);
        pm_converge_result_clear(&jc);
        return s;
    }
    const pm_observables *od = &dressed.final.obs, *oj = &jc.final.obs;
    out->N_dressed = dressed.chosen_N;
    out->K_dressed = dressed.chosen_K;
    out->N_jc = jc.chosen_N;
    out->params.N = dressed.chosen_N;
    out->params.K = dressed.chosen_K;
    out->converged_dressed = dressed.converged;
    out->converged_jc = jc.converged;
    out->a2_abs = cabs(od->a2_mean);
    out->coherence_tail = od->coherence_tail;

    /* reduced theories */
    const pm_params *p = params;
    out->S_th_rwa = pm_reduced_S_th(p);
    out->S_th_beyond_rwa = pm_reduced_beyond_rwa_S_th(p);
    int above_rwa = p->S > out->S_th_rwa, above_brwa = p->S > out->S_th_beyond_rwa;
    pm_reduced_fp fp;
    double g2_rwa = pm_reduced_fp_solve(p, &fp) == PM_OK ? fp.g2_wigner : NAN;
    double reduced[PM_CMP4_GAMMA_EFF][2] = {
        {above_rwa ? pm_reduced_n_las(p) : pm_reduced_n_ss(p), above_brwa ? NAN : pm_reduced_beyond_rwa_n_ss(p)},
        {g2_rwa, NAN},
        {above_rwa ? out->S_th_rwa : p->S, above_brwa ? out->S_th_beyond_rwa : p->S},
    };
    double exact_values[PM_CMP4_GAMMA_EFF][2] = {
        {od->n_mean, oj->n_mean}, {od->g2, oj->g2}, {od->sz_mean, oj->sz_mean}};
    for (int q = 0; q < PM_CMP4_GAMMA_EFF; q++) {
        out->value[q][PM_COL_DRESSED] = exact_values[q][0];
        out->value[q][PM_COL_JC] = exact_values[q][1];
        out->value[q][PM_COL_REDUCED_RWA] = reduced[q][0];
        out->value[q][PM_COL_REDUCED_BEYOND_RWA] = reduced[q][1];
        for (int c = 0; c < PM_COL_COUNT; c++) {
            double other = out->value[q][c];
            out->rel_dev[q][c] = c != PM_COL_DRESSED && other != 0 && isfinite(other) && isfinite(exact_values[q][0])
                                     ? (exact_values[q][0] - other) / fabs(other)
                                     : NAN;
        }
    }
    /* the amplitude modes: lab frame (dressed) near -i omega_m, JC rotating frame near 0 */
    double complex lambda_dressed = NAN, lambda_jc = NAN;
    out->N_mode = out->N_dressed;
    s = converged_mode(params, &dressed, params->N == PM_N_AUTO, opts->converge.n_max, &out->N_mode,
                       out->K_dressed, &lambda_dressed, &out->mode_rel_change);
    if (s == PM_OK) s = amplitude_mode(&jc_params, out->N_jc, PM_K_AUTO, &lambda_jc);
    if (s != PM_OK) {
        pm_converge_result_clear(&dressed);
        pm_converge_result_clear(&jc);
        return s;
    }
    double modes[2][PM_COL_COUNT] = {
        {-2 * creal(lambda_dressed), -2 * creal(lambda_jc), pm_reduced_gamma_eff(p), pm_reduced_beyond_rwa_gamma_eff(p)},
        {-cimag(lambda_dressed - pm_model_type_amplitude_shift(pm_model_type_get(params->model), p)),
         -cimag(lambda_jc - pm_model_type_amplitude_shift(pm_model_type_get(jc_params.model), p)),
         pm_reduced_lamb_shift(p), NAN},
    };
    for (int q = PM_CMP4_GAMMA_EFF; q <= PM_CMP4_FREQ_SHIFT; q++)
        for (int c = 0; c < PM_COL_COUNT; c++) {
            double v = modes[q - PM_CMP4_GAMMA_EFF][c], exact = modes[q - PM_CMP4_GAMMA_EFF][0];
            out->value[q][c] = v;
            out->rel_dev[q][c] = c != PM_COL_DRESSED && v != 0 && isfinite(v) && isfinite(exact) ? (exact - v) / fabs(v) : NAN;
        }
    out->rwa_resonance_ratio = (2 * p->omega_m + p->delta) / p->gamma_2;
    out->rwa_coupling_ratio = p->g * sqrt(fmax(od->n_mean, 0)) / p->omega_m;
    out->seconds = pm_wall_seconds() - start;
    pm_converge_result_clear(&dressed);
    pm_converge_result_clear(&jc);
    return PM_OK;
}

pm_status pm_compare4_threshold_run(const pm_params *params, const pm_compare_options *opts,
                                    pm_compare4_threshold *out)
{
    memset(out, 0, sizeof *out);
    out->S_mid_dressed = out->S_mid_jc = NAN;
    pm_params jc;
    if (reference_of(params, "threshold", &jc) != PM_OK) return PM_EINVAL;
    out->S_th_rwa = pm_reduced_S_th(params);
    out->S_th_beyond_rwa = pm_reduced_beyond_rwa_S_th(params);
    double hi = fmin(1.0, 4.0 * out->S_th_beyond_rwa);
    if (!(hi > -1)) return PM_OK;
    pm_status s = pm_compare_transition_centre(params, opts, -1.0, hi, &out->S_mid_dressed, &out->solves);
    if (s == PM_OK) s = pm_compare_transition_centre(&jc, opts, -1.0, hi, &out->S_mid_jc, &out->solves);
    return s;
}

typedef struct {
    const pm_compare_options *opts;
    pm_compare4_point *points;
} sweep4_context;

static pm_status sweep4_point(void *user, size_t k, const pm_params *p, pm_status applied)
{
    sweep4_context *ctx = user;
    pm_compare4_point *point = &ctx->points[k];
    pm_status s = applied == PM_OK ? pm_compare4_point_run(p, ctx->opts, point) : applied;
    if (applied != PM_OK) point->params = *p;
    point->status = s;
    return s;
}

pm_status pm_compare4_sweep(const pm_params *base, pm_sweep_variable v, size_t count, const double *values,
                            const pm_compare_options *opts, pm_compare4_point *points, size_t *completed)
{
    memset(points, 0, count * sizeof *points);
    sweep4_context ctx = {opts, points};
    return pm_sweep_run(base, v, count, values, opts, sweep4_point, &ctx, completed);
}
