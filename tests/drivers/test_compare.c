/* Exact master equation vs reduced theory (compare.h): the Lamb-shift sign,
 * convergence of exact to reduced as g/gamma_2 -> 0, detection of the
 * failure at g ~ gamma_2, the operating point above threshold (linewidth,
 * clamping, exact number balance), the threshold, sweeps, the fast spectra
 * of a point against the plain ARPACK runs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phonomaser/drivers/compare.h"
#include "phonomaser/model/model.h"
#include "phonomaser/solvers/spectrum.h"
#include "testutil.h"

/* A family with a fixed reduced threshold S_th = 0.5 (gamma_m = 2 G S_th)
 * below threshold (S = 0.2), delta = 500 (Lamb shift nonzero), n_th = 1:
 * n_ss = (S_th n_th + p_up) / (S_th - S) = 3.67 for every g, while
 * g/gamma_2 and the saturation n / n_sat = 4 G n / gamma_1 both scale as g^2. */
static pm_params family(double g, double S, double delta)
{
    pm_params p;
    pm_params_init(&p);
    double G = g * g * 1000.0 / (1000.0 * 1000.0 + delta * delta);
    char text[4][40];
    snprintf(text[0], sizeof text[0], "%.17g", g);
    snprintf(text[1], sizeof text[1], "%.17g", 2 * G * 0.5);
    snprintf(text[2], sizeof text[2], "%.17g", S);
    snprintf(text[3], sizeof text[3], "%.17g", delta);
    CHECK_OK(pm_params_set(&p, "g", text[0]));
    CHECK_OK(pm_params_set(&p, "gamma_m", text[1]));
    CHECK_OK(pm_params_set(&p, "S", text[2]));
    CHECK_OK(pm_params_set(&p, "delta", text[3]));
    CHECK_OK(pm_params_set(&p, "n_th", "1"));
    CHECK_OK(pm_params_set(&p, "N", "auto"));
    CHECK_OK(pm_params_derive(&p));
    return p;
}

static pm_compare_point run(const pm_params *p)
{
    pm_compare_point pt;
    memset(&pt, 0, sizeof pt);
    CHECK_OK(pm_compare_point_run(p, NULL, &pt, NULL));
    return pt;
}

/* Erratum 3: <a>(t) ~ e^{lambda t}, delta_omega = -Im(lambda) is positive for
 * S > 0, delta > 0 (the paper's B95 says negative), odd in delta and in S. */
static void test_lamb_shift_sign(void)
{
    pm_params p = family(20, 0.2, 500), m = family(20, 0.2, -500), s = family(20, -0.2, 500);
    pm_compare_point a = run(&p), b = run(&m), c = run(&s);
    CHECK(a.q[PM_CMP_LAMB_SHIFT].exact > 0);
    CHECK(a.q[PM_CMP_LAMB_SHIFT].reduced > 0);
    CHECK_REL(b.q[PM_CMP_LAMB_SHIFT].exact, -a.q[PM_CMP_LAMB_SHIFT].exact, 1e-8);
    CHECK(c.q[PM_CMP_LAMB_SHIFT].exact < 0);
    /* the damping is even in delta */
    CHECK_REL(b.q[PM_CMP_GAMMA_EFF].exact, a.q[PM_CMP_GAMMA_EFF].exact, 1e-8);
    /* the paper's sign would give rel_dev ~ -2 */
    CHECK(fabs(a.q[PM_CMP_LAMB_SHIFT].rel_dev) < 0.1);
}

