/* phonomaser converge: the steady state over a ladder of Fock cutoffs. */
#include <math.h>
#include <string.h>

#include "cli.h"

static void help(void)
{
    printf("usage: phonomaser converge [-c FILE.ini] [--set KEY=VALUE]... [--output FILE.h5]\n\n"
           "Fock-truncation convergence of the steady state.  With ladder = N1,N2,... the\n"
           "steady state is solved at each cutoff; with an empty ladder (default) N grows\n"
           "from 32 by factors of 1.5 until the top 5%% of the Fock levels hold less than\n"
           "tail_tol (default 1e-8) and <n> changes by less than converge_tol (default\n"
           "1e-6, relative) from the previous cutoff.  Prints one row per N (observables,\n"
           "relative change of <n>, tail population, residual, seconds) and the chosen N;\n"
           "the HDF5 file holds the ladder under /converge and the final state under /steady.\n\n");
    pm_cli_print_common_help(stdout);
}

int pm_cli_interrupted(const char *command, pm_h5file *file, const char *output, int argc, char **argv,
                       const pm_run_config *cfg, const pm_converge_result *ladder, const char *group)
{
    size_t solved = ladder ? ladder->nsteps : 0;
    if (!file || solved == 0) {
        pm_h5_abort(file);
        fprintf(stderr, "phonomaser %s: interrupted (%s)%s\n", command, pm_error_message(),
                file ? "; no results yet, no file written" : "");
        return 3;
    }
    char message[512];
    snprintf(message, sizeof message, "%s", pm_error_message());
    pm_status s = pm_report_h5_header(file, command, argc, argv, cfg, ladder->chosen_N);
    if (s == PM_OK) s = pm_results_write_ladder(file, group, ladder, cfg->tail_tol, cfg->converge_tol);
    if (s == PM_OK) s = pm_h5_close(file, 0);
    else pm_h5_abort(file);
    if (s != PM_OK) return pm_cli_fail(s);
    fprintf(stderr, "phonomaser %s: interrupted (%s); %s holds the %zu cutoff%s solved, up to N = %ld "
            "(complete = 0)\n", command, message, output, solved, solved == 1 ? "" : "s", ladder->chosen_N);
    return 3;
}

int pm_cmd_converge(int argc, char **argv)
{
    pm_cli_options opts;
    pm_h5file *file = NULL;
    int rc = pm_cli_begin("converge", argc, argv, help, &opts, &file);
    if (rc >= 0) return rc;
    rc = 0;
    pm_run_config *cfg = &opts.config;
    pm_status s = PM_OK;
    pm_converge_options copts;
    pm_cli_converge_options(cfg, &copts);
    pm_converge_result ladder = {0};
    pm_model_desc model;
    s = pm_model_desc_init(&cfg->params, &model);
    if (s == PM_OK && cfg->ladder_count > 0)
        s = pm_converge_ladder(&model, (size_t)cfg->ladder_count, cfg->ladder, &copts, &ladder);
    else if (s == PM_OK)
        s = pm_converge_auto(&model, &copts, &ladder);
    if (s == PM_EINTERRUPT) {
        rc = pm_cli_interrupted("converge", file, opts.output, argc, argv, cfg, &ladder, "/converge");
        pm_converge_result_clear(&ladder);
        return rc;
    }
    if (s != PM_OK) {
        rc = pm_cli_fail(s);
        pm_h5_abort(file);
        pm_converge_result_clear(&ladder);
        return rc;
    }
    pm_report_ladder(stdout, &ladder);
    const pm_converge_step *last = &ladder.steps[ladder.nsteps - 1];
    pm_report_int("N", ladder.chosen_N);
    if (ladder.chosen_K >= 0) pm_report_int("K", ladder.chosen_K);
    pm_report_int("converged", ladder.converged);
    pm_report_double("n_mean", last->n_mean);
    pm_report_double("rel_change_n", last->rel_change_n);
    pm_report_double("tail_population", last->tail_population);
    pm_report_double("tail_tol", cfg->tail_tol);
    pm_report_double("converge_tol", cfg->converge_tol);
    if (!ladder.converged) /* a warning: shown with -q too */
        fprintf(stderr, "phonomaser: warning: not converged at N = %ld (tail %.3g vs tail_tol %.3g, change of <n> "
                "%.3g vs converge_tol %.3g)\n", ladder.chosen_N, last->tail_population, cfg->tail_tol,
                last->rel_change_n, cfg->converge_tol);
    if (file) {
        s = pm_report_h5_header(file, "converge", argc, argv, cfg, ladder.chosen_N);
        if (s == PM_OK) s = pm_results_write_sector_cutoff(file, &cfg->params, ladder.chosen_K);
        if (s == PM_OK) s = pm_results_write_ladder(file, "/converge", &ladder, cfg->tail_tol, cfg->converge_tol);
        if (s == PM_OK) s = pm_results_write_observables(file, "/steady", &ladder.final.obs);
        if (s == PM_OK) s = pm_h5_close(file, 1);
        else pm_h5_abort(file);
        if (s != PM_OK) rc = pm_cli_fail(s);
    }
    pm_converge_result_clear(&ladder);
    return rc;
}
