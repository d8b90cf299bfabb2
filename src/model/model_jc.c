/* The driven-dissipative Jaynes-Cummings maser (paper Eqs. 6-9), the first
 * model type.  In the frame rotating at omega_m for spin and mode (exact,
 * see physics-notes.md):
 *   H = (delta/2) sigma_z + g (a sigma_+ + a^dag sigma_-) [+ F (a + a^dag)]
 * with the dissipators of Eqs. (8)-(9).  The optional resonant drive F
 * (params->drive, not in the paper) breaks the excitation-number symmetry;
 * such a model runs on the full Liouvillian. */
#include "phonomaser/model/model.h"
#include "phonomaser/model/space.h"
#include "model/model_terms.h"

static pm_status jc_build(const pm_params *params, pm_model *model)
{
    pm_hamiltonian_terms terms;
    pm_hamiltonian_terms_init(&terms, model->N);
    pm_hamiltonian_terms_add(&terms, params->delta / 2, PM_OP_SIGMA_Z, PM_OP_IDENTITY);
    pm_hamiltonian_terms_add(&terms, params->g, PM_OP_A, PM_OP_SIGMA_P);    /* a sigma_+ */
    pm_hamiltonian_terms_add(&terms, params->g, PM_OP_ADAG, PM_OP_SIGMA_M); /* a^dag sigma_- */
    pm_hamiltonian_terms_add(&terms, params->drive, PM_OP_A, PM_OP_IDENTITY);
    pm_hamiltonian_terms_add(&terms, params->drive, PM_OP_ADAG, PM_OP_IDENTITY);
    pm_status s = pm_hamiltonian_terms_finish(&terms, &model->H);
    if (s == PM_OK) s = pm_model_add_paper_dissipators(model, params);
    return s;
}

/* i<[H, n]> with [a sigma_+, n] = a sigma_+, [a^dag sigma_-, n] = -a^dag sigma_-,
 * [a, n] = a, [a^dag, n] = -a^dag:  i g <a s+ - a^dag s-> + i F <a - a^dag>
 * = -2 g Im<a sigma_+> - 2 F Im<a>. */
static double jc_number_balance(const pm_model *model, const pm_state *state)
{
    const pm_params *params = &model->params;
    double flux = -2 * params->g * cimag(pm_model_expect_product(model, state, PM_OP_A, PM_OP_SIGMA_P)) -
                  2 * params->drive * cimag(pm_model_expect_product(model, state, PM_OP_A, PM_OP_IDENTITY));
    return pm_model_balance_residual(model, state, flux);
}

const pm_model_type pm_model_type_jc = {
    .name = "jc",
    .description = "Jaynes-Cummings maser, Eqs. (6)-(9), rotating-wave approximation",
    .frame = "rotating at omega_m",
    .truncates_sectors = 0,
    .lab_frame = 0,
    .rwa_model = -1,
    .build = jc_build,
    .number_balance = jc_number_balance,
};
