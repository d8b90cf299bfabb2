/* phonomaser evolve: time evolution of the maser master equation, with
 * checkpoints (--checkpoint) and resumed runs (--resume). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "phonomaser/core/timer.h"
#include "phonomaser/io/checkpoint.h"

#define CHECKPOINT_SUFFIX ".checkpoint.h5"

static void help(void)
{
    printf("usage: phonomaser evolve [-c FILE.ini] [--set KEY=VALUE]... [--output FILE.h5]\n"
           "                         [--checkpoint SECONDS]\n"
           "       phonomaser evolve --resume FILE.h5.checkpoint.h5 [--output FILE.h5]\n"
           "                         [--checkpoint SECONDS]\n\n"
           "Evolves drho/dt = L rho (Eqs. 6-9) with CVODE (BDF) from t = 0 and records <n>,\n"
           "<n^2>, g2(0), <sigma_z>, <a> and Tr rho at n_times equally spaced output times in\n"
           "[0, t_final], or at the output times listed in `times` (e.g. --set times=0,0.5,2,20).\n"
           "initial = thermal (n_th, uncoupled spin steady state), fock, coherent\n"
           "(alpha = re+imi) or vacuum.  Phase-invariant initial states evolve in the k = 0\n"
           "sector only; coherent states in k = 0 and 1 (for <a>; all sectors |k| <= K when\n"
           "store_rho = 1), one thread per sector.  linear_solver = klu (sparse LU of the\n"
           "Jacobian) or spgmr (matrix-free, for very large blocks).  A progress bar is drawn\n"
           "on stderr when it is a terminal.  Ctrl-C (SIGINT or SIGTERM) stops the run and\n"
           "writes what was computed, marked complete = 0, plus a checkpoint to resume from.\n\n"
           "checkpoints:\n"
           "  --checkpoint SECONDS  with --output FILE.h5: write restart data to\n"
           "                        FILE.h5" CHECKPOINT_SUFFIX " (atomically) at the first output\n"
           "                        time reached SECONDS of wall time after the previous\n"
           "                        checkpoint; it is also written when the run is\n"
           "                        interrupted, and deleted when the run completes.\n"
           "  --resume FILE         continue the run stored in the checkpoint FILE with its\n"
           "                        settings (-c and --set are refused); the output defaults\n"
           "                        to FILE without " CHECKPOINT_SUFFIX ".  Each sector restarts at\n"
           "                        its latest output time with a fresh CVODE history, so the\n"
           "                        result agrees with an uninterrupted run to the solver\n"
           "                        tolerance (rtol, atol), not bit for bit; solver\n"
           "                        statistics count the resumed part.\n\n");
    pm_cli_print_common_help(stdout);
}

static int has_suffix(const char *text, const char *suffix)
{
    size_t n = strlen(text), m = strlen(suffix);
    return n > m && strcmp(text + n - m, suffix) == 0;
}

/* The checkpoint callback of pm_mesolve: the restart data to the file
 * (atomically, io/checkpoint.h). */
static pm_status write_checkpoint(void *user, const pm_checkpoint *cp)
{
    return pm_checkpoint_write((const char *)user, cp);
}

