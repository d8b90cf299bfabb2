/* Correlations and spectra by the quantum regression theorem
 * (drivers/correlation.h, solvers/resolvent.h): the damped thermal
 * oscillator (g = 0) in closed form, resolvent residuals on every LU,
 * the same spectrum bit for bit on any number of threads, the window on the
 * steady state's support against the full block, error paths. */
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "phonomaser/drivers/correlation.h"
#include "phonomaser/drivers/solve.h"
#include "phonomaser/model/space.h"
#include "phonomaser/solvers/resolvent.h"
#include "testutil.h"

static pm_params params_with(const char *const *keys, const char *const *values, int n)
{
    pm_params p;
    pm_params_init(&p);
    for (int k = 0; k < n; k++) CHECK_OK(pm_params_set(&p, keys[k], values[k]));
    CHECK_OK(pm_params_derive(&p));
    return p;
}

/* (L - z) x = b on a JC sector with each LU backend. */
static void test_resolvent_residual(void)
{
    const char *keys[] = {"N", "S"}, *values[] = {"40", "0.1"};
    pm_params p = params_with(keys, values, 2);
    pm_model *model = NULL;
    REQUIRE_OK(pm_model_alloc(&p, &model));
    pm_block *block = NULL;
    REQUIRE_OK(pm_model_block(model, -1, &block));
    int64_t n = block->size;
    pm_complex *b = malloc((size_t)n * sizeof *b), *x = malloc((size_t)n * sizeof *x), *lx = malloc((size_t)n * sizeof *lx);
    REQUIRE(b && x && lx);
    for (int64_t i = 0; i < n; i++) b[i] = cos(0.3 * (double)i) + I * sin(0.7 * (double)i);
    const pm_lu_backend backends[] = {PM_LU_AUTO, PM_LU_BAND, PM_LU_KLU, PM_LU_UMFPACK};
    const pm_complex shifts[] = {0.37 * I, -5.0 * I, 1e3 * I};
    for (int k = 0; k < 4; k++) {
        pm_resolvent *r = NULL;
        REQUIRE_OK(pm_resolvent_alloc(block, backends[k], &r));
        for (int z = 0; z < 3; z++) {
            CHECK_OK(pm_resolvent_solve(r, shifts[z], b, x));
            pm_sparse_matvec(block->L, x, lx);
            double res = 0, norm = 0;
            for (int64_t i = 0; i < n; i++) {
                res = fmax(res, cabs(lx[i] - shifts[z] * x[i] - b[i]));
                norm = fmax(norm, cabs(b[i]));
            }
            CHECK(res <= 1e-10 * norm);
        }
        pm_resolvent_info info;
        pm_resolvent_get_info(r, &info);
        CHECK(info.factorizations == 3);
        CHECK(info.backend != PM_LU_AUTO);
        if (backends[k] != PM_LU_AUTO) CHECK(info.backend == backends[k]);
        pm_resolvent_free(r);
    }
    free(b), free(x), free(lx);
    pm_block_free(block);
    pm_model_free(model);
}

/* g = 0: the mode is a thermal damped oscillator, <a^dag(tau) a> = n_th
 * e^{-gamma_m tau / 2}, so S_a(omega) = n_th gamma_m / (omega^2 + gamma_m^2/4)
 * (rotating frame): FWHM gamma_m = 2 |Re lambda|, height 4 n_th / gamma_m,
 * sum rule n_th; g2(tau) = 1 + e^{-gamma_m tau} (Gaussian state); in the lab
 * <x(tau) x> = [n_th e^{i w tau} + (n_th + 1) e^{-i w tau}] e^{-gamma_m tau/2} / 2
 * and S_xx integrates to n_th + 1/2. */