/* Where the reduction is controlled: the deviations shrink ~ (g/gamma_2)^2. */
static void test_convergence(void)
{
    const double gs[4] = {80, 40, 20, 10};
    const pm_compare_quantity qs[4] = {PM_CMP_GAMMA_EFF, PM_CMP_LAMB_SHIFT, PM_CMP_N_SS, PM_CMP_N_FP};
    double dev[4][4];
    for (int k = 0; k < 4; k++) {
        pm_params p = family(gs[k], 0.2, 500);
        pm_compare_point pt = run(&p);
        CHECK(!pt.above_threshold);
        CHECK_REL(pt.validity.g_over_gamma_2, gs[k] / 1000, 1e-14);
        for (int q = 0; q < 4; q++) {
            CHECK(pt.q[qs[q]].applies);
            dev[k][q] = fabs(pt.q[qs[q]].rel_dev);
        }
    }
    for (int q = 0; q < 4; q++) {
        for (int k = 1; k < 4; k++) {
            /* halving g: at least a factor 2.5 (4 asymptotically) */
            if (!(dev[k][q] < dev[k - 1][q] / 2.5))
                fprintf(stderr, "quantity %s: g = %g dev %.3g, g = %g dev %.3g\n",
                        pm_compare_quantity_name(qs[q]), gs[k - 1], dev[k - 1][q], gs[k], dev[k][q]);
            CHECK(dev[k][q] < dev[k - 1][q] / 2.5);
        }
        CHECK(dev[3][q] < 0.01); /* g/gamma_2 = 0.01 */
    }
}

/* Not controlled: g/gamma_2 = 0.5 (and gamma_m/gamma_2 = 0.12 in this family). */
static void test_failure_detected(void)
{
    pm_params p = family(500, 0.2, 500);
    pm_compare_point pt = run(&p);
    CHECK_REL(pt.validity.g_over_gamma_2, 0.5, 1e-14);
    CHECK(fabs(pt.q[PM_CMP_GAMMA_EFF].rel_dev) > 0.5);
    CHECK(fabs(pt.q[PM_CMP_N_SS].rel_dev) > 0.3);
    CHECK(pt.q[PM_CMP_INVERSION].exact < 0.1); /* the spin is far from rho_s^(0) */
}

/* Table I operating point, far above threshold. */
static void test_operating_point(void)
{
    pm_params p;
    pm_params_init(&p);
    CHECK_OK(pm_params_set(&p, "N", "auto"));
    CHECK_OK(pm_params_derive(&p));
    pm_compare_point pt;
    double *p_n = NULL;
    CHECK_OK(pm_compare_point_run(&p, NULL, &pt, &p_n));
    CHECK(pt.above_threshold && pt.converged);
    CHECK(p_n != NULL);
    /* exact number balance: gamma_1 (S - <sigma_z>) = 2 gamma_m (<n> - n_th) */
    CHECK_REL(p.gamma_1 * (p.S - pt.sz_mean), 2 * p.gamma_m * (pt.n_mean - p.n_th), 1e-7);
    /* gain clamping (B109) */
    CHECK(fabs(pt.q[PM_CMP_INVERSION].rel_dev) < 1e-4);
    /* the slowest k = 1 eigenvalue is the phase diffusion D_W <1/r^2> (Eqs. 16-18):
     * no factor 2 either way */
    CHECK(fabs(pt.q[PM_CMP_LINEWIDTH].rel_dev) < 2e-3);
    CHECK_REL(pt.q[PM_CMP_LINEWIDTH].exact, pm_reduced_D_W(&p) / (2 * pm_reduced_n_las(&p)), 0.01);
    CHECK_CLOSE(cimag(pt.lambda_k1[0]), 0.0, 1e-12);
    /* intensity relaxation and ring radius */
    CHECK(fabs(pt.q[PM_CMP_INTENSITY_RATE].rel_dev) < 1e-3);
    CHECK(fabs(pt.q[PM_CMP_RING_RADIUS].rel_dev) < 0.01);
    CHECK(fabs(pt.q[PM_CMP_N_LAS].rel_dev) < 0.01);
    /* the paper's isotropic D_W overestimates the amplitude noise: the exact
     * g2 - 1 is several times smaller than Eq. (20)'s, and the rings differ */
    CHECK(pt.g2 > 1 && (pt.fp.g2_wigner - 1) > 3 * (pt.g2 - 1));
    CHECK(pt.radial_tv > 0.2);
    double sum = 0;
    for (long n = 0; n < pt.N; n++) sum += p_n[n];
    CHECK_CLOSE(sum, 1.0, 1e-10);
    free(p_n);

    pm_compare_threshold t;
    CHECK_OK(pm_compare_threshold_run(&p, NULL, &t));
    CHECK(fabs(t.clamp_slope) < 1e-3);
    CHECK_REL(t.S_th_exact, t.S_th_reduced, 1e-4);
    CHECK_REL(t.S_th_reduced, 0.0159154943, 1e-8);
    /* the smeared transition: its centre lies above Eq. (14), within the
     * width ~ S_th / sqrt(n_sat)-scale band, and Eq. (20) puts it too high */
    CHECK(t.S_mid_exact > t.S_th_reduced && t.S_mid_exact < 1.2 * t.S_th_reduced);
    CHECK(t.S_mid_fp > t.S_mid_exact);
}

