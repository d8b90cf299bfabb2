/* Parameter maps (map.h): axes, the threaded engine with its scheduler hook,
 * and the scalar results of a point. */
#include "phonomaser/drivers/map.h"

#include <complex.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phonomaser/core/parallel.h"
#include "phonomaser/core/timer.h"
#include "phonomaser/drivers/compare_models.h"
#include "phonomaser/model/model.h"

/* ---- axes -------------------------------------------------------------------------- */

void pm_map_axis_clear(pm_map_axis *axis)
{
    free(axis->values);
    free(axis->spec);
    memset(axis, 0, sizeof *axis);
}

size_t pm_map_point_count(size_t naxes, const pm_map_axis *axes)
{
    size_t count = 1;
    for (size_t a = 0; a < naxes; a++) count *= axes[a].count;
    return count;
}

/* A decimal number filling the whole of text (the key API's number parser). */
static pm_status parse_number(const char *axis, const char *text, double *out)
{
    return pm_parse_double(axis, text, out);
}

/* "START:STOP:COUNT" into from, to, count. */
static pm_status parse_range(const char *key, const char *text, double *from, double *to, size_t *count)
{
    char buf[160];
    if (strlen(text) >= sizeof buf) /* not cut silently */
        return pm_error_set(PM_EINVAL, "map axis %s: '%s' is longer than %zu characters", key, PM_EXCERPT(text),
                            sizeof buf - 1);
    snprintf(buf, sizeof buf, "%s", text);
    char *first = strchr(buf, ':'), *second = first ? strchr(first + 1, ':') : NULL;
    if (!first || !second || strchr(second + 1, ':'))
        return pm_error_set(PM_EINVAL, "map axis %s: '%s' is not START:STOP:COUNT", key, PM_EXCERPT(text));
    *first = *second = '\0';
    double c = 0;
    pm_status s = parse_number(key, buf, from);
    if (s == PM_OK) s = parse_number(key, first + 1, to);
    if (s == PM_OK) s = parse_number(key, second + 1, &c);
    if (s != PM_OK) return s;
    if (!(c >= 1 && c <= PM_SWEEP_MAX && c == floor(c)))
        return pm_error_set(PM_EINVAL, "map axis %s: COUNT = %s must be an integer in [1, %d]", key,
                            PM_EXCERPT(second + 1), PM_SWEEP_MAX);
    *count = (size_t)c;
    if (*count == 1 && *from != *to)
        return pm_error_set(PM_EINVAL, "map axis %s: COUNT = 1 needs START = STOP", key);
    return PM_OK;
}

