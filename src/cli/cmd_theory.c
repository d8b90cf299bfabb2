/* phonomaser theory: the reduced theory of the paper (Table II and every
 * formula of reduced.h) for any parameter set, no master equation solved. */
#include <math.h>
#include "phonomaser/core/constants.h"
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "phonomaser/theory/reduced.h"

#define THEORY_MAX_COLUMNS PM_CLI_ETA_MAX

static void help(void)
{
    printf("usage: phonomaser theory [-c FILE.ini] [--set KEY=VALUE]... [--eta E1,E2,...] [--output FILE.h5]\n\n"
           "Prints the paper's Table II (g, S_th, |Gamma_opt|_max = 2 g^2/gamma_2, its ratio to\n"
           "gamma_m, n_sat) and every other formula of the reduced theory (adiabatic\n"
           "elimination Eqs. 11-14 and B92, Lamb shift B95 with the sign fixed by the exact\n"
           "Liouvillian, Maxwell-Bloch Eq. 15, Fokker-Planck Eqs. 17-20 and B133, the maser\n"
           "linewidth from Eqs. 16-18, Appendix C's visibility bound C3-C6 and cold-damping\n"
           "trade-off C7-C10 with gamma_cool, n_cool), the validity ratios of (B8), and the\n"
           "leading-order theory beyond the rotating-wave approximation (dressed model of\n"
           "Eq. 5: counter-rotating and longitudinal rates, gamma_eff, S_th, n_ss next to the\n"
           "RWA values, Bloch-Siegert shift; at the given theta for model = dressed, at\n"
           "theta = pi/2 as a reference for model = jc), for\n"
           "the parameters of the configuration with eta = g/omega_m set to each value of\n"
           "--eta (default: the paper's 0.05, 0.1, 0.25; a file's eta does not replace them).\n"
           "--set eta=X or a coupling given as g gives a single column.  No master equation is\n"
           "solved (the keys N, K, drive and user terms do not apply): see 'phonomaser compare'.\n\n"
           "  --eta LIST           comma-separated couplings eta (at most %d; not with --set eta\n"
           "                       or --set g, and it replaces a file's g)\n\n", THEORY_MAX_COLUMNS);
    pm_cli_print_common_help(stdout);
}

typedef struct column {
    pm_params p;
    pm_reduced_table2 table2;
    pm_reduced_fp fp;
    pm_status fp_status;
    pm_reduced_cooling cooling;
    pm_reduced_validity validity;
} column;

enum { ROW_G, ROW_S_TH, ROW_OPT_MAX, ROW_OPT_RATIO, ROW_N_SAT,
       ROW_BIG_G, ROW_GAMMA_MINUS, ROW_GAMMA_PLUS, ROW_GAMMA_OPT, ROW_GAMMA_EFF, ROW_LAMB, ROW_N_SS, ROW_N_LAS,
       ROW_INVERSION, ROW_D_W, ROW_MU0, ROW_N_FP, ROW_G2_FP, ROW_R0, ROW_R_PEAK, ROW_LINEWIDTH, ROW_INTENSITY,
       ROW_T_EFF, ROW_T_FULL, ROW_GAMMA_TOT, ROW_N_EFF, ROW_S_TH_TOT, ROW_PRODUCT,
       ROW_V_G2, ROW_V_G1, ROW_V_M1, ROW_V_M2,
       ROW_B_G_CR, ROW_B_GAMMA_Z, ROW_R_GAMMA_MINUS, ROW_B_GAMMA_MINUS, ROW_R_GAMMA_PLUS, ROW_B_GAMMA_PLUS,
       ROW_R_GAMMA_EFF, ROW_B_GAMMA_EFF, ROW_R_S_TH, ROW_B_S_TH, ROW_R_N_SS, ROW_B_N_SS, ROW_B_BS_0, ROW_B_BS_LAS,
       ROW_B_V_GAMMA_2, ROW_B_V_G_LAS, ROW_COUNT };

