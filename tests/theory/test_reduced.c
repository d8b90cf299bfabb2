/* Reduced theory (reduced.h): each formula against the paper's Table II,
 * against values worked by hand, and against independent evaluations
 * (quadrature of the Fokker-Planck exponent, the Gaussian and half-Gaussian
 * limits of Eq. 20, Appendix C rewritten as C4/C5). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "phonomaser/theory/reduced.h"
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
    CHECK_REL(pm_reduced_n_ss(&z), 36.4159265358979, 1e-12); /* = 5 + G/gamma_m = 5 + 10 pi */
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

/* ---- beyond the rotating-wave approximation -------------------------------- */

/* Table I with model = dressed and the given keys (theta is a dressed-only key). */
static pm_params dressed_with(const char *const *keys, const char *const *values, int n)
{
    pm_params p;
    pm_params_init(&p);
    CHECK_OK(pm_params_set(&p, "model", "dressed"));
    for (int k = 0; k < n; k++) CHECK_OK(pm_params_set(&p, keys[k], values[k]));
    CHECK_OK(pm_params_derive(&p));
    return p;
}

/* Table I numbers worked by hand, and identities that any correct set of
 * rates must satisfy. */
static void test_beyond_rwa_table1(void)
{
    /* Table I, eta = 0.1: omega_m = 100 pi, g = 10 pi, gamma_m = pi/100, gamma_1 = 500,
     * gamma_2 = 1000, delta = 0, so omega_tilde + omega_m = 2 omega_m = 200 pi and
     * (omega_tilde + omega_m)^2 / gamma_2^2 = 40000 pi^2 / 1e6 = pi^2/25 = 0.394784.
     * L(0) = 1/gamma_2 = 1e-3, L(200 pi) = 1e-3 / (1 + pi^2/25) = 7.16957e-4, so
     * G = g^2 L(0) = pi^2/10 = 0.986960 and G_cr = 0.986960 / 1.394784 = 0.707608 1/s.
     * S_th = gamma_m / (2 (G - G_cr)) = 0.0314159 / (2 x 0.279352) = 0.0562300;
     * in closed form L(0) - L(x) = L(0) x^2/(gamma_2^2 + x^2), so
     * S_th = S_th(RWA) (1 + gamma_2^2/(omega_tilde + omega_m)^2) = (1 + 25/pi^2) / (20 pi)
     * against S_th(RWA) = 1/(20 pi) = 0.0159155: 3.53 times the RWA threshold
     * (the notes' 0.056 confirmed). */
    pm_params p = table1(0.1);
    double G = M_PI * M_PI / 10, G_cr = G / (1 + M_PI * M_PI / 25);
    CHECK_REL(pm_reduced_beyond_rwa_G_counter(&p), G_cr, 1e-13);
    CHECK_REL(pm_reduced_beyond_rwa_G_counter(&p), 0.707608, 1e-6);
    CHECK_REL(pm_reduced_beyond_rwa_S_th(&p), (1 + 25 / (M_PI * M_PI)) / (20 * M_PI), 1e-13);
    CHECK_REL(pm_reduced_beyond_rwa_S_th(&p), 0.0562300, 1e-5);
    CHECK_REL(pm_reduced_S_th(&p), 1 / (20 * M_PI), 1e-13);
    /* the other Table II couplings: S_th ~ 1/eta^2 in both theories, same factor 3.533 */
    const double eta[2] = {0.05, 0.25};
    for (int k = 0; k < 2; k++) {
        pm_params q = table1(eta[k]);
        CHECK_REL(pm_reduced_beyond_rwa_S_th(&q) / pm_reduced_S_th(&q), 1 + 25 / (M_PI * M_PI), 1e-13);
    }

    /* theta = pi/2 (the default; the only value for model = jc): no longitudinal coupling */
    CHECK(pm_reduced_beyond_rwa_gamma_z(&p) == 0.0);
    /* S = 0.2: Gamma_- = 2 (G p_down + G_cr p_up), Gamma_+ = 2 (G p_up + G_cr p_down) */
    CHECK_REL(pm_reduced_beyond_rwa_gamma_minus(&p), 2 * (G * 0.4 + G_cr * 0.6), 1e-13);
    CHECK_REL(pm_reduced_beyond_rwa_gamma_plus(&p), 2 * (G * 0.6 + G_cr * 0.4), 1e-13);
    /* the counter-rotating term moves the gain from -2 G S to -2 (G - G_cr) S */
    CHECK_REL(pm_reduced_beyond_rwa_gamma_eff(&p), p.gamma_m - 0.4 * (G - G_cr), 1e-13);

    /* theta = 1: g0 cos(theta) = g cot(1) = 20.1719 rad/s, (g cot 1)^2 = 406.906;
     * Gamma_z = 2 x 406.906 x (1 - 0.04) x 500 / (500^2 + (100 pi)^2)
     *         = 781.259 x 500 / 348696.04 = 781.259 x 1.43391e-3 = 1.12026 1/s, comparable to Gamma_-+ */
    const char *k1[] = {"theta"}, *v1[] = {"1"};
    pm_params d = dressed_with(k1, v1, 1);
    double cot1 = cos(1.0) / sin(1.0), gz2 = 100 * M_PI * M_PI * cot1 * cot1;
    CHECK_REL(pm_reduced_beyond_rwa_gamma_z(&d), 2 * gz2 * 0.96 * 500 / (250000 + 10000 * M_PI * M_PI), 1e-13);
    CHECK_REL(pm_reduced_beyond_rwa_gamma_z(&d), 1.12026, 1e-5);
    /* longitudinal noise vanishes for a pinned spin (S = +-1: no sigma_z fluctuations)
     * and scales as cot^2(theta) at fixed g */
    pm_params pinned = d;
    pinned.S = 1;
    CHECK_CLOSE(pm_reduced_beyond_rwa_gamma_z(&pinned), 0.0, 0);
    pinned.S = -1;
    CHECK_CLOSE(pm_reduced_beyond_rwa_gamma_z(&pinned), 0.0, 0);
    pm_params d2 = d;
    d2.theta = 0.5;
    double cot05 = cos(0.5) / sin(0.5);
    CHECK_REL(pm_reduced_beyond_rwa_gamma_z(&d2) / pm_reduced_beyond_rwa_gamma_z(&d), cot05 * cot05 / (cot1 * cot1),
              1e-13);

    /* identities over theta and S:
     *   Gamma_- - Gamma_+ = -2 S (G - G_cr) does not depend on theta (Gamma_z heats both ways),
     *   Gamma_- + Gamma_+ - 2 Gamma_z = 2 (G + G_cr) does not depend on S,
     *   S -> -S exchanges Gamma_- and Gamma_+,
     *   gamma_eff(S_th) = 0 (the closed-form S_th is the root of the rate definition) */
    const double thetas[4] = {M_PI / 2, 1.2, 0.7, 0.2};
    const double inversions[4] = {-0.8, 0.0, 0.2, 0.9};
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) {
            pm_params q = d;
            q.theta = thetas[i], q.S = inversions[j];
            double minus = pm_reduced_beyond_rwa_gamma_minus(&q), plus = pm_reduced_beyond_rwa_gamma_plus(&q);
            double gz = pm_reduced_beyond_rwa_gamma_z(&q);
            /* absolute tolerance: Gamma_z reaches ~50 1/s at theta = 0.2 */
            CHECK_CLOSE(minus - plus, -2 * q.S * (G - G_cr), 1e-12);
            CHECK_REL(minus + plus - 2 * gz, 2 * (G + G_cr), 1e-12);
            pm_params r = q;
            r.S = -q.S;
            CHECK_REL(pm_reduced_beyond_rwa_gamma_minus(&r), plus, 1e-14);
            CHECK_REL(pm_reduced_beyond_rwa_gamma_plus(&r), minus, 1e-14);
            CHECK(gz >= 0 && minus > 0 && plus > 0);
            r = q;
            r.S = pm_reduced_beyond_rwa_S_th(&q);
            CHECK_CLOSE(pm_reduced_beyond_rwa_gamma_eff(&r), 0.0, 1e-12);
            CHECK_REL(pm_reduced_beyond_rwa_S_th(&q), pm_reduced_beyond_rwa_S_th(&p), 1e-14);
        }

    /* n_ss below threshold.  S = 0, theta = pi/2: Gamma_+ = G + G_cr, gamma_eff = gamma_m,
     * n_ss = 5 + (G + G_cr)/gamma_m = 5 + 10 pi (1 + 1/(1 + pi^2/25)) = 5 + 31.4159 x 1.716957
     *      = 58.9398 (RWA: 36.4159) */
    pm_params z = p;
    z.S = 0;
    CHECK_REL(pm_reduced_beyond_rwa_n_ss(&z), 5 + 10 * M_PI * (1 + 1 / (1 + M_PI * M_PI / 25)), 1e-13);
    CHECK_REL(pm_reduced_beyond_rwa_n_ss(&z), 58.9398, 1e-5);
    /* S = 0.03 lies between the two thresholds: above the RWA one (n_ss = inf), below the
     * beyond-RWA one (finite, positive, larger than the bath's n_th) */
    pm_params between = d;
    between.S = 0.03;
    CHECK(isinf(pm_reduced_n_ss(&between)));
    double n_between = pm_reduced_beyond_rwa_n_ss(&between);
    CHECK(isfinite(n_between) && n_between > 5);
    /* at the operating point S = 0.2 both are above threshold */
    CHECK(isinf(pm_reduced_beyond_rwa_n_ss(&p)));
    /* deep below threshold the spin cools the mode: n_ss < n_th, > 0 */
    pm_params cold = d;
    cold.S = -0.9;
    double n_cold = pm_reduced_beyond_rwa_n_ss(&cold);
    CHECK(n_cold > 0 && n_cold < 5);
    /* no coupling: the bath's n_th, no threshold */
    const char *k0[] = {"eta", "theta"}, *v0[] = {"0", "0.5"};
    pm_params u = dressed_with(k0, v0, 2);
    CHECK(isinf(pm_reduced_beyond_rwa_S_th(&u)));
    CHECK_REL(pm_reduced_beyond_rwa_n_ss(&u), 5.0, 1e-14);
    /* omega_tilde < 0 (delta < -omega_m): the counter-rotating line is the nearer one,
     * no positive S gives gain */
    pm_params neg = p;
    neg.delta = -1.5 * p.omega_m;
    CHECK(isinf(pm_reduced_beyond_rwa_S_th(&neg)));
    CHECK(pm_reduced_beyond_rwa_gamma_eff(&neg) > p.gamma_m);
}