pm_status pm_map_axis_parse(const char *spec, pm_map_axis *out)
{
    memset(out, 0, sizeof *out);
    const char *eq = spec ? strchr(spec, '=') : NULL;
    if (!eq || eq == spec)
        return pm_error_set(PM_EINVAL, "map axis '%s': expected KEY=START:STOP:COUNT, KEY=log:START:STOP:COUNT "
                            "or KEY=V1,V2,...", PM_EXCERPT(spec ? spec : ""));
    size_t len = (size_t)(eq - spec);
    if (len >= sizeof out->key) return pm_error_set(PM_EINVAL, "map axis '%s': key too long", PM_EXCERPT(spec));
    memcpy(out->key, spec, len);
    out->key[len] = '\0';
    size_t spec_len = strlen(spec);
    if (!(out->spec = malloc(spec_len + 1))) return pm_error_set(PM_ENOMEM, "out of memory for map axis %s", out->key);
    memcpy(out->spec, spec, spec_len + 1);
    const char *key = out->key;
    if (!pm_params_is_key(key) || !strcmp(key, "model") || !strcmp(key, "N") || !strcmp(key, "K")) {
        pm_status s = pm_error_set(PM_EINVAL, "map axis key '%s': must be a numeric model key other than model, N "
                                   "and K (see phonomaser steady --help)", key);
        pm_map_axis_clear(out);
        return s;
    }
    const char *rest = eq + 1;
    pm_status s = PM_OK;
    if (!strncmp(rest, "log:", 4) || strchr(rest, ':')) {
        int logarithmic = !strncmp(rest, "log:", 4);
        double from = 0, to = 0;
        size_t count = 0;
        s = parse_range(key, logarithmic ? rest + 4 : rest, &from, &to, &count);
        if (s == PM_OK && logarithmic && !(from * to > 0))
            s = pm_error_set(PM_EINVAL, "map axis %s: a log axis needs START and STOP nonzero and of one sign", key);
        if (s == PM_OK && !(out->values = malloc(count * sizeof *out->values)))
            s = pm_error_set(PM_ENOMEM, "out of memory for map axis %s", key);
        for (size_t k = 0; s == PM_OK && k < count; k++) {
            double t = count == 1 ? 0 : (double)k / (double)(count - 1);
            out->values[k] = logarithmic ? from * pow(to / from, t) : from + (to - from) * t;
        }
        if (s == PM_OK) {
            out->values[count - 1] = to; /* both ends exactly */
            out->count = count;
        }
    } else {
        size_t capacity = 16;
        if (!(out->values = malloc(capacity * sizeof *out->values)))
            s = pm_error_set(PM_ENOMEM, "out of memory for map axis %s", key);
        const char *item = rest;
        while (s == PM_OK) {
            const char *comma = strchr(item, ',');
            size_t n = comma ? (size_t)(comma - item) : strlen(item);
            char text[64];
            if (n >= sizeof text) {
                s = pm_error_set(PM_EINVAL, "map axis %s: value '%s' too long", key, PM_EXCERPT(item));
                break;
            }
            memcpy(text, item, n);
            text[n] = '\0';
            double x = 0;
            s = parse_number(key, text, &x);
            if (s != PM_OK) break;
            if (out->count == PM_SWEEP_MAX) {
                s = pm_error_set(PM_EINVAL, "map axis %s: more than %d values", key, PM_SWEEP_MAX);
                break;
            }
            if (out->count == capacity) {
                double *grown = realloc(out->values, 2 * capacity * sizeof *grown);
                if (!grown) {
                    s = pm_error_set(PM_ENOMEM, "out of memory for map axis %s", key);
                    break;
                }
                out->values = grown;
                capacity *= 2;
            }
            out->values[out->count++] = x;
            if (!comma) break;
            item = comma + 1;
        }
    }
    /* every value within the key's range (pm_params_set checks it) */
    pm_params probe;
    pm_params_init(&probe);
    for (size_t k = 0; s == PM_OK && k < out->count; k++) {
        char text[40];
        snprintf(text, sizeof text, "%.17g", out->values[k]);
        s = pm_params_set(&probe, key, text);
    }
    if (s != PM_OK) pm_map_axis_clear(out);
    return s;
}

pm_status pm_map_apply(const pm_params *base, const char *key, double value, pm_params *out)
{
    *out = *base;
    char text[40];
    snprintf(text, sizeof text, "%.17g", value);
    pm_params_release_alternatives(out, key, out->set_mask);
    pm_status s = pm_params_set(out, key, text);
    if (s == PM_OK) s = pm_params_derive(out);
    return s;
}

void pm_map_point_indices(size_t naxes, const pm_map_axis *axes, size_t index, size_t *idx)
{
    for (size_t a = naxes; a-- > 0;) {
        idx[a] = index % axes[a].count;
        index /= axes[a].count;
    }
}

pm_status pm_map_point_params(const pm_params *base, size_t naxes, const pm_map_axis *axes, size_t index,
                              pm_params *out)
{
    *out = *base;
    size_t idx[PM_MAP_MAX_AXES];
    pm_map_point_indices(naxes, axes, index, idx);
    pm_status s = PM_OK;
    for (size_t a = naxes; a-- > 0 && s == PM_OK;) {
        pm_params next;
        s = pm_map_apply(out, axes[a].key, axes[a].values[idx[a]], &next);
        if (s == PM_OK) *out = next;
    }
    return s;
}

/* ---- the engine -------------------------------------------------------------------- */

void pm_map_run_options_default(pm_map_run_options *opts)
{
    memset(opts, 0, sizeof *opts);
}

