/* phonomaser spectrum: emission and displacement spectra, g1(tau), g2(tau)
 * and the linewidth of the steady state (drivers/correlation.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "phonomaser/drivers/correlation.h"

static void help(void)
{
    printf("usage: phonomaser spectrum [-c FILE.ini] [--set KEY=VALUE]... [--output FILE.h5]\n"
           "                           [--points N] [--rtol X] [--tau-max S] [--tau-points N]\n"
           "                           [--no-x] [--no-tau] [--threads N] [--window-tol X]\n"
           "                           [--linewidth-only]\n\n"
           "Two-time correlations of the exact steady state by the quantum regression\n"
           "theorem, C(tau) = Tr[A e^{L tau} (B rho_ss)], on the excitation-number block\n"
           "of B rho_ss (JC: sectors k = -1, +1, 0; dressed: the coupled sectors of that\n"
           "class; full path: the full Liouvillian), and their spectra by resolvent\n"
           "solves, S(omega) = -2 Re Tr[A (L - i omega)^{-1} B rho_ss], one LU per frequency\n"
           "(QuTiP's convention: S = int e^{-i omega tau} C(tau) dtau, int S domega/2pi = C(0)).\n"
           "  S_a   emission spectrum <a^dag(tau) a>, in the model's frame (jc: rotating at\n"
           "        omega_m, the line near 0; dressed: lab frame, the line near omega_m)\n"
           "  S_x   displacement spectrum of x = (a + a^dag)/sqrt(2), lab frame (lines at\n"
           "        -+omega_m)\n"
           "  g1(tau) = <a^dag(tau) a>/<n>, g2(tau) = <a^dag a^dag(tau) a(tau) a>/<n>^2, <x(tau) x>\n"
           "The frequency grid is adaptive: omega = c + h sinh(t) around each line (c, h:\n"
           "centre and half-width of the slowest mode of the block), halved in t until the\n"
           "curve is resolved to --rtol of its maximum (default 1e-3) or --points (default\n"
           "2000) would be exceeded.  The line's FWHM and centre are found by direct solves.\n"
           "Output (name = value): linewidth_fwhm [rad/s] and line_shift [rad/s] (centre -\n"
           "omega_m in the lab) from S_a, linewidth_slowest_mode = -2 Re lambda_1 [rad/s],\n"
           "linewidth_fp = 2 D_W <1/r^2> (phase diffusion, Eqs. 16-18, above threshold),\n"
           "linewidth_reduced = gamma_eff (Eq. 12, below threshold), sum_rule_error [1]\n"
           "(|int S_a domega/2pi - <n>| / <n>), timings.  --tau-max S: correlation times up\n"
           "to S seconds (default 5 / the slowest mode's half-width), --tau-points N\n"
           "(default 400, geometric from tau_max 1e-6); --no-x: no S_x and <x x>; --no-tau:\n"
           "no correlations in time.  --threads N: frequencies on N threads (default: all\n"
           "cores; the result does not depend on N).  --window-tol X (default 1e-16): the\n"
           "blocks of S_a and S_x keep only the elements whose Fock indices lie\n"
           "in the window [spectrum_window_lo, spectrum_window_hi] outside which the steady\n"
           "state's P(n) sums to <= X (as the cutoff N truncates above); 0: the full blocks.\n"
           "--linewidth-only: no grid and no S_x: the slowest mode near the line, the peak of\n"
           "S_a near it and its half-maximum crossings by ~30 direct solves (spectrum_points =\n"
           "0, no sum rule); for blocks with costly LUs (model = dressed).\n\n");
    pm_cli_print_common_help(stdout);
}

/* <prefix>points, _resolved, ... of a curve */
static void report_curve(const char *prefix, const pm_spectrum_curve *c)
{
    const char *names[] = {"points", "resolved", "solves", "peak_omega", "peak_S", "fwhm", "sum_rule_error", "seconds"};
    const double values[] = {(double)c->n, c->resolved, (double)c->solves, c->peak_omega, c->peak_S, c->fwhm,
                             c->sum_rule_error, c->seconds};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        char key[64];
        snprintf(key, sizeof key, "%s%s", prefix, names[k]);
        pm_report_double(key, values[k]);
    }
}

static void report(const pm_correlation_result *r, const pm_steady_result *steady, long N, long K,
                   const pm_run_config *cfg, double steady_seconds, double total_seconds)
{
    pm_report_string("model", pm_params_model_name(cfg->params.model));
    pm_report_string("path", pm_path_name(steady->path));
    pm_report_int("N", N);
    if (K >= 0) pm_report_int("K", K);
    pm_report_string("frame", r->frame);
    pm_report_double("n_mean", r->n_mean);
    pm_report_int("above_threshold", r->above_threshold);
    pm_report_double("linewidth_fwhm", r->linewidth_fwhm);
    pm_report_double("line_shift", r->line_shift);
    pm_report_double("linewidth_slowest_mode", r->linewidth_slowest_mode);
    pm_report_double("slowest_mode_re", creal(r->S_a.lines[0].lambda));
    pm_report_double("slowest_mode_im", cimag(r->S_a.lines[0].lambda));
    pm_report_double("linewidth_fp", r->linewidth_fp);
    pm_report_double("linewidth_reduced", r->linewidth_reduced);
    pm_report_double("coherent_weight", r->S_a.coherent);
    pm_report_double("sum_rule_error", r->S_a.sum_rule_error);
    pm_report_int("spectrum_window_lo", (long long)r->window_lo);
    pm_report_int("spectrum_window_hi", (long long)r->window_hi);
    report_curve("spectrum_", &r->S_a);
    pm_report_double("lu_seconds", r->S_a.lu_seconds);
    if (r->S_x.n > 0) report_curve("x_", &r->S_x);
    if (r->ntau > 0) {
        pm_report_double("g2_0", r->g2[0]);
        pm_report_double("tau_max", r->tau[r->ntau - 1]);
        pm_report_double("g1_at_tau_max", cabs(r->g1[r->ntau - 1]));
        pm_report_double("tau_seconds", r->tau_seconds);
    }
    pm_report_double("steady_seconds", steady_seconds);
    pm_report_double("seconds", total_seconds);
}