/* The RWA rates (Eqs. 11-14, B92) are the limit of the beyond-RWA ones where
 * the counter-rotating line and the longitudinal noise become negligible:
 * (a) gamma_2 -> 0 at delta = 0, theta = pi/2: G_cr/G = gamma_2^2/(gamma_2^2 + 4 omega_m^2);
 * (b) omega_m -> infinity with g, gamma_1, gamma_2, gamma_m, delta and theta = 1 fixed:
 *     G_cr/G ~ gamma_2^2/(4 omega_m^2), Gamma_z/G ~ cot^2(theta) gamma_1 gamma_2/omega_m^2.
 * Both deviations must vanish as the square of the small ratio. */
static void test_beyond_rwa_limits(void)
{
    const char *ka[] = {"gamma_1", "gamma_2", "S"};
    const char *gamma_2[3] = {"100", "10", "1"};
    double prev = 0;
    for (int k = 0; k < 3; k++) {
        const char *va[] = {gamma_2[k], gamma_2[k], "-0.3"};
        pm_params p = test_params_with(ka, va, 3);
        double small = p.gamma_2 / (2 * p.omega_m), bound = 2 * small * small;
        double dev_minus = pm_reduced_beyond_rwa_gamma_minus(&p) / pm_reduced_gamma_minus(&p) - 1;
        double dev_plus = pm_reduced_beyond_rwa_gamma_plus(&p) / pm_reduced_gamma_plus(&p) - 1;
        double dev_n = pm_reduced_beyond_rwa_n_ss(&p) / pm_reduced_n_ss(&p) - 1;
        double dev_S = pm_reduced_beyond_rwa_S_th(&p) / pm_reduced_S_th(&p) - 1;
        CHECK(dev_minus > 0 && dev_minus < bound);
        CHECK(dev_plus > 0 && dev_plus < bound);
        /* n_ss ~ 2 (G p_up + G_cr p_down) / (2 (G - G_cr)(p_down - p_up)) once G >> gamma_m:
         * dev_n -> (1 + p_down/p_up) G_cr/G = 2.86 small^2 */
        CHECK(dev_n > 0 && dev_n < 3 * small * small);
        CHECK(dev_S > 0 && dev_S < bound);
        CHECK_REL(dev_S, small * small, 1e-10); /* S_th(RWA) (1 + gamma_2^2/(2 omega_m)^2) */
        /* p_down/p_up = 13/7 at S = -0.3: dev_plus = (13/7) G_cr/G */
        CHECK_REL(dev_plus, (13.0 / 7) * small * small / (1 + small * small), 1e-10);
        if (k > 0) CHECK_REL(dev_plus / prev, 0.01, 0.03); /* quadratic in gamma_2 */
        prev = dev_plus;
    }

    const char *kb[] = {"theta", "omega_m", "g", "gamma_m", "S"};
    const char *omega_m[3] = {"1e4", "1e5", "1e6"};
    for (int k = 0; k < 3; k++) {
        const char *vb[] = {"1", omega_m[k], "31.41592653589793", "0.031415926535897934", "-0.3"};
        pm_params p = dressed_with(kb, vb, 5);
        double small = 1000.0 / p.omega_m; /* gamma_2 / omega_m */
        /* G_cr/G -> small^2/4, Gamma_z/G -> 2 cot^2(1) (1 - S^2) (gamma_1/gamma_2) small^2 / 2 = 0.375 small^2;
         * dev_plus -> (2 x 0.65 x 0.25 + 0.375)/(2 x 0.35) small^2 = 1.0 small^2 */
        double bound = 2 * small * small;
        double dev_minus = pm_reduced_beyond_rwa_gamma_minus(&p) / pm_reduced_gamma_minus(&p) - 1;
        double dev_plus = pm_reduced_beyond_rwa_gamma_plus(&p) / pm_reduced_gamma_plus(&p) - 1;
        double dev_n = pm_reduced_beyond_rwa_n_ss(&p) / pm_reduced_n_ss(&p) - 1;
        double dev_S = pm_reduced_beyond_rwa_S_th(&p) / pm_reduced_S_th(&p) - 1;
        CHECK(dev_minus > 0 && dev_minus < bound);
        CHECK(dev_plus > 0 && dev_plus < bound);
        CHECK(dev_n > 0 && dev_n < bound);
        CHECK(dev_S > 0 && dev_S < bound);
        CHECK(pm_reduced_beyond_rwa_gamma_z(&p) > 0); /* the limit is not theta = pi/2 */
        if (k > 0) CHECK_REL(dev_plus / prev, 0.01, 0.03);
        prev = dev_plus;
    }
}