static const struct {
    const char *key, *label, *unit;
} rows[ROW_COUNT] = {
    [ROW_G] = {"g", "g = eta omega_m", "rad/s"},
    [ROW_S_TH] = {"S_th", "S_th (Eq. 14)", "1"},
    [ROW_OPT_MAX] = {"gamma_opt_max", "|Gamma_opt|_max = 2 g^2/gamma_2 (B114)", "1/s"},
    [ROW_OPT_RATIO] = {"gamma_opt_max_over_gamma_m", "|Gamma_opt|_max / gamma_m", "1"},
    [ROW_N_SAT] = {"n_sat", "n_sat (Eq. 15)", "1"},
    [ROW_BIG_G] = {"G", "G(delta) (Eq. 18)", "1/s"},
    [ROW_GAMMA_MINUS] = {"Gamma_minus", "Gamma_- (Eq. 11)", "1/s"},
    [ROW_GAMMA_PLUS] = {"Gamma_plus", "Gamma_+ (Eq. 11)", "1/s"},
    [ROW_GAMMA_OPT] = {"Gamma_opt", "Gamma_opt (Eq. 13)", "1/s"},
    [ROW_GAMMA_EFF] = {"gamma_eff", "gamma_eff = gamma_m + Gamma_opt (Eq. 12)", "1/s"},
    [ROW_LAMB] = {"lamb_shift", "Lamb shift (B95, sign fixed)", "rad/s"},
    [ROW_N_SS] = {"n_ss", "n_ss below threshold (B92)", "1"},
    [ROW_N_LAS] = {"n_las", "n_las (Eq. 15)", "1"},
    [ROW_INVERSION] = {"inversion", "MB inversion, clamped at S_th (B109)", "1"},
    [ROW_D_W] = {"D_W", "D_W (Eq. 17)", "1/s"},
    [ROW_MU0] = {"mu0", "mu(0) (Eq. 18)", "1/s"},
    [ROW_N_FP] = {"n_fp", "<n>_FP = <r^2/2> (B133)", "1"},
    [ROW_G2_FP] = {"g2_fp", "g2 of Eq. (20), ordering-corrected", "1"},
    [ROW_R0] = {"r0", "ring radius sqrt(2 n_las) (Fig. 2c)", "1"},
    [ROW_R_PEAK] = {"r_peak_fp", "peak of P_r(r) (Eq. 20)", "1"},
    [ROW_LINEWIDTH] = {"linewidth_fp", "linewidth D_W <1/r^2> (Eqs. 16-18)", "1/s"},
    [ROW_INTENSITY] = {"intensity_rate", "intensity relaxation rate", "1/s"},
    [ROW_T_EFF] = {"T_eff_max", "T_eff bound (C3-C5)", "K"},
    [ROW_T_FULL] = {"T_eff_full_inversion", "T_eff at full inversion (C6)", "K"},
    [ROW_GAMMA_TOT] = {"gamma_tot", "gamma_m + gamma_cool (C8)", "1/s"},
    [ROW_N_EFF] = {"n_eff", "n_eff with cold damping (C8)", "1"},
    [ROW_S_TH_TOT] = {"S_th_tot", "S_th with cold damping (C9)", "1"},
    [ROW_PRODUCT] = {"S_th_tot_n_eff", "S_th_tot n_eff (C10)", "1"},
    [ROW_V_G2] = {"g_over_gamma_2", "g / gamma_2 (B8)", "1"},
    [ROW_V_G1] = {"g_over_gamma_1", "g / gamma_1 (B8)", "1"},
    [ROW_V_M1] = {"gamma_m_over_gamma_1", "gamma_m / gamma_1 (B8)", "1"},
    [ROW_V_M2] = {"gamma_m_over_gamma_2", "gamma_m / gamma_2 (B8)", "1"},
    /* beyond the RWA; key NULL: an RWA value repeated beside its beyond-RWA
     * counterpart, stored once under its own key above */
    [ROW_B_G_CR] = {"G_cr", "G_cr = g^2 L(omega_tilde + omega_m)", "1/s"},
    [ROW_B_GAMMA_Z] = {"Gamma_z", "Gamma_z, longitudinal heating", "1/s"},
    [ROW_R_GAMMA_MINUS] = {NULL, "Gamma_- RWA (Eq. 11)", "1/s"},
    [ROW_B_GAMMA_MINUS] = {"Gamma_minus_beyond_rwa", "Gamma_- beyond RWA", "1/s"},
    [ROW_R_GAMMA_PLUS] = {NULL, "Gamma_+ RWA (Eq. 11)", "1/s"},
    [ROW_B_GAMMA_PLUS] = {"Gamma_plus_beyond_rwa", "Gamma_+ beyond RWA", "1/s"},
    [ROW_R_GAMMA_EFF] = {NULL, "gamma_eff RWA (Eq. 12)", "1/s"},
    [ROW_B_GAMMA_EFF] = {"gamma_eff_beyond_rwa", "gamma_eff beyond RWA", "1/s"},
    [ROW_R_S_TH] = {NULL, "S_th RWA (Eq. 14)", "1"},
    [ROW_B_S_TH] = {"S_th_beyond_rwa", "S_th beyond RWA", "1"},
    [ROW_R_N_SS] = {NULL, "n_ss RWA (B92)", "1"},
    [ROW_B_N_SS] = {"n_ss_beyond_rwa", "n_ss beyond RWA", "1"},
    [ROW_B_BS_0] = {"bloch_siegert_n0", "Bloch-Siegert shift at n = 0", "rad/s"},
    [ROW_B_BS_LAS] = {"bloch_siegert_n_las", "Bloch-Siegert shift at n = n_las (Eq. 15)", "rad/s"},
    [ROW_B_V_GAMMA_2] = {"gamma_2_over_omega_sum", "gamma_2 / (omega_tilde + omega_m)", "1"},
    [ROW_B_V_G_LAS] = {"g_sqrt_n_las_over_omega_sum", "g sqrt(n_las+1) / (omega_tilde + omega_m)", "1"},
};

