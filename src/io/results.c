/* The documented HDF5 result layout (results.h): writers a C caller and the
 * command line share. */
#include "phonomaser/io/results.h"

#include <complex.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phonomaser/drivers/solve.h"
#include "phonomaser/model/model.h"
#include "phonomaser/model/terms.h"
#include "phonomaser/theory/reduced.h"
#include "io/results_fields.h"

pm_status pm_results_write_parameters(pm_h5file *file, const pm_params *p, long N_used)
{
    pm_status s = PM_OK;
    struct {
        const char *name;
        double value;
        const char *unit;
    } params[] = {
        {"omega_m", p->omega_m, "rad/s"}, {"Q", p->Q, "1"},
        {"gamma_m", p->gamma_m, "1/s"}, {"gamma_1", p->gamma_1, "1/s"},
        {"gamma_2", p->gamma_2, "1/s"}, {"S", p->S, "1"},
        {"gamma_up", p->gamma_up, "1/s"}, {"gamma_down", p->gamma_down, "1/s"},
        {"gamma_phi", p->gamma_phi, "1/s"}, {"eta", p->g / p->omega_m, "1"},
        {"g", p->g, "rad/s"}, {"delta", p->delta, "rad/s"},
        {"n_th", p->n_th, "1"}, {"T", p->T, "K"}, {"drive", p->drive, "rad/s"},
        {"theta", p->theta, "rad"},
    };
    for (size_t k = 0; k < sizeof params / sizeof params[0] && s == PM_OK; k++)
        if (pm_params_key_applies(params[k].name, p->model) || !pm_params_is_key(params[k].name))
            s = pm_h5_attr_double(file, "/parameters", params[k].name, params[k].value, params[k].unit);
    if (s == PM_OK) s = pm_h5_attr_string(file, "/parameters", "model", pm_params_model_name(p->model));
    /* the user terms, one "key = value" per line (only when there are any) */
    if (s == PM_OK && p->terms.count > 0) {
        char terms[PM_TERMS_MAX * (PM_TERM_KEY_SIZE + PM_TERM_TEXT_MAX + 4)];
        size_t used = 0;
        terms[0] = '\0';
        for (int t = 0; t < p->terms.count; t++)
            used += (size_t)snprintf(terms + used, sizeof terms - used, "%s%s = %s", t ? "\n" : "", p->terms.key[t],
                                     p->terms.text[t]);
        s = pm_h5_attr_string(file, "/parameters", "terms", terms);
    }
    /* N = auto: the cutoff the search chose (config_ini keeps "auto"); no
     * cutoff at all where no master equation was solved (theory) */
    if (N_used < 0) {
        if (s == PM_OK) s = pm_h5_attr_string(file, "/parameters", "N_mode", "unused");
        return s;
    }
    long N = p->N == PM_N_AUTO && N_used > 0 ? N_used : p->N;
    if (s == PM_OK) s = pm_h5_attr_int(file, "/parameters", "N", N);
    if (s == PM_OK) s = pm_h5_attr_string(file, "/parameters", "N_mode", p->N == PM_N_AUTO ? "auto" : "fixed");
    return s;
}

size_t pm_results_observable_values(const pm_observables *obs, pm_named_double *out)
{
    const pm_named_double values[] = {
        {"n_mean", obs->n_mean, "1"},
        {"n2_mean", obs->n2_mean, "1"},
        {"g2", obs->g2, "1"},
        {"sz_mean", obs->sz_mean, "1"},
        {"a_re", creal(obs->a_mean), "1"},
        {"a_im", cimag(obs->a_mean), "1"},
        {"a2_re", creal(obs->a2_mean), "1"},
        {"a2_im", cimag(obs->a2_mean), "1"},
        {"coherence_tail", obs->coherence_tail, "1"},
        {"trace", obs->trace, "1"},
        {"hermiticity_error", obs->hermiticity_error, "1"},
        {"min_eigenvalue", obs->min_eigenvalue, "1"},
        {"tail_population", obs->tail_population, "1"},
    };
    size_t count = sizeof values / sizeof values[0];
    _Static_assert(sizeof values / sizeof values[0] <= PM_RESULTS_OBSERVABLES, "PM_RESULTS_OBSERVABLES");
    memcpy(out, values, sizeof values);
    return count;
}

