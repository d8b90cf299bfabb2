#include "phonomaser/drivers/converge.h"

#include <complex.h>
#include <math.h>
#include <stdio.h>
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
    opts->k_tail_tol = 1e-5;
    opts->k_start = 4;
    opts->k_growth = 1.5;
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

/* How far a criterion x has come from 1 towards its tolerance tol < 1, on a
 * log scale: 0 at x >= 1 (or not measured yet: NaN), 1 at x <= tol. */
static double criterion_progress(double x, double tol)
{
    if (isnan(x) || x >= 1.0) return 0.0;
    if (x <= tol) return 1.0;
    return log(x) / log(tol);
}

/* A progress report of the last step solved (converge.h). */
static void report_step(pm_progress *progress, const pm_converge_result *result, double fraction)
{
    if (!progress->report || result->nsteps == 0) return;
    const pm_converge_step *last = &result->steps[result->nsteps - 1];
    char detail[160], k_text[32] = "";
    if (last->K >= 0) snprintf(k_text, sizeof k_text, ", K = %ld", last->K);
    snprintf(detail, sizeof detail, "N = %ld%s: tail %.1e, change of <n> %.1e", last->N, k_text,
             last->tail_population, last->rel_change_n);
    pm_progress_update(progress, fraction, detail, 1); /* a step takes long enough: no rate limit */
}

/* Solve at cutoffs (N, K) and append a step; keeps the state of the last solve. */
static pm_status solve_step(const pm_model_desc *model, long N, long K, const pm_converge_options *opts,
                            pm_converge_result *result)
{
    pm_model *instance = NULL;
    /* the memory estimate before the model is built */
    pm_model_desc at = *model;
    at.params.N = N;
    at.params.K = K;
    pm_status s = pm_steadystate_memory_check(&at, opts->path, opts->steady.method);
    if (s == PM_OK) s = pm_model_desc_build(model, N, K, &instance);
    if (s != PM_OK) return s;
    int coupled = pm_model_coupled(instance);
    /* pin the largest population of the previous cutoff: one LU instead of two */
    pm_steady_options steady = opts->steady;
    if (result->final.block && result->final.info.pinned_element >= 0) {
        steady.pin_row = result->final.block->row[result->final.info.pinned_element];
        steady.pin_col = result->final.block->col[result->final.info.pinned_element];
    }
    pm_steady_result_clear(&result->final);
    s = pm_steadystate(instance, opts->path, &steady, &result->final);
    coupled = coupled && result->final.path == PM_PATH_SECTOR;
    pm_model_free(instance);
    if (s != PM_OK) return s;
    pm_converge_step *steps = realloc(result->steps, (result->nsteps + 1) * sizeof *steps);
    if (!steps) return pm_error_set(PM_ENOMEM, "out of memory recording the convergence ladder");
    result->steps = steps;
    const pm_observables *o = &result->final.obs;
    pm_converge_step *step = &steps[result->nsteps];
    step->N = N;
    step->K = coupled ? K : -1;
    step->coherence_tail = o->coherence_tail;
    step->a2_abs = cabs(o->a2_mean);
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
    result->chosen_K = step->K;
    result->converged = step->tail_population <= opts->tail_tol && step->rel_change_n <= opts->rel_tol;
    return PM_OK;
}

/* Whether the model's sectors are cut at a K to choose. */
static int k_is_auto(const pm_model_desc *model)
{
    return model->type->truncates_sectors && model->params.K == PM_K_AUTO;
}

static long next_k(long K, const pm_converge_options *opts)
{
    long next = (long)ceil((double)K * opts->k_growth);
    return next > K + 1 ? next : K + 2; /* two: a step of the parity-coupled sectors */
}

/* Solve at cutoff N, growing K first if it is automatic (converge.h); on
 * return the last step is the accepted (N, K) and result->converged says
 * whether N's criteria hold against the previous accepted step. */