static double row_value(const column *c, int row)
{
    const pm_params *p = &c->p, *b = &c->p; /* theta: pi/2 unless the model takes the key */
    double omega_sum = pm_reduced_beyond_rwa_omega_sum(p);
    int fp_ok = c->fp_status == PM_OK;
    switch (row) {
    case ROW_G: return c->table2.g;
    case ROW_S_TH: return c->table2.S_th;
    case ROW_OPT_MAX: return c->table2.gamma_opt_max;
    case ROW_OPT_RATIO: return c->table2.gamma_opt_max_over_gamma_m;
    case ROW_N_SAT: return c->table2.n_sat;
    case ROW_BIG_G: return pm_reduced_G(p);
    case ROW_GAMMA_MINUS: return pm_reduced_gamma_minus(p);
    case ROW_GAMMA_PLUS: return pm_reduced_gamma_plus(p);
    case ROW_GAMMA_OPT: return pm_reduced_gamma_opt(p);
    case ROW_GAMMA_EFF: return pm_reduced_gamma_eff(p);
    case ROW_LAMB: return pm_reduced_lamb_shift(p);
    case ROW_N_SS: return pm_reduced_n_ss(p);
    case ROW_N_LAS: return pm_reduced_n_las(p);
    case ROW_INVERSION: return pm_reduced_clamped_inversion(p);
    case ROW_D_W: return pm_reduced_D_W(p);
    case ROW_MU0: return pm_reduced_mu(p, 0.0);
    case ROW_N_FP: return fp_ok ? c->fp.n_mean : NAN;
    case ROW_G2_FP: return fp_ok ? c->fp.g2_wigner : NAN;
    case ROW_R0: return pm_reduced_ring_radius(p);
    case ROW_R_PEAK: return fp_ok ? c->fp.r_peak : NAN;
    case ROW_LINEWIDTH: return fp_ok && p->S > pm_reduced_S_th(p) ? pm_reduced_linewidth_fp(p, &c->fp) : NAN;
    case ROW_INTENSITY: return pm_reduced_intensity_relaxation(p);
    case ROW_T_EFF: return pm_reduced_T_eff_max(p);
    case ROW_T_FULL: return pm_reduced_T_eff_full_inversion(p);
    case ROW_GAMMA_TOT: return c->cooling.gamma_tot;
    case ROW_N_EFF: return c->cooling.n_eff;
    case ROW_S_TH_TOT: return c->cooling.S_th_tot;
    case ROW_PRODUCT: return c->cooling.product;
    case ROW_V_G2: return c->validity.g_over_gamma_2;
    case ROW_V_G1: return c->validity.g_over_gamma_1;
    case ROW_V_M1: return c->validity.gamma_m_over_gamma_1;
    case ROW_V_M2: return c->validity.gamma_m_over_gamma_2;
    case ROW_B_G_CR: return pm_reduced_beyond_rwa_G_counter(b);
    case ROW_B_GAMMA_Z: return pm_reduced_beyond_rwa_gamma_z(b);
    case ROW_R_GAMMA_MINUS: return row_value(c, ROW_GAMMA_MINUS);
    case ROW_B_GAMMA_MINUS: return pm_reduced_beyond_rwa_gamma_minus(b);
    case ROW_R_GAMMA_PLUS: return row_value(c, ROW_GAMMA_PLUS);
    case ROW_B_GAMMA_PLUS: return pm_reduced_beyond_rwa_gamma_plus(b);
    case ROW_R_GAMMA_EFF: return row_value(c, ROW_GAMMA_EFF);
    case ROW_B_GAMMA_EFF: return pm_reduced_beyond_rwa_gamma_eff(b);
    case ROW_R_S_TH: return row_value(c, ROW_S_TH);
    case ROW_B_S_TH: return pm_reduced_beyond_rwa_S_th(b);
    case ROW_R_N_SS: return row_value(c, ROW_N_SS);
    case ROW_B_N_SS: return pm_reduced_beyond_rwa_n_ss(b);
    case ROW_B_BS_0: return pm_reduced_beyond_rwa_bloch_siegert(b, 0.0);
    case ROW_B_BS_LAS: return pm_reduced_beyond_rwa_bloch_siegert(b, pm_reduced_n_las(p));
    case ROW_B_V_GAMMA_2: return p->gamma_2 / omega_sum;
    case ROW_B_V_G_LAS: return p->g * sqrt(pm_reduced_n_las(p) + 1.0) / omega_sum;
    }
    return NAN;
}

