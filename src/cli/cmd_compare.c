/* phonomaser compare: the exact master equation against the reduced theory
 * (compare.h), for one parameter point or a sweep. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "cli.h"
#include "phonomaser/drivers/compare_models.h"
#include "phonomaser/drivers/compare.h"
#include "phonomaser/io/results.h"


static void help(void)
{
    printf("usage: phonomaser compare [-c FILE.ini] [--set KEY=VALUE]... [--sweep SPEC] [--threshold]\n"
           "                          [--langevin] [--seed N] [--trajectories N] [--threads N]\n"
           "                          [--table FILE.txt] [--output FILE.h5]\n\n"
           "Measures the reduced theory of the paper against the exact master equation:\n"
           "  gamma_eff      -2 Re(lambda_1) of the k = 1 sector  vs gamma_m + Gamma_opt (Eq. 12)\n"
           "  lamb_shift     -Im(lambda_1)                        vs +g^2 S delta/(gamma_2^2+delta^2)\n"
           "                 (B95 with the sign the exact Liouvillian gives)\n"
           "  n_ss, n_las    exact <n>                            vs B92 below / Eq. 15 above threshold\n"
           "  n_fp           exact <n> + 1/2                      vs <n>_FP = <r^2/2> (B133)\n"
           "  g2             exact g2(0)                          vs Eq. (20), ordering-corrected\n"
           "  inversion      exact <sigma_z>                      vs S, clamped at S_th above (B109)\n"
           "  linewidth      -Re(lambda_1) above threshold        vs D_W <1/r^2>_FP (Eqs. 16-18)\n"
           "  ring_radius    peak of the exact radial distribution vs sqrt(2 n_las) (Fig. 2c)\n"
           "  intensity_rate slowest nonzero rate of sector 0     vs gamma_eff / gamma_m (x-1)/x\n"
           "lambda_1 is the slowest eigenvalue of the k = 1 sector (ARPACK shift-invert):\n"
           "<a>(t) ~ exp(lambda_1 t) in the frame rotating at omega_m.  Every row carries the\n"
           "validity ratios of (B8) and g sqrt(n+1)/gamma_2.\n\n"
           "One point (sweep = none): 'name = value' lines on stdout, and the exact thresholds:\n"
           "S_th_exact = clamped inversion <sigma_z> far above threshold (the S-intercept of\n"
           "the exact <n>(S) line), S_mid = pump where <I^2>/<I>^2 = pi/2 (I = (z^2+p^2)/2),\n"
           "exact and Fokker-Planck.  A sweep prints the table on stdout and runs the points\n"
           "in parallel; --threshold adds the thresholds per point.\n\n"
           "  --sweep SPEC        VAR:FROM:TO:COUNT (e.g. S:0:0.3:31) or VAR=V1,V2,... with VAR one\n"
           "                      of S, delta, eta, n_th (replaces the keys sweep, sweep_from,\n"
           "                      sweep_to, sweep_points: those, the swept key and its alternative\n"
           "                      (eta: g) are an error when given with --set)\n"
           "  --threshold         thresholds for every sweep point (always for one point)\n"
           "  --langevin          also the Langevin simulation of Eq. (19): <n>, g2 (and <n>(t)\n"
           "                      for one point)\n"
           "  --seed N            Langevin seed, an integer in [0, 2^63-1] (default 1); --trajectories N\n"
           "                      in [10, 10^9] (default 400); both only with --langevin\n"
           "  --threads N         sweep points in parallel, 1-4096 (default: all cores); sweeps only\n"
           "  --table FILE.txt    the plain-text table (default: FILE.txt next to --output)\n\n"
           "HDF5 (--output): /compare/values, /compare/<quantity>/{exact,reduced,rel_dev,applies},\n"
           "/compare/validity/*, /compare/exact/*, /compare/fp/*, /compare/threshold/*,\n"
           "one point also /compare/radial (P_r exact and Eq. 20) and /compare/langevin.\n\n");
    pm_cli_print_common_help(stdout);
}

/* ---- plain-text table ---------------------------------------------------------- */