typedef struct map_job {
    const pm_params *base;
    size_t naxes;
    const pm_map_axis *axes;
    size_t count, to_run;
    const pm_map_run_options *opts;
    pm_map_point_fn run;
    void *user;
    pthread_mutex_t lock;
    size_t cursor;                  /* the local scheduler's next point */
    size_t completed, finished;     /* finished counts failed points too, not interrupted ones */
    size_t first_failed;            /* index of the first failure, count if none */
    pm_status first_status;
    char first_message[512];
    pm_progress progress;
} map_job;

/* The next point under the job's lock: the caller's scheduler, or the next
 * index not skipped. */
static int next_point(map_job *job, size_t *index)
{
    if (job->opts->next) return job->opts->next(job->opts->next_user, index);
    while (job->cursor < job->count && job->opts->skip && job->opts->skip[job->cursor]) job->cursor++;
    if (job->cursor >= job->count) return 0;
    *index = job->cursor++;
    return 1;
}

/* One point, the next the scheduler gives (none: nothing to do; there are
 * as many tasks as points at most, pm_parallel_for balances them). */
static void map_task(void *context, size_t task)
{
    (void)task;
    map_job *job = context;
    {
        size_t index = 0;
        pthread_mutex_lock(&job->lock);
        int have = next_point(job, &index);
        pthread_mutex_unlock(&job->lock);
        if (!have) return;
        pm_status s;
        if (PM_STOP_REQUESTED(job->opts->stop)) {
            s = job->run(job->user, index, job->base, pm_error_set(PM_EINTERRUPT, "interrupted before this point"));
        } else {
            pm_params p;
            s = pm_map_point_params(job->base, job->naxes, job->axes, index, &p);
            s = job->run(job->user, index, &p, s);
        }
        pthread_mutex_lock(&job->lock);
        if (s == PM_OK) {
            job->completed++;
        } else if (s != PM_EINTERRUPT && index < job->first_failed) {
            job->first_failed = index;
            job->first_status = s;
            snprintf(job->first_message, sizeof job->first_message, "%s", pm_error_message());
        }
        /* a point skipped or cut short by a stop is not progress: the bar
         * stays where the work stopped instead of jumping to 100 % */
        if (s != PM_EINTERRUPT) {
            job->finished++;
            char detail[64];
            snprintf(detail, sizeof detail, "%zu of %zu points", job->finished, job->to_run);
            pm_progress_update(&job->progress, job->to_run ? (double)job->finished / (double)job->to_run : 1,
                               detail, job->finished == job->to_run);
        }
        pthread_mutex_unlock(&job->lock);
    }
}

pm_status pm_map_run(const pm_params *base, size_t naxes, const pm_map_axis *axes, const pm_map_run_options *opts,
                     pm_map_point_fn run, void *user, size_t *completed)
{
    if (completed) *completed = 0;
    pm_map_run_options defaults;
    if (!opts) {
        pm_map_run_options_default(&defaults);
        opts = &defaults;
    }
    if (naxes < 1 || naxes > PM_MAP_MAX_AXES) return pm_error_set(PM_EINVAL, "map: %zu axes (1 or 2)", naxes);
    size_t count = 1;
    for (size_t a = 0; a < naxes; a++) {
        if (axes[a].count == 0) return pm_error_set(PM_EINVAL, "map axis %s: no values", axes[a].key);
        if (count > PM_MAP_MAX_POINTS / axes[a].count)
            return pm_error_set(PM_EINVAL, "map: more than %d points", PM_MAP_MAX_POINTS);
        count *= axes[a].count;
    }
    map_job job = {.base = base, .naxes = naxes, .axes = axes, .count = count, .opts = opts, .run = run,
                   .user = user, .first_failed = count,
                   .progress = {.report = opts->progress, .user = opts->progress_user}};
    job.to_run = count;
    if (opts->skip && !opts->next)
        for (size_t k = 0; k < count; k++) job.to_run -= opts->skip[k] != 0;
    pthread_mutex_init(&job.lock, NULL);
    /* a remote scheduler may give any of the points: one task per point at most */
    pm_parallel_for(opts->next ? count : job.to_run, opts->threads, map_task, &job);
    pm_progress_finish(&job.progress);
    pthread_mutex_destroy(&job.lock);
    if (completed) *completed = job.completed;
    if (job.first_failed < count) {
        char where[160] = "";
        size_t used = 0, idx[PM_MAP_MAX_AXES];
        pm_map_point_indices(naxes, axes, job.first_failed, idx);
        for (size_t a = 0; a < naxes && used < sizeof where; a++)
            used += (size_t)snprintf(where + used, sizeof where - used, "%s%s = %.10g", a ? ", " : "", axes[a].key,
                                     axes[a].values[idx[a]]);
        return pm_error_set(job.first_status, "%s %zu (%s): %s", opts->label ? opts->label : "point",
                            job.first_failed + 1, where,
                            job.first_message);
    }
    if (PM_STOP_REQUESTED(opts->stop))
        return pm_error_set(PM_EINTERRUPT, "interrupted: %zu of %zu points done", job.completed, job.to_run);
    return PM_OK;
}

