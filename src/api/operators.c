/* Models given by their operators (handle.h): H and jumps on spin (x) Fock
 * as triplets, the sector structure derived from the operators, and the
 * steady state and evolution (with arbitrary expectation operators) on the
 * sector path when the excitation-difference sectors are invariant, else on
 * the full Liouvillian. */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "phonomaser/core/timer.h"
#include "phonomaser/model/model.h"
#include "phonomaser/solvers/evolve.h"

/* The model type of operator models: no parameters, no closed-form checks. */
static const pm_model_type operator_type = {
    .name = "operators",
    .description = "H and jump operators given by the caller (spin (x) Fock)",
    .frame = "the caller's",
    .truncates_sectors = 0,
    .lab_frame = 0,
    .rwa_model = -1,
    .build = NULL,
    .number_balance = NULL,
};

struct pm_api_model {
    pm_model *model;   /* H, jumps, charge; sector_step valid when derived */
    int derived;
};

pm_status pm_api_model_new(int64_t N, pm_api_model **out)
{
    *out = NULL;
    if (N < 1 || N > (INT64_C(1) << 40))
        return pm_error_set(PM_EINVAL, "model: N = %lld: the Fock dimension must be >= 1", (long long)N);
    pm_api_model *m = calloc(1, sizeof *m);
    pm_model *model = m ? calloc(1, sizeof *model) : NULL;
    if (model) model->charge = malloc((size_t)(2 * N) * sizeof *model->charge);
    if (!model || !model->charge) {
        if (model) free(model);
        free(m);
        return pm_error_set(PM_ENOMEM, "out of memory allocating a model of dimension %lld", (long long)(2 * N));
    }
    model->type = &operator_type;
    pm_params_init(&model->params);
    model->params.N = (long)N;
    model->N = N;
    model->dim = 2 * N;
    model->K = PM_K_AUTO;
    for (int64_t i = 0; i < model->dim; i++) model->charge[i] = pm_space_excitation(N, i);
    m->model = model;
    *out = m;
    return PM_OK;
}

void pm_api_model_free(pm_api_model *model)
{
    if (!model) return;
    pm_model_free(model->model);
    free(model);
}

/* A d x d operator from triplets (duplicates summed). */
static pm_status operator_from_triplets(const char *what, int64_t dim, size_t count, const int64_t *row,
                                        const int64_t *col, const double *values, pm_sparse **out)
{
    *out = NULL;
    if (count > 0 && (!row || !col || !values)) return pm_error_set(PM_EINVAL, "%s: no entries given", what);
    pm_triplets *t = pm_triplets_alloc(dim, dim, count ? (int64_t)count : 1);
    if (!t) return pm_error_set(PM_ENOMEM, "out of memory for %s", what);
    pm_status s = PM_OK;
    for (size_t q = 0; q < count && s == PM_OK; q++) {
        double re = values[2 * q], im = values[2 * q + 1];
        if (row[q] < 0 || row[q] >= dim || col[q] < 0 || col[q] >= dim)
            s = pm_error_set(PM_EINVAL, "%s: entry (%lld, %lld) lies outside the %lld x %lld matrix of spin (x) Fock",
                             what, (long long)row[q], (long long)col[q], (long long)dim, (long long)dim);
        else if (!isfinite(re) || !isfinite(im))
            s = pm_error_set(PM_EINVAL, "%s: entry (%lld, %lld) is not finite", what, (long long)row[q], (long long)col[q]);
        else
            s = pm_triplets_add(t, row[q], col[q], re + I * im);
    }
    if (s == PM_OK) s = pm_sparse_from_triplets(t, out);
    pm_triplets_free(t);
    return s;
}

