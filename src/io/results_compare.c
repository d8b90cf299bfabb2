/* The compare groups of the HDF5 result layout (results.h, README "HDF5
 * layout"): /compare (exact vs reduced, JC), /compare/radial,
 * /compare/langevin and /compare4 (the four-way comparison of the dressed
 * model). */
#include "phonomaser/io/results.h"

#include <complex.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "phonomaser/theory/reduced.h"

typedef double (*point_field)(const pm_compare_point *pt);
static double f_n_mean(const pm_compare_point *pt) { return pt->n_mean; }
static double f_n2_mean(const pm_compare_point *pt) { return pt->n2_mean; }
static double f_g2(const pm_compare_point *pt) { return pt->g2; }
static double f_sz(const pm_compare_point *pt) { return pt->sz_mean; }
static double f_tail(const pm_compare_point *pt) { return pt->tail_population; }
static double f_residual(const pm_compare_point *pt) { return pt->residual; }
static double f_rate_k0(const pm_compare_point *pt) { return pt->rate_k0; }
static double f_tv(const pm_compare_point *pt) { return pt->radial_tv; }
static double f_r_peak(const pm_compare_point *pt) { return pt->r_peak_exact; }
static double f_seconds(const pm_compare_point *pt) { return pt->seconds; }
static double f_N(const pm_compare_point *pt) { return (double)pt->N; }
static double f_converged(const pm_compare_point *pt) { return pt->converged; }
static double f_fp_n(const pm_compare_point *pt) { return pt->fp.n_mean; }
static double f_fp_g2(const pm_compare_point *pt) { return pt->fp.g2_wigner; }
static double f_fp_g2_paper(const pm_compare_point *pt) { return pt->fp.g2; }
static double f_fp_r_peak(const pm_compare_point *pt) { return pt->fp.r_peak; }
static double f_fp_r_mean(const pm_compare_point *pt) { return pt->fp.r_mean; }
static double f_S_th(const pm_compare_point *pt) { return pt->S_th; }
static double f_n_sat(const pm_compare_point *pt) { return pt->n_sat; }
static double f_v_g2(const pm_compare_point *pt) { return pt->validity.g_over_gamma_2; }
static double f_v_g1(const pm_compare_point *pt) { return pt->validity.g_over_gamma_1; }
static double f_v_m1(const pm_compare_point *pt) { return pt->validity.gamma_m_over_gamma_1; }
static double f_v_m2(const pm_compare_point *pt) { return pt->validity.gamma_m_over_gamma_2; }
static double f_v_gn(const pm_compare_point *pt) { return pt->validity.g_sqrt_n_over_gamma_2; }
static double f_l_n(const pm_compare_point *pt) { return pt->langevin_n; }
static double f_l_n_err(const pm_compare_point *pt) { return pt->langevin_n_error; }
static double f_l_g2(const pm_compare_point *pt) { return pt->langevin_g2; }
static double f_l_g2_err(const pm_compare_point *pt) { return pt->langevin_g2_error; }

static const struct {
    const char *path, *unit;
    point_field get;
} h5_fields[] = {
    {"/compare/exact/n_mean", "1", f_n_mean}, {"/compare/exact/n2_mean", "1", f_n2_mean},
    {"/compare/exact/g2", "1", f_g2}, {"/compare/exact/sz_mean", "1", f_sz},
    {"/compare/exact/tail_population", "1", f_tail}, {"/compare/exact/residual", "1/s", f_residual},
    {"/compare/exact/intensity_rate", "1/s", f_rate_k0}, {"/compare/exact/radial_tv_distance", "1", f_tv},
    {"/compare/exact/r_peak", "1", f_r_peak}, {"/compare/exact/seconds", "s", f_seconds},
    {"/compare/exact/N", "1", f_N}, {"/compare/exact/converged", "1", f_converged},
    {"/compare/fp/n_mean", "1", f_fp_n}, {"/compare/fp/g2", "1", f_fp_g2}, {"/compare/fp/g2_paper", "1", f_fp_g2_paper},
    {"/compare/fp/r_peak", "1", f_fp_r_peak}, {"/compare/fp/r_mean", "1", f_fp_r_mean},
    {"/compare/reduced/S_th", "1", f_S_th}, {"/compare/reduced/n_sat", "1", f_n_sat},
    {"/compare/validity/g_over_gamma_2", "1", f_v_g2}, {"/compare/validity/g_over_gamma_1", "1", f_v_g1},
    {"/compare/validity/gamma_m_over_gamma_1", "1", f_v_m1}, {"/compare/validity/gamma_m_over_gamma_2", "1", f_v_m2},
    {"/compare/validity/g_sqrt_n_over_gamma_2", "1", f_v_gn},
};

