/* phonomaser wigner: the Wigner function W(z, p) of the mechanical state,
 * from the steady state (solved as `phonomaser steady` does) or from a
 * density matrix stored in a phonomaser HDF5 file (--state FILE.h5). */
#include <math.h>
#include "phonomaser/core/constants.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "phonomaser/core/timer.h"
#include "phonomaser/theory/reduced.h"
#include "phonomaser/phase_space/wigner.h"

static void help(void)
{
    printf("usage: phonomaser wigner [-c FILE.ini] [--set KEY=VALUE]... [--state FILE.h5] [--output FILE.h5]\n\n"
           "Wigner function W(z, p) of the mechanical reduced state rho_m = Tr_spin rho, with the\n"
           "paper's quadratures z = (a + a^dag)/sqrt(2), p = (a - a^dag)/(i sqrt(2)), normalised so\n"
           "that its integral over dz dp is 1 (QuTiP's wigner with g = sqrt(2)).  The state is the\n"
           "steady state of the configuration (solved as by 'phonomaser steady'; N = auto allowed),\n"
           "or, with --state FILE.h5, the density matrix /steady/rho (else /evolve/rho_final) of a\n"
           "phonomaser file, written by 'phonomaser steady --set store_rho=1 --output FILE.h5'\n"
           "(FILE.h5:/GROUP names another group; the file's /parameters give the model).\n"
           "A phase-invariant state (the maser steady state) takes the radial path,\n"
           "W(r) = (1/pi) sum_n P(n) (-1)^n e^{-r^2} L_n(2 r^2); a state with coherences the\n"
           "general Laguerre sum.  Both are accurate at N = 10^4 and beyond (no factorials,\n"
           "no overflow).\n\n"
           "The grid is square, z and p in [-wigner_range, wigner_range] with wigner_points\n"
           "points per axis (default 401; wigner_range = 0: 1.3 x the ring radius, or more to\n"
           "hold all but 1e-6 of P(n)).  Prints ring_radius_exact (the radius where W(r) peaks),\n"
           "ring_radius_pr (where the radial density 2 pi r W(r), Eq. 20, peaks), ring_radius_mb\n"
           "= sqrt(2 n_las) (Maxwell-Bloch, Eq. 15), W_min, W_max, the grid integral,\n"
           "'grid_seconds' (W on the grid) and 'seconds' (all of the Wigner work: ring search,\n"
           "grid, radial profile; without the steady-state solve).  HDF5: /wigner/z,\n"
           "/wigner/p, /wigner/W[iz][ip] with the ring radii as attributes, and the phase-averaged\n"
           "radial profile /wigner/radial/{r, W, P_r}.\n\n"
           "  --state FILE.h5[:/GROUP]  read the state from a phonomaser HDF5 file\n"
           "                        (default group /steady/rho, else /evolve/rho_final); the\n"
           "                        model comes from the file: only wigner_range and\n"
           "                        wigner_points may be given with --set\n\n");
    pm_cli_print_common_help(stdout);
}

/* ------------------------------------------------------------ command */

static int run_wigner(int argc, char **argv, const pm_cli_flags *flags, pm_cli_options *opts);

int pm_cmd_wigner(int argc, char **argv)
{
    /* --state (flags.c: the FILE:/GROUP split; with it only the grid keys
     * may be --set), then the common options */
    pm_cli_flags flags;
    pm_cli_options opts;
    int rc = pm_cli_parse_command("wigner", argc, argv, &flags, &opts);
    if (rc != 0 || opts.help) {
        pm_cli_flags_free(&flags);
        if (rc == 0) help();
        return rc;
    }
    rc = run_wigner(argc, argv, &flags, &opts);
    pm_cli_flags_free(&flags);
    return rc;
}