/* max |A - A^dag| relative to max |A| (0 for A = 0). */
static pm_status hermiticity_error(const pm_sparse *a, double *error)
{
    pm_sparse *adj = NULL, *diff = NULL;
    pm_status s = pm_sparse_adjoint(a, &adj);
    if (s == PM_OK) s = pm_sparse_add(1, a, -1, adj, &diff);
    double scale = 0, worst = 0;
    for (int64_t q = 0; s == PM_OK && q < pm_sparse_nnz(a); q++) scale = fmax(scale, cabs(a->values[q]));
    for (int64_t q = 0; s == PM_OK && q < pm_sparse_nnz(diff); q++) worst = fmax(worst, cabs(diff->values[q]));
    *error = scale > 0 ? worst / scale : 0;
    pm_sparse_free(adj);
    pm_sparse_free(diff);
    return s;
}

pm_status pm_api_model_set_hamiltonian(pm_api_model *m, size_t count, const int64_t *row, const int64_t *col,
                                       const double *values)
{
    pm_sparse *H = NULL;
    pm_status s = operator_from_triplets("H", m->model->dim, count, row, col, values, &H);
    double error = 0;
    if (s == PM_OK) s = hermiticity_error(H, &error);
    if (s == PM_OK && error > 1e-12)
        s = pm_error_set(PM_EINVAL, "H is not Hermitian: max |H - H^dag| = %.3g of max |H|", error);
    if (s != PM_OK) {
        pm_sparse_free(H);
        return s;
    }
    pm_sparse_free(m->model->H);
    m->model->H = H;
    m->derived = 0;
    return PM_OK;
}

pm_status pm_api_model_add_jump(pm_api_model *m, double rate, size_t count, const int64_t *row, const int64_t *col,
                                const double *values)
{
    pm_model *model = m->model;
    if (!(rate >= 0) || !isfinite(rate))
        return pm_error_set(PM_EINVAL, "jump %zu: rate = %g: must be a finite number >= 0 [1/s]", model->njump, rate);
    if (model->njump == PM_MODEL_MAX_JUMPS)
        return pm_error_set(PM_EINVAL, "model: more than %d jump operators", PM_MODEL_MAX_JUMPS);
    char what[32];
    snprintf(what, sizeof what, "jump %zu", model->njump);
    pm_sparse *op = NULL;
    pm_status s = operator_from_triplets(what, model->dim, count, row, col, values, &op);
    if (s != PM_OK) return s;
    model->jump_ops[model->njump] = op;
    model->jumps[model->njump].rate = rate;
    model->jumps[model->njump].op = op;
    model->njump++;
    m->derived = 0;
    return PM_OK;
}

/* The sector structure: the charge n + (spin up), or n - (spin up) if only
 * that one makes the sectors invariant. */
static pm_status derive(pm_api_model *m)
{
    pm_model *model = m->model;
    if (m->derived) return PM_OK;
    if (!model->H) {
        pm_status s = operator_from_triplets("H", model->dim, 0, NULL, NULL, NULL, &model->H);
        if (s != PM_OK) return s;
    }
    int64_t step = 0;
    for (int sign = 1; sign >= -1; sign -= 2) {
        for (int64_t i = 0; i < model->dim; i++)
            model->charge[i] = pm_space_fock(model->N, i) + sign * (pm_space_spin(model->N, i) == PM_SPIN_UP);
        pm_status s = pm_liouvillian_sector_step(model->H, model->njump, model->jumps, model->charge, &step);
        if (s != PM_OK) return s;
        if (step == 0) break;
    }
    if (step != 0) /* neither conserved: keep n + (spin up), whose step says what couples */
        for (int64_t i = 0; i < model->dim; i++) model->charge[i] = pm_space_excitation(model->N, i);
    if (step != 0) pm_liouvillian_sector_step(model->H, model->njump, model->jumps, model->charge, &step);
    model->sector_step = step;
    m->derived = 1;
    return PM_OK;
}

int64_t pm_api_model_sector_step(pm_api_model *m) { return derive(m) == PM_OK ? m->model->sector_step : -1; }

static pm_status path_of(const char *name, pm_path *path)
{
    *path = PM_PATH_AUTO;
    if (name && !pm_path_from_name(name, path))
        return pm_error_set(PM_EINVAL, "path = '%s': must be auto, sector or full", name);
    return PM_OK;
}

