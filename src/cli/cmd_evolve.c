/* phonomaser evolve: time evolution of the maser master equation. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void help(void)
{
    printf("usage: phonomaser evolve [-c FILE.ini] [--set KEY=VALUE]... [--output FILE.h5]\n\n"
           "Evolves drho/dt = L rho (Eqs. 6-9) with CVODE (BDF) from t = 0 to t_final and\n"
           "records <n>, <n^2>, g2(0), <sigma_z>, <a> and Tr rho at n_times equally spaced\n"
           "output times.  initial = thermal (n_th, uncoupled spin steady state), fock,\n"
           "coherent (alpha = re+imi) or vacuum.  Phase-invariant initial states evolve in\n"
           "the k = 0 sector only; coherent states in k = 0 and 1 (for <a>; all sectors\n"
           "|k| <= K when store_rho = 1), one thread per sector.  linear_solver = klu\n"
           "(sparse LU of the Jacobian) or spgmr (matrix-free, for very large blocks).\n"
           "A progress bar is drawn on stderr when it is a terminal.  Ctrl-C stops the run\n"
           "and writes what was computed, marked complete = 0.\n\n");
    pm_cli_print_common_help(stdout);
}

static pm_status write_series(pm_h5file *file, const pm_timeseries *ts)
{
    size_t n = ts->ntimes;
    pm_status s = pm_h5_dataset_double(file, "/evolve/t", ts->t, n, 0, "s");
    if (s == PM_OK) s = pm_h5_dataset_double(file, "/evolve/n_mean", ts->n_mean, n, 0, "1");
    if (s == PM_OK) s = pm_h5_dataset_double(file, "/evolve/n2_mean", ts->n2_mean, n, 0, "1");
    if (s == PM_OK) s = pm_h5_dataset_double(file, "/evolve/g2", ts->g2, n, 0, "1");
    if (s == PM_OK) s = pm_h5_dataset_double(file, "/evolve/sz_mean", ts->sz_mean, n, 0, "1");
    if (s == PM_OK) s = pm_h5_dataset_double(file, "/evolve/trace", ts->trace, n, 0, "1");
    if (s == PM_OK) s = pm_h5_dataset_complex(file, "/evolve/a_mean", ts->a_mean, n, 0, "1");
    if (s == PM_OK) s = pm_h5_dataset_double(file, "/evolve/tail_population", ts->tail_population, n, 0, "1");
    return s;
}

int pm_cmd_evolve(int argc, char **argv)
{
    pm_cli_options opts;
    int rc = pm_cli_parse("evolve", argc, argv, &opts);
    if (rc != 0) return rc;
    if (opts.help) {
        help();
        return 0;
    }
    pm_run_config *cfg = &opts.config;
    pm_initial init;
    pm_initial_default(&cfg->params, pm_config_initial_kind(cfg), &init);
    init.fock_n = cfg->fock_n;
    init.alpha = cfg->alpha_re + I * cfg->alpha_im;
    size_t ntimes = (size_t)cfg->n_times;
    double *times = malloc(ntimes * sizeof *times);
    if (!times) {
        pm_error_set(PM_ENOMEM, "out of memory for %zu output times", ntimes);
        return pm_cli_fail(PM_ENOMEM);
    }
    for (size_t k = 0; k < ntimes; k++) times[k] = cfg->t_final * (double)k / (double)(ntimes - 1);

    pm_h5file *file = NULL;
    pm_status s = PM_OK;
    if (opts.output) {
        s = pm_h5_create(opts.output, &file);
        if (s != PM_OK) {
            free(times);
            return pm_cli_fail(s);
        }
    }
    pm_mesolve_options mopts;
    pm_mesolve_options_default(&mopts);
    mopts.path = pm_cli_path(cfg);
    mopts.evolve.rtol = cfg->rtol;
    mopts.evolve.atol = cfg->atol;
    mopts.evolve.linear_solver = pm_config_linear_solver(cfg);
    mopts.evolve.progress = !opts.quiet && isatty(2);
    mopts.evolve.stop_flag = (const volatile int *)&pm_cli_stop;
    mopts.keep_final_state = cfg->store_rho;

    double start = wall_seconds();
    /* N = auto: the cutoff that converges the steady state (the evolution
     * from a thermal state grows towards it); the tail population along the
     * trajectory is checked below */
    int automatic = cfg->params.N == PM_N_AUTO;
    if (automatic) {
        pm_converge_options copts;
        pm_cli_converge_options(cfg, &copts);
        pm_converge_result ladder;
        s = pm_converge_auto(&cfg->params, &copts, &ladder);
        cfg->params.N = ladder.chosen_N;
        pm_converge_result_clear(&ladder);
        if (s != PM_OK) {
            free(times);
            pm_h5_abort(file);
            return pm_cli_fail(s);
        }
        if (init.kind == PM_INITIAL_FOCK && init.fock_n >= cfg->params.N) cfg->params.N = init.fock_n + 1;
    }
    pm_model *model = NULL;
    pm_mesolve_result result;
    memset(&result, 0, sizeof result);
    s = pm_model_jc_alloc(&cfg->params, &model);
    pm_status solve_status = PM_OK;
    if (s == PM_OK) s = solve_status = pm_mesolve(model, &init, ntimes, times, &mopts, &result);
    double seconds = wall_seconds() - start;
    int interrupted = s == PM_EINTERRUPT;
    if (s != PM_OK && !(interrupted && file)) {
        rc = pm_cli_fail(s);
        pm_h5_abort(file);
        pm_mesolve_result_clear(&result);
        pm_model_free(model);
        free(times);
        return rc;
    }
    if (result.path_note[0] && !opts.quiet) fprintf(stderr, "phonomaser: note: %s\n", result.path_note);
    const pm_timeseries *ts = &result.series;
    if (!interrupted && ts->ntimes > 0) {
        size_t last = ts->ntimes - 1;
        pm_report_string("path", pm_path_name(result.path));
        pm_report_int("N", model->N);
        if (automatic) pm_report_string("N_mode", "auto (converged steady-state cutoff)");
        pm_report_int("sectors", (long long)result.nblocks);
        pm_report_double("t_final", ts->t[last]);
        pm_report_double("n_mean", ts->n_mean[last]);
        pm_report_double("n2_mean", ts->n2_mean[last]);
        pm_report_double("g2", ts->g2[last]);
        pm_report_double("sz_mean", ts->sz_mean[last]);
        pm_report_double("a_abs", cabs(ts->a_mean[last]));
        pm_report_double("trace", ts->trace[last]);
        pm_report_int("steps", result.info.steps);
        pm_report_int("rhs_evals", result.info.rhs_evals);
        pm_report_string("method", mopts.evolve.linear_solver == PM_LINSOL_SPGMR ? "cvode-bdf-spgmr" : "cvode-bdf-klu");
        pm_report_double("seconds", seconds);
        double tail_max = 0;
        for (size_t k = 0; k < ts->ntimes; k++) tail_max = fmax(tail_max, ts->tail_population[k]);
        pm_report_double("tail_population_max", tail_max);
        if (tail_max > cfg->tail_tol && !opts.quiet)
            fprintf(stderr, "phonomaser: warning: the top Fock levels reach population %.3g > tail_tol = %.3g "
                    "during the evolution: raise N\n", tail_max, cfg->tail_tol);
        if (fabs(ts->trace[last] - 1) > 1e-6)
            fprintf(stderr, "phonomaser: warning: trace drifted to %.12g at t = %g s; tighten rtol/atol\n",
                    ts->trace[last], ts->t[last]);
    }
    if (file) {
        s = pm_report_h5_header(file, "evolve", argc, argv, cfg);
        if (s == PM_OK) s = write_series(file, ts);
        if (s == PM_OK) s = pm_h5_attr_string(file, "/evolve", "path", pm_path_name(result.path));
        if (s == PM_OK) s = pm_h5_attr_string(file, "/evolve", "initial", cfg->initial);
        if (s == PM_OK) s = pm_h5_attr_double(file, "/evolve", "seconds", seconds, "s");
        if (s == PM_OK) s = pm_h5_attr_double(file, "/evolve", "rtol", cfg->rtol, "1");
        if (s == PM_OK) s = pm_h5_attr_double(file, "/evolve", "atol", cfg->atol, "1");
        if (s == PM_OK) s = pm_h5_attr_int(file, "/evolve/solver", "steps", result.info.steps);
        if (s == PM_OK) s = pm_h5_attr_int(file, "/evolve/solver", "rhs_evals", result.info.rhs_evals);
        if (s == PM_OK) s = pm_h5_attr_int(file, "/evolve/solver", "jac_evals", result.info.jac_evals);
        if (s == PM_OK) s = pm_h5_attr_int(file, "/evolve/solver", "lin_iters", result.info.lin_iters);
        if (s == PM_OK) s = pm_h5_attr_int(file, "/evolve/solver", "sectors", (long long)result.nblocks);
        if (s == PM_OK && result.final_state && !interrupted) {
            s = pm_report_h5_state(file, "/evolve/rho_final", result.final_state);
        }
        if (s == PM_OK) s = pm_h5_close(file, !interrupted);
        else pm_h5_abort(file);
        if (s != PM_OK) rc = pm_cli_fail(s);
    }
    if (interrupted) {
        fprintf(stderr, "phonomaser evolve: interrupted at t = %g s; %s holds the %zu output times computed (complete = 0)\n",
                ts->ntimes ? ts->t[ts->ntimes - 1] : 0.0, opts.output, ts->ntimes);
        rc = rc ? rc : 3;
    }
    (void)solve_status;
    pm_mesolve_result_clear(&result);
    pm_model_free(model);
    free(times);
    return rc;
}
