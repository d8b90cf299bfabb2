/* Reduced theory (reduced.h): each formula against the paper's Table II,
 * against values worked by hand, and against independent evaluations
 * (quadrature of the Fokker-Planck exponent, the Gaussian and half-Gaussian
 * limits of Eq. 20, Appendix C rewritten as C4/C5). */
#include <math.h>
#include <stdio.h>

#include "phonomaser/reduced.h"
#include "testutil.h"

static pm_params table1(double eta)
{
    pm_params p;
    pm_params_init(&p);
    char text[32];
    snprintf(text, sizeof text, "%.17g", eta);
    CHECK_OK(pm_params_set(&p, "eta", text));
    CHECK_OK(pm_params_derive(&p));
    return p;
}

/* The paper's Table II, printed to 3 significant digits. */
static void test_table2(void)
{
    const double eta[3] = {0.05, 0.10, 0.25};
    const double g[3] = {1.57e1, 3.14e1, 7.85e1};
    const double S_th[3] = {6.37e-2, 1.59e-2, 2.55e-3};
    const double opt_max[3] = {4.93e-1, 1.97, 1.23e1};
    const double ratio[3] = {1.57e1, 6.27e1, 3.92e2};
    const double n_sat[3] = {5.07e2, 1.27e2, 2.03e1};
    for (int k = 0; k < 3; k++) {
        pm_params p = table1(eta[k]);
        pm_reduced_table2 row;
        pm_reduced_table2_row(&p, &row);
        /* 3 printed digits: relative rounding error <= 5e-3 (0.5 in the last digit / 100) */
        CHECK_REL(row.g, g[k], 5e-3);
        CHECK_REL(row.S_th, S_th[k], 5e-3);
        CHECK_REL(row.gamma_opt_max, opt_max[k], 5e-3);
        CHECK_REL(row.gamma_opt_max_over_gamma_m, ratio[k], 5e-3);
        CHECK_REL(row.n_sat, n_sat[k], 5e-3);
        CHECK_REL(row.eta, eta[k], 1e-14);
        /* the same by hand: g = eta omega_m, S_th = gamma_m gamma_2 / (2 g^2), n_sat = gamma_1 gamma_2/(4 g^2) */
        double gg = eta[k] * 2 * M_PI * 50;
        CHECK_REL(row.S_th, (2 * M_PI * 50 / 1e4) * 1000 / (2 * gg * gg), 1e-13);
        CHECK_REL(row.n_sat, 500.0 * 1000 / (4 * gg * gg), 1e-13);
    }
}

