/* The dressed-basis model of Eq. (5) without the rotating-wave
 * approximation, the second model type (physics-notes.md, last section).
 * Lab frame, time independent:
 *   H = omega_m a^dag a + (omega_tilde/2) sigma_z
 *       + g0 (a + a^dag) (cos(theta) sigma_z + sin(theta) sigma_x),
 *   omega_tilde = omega_m + delta,  g0 = g / sin(theta),
 * with the dissipators of Eqs. (8)-(9) in the dressed basis.  Expanded in
 * sigma_x = sigma_+ + sigma_-, the coupling is the JC exchange
 * g (a sigma_+ + a^dag sigma_-) (keeps e), the counter-rotating pair
 * g (a sigma_- + a^dag sigma_+) (e -+ 2) and the longitudinal
 * g0 cos(theta) (a + a^dag) sigma_z (e -+ 1): the library finds sector
 * step 2 at theta = pi/2 and 1 otherwise. */
#include <math.h>
#include <stdio.h>
#include "phonomaser/core/constants.h"

#include "phonomaser/model/model.h"
#include "phonomaser/model/space.h"
#include "model/model_terms.h"

static pm_status dressed_build(const pm_params *params, pm_model *model)
{
    const double omega_tilde = params->omega_m + params->delta;
    const double g = params->g, g0 = params->g / sin(params->theta);
    /* cos(pi/2) is 6e-17, not 0: the longitudinal term is exactly absent at
     * theta = pi/2 (the parity of e is conserved there) */
    const double longitudinal = fabs(params->theta - PM_PI / 2) < 1e-15 ? 0.0 : g0 * cos(params->theta);
    pm_hamiltonian_terms terms;
    pm_hamiltonian_terms_init(&terms, model->N);
    pm_hamiltonian_terms_add(&terms, params->omega_m, PM_OP_NUM, PM_OP_IDENTITY);
    pm_hamiltonian_terms_add(&terms, omega_tilde / 2, PM_OP_SIGMA_Z, PM_OP_IDENTITY);
    pm_hamiltonian_terms_add(&terms, g, PM_OP_A, PM_OP_SIGMA_P);    /* exchange (JC) */
    pm_hamiltonian_terms_add(&terms, g, PM_OP_ADAG, PM_OP_SIGMA_M);
    pm_hamiltonian_terms_add(&terms, g, PM_OP_A, PM_OP_SIGMA_M);    /* counter-rotating */
    pm_hamiltonian_terms_add(&terms, g, PM_OP_ADAG, PM_OP_SIGMA_P);
    pm_hamiltonian_terms_add(&terms, longitudinal, PM_OP_A, PM_OP_SIGMA_Z);
    pm_hamiltonian_terms_add(&terms, longitudinal, PM_OP_ADAG, PM_OP_SIGMA_Z);
    pm_status s = pm_hamiltonian_terms_finish(&terms, &model->H);
    if (s == PM_OK) s = pm_model_add_paper_dissipators(model, params);
    return s;
}

/* i<[H, n]>: [n, omega_m n + (omega_tilde/2) sigma_z] = 0 and
 * [a + a^dag, n] = a - a^dag, so i g0 <(a - a^dag) Y> = -2 g0 Im<a Y> with
 * Y = cos(theta) sigma_z + sin(theta) (sigma_+ + sigma_-) (a commutes with Y). */
static double dressed_number_balance(const pm_model *model, const pm_state *state)
{
    const pm_params *params = &model->params;
    const double g0 = params->g / sin(params->theta);
    double complex a_y = sin(params->theta) * (pm_model_expect_product(model, state, PM_OP_A, PM_OP_SIGMA_P) +
                                               pm_model_expect_product(model, state, PM_OP_A, PM_OP_SIGMA_M));
    if (fabs(params->theta - PM_PI / 2) >= 1e-15)
        a_y += cos(params->theta) * pm_model_expect_product(model, state, PM_OP_A, PM_OP_SIGMA_Z);
    return pm_model_balance_residual(model, state, -2 * g0 * cimag(a_y));
}

/* Eq. (5) takes the dressed splitting omega_tilde = omega_m + delta as the
 * spin's level spacing: at omega_tilde <= 0 the upper and lower dressed
 * states trade places, so the pump S acts as -S (no longer the maser the
 * key describes). */
static int dressed_regime_warning(const pm_params *params, char *text, size_t size)
{
    double omega_tilde = params->omega_m + params->delta;
    if (omega_tilde > 0) return 0;
    snprintf(text, size, "model = dressed: delta = %g rad/s gives omega_tilde = omega_m + delta = %g rad/s <= 0; "
             "Eq. (5) then describes the spin flipped (the pump S acts as -S); delta > -omega_m = %g rad/s is the "
             "maser", params->delta, omega_tilde, -params->omega_m);
    return 1;
}

const pm_model_type pm_model_type_dressed = {
    .name = "dressed",
    .description = "dressed-basis model of Eq. (5) without the rotating-wave approximation",
    .frame = "lab",
    .truncates_sectors = 1,
    .lab_frame = 1,
    .rwa_model = PM_MODEL_JC, /* Eqs. (6)-(9) */
    .build = dressed_build,
    .number_balance = dressed_number_balance,
    .regime_warning = dressed_regime_warning,
};