static const struct {
    const char *path, *unit;
    point_field get;
} h5_langevin_fields[] = {
    {"/compare/langevin/n_mean", "1", f_l_n}, {"/compare/langevin/n_mean_error", "1", f_l_n_err},
    {"/compare/langevin/g2", "1", f_l_g2}, {"/compare/langevin/g2_error", "1", f_l_g2_err},
};

/* the unit of the swept key, from the key table (params.c) */
static const char *variable_unit(pm_sweep_variable v)
{
    const char *unit = pm_params_key_unit(pm_sweep_variable_name(v));
    return unit ? unit : "1";
}

pm_status pm_results_write_compare(pm_h5file *file, pm_sweep_variable v, size_t count, const double *values,
                                   const pm_compare_point *points, const pm_compare_threshold *thresholds,
                                   int langevin)
{
    double *buffer = malloc(count * sizeof *buffer);
    int64_t *flags = malloc(count * sizeof *flags);
    int nev = points[0].nev > 0 ? points[0].nev : 1;
    double complex *lambdas = calloc(count * (size_t)nev, sizeof *lambdas);
    if (!buffer || !flags || !lambdas) {
        free(buffer), free(flags), free(lambdas);
        return pm_error_set(PM_ENOMEM, "out of memory writing %zu sweep points", count);
    }
    pm_status s = pm_h5_attr_string(file, "/compare", "variable", pm_sweep_variable_name(v));
    if (s == PM_OK) s = pm_h5_attr_int(file, "/compare", "count", (int64_t)count);
    if (s == PM_OK)
        s = pm_h5_attr_string(file, "/compare", "description",
                              "exact master equation vs reduced theory; rel_dev = (exact - reduced)/|reduced|; "
                              "n_fp compares <n>+1/2 with <r^2/2> (Wigner ordering); lambda_k1 = slowest "
                              "eigenvalues of the k = 1 sector, <a>(t) ~ exp(lambda t) in the frame rotating at "
                              "omega_m");
    if (s == PM_OK) s = pm_h5_dataset_double(file, "/compare/values", values, count, 0, variable_unit(v));
    for (size_t k = 0; k < count; k++) flags[k] = points[k].status;
    if (s == PM_OK) s = pm_h5_dataset_int(file, "/compare/status", flags, count, "1");
    for (int q = 0; q < PM_CMP_COUNT && s == PM_OK; q++) {
        char path[96];
        const char *name = pm_compare_quantity_name((pm_compare_quantity)q);
        const char *unit = pm_compare_quantity_unit((pm_compare_quantity)q);
        const char *parts[3] = {"exact", "reduced", "rel_dev"};
        for (int part = 0; part < 3 && s == PM_OK; part++) {
            for (size_t k = 0; k < count; k++) {
                const pm_compare_value *val = &points[k].q[q];
                buffer[k] = points[k].status != PM_OK ? NAN : part == 0 ? val->exact : part == 1 ? val->reduced : val->rel_dev;
            }
            snprintf(path, sizeof path, "/compare/%s/%s", name, parts[part]);
            s = pm_h5_dataset_double(file, path, buffer, count, 0, part == 2 ? "1" : unit);
        }
        for (size_t k = 0; k < count; k++) flags[k] = points[k].q[q].applies;
        snprintf(path, sizeof path, "/compare/%s/applies", name);
        if (s == PM_OK) s = pm_h5_dataset_int(file, path, flags, count, "1");
    }
    for (size_t f = 0; f < sizeof h5_fields / sizeof h5_fields[0] && s == PM_OK; f++) {
        for (size_t k = 0; k < count; k++) buffer[k] = points[k].status == PM_OK ? h5_fields[f].get(&points[k]) : NAN;
        s = pm_h5_dataset_double(file, h5_fields[f].path, buffer, count, 0, h5_fields[f].unit);
    }
    for (size_t f = 0; langevin && f < sizeof h5_langevin_fields / sizeof h5_langevin_fields[0] && s == PM_OK; f++) {
        for (size_t k = 0; k < count; k++)
            buffer[k] = points[k].has_langevin ? h5_langevin_fields[f].get(&points[k]) : NAN;
        s = pm_h5_dataset_double(file, h5_langevin_fields[f].path, buffer, count, 0, h5_langevin_fields[f].unit);
    }
    for (size_t k = 0; k < count; k++)
        for (int j = 0; j < nev; j++) lambdas[k * (size_t)nev + (size_t)j] = j < points[k].nev ? points[k].lambda_k1[j] : NAN;
    if (s == PM_OK) s = pm_h5_dataset_complex(file, "/compare/exact/lambda_k1", lambdas, count, (size_t)nev, "1/s");
    if (s == PM_OK && thresholds) {
        const struct {
            const char *name;
            size_t offset;
        } tf[] = {{"S_th_reduced", offsetof(pm_compare_threshold, S_th_reduced)},
                  {"S_th_exact", offsetof(pm_compare_threshold, S_th_exact)},
                  {"S_probe", offsetof(pm_compare_threshold, S_probe)},
                  {"clamp_slope", offsetof(pm_compare_threshold, clamp_slope)},
                  {"S_mid_exact", offsetof(pm_compare_threshold, S_mid_exact)},
                  {"S_mid_fp", offsetof(pm_compare_threshold, S_mid_fp)}};
        for (size_t f = 0; f < sizeof tf / sizeof tf[0] && s == PM_OK; f++) {
            for (size_t k = 0; k < count; k++) buffer[k] = *(const double *)((const char *)&thresholds[k] + tf[f].offset);
            char path[96];
            snprintf(path, sizeof path, "/compare/threshold/%s", tf[f].name);
            s = pm_h5_dataset_double(file, path, buffer, count, 0, "1");
        }
        if (s == PM_OK)
            s = pm_h5_attr_string(file, "/compare/threshold", "description",
                                  "S_th_exact: exact <sigma_z> at S_probe (gain clamping, B109); S_mid: pump where "
                                  "<I^2>/<I>^2 = pi/2, I = (z^2+p^2)/2, exact and Fokker-Planck (Eq. 20)");
    }
    free(buffer), free(flags), free(lambdas);
    return s;
}