pm_status pm_results_write_observables(pm_h5file *file, const char *group, const pm_observables *obs)
{
    pm_named_double values[PM_RESULTS_OBSERVABLES];
    size_t count = pm_results_observable_values(obs, values);
    pm_status s = PM_OK;
    for (size_t k = 0; k < count && s == PM_OK; k++)
        s = pm_h5_attr_double(file, group, values[k].name, values[k].value, values[k].unit);
    if (s == PM_OK) s = pm_h5_attr_int(file, group, "tail_levels", obs->tail_levels);
    char path[256];
    snprintf(path, sizeof path, "%s/p_n", group);
    if (s == PM_OK) s = pm_h5_dataset_double(file, path, obs->p_n, (size_t)obs->N, 0, "1");
    snprintf(path, sizeof path, "%s/rho_spin", group);
    if (s == PM_OK) s = pm_h5_dataset_complex(file, path, &obs->rho_spin[0][0], 2, 2, "1");
    /* Frobenius norm of each sector k = -max_sector..max_sector */
    snprintf(path, sizeof path, "%s/sector_norm", group);
    if (s == PM_OK && obs->sector_norm)
        s = pm_h5_dataset_double(file, path, obs->sector_norm, (size_t)(2 * obs->max_sector + 1), 0, "1");
    return s;
}

pm_status pm_results_write_state(pm_h5file *file, const char *group, const pm_state *state)
{
    size_t total = 0;
    for (size_t b = 0; b < state->nblocks; b++) total += (size_t)state->blocks[b]->size;
    int64_t *row = malloc((total ? total : 1) * sizeof *row);
    int64_t *col = malloc((total ? total : 1) * sizeof *col);
    double complex *value = malloc((total ? total : 1) * sizeof *value);
    pm_status s = (row && col && value) ? PM_OK : pm_error_set(PM_ENOMEM, "out of memory writing rho");
    size_t n = 0;
    for (size_t b = 0; b < state->nblocks && s == PM_OK; b++)
        for (int64_t p = 0; p < state->blocks[b]->size; p++) {
            row[n] = state->blocks[b]->row[p];
            col[n] = state->blocks[b]->col[p];
            value[n] = state->x[b][p];
            n++;
        }
    char path[256];
    snprintf(path, sizeof path, "%s/row", group);
    if (s == PM_OK) s = pm_h5_dataset_int(file, path, row, n, "1");
    snprintf(path, sizeof path, "%s/col", group);
    if (s == PM_OK) s = pm_h5_dataset_int(file, path, col, n, "1");
    snprintf(path, sizeof path, "%s/value", group);
    if (s == PM_OK) s = pm_h5_dataset_complex(file, path, value, n, 0, "1");
    if (s == PM_OK) s = pm_h5_attr_int(file, group, "dim", 2 * state->N);
    /* 1: only sectors k >= 0 are stored, rho_ji = conj(rho_ij) gives the rest */
    if (s == PM_OK) s = pm_h5_attr_int(file, group, "adjoint_implied", state->adjoint_implied);
    if (s == PM_OK)
        s = pm_h5_attr_string(file, group, "basis",
                              "index i = s*N + n, s = 0 spin up, 1 spin down (QuTiP tensor(spin, fock))");
    free(row), free(col), free(value);
    return s;
}