static int run_wigner(int argc, char **argv, const pm_cli_flags *flags, pm_cli_options *opts)
{
    const char *state_file = flags->state;
    int rc = 0;
    pm_run_config *cfg = &opts->config;
    pm_h5file *file = NULL;
    pm_status s = PM_OK;
    if (opts->output) {
        rc = pm_cli_check_output(opts->output, opts->quiet);
        if (rc != 0) return rc;
        s = pm_h5_create(opts->output, &file);
        if (s != PM_OK) return pm_cli_fail(s);
    }

    /* the state */
    pm_cli_steady run;
    memset(&run, 0, sizeof run);
    pm_wigner_mech *mech = NULL;
    pm_params params = cfg->params;
    int have_params = 1;
    if (state_file) {
        s = pm_cli_read_state(flags->state_path, flags->state_group, flags->state, &mech, &params, &have_params);
        if (s == PM_OK && have_params) cfg->params = params; /* the file's model for the record */
    } else {
        s = pm_cli_steady_solve(cfg, opts->quiet, &run);
        if (s == PM_OK && run.result->path_note[0] && !opts->quiet)
            fprintf(stderr, "phonomaser: note: %s\n", run.result->path_note);
        if (s == PM_OK && run.result->info.note[0] && !opts->quiet)
            fprintf(stderr, "phonomaser: note: %s\n", run.result->info.note);
        if (s == PM_OK) pm_cli_steady_health(cfg, &run); /* warnings: shown with -q too */
        if (s == PM_OK) s = pm_wigner_mech_from_state(run.result->state, &mech);
    }
    pm_wigner_image wr;
    memset(&wr, 0, sizeof wr);
    if (s == PM_OK) s = pm_wigner_image_compute(mech, (size_t)cfg->wigner_points, cfg->wigner_range, &pm_cli_stop, &wr);
    if (s == PM_EINTERRUPT && file && !state_file && run.result && run.result->state) {
        /* the steady state is a result: keep it, marked incomplete */
        char message[512];
        snprintf(message, sizeof message, "%s", pm_error_message());
        s = pm_report_h5_header(file, "wigner", argc, argv, cfg, (long)run.result->state->N);
        if (s == PM_OK) s = pm_results_write_observables(file, "/steady", &run.result->obs);
        if (s == PM_OK) s = pm_h5_close(file, 0);
        else pm_h5_abort(file);
        if (s != PM_OK) rc = pm_cli_fail(s);
        else fprintf(stderr, "phonomaser wigner: interrupted (%s); %s holds the steady state without W "
                     "(complete = 0)\n", message, opts->output);
        pm_wigner_image_clear(&wr);
        pm_wigner_mech_free(mech);
        pm_cli_steady_clear(&run);
        return s == PM_OK ? 3 : rc;
    }
    if (s == PM_EINTERRUPT) {
        rc = pm_cli_interrupted("wigner", file, opts->output, argc, argv, cfg, run.automatic ? &run.ladder : NULL,
                                "/steady/converge");
        pm_wigner_image_clear(&wr);
        pm_wigner_mech_free(mech);
        pm_cli_steady_clear(&run);
        return rc;
    }
    if (s != PM_OK) {
        rc = pm_cli_fail(s);
        pm_h5_abort(file);
        pm_wigner_image_clear(&wr);
        pm_wigner_mech_free(mech);
        pm_cli_steady_clear(&run);
        return rc;
    }

    double n_las = have_params ? pm_reduced_n_las(&params) : NAN;
    if (!have_params && !opts->quiet)
        fprintf(stderr, "phonomaser: note: %s records no complete /parameters group: no Maxwell-Bloch radius "
                "(ring_radius_mb, n_las)\n", state_file);
    double trace = 0.0, n_mean = 0.0;
    for (int64_t n = 0; n < mech->N; n++) {
        trace += creal(mech->diag[0][n]);
        n_mean += (double)n * creal(mech->diag[0][n]);
    }
    pm_report_string("source", state_file ? state_file : "steady state");
    if (!state_file) {
        pm_report_string("path", pm_path_name(run.result->path));
        if (run.automatic) pm_report_string("N_mode", "auto");
        pm_report_double("steady_seconds", run.total_seconds);
    }
    pm_report_int("N", (long long)mech->N);
    pm_report_double("trace", trace);
    pm_report_double("n_mean", n_mean);
    pm_report_string("wigner_path", pm_wigner_path_name(wr.path));
    pm_report_int("max_coherence_order", (long long)mech->kmax);
    pm_report_int("grid_points", (long long)wr.points);
    pm_report_double("range", wr.range);
    pm_report_double("ring_radius_exact", wr.ring.r_peak_w);
    pm_report_double("ring_radius_pr", wr.ring.r_peak_pr);
    if (isfinite(n_las)) {
        pm_report_double("ring_radius_mb", pm_reduced_ring_radius_of(n_las));
        pm_report_double("n_las", n_las);
    }
    if (!state_file && run.result && run.result->block && run.result->block->sector == PM_SECTOR_COUPLED)
        pm_report_int("K", (long long)run.result->block->max_sector);
    pm_report_double("W_min", wr.W_min);
    pm_report_double("W_max", wr.W_max);
    pm_report_double("integral", wr.integral);
    pm_report_double("grid_seconds", wr.grid_seconds);
    pm_report_double("seconds", wr.seconds);
    if (fabs(wr.integral - trace) > 1e-6) /* a warning: shown with -q too */
        fprintf(stderr, "phonomaser: warning: the grid integral %.9g differs from Tr rho_m = %.9g: the grid "
                "(wigner_range = %g, %ld points) does not resolve or cover W\n", wr.integral, trace, wr.range,
                cfg->wigner_points);

    if (file) {
        s = pm_report_h5_header(file, "wigner", argc, argv, cfg, (long)mech->N);
        if (s == PM_OK && !state_file && run.result->block->sector == PM_SECTOR_COUPLED)
            s = pm_results_write_sector_cutoff(file, &cfg->params, (long)run.result->block->max_sector);
        if (s == PM_OK) s = pm_results_write_wigner(file, &wr, mech, n_las, state_file ? state_file : "steady state");
        if (s == PM_OK)
            s = pm_h5_attr_string(file, "/wigner", "parameters_source",
                                  !state_file ? "/parameters: the model solved here"
                                  : have_params ? "/parameters: copied from the state file"
                                                : "/parameters: this run's configuration; the state file "
                                                  "recorded none (no Maxwell-Bloch radius)");
        if (s == PM_OK && !state_file) s = pm_results_write_observables(file, "/steady", &run.result->obs);
        if (s == PM_OK && !state_file && cfg->store_rho) s = pm_results_write_state(file, "/steady/rho", run.result->state);
        if (s == PM_OK) s = pm_h5_close(file, 1);
        else pm_h5_abort(file);
        if (s != PM_OK) rc = pm_cli_fail(s);
    }
    pm_wigner_image_clear(&wr);
    pm_wigner_mech_free(mech);
    pm_cli_steady_clear(&run);
    return rc;
}