static void test_sweep(void)
{
    pm_sweep_variable v;
    size_t count;
    double *values;
    CHECK_OK(pm_sweep_parse("S:0:0.3:31", &v, &count, &values));
    CHECK(v == PM_SWEEP_S && count == 31);
    if (count == 31) {
        CHECK_CLOSE(values[30], 0.3, 1e-15);
        CHECK_CLOSE(values[1], 0.01, 1e-15);
    }
    free(values);
    CHECK_OK(pm_sweep_parse("delta=-1000, 0,2.5", &v, &count, &values));
    CHECK(v == PM_SWEEP_DELTA && count == 3);
    if (count == 3) CHECK(values[0] == -1000 && values[1] == 0 && values[2] == 2.5);
    free(values);
    const char *bad[] = {"X:0:1:3", "S:0:1", "S:0:1:0", "S:0:1:2.5", "S=1,,2", "S=", "S:1:2:1", "S", "eta:0:x:3"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        pm_status s = pm_sweep_parse(bad[k], &v, &count, &values);
        if (s != PM_EINVAL) fprintf(stderr, "sweep spec '%s' accepted\n", bad[k]);
        CHECK(s == PM_EINVAL);
        CHECK(values == NULL);
    }

    /* eta replaces a g given as a key; n_th replaces T */
    pm_params base, p;
    pm_params_init(&base);
    CHECK_OK(pm_params_set(&base, "g", "20"));
    CHECK_OK(pm_params_set(&base, "T", "1e-6"));
    CHECK_OK(pm_params_derive(&base));
    CHECK_OK(pm_sweep_apply(&base, PM_SWEEP_ETA, 0.05, &p));
    CHECK_REL(p.g, 0.05 * p.omega_m, 1e-14);
    CHECK_OK(pm_sweep_apply(&base, PM_SWEEP_N_TH, 3, &p));
    CHECK_REL(p.n_th, 3, 1e-15);
    CHECK(pm_sweep_apply(&base, PM_SWEEP_S, 1.5, &p) == PM_EINVAL);

    /* a sweep in threads equals the single points, in order */
    pm_params f = family(20, 0.2, 500);
    const double S[3] = {0.3, -0.1, 0.1};
    pm_compare_point points[3];
    pm_compare_options opts;
    pm_compare_options_default(&opts);
    opts.threads = 2;
    size_t done = 0;
    CHECK_OK(pm_compare_sweep(&f, PM_SWEEP_S, 3, S, &opts, points, &done));
    CHECK(done == 3);
    for (int k = 0; k < 3; k++) {
        pm_params q;
        CHECK_OK(pm_sweep_apply(&f, PM_SWEEP_S, S[k], &q));
        pm_compare_point single = run(&q);
        CHECK(points[k].status == PM_OK);
        CHECK(points[k].params.S == S[k]);
        CHECK(points[k].n_mean == single.n_mean);
        CHECK(points[k].lambda_k1[0] == single.lambda_k1[0]);
    }
    /* stop flag */
    pm_stop_flag stop = 1;
    opts.stop = &stop;
    CHECK(pm_compare_sweep(&f, PM_SWEEP_S, 3, S, &opts, points, &done) == PM_EINTERRUPT);
    CHECK(done == 0);
    /* a failing point is reported with its number */
    opts.stop = NULL;
    opts.nev = 0;
    CHECK(pm_compare_sweep(&f, PM_SWEEP_S, 3, S, &opts, points, &done) == PM_EINVAL);
    CHECK(strstr(pm_error_message(), "sweep point 1") != NULL);
}