pm_status pm_api_model_steadystate(pm_api_model *m, const char *path_name, const char *method,
                                   pm_api_control *control, pm_api_result **out)
{
    *out = NULL;
    pm_path path;
    pm_steady_options opts;
    pm_steady_options_default(&opts);
    opts.stop = pm_api_stop_of(control);
    pm_status s = path_of(path_name, &path);
    if (s == PM_OK && method && strcmp(method, "direct") != 0) {
        if (strcmp(method, "arpack") == 0) opts.method = PM_STEADY_ARPACK;
        else s = pm_error_set(PM_EINVAL, "method = '%s': must be direct or arpack", method);
    }
    if (s == PM_OK) s = derive(m);
    if (s == PM_OK) s = pm_api_result_alloc(out);
    if (s != PM_OK) return s;
    pm_steady_result steady;
    double start = pm_wall_seconds();
    s = pm_steadystate(m->model, path, &opts, &steady);
    if (s == PM_OK) s = pm_api_result_put_steady(*out, &steady, opts.method);
    if (s == PM_OK) s = pm_api_result_put_scalar(*out, "seconds", pm_wall_seconds() - start);
    if (s == PM_OK) s = pm_api_result_put_scalar(*out, "sector_step", (double)m->model->sector_step);
    if (s == PM_OK) s = pm_api_result_put_scalar(*out, "converged", 1);
    pm_steady_result_clear(&steady);
    if (s != PM_OK) {
        pm_api_result_free(*out);
        *out = NULL;
    }
    return s;
}

/* ---------------------------------------------------------------- evolution */

/* One expectation term: expect[m] += coef * x[p] (or * conj(x[p])). */
typedef struct eop_term {
    size_t m;
    int64_t p;
    pm_complex coef;
    int conjugate;
} eop_term;

typedef struct series {
    size_t ntimes, neops;
    double *t, *trace, *n_mean, *n2_mean, *sz_mean, *tail;
    pm_complex *a_mean, *a2_mean, *expect; /* expect[m * ntimes + index] */
} series;

typedef struct block_run {
    const pm_block *block;
    series *out;
    const eop_term *terms;
    size_t nterms;
    size_t reached;      /* output times done */
} block_run;

static int record(void *context, size_t index, double t, const pm_complex *x)
{
    block_run *run = context;
    series *ts = run->out;
    pm_linear_observables lin;
    pm_observables_linear(run->block, x, &lin);
    ts->t[index] = t;
    ts->trace[index] += lin.trace;
    ts->n_mean[index] += lin.n_mean;
    ts->n2_mean[index] += lin.n2_mean;
    ts->sz_mean[index] += lin.sz_mean;
    ts->tail[index] += lin.tail_population;
    ts->a_mean[index] += lin.a_mean;
    ts->a2_mean[index] += lin.a2_mean;
    for (size_t q = 0; q < run->nterms; q++) {
        const eop_term *e = &run->terms[q];
        ts->expect[e->m * ts->ntimes + index] += e->coef * (e->conjugate ? conj(x[e->p]) : x[e->p]);
    }
    run->reached = index + 1;
    return 0;
}

/* The terms of Tr(E_m rho) = sum E_rc rho_cr that `block` holds: rho_cr
 * itself, or (sector k > 0, rho kept on k >= 0) conj(rho_rc). */
static pm_status eop_terms(const pm_block *block, size_t neops, const size_t *start, const int64_t *row,
                           const int64_t *col, const double *values, eop_term **out, size_t *count)
{
    size_t total = neops ? start[neops] : 0, n = 0;
    eop_term *terms = malloc((total ? total : 1) * sizeof *terms);
    if (!terms) return pm_error_set(PM_ENOMEM, "out of memory for the expectation operators");
    int mirrored = block->sector != PM_SECTOR_FULL && block->sector > 0;
    for (size_t m = 0; m < neops; m++)
        for (size_t q = start[m]; q < start[m + 1]; q++) {
            pm_complex v = values[2 * q] + I * values[2 * q + 1];
            int64_t p = pm_block_find(block, col[q], row[q]);
            int conjugate = 0;
            if (p < 0 && mirrored) p = pm_block_find(block, row[q], col[q]), conjugate = 1;
            if (p >= 0) terms[n++] = (eop_term){.m = m, .p = p, .coef = v, .conjugate = conjugate};
        }
    *out = terms;
    *count = n;
    return PM_OK;
}

