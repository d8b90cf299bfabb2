/* The binding API (handle.h): configurations, controls and the runs of a
 * configuration, which are those of the command line (api/run.h). */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "api/run.h"
#include "io/results_fields.h"
#include "phonomaser/core/timer.h"
#include "phonomaser/drivers/compare.h"
#include "phonomaser/drivers/compare_models.h"
#include "phonomaser/drivers/correlation.h"
#include "phonomaser/drivers/map.h"
#include "phonomaser/phase_space/wigner.h"
#include "phonomaser/theory/reduced.h"

struct pm_api_config {
    pm_run_config cfg;
    unsigned file_mask; /* the model keys INI files gave */
};

/* ------------------------------------------------------------ configurations */

pm_status pm_api_config_new(pm_api_config **out)
{
    *out = malloc(sizeof **out);
    if (!*out) return pm_error_set(PM_ENOMEM, "out of memory allocating a configuration");
    pm_config_init(&(*out)->cfg);
    (*out)->file_mask = 0;
    return PM_OK;
}

void pm_api_config_free(pm_api_config *config) { free(config); }

pm_status pm_api_config_load_ini(pm_api_config *config, const char *path)
{
    if (!path) return pm_error_set(PM_EINVAL, "config: no file name");
    pm_status s = pm_config_load_ini(&config->cfg, path);
    config->file_mask = config->cfg.params.set_mask;
    return s;
}

pm_status pm_api_config_set(pm_api_config *config, const char *key, const char *value)
{
    if (!key || !value) return pm_error_set(PM_EINVAL, "config: key and value must be given");
    size_t need = strlen(key) + strlen(value) + 2;
    char *assignment = malloc(need);
    if (!assignment) return pm_error_set(PM_ENOMEM, "out of memory");
    snprintf(assignment, need, "%s=%s", key, value);
    /* as --set after -c: a key replaces the file's alternative (g for eta, ...) */
    pm_params_release_alternatives(&config->cfg.params, key, config->file_mask);
    pm_status s = strchr(key, '=') ? pm_error_set(PM_EINVAL, "config: key '%s' holds '='", key)
                                   : pm_config_apply_override(&config->cfg, assignment);
    free(assignment);
    return s;
}

pm_status pm_api_key_check(const char *command, const char *key, const char *label)
{
    if (!command || !pm_config_command_bit(command))
        return pm_error_set(PM_EINVAL, "key check: unknown command '%s'", PM_EXCERPT(command ? command : ""));
    if (!key) return pm_error_set(PM_EINVAL, "key check: no key given");
    return pm_config_check_key_use_as(command, key, label);
}

/* A finished copy of the configuration (runs never change the caller's). */
static pm_status finished_copy(const pm_api_config *config, pm_run_config **out)
{
    *out = NULL;
    if (!config) return pm_error_set(PM_EINVAL, "no configuration given");
    pm_run_config *cfg = malloc(sizeof *cfg);
    if (!cfg) return pm_error_set(PM_ENOMEM, "out of memory copying the configuration");
    *cfg = config->cfg;
    pm_status s = pm_config_finish(cfg);
    if (s != PM_OK) {
        free(cfg);
        return s;
    }
    *out = cfg;
    return PM_OK;
}

long pm_api_config_ini(pm_api_config *config, char *text, size_t size)
{
    pm_run_config *cfg = NULL;
    if (finished_copy(config, &cfg) != PM_OK) return -1;
    char *buffer = NULL;
    size_t length = 0;
    FILE *memory = open_memstream(&buffer, &length);
    if (memory) {
        pm_config_write_ini(memory, cfg);
        fclose(memory);
    }
    free(cfg);
    if (!memory || !buffer) {
        free(buffer);
        pm_error_set(PM_ENOMEM, "out of memory writing the configuration");
        return -1;
    }
    if (text && size) snprintf(text, size, "%s", buffer);
    free(buffer);
    return (long)length;
}

long pm_api_config_warning(pm_api_config *config, char *text, size_t size)
{
    pm_run_config *cfg = NULL;
    if (finished_copy(config, &cfg) != PM_OK) return -1;
    char warning[512];
    int warned = pm_model_regime_warning(&cfg->params, warning, sizeof warning);
    free(cfg);
    if (text && size) snprintf(text, size, "%s", warned ? warning : "");
    return warned ? (long)strlen(warning) : 0;
}