static void write_table(FILE *out, pm_sweep_variable v, size_t count, const double *values,
                        const pm_compare_point *points, const pm_compare_threshold *thresholds)
{
    fprintf(out, "# phonomaser compare: exact master equation vs reduced theory (paper Eqs. 10-20, App. B)\n"
                 "# rel_dev = (exact - reduced)/|reduced|; applies = 1 where the reduced formula is meant for the\n"
                 "# regime (below/above S_th of Eq. 14); validity ratios of (B8) must be << 1 for the reduction\n"
                 "# to be controlled; g_sqrt_n = g sqrt(<n>+1)/gamma_2 with the exact <n>.\n");
    fprintf(out, "%6s %13s %-15s %15s %15s %11s %7s %10s %10s %10s %10s %10s %7s\n", "#point", pm_sweep_variable_name(v),
            "quantity", "exact", "reduced", "rel_dev", "applies", "g/gamma_2", "g/gamma_1", "gm/gamma_1", "gm/gamma_2",
            "g_sqrt_n", "N");
    for (size_t k = 0; k < count; k++) {
        const pm_compare_point *pt = &points[k];
        if (pt->status != PM_OK) {
            fprintf(out, "%6zu %13.6g %-15s %s\n", k + 1, values[k], "-", "not computed");
            continue;
        }
        const pm_reduced_validity *vr = &pt->validity;
        for (int q = 0; q < PM_CMP_COUNT; q++)
            fprintf(out, "%6zu %13.6g %-15s %15.8g %15.8g %11.3e %7d %10.3g %10.3g %10.3g %10.3g %10.3g %7ld\n", k + 1,
                    values[k], pm_compare_quantity_name((pm_compare_quantity)q), pt->q[q].exact, pt->q[q].reduced,
                    pt->q[q].rel_dev, pt->q[q].applies, vr->g_over_gamma_2, vr->g_over_gamma_1,
                    vr->gamma_m_over_gamma_1, vr->gamma_m_over_gamma_2, vr->g_sqrt_n_over_gamma_2, pt->N);
        if (thresholds) {
            const pm_compare_threshold *t = &thresholds[k];
            double dev = (t->S_th_exact - t->S_th_reduced) / fabs(t->S_th_reduced);
            double dev_mid = (t->S_mid_exact - t->S_mid_fp) / fabs(t->S_mid_fp);
            fprintf(out, "%6zu %13.6g %-15s %15.8g %15.8g %11.3e %7d\n", k + 1, values[k], "S_th", t->S_th_exact,
                    t->S_th_reduced, dev, 1);
            fprintf(out, "%6zu %13.6g %-15s %15.8g %15.8g %11.3e %7d\n", k + 1, values[k], "S_mid", t->S_mid_exact,
                    t->S_mid_fp, dev_mid, 1);
        }
    }
}

/* The cutoff used at each point (0 for a failed one) and the largest, for
 * /parameters (pm_results_write_sweep); the points are compare or compare4
 * points, read through the offsets of their status and N. */
static long *cutoffs_used(const void *points, size_t count, size_t stride, size_t status_at, size_t N_at, long *N_max)
{
    long *N_used = malloc(count * sizeof *N_used);
    if (!N_used) {
        pm_error_set(PM_ENOMEM, "out of memory writing %zu points", count);
        return NULL;
    }
    *N_max = 0;
    for (size_t k = 0; k < count; k++) {
        const char *point = (const char *)points + k * stride;
        N_used[k] = *(const pm_status *)(point + status_at) == PM_OK ? *(const long *)(point + N_at) : 0;
        if (N_used[k] > *N_max) *N_max = N_used[k];
    }
    return N_used;
}

/* ---- stdout for one point ------------------------------------------------------------ */