/* Why a row has no value (NaN) in a column: one line for the footnotes. */
static void nan_reason(const column *c, int row, char *out, size_t size)
{
    const pm_params *p = &c->p;
    if (c->fp_status != PM_OK && (row == ROW_N_FP || row == ROW_G2_FP || row == ROW_R_PEAK || row == ROW_LINEWIDTH))
        snprintf(out, size, "the Fokker-Planck distribution (Eq. 20) could not be integrated here");
    else if (row == ROW_LINEWIDTH)
        snprintf(out, size, "below threshold (S = %.4g <= S_th = %.4g): D_W <1/r^2> holds above threshold only, "
                 "where radial and phase motion separate", p->S, pm_reduced_S_th(p));
    else
        snprintf(out, size, "the formula is not defined at these parameters (a rate, threshold or n_sat is 0 or "
                 "infinite)");
}

/* Footnotes for the n/a cells, printed after the tables. */
typedef struct footnotes {
    int count;
    char lines[16][256];
} footnotes;

static void print_row(const column *cols, int ncols, int row, footnotes *notes)
{
    char label[64];
    snprintf(label, sizeof label, "%s [%s]", rows[row].label, rows[row].unit);
    printf("%-48s", label);
    for (int c = 0; c < ncols; c++) {
        double value = row_value(&cols[c], row);
        if (!isnan(value)) {
            printf(" %13.4g", value);
            continue;
        }
        printf(" %13s", "n/a");
        char reason[200];
        nan_reason(&cols[c], row, reason, sizeof reason);
        if (notes->count < (int)(sizeof notes->lines / sizeof notes->lines[0]))
            snprintf(notes->lines[notes->count++], sizeof notes->lines[0], "n/a: %s at eta = %.4g: %s",
                     rows[row].label, cols[c].table2.eta, reason);
    }
    printf("\n");
}