/* ------------------------------------------------------------------ controls */

pm_status pm_api_control_new(pm_api_control **out)
{
    *out = calloc(1, sizeof **out);
    if (!*out) return pm_error_set(PM_ENOMEM, "out of memory allocating a control");
    atomic_init(&(*out)->stop, 0);
    return PM_OK;
}

void pm_api_control_free(pm_api_control *control) { free(control); }
void pm_api_control_stop(pm_api_control *control) { atomic_store(&control->stop, 1); }
void pm_api_control_reset(pm_api_control *control) { atomic_store(&control->stop, 0); }
int pm_api_control_stopped(const pm_api_control *control) { return PM_STOP_REQUESTED(&control->stop); }

void pm_api_control_set_progress(pm_api_control *control, pm_progress_fn report, void *user)
{
    control->report = report;
    control->user = user;
}

const pm_stop_flag *pm_api_stop_of(const pm_api_control *control) { return control ? &control->stop : NULL; }

pm_progress_fn pm_api_progress_of(const pm_api_control *control, void **user)
{
    *user = control ? control->user : NULL;
    return control ? control->report : NULL;
}

/* ---------------------------------------------------------------------- runs */

/* A failure: the message survives freeing the partial result. */
static pm_status fail(pm_status s, pm_api_result **out)
{
    pm_api_result_free(*out);
    *out = NULL;
    return s;
}

static pm_status put_ladder(pm_api_result *result, const pm_converge_result *ladder)
{
    size_t n = ladder->nsteps, ncolumns = 0;
    double *column = malloc((n ? n : 1) * sizeof *column);
    if (!column) return pm_error_set(PM_ENOMEM, "out of memory copying the ladder");
    const pm_results_column *columns = pm_results_ladder_columns(&ncolumns);
    pm_status s = PM_OK;
    char name[64];
    for (size_t k = 0; k < n; k++) column[k] = (double)ladder->steps[k].N;
    s = pm_api_result_put_array(result, "ladder_N", 'd', column, n);
    for (size_t k = 0; k < n; k++) column[k] = (double)ladder->steps[k].K;
    if (s == PM_OK) s = pm_api_result_put_array(result, "ladder_K", 'd', column, n);
    for (size_t c = 0; c < ncolumns && s == PM_OK; c++) {
        for (size_t k = 0; k < n; k++)
            column[k] = *(const double *)((const char *)&ladder->steps[k] + columns[c].offset);
        snprintf(name, sizeof name, "ladder_%s", columns[c].name);
        s = pm_api_result_put_array(result, name, 'd', column, n);
    }
    free(column);
    if (s == PM_OK) s = pm_api_result_put_scalar(result, "chosen_N", (double)ladder->chosen_N);
    if (s == PM_OK) s = pm_api_result_put_scalar(result, "chosen_K", (double)ladder->chosen_K);
    if (s == PM_OK) s = pm_api_result_put_scalar(result, "converged", ladder->converged);
    return s;
}

/* The start of a run from a configuration: its finished copy and an empty
 * result (on failure neither is left). */
static pm_status start_run(const pm_api_config *config, pm_run_config **cfg, pm_api_result **out)
{
    *out = NULL;
    pm_status s = finished_copy(config, cfg);
    if (s == PM_OK) s = pm_api_result_alloc(out);
    if (s != PM_OK) {
        free(*cfg);
        *cfg = NULL;
    }
    return s;
}

