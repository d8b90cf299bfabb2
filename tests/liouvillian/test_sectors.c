/* The sector path against the full Liouvillian: steady state element by
 * element, and evolutions from a thermal state (k = 0 only) and from a
 * coherent state (k = 0..K, k < 0 by Hermiticity), to 1e-10. */
#include <stdlib.h>
#include <string.h>

#include "phonomaser/drivers/solve.h"
#include "phonomaser/model/space.h"
#include "testutil.h"

static pm_model *make_model(void)
{
    pm_params p;
    pm_params_init(&p);
    p.N = 16;
    CHECK_OK(pm_params_set(&p, "g", "150"));
    CHECK_OK(pm_params_set(&p, "S", "0.5"));
    CHECK_OK(pm_params_set(&p, "Q", "30"));
    CHECK_OK(pm_params_set(&p, "n_th", "0.4"));
    CHECK_OK(pm_params_set(&p, "delta", "120"));
    CHECK_OK(pm_params_derive(&p));
    pm_model *model = NULL;
    CHECK_OK(pm_model_jc_alloc(&p, &model));
    return model;
}

/* rho_ij of a sector-path state holding only k >= 0: complete by Hermiticity */
static double complex sector_element(const pm_state *s, const pm_model *m, int64_t i, int64_t j)
{
    if (m->charge[i] >= m->charge[j]) return pm_state_element(s, i, j);
    return conj(pm_state_element(s, j, i));
}

static void test_steady(void)
{
    pm_model *model = make_model();
    pm_steady_options so;
    pm_steady_options_default(&so);
    pm_steady_result full, sector;
    CHECK_OK(pm_steadystate(model, PM_PATH_FULL, &so, &full));
    CHECK_OK(pm_steadystate(model, PM_PATH_SECTOR, &so, &sector));
    CHECK(sector.block->sector == 0 && full.block->sector == PM_SECTOR_FULL);
    double worst = 0;
    for (int64_t i = 0; i < model->dim; i++)
        for (int64_t j = 0; j < model->dim; j++)
            worst = fmax(worst, cabs(pm_state_element(full.state, i, j) - pm_state_element(sector.state, i, j)));
    CHECK(worst < 1e-10);
    CHECK_REL(sector.obs.n_mean, full.obs.n_mean, 1e-10);
    CHECK_REL(sector.obs.n2_mean, full.obs.n2_mean, 1e-10);
    CHECK_CLOSE(sector.obs.sz_mean, full.obs.sz_mean, 1e-10);
    CHECK_CLOSE(sector.obs.min_eigenvalue, full.obs.min_eigenvalue, 1e-10);
    pm_steady_result_clear(&full);
    pm_steady_result_clear(&sector);
    pm_model_free(model);
}

static void test_evolution(pm_initial_kind kind)
{
    pm_model *model = make_model();
    pm_params p;
    pm_params_init(&p);
    CHECK_OK(pm_params_derive(&p));
    pm_initial init;
    pm_initial_default(&p, kind, &init);
    init.alpha = 1.2 - 0.7 * I;
    double times[4] = {0, 0.002, 0.01, 0.03};
    pm_mesolve_options mo;
    pm_mesolve_options_default(&mo);
    mo.evolve.rtol = 1e-11;
    mo.evolve.atol = 1e-14;
    mo.keep_final_state = 1;
    pm_mesolve_result full, sector;
    mo.path = PM_PATH_FULL;
    CHECK_OK(pm_mesolve(model, &init, 4, times, &mo, &full));
    mo.path = PM_PATH_SECTOR;
    CHECK_OK(pm_mesolve(model, &init, 4, times, &mo, &sector));
    if (kind == PM_INITIAL_COHERENT) CHECK(sector.nblocks > 2);
    else CHECK(sector.nblocks == 1);
    for (size_t k = 0; k < 4; k++) {
        CHECK_REL(sector.series.n_mean[k], full.series.n_mean[k], 1e-9);
        CHECK_CLOSE(sector.series.sz_mean[k], full.series.sz_mean[k], 1e-10);
        CHECK(cabs(sector.series.a_mean[k] - full.series.a_mean[k]) < 1e-9);
        CHECK_CLOSE(sector.series.trace[k], full.series.trace[k], 1e-10);
    }
    if (kind == PM_INITIAL_COHERENT) CHECK(cabs(full.series.a_mean[3]) > 1e-3); /* coherence survives */
    double worst = 0;
    for (int64_t i = 0; i < model->dim; i++)
        for (int64_t j = 0; j < model->dim; j++)
            worst = fmax(worst, cabs(pm_state_element(full.final_state, i, j) -
                                     sector_element(sector.final_state, model, i, j)));
    CHECK(worst < 1e-10);
    pm_mesolve_result_clear(&full);
    pm_mesolve_result_clear(&sector);
    pm_model_free(model);
}

int main(void)
{
    test_steady();
    test_evolution(PM_INITIAL_THERMAL);
    test_evolution(PM_INITIAL_COHERENT);
    return TEST_RESULT();
}
