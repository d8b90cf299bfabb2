/* Adding terms to a model through the public model API (phonomaser/model.h):
 * the JC maser of the paper at Table I, plus
 *   a Kerr term            H += chi n^2                (sparse.h, space.h)
 *   extra spin dephasing   gamma_x D[sigma_z]          (pm_model_add_jump;
 *                          raises gamma_2 by 2 gamma_x)
 * Both conserve the excitation number, so the library still solves the
 * steady state in the sector k = 0 (it re-derives that from the operators).
 * Prints the steady state without and with the added terms at one cutoff,
 * and fails if the cutoff is too small (tail population above 1e-8) or if
 * the added dephasing differs from the plain model at gamma_2 + 2 gamma_x.
 * Against an installed copy:
 *   cc add_term.c $(pkg-config --cflags --libs phonomaser) */
#include <math.h>
#include <stdio.h>

#include "phonomaser/drivers/solve.h"
#include "phonomaser/model/space.h"

#define CUTOFF "3000"           /* the plain model: tail population 1e-25 there */
#define KERR_CHI 0.1            /* chi [rad/s]: 2 chi <n> ~ 0.3 gamma_2 */
#define EXTRA_DEPHASING 50.0    /* gamma_x [1/s] */

/* model->H += chi n^2 */
static pm_status add_kerr(pm_model *model, double chi)
{
    pm_sparse *n = NULL, *n2 = NULL, *H = NULL;
    pm_status s = pm_space_operator(model->N, PM_OP_NUM, &n);
    if (s == PM_OK) s = pm_sparse_multiply(n, n, &n2);
    if (s == PM_OK) s = pm_sparse_add(1, model->H, chi, n2, &H);
    if (s == PM_OK) {
        pm_sparse_free(model->H);
        model->H = H;
    }
    pm_sparse_free(n);
    pm_sparse_free(n2);
    return s;
}

static pm_status solve(const pm_params *params, double chi, double gamma_x, double *n_mean)
{
    pm_model *model = NULL;
    pm_status s = pm_model_alloc(params, &model);
    if (s == PM_OK && chi != 0) s = add_kerr(model, chi);
    if (s == PM_OK && gamma_x != 0) s = pm_model_add_jump(model, gamma_x, PM_OP_SIGMA_Z);
    /* the sector structure follows from the operators: derive it again */
    if (s == PM_OK)
        s = pm_liouvillian_sector_step(model->H, model->njump, model->jumps, model->charge,
                                       &model->sector_step);
    pm_steady_options opts;
    pm_steady_options_default(&opts);
    pm_steady_result result = {0};
    if (s == PM_OK) s = pm_steadystate(model, PM_PATH_AUTO, &opts, &result);
    if (s == PM_OK) {
        if (n_mean) *n_mean = result.obs.n_mean;
        printf("gamma_2 = %-4g chi = %-3g gamma_x = %-2g  %s path  <n> = %7.2f  g2 = %.4f  "
               "<sigma_z> = %+.4f  tail %.0e\n", params->gamma_2, chi, gamma_x, pm_path_name(result.path),
               result.obs.n_mean, result.obs.g2, result.obs.sz_mean, result.obs.tail_population);
        if (!(result.obs.tail_population <= 1e-8))
            s = pm_error_set(PM_ENUMERIC, "tail population %.2g above 1e-8: raise N = %s",
                             result.obs.tail_population, CUTOFF);
    }
    pm_steady_result_clear(&result);
    pm_model_free(model);
    return s;
}

int main(void)
{
    pm_params params, broader;
    pm_params_init(&params);
    pm_status s = pm_params_set(&params, "N", CUTOFF);
    broader = params;                                        /* the check: no added term, */
    broader.gamma_2 = params.gamma_2 + 2 * EXTRA_DEPHASING;  /* gamma_2 + 2 gamma_x */
    if (s == PM_OK) s = pm_params_derive(&params);
    if (s == PM_OK) s = pm_params_derive(&broader);
    double n_dephased = 0, n_broader = 0;
    if (s == PM_OK) s = solve(&params, 0, 0, NULL);
    if (s == PM_OK) s = solve(&params, KERR_CHI, 0, NULL);
    if (s == PM_OK) s = solve(&params, 0, EXTRA_DEPHASING, &n_dephased);
    if (s == PM_OK) s = solve(&params, KERR_CHI, EXTRA_DEPHASING, NULL);
    if (s == PM_OK) s = solve(&broader, 0, 0, &n_broader);
    if (s == PM_OK && !(fabs(n_dephased - n_broader) <= 1e-9 * n_broader))
        s = pm_error_set(PM_ENUMERIC, "the added dephasing gives <n> = %.12g, gamma_2 + 2 gamma_x gives %.12g",
                         n_dephased, n_broader);
    if (s != PM_OK) {
        fprintf(stderr, "add_term: %s\n", pm_error_message());
        return 1;
    }
    return 0;
}