static void test_thermal_oscillator(void)
{
    const char *keys[] = {"eta", "gamma_m", "n_th", "N"}, *values[] = {"0", "0.5", "2", "120"};
    pm_params p = params_with(keys, values, 4);
    const double gm = 0.5, nth = 2, w = p.omega_m;
    pm_model *model = NULL;
    REQUIRE_OK(pm_model_alloc(&p, &model));
    pm_steady_result steady;
    REQUIRE_OK(pm_steadystate(model, PM_PATH_SECTOR, NULL, &steady));
    CHECK_CLOSE(steady.obs.n_mean, nth, 1e-12);
    pm_correlation_options opts;
    pm_correlation_options_default(&opts);
    opts.tau_points = 60;
    pm_correlation_result r;
    pm_status s = pm_correlation_run(model, &steady, &opts, &r);
    CHECK_OK(s);
    if (s == PM_OK) {
        CHECK_CLOSE(creal(r.S_a.lines[0].lambda), -gm / 2, 1e-10);
        CHECK_REL(r.linewidth_fwhm, gm, 1e-8);
        CHECK_REL(r.linewidth_slowest_mode, gm, 1e-10);
        /* a maximum is located to ~sqrt(eps) of the width (S is flat there) */
        CHECK(fabs(r.line_shift) < 1e-7 * gm);
        CHECK_REL(r.S_a.peak_S, 4 * nth / gm, 1e-10);
        CHECK(r.S_a.sum_rule_error < 1e-8);
        CHECK(r.S_a.resolved);
        CHECK_CLOSE(r.S_a.c0, nth, 1e-12);
        CHECK(r.S_a.coherent == 0);
        double dev = 0;
        for (size_t k = 0; k < r.S_a.n; k++) {
            double om = r.S_a.omega[k], exact = nth * gm / (om * om + gm * gm / 4);
            if (exact > 1e-12 * r.S_a.peak_S) dev = fmax(dev, fabs(r.S_a.S[k] - exact) / exact);
        }
        CHECK(dev < 1e-8);
        CHECK(r.S_a.n >= 100 && r.S_a.n <= opts.grid.max_points);
        printf("thermal oscillator: S_a %zu points (%ld solves, dt %g), S_x %zu points, sum rules %.2e %.2e\n",
               r.S_a.n, r.S_a.solves, r.S_a.dt, r.S_x.n, r.S_a.sum_rule_error, r.S_x.sum_rule_error);
        /* the displacement spectrum: two lines at -+omega_m */
        CHECK(r.S_x.nlines == 2);
        CHECK_CLOSE(r.S_x.lines[0].centre, -w, 1e-9);
        CHECK_CLOSE(r.S_x.lines[1].centre, w, 1e-9);
        CHECK_CLOSE(r.S_x.c0, nth + 0.5, 1e-12);
        CHECK(r.S_x.sum_rule_error < 1e-6);
        CHECK_REL(r.S_x.peak_S, 0.5 * 4 * (nth + 1) / gm, 1e-6); /* the a a^dag line at -omega_m is the higher */
        CHECK_CLOSE(r.S_x.peak_omega, -w, 1e-6);
        /* time domain (CVODE at rtol 1e-8) */
        REQUIRE(r.ntau == 61 && r.tau[0] == 0);
        CHECK_CLOSE(r.tau[60], 5 / (gm / 2), 1e-9);
        double e1 = 0, e2 = 0, ex = 0;
        for (size_t k = 0; k < r.ntau; k++) {
            double t = r.tau[k], decay = exp(-gm * t / 2);
            e1 = fmax(e1, cabs(r.g1[k] - decay));
            e2 = fmax(e2, fabs(r.g2[k] - (1 + decay * decay)));
            pm_complex xx = 0.5 * (nth * cexp(I * w * t) + (nth + 1) * cexp(-I * w * t)) * decay;
            ex = fmax(ex, cabs(r.xx[k] - xx));
        }
        CHECK(e1 < 1e-6);
        CHECK(e2 < 1e-6);
        CHECK(ex < 1e-5);
        /* theory: g = 0 is below threshold, gamma_eff = gamma_m */
        CHECK(!r.above_threshold);
        CHECK_REL(r.linewidth_reduced, gm, 1e-12);
        CHECK(isnan(r.linewidth_fp));
    }
    pm_correlation_result_clear(&r);
    /* --linewidth-only: the exact Lorentzian's height and width, no grid */
    opts.linewidth_only = 1;
    opts.want_tau = 0;
    s = pm_correlation_run(model, &steady, &opts, &r);
    CHECK_OK(s);
    if (s == PM_OK) {
        CHECK(r.linewidth_only && r.S_a.n == 0 && r.S_x.n == 0);
        CHECK_REL(r.linewidth_fwhm, gm, 1e-8);
        CHECK_REL(r.S_a.peak_S, 4 * nth / gm, 1e-10);
    }
    pm_correlation_result_clear(&r);
    opts.window_tol = 1;
    CHECK(pm_correlation_run(model, &steady, &opts, &r) == PM_EINVAL);
    pm_correlation_result_clear(&r);
    pm_steady_result_clear(&steady);
    pm_model_free(model);
}