/* Eqs. 11-14, B92, B95 by hand at chosen points. */
static void test_elimination(void)
{
    pm_params p = table1(0.1); /* S = 0.2, n_th = 5, delta = 0 */
    double g = 0.1 * 2 * M_PI * 50, G = g * g / 1000.0;
    CHECK_REL(pm_reduced_G(&p), G, 1e-14);
    CHECK_REL(pm_reduced_gamma_minus(&p), 2 * G * 0.4, 1e-14); /* p_down = 0.4 */
    CHECK_REL(pm_reduced_gamma_plus(&p), 2 * G * 0.6, 1e-14);  /* p_up = 0.6 */
    CHECK_REL(pm_reduced_gamma_opt(&p), -2 * G * 0.2, 1e-14);
    CHECK_CLOSE(pm_reduced_gamma_opt(&p), pm_reduced_gamma_minus(&p) - pm_reduced_gamma_plus(&p), 1e-15);
    CHECK_REL(pm_reduced_gamma_eff(&p), p.gamma_m - 0.4 * G, 1e-14);
    CHECK_REL(pm_reduced_gamma_opt_max(&p), 2 * G, 1e-14);
    CHECK_CLOSE(pm_reduced_lamb_shift(&p), 0.0, 1e-300); /* odd in delta */
    CHECK(isinf(pm_reduced_n_ss(&p)));                   /* above threshold */

    /* detuning delta = gamma_2: G halves, S_th doubles, Lamb shift maximal = g^2 S / (2 gamma_2) */
    const char *k1[] = {"eta", "delta", "S"}, *v1[] = {"0.1", "1000", "0.01"};
    pm_params q = test_params_with(k1, v1, 3);
    CHECK_REL(pm_reduced_G(&q), G / 2, 1e-14);
    CHECK_REL(pm_reduced_S_th(&q), 2 * pm_reduced_S_th(&p), 1e-14);
    CHECK_REL(pm_reduced_lamb_shift(&q), g * g * 0.01 / 2000.0, 1e-14);
    CHECK(pm_reduced_lamb_shift(&q) > 0); /* sign fixed by the exact Liouvillian (test_compare) */
    q.delta = -1000;
    CHECK_REL(pm_reduced_lamb_shift(&q), -g * g * 0.01 / 2000.0, 1e-14);
    q.S = -0.01;
    CHECK(pm_reduced_lamb_shift(&q) > 0);

    /* threshold: gamma_eff(S_th) = 0, mu(0) = -gamma_eff/2 */
    pm_params t = p;
    t.S = pm_reduced_S_th(&p);
    CHECK_CLOSE(pm_reduced_gamma_eff(&t), 0.0, 1e-15);
    CHECK_CLOSE(pm_reduced_mu(&p, 0), -pm_reduced_gamma_eff(&p) / 2, 1e-15);

    /* B92 at S = 0: Gamma_+ = Gamma_- = G, n_ss = (gamma_m n_th + G)/gamma_m */
    const char *k2[] = {"eta", "S"}, *v2[] = {"0.1", "0"};
    pm_params z = test_params_with(k2, v2, 2);
    CHECK_REL(pm_reduced_n_ss(&z), (z.gamma_m * 5 + G) / z.gamma_m, 1e-14);
    CHECK_REL(pm_reduced_n_ss(&z), 36.4159265358979, 1e-12); /* = 5 + G/gamma_m = 5 + 100/pi */
    CHECK_CLOSE(pm_reduced_n_las(&z), 0.0, 0);
    CHECK_CLOSE(pm_reduced_clamped_inversion(&z), 0.0, 0);
    CHECK_CLOSE(pm_reduced_intensity_relaxation(&z), z.gamma_m, 1e-15);

    /* no coupling: no threshold */
    const char *k3[] = {"eta", "S"}, *v3[] = {"0", "0.5"};
    pm_params u = test_params_with(k3, v3, 2);
    CHECK(isinf(pm_reduced_S_th(&u)));
    CHECK(isinf(pm_reduced_n_sat(&u)));
    CHECK_CLOSE(pm_reduced_n_las(&u), 0.0, 0);
    CHECK_REL(pm_reduced_n_ss(&u), 5.0, 1e-14);
}

/* Eq. 15 and the clamping B109, Eq. 17-18. */
static void test_maxwell_bloch(void)
{
    pm_params p = table1(0.1);
    double S_th = pm_reduced_S_th(&p), n_sat = pm_reduced_n_sat(&p);
    CHECK_REL(pm_reduced_n_las(&p), n_sat * (0.2 / S_th - 1), 1e-14);
    CHECK_REL(pm_reduced_n_las(&p), 1464.898, 1e-6); /* 500/(2 gamma_m) 0.2 - n_sat (B116) */
    CHECK_REL(pm_reduced_n_las(&p), 500 / (2 * p.gamma_m) * 0.2 - n_sat, 1e-13);
    CHECK_CLOSE(pm_reduced_mu(&p, pm_reduced_n_las(&p)), 0.0, 1e-15); /* limit cycle: mu(n_las) = 0 */
    CHECK_REL(pm_reduced_clamped_inversion(&p), S_th, 1e-15);
    pm_params d = p;
    d.S = 2 * S_th;
    CHECK_REL(pm_reduced_n_las(&d), n_sat, 1e-13);
    CHECK_REL(pm_reduced_intensity_relaxation(&d), p.gamma_m / 2, 1e-13);
    double G = pm_reduced_G(&p);
    CHECK_REL(pm_reduced_D_W(&p), (p.gamma_m * 11 + 2 * G) / 4, 1e-14);
    CHECK_REL(pm_reduced_D_W(&p), (11 * M_PI / 100 + M_PI * M_PI / 5) / 4, 1e-14); /* gamma_m = pi/100, G = pi^2/10 */
}

/* Eq. 20: closed-form exponent against a quadrature of mu(s^2/2) s / D_W. */
static void test_fp_exponent(void)
{
    pm_params p = table1(0.1);
    double D_W = pm_reduced_D_W(&p);
    const double radii[3] = {3.0, 54.0, 120.0};
    for (int k = 0; k < 3; k++) {
        double r = radii[k], sum = 0;
        int m = 200000; /* Simpson */
        for (int j = 0; j <= m; j++) {
            double s = r * j / m, w = (j == 0 || j == m) ? 1 : (j % 2 ? 4 : 2);
            sum += w * pm_reduced_mu(&p, s * s / 2) * s;
        }
        sum *= r / m / 3 / D_W;
        CHECK_CLOSE(pm_reduced_fp_exponent(&p, r), sum, 1e-9);
    }
}