static const pm_results_column ladder_columns[] = {
    {"n_mean", offsetof(pm_converge_step, n_mean), "1"},
    {"n2_mean", offsetof(pm_converge_step, n2_mean), "1"},
    {"g2", offsetof(pm_converge_step, g2), "1"},
    {"sz_mean", offsetof(pm_converge_step, sz_mean), "1"},
    {"tail_population", offsetof(pm_converge_step, tail_population), "1"},
    {"rel_change_n", offsetof(pm_converge_step, rel_change_n), "1"},
    {"rel_change_n2", offsetof(pm_converge_step, rel_change_n2), "1"},
    {"abs_change_sz", offsetof(pm_converge_step, abs_change_sz), "1"},
    {"residual", offsetof(pm_converge_step, residual), "1/s"},
    {"min_eigenvalue", offsetof(pm_converge_step, min_eigenvalue), "1"},
    {"seconds", offsetof(pm_converge_step, seconds), "s"},
    {"coherence_tail", offsetof(pm_converge_step, coherence_tail), "1"},
    {"a2_abs", offsetof(pm_converge_step, a2_abs), "1"},
};

const pm_results_column *pm_results_ladder_columns(size_t *count)
{
    *count = sizeof ladder_columns / sizeof ladder_columns[0];
    return ladder_columns;
}

pm_status pm_results_write_ladder(pm_h5file *file, const char *group, const pm_converge_result *result,
                              double tail_tol, double rel_tol)
{
    size_t n = result->nsteps;
    double *column = malloc((n ? n : 1) * sizeof *column);
    int64_t *cutoffs = malloc((n ? n : 1) * sizeof *cutoffs);
    if (!column || !cutoffs) {
        free(column), free(cutoffs);
        return pm_error_set(PM_ENOMEM, "out of memory writing the convergence ladder");
    }
    char path[256];
    for (size_t k = 0; k < n; k++) cutoffs[k] = result->steps[k].N;
    snprintf(path, sizeof path, "%s/N", group);
    pm_status s = pm_h5_dataset_int(file, path, cutoffs, n, "1");
    /* K: the sector cutoff of each step (-1: the model has no coupled sectors) */
    for (size_t k = 0; k < n; k++) cutoffs[k] = result->steps[k].K;
    snprintf(path, sizeof path, "%s/K", group);
    if (s == PM_OK) s = pm_h5_dataset_int(file, path, cutoffs, n, "1");
    size_t ncolumns = 0;
    const pm_results_column *columns = pm_results_ladder_columns(&ncolumns);
    for (size_t c = 0; c < ncolumns && s == PM_OK; c++) {
        for (size_t k = 0; k < n; k++)
            column[k] = *(const double *)((const char *)&result->steps[k] + columns[c].offset);
        snprintf(path, sizeof path, "%s/%s", group, columns[c].name);
        s = pm_h5_dataset_double(file, path, column, n, 0, columns[c].unit);
    }
    if (s == PM_OK) s = pm_h5_attr_int(file, group, "chosen_N", result->chosen_N);
    if (s == PM_OK) s = pm_h5_attr_int(file, group, "chosen_K", result->chosen_K);
    if (s == PM_OK) s = pm_h5_attr_int(file, group, "converged", result->converged);
    if (s == PM_OK) s = pm_h5_attr_double(file, group, "tail_tol", tail_tol, "1");
    if (s == PM_OK) s = pm_h5_attr_double(file, group, "converge_tol", rel_tol, "1");
    free(column), free(cutoffs);
    return s;
}

/* ------------------------------------------------------------------ readers */

pm_status pm_results_read_parameters(pm_h5file *file, pm_params *params, int *found)
{
    struct {
        const char *name;
        double *field;
    } fields[] = {
        {"omega_m", &params->omega_m}, {"Q", &params->Q},
        {"gamma_m", &params->gamma_m}, {"gamma_1", &params->gamma_1},
        {"gamma_2", &params->gamma_2}, {"S", &params->S},
        {"gamma_up", &params->gamma_up}, {"gamma_down", &params->gamma_down},
        {"gamma_phi", &params->gamma_phi}, {"eta", &params->eta},
        {"g", &params->g}, {"delta", &params->delta},
        {"n_th", &params->n_th},
    };
    *found = 0;
    int exists = 0;
    pm_status s = pm_h5_exists(file, "/parameters", &exists);
    if (s != PM_OK || !exists) return s;
    for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
        s = pm_h5_read_attr_double(file, "/parameters", fields[k].name, fields[k].field);
        if (s != PM_OK) {
            pm_error_clear();
            return PM_OK; /* incomplete: no Maxwell-Bloch radius */
        }
    }
    *found = 1;
    return PM_OK;
}