int pm_cmd_evolve(int argc, char **argv)
{
    /* --checkpoint, --resume (flags.c), then the common options */
    pm_cli_flags flags;
    pm_cli_options opts;
    int rc = pm_cli_parse_command("evolve", argc, argv, &flags, &opts);
    if (rc != 0 || opts.help) {
        pm_cli_flags_free(&flags);
        if (rc == 0) help();
        return rc;
    }
    pm_run_config *cfg = &opts.config;
    pm_checkpoint *resume = NULL;
    char *derived_output = NULL;
    if (flags.resume) {
        pm_status s = pm_checkpoint_read(flags.resume, &resume);
        if (s == PM_OK) {
            pm_config_init(cfg);
            s = pm_cli_config_from_text("checkpoint", resume->config ? resume->config : "", flags.resume, cfg);
        }
        if (s != PM_OK) {
            pm_checkpoint_free(resume);
            pm_cli_flags_free(&flags);
            return pm_cli_fail(s);
        }
        if (!opts.output && has_suffix(flags.resume, CHECKPOINT_SUFFIX)) {
            derived_output = strndup(flags.resume, strlen(flags.resume) - strlen(CHECKPOINT_SUFFIX));
            opts.output = derived_output;
        }
    }
    if (flags.checkpoint_seconds > 0 && !opts.output) {
        pm_checkpoint_free(resume);
        pm_cli_flags_free(&flags);
        return pm_cli_fail(pm_error_set(PM_EINVAL, "evolve: --checkpoint needs --output FILE.h5 (the restart "
                                        "data goes to FILE.h5" CHECKPOINT_SUFFIX ")"));
    }
    pm_initial init;
    pm_run_initial(cfg, &init);
    /* an initial state the cutoff cannot hold is refused before any work
     * (with N = auto, pm_mesolve refuses it at the chosen N) */
    if (cfg->params.N != PM_N_AUTO && !resume) {
        pm_status valid = pm_initial_validate(&init, cfg->params.N);
        if (valid != PM_OK) {
            free(derived_output), pm_cli_flags_free(&flags);
            return pm_cli_fail(valid);
        }
    }
    /* output times: the `times` list (after a start at t = 0 if it lacks
     * one: skip hides it), or n_times evenly spaced in [0, t_final] */
    size_t skip = 0, ntimes = 0;
    double *times = NULL;
    pm_status times_status = pm_output_times(cfg->times_count > 0 ? cfg->times : NULL, (size_t)cfg->times_count,
                                             cfg->t_final, (size_t)cfg->n_times, &times, &ntimes, &skip);
    char *checkpoint_path = NULL, *ini_text = NULL;
    if (opts.output) {
        checkpoint_path = malloc(strlen(opts.output) + sizeof CHECKPOINT_SUFFIX);
        if (checkpoint_path) sprintf(checkpoint_path, "%s" CHECKPOINT_SUFFIX, opts.output);
    }
    if (!times || (opts.output && !checkpoint_path)) {
        free(times), free(checkpoint_path), free(derived_output), pm_cli_flags_free(&flags);
        pm_checkpoint_free(resume);
        return pm_cli_fail(times ? pm_error_set(PM_ENOMEM, "out of memory for the checkpoint name") : times_status);
    }

    pm_h5file *file = NULL;
    pm_status s = PM_OK;
    if (opts.output) {
        rc = pm_cli_check_output(opts.output, opts.quiet);
        if (rc == 0 && checkpoint_path) rc = pm_cli_check_output(checkpoint_path, opts.quiet);
        if (rc != 0) {
            free(times), free(checkpoint_path), free(derived_output), pm_cli_flags_free(&flags);
            pm_checkpoint_free(resume);
            return rc;
        }
        s = pm_h5_create(opts.output, &file);
        if (s != PM_OK) {
            free(times), free(checkpoint_path), free(derived_output), pm_cli_flags_free(&flags);
            pm_checkpoint_free(resume);
            return pm_cli_fail(s);
        }
    }
    pm_mesolve_options mopts;
    pm_run_mesolve_options(cfg, &pm_cli_stop, &mopts);
    /* measured in evolve.c (SPGMR_EPS_LIN) */
    if (mopts.evolve.linear_solver == PM_LINSOL_SPGMR)
        fprintf(stderr, "phonomaser: warning: linear_solver = spgmr is less accurate than the rtol it is given "
                "(<n> off by up to 7 rtol at N = 300, KLU 2 rtol): tighten rtol or use linear_solver = klu\n");
    mopts.evolve.progress = !opts.quiet && isatty(2) ? pm_cli_progress_bar : NULL;
    mopts.resume = resume;

    double start = pm_wall_seconds();
    /* N = auto: the cutoff that converges the steady state (the evolution
     * from a thermal state grows towards it); the tail population along the
     * trajectory is checked below.  A checkpoint stores the N chosen. */
    int automatic = cfg->params.N == PM_N_AUTO;
    pm_model_desc desc;
    s = pm_model_desc_init(&cfg->params, &desc);
    /* K = auto likewise: the sector cutoff of the converged steady state */
    int k_automatic = s == PM_OK && pm_converge_is_automatic(&desc) && cfg->params.K == PM_K_AUTO;
    if (s == PM_OK && pm_converge_is_automatic(&desc)) {
        pm_converge_options copts;
        pm_cli_converge_options(cfg, &copts);
        s = pm_converge_evolution_cutoffs(&desc, &copts, &init, &desc);
        cfg->params = desc.params;
    }
    if (s != PM_OK) {
        free(times), free(checkpoint_path), free(derived_output), pm_cli_flags_free(&flags);
        pm_h5_abort(file);
        return pm_cli_fail(s);
    }
    if (checkpoint_path) {
        /* with an output file, an interruption always leaves a checkpoint */
        ini_text = pm_cli_config_text(cfg);
        mopts.checkpoint = write_checkpoint;
        mopts.checkpoint_user = checkpoint_path;
        mopts.checkpoint_interval = flags.checkpoint_seconds;
        mopts.checkpoint_config = ini_text;
    }
    pm_model *model = NULL;
    pm_mesolve_result result;
    memset(&result, 0, sizeof result);
    /* the memory estimate before the model is built (issue 12.11) */
    s = pm_mesolve_memory_check(&desc, &init, &mopts);
    if (s == PM_OK) s = pm_model_desc_build(&desc, cfg->params.N, cfg->params.K, &model);
    if (s == PM_OK) s = pm_mesolve(model, &init, ntimes, times, &mopts, &result);
    double seconds = pm_wall_seconds() - start;
    int interrupted = s == PM_EINTERRUPT;
    if (s != PM_OK && !(interrupted && file)) {
        rc = pm_cli_fail(s);
        pm_h5_abort(file);
        pm_mesolve_result_clear(&result);
        pm_model_free(model);
        free(times), free(checkpoint_path), free(derived_output), free(ini_text), pm_cli_flags_free(&flags);
        pm_checkpoint_free(resume);
        return rc;
    }
    if (result.path_note[0] && !opts.quiet) fprintf(stderr, "phonomaser: note: %s\n", result.path_note);
    if (result.checkpoint_failures)
        fprintf(stderr, "phonomaser: warning: %zu checkpoint write(s) failed (%zu written): %s\n",
                result.checkpoint_failures, result.checkpoints_written, result.checkpoint_error);
    const pm_timeseries *ts = &result.series;
    if (!interrupted && ts->ntimes > skip) {
        size_t last = ts->ntimes - 1;
        pm_report_string("path", pm_path_name(result.path));
        pm_report_int("N", model->N);
        if (automatic) pm_report_string("N_mode", "auto (converged steady-state cutoff)");
        pm_report_int("sectors", (long long)result.nblocks);
        pm_report_int("n_times", (long long)(ts->ntimes - skip));
        pm_report_double("t_final", ts->t[last]);
        pm_report_double("n_mean", ts->n_mean[last]);
        pm_report_double("n2_mean", ts->n2_mean[last]);
        pm_report_double("g2", ts->g2[last]);
        pm_report_double("sz_mean", ts->sz_mean[last]);
        pm_report_double("a_abs", cabs(ts->a_mean[last]));
        pm_report_double("trace", ts->trace[last]);
        pm_report_int("steps", result.info.steps);
        pm_report_int("rhs_evals", result.info.rhs_evals);
        char method[32];
        snprintf(method, sizeof method, "cvode-bdf-%s", pm_linear_solver_name(result.info.linear_solver));
        pm_report_string("method", method);
        if (resume) pm_report_double("resumed_at", times[result.resumed_from ? result.resumed_from - 1 : 0]);
        pm_report_double("seconds", seconds);
        double tail_max = 0;
        for (size_t k = skip; k < ts->ntimes; k++) tail_max = fmax(tail_max, ts->tail_population[k]);
        pm_report_double("tail_population_max", tail_max);
        if (tail_max > cfg->tail_tol) /* a warning: shown with -q too */
            fprintf(stderr, "phonomaser: warning: the top Fock levels reach population %.3g > tail_tol = %.3g "
                    "during the evolution: raise N\n", tail_max, cfg->tail_tol);
        /* against the initial trace (within 1e-6 of 1: pm_mesolve refuses others) */
        if (fabs(ts->trace[last] - ts->trace[0]) > 1e-6)
            fprintf(stderr, "phonomaser: warning: trace drifted from %.12g to %.12g at t = %g s; tighten "
                    "rtol/atol\n", ts->trace[0], ts->trace[last], ts->t[last]);
    }
    if (file) {
        long K_used = cfg->params.K;
        if (automatic) cfg->params.N = PM_N_AUTO; /* the record says auto; /parameters/N the cutoff used */
        if (k_automatic) cfg->params.K = PM_K_AUTO;
        s = pm_report_h5_header(file, "evolve", argc, argv, cfg, model ? (long)model->N : 0);
        if (s == PM_OK) s = pm_results_write_sector_cutoff(file, &cfg->params, K_used);
        pm_results_evolve_run run = {.initial = cfg->initial, .rtol = cfg->rtol, .atol = cfg->atol,
                                     .seconds = seconds, .resumed_at = NAN};
        if (resume) run.resumed_at = times[result.resumed_from ? result.resumed_from - 1 : 0];
        /* an interrupted run's final state is not the state at t_final */
        pm_state *final_state = result.final_state;
        if (interrupted) result.final_state = NULL;
        if (s == PM_OK) s = pm_results_write_evolve(file, &result, skip, &run);
        result.final_state = final_state;
        if (s == PM_OK) s = pm_h5_close(file, !interrupted);
        else pm_h5_abort(file);
        if (s != PM_OK) rc = pm_cli_fail(s);
        /* a complete result makes its checkpoint stale */
        if (s == PM_OK && !interrupted && checkpoint_path) unlink(checkpoint_path);
    }
    if (interrupted) {
        fprintf(stderr, "phonomaser evolve: interrupted at t = %g s; %s holds the %zu output times computed (complete = 0)",
                ts->ntimes > skip ? ts->t[ts->ntimes - 1] : 0.0, opts.output, ts->ntimes > skip ? ts->ntimes - skip : 0);
        if (result.checkpoints_written)
            fprintf(stderr, "; continue with: phonomaser evolve --resume %s", checkpoint_path);
        fprintf(stderr, "\n");
        rc = rc ? rc : 3;
    }
    pm_mesolve_result_clear(&result);
    pm_model_free(model);
    pm_checkpoint_free(resume);
    free(times), free(checkpoint_path), free(derived_output), free(ini_text), pm_cli_flags_free(&flags);
    return rc;
}
