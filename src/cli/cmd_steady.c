/* phonomaser steady: the steady state of the maser master equation. */
#include <math.h>
#include <string.h>

#include "cli.h"

static void help(void)
{
    printf("usage: phonomaser steady [-c FILE.ini] [--set KEY=VALUE]... [--output FILE.h5]\n\n"
           "Steady state rho_ss (L rho_ss = 0, Tr rho_ss = 1) of the driven-dissipative\n"
           "Jaynes-Cummings maser, Eqs. (6)-(9) of the paper, in the excitation-number\n"
           "sector k = 0 (path = auto/sector) or on the full Liouvillian (path = full).\n"
           "method = direct: sparse LU with one population pinned (sector blocks, LAPACK\n"
           "band LU: the trace condition without a dense row) or one row replaced by the\n"
           "trace row (full Liouvillian, KLU); method = arpack: shift-invert Arnoldi\n"
           "about 0 on the same LU.  lu = klu|umfpack|band forces one LU.\n"
           "Prints one 'name = value' line per result; 'seconds' is the wall time to build\n"
           "the Liouvillian and solve (no start-up, no file output).\n\n");
    pm_cli_print_common_help(stdout);
}

int pm_cmd_steady(int argc, char **argv)
{
    pm_cli_options opts;
    pm_h5file *file = NULL;
    int rc = pm_cli_begin("steady", argc, argv, help, &opts, &file);
    if (rc >= 0) return rc;
    rc = 0;
    pm_run_config *cfg = &opts.config;
    pm_status s = PM_OK;
    pm_cli_steady run;
    s = pm_cli_steady_solve(cfg, opts.quiet, &run);
    int automatic = run.automatic;
    pm_converge_result *ladder = &run.ladder;
    pm_steady_result *result = run.result;
    double total_seconds = run.total_seconds, seconds = run.seconds;
    if (s == PM_EINTERRUPT) {
        rc = pm_cli_interrupted("steady", file, opts.output, argc, argv, cfg, automatic ? ladder : NULL,
                                "/steady/converge");
        pm_cli_steady_clear(&run);
        return rc;
    }
    if (s != PM_OK) {
        rc = pm_cli_fail(s);
        pm_h5_abort(file);
        pm_cli_steady_clear(&run);
        return rc;
    }
    if (result->path_note[0] && !opts.quiet) fprintf(stderr, "phonomaser: note: %s\n", result->path_note);
    if (result->info.note[0] && !opts.quiet) fprintf(stderr, "phonomaser: note: %s\n", result->info.note);
    long N = (long)result->state->N;
    int n_auto = cfg->params.N == PM_N_AUTO;
    if (automatic && !n_auto && !ladder->converged)
        fprintf(stderr, "phonomaser: warning: K = auto stopped at K = %ld with coherence tail %.3g > %.3g\n",
                ladder->chosen_K, ladder->steps[ladder->nsteps - 1].coherence_tail, run.copts.k_tail_tol);
    if (automatic && n_auto && !ladder->converged)
        fprintf(stderr, "phonomaser: warning: N = auto stopped at N = %ld without meeting tail_tol = %g and "
                "converge_tol = %g\n", N, cfg->tail_tol, cfg->converge_tol);

    /* the method that solved (direct when it took over from a failed ARPACK) */
    const char *method = result->info.method == PM_STEADY_ARPACK ? "arpack" : "direct";
    pm_report_string("method", method);
    pm_report_string("path", pm_path_name(result->path));
    pm_report_int("N", N);
    pm_report_string("model", pm_params_model_name(cfg->params.model));
    long K_used = result->block->sector == PM_SECTOR_COUPLED ? (long)result->block->max_sector : -1;
    if (K_used >= 0) pm_report_int("K", K_used);
    if (automatic) {
        pm_report_string("N_mode", n_auto ? "auto" : "fixed");
        pm_report_int("converged", ladder->converged);
        pm_report_double("rel_change_n", ladder->steps[ladder->nsteps - 1].rel_change_n);
        pm_report_int("cutoffs_tried", (long long)ladder->nsteps);
        pm_report_double("search_seconds", total_seconds);
    }
    pm_report_observables(&result->obs);
    pm_report_double("residual", result->info.residual);
    if (!isnan(result->number_balance)) pm_report_double("number_balance", result->number_balance);
    pm_report_int("lu_nnz", result->info.lu_nnz);
    if (result->info.method == PM_STEADY_DIRECT) pm_report_int("real_fold", result->info.real_fold);
    pm_report_int("matrix_size", result->block->size);
    pm_report_double("build_seconds", result->build_seconds);
    pm_report_double("solve_seconds", result->info.seconds);
    pm_report_double("seconds", seconds);
    pm_cli_steady_health(cfg, &run); /* warnings: shown with -q too */

    if (file) {
        s = pm_report_h5_header(file, "steady", argc, argv, cfg, N);
        if (s == PM_OK) s = pm_results_write_sector_cutoff(file, &cfg->params, K_used);
        if (s == PM_OK) s = pm_results_write_steady(file, result, result->info.method, seconds, cfg->store_rho);
        if (s == PM_OK && automatic)
            s = pm_results_write_ladder(file, "/steady/converge", ladder, cfg->tail_tol, cfg->converge_tol);
        if (s == PM_OK) s = pm_h5_close(file, 1);
        else pm_h5_abort(file);
        if (s != PM_OK) rc = pm_cli_fail(s);
    }
    pm_cli_steady_clear(&run);
    return rc;
}