void pm_results_triplets_clear(pm_results_triplets *t)
{
    free(t->row), free(t->col), free(t->value);
    memset(t, 0, sizeof *t);
}

pm_status pm_results_read_triplets(pm_h5file *file, const char *group, pm_results_triplets *out)
{
    memset(out, 0, sizeof *out);
    char dataset[600];
    size_t nrow = 0, ncol = 0, nval = 0;
    snprintf(dataset, sizeof dataset, "%s/row", group);
    pm_status s = pm_h5_dataset_size(file, dataset, &nrow);
    snprintf(dataset, sizeof dataset, "%s/col", group);
    if (s == PM_OK) s = pm_h5_dataset_size(file, dataset, &ncol);
    snprintf(dataset, sizeof dataset, "%s/value", group);
    if (s == PM_OK) s = pm_h5_dataset_size(file, dataset, &nval);
    if (s == PM_OK && (nrow != ncol || nrow != nval))
        s = pm_error_set(PM_EINVAL, "%s/row, col and value differ in length (%zu, %zu, %zu)", group, nrow, ncol, nval);
    /* a dataset may be declared far larger than its file (HDF5 fills it on
     * reading): the elements must fit in memory before they are allocated */
    double need = (double)nrow * (2 * sizeof(int64_t) + sizeof(double complex));
    if (s == PM_OK && need > pm_memory_available())
        s = pm_error_set(PM_ETOOLARGE, "%s: its %zu elements need about %.3g GB, more than the %.3g GB available",
                         PM_EXCERPT(group), nrow, need / 1e9, pm_memory_available() / 1e9);
    int64_t adjoint_implied = 0;
    if (s == PM_OK) s = pm_h5_read_attr_int(file, group, "dim", &out->dim);
    if (s == PM_OK) s = pm_h5_read_attr_int(file, group, "adjoint_implied", &adjoint_implied);
    if (s == PM_OK) {
        size_t n = nrow ? nrow : 1;
        out->row = malloc(n * sizeof *out->row);
        out->col = malloc(n * sizeof *out->col);
        out->value = malloc(n * sizeof *out->value);
        if (!out->row || !out->col || !out->value)
            s = pm_error_set(PM_ENOMEM, "%s: out of memory (%zu elements)", group, nrow);
    }
    snprintf(dataset, sizeof dataset, "%s/row", group);
    if (s == PM_OK && nrow > 0) s = pm_h5_read_int(file, dataset, out->row);
    snprintf(dataset, sizeof dataset, "%s/col", group);
    if (s == PM_OK && nrow > 0) s = pm_h5_read_int(file, dataset, out->col);
    snprintf(dataset, sizeof dataset, "%s/value", group);
    if (s == PM_OK && nrow > 0) s = pm_h5_read_complex(file, dataset, out->value);
    out->count = nrow;
    out->adjoint_implied = adjoint_implied != 0;
    if (s != PM_OK) pm_results_triplets_clear(out);
    return s;
}