pm_status pm_api_steadystate(const pm_api_config *config, pm_api_control *control, pm_api_result **out)
{
    pm_run_config *cfg = NULL;
    pm_status s = start_run(config, &cfg, out);
    if (s != PM_OK) return s;
    pm_run_steady run;
    void *progress_user = NULL;
    pm_progress_fn progress = pm_api_progress_of(control, &progress_user);
    s = pm_run_steady_solve(cfg, pm_api_stop_of(control), progress, progress_user, &run);
    pm_status keep = s;
    /* interrupted during N = auto: the ladder so far is the partial result */
    if (run.automatic && (s == PM_OK || s == PM_EINTERRUPT)) s = put_ladder(*out, &run.ladder);
    if (keep == PM_OK && s == PM_OK) s = pm_api_result_put_steady(*out, run.result, run.copts.steady.method);
    if (keep == PM_OK && s == PM_OK) {
        pm_health health;
        pm_health_check(&run.result->obs, run.result->info.residual,
                        pm_health_rate_scale(&cfg->params, run.result->state->N), cfg->tail_tol,
                        run.result->number_balance, &health);
        char warnings[PM_HEALTH_MAX * 258] = "";
        for (int k = 0; k < health.count; k++)
            snprintf(warnings + strlen(warnings), sizeof warnings - strlen(warnings), "%s%s", k ? "\n" : "",
                     health.messages[k]);
        s = pm_api_result_put_string(*out, "warnings", warnings);
        if (s == PM_OK) s = pm_api_result_put_scalar(*out, "seconds", run.seconds);
        if (s == PM_OK) s = pm_api_result_put_scalar(*out, "total_seconds", run.total_seconds);
        if (s == PM_OK) s = pm_api_result_put_scalar(*out, "K", run.result->block ? (double)run.result->block->max_sector : NAN);
        if (s == PM_OK) s = pm_api_result_put_scalar(*out, "converged", run.automatic ? run.ladder.converged : 1);
    }
    pm_run_steady_clear(&run);
    free(cfg);
    if (keep == PM_EINTERRUPT && s == PM_OK && run.automatic) {
        pm_error_set(PM_EINTERRUPT, "steady state: stopped by caller (the cutoffs solved so far are kept)");
        return PM_EINTERRUPT; /* *out holds the partial ladder */
    }
    if (keep != PM_OK) return fail(keep, out);
    return s == PM_OK ? PM_OK : fail(s, out);
}

pm_status pm_api_converge(const pm_api_config *config, pm_api_control *control, pm_api_result **out)
{
    pm_run_config *cfg = NULL;
    pm_status s = start_run(config, &cfg, out);
    if (s != PM_OK) return s;
    pm_converge_options copts;
    pm_run_converge_options(cfg, pm_api_stop_of(control), &copts);
    copts.progress = pm_api_progress_of(control, &copts.progress_user);
    pm_model_desc desc;
    pm_converge_result ladder;
    memset(&ladder, 0, sizeof ladder);
    s = pm_model_desc_init(&cfg->params, &desc);
    if (s == PM_OK)
        s = cfg->ladder_count > 0 ? pm_converge_ladder(&desc, (size_t)cfg->ladder_count, cfg->ladder, &copts, &ladder)
                                  : pm_converge_auto(&desc, &copts, &ladder);
    pm_status keep = s;
    if (s == PM_OK || s == PM_EINTERRUPT) s = put_ladder(*out, &ladder);
    if (keep == PM_OK && s == PM_OK) s = pm_api_result_put_steady(*out, &ladder.final, copts.steady.method);
    pm_converge_result_clear(&ladder);
    free(cfg);
    if (keep == PM_EINTERRUPT && s == PM_OK) {
        pm_error_set(PM_EINTERRUPT, "converge: stopped by caller (the cutoffs solved so far are kept)");
        return PM_EINTERRUPT;
    }
    if (keep != PM_OK) return fail(keep, out);
    return s == PM_OK ? PM_OK : fail(s, out);
}