static pm_status solve_at(const pm_model_desc *model, long N, const pm_converge_options *opts, long *K,
                          int *k_verified, pm_converge_result *result)
{
    size_t previous = result->nsteps; /* the step N is compared with: the last accepted one */
    const int automatic = k_is_auto(model);
    long k_here = automatic ? *K : model->params.K;
    pm_status s = solve_step(model, N, k_here, opts, result);
    if (s != PM_OK || !automatic || result->steps[result->nsteps - 1].K < 0) goto compare_n;
    for (;;) {
        pm_converge_step *last = &result->steps[result->nsteps - 1];
        int at_n_before = result->nsteps - 1 > previous; /* a smaller K at this N exists */
        int changed_little = at_n_before && last->rel_change_n <= opts->rel_tol;
        if (changed_little) *k_verified = 1;
        int tail_ok = last->coherence_tail <= opts->k_tail_tol;
        if ((tail_ok && *k_verified) || k_here >= N + 1) break;
        k_here = next_k(k_here, opts);
        s = solve_step(model, N, k_here, opts, result);
        if (s != PM_OK) return s;
    }
    *K = k_here;
compare_n:
    if (s != PM_OK) return s;
    /* N's change is against the accepted step at the previous N */
    pm_converge_step *last = &result->steps[result->nsteps - 1];
    if (previous == 0) {
        last->rel_change_n = NAN;
    } else {
        const pm_converge_step *prev = &result->steps[previous - 1];
        last->rel_change_n = rel_change(last->n_mean, prev->n_mean);
        last->rel_change_n2 = rel_change(last->n2_mean, prev->n2_mean);
        last->abs_change_sz = fabs(last->sz_mean - prev->sz_mean);
    }
    result->converged = last->tail_population <= opts->tail_tol && last->rel_change_n <= opts->rel_tol;
    return PM_OK;
}

pm_status pm_converge_evolution_cutoffs(const pm_model_desc *model, const pm_converge_options *opts,
                                        const pm_initial *init, pm_model_desc *out)
{
    pm_model_desc chosen = *model;
    if (pm_converge_is_automatic(model)) {
        pm_converge_result ladder;
        pm_status s = pm_converge_run(model, opts, &ladder);
        if (s == PM_OK) {
            chosen.params.N = ladder.chosen_N;
            if (k_is_auto(model)) chosen.params.K = ladder.chosen_K;
        }
        pm_converge_result_clear(&ladder);
        if (s != PM_OK) return s;
    }
    if (init->kind == PM_INITIAL_FOCK && init->fock_n >= chosen.params.N) chosen.params.N = (long)init->fock_n + 1;
    *out = chosen;
    return PM_OK;
}

int pm_converge_is_automatic(const pm_model_desc *model)
{
    return model->params.N == PM_N_AUTO || k_is_auto(model);
}

pm_status pm_converge_run(const pm_model_desc *model, const pm_converge_options *opts, pm_converge_result *result)
{
    if (model->params.N == PM_N_AUTO) return pm_converge_auto(model, opts, result);
    long N = model->params.N;
    pm_status s = pm_converge_ladder(model, 1, &N, opts, result);
    if (s == PM_OK && result->nsteps > 0) {
        const pm_converge_step *last = &result->steps[result->nsteps - 1];
        /* a fixed N: nothing to compare it with; K = auto: its tail criterion */
        result->converged = !k_is_auto(model) || last->K < 0 || last->coherence_tail <= opts->k_tail_tol;
    }
    return s;
}

pm_status pm_converge_ladder(const pm_model_desc *model, size_t count, const long *ladder,
                             const pm_converge_options *opts, pm_converge_result *result)
{
    memset(result, 0, sizeof *result);
    for (size_t k = 0; k < count; k++)
        if (ladder[k] < 2 || (k > 0 && ladder[k] <= ladder[k - 1]))
            return pm_error_set(PM_EINVAL, "N ladder: %ld at position %zu: cutoffs must be integers >= 2 in "
                                "increasing order", ladder[k], k + 1);
    /* the largest cutoff must fit before the first is solved */
    pm_status s = PM_OK;
    long K = opts->k_start;
    if (count > 0) {
        pm_model_desc at_max = *model;
        at_max.params.N = ladder[count - 1];
        if (k_is_auto(model)) at_max.params.K = K;
        s = pm_steadystate_memory_check(&at_max, opts->path, opts->steady.method);
    }
    int k_verified = 0;
    pm_progress progress = {opts->progress, opts->progress_user, 0, 0.0};
    for (size_t k = 0; k < count && s == PM_OK; k++) {
        s = solve_at(model, ladder[k], opts, &K, &k_verified, result);
        if (s == PM_OK) report_step(&progress, result, (double)(k + 1) / (double)count);
    }
    pm_progress_finish(&progress);
    return s;
}

/* The K before `K` in the ladder k_start, next_k(k_start), ... (k_start if none). */
static long previous_k(long K, const pm_converge_options *opts)
{
    long k = opts->k_start, before = opts->k_start;
    while (k < K) {
        before = k;
        k = next_k(k, opts);
    }
    return before;
}