static void test_sweep_values(void)
{
    double *v = NULL;
    CHECK_OK(pm_sweep_values(0, 0.3, 4, &v));
    CHECK(v[0] == 0 && v[3] == 0.3 && fabs(v[1] - 0.1) < 1e-15);
    free(v);
    CHECK_OK(pm_sweep_values(0.2, 0.9, 1, &v));
    CHECK(v[0] == 0.2);
    free(v);
    CHECK(pm_sweep_values(0, 1, 0, &v) == PM_EINVAL && v == NULL);
}

/* The spectra of a point (compare.c: one eigenvalue with few Arnoldi
 * vectors, three refined, sector 0 with the steady state deflated) against
 * the plain shift-invert runs of spectrum.h at the same cutoff: equal within
 * 1e-14 max|L_pp| (both are accurate to the backward error of the solves;
 * the eigenvalues are >= 4e-2 1/s apart, so another one would be far off). */
static void check_fast_spectra(const char *const *keys, const char *const *values, int count)
{
    pm_params p;
    pm_params_init(&p);
    for (int k = 0; k < count; k++) CHECK_OK(pm_params_set(&p, keys[k], values[k]));
    REQUIRE_OK(pm_params_derive(&p));
    pm_model *model = NULL;
    pm_block *b0 = NULL, *b1 = NULL;
    REQUIRE_OK(pm_model_jc_alloc(&p, &model));
    REQUIRE_OK(pm_model_block(model, 0, &b0));
    REQUIRE_OK(pm_model_block(model, 1, &b1));
    double scale = 0;
    for (int64_t q = 0; q < b0->size; q++) scale = fmax(scale, cabs(pm_sparse_get(b0->L, q, q)));
    for (int64_t q = 0; q < b1->size; q++) scale = fmax(scale, cabs(pm_sparse_get(b1->L, q, q)));
    const double tol = 1e-14 * scale;
    pm_spectrum_options so;
    pm_spectrum_options_default(&so);
    so.nev = 3;
    so.want_vectors = 1;
    pm_spectrum k1, k0;
    REQUIRE_OK(pm_spectrum_slowest(b1, &so, &k1));
    REQUIRE_OK(pm_spectrum_slowest(b0, &so, &k0));
    REQUIRE(k1.nev == 3 && k0.nev == 3);
    int steady = 0; /* the eigenvector with a trace */
    for (int j = 1; j < 3; j++)
        if (cabs(pm_spectrum_trace(b0, &k0, j)) > cabs(pm_spectrum_trace(b0, &k0, steady))) steady = j;
    const double rate_k0 = -creal(k0.eigenvalues[steady == 0 ? 1 : 0]);
    CHECK(rate_k0 > 1e-3); /* the decaying mode, not the steady state */
    for (int nev = 1; nev <= 3; nev += 2) {
        pm_compare_options opts;
        pm_compare_options_default(&opts);
        opts.nev = nev;
        pm_compare_point pt;
        REQUIRE_OK(pm_compare_point_run(&p, &opts, &pt, NULL));
        REQUIRE(pt.N == p.N && pt.nev == nev);
        for (int j = 0; j < nev; j++) CHECK(cabs(pt.lambda_k1[j] - k1.eigenvalues[j]) < tol);
        CHECK(fabs(pt.rate_k0 - rate_k0) < tol);
    }
    pm_spectrum_clear(&k1);
    pm_spectrum_clear(&k0);
    pm_block_free(b0);
    pm_block_free(b1);
    pm_model_free(model);
}

static void test_fast_spectra(void)
{
    /* a detuned maser above threshold, n_las ~ 60 at N = 200: complex eigenvalues */
    const char *keys[] = {"eta", "S", "n_th", "delta", "N"}, *maser[] = {"0.25", "0.01", "2", "300", "200"};
    check_fast_spectra(keys, maser, 5);
    /* the ground state |down, 0> (S = -1, n_th = 0): sharp n, no intensity
     * fluctuation to start sector 0 from (ARPACK's own start then) */
    const char *ground[] = {"0.1", "-1", "0", "0", "8"};
    check_fast_spectra(keys, ground, 5);
}

int main(void)
{
    test_sweep_values();
    test_lamb_shift_sign();
    test_convergence();
    test_failure_detected();
    test_operating_point();
    test_fast_spectra();
    test_sweep();
    return TEST_RESULT();
}
