/* pm_api_result: named scalars, strings and arrays (handle.h), and the
 * builders the runs use to fill them from library results. */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "io/results_fields.h"

#define NAME_MAX_LEN 48

typedef struct entry {
    char name[NAME_MAX_LEN];
    char kind;     /* 's' scalar, 't' string, 'a' array */
    char type;     /* arrays: 'd', 'c', 'i' */
    double scalar;
    char *text;
    void *data;
    size_t length;
} entry;

struct pm_api_result {
    size_t count, capacity;
    entry *entries;
};

static size_t element_size(char type)
{
    return type == 'c' ? 2 * sizeof(double) : type == 'i' ? sizeof(int64_t) : sizeof(double);
}

pm_status pm_api_result_alloc(pm_api_result **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? PM_OK : pm_error_set(PM_ENOMEM, "out of memory allocating a result");
}

void pm_api_result_free(pm_api_result *result)
{
    if (!result) return;
    for (size_t k = 0; k < result->count; k++) free(result->entries[k].text), free(result->entries[k].data);
    free(result->entries);
    free(result);
}

static const entry *find(const pm_api_result *result, char kind, const char *name)
{
    if (!result || !name) return NULL;
    for (size_t k = 0; k < result->count; k++)
        if (result->entries[k].kind == kind && strcmp(result->entries[k].name, name) == 0) return &result->entries[k];
    return NULL;
}

/* A new entry of `kind` named `name` (an existing one of that name is replaced). */
static entry *add(pm_api_result *result, char kind, const char *name)
{
    entry *e = (entry *)find(result, kind, name);
    if (e) {
        free(e->text), free(e->data);
    } else {
        if (result->count == result->capacity) {
            size_t capacity = result->capacity ? 2 * result->capacity : 32;
            entry *grown = realloc(result->entries, capacity * sizeof *grown);
            if (!grown) return NULL;
            result->entries = grown;
            result->capacity = capacity;
        }
        e = &result->entries[result->count++];
    }
    memset(e, 0, sizeof *e);
    snprintf(e->name, sizeof e->name, "%s", name);
    e->kind = kind;
    return e;
}

pm_status pm_api_result_put_scalar(pm_api_result *result, const char *name, double value)
{
    entry *e = add(result, 's', name);
    if (!e) return pm_error_set(PM_ENOMEM, "out of memory filling a result");
    e->scalar = value;
    return PM_OK;
}

pm_status pm_api_result_put_string(pm_api_result *result, const char *name, const char *value)
{
    entry *e = add(result, 't', name);
    if (e) e->text = strdup(value ? value : "");
    if (!e || !e->text) {
        if (e) result->count--;
        return pm_error_set(PM_ENOMEM, "out of memory filling a result");
    }
    return PM_OK;
}

pm_status pm_api_result_put_array(pm_api_result *result, const char *name, char type, const void *data, size_t length)
{
    entry *e = add(result, 'a', name);
    if (e) e->data = malloc(length ? length * element_size(type) : 1);
    if (!e || !e->data) {
        if (e) result->count--;
        return pm_error_set(PM_ENOMEM, "out of memory filling a result (%zu elements of '%s')", length, name);
    }
    e->type = type;
    e->length = length;
    if (length) memcpy(e->data, data, length * element_size(type));
    return PM_OK;
}

const char *pm_api_result_name(const pm_api_result *result, char kind, size_t index)
{
    if (!result) return NULL;
    for (size_t k = 0; k < result->count; k++)
        if (result->entries[k].kind == kind && index-- == 0) return result->entries[k].name;
    return NULL;
}

double pm_api_result_scalar(const pm_api_result *result, const char *name)
{
    const entry *e = find(result, 's', name);
    return e ? e->scalar : NAN;
}

const char *pm_api_result_string(const pm_api_result *result, const char *name)
{
    const entry *e = find(result, 't', name);
    return e ? e->text : NULL;
}

char pm_api_result_array_type(const pm_api_result *result, const char *name)
{
    const entry *e = find(result, 'a', name);
    return e ? e->type : 0;
}

int64_t pm_api_result_array_length(const pm_api_result *result, const char *name)
{
    const entry *e = find(result, 'a', name);
    return e ? (int64_t)e->length : -1;
}

pm_status pm_api_result_array_copy(const pm_api_result *result, const char *name, void *out, size_t bytes)
{
    const entry *e = find(result, 'a', name);
    if (!e) return pm_error_set(PM_EINVAL, "result: no array '%s'", name ? name : "(null)");
    size_t need = e->length * element_size(e->type);
    if (bytes < need) return pm_error_set(PM_EINVAL, "result: array '%s' needs %zu bytes, the buffer has %zu", name, need, bytes);
    if (need) memcpy(out, e->data, need);
    return PM_OK;
}

/* ------------------------------------------------------------- builders */

