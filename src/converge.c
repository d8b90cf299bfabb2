#include "phonomaser/converge.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void pm_converge_options_default(pm_converge_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->tail_tol = 1e-8;
    opts->rel_tol = 1e-6;
    opts->n_start = 32;
    opts->n_max = 1L << 20;
    opts->growth = 1.5;
    opts->path = PM_PATH_AUTO;
    pm_steady_options_default(&opts->steady);
}

void pm_converge_result_clear(pm_converge_result *result)
{
    free(result->steps);
    pm_steady_result_clear(&result->final);
    memset(result, 0, sizeof *result);
}

static double rel_change(double now, double before)
{
    return fabs(now - before) / fmax(fabs(now), 1e-300);
}

/* Solve at cutoff N and append a step; keeps the state of the last solve. */
static pm_status solve_step(const pm_params *params, long N, const pm_converge_options *opts,
                            pm_converge_result *result)
{
    pm_params at_n = *params;
    at_n.N = N;
    pm_model *model = NULL;
    pm_status s = pm_model_jc_alloc(&at_n, &model);
    if (s != PM_OK) return s;
    /* pin the largest population of the previous cutoff: one LU instead of two */
    pm_steady_options steady = opts->steady;
    if (result->final.block && result->final.info.pinned_element >= 0) {
        steady.pin_row = result->final.block->row[result->final.info.pinned_element];
        steady.pin_col = result->final.block->col[result->final.info.pinned_element];
    }
    pm_steady_result_clear(&result->final);
    s = pm_steadystate(model, opts->path, &steady, &result->final);
    pm_model_free(model);
    if (s != PM_OK) return s;
    pm_converge_step *steps = realloc(result->steps, (result->nsteps + 1) * sizeof *steps);
    if (!steps) return pm_error_set(PM_ENOMEM, "out of memory recording the convergence ladder");
    result->steps = steps;
    const pm_observables *o = &result->final.obs;
    pm_converge_step *step = &steps[result->nsteps];
    step->N = N;
    step->n_mean = o->n_mean;
    step->n2_mean = o->n2_mean;
    step->g2 = o->g2;
    step->sz_mean = o->sz_mean;
    step->tail_population = o->tail_population;
    step->residual = result->final.info.residual;
    step->min_eigenvalue = o->min_eigenvalue;
    step->seconds = result->final.build_seconds + result->final.info.seconds;
    if (result->nsteps == 0) {
        step->rel_change_n = step->rel_change_n2 = step->abs_change_sz = NAN;
    } else {
        const pm_converge_step *prev = &steps[result->nsteps - 1];
        step->rel_change_n = rel_change(o->n_mean, prev->n_mean);
        step->rel_change_n2 = rel_change(o->n2_mean, prev->n2_mean);
        step->abs_change_sz = fabs(o->sz_mean - prev->sz_mean);
    }
    result->nsteps++;
    result->chosen_N = N;
    result->converged = step->tail_population <= opts->tail_tol && step->rel_change_n <= opts->rel_tol;
    return PM_OK;
}

pm_status pm_converge_ladder(const pm_params *params, size_t count, const long *ladder,
                             const pm_converge_options *opts, pm_converge_result *result)
{
    memset(result, 0, sizeof *result);
    for (size_t k = 0; k < count; k++)
        if (ladder[k] < 2 || (k > 0 && ladder[k] <= ladder[k - 1]))
            return pm_error_set(PM_EINVAL, "N ladder: %ld at position %zu: cutoffs must be integers >= 2 in "
                                "increasing order", ladder[k], k + 1);
    pm_status s = PM_OK;
    for (size_t k = 0; k < count && s == PM_OK; k++) s = solve_step(params, ladder[k], opts, result);
    return s;
}

pm_status pm_converge_auto(const pm_params *params, const pm_converge_options *opts,
                           pm_converge_result *result)
{
    memset(result, 0, sizeof *result);
    if (!(opts->tail_tol > 0 && opts->tail_tol < 1) || !(opts->rel_tol > 0 && opts->rel_tol < 1))
        return pm_error_set(PM_EINVAL, "tail_tol = %g, converge_tol = %g: both must lie in (0, 1)",
                            opts->tail_tol, opts->rel_tol);
    if (opts->n_start < 2 || opts->n_max < opts->n_start || !(opts->growth > 1))
        return pm_error_set(PM_EINVAL, "N = auto: n_start = %ld must be >= 2, n_max >= n_start, growth = %g > 1",
                            opts->n_start, opts->growth);
    long N = opts->n_start;
    pm_status s = PM_OK;
    for (;;) {
        s = solve_step(params, N, opts, result);
        if (s != PM_OK || result->converged || N >= opts->n_max) break;
        long next = (long)ceil((double)N * opts->growth);
        /* the tail is far from the tolerance: jump by the square of the factor */
        if (result->final.obs.tail_population > 1e-2) next = (long)ceil((double)next * opts->growth);
        N = next < opts->n_max ? next : opts->n_max;
    }
    return s;
}