pm_status pm_api_mesolve(const pm_api_config *config, const double *times, size_t ntimes, pm_api_control *control,
                         pm_api_result **out)
{
    pm_run_config *cfg = NULL;
    pm_status s = start_run(config, &cfg, out);
    if (s != PM_OK) return s;
    pm_initial init;
    pm_run_initial(cfg, &init);
    pm_mesolve_options mopts;
    pm_run_mesolve_options(cfg, pm_api_stop_of(control), &mopts);
    mopts.evolve.progress = pm_api_progress_of(control, &mopts.evolve.progress_user);
    size_t skip = 0, count = 0;
    double *grid = NULL;
    if (ntimes > 0)
        s = pm_output_times(times, ntimes, 0, 0, &grid, &count, &skip);
    else
        s = pm_output_times(cfg->times_count > 0 ? cfg->times : NULL, (size_t)cfg->times_count, cfg->t_final,
                            (size_t)cfg->n_times, &grid, &count, &skip);
    pm_model_desc desc;
    if (s == PM_OK) s = pm_model_desc_init(&cfg->params, &desc);
    int automatic = s == PM_OK && pm_converge_is_automatic(&desc);
    if (automatic) {
        /* the cutoffs of the converged steady state, as `phonomaser evolve` */
        pm_converge_options copts;
        pm_run_converge_options(cfg, pm_api_stop_of(control), &copts);
        s = pm_converge_evolution_cutoffs(&desc, &copts, &init, &desc);
    }
    pm_model *model = NULL;
    pm_mesolve_result result;
    memset(&result, 0, sizeof result);
    double start = pm_wall_seconds();
    if (s == PM_OK) s = pm_model_desc_build(&desc, desc.params.N, desc.params.K, &model);
    if (s == PM_OK) s = pm_mesolve(model, &init, count, grid, &mopts, &result);
    pm_status keep = s;
    if (s == PM_OK || s == PM_EINTERRUPT) {
        s = pm_api_result_put_series(*out, &result.series, skip);
        const pm_named_double values[] = {
            {"N", model ? (double)model->N : NAN, "1"},
            {"K", (double)result.max_sector, "1"},
            {"sectors", (double)result.nblocks, "1"},
            {"steps", (double)result.info.steps, "1"},
            {"rhs_evals", (double)result.info.rhs_evals, "1"},
            {"seconds", pm_wall_seconds() - start, "s"},
            {"build_seconds", result.build_seconds, "s"},
            {"complete", keep == PM_OK, "1"},
        };
        for (size_t k = 0; k < sizeof values / sizeof values[0] && s == PM_OK; k++)
            s = pm_api_result_put_scalar(*out, values[k].name, values[k].value);
        if (s == PM_OK) s = pm_api_result_put_string(*out, "path", pm_path_name(result.path));
        if (s == PM_OK) s = pm_api_result_put_string(*out, "path_note", result.path_note);
        if (s == PM_OK) s = pm_api_result_put_string(*out, "linear_solver", pm_linear_solver_name(result.info.linear_solver));
        if (s == PM_OK && keep == PM_OK && result.final_state) s = pm_api_result_put_state(*out, result.final_state);
    }
    pm_mesolve_result_clear(&result);
    pm_model_free(model);
    free(grid);
    free(cfg);
    if (keep == PM_EINTERRUPT && s == PM_OK) {
        pm_error_set(PM_EINTERRUPT, "mesolve: stopped by caller (the output times reached are kept)");
        return PM_EINTERRUPT;
    }
    if (keep != PM_OK) return fail(keep, out);
    return s == PM_OK ? PM_OK : fail(s, out);
}

/* The four-way comparison of `phonomaser compare --set model=dressed`: per
 * quantity q (n_mean, g2, sz_mean, gamma_eff, freq_shift) and column c
 * (dressed, jc, reduced_rwa, reduced_beyond_rwa) the scalars q_c and
 * q_c_rel_dev, and the cutoffs and ratios of compare_models.h. */