int pm_cmd_theory(int argc, char **argv)
{
    /* --eta (flags.c: the columns, the coupling keys it replaces), then the
     * common options */
    pm_cli_flags flags;
    pm_cli_options opts;
    int rc = pm_cli_parse_command("theory", argc, argv, &flags, &opts);
    if (rc == 0 && opts.help) help();
    if (rc != 0 || opts.help) {
        pm_cli_flags_free(&flags);
        return rc;
    }
    pm_run_config *cfg = &opts.config;
    double etas[THEORY_MAX_COLUMNS];
    int ncols = flags.theory_columns == PM_CLI_COLUMNS_ONE ? 1 : flags.neta;
    int set_eta = flags.theory_columns == PM_CLI_COLUMNS_ETA; /* else: the configuration's coupling */
    for (int c = 0; c < flags.neta && c < THEORY_MAX_COLUMNS; c++) etas[c] = flags.etas[c];
    pm_cli_flags_free(&flags);
    if (opts.output && (rc = pm_cli_check_output(opts.output, opts.quiet)) != 0) return rc;
    column cols[THEORY_MAX_COLUMNS];
    for (int c = 0; c < ncols; c++) {
        pm_status s = PM_OK;
        cols[c].p = cfg->params;
        if (set_eta) {
            char text[40];
            snprintf(text, sizeof text, "%.17g", etas[c]);
            s = pm_params_set(&cols[c].p, "eta", text);
            if (s == PM_OK) s = pm_params_derive(&cols[c].p);
        }
        if (s == PM_OK) s = pm_reduced_cold_damping(&cols[c].p, cfg->gamma_cool, cfg->n_cool, &cols[c].cooling);
        if (s != PM_OK) return pm_cli_fail(s);
        pm_reduced_table2_row(&cols[c].p, &cols[c].table2);
        cols[c].fp_status = pm_reduced_fp_solve(&cols[c].p, &cols[c].fp);
        pm_reduced_validity_ratios(&cols[c].p, 0.0, &cols[c].validity);
    }

    /* nothing here takes long: one check before any output */
    if (atomic_load(&pm_cli_stop)) {
        fprintf(stderr, "phonomaser theory: interrupted; nothing written\n");
        return 3;
    }
    const pm_params *p = &cfg->params;
    printf("Reduced theory (paper Eqs. 10-20, Appendices B and C); no master equation solved.\n");
    printf("omega_m = %.6g rad/s, gamma_m = %.6g 1/s (Q = %.6g), gamma_1 = %.6g 1/s, gamma_2 = %.6g 1/s\n",
           p->omega_m, p->gamma_m, p->omega_m / p->gamma_m, p->gamma_1, p->gamma_2);
    printf("S = %.6g, delta = %.6g rad/s, n_th = %.6g, gamma_cool = %.6g 1/s, n_cool = %.6g\n\n", p->S, p->delta,
           p->n_th, cfg->gamma_cool, cfg->n_cool);
    footnotes notes = {0};
    printf("%-48s", "Table II");
    for (int c = 0; c < ncols; c++) printf("   eta = %-5.3g", cols[c].table2.eta);
    printf("\n");
    for (int row = ROW_G; row <= ROW_N_SAT; row++) print_row(cols, ncols, row, &notes);
    printf("\nAdiabatic elimination (at S, delta)\n");
    for (int row = ROW_BIG_G; row <= ROW_N_SS; row++) print_row(cols, ncols, row, &notes);
    printf("\nMaxwell-Bloch and Fokker-Planck\n");
    for (int row = ROW_N_LAS; row <= ROW_INTENSITY; row++) print_row(cols, ncols, row, &notes);
    printf("\nAppendix C: design window\n");
    for (int row = ROW_T_EFF; row <= ROW_PRODUCT; row++) print_row(cols, ncols, row, &notes);
    printf("\nValidity of the reduction (B8): must be << 1\n");
    for (int row = ROW_V_G2; row <= ROW_V_M2; row++) print_row(cols, ncols, row, &notes);
    /* a model beyond the RWA (one with an RWA reference) has these rows as its own */
    int dressed = pm_model_type_get(p->model)->rwa_model >= 0;
    if (dressed)
        printf("\nBeyond the rotating-wave approximation (dressed model, Eq. 5; theta = %.6g rad)\n", p->theta);
    else
        printf("\nBeyond the rotating-wave approximation (Eq. 5 at theta = pi/2, a reference for model = jc)\n");
    for (int row = ROW_B_G_CR; row <= ROW_B_BS_LAS; row++) print_row(cols, ncols, row, &notes);
    printf("Validity beyond the RWA: the RWA needs the first << 1, the Bloch-Siegert estimate both\n");
    for (int row = ROW_B_V_GAMMA_2; row <= ROW_B_V_G_LAS; row++) print_row(cols, ncols, row, &notes);
    if (notes.count) printf("\n");
    for (int k = 0; k < notes.count; k++) printf("%s\n", notes.lines[k]);
    for (int c = 0; c < ncols; c++)
        if (cols[c].fp_status != PM_OK && !opts.quiet)
            fprintf(stderr, "phonomaser theory: note: eta = %g: Fokker-Planck rows not available: %s\n",
                    cols[c].table2.eta, pm_error_message());

    if (opts.output) {
        pm_h5file *file = NULL;
        pm_status s = pm_h5_create(opts.output, &file);
        if (s == PM_OK) s = pm_report_h5_header(file, "theory", argc, argv, cfg, -1);
        double values[THEORY_MAX_COLUMNS];
        for (int row = 0; row < ROW_COUNT && s == PM_OK; row++) {
            if (!rows[row].key) continue; /* repeated RWA value */
            char path[96];
            snprintf(path, sizeof path, "/theory/%s", rows[row].key);
            for (int c = 0; c < ncols; c++) values[c] = row_value(&cols[c], row);
            s = pm_h5_dataset_double(file, path, values, (size_t)ncols, 0, rows[row].unit);
        }
        for (int c = 0; c < ncols; c++) values[c] = cols[c].table2.eta;
        if (s == PM_OK) s = pm_h5_dataset_double(file, "/theory/eta", values, (size_t)ncols, 0, "1");
        if (s == PM_OK) s = pm_h5_attr_string(file, "/theory", "description",
                                              "reduced theory of the paper, one dataset per formula, one entry per eta");
        if (s == PM_OK) s = pm_h5_attr_double(file, "/theory", "beyond_rwa_theta", cols[0].p.theta, "rad");
        if (s == PM_OK) s = pm_h5_attr_string(file, "/theory", "beyond_rwa",
                                              dressed ? "*_beyond_rwa, G_cr, Gamma_z, bloch_siegert_*: leading order "
                                                        "beyond the RWA, dressed model of Eq. 5 at beyond_rwa_theta"
                                                      : "*_beyond_rwa, G_cr, Gamma_z, bloch_siegert_*: leading order "
                                                        "beyond the RWA at theta = pi/2, a reference (model = jc)");
        if (s == PM_OK) s = pm_h5_close(file, 1);
        else pm_h5_abort(file);
        if (s != PM_OK) return pm_cli_fail(s);
    }
    return 0;
}