int pm_cmd_spectrum(int argc, char **argv)
{
    pm_cli_flags flags;
    pm_cli_options opts;
    pm_h5file *file = NULL;
    int rc = pm_cli_parse_command("spectrum", argc, argv, &flags, &opts);
    if (rc == 0 && opts.help) help();
    if (rc == 0 && !opts.help && opts.output) {
        rc = pm_cli_check_output(opts.output, opts.quiet);
        pm_status created = rc == 0 ? pm_h5_create(opts.output, &file) : PM_OK;
        if (created != PM_OK) rc = pm_cli_fail(created);
    }
    if (rc != 0 || opts.help) {
        pm_cli_flags_free(&flags);
        return rc;
    }
    pm_run_config *cfg = &opts.config;
    pm_cli_steady run;
    pm_model *model = NULL;
    pm_correlation_result result = {0};
    pm_status s = pm_cli_steady_solve(cfg, opts.quiet, &run);
    pm_steady_result *steady = run.result;
    long N = s == PM_OK ? (long)steady->state->N : 0;
    long K = s == PM_OK && steady->block->sector == PM_SECTOR_COUPLED ? (long)steady->block->max_sector : -1;
    if (s == PM_OK && steady->path_note[0] && !opts.quiet) fprintf(stderr, "phonomaser: note: %s\n", steady->path_note);
    if (s == PM_OK) pm_cli_steady_health(cfg, &run); /* warnings: shown with -q too (issue 12.16) */
    pm_model_desc desc;
    if (s == PM_OK) s = pm_model_desc_init(&cfg->params, &desc);
    if (s == PM_OK) s = pm_model_desc_build(&desc, N, K >= 0 ? K : cfg->params.K, &model);
    pm_correlation_options co;
    pm_correlation_options_default(&co);
    co.grid.stop = &pm_cli_stop;
    co.grid.lu = pm_config_lu_backend(cfg);
    if (!opts.quiet && isatty(2)) co.grid.progress = pm_cli_progress_bar;
    if (flags.points) co.grid.max_points = (size_t)flags.points;
    if (flags.rtol > 0) co.grid.rtol = flags.rtol;
    co.grid.threads = (int)flags.threads; /* 0 (not given): all cores */
    if (flags.window_tol_given) co.window_tol = flags.window_tol;
    co.linewidth_only = flags.linewidth_only;
    co.want_x = !flags.no_x;
    co.want_tau = !flags.no_tau;
    if (flags.tau_points) co.tau_points = (size_t)flags.tau_points;
    co.tau_max = flags.tau_max;
    co.evolve.rtol = cfg->rtol;
    co.evolve.atol = cfg->atol;
    co.evolve.linear_solver = pm_config_linear_solver(cfg);
    co.evolve.stop_flag = &pm_cli_stop;
    if (s == PM_OK) s = pm_correlation_run(model, steady, &co, &result);
    if (s == PM_EINTERRUPT) {
        rc = pm_cli_interrupted("spectrum", file, opts.output, argc, argv, cfg, run.automatic ? &run.ladder : NULL,
                                "/steady/converge");
    } else if (s != PM_OK) {
        rc = pm_cli_fail(s);
        pm_h5_abort(file);
    } else {
        report(&result, steady, N, K, cfg, run.total_seconds, run.total_seconds + result.seconds);
        if (!result.S_a.resolved && !result.linewidth_only) /* a warning: shown with -q too */
            fprintf(stderr, "phonomaser: warning: the spectrum is not resolved to rtol = %g within %zu points "
                    "(raise --points)\n", co.grid.rtol, co.grid.max_points);
        if (file) {
            s = pm_report_h5_header(file, "spectrum", argc, argv, cfg, N);
            if (s == PM_OK) s = pm_results_write_sector_cutoff(file, &cfg->params, K);
            if (s == PM_OK) s = pm_results_write_observables(file, "/steady", &steady->obs);
            if (s == PM_OK) s = pm_results_write_spectrum(file, &result);
            if (s == PM_OK) s = pm_h5_close(file, 1);
            else pm_h5_abort(file);
            if (s != PM_OK) rc = pm_cli_fail(s);
        }
    }
    pm_correlation_result_clear(&result);
    pm_model_free(model);
    pm_cli_steady_clear(&run);
    pm_cli_flags_free(&flags);
    return rc;
}