static pm_status compare4(const pm_run_config *cfg, pm_api_control *control, pm_api_result **out)
{
    pm_compare_options copts;
    pm_compare_options_default(&copts);
    pm_run_converge_options(cfg, pm_api_stop_of(control), &copts.converge);
    /* one report per cutoff of each search (dressed, JC, the amplitude mode's N) */
    copts.converge.progress = pm_api_progress_of(control, &copts.converge.progress_user);
    copts.stop = pm_api_stop_of(control);
    pm_compare4_point pt;
    pm_status s = pm_compare4_point_run(&cfg->params, &copts, &pt);
    if (s == PM_OK) s = pm_api_result_alloc(out);
    char name[96];
    for (int q = 0; q < PM_CMP4_COUNT && s == PM_OK; q++)
        for (int c = 0; c < PM_COL_COUNT && s == PM_OK; c++) {
            snprintf(name, sizeof name, "%s_%s", pm_compare4_quantity_name(q), pm_compare4_column_name(c));
            s = pm_api_result_put_scalar(*out, name, pt.value[q][c]);
            if (s == PM_OK && c != PM_COL_DRESSED) {
                snprintf(name, sizeof name, "%s_%s_rel_dev", pm_compare4_quantity_name(q), pm_compare4_column_name(c));
                s = pm_api_result_put_scalar(*out, name, pt.rel_dev[q][c]);
            }
        }
    if (s == PM_OK) {
        const pm_named_double values[] = {
            {"N", (double)pt.N_dressed, "1"}, {"K", (double)pt.K_dressed, "1"}, {"N_jc", (double)pt.N_jc, "1"},
            {"N_amplitude_mode", (double)pt.N_mode, "1"}, {"amplitude_mode_rel_change", pt.mode_rel_change, "1"},
            {"converged", pt.converged_dressed && pt.converged_jc, "1"}, {"S_th_rwa", pt.S_th_rwa, "1"},
            {"S_th_beyond_rwa", pt.S_th_beyond_rwa, "1"}, {"a2_abs", pt.a2_abs, "1"},
            {"coherence_tail", pt.coherence_tail, "1"}, {"rwa_resonance_ratio", pt.rwa_resonance_ratio, "1"},
            {"rwa_coupling_ratio", pt.rwa_coupling_ratio, "1"}, {"seconds", pt.seconds, "s"},
        };
        for (size_t k = 0; k < sizeof values / sizeof values[0] && s == PM_OK; k++)
            s = pm_api_result_put_scalar(*out, values[k].name, values[k].value);
    }
    return s == PM_OK ? PM_OK : fail(s, out);
}

pm_status pm_api_compare(const pm_api_config *config, pm_api_control *control, pm_api_result **out)
{
    *out = NULL;
    pm_run_config *cfg = NULL;
    pm_status s = finished_copy(config, &cfg);
    if (s == PM_OK && pm_model_type_get(cfg->params.model)->rwa_model >= 0) {
        s = compare4(cfg, control, out); /* a model beyond the RWA: the four-way comparison */
        free(cfg);
        return s;
    }
    if (s == PM_OK) s = pm_api_result_alloc(out);
    if (s != PM_OK) {
        free(cfg);
        return s;
    }
    pm_compare_options copts;
    pm_compare_options_default(&copts);
    pm_run_converge_options(cfg, pm_api_stop_of(control), &copts.converge);
    copts.converge.progress = pm_api_progress_of(control, &copts.converge.progress_user);
    copts.converge.path = PM_PATH_SECTOR;
    copts.stop = pm_api_stop_of(control);
    pm_compare_point point;
    double *p_n = NULL;
    s = pm_compare_point_run(&cfg->params, &copts, &point, &p_n);
    char name[64];
    for (int q = 0; q < PM_CMP_COUNT && s == PM_OK; q++) {
        const char *qn = pm_compare_quantity_name((pm_compare_quantity)q);
        const pm_compare_value *v = &point.q[q];
        const pm_named_double values[] = {{"exact", v->exact, ""}, {"reduced", v->reduced, ""},
                                          {"rel_dev", v->rel_dev, ""}, {"applies", v->applies, ""}};
        for (size_t k = 0; k < 4 && s == PM_OK; k++) {
            snprintf(name, sizeof name, "%s_%s", qn, values[k].name);
            s = pm_api_result_put_scalar(*out, name, values[k].value);
        }
    }
    if (s == PM_OK) {
        const pm_named_double values[] = {
            {"N", (double)point.N, "1"},         {"converged", point.converged, "1"},
            {"n_mean", point.n_mean, "1"},       {"n2_mean", point.n2_mean, "1"},
            {"g2", point.g2, "1"},               {"sz_mean", point.sz_mean, "1"},
            {"tail_population", point.tail_population, "1"},
            {"residual", point.residual, "1/s"}, {"rate_k0", point.rate_k0, "1/s"},
            {"above_threshold", point.above_threshold, "1"},
            {"S_th", point.S_th, "1"},           {"n_sat", point.n_sat, "1"},
            {"radial_tv", point.radial_tv, "1"}, {"seconds", point.seconds, "s"},
        };
        for (size_t k = 0; k < sizeof values / sizeof values[0] && s == PM_OK; k++)
            s = pm_api_result_put_scalar(*out, values[k].name, values[k].value);
    }
    if (s == PM_OK) s = pm_api_result_put_array(*out, "lambda_k1", 'c', point.lambda_k1, (size_t)point.nev);
    if (s == PM_OK && p_n) s = pm_api_result_put_array(*out, "p_n", 'd', p_n, (size_t)point.N);
    free(p_n);
    free(cfg);
    return s == PM_OK ? PM_OK : fail(s, out);
}