/* The adaptive grid on 1 and 3 threads: the same frequencies and the same
 * S, bit for bit (every frequency is factorised afresh on its thread). */
static void test_threads_bit_identical(void)
{
    const char *keys[] = {"N", "S", "Q"}, *values[] = {"60", "0.2", "300"};
    pm_params p = params_with(keys, values, 3);
    pm_model *model = NULL;
    REQUIRE_OK(pm_model_alloc(&p, &model));
    pm_steady_result steady;
    REQUIRE_OK(pm_steadystate(model, PM_PATH_SECTOR, NULL, &steady));
    pm_sparse *a = NULL, *adag = NULL;
    REQUIRE_OK(pm_space_operator(model->N, PM_OP_A, &a));
    REQUIRE_OK(pm_space_operator(model->N, PM_OP_ADAG, &adag));
    pm_regression reg;
    REQUIRE_OK(pm_regression_init(model, &steady, adag, a, NULL, -1, &reg));
    pm_spectrum_term term = {.reg = &reg, .scale = 1, .nhints = 1, .hints = {0}};
    pm_spectrum_curve curves[2];
    const int threads[2] = {1, 3};
    for (int k = 0; k < 2; k++) {
        pm_spectrum_grid_options opts;
        pm_spectrum_grid_options_default(&opts);
        opts.threads = threads[k];
        CHECK_OK(pm_spectrum_adaptive(1, &term, &opts, &curves[k]));
    }
    REQUIRE(curves[0].n > 100 && curves[0].n == curves[1].n);
    CHECK(curves[0].solves == curves[1].solves);
    CHECK(!memcmp(curves[0].omega, curves[1].omega, curves[0].n * sizeof(double)));
    CHECK(!memcmp(curves[0].S, curves[1].S, curves[0].n * sizeof(double)));
    CHECK(curves[0].fwhm == curves[1].fwhm && curves[0].peak_S == curves[1].peak_S);
    CHECK(curves[0].integral == curves[1].integral);
    CHECK(curves[0].sum_rule_error < 1e-8);
    /* UMFPACK (its symbolic analysis kept across frequencies) and KLU (its ordering kept):
     * also the same on any number of threads, and equal to the band LU's to rounding */
    const pm_lu_backend sparse_lus[] = {PM_LU_UMFPACK, PM_LU_KLU};
    for (int b = 0; b < 2; b++) {
        pm_spectrum_curve c[2];
        for (int k = 0; k < 2; k++) {
            pm_spectrum_grid_options opts;
            pm_spectrum_grid_options_default(&opts);
            opts.threads = threads[k];
            opts.lu = sparse_lus[b];
            CHECK_OK(pm_spectrum_adaptive(1, &term, &opts, &c[k]));
        }
        REQUIRE(c[0].n == curves[0].n && c[1].n == curves[0].n);
        CHECK(!memcmp(c[0].S, c[1].S, c[0].n * sizeof(double)));
        CHECK(c[0].fwhm == c[1].fwhm);
        double dev = 0;
        for (size_t k = 0; k < c[0].n; k++) dev = fmax(dev, fabs(c[0].S[k] - curves[0].S[k]) / curves[0].peak_S);
        CHECK(dev < 1e-12);
        CHECK_REL(c[0].fwhm, curves[0].fwhm, 1e-10);
        for (int k = 0; k < 2; k++) pm_spectrum_curve_clear(&c[k]);
    }
    /* pm_spectrum_evaluate on 2 threads: the same values again */
    double *S = malloc(curves[0].n * sizeof *S);
    REQUIRE(S);
    pm_spectrum_grid_options eval_opts;
    pm_spectrum_grid_options_default(&eval_opts);
    eval_opts.threads = 2;
    CHECK_OK(pm_spectrum_evaluate(1, &term, curves[0].n, curves[0].omega, &eval_opts, S));
    CHECK(!memcmp(S, curves[0].S, curves[0].n * sizeof(double)));
    eval_opts.threads = -1;
    CHECK(pm_spectrum_evaluate(1, &term, curves[0].n, curves[0].omega, &eval_opts, S) == PM_EINVAL);
    free(S);
    /* the line alone (no grid): the same peak and FWHM from ~30 direct solves */
    pm_spectrum_curve line;
    CHECK_OK(pm_spectrum_linewidth(&term, NULL, &line));
    printf("linewidth only: %ld solves, FWHM %.12g (grid: %.12g, %ld solves)\n", line.solves, line.fwhm,
           curves[0].fwhm, curves[0].solves);
    CHECK(line.n == 0 && line.solves < 60 && isnan(line.sum_rule_error));
    CHECK_REL(line.fwhm, curves[0].fwhm, 1e-9);
    CHECK_REL(line.peak_S, curves[0].peak_S, 1e-10);
    CHECK(line.lines[0].lambda == curves[0].lines[0].lambda);
    pm_spectrum_curve_clear(&line);
    for (int k = 0; k < 2; k++) pm_spectrum_curve_clear(&curves[k]);
    pm_regression_clear(&reg);
    pm_sparse_free(a), pm_sparse_free(adag);
    pm_steady_result_clear(&steady);
    pm_model_free(model);
}

