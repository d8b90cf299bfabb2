/* Model descriptions (model.h): a model type written outside the library
 * runs through the cutoff search of converge.h like the library's own.
 * The test type is the JC model plus a spin dephasing jump gamma_x D[sigma_z]
 * built in its own build function; the same physics through the registry's
 * JC model and the user term D.x = gamma_x sz must give the same cutoffs
 * and state, and both must differ from the JC model without dephasing. */
#include <math.h>
#include <string.h>

#include "phonomaser/drivers/converge.h"
#include "phonomaser/model/model.h"
#include "testutil.h"

static const double gamma_x = 7.0; /* [1/s], against gamma_2 = 1000 1/s of Table I */

static pm_status dephased_jc_build(const pm_params *params, pm_model *model)
{
    pm_status s = pm_model_type_get(PM_MODEL_JC)->build(params, model);
    return s == PM_OK ? pm_model_add_jump(model, gamma_x, PM_OP_SIGMA_Z) : s;
}

static const pm_model_type dephased_jc = {
    .name = "dephased_jc",
    .description = "JC maser with extra spin dephasing (a model type outside the library)",
    .frame = "rotating at omega_m",
    .truncates_sectors = 0,
    .lab_frame = 0,
    .rwa_model = -1,
    .build = dephased_jc_build,
    .number_balance = NULL,
};

static void test_own_type_through_converge(void)
{
    /* above threshold with a few hundred phonons (as test_converge.c) */
    pm_params p = test_params_with((const char *const[]){"eta", "S", "N"}, (const char *const[]){"0.25", "0.01", "auto"}, 3);
    pm_model_desc own = {.type = &dephased_jc, .params = p};
    pm_converge_options opts;
    pm_converge_options_default(&opts);
    pm_converge_result by_type = {0}, by_term = {0}, plain = {0};
    REQUIRE_OK(pm_converge_run(&own, &opts, &by_type));

    pm_params q = p;
    REQUIRE_OK(pm_params_set(&q, "D.x", "7 sz"));
    REQUIRE_OK(pm_params_derive(&q));
    pm_model_desc registry;
    REQUIRE_OK(pm_model_desc_init(&q, &registry));
    CHECK(registry.type == pm_model_type_get(PM_MODEL_JC));
    REQUIRE_OK(pm_converge_run(&registry, &opts, &by_term));
    REQUIRE_OK(pm_converge_run(TEST_DESC(&p), &opts, &plain));

    CHECK(by_type.converged && by_term.converged && plain.converged);
    CHECK(by_type.chosen_N == by_term.chosen_N && by_type.nsteps == by_term.nsteps);
    CHECK_REL(by_type.final.obs.n_mean, by_term.final.obs.n_mean, 1e-12);
    CHECK_REL(by_type.final.obs.g2, by_term.final.obs.g2, 1e-12);
    CHECK(by_type.final.path == PM_PATH_SECTOR); /* the library found the symmetry of the new type */
    CHECK(by_type.final.obs.hermiticity_error < 1e-12 && by_type.final.obs.min_eigenvalue > -1e-12);
    /* dephasing raises gamma_2 by 2 gamma_x: less gain, fewer phonons */
    CHECK(by_type.final.obs.n_mean < (1 - 1e-3) * plain.final.obs.n_mean);
    /* an instance of the description at a given cutoff carries the type */
    pm_model *instance = NULL;
    REQUIRE_OK(pm_model_desc_build(&own, 40, PM_K_AUTO, &instance));
    CHECK(instance->type == &dephased_jc && instance->N == 40);
    pm_model *jc = NULL;
    REQUIRE_OK(pm_model_desc_build(TEST_DESC(&p), 40, PM_K_AUTO, &jc));
    CHECK(instance->njump == jc->njump + 1);
    pm_model_free(jc);
    pm_model_free(instance);
    pm_converge_result_clear(&by_type);
    pm_converge_result_clear(&by_term);
    pm_converge_result_clear(&plain);

    pm_params bad = p;
    bad.model = PM_MODEL_COUNT;
    pm_model_desc none;
    CHECK(pm_model_desc_init(&bad, &none) == PM_EINVAL);
}

int main(void)
{
    test_own_type_through_converge();
    return TEST_RESULT();
}