pm_status pm_api_result_put_observables(pm_api_result *result, const pm_observables *obs)
{
    pm_named_double values[PM_RESULTS_OBSERVABLES];
    size_t count = pm_results_observable_values(obs, values);
    pm_status s = PM_OK;
    for (size_t k = 0; k < count && s == PM_OK; k++) s = pm_api_result_put_scalar(result, values[k].name, values[k].value);
    if (s == PM_OK) s = pm_api_result_put_scalar(result, "tail_levels", (double)obs->tail_levels);
    if (s == PM_OK) s = pm_api_result_put_scalar(result, "N", (double)obs->N);
    if (s == PM_OK) s = pm_api_result_put_array(result, "p_n", 'd', obs->p_n, (size_t)obs->N);
    if (s == PM_OK) s = pm_api_result_put_array(result, "rho_spin", 'c', &obs->rho_spin[0][0], 4);
    if (s == PM_OK && obs->sector_norm)
        s = pm_api_result_put_array(result, "sector_norm", 'd', obs->sector_norm, (size_t)(2 * obs->max_sector + 1));
    return s;
}

pm_status pm_api_result_put_steady(pm_api_result *result, const pm_steady_result *steady, pm_steady_method method)
{
    pm_status s = pm_api_result_put_observables(result, &steady->obs);
    const pm_named_double values[] = {
        {"residual", steady->info.residual, "1/s"},
        {"number_balance", steady->number_balance, "1"},
        {"build_seconds", steady->build_seconds, "s"},
        {"solve_seconds", steady->info.seconds, "s"},
        {"lu_nnz", (double)steady->info.lu_nnz, "1"},
        {"matrix_nnz", (double)steady->info.matrix_nnz, "1"},
        {"matrix_size", (double)(steady->block ? steady->block->size : 0), "1"},
        {"iterations", steady->info.iterations, "1"},
    };
    for (size_t k = 0; k < sizeof values / sizeof values[0] && s == PM_OK; k++)
        s = pm_api_result_put_scalar(result, values[k].name, values[k].value);
    if (s == PM_OK && method == PM_STEADY_ARPACK)
        s = pm_api_result_put_scalar(result, "eigenvalue_re", steady->info.eigenvalue_re);
    if (s == PM_OK) s = pm_api_result_put_string(result, "method", method == PM_STEADY_ARPACK ? "arpack" : "direct");
    if (s == PM_OK) s = pm_api_result_put_string(result, "path", pm_path_name(steady->path));
    if (s == PM_OK) s = pm_api_result_put_string(result, "path_note", steady->path_note);
    if (s == PM_OK && steady->state) s = pm_api_result_put_state(result, steady->state);
    return s;
}

pm_status pm_api_result_put_state(pm_api_result *result, const pm_state *state)
{
    size_t total = 0;
    for (size_t b = 0; b < state->nblocks; b++) total += (size_t)state->blocks[b]->size;
    entry *erow = add(result, 'a', "rho_row");
    entry *ecol = erow ? add(result, 'a', "rho_col") : NULL;
    entry *evalue = ecol ? add(result, 'a', "rho_value") : NULL;
    int64_t *row = evalue ? (erow->data = malloc((total ? total : 1) * sizeof *row)) : NULL;
    int64_t *col = row ? (ecol->data = malloc((total ? total : 1) * sizeof *col)) : NULL;
    pm_complex *value = col ? (evalue->data = malloc((total ? total : 1) * sizeof *value)) : NULL;
    if (!value) return pm_error_set(PM_ENOMEM, "out of memory copying a state of %zu elements", total);
    size_t n = 0;
    for (size_t b = 0; b < state->nblocks; b++)
        for (int64_t p = 0; p < state->blocks[b]->size; p++, n++) {
            row[n] = state->blocks[b]->row[p];
            col[n] = state->blocks[b]->col[p];
            value[n] = state->x[b][p];
        }
    erow->type = ecol->type = 'i';
    evalue->type = 'c';
    erow->length = ecol->length = evalue->length = n;
    pm_status s = pm_api_result_put_scalar(result, "rho_dim", (double)(2 * state->N));
    if (s == PM_OK) s = pm_api_result_put_scalar(result, "rho_adjoint_implied", state->adjoint_implied);
    return s;
}

pm_status pm_api_result_put_series(pm_api_result *result, const pm_timeseries *ts, size_t skip)
{
    size_t n = ts->ntimes > skip ? ts->ntimes - skip : 0;
    const struct {
        const char *name;
        const double *data;
    } real[] = {{"t", ts->t},         {"trace", ts->trace}, {"n_mean", ts->n_mean},
                {"n2_mean", ts->n2_mean}, {"g2", ts->g2},   {"sz_mean", ts->sz_mean},
                {"tail_population", ts->tail_population}};
    pm_status s = PM_OK;
    for (size_t k = 0; k < sizeof real / sizeof real[0] && s == PM_OK; k++)
        s = pm_api_result_put_array(result, real[k].name, 'd', real[k].data ? real[k].data + skip : NULL, n);
    if (s == PM_OK) s = pm_api_result_put_array(result, "a_mean", 'c', ts->a_mean ? ts->a_mean + skip : NULL, n);
    if (s == PM_OK) s = pm_api_result_put_array(result, "a2_mean", 'c', ts->a2_mean ? ts->a2_mean + skip : NULL, n);
    return s;
}