static void report_point(const pm_compare_point *pt, const pm_compare_threshold *t, const pm_langevin_result *lr)
{
    const pm_compare_value *q = pt->q;
    pm_report_int("N", pt->N);
    pm_report_int("converged", pt->converged);
    pm_report_string("regime", pt->above_threshold ? "above_threshold" : "below_threshold");
    pm_report_double("gamma_eff_exact", q[PM_CMP_GAMMA_EFF].exact);
    pm_report_double("gamma_eff_reduced", q[PM_CMP_GAMMA_EFF].reduced);
    pm_report_double("lamb_shift_exact", q[PM_CMP_LAMB_SHIFT].exact);
    pm_report_double("lamb_shift_reduced", q[PM_CMP_LAMB_SHIFT].reduced);
    pm_report_double("lambda_k1_re", creal(pt->lambda_k1[0]));
    pm_report_double("lambda_k1_im", cimag(pt->lambda_k1[0]));
    pm_report_double("n_exact", pt->n_mean);
    pm_report_double("n_ss", q[PM_CMP_N_SS].reduced);
    pm_report_double("n_las", q[PM_CMP_N_LAS].reduced);
    pm_report_double("n_fp", pt->fp.n_mean);
    pm_report_double("n_fp_minus_half", pt->fp.n_mean - 0.5);
    pm_report_double("g2_exact", pt->g2);
    pm_report_double("g2_fp", pt->fp.g2_wigner);
    pm_report_double("inversion_exact", pt->sz_mean);
    pm_report_double("inversion_reduced", q[PM_CMP_INVERSION].reduced);
    pm_report_double("linewidth_exact", q[PM_CMP_LINEWIDTH].exact);
    pm_report_double("linewidth_fp", q[PM_CMP_LINEWIDTH].reduced);
    pm_report_double("ring_radius_exact", q[PM_CMP_RING_RADIUS].exact);
    pm_report_double("ring_radius_mb", q[PM_CMP_RING_RADIUS].reduced);
    pm_report_double("ring_radius_fp", pt->fp.r_peak);
    pm_report_double("radial_tv_distance", pt->radial_tv);
    pm_report_double("intensity_rate_exact", q[PM_CMP_INTENSITY_RATE].exact);
    pm_report_double("intensity_rate_reduced", q[PM_CMP_INTENSITY_RATE].reduced);
    if (t) {
        pm_report_double("S_th_exact", t->S_th_exact);
        pm_report_double("S_th_reduced", t->S_th_reduced);
        pm_report_double("S_th_clamp_slope", t->clamp_slope);
        pm_report_double("S_mid_exact", t->S_mid_exact);
        pm_report_double("S_mid_fp", t->S_mid_fp);
    }
    if (lr) {
        pm_report_double("n_langevin", lr->n_stat);
        pm_report_double("n_langevin_error", lr->n_stat_error);
        pm_report_double("g2_langevin", lr->g2);
        pm_report_double("g2_langevin_error", lr->g2_error);
    }
    for (int k = 0; k < PM_CMP_COUNT; k++) {
        char name[64];
        snprintf(name, sizeof name, "rel_dev_%s", pm_compare_quantity_name((pm_compare_quantity)k));
        pm_report_double(name, q[k].rel_dev);
    }
    pm_report_double("g_over_gamma_2", pt->validity.g_over_gamma_2);
    pm_report_double("g_over_gamma_1", pt->validity.g_over_gamma_1);
    pm_report_double("gamma_m_over_gamma_1", pt->validity.gamma_m_over_gamma_1);
    pm_report_double("gamma_m_over_gamma_2", pt->validity.gamma_m_over_gamma_2);
    pm_report_double("g_sqrt_n_over_gamma_2", pt->validity.g_sqrt_n_over_gamma_2);
    pm_report_double("seconds", pt->seconds);
}

/* ---- the command ---------------------------------------------------------------------- */

static char *table_path_for(const char *output)
{
    size_t len = strlen(output);
    const char *dot = strrchr(output, '.');
    if (dot && (!strcmp(dot, ".h5") || !strcmp(dot, ".hdf5"))) len = (size_t)(dot - output);
    char *path = malloc(len + 5);
    if (path) {
        memcpy(path, output, len);
        memcpy(path + len, ".txt", 5);
    }
    return path;
}

/* ---- the four-way comparison of the dressed model (compare_models.h) ---- */

static void write_table4(FILE *out, pm_sweep_variable v, size_t count, const double *values,
                         const pm_compare4_point *points)
{
    fprintf(out, "# %12s", pm_sweep_variable_name(v));
    for (int q = 0; q < PM_CMP4_COUNT; q++)
        for (int c = 0; c < PM_COL_COUNT; c++)
            fprintf(out, " %14.14s", c == 0 ? pm_compare4_quantity_name(q) : pm_compare4_column_name(c));
    fprintf(out, " %8s %5s %10s\n", "N", "K", "a2_abs");
    fprintf(out, "# %12s", "");
    for (int q = 0; q < PM_CMP4_COUNT; q++)
        for (int c = 0; c < PM_COL_COUNT; c++) fprintf(out, " %14.14s", pm_compare4_column_name(c));
    fprintf(out, "\n");
    for (size_t k = 0; k < count; k++) {
        const pm_compare4_point *pt = &points[k];
        fprintf(out, "  %12.6g", values[k]);
        for (int q = 0; q < PM_CMP4_COUNT; q++)
            for (int c = 0; c < PM_COL_COUNT; c++)
                fprintf(out, " %14.8g", pt->status == PM_OK ? pt->value[q][c] : NAN);
        fprintf(out, " %8ld %5ld %10.3e\n", pt->N_dressed, pt->K_dressed, pt->a2_abs);
    }
}