/* Normalisation, moments, and the closed-form mean above threshold:
 * P(u) ~ u^a e^{-b u}, u = n + n_sat, a = gamma_1 S/(4 D_W), b = gamma_m/(2 D_W),
 * so <n> = (a + 1)/b - n_sat = n_las + 2 D_W/gamma_m when the boundary term
 * at u = n_sat is negligible (far above threshold). */
static void test_fp_moments(void)
{
    pm_params p = table1(0.1);
    pm_reduced_fp fp;
    CHECK_OK(pm_reduced_fp_solve(&p, &fp));
    double D_W = pm_reduced_D_W(&p);
    CHECK_REL(fp.n_mean, pm_reduced_n_las(&p) + 2 * D_W / p.gamma_m, 1e-9);
    CHECK_REL(fp.n_mean, 1501.8139, 1e-7);
    /* Var(u) = (a + 1)/b^2 */
    double a = 500 * 0.2 / (4 * D_W), b = p.gamma_m / (2 * D_W);
    CHECK_REL(fp.n2_mean - fp.n_mean * fp.n_mean, (a + 1) / (b * b), 1e-7);
    /* independent normalisation on an r grid */
    double sum = 0, sum_n = 0, h = 0.001;
    for (int j = 1; j < 300000; j++) {
        double r = j * h, pr = pm_reduced_fp_P_r(&p, &fp, r);
        sum += pr * h;
        sum_n += pr * r * r / 2 * h;
    }
    CHECK_CLOSE(sum, 1.0, 1e-9);
    CHECK_REL(sum_n, fp.n_mean, 1e-8);
    /* ring: P_r peaks near sqrt(2 n_las) */
    CHECK_REL(fp.r_peak, sqrt(2 * pm_reduced_n_las(&p)), 0.01);
    CHECK(fp.g2 > 1 && fp.g2 < 1.05);
    /* linewidth: D_W <1/r^2> ~ D_W / (2 n_las) within the Jensen correction Var(r^2)/<r^2>^2 */
    double lw = pm_reduced_linewidth_fp(&p, &fp);
    double narrow = D_W / (2 * fp.n_mean);
    double var_r2 = 4 * (fp.n2_mean - fp.n_mean * fp.n_mean), mean_r2 = 2 * fp.n_mean;
    CHECK_REL(lw, narrow * (1 + var_r2 / (mean_r2 * mean_r2)), 2e-3);
    CHECK_REL(lw, D_W / (2 * pm_reduced_n_las(&p)), 0.01);
}

/* Below threshold with negligible saturation Eq. (20) is the Gaussian of the
 * linear theory: <r^2/2> = D_W/|mu(0)| = n_ss + 1/2 and thermal statistics.
 * At threshold in the large-n_sat limit, P(n) is a half-Gaussian:
 * <n^2>/<n>^2 = pi/2. */
static void test_fp_limits(void)
{
    /* n_sat ~ 1e9: gamma_1 = 4e6, G = 1e-3 */
    const char *keys[] = {"gamma_1", "gamma_2", "g", "gamma_m", "S", "n_th"};
    const char *below[] = {"4e6", "2e6", "44.72135955", "0.02", "0.3", "2"};
    pm_params p = test_params_with(keys, below, 6);
    pm_reduced_fp fp;
    CHECK_OK(pm_reduced_fp_solve(&p, &fp));
    CHECK_REL(fp.n_mean, pm_reduced_n_ss(&p) + 0.5, 1e-6);
    CHECK_CLOSE(fp.g2_wigner, 2.0, 1e-5);
    CHECK_CLOSE(fp.intensity_ratio, 2.0, 1e-5);

    /* S = S_th = gamma_m/(2G) = 0.5 with gamma_m = 1e-3, n_sat = gamma_1/(4G) = 1e9 */
    const char *at[] = {"4e6", "2e6", "44.72135955", "0.001", "0.5", "2"};
    pm_params t = test_params_with(keys, at, 6);
    t.S = pm_reduced_S_th(&t);
    CHECK_OK(pm_reduced_fp_solve(&t, &fp));
    /* corrections O(sigma_n / n_sat) ~ 1e-4 */
    CHECK_CLOSE(fp.intensity_ratio, M_PI / 2, 2e-3);

    /* no coupling: thermal state of the bath */
    const char *k0[] = {"eta", "n_th"}, *v0[] = {"0", "3"};
    pm_params u = test_params_with(k0, v0, 2);
    CHECK_OK(pm_reduced_fp_solve(&u, &fp));
    CHECK_REL(fp.n_mean, 3.5, 1e-9);
    CHECK_CLOSE(fp.g2_wigner, 2.0, 1e-8);
}

