/* Physics limits and agreement between independent methods:
 *  - thermal oscillator alone (g = 0): steady state P(n) geometric with mean
 *    n_th, and <n>(t) = n_th (1 - e^{-gamma_m t}) from the vacuum;
 *  - driven-dissipative spin alone: p_up = gamma_up / gamma_1, and the
 *    coherence rho_{up,down} decays as e^{-(gamma_2 + i delta) t};
 *  - ARPACK, direct LU and long-time CVODE give the same JC steady state,
 *    on the full Liouvillian and on the k = 0 sector. */
#include <stdlib.h>
#include <string.h>

#include "phonomaser/solvers/evolve.h"
#include "phonomaser/model/model.h"
#include "phonomaser/drivers/solve.h"
#include "phonomaser/model/space.h"
#include "phonomaser/solvers/steady.h"
#include "testutil.h"

/* Parameters at cutoff N with the given "key", "value", ... settings
 * (NULL-terminated) over the Table I defaults, derived; and their model. */
static pm_model *model_with(long N, pm_params *p, const char *const *settings)
{
    pm_params_init(p);
    p->N = N;
    for (size_t k = 0; settings[k]; k += 2) CHECK_OK(pm_params_set(p, settings[k], settings[k + 1]));
    CHECK_OK(pm_params_derive(p));
    pm_model *model = NULL;
    CHECK_OK(pm_model_jc_alloc(p, &model));
    return model;
}

static void test_thermal_oscillator(void)
{
    pm_params p;
    pm_model *model = model_with(60, &p, (const char *const[]){"eta", "0", "n_th", "0.7", "Q", "100", NULL});
    pm_steady_options so;
    pm_steady_options_default(&so);
    pm_steady_result r;
    CHECK_OK(pm_steadystate(model, PM_PATH_SECTOR, &so, &r));
    double nth = p.n_th;
    CHECK_CLOSE(r.obs.n_mean, nth, 1e-10);
    for (int n = 0; n < 30; n++) CHECK_REL(r.obs.p_n[n], pow(nth, n) / pow(nth + 1, n + 1), 1e-9);
    CHECK_CLOSE(r.obs.g2, 2.0, 1e-9); /* thermal bunching */
    CHECK_CLOSE(creal(r.obs.rho_spin[0][0]), p.gamma_up / p.gamma_1, 1e-12); /* uncoupled spin */
    pm_steady_result_clear(&r);

    /* relaxation from the vacuum: <n>(t) = n_th (1 - exp(-gamma_m t)) */
    pm_initial init;
    pm_initial_default(&p, PM_INITIAL_VACUUM, &init);
    double times[6] = {0, 0.01, 0.02, 0.05, 0.1, 0.2};
    pm_mesolve_options mo;
    pm_mesolve_options_default(&mo);
    mo.evolve.rtol = 1e-10;
    mo.evolve.atol = 1e-13;
    pm_mesolve_result m;
    REQUIRE_OK(pm_mesolve(model, &init, 6, times, &mo, &m));
    REQUIRE(m.series.ntimes == 6); /* times[k] below */
    for (size_t k = 0; k < m.series.ntimes; k++) {
        CHECK_CLOSE(m.series.n_mean[k], nth * (1 - exp(-p.gamma_m * times[k])), 1e-8);
        CHECK_CLOSE(m.series.trace[k], 1.0, 1e-10);
    }
    pm_mesolve_result_clear(&m);
    pm_model_free(model);
}

/* records the spin coherence Tr_fock rho_{up,down} = sum_n rho_{(up,n),(down,n)} */
typedef struct {
    const pm_block *block;
    int64_t N;
    double complex *out;
} capture;

static int record_coherence(void *context, size_t index, double t, const double complex *x)
{
    (void)t;
    capture *cap = context;
    cap->out[index] = 0;
    for (int64_t n = 0; n < cap->N; n++) {
        int64_t p = pm_block_find(cap->block, pm_space_index(cap->N, PM_SPIN_UP, n),
                                  pm_space_index(cap->N, PM_SPIN_DOWN, n));
        if (p >= 0) cap->out[index] += x[p];
    }
    return 0;
}