/* Against the exact steady state of the dressed model of Eq. (5), solved with
 * QuTiP (data/qutip_reference_beyond_rwa.txt, written by
 * tools/make_beyond_rwa_reference.py) where the elimination is controlled:
 * eta = 0.02 (g/gamma_2 = 6e-3), below threshold, several S, theta, delta.
 * n_ss beyond the RWA must be within 1 %; the RWA formula (B92) is off by more
 * than 10 % at every point (the counter-rotating line and, for theta < pi/2,
 * the longitudinal heating are not small corrections at omega_m = 314 rad/s). */
static void test_beyond_rwa_exact(void)
{
    const char *name = PM_DATA_DIR "/qutip_reference_beyond_rwa.txt";
    FILE *f = fopen(name, "r");
    CHECK(f != NULL);
    if (!f) return;
    char line[512];
    int points = 0;
    while (fgets(line, sizeof line, f)) {
        double eta, S, theta, delta, n_exact, truncation;
        long N;
        if (line[0] == '#') continue;
        if (sscanf(line, "point %lf %lf %lf %lf %ld %lf %lf", &eta, &S, &theta, &delta, &N, &n_exact,
                   &truncation) != 7) {
            fprintf(stderr, "%s: unreadable line: %s", name, line);
            CHECK(0);
            continue;
        }
        points++;
        CHECK(truncation < 1e-3 * n_exact); /* converged in N, far below the 1 % tested */
        char text[4][32];
        snprintf(text[0], sizeof text[0], "%.17g", eta);
        snprintf(text[1], sizeof text[1], "%.17g", S);
        snprintf(text[2], sizeof text[2], "%.17g", theta);
        snprintf(text[3], sizeof text[3], "%.17g", delta);
        const char *keys[] = {"eta", "S", "theta", "delta"};
        const char *values[] = {text[0], text[1], text[2], text[3]};
        pm_params p = dressed_with(keys, values, 4);
        double n_beyond = pm_reduced_beyond_rwa_n_ss(&p), n_rwa = pm_reduced_n_ss(&p);
        CHECK_REL(n_beyond, n_exact, 0.01);
        CHECK(!(fabs(n_rwa / n_exact - 1) < 0.1));
    }
    fclose(f);
    CHECK(points == 5);
}