/* The accepted K at the final N must also hold <n> against the smaller K of
 * the ladder at that same N (across N only the tail was checked, and the K a
 * state needs grows with N).  The check solves at the smaller K into a
 * separate result, records it as a step just before the accepted one (which
 * stays the last step and the returned state), and sets *ok. */
static pm_status verify_k(const pm_model_desc *model, long N, long K, const pm_converge_options *opts,
                          pm_converge_result *result, int *ok)
{
    *ok = 1;
    long K_small = previous_k(K, opts);
    if (K_small >= K) return PM_OK; /* K = k_start: nothing smaller to compare with */
    if (result->nsteps >= 2) { /* solved already just before (K grew at this N) */
        const pm_converge_step *before = &result->steps[result->nsteps - 2], *accepted = &result->steps[result->nsteps - 1];
        if (before->N == N && before->K == K_small) {
            *ok = rel_change(accepted->n_mean, before->n_mean) <= opts->rel_tol;
            return PM_OK;
        }
    }
    pm_converge_result check;
    memset(&check, 0, sizeof check);
    pm_status s = solve_step(model, N, K_small, opts, &check);
    if (s == PM_OK) {
        pm_converge_step *steps = realloc(result->steps, (result->nsteps + 1) * sizeof *steps);
        if (!steps) {
            s = pm_error_set(PM_ENOMEM, "out of memory recording the convergence ladder");
        } else {
            result->steps = steps;
            pm_converge_step accepted = steps[result->nsteps - 1];
            steps[result->nsteps - 1] = check.steps[0];
            steps[result->nsteps - 1].rel_change_n = NAN;
            accepted.rel_change_n = fmax(accepted.rel_change_n, rel_change(accepted.n_mean, check.steps[0].n_mean));
            steps[result->nsteps] = accepted;
            result->nsteps++;
            *ok = rel_change(accepted.n_mean, check.steps[0].n_mean) <= opts->rel_tol;
        }
    }
    pm_converge_result_clear(&check);
    return s;
}

pm_status pm_converge_auto(const pm_model_desc *model, const pm_converge_options *opts,
                           pm_converge_result *result)
{
    memset(result, 0, sizeof *result);
    if (!(opts->tail_tol > 0 && opts->tail_tol < 1) || !(opts->rel_tol > 0 && opts->rel_tol < 1))
        return pm_error_set(PM_EINVAL, "tail_tol = %g, converge_tol = %g: both must lie in (0, 1)",
                            opts->tail_tol, opts->rel_tol);
    if (opts->n_start < 2 || opts->n_max < opts->n_start || !(opts->growth > 1))
        return pm_error_set(PM_EINVAL, "N = auto: n_start = %ld must be >= 2, n_max >= n_start, growth = %g > 1",
                            opts->n_start, opts->growth);
    if (k_is_auto(model) && (!(opts->k_tail_tol > 0 && opts->k_tail_tol < 1) || opts->k_start < 0 ||
                              !(opts->k_growth > 1)))
        return pm_error_set(PM_EINVAL, "K = auto: k_tail_tol = %g must lie in (0, 1), k_start = %ld >= 0, "
                            "k_growth = %g > 1", opts->k_tail_tol, opts->k_start, opts->k_growth);
    long N = opts->n_start, K = opts->k_start;
    int k_verified = 0;
    pm_status s = PM_OK;
    pm_progress progress = {opts->progress, opts->progress_user, 0, 0.0};
    double fraction = 0.0;
    for (;;) {
        s = solve_at(model, N, opts, &K, &k_verified, result);
        if (s == PM_OK) {
            const pm_converge_step *last = &result->steps[result->nsteps - 1];
            fraction = fmax(fraction, fmin(criterion_progress(last->tail_population, opts->tail_tol),
                                           criterion_progress(last->rel_change_n, opts->rel_tol)));
            report_step(&progress, result, fraction);
        }
        if (s == PM_OK && result->converged && k_is_auto(model) && result->chosen_K >= 0) {
            int ok = 1;
            s = verify_k(model, N, K, opts, result, &ok);
            if (s == PM_OK && !ok && K < N + 1) {
                /* <n> still moves with K here: a larger K at the same N */
                K = next_k(K, opts);
                result->converged = 0;
                continue;
            }
        }
        if (s != PM_OK || result->converged || N >= opts->n_max) break;
        long next = (long)ceil((double)N * opts->growth);
        /* the tail is far from the tolerance: jump by the square of the factor */
        if (result->final.obs.tail_population > 1e-2) next = (long)ceil((double)next * opts->growth);
        N = next < opts->n_max ? next : opts->n_max;
    }
    pm_progress_finish(&progress);
    return s;
}