/* -------------------------------------------------------------------- map */

pm_status pm_api_map(const pm_api_config *config, const char *quantities, const char *const *axes, size_t naxes,
                     int threads, pm_api_control *control, pm_api_result **out)
{
    *out = NULL;
    pm_map_axis axis[PM_MAP_MAX_AXES];
    memset(axis, 0, sizeof axis);
    pm_run_config *cfg = NULL;
    pm_map_kind kind = PM_MAP_STEADY;
    pm_map_results m = {0};
    pm_status s = finished_copy(config, &cfg);
    if (s == PM_OK && quantities) s = pm_map_kind_parse(quantities, &kind);
    if (s == PM_OK && (naxes < 1 || naxes > PM_MAP_MAX_AXES || !axes))
        s = pm_error_set(PM_EINVAL, "map: %zu axes (1 or 2)", naxes);
    for (size_t a = 0; a < naxes && s == PM_OK; a++) s = pm_map_axis_parse(axes[a], &axis[a]);
    if (s == PM_OK && kind == PM_MAP_COMPARE) s = pm_compare_check_terms(&cfg->params);
    size_t points = s == PM_OK ? pm_map_point_count(naxes, axis) : 0;
    for (size_t k = 0; k < points && s == PM_OK; k++) {
        pm_params p;
        s = pm_map_point_params(&cfg->params, naxes, axis, k, &p);
    }
    pm_compare_options copts;
    pm_compare_options_default(&copts);
    if (s == PM_OK) s = pm_map_results_init(&m, kind, &cfg->params, points, &copts);
    if (s == PM_OK) s = pm_api_result_alloc(out);
    if (s == PM_OK) {
        pm_run_converge_options(cfg, pm_api_stop_of(control), &copts.converge);
        pm_map_run_options mopts;
        pm_map_run_options_default(&mopts);
        mopts.threads = threads;
        mopts.stop = pm_api_stop_of(control);
        mopts.progress = pm_api_progress_of(control, &mopts.progress_user);
        mopts.label = "map point";
        s = pm_map_run(&cfg->params, naxes, axis, &mopts, pm_map_results_point, &m, NULL);
        if (s != PM_EINTERRUPT) s = PM_OK; /* failed points are in "status" */
    }
    pm_status interrupted = s;
    if (*out && (s == PM_OK || s == PM_EINTERRUPT)) {
        pm_status w = pm_api_result_put_string(*out, "quantities", pm_map_kind_name(kind));
        for (size_t a = 0; a < naxes && w == PM_OK; a++) {
            char name[16];
            snprintf(name, sizeof name, "axis%zu", a);
            w = pm_api_result_put_array(*out, name, 'd', axis[a].values, axis[a].count);
            snprintf(name, sizeof name, "axis%zu_key", a);
            if (w == PM_OK) w = pm_api_result_put_string(*out, name, axis[a].key);
        }
        if (w == PM_OK) w = pm_api_result_put_array(*out, "status", 'd', m.status, points);
        double *column = w == PM_OK ? malloc((points ? points : 1) * sizeof *column) : NULL;
        if (w == PM_OK && !column) w = pm_error_set(PM_ENOMEM, "out of memory");
        for (size_t q = 0; q < m.nq && w == PM_OK; q++) {
            for (size_t k = 0; k < points; k++) column[k] = m.values[k * m.nq + q];
            w = pm_api_result_put_array(*out, pm_map_quantity_name(kind, &cfg->params, q), 'd', column, points);
        }
        free(column);
        if (w != PM_OK) s = w;
    }
    pm_map_results_clear(&m);
    for (size_t a = 0; a < naxes; a++) pm_map_axis_clear(&axis[a]);
    free(cfg);
    if (s == PM_EINTERRUPT || (s == PM_OK && interrupted == PM_EINTERRUPT))
        return pm_error_set(PM_EINTERRUPT, "map interrupted");
    return s == PM_OK ? PM_OK : fail(s, out);
}

