/* The paper's operating point (Table I, the defaults of phonomaser/params.h)
 * with N = auto: the steady state at the converged Fock cutoff; prints <n>,
 * g2(0) and N.  Against an installed copy:
 *   cc steady_operating_point.c $(pkg-config --cflags --libs phonomaser) */
#include <stdio.h>

#include "phonomaser/drivers/converge.h"

int main(void)
{
    pm_params params;
    pm_params_init(&params); /* Table I: omega_m = 2 pi 50 rad/s, eta = 0.1, S = 0.2, n_th = 5 */
    pm_status s = pm_params_set(&params, "N", "auto");
    if (s == PM_OK) s = pm_params_derive(&params);

    pm_converge_options opts;
    pm_converge_options_default(&opts); /* tail population <= 1e-8, <n> to 1e-6 */
    pm_converge_result result = {0};
    pm_model_desc model; /* the JC model (params.model) at cutoffs converge chooses */
    if (s == PM_OK) s = pm_model_desc_init(&params, &model);
    if (s == PM_OK) s = pm_converge_auto(&model, &opts, &result);
    if (s != PM_OK) {
        fprintf(stderr, "steady_operating_point: %s\n", pm_error_message());
        pm_converge_result_clear(&result);
        return 1;
    }
    printf("<n> = %.2f\ng2 = %.4f\nN = %ld (%s)\n", result.final.obs.n_mean, result.final.obs.g2,
           result.chosen_N, result.converged ? "converged" : "NOT converged");
    int status = result.converged ? 0 : 1;
    pm_converge_result_clear(&result);
    return status;
}