static void test_spin_alone(void)
{
    pm_params p;
    pm_model *model = model_with(3, &p, (const char *const[]){"eta", "0", "S", "0.3", "delta", "250", NULL});
    /* start from |0><0| (x) (spin coherence 1/2 only): the mode heats
     * towards n_th, but the spin coherence, traced over the mode, decays as
     * exp(-(gamma_2 + i delta) t) whatever the mode does.  The element
     * |0,up><0,down| has k = e(up,0) - e(down,0) = 1. */
    pm_block *sector = NULL;
    CHECK_OK(pm_model_block(model, 1, &sector));
    int64_t up0 = pm_space_index(model->N, PM_SPIN_UP, 0), down0 = pm_space_index(model->N, PM_SPIN_DOWN, 0);
    int64_t q = pm_block_find(sector, up0, down0);
    CHECK(q >= 0);
    double complex *x = calloc((size_t)sector->size, sizeof *x);
    x[q] = 0.5;
    double times[5] = {0, 1e-4, 5e-4, 1e-3, 3e-3};
    pm_evolve_options eo;
    pm_evolve_options_default(&eo);
    eo.rtol = 1e-11;
    eo.atol = 1e-14;
    double complex got[5];
    capture cap = {sector, model->N, got};
    pm_evolve_info info;
    CHECK_OK(pm_evolve(sector, x, 5, times, &eo, record_coherence, &cap, &info));
    for (int k = 0; k < 5; k++) {
        double complex want = 0.5 * cexp(-(p.gamma_2 + I * p.delta) * times[k]);
        CHECK(cabs(got[k] - want) <= 1e-8);
    }
    free(x);
    pm_block_free(sector);
    pm_model_free(model);
}

static void test_three_methods_agree(pm_path path)
{
    pm_params p;
    pm_model *model = model_with(18, &p, (const char *const[]){"g", "200", "gamma_1", "300", "gamma_2", "400", "S", "0.4", "Q", "20", "n_th", "0.3", "delta", "-80", NULL});
    pm_steady_options so;
    pm_steady_options_default(&so);
    pm_steady_result direct, arpack;
    CHECK_OK(pm_steadystate(model, path, &so, &direct));
    so.method = PM_STEADY_ARPACK;
    CHECK_OK(pm_steadystate(model, path, &so, &arpack));
    CHECK(direct.info.residual < 1e-9);
    CHECK(arpack.info.residual < 1e-9);
    double worst = 0;
    for (int64_t e = 0; e < direct.block->size; e++)
        worst = fmax(worst, cabs(direct.state->x[0][e] - arpack.state->x[0][e]));
    CHECK(worst < 1e-10);
    CHECK_REL(arpack.obs.n_mean, direct.obs.n_mean, 1e-9);
    CHECK(direct.obs.min_eigenvalue > -1e-12);
    CHECK(direct.obs.hermiticity_error < 1e-12);

    /* long-time evolution from the thermal state reaches the same state:
     * the slowest rate is ~gamma_m = omega_m / Q ~ 16 1/s, so t = 4 s is
     * 60 e-foldings */
    pm_initial init;
    pm_initial_default(&p, PM_INITIAL_THERMAL, &init);
    double times[2] = {0, 4.0};
    pm_mesolve_options mo;
    pm_mesolve_options_default(&mo);
    mo.path = path;
    mo.evolve.rtol = 1e-10;
    mo.evolve.atol = 1e-14;
    pm_mesolve_result m;
    CHECK_OK(pm_mesolve(model, &init, 2, times, &mo, &m));
    CHECK_REL(m.series.n_mean[1], direct.obs.n_mean, 1e-7);
    CHECK_CLOSE(m.series.sz_mean[1], direct.obs.sz_mean, 1e-7);
    CHECK_REL(m.series.n2_mean[1], direct.obs.n2_mean, 1e-7);
    pm_mesolve_result_clear(&m);
    pm_steady_result_clear(&direct);
    pm_steady_result_clear(&arpack);
    pm_model_free(model);
}

/* A resonantly driven damped oscillator (g = 0, drive F): the steady state
 * is a displaced thermal state, <a> = -2 i F / gamma_m and
 * <n> = |<a>|^2 + n_th.  The drive breaks the excitation-number symmetry,
 * so path = auto falls back to the full Liouvillian (with a note) and
 * path = sector is refused. */
static void test_driven_oscillator(void)
{
    pm_params p;
    pm_model *model = model_with(40, &p, (const char *const[]){"eta", "0", "Q", "100", "n_th", "0.2", "drive", "2.0", NULL});
    pm_steady_options so;
    pm_steady_options_default(&so);
    pm_steady_result r;
    CHECK(pm_steadystate(model, PM_PATH_SECTOR, &so, &r) == PM_ESYMMETRY);
    CHECK(strstr(pm_error_message(), "path = auto or full") != NULL);
    CHECK_OK(pm_steadystate(model, PM_PATH_AUTO, &so, &r));
    CHECK(r.path == PM_PATH_FULL && strstr(r.path_note, "full Liouvillian") != NULL);
    double complex alpha = -2.0 * I * p.drive / p.gamma_m;
    CHECK(cabs(r.obs.a_mean - alpha) < 1e-9 * cabs(alpha));
    CHECK_REL(r.obs.n_mean, creal(alpha * conj(alpha)) + p.n_th, 1e-9);
    pm_steady_result_clear(&r);
    pm_model_free(model);
}

int main(void)
{
    test_driven_oscillator();
    test_thermal_oscillator();
    test_spin_alone();
    test_three_methods_agree(PM_PATH_FULL);
    test_three_methods_agree(PM_PATH_SECTOR);
    return TEST_RESULT();
}