/* -------------------------------------------------------------------- spectrum */

pm_status pm_api_spectrum(const pm_api_config *config, size_t points, double rtol, int want_x, int want_tau,
                          double tau_max, pm_api_control *control, pm_api_result **out)
{
    *out = NULL;
    pm_run_config *cfg = NULL;
    pm_status s = finished_copy(config, &cfg);
    if (s == PM_OK && !(rtol >= 0 && rtol < 1 && tau_max >= 0 && isfinite(tau_max)))
        s = pm_error_set(PM_EINVAL, "spectrum: rtol = %g must lie in [0, 1) and tau_max = %g be >= 0", rtol, tau_max);
    if (s != PM_OK) {
        free(cfg);
        return s;
    }
    pm_run_steady run;
    pm_model *model = NULL;
    pm_correlation_result r = {0};
    void *progress_user = NULL;
    pm_progress_fn progress = pm_api_progress_of(control, &progress_user);
    /* two passes of the progress: the cutoff search, then the frequency grid */
    s = pm_run_steady_solve(cfg, pm_api_stop_of(control), progress, progress_user, &run);
    pm_steady_result *steady = run.result;
    long N = s == PM_OK ? (long)steady->state->N : 0;
    long K = s == PM_OK && steady->block->sector == PM_SECTOR_COUPLED ? (long)steady->block->max_sector : -1;
    pm_model_desc desc;
    if (s == PM_OK) s = pm_model_desc_init(&cfg->params, &desc);
    if (s == PM_OK) s = pm_model_desc_build(&desc, N, K >= 0 ? K : cfg->params.K, &model);
    pm_correlation_options co;
    pm_correlation_options_default(&co);
    co.grid.stop = pm_api_stop_of(control);
    co.grid.lu = pm_config_lu_backend(cfg);
    co.grid.progress = pm_api_progress_of(control, &co.grid.progress_user);
    if (points) co.grid.max_points = points;
    if (rtol > 0) co.grid.rtol = rtol;
    co.want_x = want_x;
    co.want_tau = want_tau;
    co.tau_max = tau_max;
    co.evolve.rtol = cfg->rtol;
    co.evolve.atol = cfg->atol;
    co.evolve.linear_solver = pm_config_linear_solver(cfg);
    co.evolve.stop_flag = pm_api_stop_of(control);
    if (s == PM_OK) s = pm_correlation_run(model, steady, &co, &r);
    if (s == PM_OK) s = pm_api_result_alloc(out);
    if (s == PM_OK) {
        const pm_named_double values[] = {
            {"linewidth_fwhm", r.linewidth_fwhm, "rad/s"}, {"line_shift", r.line_shift, "rad/s"},
            {"linewidth_slowest_mode", r.linewidth_slowest_mode, "rad/s"}, {"linewidth_fp", r.linewidth_fp, "rad/s"},
            {"linewidth_reduced", r.linewidth_reduced, "rad/s"}, {"sum_rule_error", r.S_a.sum_rule_error, "1"},
            {"coherent_weight", r.S_a.coherent, "1"}, {"n_mean", r.n_mean, "1"}, {"N", (double)N, "1"},
            {"K", K >= 0 ? (double)K : NAN, "1"}, {"spectrum_points", (double)r.S_a.n, "1"},
            {"spectrum_resolved", r.S_a.resolved, "1"}, {"S_th", r.S_th, "1"}, {"frame_omega", r.frame_omega, "rad/s"},
            {"seconds", r.seconds, "s"},
        };
        for (size_t k = 0; k < sizeof values / sizeof values[0] && s == PM_OK; k++)
            s = pm_api_result_put_scalar(*out, values[k].name, values[k].value);
        if (s == PM_OK) s = pm_api_result_put_string(*out, "frame", r.frame ? r.frame : "");
        const struct {
            const char *name;
            char type;
            const void *data;
            size_t n;
        } arrays[] = {
            {"omega", 'd', r.S_a.omega, r.S_a.n}, {"S_a", 'd', r.S_a.S, r.S_a.n},
            {"omega_x", 'd', r.S_x.omega, r.S_x.n}, {"S_x", 'd', r.S_x.S, r.S_x.n},
            {"tau", 'd', r.tau, r.ntau}, {"g1", 'c', r.g1, r.g1 ? r.ntau : 0},
            {"g2", 'd', r.g2, r.g2 ? r.ntau : 0}, {"xx", 'c', r.xx, r.xx ? r.ntau : 0},
        };
        for (size_t k = 0; k < sizeof arrays / sizeof arrays[0] && s == PM_OK; k++)
            if (arrays[k].data && arrays[k].n) s = pm_api_result_put_array(*out, arrays[k].name, arrays[k].type, arrays[k].data, arrays[k].n);
    }
    pm_correlation_result_clear(&r);
    pm_model_free(model);
    pm_run_steady_clear(&run);
    free(cfg);
    return s == PM_OK ? PM_OK : fail(s, out);
}