/* The window on the steady state's support (correlation.h): a laser with
 * <n> ~ 830 at N = 2775 (the cutoff of N = auto), where the window at
 * tol = 1e-16 keeps the levels 226..1689: the windowed S_a
 * equals the full block's at every frequency of its grid, and the peak and
 * the FWHM agree. */
static void test_window_exact(void)
{
    const char *keys[] = {"N", "Q"}, *values[] = {"2775", "6e3"};
    pm_params p = params_with(keys, values, 2);
    pm_model *model = NULL;
    REQUIRE_OK(pm_model_alloc(&p, &model));
    pm_steady_result steady;
    REQUIRE_OK(pm_steadystate(model, PM_PATH_SECTOR, NULL, &steady));
    int64_t lo, hi;
    pm_fock_window(steady.obs.p_n, model->N, 1e-16, &lo, &hi);
    printf("window: <n> = %.1f, N = %lld, [%lld, %lld]\n", steady.obs.n_mean, (long long)model->N, (long long)lo,
           (long long)hi);
    REQUIRE(lo > 50 && hi < model->N - 200);
    pm_sparse *a = NULL, *adag = NULL;
    REQUIRE_OK(pm_space_operator(model->N, PM_OP_A, &a));
    REQUIRE_OK(pm_space_operator(model->N, PM_OP_ADAG, &adag));
    pm_regression full, windowed;
    REQUIRE_OK(pm_regression_init(model, &steady, adag, a, NULL, -1, &full));
    REQUIRE_OK(pm_regression_window(&full, model->N, lo, hi, &windowed));
    CHECK(windowed.block->size < full.block->size * 6 / 10);
    CHECK(windowed.c0 == full.c0);
    pm_spectrum_term term_w = {.reg = &windowed, .scale = 1, .nhints = 1, .hints = {0}};
    pm_spectrum_term term_f = {.reg = &full, .scale = 1, .nhints = 1, .hints = {0}};
    pm_spectrum_grid_options opts;
    pm_spectrum_grid_options_default(&opts);
    opts.rtol = 1e-2;
    opts.max_points = 600;
    pm_spectrum_curve cw, cf;
    REQUIRE_OK(pm_spectrum_adaptive(1, &term_w, &opts, &cw));
    REQUIRE_OK(pm_spectrum_adaptive(1, &term_f, &opts, &cf));
    double *S = malloc(cw.n * sizeof *S);
    REQUIRE(S);
    CHECK_OK(pm_spectrum_evaluate(1, &term_f, cw.n, cw.omega, &opts, S));
    double dev = 0, S_max = 0;
    for (size_t k = 0; k < cw.n; k++) S_max = fmax(S_max, S[k]);
    for (size_t k = 0; k < cw.n; k++)
        if (S[k] > 1e-12 * S_max) dev = fmax(dev, fabs(cw.S[k] - S[k]) / S[k]);
    printf("window: blocks %lld of %lld elements, %zu frequencies, max rel. difference %.2e, peak %.2e, "
           "FWHM %.2e\n", (long long)windowed.block->size, (long long)full.block->size, cw.n, dev,
           fabs(cw.peak_S - cf.peak_S) / cf.peak_S, fabs(cw.fwhm - cf.fwhm) / cf.fwhm);
    CHECK(dev < 1e-10);
    CHECK_REL(cw.peak_S, cf.peak_S, 1e-10);
    CHECK_REL(cw.fwhm, cf.fwhm, 1e-10);
    CHECK(cw.sum_rule_error < 1e-8);
    /* a wide tolerance does make a difference: the test can fail */
    pm_regression coarse;
    pm_fock_window(steady.obs.p_n, model->N, 1e-3, &lo, &hi);
    REQUIRE_OK(pm_regression_window(&full, model->N, lo, hi, &coarse));
    pm_spectrum_term term_c = {.reg = &coarse, .scale = 1, .nhints = 1, .hints = {0}};
    double S_peak_coarse;
    CHECK_OK(pm_spectrum_evaluate(1, &term_c, 1, &cf.peak_omega, &opts, &S_peak_coarse));
    CHECK(fabs(S_peak_coarse - cf.peak_S) > 1e-8 * cf.peak_S);
    /* errors: a block holding the steady state, a window outside [0, N-1] */
    pm_regression bad;
    CHECK(pm_regression_window(&full, model->N, -1, hi, &bad) == PM_EINVAL);
    CHECK(pm_regression_window(&full, model->N, lo, model->N, &bad) == PM_EINVAL);
    pm_sparse *num = NULL;
    REQUIRE_OK(pm_space_operator(model->N, PM_OP_NUM, &num));
    pm_regression g2;
    REQUIRE_OK(pm_regression_init(model, &steady, num, a, adag, 0, &g2));
    CHECK(pm_regression_window(&g2, model->N, lo, hi, &bad) == PM_EINVAL);
    pm_regression_clear(&g2);
    pm_sparse_free(num);
    free(S);
    pm_spectrum_curve_clear(&cw), pm_spectrum_curve_clear(&cf);
    pm_regression_clear(&coarse), pm_regression_clear(&windowed), pm_regression_clear(&full);
    pm_sparse_free(a), pm_sparse_free(adag);
    pm_steady_result_clear(&steady);
    pm_model_free(model);
}

int main(void)
{
    test_resolvent_residual();
    test_thermal_oscillator();
    test_threads_bit_identical();
    test_window_exact();
    return test_failures != 0;
}