static void series_free(series *ts)
{
    free(ts->t), free(ts->trace), free(ts->n_mean), free(ts->n2_mean), free(ts->sz_mean), free(ts->tail);
    free(ts->a_mean), free(ts->a2_mean), free(ts->expect);
}

static pm_status series_alloc(series *ts, size_t ntimes, size_t neops)
{
    memset(ts, 0, sizeof *ts);
    ts->ntimes = ntimes;
    ts->neops = neops;
    double **real[] = {&ts->t, &ts->trace, &ts->n_mean, &ts->n2_mean, &ts->sz_mean, &ts->tail};
    int ok = 1;
    for (size_t k = 0; k < sizeof real / sizeof real[0]; k++) ok &= (*real[k] = calloc(ntimes, sizeof(double))) != NULL;
    ts->a_mean = calloc(ntimes, sizeof *ts->a_mean);
    ts->a2_mean = calloc(ntimes, sizeof *ts->a2_mean);
    ts->expect = calloc(ntimes * (neops ? neops : 1), sizeof *ts->expect);
    if (!ok || !ts->a_mean || !ts->a2_mean || !ts->expect) {
        series_free(ts);
        return pm_error_set(PM_ENOMEM, "out of memory for %zu output times", ntimes);
    }
    return PM_OK;
}

static pm_status put_evolution(pm_api_result *result, const series *ts, size_t reached)
{
    double *g2 = malloc((reached ? reached : 1) * sizeof *g2);
    if (!g2) return pm_error_set(PM_ENOMEM, "out of memory");
    for (size_t k = 0; k < reached; k++) g2[k] = pm_g2_from_moments(ts->n_mean[k], ts->n2_mean[k]);
    const struct {
        const char *name;
        const double *data;
    } real[] = {{"t", ts->t},           {"trace", ts->trace}, {"n_mean", ts->n_mean}, {"n2_mean", ts->n2_mean},
                {"g2", g2},             {"sz_mean", ts->sz_mean}, {"tail_population", ts->tail}};
    pm_status s = PM_OK;
    for (size_t k = 0; k < sizeof real / sizeof real[0] && s == PM_OK; k++)
        s = pm_api_result_put_array(result, real[k].name, 'd', real[k].data, reached);
    free(g2);
    if (s == PM_OK) s = pm_api_result_put_array(result, "a_mean", 'c', ts->a_mean, reached);
    if (s == PM_OK) s = pm_api_result_put_array(result, "a2_mean", 'c', ts->a2_mean, reached);
    char name[32];
    for (size_t m = 0; m < ts->neops && s == PM_OK; m++) {
        snprintf(name, sizeof name, "expect_%zu", m);
        s = pm_api_result_put_array(result, name, 'c', ts->expect + m * ts->ntimes, reached);
    }
    return s;
}

/* The sectors k >= 0 holding rho0's elements (k < 0 follow by Hermiticity). */
static pm_status initial_sectors(const pm_model *model, const pm_sparse *rho0, int64_t **sectors, size_t *count)
{
    int64_t kmax = 0;
    for (int64_t j = 0; j < rho0->ncols; j++)
        for (int64_t q = rho0->colptr[j]; q < rho0->colptr[j + 1]; q++)
            {
                int64_t k = llabs(model->charge[rho0->rowind[q]] - model->charge[j]);
                if (k > kmax) kmax = k;
            }
    char *present = calloc((size_t)kmax + 1, 1);
    *sectors = malloc(((size_t)kmax + 1) * sizeof **sectors);
    if (!present || !*sectors) {
        free(present), free(*sectors);
        return pm_error_set(PM_ENOMEM, "out of memory choosing the sectors");
    }
    present[0] = 1; /* the populations */
    for (int64_t j = 0; j < rho0->ncols; j++)
        for (int64_t q = rho0->colptr[j]; q < rho0->colptr[j + 1]; q++)
            present[llabs(model->charge[rho0->rowind[q]] - model->charge[j])] = 1;
    *count = 0;
    for (int64_t k = 0; k <= kmax; k++)
        if (present[k]) (*sectors)[(*count)++] = k;
    free(present);
    return PM_OK;
}