/* -------------------------------------------------------------------- wigner */

pm_status pm_api_wigner(int64_t dim, size_t count, const int64_t *row, const int64_t *col, const double *values,
                        int adjoint_implied, size_t points, double range, size_t nz, const double *z, size_t np,
                        const double *p, pm_api_control *control, pm_api_result **out)
{
    *out = NULL;
    if (count > 0 && (!row || !col || !values)) return pm_error_set(PM_EINVAL, "wigner: no state given");
    pm_wigner_mech *mech = NULL;
    pm_status s = pm_wigner_mech_from_triplets(dim, count, row, col, (const pm_complex *)(const void *)values,
                                               adjoint_implied, &mech);
    if (s == PM_OK) s = pm_api_result_alloc(out);
    if (s == PM_OK && z) {
        double *W = p && np > 0 && nz > 0 ? malloc(nz * np * sizeof *W) : NULL;
        if (!W) s = pm_error_set(PM_EINVAL, "wigner: the grid needs nz >= 1 and np >= 1 points");
        if (s == PM_OK)
            s = pm_wigner_grid_mech_interruptible(mech, PM_WIGNER_AUTO, nz, z, np, p, W, pm_api_stop_of(control));
        if (s == PM_OK) s = pm_api_result_put_array(*out, "W", 'd', W, nz * np);
        if (s == PM_OK) s = pm_api_result_put_array(*out, "z", 'd', z, nz);
        if (s == PM_OK) s = pm_api_result_put_array(*out, "p", 'd', p, np);
        if (s == PM_OK) s = pm_api_result_put_string(*out, "path", pm_wigner_path_name(pm_wigner_choose_path(mech)));
        free(W);
    } else if (s == PM_OK) {
        pm_wigner_image image;
        memset(&image, 0, sizeof image);
        s = pm_wigner_image_compute(mech, points, range, pm_api_stop_of(control), &image);
        if (s == PM_OK) s = pm_api_result_put_array(*out, "W", 'd', image.W, image.points * image.points);
        if (s == PM_OK) s = pm_api_result_put_array(*out, "z", 'd', image.z, image.points);
        if (s == PM_OK) s = pm_api_result_put_array(*out, "p", 'd', image.z, image.points);
        if (s == PM_OK) s = pm_api_result_put_array(*out, "radial_r", 'd', image.radial_r, image.nradial);
        if (s == PM_OK) s = pm_api_result_put_array(*out, "radial_W", 'd', image.radial_W, image.nradial);
        if (s == PM_OK) s = pm_api_result_put_array(*out, "radial_P_r", 'd', image.radial_P, image.nradial);
        const pm_named_double scalars[] = {
            {"range", image.range, "1"},          {"W_min", image.W_min, "1"},
            {"W_max", image.W_max, "1"},          {"integral", image.integral, "1"},
            {"ring_radius_exact", image.ring.r_peak_w, "1"}, {"ring_radius_pr", image.ring.r_peak_pr, "1"},
            {"seconds", image.seconds, "s"},
        };
        for (size_t k = 0; k < sizeof scalars / sizeof scalars[0] && s == PM_OK; k++)
            s = pm_api_result_put_scalar(*out, scalars[k].name, scalars[k].value);
        if (s == PM_OK) s = pm_api_result_put_string(*out, "path", pm_wigner_path_name(image.path));
        pm_wigner_image_clear(&image);
    }
    pm_wigner_mech_free(mech);
    return s == PM_OK ? PM_OK : fail(s, out);
}