/* Appendix C: C3 written out as C4 and C5, C6, C8-C10. */
static void test_appendix_c(void)
{
    pm_params p = table1(0.1);
    double hk = PM_HBAR_OVER_KB, g = p.g, Q = p.omega_m / p.gamma_m;
    double c4 = hk * (p.gamma_1 * Q * p.S / 2 - p.gamma_1 * p.gamma_2 * p.omega_m / (4 * g * g));
    double c5 = hk * (p.gamma_1 * Q * p.S / 2 - p.gamma_1 * p.gamma_2 / (4 * 0.1 * 0.1 * p.omega_m));
    CHECK_REL(pm_reduced_T_eff_max(&p), c4, 1e-12);
    CHECK_REL(pm_reduced_T_eff_max(&p), c5, 1e-12);
    CHECK_REL(pm_reduced_T_eff_max(&p), hk * p.omega_m * pm_reduced_n_las(&p), 1e-12);
    /* C6: 1.9e-5 K, i.e. n_eff ~ 8e3 at 50 Hz (text after C6) */
    CHECK_REL(pm_reduced_T_eff_full_inversion(&p), 1.9e-5, 0.01);
    CHECK_REL(pm_reduced_T_eff_full_inversion(&p) / (hk * p.omega_m), 8e3, 0.01);
    CHECK_REL(hk, 1.054571817e-34 / 1.380649e-23, 1e-9);
    /* below threshold the bound is negative */
    pm_params b = p;
    b.S = 0.01;
    CHECK(pm_reduced_T_eff_max(&b) < 0);

    pm_reduced_cooling c1, c2;
    CHECK_OK(pm_reduced_cold_damping(&p, 0.1, 0.0, &c1));
    CHECK_OK(pm_reduced_cold_damping(&p, 1.0, 0.0, &c2));
    CHECK_REL(c1.gamma_tot, p.gamma_m + 0.1, 1e-15);
    CHECK_REL(c1.n_eff, p.gamma_m * 5 / (p.gamma_m + 0.1), 1e-14);
    CHECK_REL(c1.S_th_tot, (1 + 0.1 / p.gamma_m) * pm_reduced_S_th(&p), 1e-13); /* C9 */
    CHECK_REL(c1.product, pm_reduced_S_th(&p) * 5, 1e-13);                     /* C10 */
    CHECK_REL(c2.product, c1.product, 1e-13);
    pm_reduced_cooling c3;
    CHECK_OK(pm_reduced_cold_damping(&p, 1.0, 0.5, &c3));
    CHECK(c3.product > c2.product); /* a warm cold bath costs more */
    CHECK(pm_reduced_cold_damping(&p, -1.0, 0.0, &c3) == PM_EINVAL);
    CHECK(pm_reduced_cold_damping(&p, 1.0, NAN, &c3) == PM_EINVAL);
}

static void test_validity(void)
{
    pm_params p = table1(0.1);
    pm_reduced_validity v;
    pm_reduced_validity_ratios(&p, 1469.9, &v);
    CHECK_REL(v.g_over_gamma_2, p.g / 1000, 1e-15);
    CHECK_REL(v.g_over_gamma_1, p.g / 500, 1e-15);
    CHECK_REL(v.gamma_m_over_gamma_1, p.gamma_m / 500, 1e-15);
    CHECK_REL(v.gamma_m_over_gamma_2, p.gamma_m / 1000, 1e-15);
    CHECK_REL(v.g_sqrt_n_over_gamma_2, p.g * sqrt(1470.9) / 1000, 1e-14);
    CHECK(v.g_sqrt_n_over_gamma_2 > 1); /* the operating point is not perturbative in g sqrt(n) */
}

static void test_errors(void)
{
    pm_params p = table1(0.1);
    p.gamma_m = 0;
    pm_reduced_fp fp;
    CHECK(pm_reduced_fp_solve(&p, &fp) == PM_EINVAL);
}

int main(void)
{
    test_table2();
    test_elimination();
    test_maxwell_bloch();
    test_fp_exponent();
    test_fp_moments();
    test_fp_limits();
    test_appendix_c();
    test_validity();
    test_errors();
    return TEST_RESULT();
}