pm_status pm_api_model_mesolve(pm_api_model *m, const char *path_name, size_t rho0_count, const int64_t *rho0_row,
                               const int64_t *rho0_col, const double *rho0_values, size_t ntimes, const double *times,
                               size_t neops, const size_t *eop_start, const int64_t *eop_row, const int64_t *eop_col,
                               const double *eop_values, double rtol, double atol, pm_api_control *control,
                               pm_api_result **out)
{
    *out = NULL;
    pm_model *model = m->model;
    pm_path requested, path;
    char note[256] = "";
    pm_status s = path_of(path_name, &requested);
    if (s == PM_OK && (ntimes < 1 || !times)) s = pm_error_set(PM_EINVAL, "mesolve: no output times given");
    for (size_t k = 0; s == PM_OK && k < ntimes; k++)
        if (!isfinite(times[k]) || (k > 0 && !(times[k] > times[k - 1])))
            s = pm_error_set(PM_EINVAL, "mesolve: times[%zu] = %g: the times must be finite and increasing", k, times[k]);
    for (size_t e = 0; s == PM_OK && e < neops; e++)
        if (eop_start[e + 1] < eop_start[e]) s = pm_error_set(PM_EINVAL, "mesolve: e_ops[%zu]: bad entry range", e);
    for (size_t q = 0; s == PM_OK && neops > 0 && q < eop_start[neops]; q++)
        if (eop_row[q] < 0 || eop_row[q] >= model->dim || eop_col[q] < 0 || eop_col[q] >= model->dim)
            s = pm_error_set(PM_EINVAL, "mesolve: an e_ops entry lies outside the %lld x %lld matrix",
                             (long long)model->dim, (long long)model->dim);
    pm_sparse *rho0 = NULL;
    if (s == PM_OK) s = operator_from_triplets("rho0", model->dim, rho0_count, rho0_row, rho0_col, rho0_values, &rho0);
    double herm = 0;
    if (s == PM_OK) s = hermiticity_error(rho0, &herm);
    if (s == PM_OK && herm > 1e-10)
        s = pm_error_set(PM_EINVAL, "rho0 is not Hermitian: max |rho0 - rho0^dag| = %.3g of max |rho0|", herm);
    if (s == PM_OK) s = derive(m);
    if (s == PM_OK) s = pm_path_resolve(model, requested, &path, note, sizeof note);
    int64_t *sectors = NULL;
    size_t nblocks = 1;
    if (s == PM_OK && path == PM_PATH_SECTOR) s = initial_sectors(model, rho0, &sectors, &nblocks);
    pm_memory_job job = {.evolve = 1, .linear_solver = PM_LINSOL_AUTO, .blocks = nblocks};
    if (s == PM_OK) s = pm_memory_check(model->N, path, 1, &job);
    series ts;
    int have_series = s == PM_OK && (s = series_alloc(&ts, ntimes, neops)) == PM_OK;
    pm_block **blocks = s == PM_OK ? calloc(nblocks, sizeof *blocks) : NULL;
    pm_complex **x = s == PM_OK ? calloc(nblocks, sizeof *x) : NULL;
    if (s == PM_OK && (!blocks || !x)) s = pm_error_set(PM_ENOMEM, "out of memory");
    pm_evolve_options eopts;
    pm_evolve_options_default(&eopts);
    if (rtol > 0) eopts.rtol = rtol;
    if (atol > 0) eopts.atol = atol;
    eopts.stop_flag = pm_api_stop_of(control);
    pm_evolve_info info, total;
    memset(&total, 0, sizeof total);
    double start = pm_wall_seconds(), build_seconds = 0;
    size_t reached = ntimes;
    pm_status evolved = PM_OK;
    for (size_t b = 0; b < nblocks && s == PM_OK && evolved == PM_OK; b++) {
        double t0 = pm_wall_seconds();
        s = pm_model_block(model, path == PM_PATH_SECTOR ? sectors[b] : PM_SECTOR_FULL, &blocks[b]);
        build_seconds += pm_wall_seconds() - t0;
        if (s == PM_OK) x[b] = malloc((size_t)blocks[b]->size * sizeof **x);
        if (s == PM_OK && !x[b]) s = pm_error_set(PM_ENOMEM, "out of memory for a block of %lld elements",
                                                  (long long)blocks[b]->size);
        for (int64_t p = 0; s == PM_OK && p < blocks[b]->size; p++)
            x[b][p] = pm_sparse_get(rho0, blocks[b]->row[p], blocks[b]->col[p]);
        eop_term *terms = NULL;
        size_t nterms = 0;
        if (s == PM_OK) s = eop_terms(blocks[b], neops, eop_start, eop_row, eop_col, eop_values, &terms, &nterms);
        block_run run = {.block = blocks[b], .out = &ts, .terms = terms, .nterms = nterms};
        /* progress of the populations' block (the largest) */
        eopts.progress = b == 0 ? pm_api_progress_of(control, &eopts.progress_user) : NULL;
        memset(&info, 0, sizeof info);
        if (s == PM_OK) evolved = pm_evolve(blocks[b], x[b], ntimes, times, &eopts, record, &run, &info);
        if (s == PM_OK && run.reached < reached) reached = run.reached;
        total.steps += info.steps, total.rhs_evals += info.rhs_evals, total.jac_evals += info.jac_evals;
        total.linear_solver = info.linear_solver;
        free(terms);
    }
    if (s == PM_OK && evolved != PM_OK && evolved != PM_EINTERRUPT) s = evolved;
    if (s == PM_OK) s = pm_api_result_alloc(out);
    if (s == PM_OK) s = put_evolution(*out, &ts, reached);
    const struct {
        const char *name;
        double value;
    } scalars[] = {{"N", (double)model->N}, {"sectors", (double)nblocks}, {"sector_step", (double)model->sector_step},
                   {"steps", (double)total.steps}, {"rhs_evals", (double)total.rhs_evals},
                   {"seconds", pm_wall_seconds() - start}, {"build_seconds", build_seconds},
                   {"complete", evolved == PM_OK}};
    for (size_t k = 0; k < sizeof scalars / sizeof scalars[0] && s == PM_OK; k++)
        s = pm_api_result_put_scalar(*out, scalars[k].name, scalars[k].value);
    if (s == PM_OK) s = pm_api_result_put_string(*out, "path", pm_path_name(path));
    if (s == PM_OK) s = pm_api_result_put_string(*out, "path_note", note);
    if (s == PM_OK) s = pm_api_result_put_string(*out, "linear_solver", pm_linear_solver_name(total.linear_solver));
    if (s == PM_OK && evolved == PM_OK) {
        pm_state *state = NULL;
        s = pm_state_alloc(model->N, nblocks, (const pm_block *const *)blocks, &state);
        for (size_t b = 0; s == PM_OK && b < nblocks; b++)
            memcpy(state->x[b], x[b], (size_t)blocks[b]->size * sizeof **x);
        if (s == PM_OK) state->adjoint_implied = path == PM_PATH_SECTOR;
        if (s == PM_OK) s = pm_api_result_put_state(*out, state);
        pm_state_free(state);
    }
    for (size_t b = 0; blocks && b < nblocks; b++) pm_block_free(blocks[b]), free(x ? x[b] : NULL);
    free(blocks), free(x), free(sectors);
    if (have_series) series_free(&ts);
    pm_sparse_free(rho0);
    if (s != PM_OK) {
        pm_api_result_free(*out);
        *out = NULL;
        return s;
    }
    if (evolved == PM_EINTERRUPT)
        return pm_error_set(PM_EINTERRUPT, "mesolve: stopped by caller after %zu of %zu output times (kept)", reached,
                            ntimes);
    return PM_OK;
}