/* Bloch-Siegert shift against exact eigenvalues.  H_0 + V_cr + V_z (the Hamiltonian
 * of Eq. 5 without its JC part, which would mix |n, up> and |n+1, down> resonantly
 * and hide the shift of the bare transition) is diagonalised with LAPACK dsyev on
 * n = 0..39; the eigenvectors with the largest overlap with |n, up> and |n, down>
 * give the exact transition at n, to be compared with omega_tilde + omega_BS(n).
 * delta = 100 rad/s keeps E(n, up) - E(m, down) = (n - m) omega_m + omega_tilde away
 * from 0.  Corrections are fourth order: relative g^2 (n+1)/Sigma^2 from V_cr alone
 * (bounded by the expansion of the exact 2x2 blocks of H_0 + V_cr), and from the
 * V_z^2 V_cr^2 terms (the polaron dressing of the transverse coupling by the
 * longitudinal one) about g_z^2 (2n+1)/omega_m^2 as measured here (4e-3 at theta = 0.3, n = 5). */
extern void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
                   double *work, const int *lwork, int *info);

static void test_bloch_siegert(void)
{
    enum { LEVELS = 40, DIM = 2 * LEVELS };
    const double thetas[2] = {M_PI / 2, 0.3};
    for (int t = 0; t < 2; t++) {
        char theta_text[32];
        snprintf(theta_text, sizeof theta_text, "%.17g", thetas[t]);
        const char *keys[] = {"g", "delta", "theta"}, *values[] = {"2", "100", theta_text};
        pm_params p = dressed_with(keys, values, 3);
        double wt = p.omega_m + p.delta, Sigma = wt + p.omega_m;
        CHECK_REL(pm_reduced_beyond_rwa_omega_sum(&p), 2 * 100 * M_PI + 100, 1e-15);
        double g0 = p.g / sin(p.theta), g_z = g0 * cos(p.theta), g_x = g0 * sin(p.theta);
        /* index 2 n + s, s = 0 up (sigma_z = +1), 1 down; column-major, symmetric */
        static double h[DIM * DIM];
        for (int i = 0; i < DIM * DIM; i++) h[i] = 0;
#define H(i, j) h[(size_t)(j) * DIM + (i)]
        for (int n = 0; n < LEVELS; n++) {
            H(2 * n, 2 * n) = n * p.omega_m + wt / 2;
            H(2 * n + 1, 2 * n + 1) = n * p.omega_m - wt / 2;
            if (n + 1 < LEVELS) {
                double s = sqrt(n + 1.0);
                /* V_z: g_z (a + a^dag) sigma_z */
                H(2 * n, 2 * (n + 1)) = H(2 * (n + 1), 2 * n) = g_z * s;
                H(2 * n + 1, 2 * (n + 1) + 1) = H(2 * (n + 1) + 1, 2 * n + 1) = -g_z * s;
                /* V_cr: g (a^dag sigma_+ + a sigma_-): |n, down> <-> |n+1, up> */
                H(2 * (n + 1), 2 * n + 1) = H(2 * n + 1, 2 * (n + 1)) = g_x * s;
            }
        }
#undef H
        double w[DIM], work_query;
        int dim = DIM, lwork = -1, info = 0;
        dsyev_("V", "L", &dim, h, &dim, w, &work_query, &lwork, &info);
        CHECK(info == 0);
        lwork = (int)work_query;
        double *work = malloc(sizeof(double) * (size_t)lwork);
        dsyev_("V", "L", &dim, h, &dim, w, work, &lwork, &info);
        free(work);
        CHECK(info == 0);
        if (info != 0) return;
        const int ns[3] = {0, 5, 10};
        for (int k = 0; k < 3; k++) {
            int n = ns[k];
            double energy[2];
            for (int s = 0; s < 2; s++) {
                int best = 0;
                double best_overlap = 0;
                for (int e = 0; e < DIM; e++) {
                    double c = fabs(h[(size_t)e * DIM + 2 * n + s]);
                    if (c > best_overlap) best_overlap = c, best = e;
                }
                CHECK(best_overlap > 0.99); /* perturbative: the bare state is recognisable */
                energy[s] = w[best];
            }
            double exact_shift = energy[0] - energy[1] - wt;
            double predicted = pm_reduced_beyond_rwa_bloch_siegert(&p, n);
            CHECK_REL(predicted, p.g * p.g * (2 * n + 1) / Sigma, 1e-14);
            double tol = 2 * p.g * p.g * (n + 1) / (Sigma * Sigma) +
                         2 * g_z * g_z * (2 * n + 1) / (p.omega_m * p.omega_m);
            CHECK_REL(exact_shift, predicted, tol);
        }
    }
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

/* D_W <1/r^2> against mpmath quadrature at 30 digits
 * (tools/make_fp_linewidth_reference.py): the first point had a quadrature
 * error of 2e-3 with the uniform Simpson grid (issue 12.18). */
static void test_fp_linewidth_reference(void)
{
    const char *keys[] = {"eta", "S", "delta"};
    const struct { const char *values[3]; double linewidth; } ref[] = {
        {{"0.25", "0.05", "-300"}, 0.00421843938760015},
        {{"0.1", "0.2", "0"}, 0.000198368491349504},
        {{"0.05", "0.2", "0"}, 9.72432233772048e-5},
        {{"0.25", "0.2", "500"}, 0.00081681125365478},
    };
    for (size_t k = 0; k < sizeof ref / sizeof ref[0]; k++) {
        pm_params p = test_params_with(keys, ref[k].values, 3);
        pm_reduced_fp fp;
        CHECK_OK(pm_reduced_fp_solve(&p, &fp));
        CHECK_REL(pm_reduced_linewidth_fp(&p, &fp), ref[k].linewidth, 1e-9);
    }
}

int main(void)
{
    test_table2();
    test_elimination();
    test_beyond_rwa_table1();
    test_beyond_rwa_limits();
    test_beyond_rwa_exact();
    test_bloch_siegert();
    test_maxwell_bloch();
    test_fp_exponent();
    test_fp_moments();
    test_fp_linewidth_reference();
    test_fp_limits();
    test_appendix_c();
    test_validity();
    test_errors();
    return TEST_RESULT();
}