static void report_point4(const pm_compare4_point *pt)
{
    pm_report_int("N", pt->N_dressed);
    pm_report_int("K", pt->K_dressed);
    pm_report_int("N_jc", pt->N_jc);
    pm_report_int("N_amplitude_mode", pt->N_mode);
    pm_report_double("amplitude_mode_rel_change", pt->mode_rel_change);
    pm_report_int("converged", pt->converged_dressed && pt->converged_jc);
    char name[96];
    for (int q = 0; q < PM_CMP4_COUNT; q++) {
        for (int c = 0; c < PM_COL_COUNT; c++) {
            snprintf(name, sizeof name, "%s_%s", pm_compare4_quantity_name(q), pm_compare4_column_name(c));
            pm_report_double(name, pt->value[q][c]);
        }
        for (int c = 1; c < PM_COL_COUNT; c++) {
            snprintf(name, sizeof name, "%s_rel_dev_%s", pm_compare4_quantity_name(q), pm_compare4_column_name(c));
            pm_report_double(name, pt->rel_dev[q][c]);
        }
    }
    pm_report_double("S_th_rwa", pt->S_th_rwa);
    pm_report_double("S_th_beyond_rwa", pt->S_th_beyond_rwa);
    pm_report_double("a2_abs", pt->a2_abs);
    pm_report_double("coherence_tail", pt->coherence_tail);
    pm_report_double("rwa_resonance_ratio", pt->rwa_resonance_ratio);
    pm_report_double("rwa_coupling_ratio", pt->rwa_coupling_ratio);
    pm_report_double("seconds", pt->seconds);
}


static int run_four_way(const pm_run_config *cfg, const pm_cli_options *opts, const pm_compare_options *copts,
                        pm_sweep_variable v, size_t count, const double *values, int sweep, int threshold, int argc,
                        char **argv)
{
    pm_compare4_point *points = calloc(count, sizeof *points);
    if (!points) return pm_cli_fail(pm_error_set(PM_ENOMEM, "out of memory for %zu points", count));
    pm_compare_options four = *copts;
    four.converge.path = PM_PATH_AUTO;
    size_t completed = 0;
    pm_status s;
    if (!sweep) {
        s = pm_compare4_point_run(&cfg->params, &four, &points[0]);
        points[0].status = s;
        completed = s == PM_OK;
    } else {
        s = pm_compare4_sweep(&cfg->params, v, count, values, &four, points, &completed);
    }
    int interrupted = s == PM_EINTERRUPT, rc = 0;
    if (s != PM_OK && !interrupted) {
        free(points);
        return pm_cli_fail(s);
    }
    if (interrupted) fprintf(stderr, "phonomaser compare: %s\n", pm_error_message());
    if (!sweep && !interrupted) report_point4(&points[0]);
    pm_compare4_threshold th = {.S_mid_dressed = NAN, .S_mid_jc = NAN};
    if (threshold && !interrupted && s == PM_OK) {
        s = pm_compare4_threshold_run(&cfg->params, &four, &th);
        if (s == PM_OK) {
            pm_report_double("S_mid_dressed", th.S_mid_dressed);
            pm_report_double("S_mid_jc", th.S_mid_jc);
            pm_report_int("threshold_solves", th.solves);
        } else if (s == PM_EINTERRUPT) {
            interrupted = 1;
        } else {
            free(points);
            return pm_cli_fail(s);
        }
    }
    if (sweep) write_table4(stdout, v, count, values, points);
    s = PM_OK;
    if (opts->output) {
        pm_h5file *file = NULL;
        s = pm_h5_create(opts->output, &file);
        long N_max = 0, *N_used = cutoffs_used(points, count, sizeof *points, offsetof(pm_compare4_point, status),
                                               offsetof(pm_compare4_point, N_dressed), &N_max);
        if (!N_used) s = PM_ENOMEM;
        if (s == PM_OK) s = pm_report_h5_header(file, "compare", argc, argv, cfg, N_max);
        if (s == PM_OK && sweep) s = pm_results_write_sweep(file, v, count, values, N_used);
        free(N_used);
        if (s == PM_OK) s = pm_results_write_sector_cutoff(file, &cfg->params, points[0].K_dressed);
        if (s == PM_OK) s = pm_results_write_compare4(file, v, count, values, points);
        if (s == PM_OK && threshold) s = pm_h5_attr_double(file, "/compare4", "S_mid_dressed", th.S_mid_dressed, "1");
        if (s == PM_OK && threshold) s = pm_h5_attr_double(file, "/compare4", "S_mid_jc", th.S_mid_jc, "1");
        if (s == PM_OK) s = pm_h5_close(file, !interrupted);
        else pm_h5_abort(file);
    }
    if (s != PM_OK) rc = pm_cli_fail(s);
    else if (interrupted) rc = 3;
    for (size_t k = 0; k < count; k++) /* warnings: shown with -q too */
        if (points[k].status == PM_OK && !(points[k].converged_dressed && points[k].converged_jc))
            fprintf(stderr, "phonomaser compare: warning: point %zu: N = auto stopped without converging "
                    "(N = %ld dressed, %ld JC)\n", k + 1, points[k].N_dressed, points[k].N_jc);
    free(points);
    return rc;
}