pm_status pm_results_write_evolve(pm_h5file *file, const pm_mesolve_result *result, size_t skip,
                                  const pm_results_evolve_run *run)
{
    const pm_timeseries *ts = &result->series;
    size_t n = ts->ntimes > skip ? ts->ntimes - skip : 0;
    const struct {
        const char *name;
        const double *data;
        const char *unit;
    } series[] = {
        {"t", ts->t, "s"}, {"n_mean", ts->n_mean, "1"}, {"n2_mean", ts->n2_mean, "1"}, {"g2", ts->g2, "1"},
        {"sz_mean", ts->sz_mean, "1"}, {"trace", ts->trace, "1"}, {"tail_population", ts->tail_population, "1"},
    };
    pm_status s = PM_OK;
    char path[64];
    for (size_t k = 0; k < sizeof series / sizeof series[0] && s == PM_OK; k++) {
        snprintf(path, sizeof path, "/evolve/%s", series[k].name);
        s = pm_h5_dataset_double(file, path, series[k].data + skip, n, 0, series[k].unit);
    }
    if (s == PM_OK) s = pm_h5_dataset_complex(file, "/evolve/a_mean", ts->a_mean + skip, n, 0, "1");
    if (s == PM_OK) s = pm_h5_dataset_complex(file, "/evolve/a2_mean", ts->a2_mean + skip, n, 0, "1");
    if (s == PM_OK) s = pm_h5_attr_string(file, "/evolve", "path", pm_path_name(result->path));
    if (s == PM_OK) s = pm_h5_attr_string(file, "/evolve", "initial", run->initial);
    if (s == PM_OK) s = pm_h5_attr_double(file, "/evolve", "seconds", run->seconds, "s");
    if (s == PM_OK) s = pm_h5_attr_double(file, "/evolve", "rtol", run->rtol, "1");
    if (s == PM_OK) s = pm_h5_attr_double(file, "/evolve", "atol", run->atol, "1");
    if (s == PM_OK && !isnan(run->resumed_at)) s = pm_h5_attr_double(file, "/evolve", "resumed_at", run->resumed_at, "s");
    const struct {
        const char *name;
        long long value;
    } stats[] = {{"steps", result->info.steps}, {"rhs_evals", result->info.rhs_evals},
                 {"jac_evals", result->info.jac_evals}, {"lin_iters", result->info.lin_iters},
                 {"sectors", (long long)result->nblocks}};
    for (size_t k = 0; k < sizeof stats / sizeof stats[0] && s == PM_OK; k++)
        s = pm_h5_attr_int(file, "/evolve/solver", stats[k].name, stats[k].value);
    if (s == PM_OK && result->final_state) s = pm_results_write_state(file, "/evolve/rho_final", result->final_state);
    return s;
}

pm_status pm_results_write_wigner(pm_h5file *file, const pm_wigner_image *wr, const pm_wigner_mech *mech, double n_las,
                                  const char *source)
{
    const char *g = "/wigner";
    size_t np = wr->points;
    pm_status s = pm_h5_dataset_double(file, "/wigner/z", wr->z, np, 0, "1");
    if (s == PM_OK) s = pm_h5_dataset_double(file, "/wigner/p", wr->z, np, 0, "1");
    if (s == PM_OK) s = pm_h5_dataset_double(file, "/wigner/W", wr->W, np, np, "1");
    if (s == PM_OK) s = pm_h5_attr_string(file, "/wigner/W", "layout", "W[iz][ip]: rows z, columns p");
    if (s == PM_OK)
        s = pm_h5_attr_string(file, g, "convention",
                              "z = (a + a^dag)/sqrt(2), p = (a - a^dag)/(i sqrt(2)); integral W dz dp = Tr rho_m "
                              "(QuTiP wigner with g = sqrt(2), transposed); <n> = <z^2 + p^2>/2 - 1/2");
    if (s == PM_OK) s = pm_h5_attr_string(file, g, "path", pm_wigner_path_name(wr->path));
    if (s == PM_OK) s = pm_h5_attr_string(file, g, "source", source);
    if (s == PM_OK) s = pm_h5_attr_int(file, g, "N", mech->N);
    if (s == PM_OK) s = pm_h5_attr_int(file, g, "max_coherence_order", mech->kmax);
    if (s == PM_OK) s = pm_h5_attr_double(file, g, "range", wr->range, "1");
    if (s == PM_OK) s = pm_h5_attr_double(file, g, "step", wr->step, "1");
    if (s == PM_OK) s = pm_h5_attr_double(file, g, "ring_radius_exact", wr->ring.r_peak_w, "1");
    if (s == PM_OK) s = pm_h5_attr_double(file, g, "ring_radius_pr", wr->ring.r_peak_pr, "1");
    /* no model parameters (a --state file without /parameters): no
     * Maxwell-Bloch radius, rather than a NaN */
    if (s == PM_OK && isfinite(n_las)) s = pm_h5_attr_double(file, g, "ring_radius_mb", pm_reduced_ring_radius_of(n_las), "1");
    if (s == PM_OK && isfinite(n_las)) s = pm_h5_attr_double(file, g, "n_las", n_las, "1");
    if (s == PM_OK) s = pm_h5_attr_double(file, g, "W_min", wr->W_min, "1");
    if (s == PM_OK) s = pm_h5_attr_double(file, g, "W_max", wr->W_max, "1");
    if (s == PM_OK) s = pm_h5_attr_double(file, g, "integral", wr->integral, "1");
    if (s == PM_OK) s = pm_h5_attr_double(file, g, "seconds", wr->seconds, "s");
    if (s == PM_OK) s = pm_h5_attr_double(file, g, "grid_seconds", wr->grid_seconds, "s");
    if (s == PM_OK)
        s = pm_h5_attr_string(file, "/wigner", "ring_radius_notes",
                              "exact: argmax of the phase-averaged W(r); pr: argmax of 2 pi r W(r) (Eq. 20); "
                              "mb: sqrt(2 n_las), Maxwell-Bloch (Eq. 15), 0 below threshold");
    if (s == PM_OK) s = pm_h5_dataset_double(file, "/wigner/radial/r", wr->radial_r, wr->nradial, 0, "1");
    if (s == PM_OK) s = pm_h5_dataset_double(file, "/wigner/radial/W", wr->radial_W, wr->nradial, 0, "1");
    if (s == PM_OK) s = pm_h5_dataset_double(file, "/wigner/radial/P_r", wr->radial_P, wr->nradial, 0, "1");
    if (s == PM_OK)
        s = pm_h5_attr_string(file, "/wigner/radial", "description",
                              "phase-averaged W(r) (exact W for a phase-invariant state) and the radial "
                              "density P_r = 2 pi r W(r), integral P_r dr = 1");
    return s;
}