/* ---- what a point computes ------------------------------------------------------------ */

const char *pm_map_kind_name(pm_map_kind kind)
{
    static const char *const names[PM_MAP_KIND_COUNT] = {"steady", "compare"};
    return kind < PM_MAP_KIND_COUNT ? names[kind] : "?";
}

pm_status pm_map_kind_parse(const char *name, pm_map_kind *out)
{
    for (int k = 0; k < PM_MAP_KIND_COUNT; k++)
        if (name && !strcmp(name, pm_map_kind_name((pm_map_kind)k))) {
            *out = (pm_map_kind)k;
            return PM_OK;
        }
    return pm_error_set(PM_EINVAL, "map quantity set '%.80s': must be steady or compare", name ? name : "");
}

/* The steady-state results (the observables of state.h, the cutoffs, the
 * search's verdict). */
static const struct {
    const char *name, *unit;
} steady_quantities[] = {
    {"n_mean", "1"}, {"n2_mean", "1"}, {"g2", "1"}, {"sz_mean", "1"}, {"a_abs", "1"}, {"a2_abs", "1"},
    {"tail_population", "1"}, {"coherence_tail", "1"}, {"residual", "1/s"}, {"min_eigenvalue", "1"},
    {"number_balance", "1"}, {"N", "1"}, {"K", "1"}, {"converged", "1"},
    /* <I^2>/<I>^2 of the Wigner function (pm_compare_intensity_ratio): its pi/2
     * crossing is the transition centre S_mid of compare.h, so a map over S
     * draws the exact transition line of a model without a sharp threshold */
    {"intensity_ratio", "1"},
};
#define STEADY_COUNT (sizeof steady_quantities / sizeof steady_quantities[0])

/* compare (JC): per quantity of compare.h exact, reduced, rel_dev, applies;
 * then N and converged.  Four-way (a model with an RWA reference): per
 * quantity of compare_models.h its four columns; then N, K, N_jc. */
enum { JC_PARTS = 4, JC_TAIL = 3, FOUR_TAIL = 5 };
static const char *const jc_parts[JC_PARTS] = {"exact", "reduced", "rel_dev", "applies"};

static int four_way(const pm_params *params)
{
    const pm_model_type *type = pm_model_type_get(params->model);
    return type && type->rwa_model >= 0;
}

size_t pm_map_quantity_count(pm_map_kind kind, const pm_params *params)
{
    if (kind == PM_MAP_STEADY) return STEADY_COUNT;
    if (four_way(params)) return (size_t)PM_CMP4_COUNT * PM_COL_COUNT + FOUR_TAIL;
    return (size_t)PM_CMP_COUNT * JC_PARTS + JC_TAIL;
}

/* Name (into a static per-index table built once per thread) and unit of
 * quantity q. */