int pm_cmd_compare(int argc, char **argv)
{
    int full_argc = argc;
    char **full_argv = argv; /* the whole command line, for the record */
    /* --sweep, --table, --seed, ... (flags.c), then the common options, then
     * the sweep: --sweep, else the keys, else one point at S; every point
     * checked before any work */
    pm_cli_flags flags;
    int rc;
    {
        pm_cli_options opts;
        rc = pm_cli_parse_command("compare", argc, argv, &flags, &opts);
        if (rc == 0 && opts.help) help();
        if (rc != 0 || opts.help) {
            pm_cli_flags_free(&flags);
            return rc;
        }
        pm_run_config *cfg = &opts.config;
        pm_sweep_variable v = flags.sweep_variable;
        size_t count = flags.sweep_count;
        const double *values = flags.sweep_values;
        int sweep = flags.sweeping;
        pm_status s = PM_OK;
        /* the output file and the table are checked before the sweep runs */
        char *table_path = flags.table ? strdup(flags.table) : opts.output ? table_path_for(opts.output) : NULL;
        if ((flags.table || opts.output) && !table_path) rc = pm_cli_fail(pm_error_set(PM_ENOMEM, "out of memory"));
        if (rc == 0 && opts.output) rc = pm_cli_check_output(opts.output, opts.quiet);
        if (rc == 0 && table_path) rc = pm_cli_check_output(table_path, opts.quiet);
        if (rc != 0) {
            free(table_path);
            pm_cli_flags_free(&flags);
            return rc;
        }

        pm_compare_options copts;
        pm_compare_options_default(&copts);
        pm_cli_converge_options(cfg, &copts.converge);
        copts.converge.path = PM_PATH_SECTOR;
        copts.threads = (int)flags.threads;
        copts.langevin = flags.langevin && sweep;
        copts.langevin_opts.seed = (uint64_t)flags.seed;
        copts.langevin_opts.trajectories = (size_t)flags.trajectories;
        copts.stop = &pm_cli_stop;
        copts.progress = sweep && !opts.quiet && isatty(2) ? pm_cli_progress_bar : NULL;

        if (pm_model_type_get(cfg->params.model)->truncates_sectors) {
            /* the dressed model: exact dressed, exact JC and both reduced theories */
            rc = run_four_way(cfg, &opts, &copts, v, count, values, sweep, !sweep && flags.threshold, full_argc,
                              full_argv);
            free(table_path);
            pm_cli_flags_free(&flags);
            return rc;
        }
        pm_compare_point *points = calloc(count, sizeof *points);
        pm_compare_threshold *thresholds = NULL;
        int want_threshold = !sweep || flags.threshold;
        if (want_threshold) thresholds = calloc(count, sizeof *thresholds);
        double *p_n = NULL;
        pm_langevin_result lr;
        memset(&lr, 0, sizeof lr);
        int have_langevin = 0;
        size_t completed = 0;
        if (!points || (want_threshold && !thresholds)) s = pm_error_set(PM_ENOMEM, "out of memory for %zu points", count);
        else if (!sweep) {
            s = pm_compare_point_run(&cfg->params, &copts, &points[0], &p_n);
            points[0].status = s;
            completed = s == PM_OK;
        } else {
            s = pm_compare_sweep(&cfg->params, v, count, values, &copts, points, &completed);
        }
        int interrupted = s == PM_EINTERRUPT;
        /* thresholds (one per point; a sweep over S shares one) */
        if (want_threshold && s == PM_OK) {
            s = pm_compare_sweep_thresholds(&cfg->params, v, count, values, &copts, thresholds);
            interrupted = s == PM_EINTERRUPT;
        }
        if (s == PM_OK && !sweep && flags.langevin) {
            s = pm_langevin_run(&cfg->params, &copts.langevin_opts, copts.stop, &lr);
            have_langevin = s == PM_OK;
            interrupted = s == PM_EINTERRUPT;
        }
        if (s != PM_OK && !interrupted) {
            rc = pm_cli_fail(s);
        } else {
            if (interrupted) fprintf(stderr, "phonomaser compare: %s\n", pm_error_message());
            if (!sweep && !interrupted) report_point(&points[0], thresholds, have_langevin ? &lr : NULL);
            if (sweep) write_table(stdout, v, count, values, points, interrupted ? NULL : thresholds);
            if (table_path) {
                /* under a temporary name, renamed when complete (as the HDF5 file):
                 * a full disk leaves the old table, never half a new one */
                size_t n = strlen(table_path) + 32;
                char *tmp = malloc(n);
                FILE *table = NULL;
                if (tmp) snprintf(tmp, n, "%s.tmp.%ld", table_path, (long)getpid());
                if (tmp) table = fopen(tmp, "w");
                if (table) {
                    write_table(table, v, count, values, points, interrupted ? NULL : thresholds);
                    int bad = ferror(table) != 0;
                    bad |= fflush(table) != 0 || fsync(fileno(table)) != 0;
                    bad |= fclose(table) != 0;
                    if (bad || rename(tmp, table_path) != 0) {
                        s = pm_error_set(PM_EIO, "cannot write table '%s': %s", PM_EXCERPT(table_path), strerror(errno));
                        unlink(tmp);
                    }
                } else {
                    s = pm_error_set(PM_EIO, "cannot write table '%s'", PM_EXCERPT(table_path));
                }
                free(tmp);
            }
            if (opts.output && (s == PM_OK || interrupted)) {
                pm_h5file *file = NULL;
                pm_status hs = pm_h5_create(opts.output, &file);
                long N_max = 0, *N_used = cutoffs_used(points, count, sizeof *points, offsetof(pm_compare_point, status),
                                                       offsetof(pm_compare_point, N), &N_max);
                if (hs == PM_OK && !N_used) hs = PM_ENOMEM;
                if (hs == PM_OK) hs = pm_report_h5_header(file, "compare", full_argc, full_argv, cfg, N_max);
                if (hs == PM_OK && sweep) hs = pm_results_write_sweep(file, v, count, values, N_used);
                free(N_used);
                if (hs == PM_OK)
                    hs = pm_results_write_compare(file, v, count, values, points, interrupted ? NULL : thresholds, copts.langevin);
                if (hs == PM_OK && p_n) hs = pm_results_write_compare_radial(file, &points[0], p_n);
                if (hs == PM_OK && have_langevin) hs = pm_results_write_compare_langevin(file, &copts.langevin_opts, &lr);
                if (hs == PM_OK) hs = pm_h5_close(file, !interrupted);
                else pm_h5_abort(file);
                if (hs != PM_OK) s = hs;
            }
            if (s != PM_OK && !interrupted) rc = pm_cli_fail(s);
            else if (interrupted) rc = 3;
            if (interrupted && opts.output)
                fprintf(stderr, "phonomaser compare: %s holds the %zu of %zu points computed (complete = 0)\n",
                        opts.output, completed, count);
            for (size_t k = 0; k < count; k++) { /* warnings: shown with -q too */
                if (points[k].status != PM_OK) continue;
                if (!points[k].converged)
                    fprintf(stderr, "phonomaser compare: warning: point %zu: N = auto stopped at N = %ld without "
                            "converging\n", k + 1, points[k].N);
                if (points[k].tail_population > cfg->tail_tol)
                    fprintf(stderr, "phonomaser compare: warning: point %zu: the top Fock levels hold %.3g > "
                            "tail_tol = %.3g: N = %ld truncates the state; raise N or use N = auto\n", k + 1,
                            points[k].tail_population, cfg->tail_tol, points[k].N);
            }
        }
        pm_langevin_result_clear(&lr);
        free(table_path);
        free(p_n);
        free(points);
        free(thresholds);
    }
    pm_cli_flags_free(&flags);
    return rc;
}
