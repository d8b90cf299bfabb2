/* The steady state of a run configuration, shared by `phonomaser steady`
 * and `phonomaser wigner` (cli.h). */
#include <math.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "phonomaser/core/timer.h"

pm_status pm_cli_steady_solve(const pm_run_config *cfg, pm_cli_steady *run)
{
    memset(run, 0, sizeof *run);
    pm_cli_converge_options(cfg, &run->copts);
    /* N = auto (or K = auto): grow the cutoffs until converged (converge.h);
     * the result is the steady state at the chosen N (and K) */
    pm_model_desc desc;
    pm_status s = pm_model_desc_init(&cfg->params, &desc);
    if (s != PM_OK) return s;
    run->automatic = pm_converge_is_automatic(&desc);
    run->result = run->automatic ? &run->ladder.final : &run->single;
    double start = pm_wall_seconds();
    if (run->automatic) {
        s = pm_converge_run(&desc, &run->copts, &run->ladder);
    } else {
        pm_model *model = NULL;
        /* the memory estimate before the model is built */
        s = pm_steadystate_memory_check(&desc, run->copts.path, run->copts.steady.method);
        if (s == PM_OK) s = pm_model_desc_build(&desc, cfg->params.N, cfg->params.K, &model);
        if (s == PM_OK && PM_STOP_REQUESTED(run->copts.steady.stop))
            s = pm_error_set(PM_EINTERRUPT, "steady state: stopped by caller after building the model");
        if (s == PM_OK) s = pm_steadystate(model, run->copts.path, &run->copts.steady, &run->single);
        pm_model_free(model);
    }
    run->total_seconds = pm_wall_seconds() - start;
    /* the build and solve at the final N; with N = auto the search is extra */
    run->seconds = run->automatic && run->ladder.nsteps > 0 ? run->ladder.steps[run->ladder.nsteps - 1].seconds
                                                            : run->total_seconds;
    return s;
}

void pm_cli_steady_clear(pm_cli_steady *run)
{
    pm_steady_result_clear(&run->single);
    pm_converge_result_clear(&run->ladder);
    run->result = NULL;
}

int pm_cli_steady_health(const pm_run_config *cfg, const pm_cli_steady *run)
{
    pm_health health;
    pm_health_check(&run->result->obs, run->result->info.residual,
                    pm_health_rate_scale(&cfg->params, run->result->state->N), cfg->tail_tol,
                    run->result->number_balance, &health);
    return pm_report_health(&health);
}