static void quantity_describe(pm_map_kind kind, const pm_params *params, size_t q, char *name, size_t size,
                              const char **unit)
{
    static const char *const four_tail[FOUR_TAIL] = {"N", "K", "N_jc", "S_th_rwa", "S_th_beyond_rwa"};
    static const char *const jc_tail[JC_TAIL] = {"N", "converged", "S_th"};
    *unit = "1";
    if (kind == PM_MAP_STEADY) {
        snprintf(name, size, "%s", q < STEADY_COUNT ? steady_quantities[q].name : "?");
        if (q < STEADY_COUNT) *unit = steady_quantities[q].unit;
    } else if (four_way(params)) {
        size_t body = (size_t)PM_CMP4_COUNT * PM_COL_COUNT;
        if (q < body) {
            pm_compare4_quantity quantity = (pm_compare4_quantity)(q / PM_COL_COUNT);
            snprintf(name, size, "%s_%s", pm_compare4_quantity_name(quantity),
                     pm_compare4_column_name((pm_compare4_column)(q % PM_COL_COUNT)));
            *unit = pm_compare4_quantity_unit(quantity);
        } else {
            snprintf(name, size, "%s", q - body < FOUR_TAIL ? four_tail[q - body] : "?");
        }
    } else {
        size_t body = (size_t)PM_CMP_COUNT * JC_PARTS;
        if (q < body) {
            pm_compare_quantity quantity = (pm_compare_quantity)(q / JC_PARTS);
            size_t part = q % JC_PARTS;
            snprintf(name, size, "%s_%s", pm_compare_quantity_name(quantity), jc_parts[part]);
            if (part < 2) *unit = pm_compare_quantity_unit(quantity);
        } else {
            snprintf(name, size, "%s", q - body < JC_TAIL ? jc_tail[q - body] : "?");
        }
    }
}

const char *pm_map_quantity_name(pm_map_kind kind, const pm_params *params, size_t q)
{
    /* per-thread storage: the names are built from the quantity tables */
    static _Thread_local char name[64];
    const char *unit;
    quantity_describe(kind, params, q, name, sizeof name, &unit);
    return name;
}

const char *pm_map_quantity_unit(pm_map_kind kind, const pm_params *params, size_t q)
{
    char name[64];
    const char *unit;
    quantity_describe(kind, params, q, name, sizeof name, &unit);
    return unit;
}

static pm_status steady_values(const pm_params *params, const pm_compare_options *opts, double *v)
{
    pm_model_desc model;
    pm_converge_result r = {0};
    pm_status s = pm_model_desc_init(params, &model);
    if (s == PM_OK) s = pm_converge_run(&model, &opts->converge, &r);
    if (s == PM_OK) {
        const pm_observables *o = &r.final.obs;
        const double values[STEADY_COUNT] = {
            o->n_mean, o->n2_mean, o->g2, o->sz_mean, cabs(o->a_mean), cabs(o->a2_mean),
            o->tail_population, o->coherence_tail, r.final.info.residual, o->min_eigenvalue,
            r.final.number_balance, (double)r.chosen_N, r.chosen_K >= 0 ? (double)r.chosen_K : NAN,
            r.converged, pm_compare_intensity_ratio(o->n_mean, o->n2_mean),
        };
        memcpy(v, values, sizeof values);
    }
    pm_converge_result_clear(&r);
    return s;
}

static pm_status compare_values(const pm_params *params, const pm_compare_options *opts, double *v)
{
    size_t q = 0;
    if (four_way(params)) {
        pm_compare4_point pt;
        pm_status s = pm_compare4_point_run(params, opts, &pt);
        if (s != PM_OK) return s;
        for (int k = 0; k < PM_CMP4_COUNT; k++)
            for (int c = 0; c < PM_COL_COUNT; c++) v[q++] = pt.value[k][c];
        v[q++] = (double)pt.N_dressed;
        v[q++] = (double)pt.K_dressed;
        v[q++] = (double)pt.N_jc;
        v[q++] = pt.S_th_rwa;
        v[q++] = pt.S_th_beyond_rwa;
        return PM_OK;
    }
    /* the map keeps the quantities of the slowest k = 1 mode only: one
     * eigenvalue (three cost 3.5 times the solves, compare.c) */
    pm_compare_options one_mode = *opts;
    one_mode.nev = 1;
    pm_compare_point pt;
    pm_status s = pm_compare_point_run(params, &one_mode, &pt, NULL);
    if (s != PM_OK) return s;
    for (int k = 0; k < PM_CMP_COUNT; k++) {
        v[q++] = pt.q[k].exact;
        v[q++] = pt.q[k].reduced;
        v[q++] = pt.q[k].rel_dev;
        v[q++] = pt.q[k].applies;
    }
    v[q++] = (double)pt.N;
    v[q++] = pt.converged;
    v[q++] = pt.S_th;
    return PM_OK;
}

