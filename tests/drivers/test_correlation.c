/* Correlations and spectra by the quantum regression theorem
 * (drivers/correlation.h, solvers/resolvent.h): the damped thermal
 * oscillator (g = 0) in closed form, resolvent residuals on every LU,
 * error paths. */
#include <complex.h>
#include <math.h>
#include <stdlib.h>

#include "phonomaser/drivers/correlation.h"
#include "phonomaser/drivers/solve.h"
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
    pm_steady_result_clear(&steady);
    pm_model_free(model);
}

int main(void)
{
    test_resolvent_residual();
    test_thermal_oscillator();
    return test_failures != 0;
}