/* One point: exact P(n) and the radial distributions of Fig. 2(c). */
pm_status pm_results_write_compare_radial(pm_h5file *file, const pm_compare_point *pt, const double *p_n)
{
    long N = pt->N;
    double *r = malloc((size_t)N * sizeof *r), *pr = malloc((size_t)N * sizeof *pr);
    double *fp = malloc((size_t)N * sizeof *fp);
    if (!r || !pr || !fp) {
        free(r), free(pr), free(fp);
        return pm_error_set(PM_ENOMEM, "out of memory for the radial distributions (N = %ld)", N);
    }
    for (long n = 0; n < N; n++) {
        r[n] = sqrt(2.0 * (double)n + 1.0);
        pr[n] = p_n[n] * r[n]; /* P_r dr = P(n) dn, dn = r dr */
        fp[n] = pm_reduced_fp_P_r(&pt->params, &pt->fp, r[n]);
    }
    pm_status s = pm_h5_dataset_double(file, "/compare/p_n", p_n, (size_t)N, 0, "1");
    if (s == PM_OK) s = pm_h5_dataset_double(file, "/compare/radial/r", r, (size_t)N, 0, "1");
    if (s == PM_OK) s = pm_h5_dataset_double(file, "/compare/radial/P_r_exact", pr, (size_t)N, 0, "1");
    if (s == PM_OK) s = pm_h5_dataset_double(file, "/compare/radial/P_r_fp", fp, (size_t)N, 0, "1");
    if (s == PM_OK)
        s = pm_h5_attr_string(file, "/compare/radial", "description",
                              "exact P(n) placed at r_n = sqrt(2n+1) (Wigner ordering) as a density in r, "
                              "P_r = P(n) r_n; P_r_fp = Eq. (20)/(B132) normalised");
    if (s == PM_OK) s = pm_h5_attr_double(file, "/compare/radial", "r0_maxwell_bloch", pm_reduced_ring_radius(&pt->params), "1");
    free(r), free(pr), free(fp);
    return s;
}

pm_status pm_results_write_compare_langevin(pm_h5file *file, const pm_langevin_options *opts,
                                           const pm_langevin_result *lr)
{
    pm_status s = pm_h5_dataset_double(file, "/compare/langevin/t", lr->t, lr->ntimes, 0, "s");
    /* the run is reproducible from these two (langevin.h) */
    if (s == PM_OK) s = pm_h5_attr_int(file, "/compare/langevin", "seed", (int64_t)opts->seed);
    if (s == PM_OK) s = pm_h5_attr_int(file, "/compare/langevin", "trajectories", (int64_t)opts->trajectories);
    if (s == PM_OK) s = pm_h5_dataset_double(file, "/compare/langevin/n_of_t", lr->n_mean, lr->ntimes, 0, "1");
    if (s == PM_OK) s = pm_h5_attr_double(file, "/compare/langevin", "dt", lr->dt, "s");
    if (s == PM_OK) s = pm_h5_attr_double(file, "/compare/langevin", "t_burn", lr->t_burn, "s");
    if (s == PM_OK) s = pm_h5_attr_int(file, "/compare/langevin", "samples", (int64_t)lr->samples);
    if (s == PM_OK) s = pm_h5_attr_double(file, "/compare/langevin", "g2_paper", lr->g2_paper, "1");
    if (s == PM_OK)
        s = pm_h5_attr_string(file, "/compare/langevin", "description",
                              "Euler-Maruyama of Eq. (19) from the thermal state; n = <(z^2+p^2)/2> - 1/2 over "
                              "trajectories; xoshiro256** + Box-Muller");
    return s;
}