pm_status pm_map_point_values(pm_map_kind kind, const pm_params *params, const pm_compare_options *opts,
                              double *values)
{
    pm_compare_options defaults;
    if (!opts) {
        pm_compare_options_default(&defaults);
        opts = &defaults;
    }
    size_t n = pm_map_quantity_count(kind, params);
    for (size_t q = 0; q < n; q++) values[q] = NAN;
    if (kind == PM_MAP_STEADY) return steady_values(params, opts, values);
    if (kind == PM_MAP_COMPARE) return compare_values(params, opts, values);
    return pm_error_set(PM_EINVAL, "map: unknown quantity set %d", (int)kind);
}

/* ---- the results of a map ---------------------------------------------------------------- */

pm_status pm_map_results_init(pm_map_results *r, pm_map_kind kind, const pm_params *base, size_t npoints,
                              const pm_compare_options *opts)
{
    memset(r, 0, sizeof *r);
    r->kind = kind;
    r->opts = opts;
    r->npoints = npoints;
    r->nq = pm_map_quantity_count(kind, base);
    const size_t nvalues = npoints * r->nq;
    r->values = malloc((nvalues > 0 ? nvalues : 1) * sizeof *r->values);
    r->status = malloc((npoints ? npoints : 1) * sizeof *r->status);
    r->messages = calloc(npoints ? npoints : 1, sizeof *r->messages);
    pthread_mutex_t *lock = malloc(sizeof *lock);
    if (!r->values || !r->status || !r->messages || !lock) {
        free(lock);
        pm_map_results_clear(r);
        return pm_error_set(PM_ENOMEM, "out of memory for %zu map points", npoints);
    }
    pthread_mutex_init(lock, NULL);
    r->lock = lock;
    for (size_t k = 0; k < nvalues; k++) r->values[k] = NAN;
    for (size_t k = 0; k < npoints; k++) r->status[k] = NAN;
    return PM_OK;
}

void pm_map_results_clear(pm_map_results *r)
{
    for (size_t k = 0; r->messages && k < r->npoints; k++) free(r->messages[k]);
    free(r->messages), free(r->values), free(r->status);
    if (r->lock) {
        pthread_mutex_destroy(r->lock);
        free(r->lock);
    }
    memset(r, 0, sizeof *r);
}

void pm_map_results_record(pm_map_results *r, size_t index, pm_status s, const double *values, const char *message)
{
    if (s == PM_EINTERRUPT || index >= r->npoints) return;
    pthread_mutex_lock(r->lock);
    if (s == PM_OK) {
        memcpy(r->values + index * r->nq, values, r->nq * sizeof *values);
        r->status[index] = 0;
    } else {
        r->status[index] = (double)s;
        free(r->messages[index]);
        r->messages[index] = strdup(message ? message : "");
    }
    if (r->on_point) r->on_point(r->on_point_user, index, s, values, message);
    pthread_mutex_unlock(r->lock);
}

pm_status pm_map_results_point(void *user, size_t index, const pm_params *params, pm_status applied)
{
    pm_map_results *r = user;
    pm_status s = applied;
    double *values = malloc((r->nq ? r->nq : 1) * sizeof *values);
    if (s == PM_OK && !values) s = pm_error_set(PM_ENOMEM, "out of memory");
    double wall = pm_wall_seconds(), cpu = pm_thread_cpu_seconds();
    if (s == PM_OK) s = pm_map_point_values(r->kind, params, r->opts, values);
    wall = pm_wall_seconds() - wall, cpu = pm_thread_cpu_seconds() - cpu;
    pthread_mutex_lock(r->lock);
    r->busy_seconds += wall;
    r->busy_cpu_seconds += cpu;
    pthread_mutex_unlock(r->lock);
    pm_map_results_record(r, index, s, values, s == PM_OK ? "" : pm_error_message());
    free(values);
    return s;
}