pm_status pm_results_write_steady(pm_h5file *file, const pm_steady_result *result, pm_steady_method method,
                                  double seconds, int store_rho)
{
    pm_status s = pm_results_write_observables(file, "/steady", &result->obs);
    if (s == PM_OK) s = pm_h5_attr_string(file, "/steady", "method", method == PM_STEADY_ARPACK ? "arpack" : "direct");
    if (s == PM_OK) s = pm_h5_attr_string(file, "/steady", "path", pm_path_name(result->path));
    if (s == PM_OK) s = pm_h5_attr_double(file, "/steady", "residual", result->info.residual, "1/s");
    if (s == PM_OK) s = pm_h5_attr_double(file, "/steady", "seconds", seconds, "s");
    if (s == PM_OK) s = pm_h5_attr_double(file, "/steady/solver", "solve_seconds", result->info.seconds, "s");
    if (s == PM_OK) s = pm_h5_attr_double(file, "/steady/solver", "build_seconds", result->build_seconds, "s");
    const struct {
        const char *name;
        long long value;
    } sizes[] = {{"lu_nnz", result->info.lu_nnz}, {"matrix_nnz", result->info.matrix_nnz},
                 {"matrix_size", result->block->size}, {"iterations", result->info.iterations},
                 {"real_fold", result->info.real_fold}};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0] && s == PM_OK; k++)
        s = pm_h5_attr_int(file, "/steady/solver", sizes[k].name, sizes[k].value);
    if (s == PM_OK && method == PM_STEADY_ARPACK)
        s = pm_h5_attr_double(file, "/steady/solver", "eigenvalue_re", result->info.eigenvalue_re, "1/s");
    if (s == PM_OK && store_rho) s = pm_results_write_state(file, "/steady/rho", result->state);
    return s;
}

pm_status pm_results_write_sector_cutoff(pm_h5file *file, const pm_params *params, long K_used)
{
    const pm_model_type *type = pm_model_type_get(params->model);
    if (!type || !type->truncates_sectors) return PM_OK;
    pm_status s = pm_h5_attr_int(file, "/parameters", "K", K_used);
    if (s == PM_OK) s = pm_h5_attr_string(file, "/parameters", "K_mode", params->K == PM_K_AUTO ? "auto" : "fixed");
    return s;
}