pm_status pm_results_write_compare4(pm_h5file *file, pm_sweep_variable v, size_t count, const double *values,
                                    const pm_compare4_point *points)
{
    double *column = malloc(count * sizeof *column);
    if (!column) return pm_error_set(PM_ENOMEM, "out of memory writing %zu sweep points", count);
    char path[160];
    snprintf(path, sizeof path, "/compare4/%s", pm_sweep_variable_name(v));
    pm_status s = pm_h5_dataset_double(file, path, values, count, 0, variable_unit(v));
    for (int q = 0; q < PM_CMP4_COUNT && s == PM_OK; q++)
        for (int c = 0; c < PM_COL_COUNT && s == PM_OK; c++) {
            for (size_t k = 0; k < count; k++) column[k] = points[k].status == PM_OK ? points[k].value[q][c] : NAN;
            snprintf(path, sizeof path, "/compare4/%s/%s", pm_compare4_quantity_name(q), pm_compare4_column_name(c));
            s = pm_h5_dataset_double(file, path, column, count, 0, pm_compare4_quantity_unit(q));
        }
    const struct {
        const char *name;
        size_t offset;
        int is_long;
    } extra[] = {
        {"S_th_rwa", offsetof(pm_compare4_point, S_th_rwa), 0},
        {"S_th_beyond_rwa", offsetof(pm_compare4_point, S_th_beyond_rwa), 0},
        {"a2_abs", offsetof(pm_compare4_point, a2_abs), 0},
        {"coherence_tail", offsetof(pm_compare4_point, coherence_tail), 0},
        {"rwa_resonance_ratio", offsetof(pm_compare4_point, rwa_resonance_ratio), 0},
        {"rwa_coupling_ratio", offsetof(pm_compare4_point, rwa_coupling_ratio), 0},
        {"N", offsetof(pm_compare4_point, N_dressed), 1},
        {"K", offsetof(pm_compare4_point, K_dressed), 1},
        {"N_jc", offsetof(pm_compare4_point, N_jc), 1},
        {"N_amplitude_mode", offsetof(pm_compare4_point, N_mode), 1},
        {"amplitude_mode_rel_change", offsetof(pm_compare4_point, mode_rel_change), 0},
    };
    for (size_t e = 0; e < sizeof extra / sizeof extra[0] && s == PM_OK; e++) {
        for (size_t k = 0; k < count; k++) {
            const char *base = (const char *)&points[k] + extra[e].offset;
            column[k] = extra[e].is_long ? (double)*(const long *)base : *(const double *)base;
        }
        snprintf(path, sizeof path, "/compare4/%s", extra[e].name);
        s = pm_h5_dataset_double(file, path, column, count, 0, "1");
    }
    if (s == PM_OK)
        s = pm_h5_attr_string(file, "/compare4", "columns",
                              "dressed: exact Eq. (5); jc: exact Eqs. (6)-(9); reduced_rwa: Eqs. (11)-(15), (B92), "
                              "(20); reduced_beyond_rwa: leading order beyond the RWA (reduced.h)");
    free(column);
    return s;
}

pm_status pm_results_write_sweep(pm_h5file *file, pm_sweep_variable v, size_t count, const double *values,
                                 const long *N_used)
{
    double *column = malloc(count * sizeof *column);
    if (!column) return pm_error_set(PM_ENOMEM, "out of memory writing %zu sweep points", count);
    pm_status s = pm_h5_attr_string(file, "/parameters", "sweep_key", pm_sweep_variable_name(v));
    if (s == PM_OK) s = pm_h5_dataset_double(file, "/parameters/sweep_values", values, count, 0, variable_unit(v));
    for (size_t k = 0; k < count; k++) column[k] = N_used[k] > 0 ? (double)N_used[k] : NAN;
    if (s == PM_OK) s = pm_h5_dataset_double(file, "/parameters/N_values", column, count, 0, "1");
    free(column);
    return s;
}
