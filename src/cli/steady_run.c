/* The steady state of a run configuration, shared by `phonomaser steady`
 * and `phonomaser wigner` (cli.h). */
#include <math.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "phonomaser/core/timer.h"

pm_status pm_cli_steady_solve(const pm_run_config *cfg, int quiet, pm_cli_steady *run)
{
    /* a bar over the cutoff search (N = auto), as over evolutions and sweeps */
    pm_progress_fn bar = !quiet && isatty(2) ? pm_cli_progress_bar : NULL;
    return pm_run_steady_solve(cfg, &pm_cli_stop, bar, NULL, run);
}

void pm_cli_steady_clear(pm_cli_steady *run)
{
    pm_run_steady_clear(run);
}

int pm_cli_steady_health(const pm_run_config *cfg, const pm_cli_steady *run)
{
    pm_health health;
    pm_health_check(&run->result->obs, run->result->info.residual,
                    pm_health_rate_scale(&cfg->params, run->result->state->N), cfg->tail_tol,
                    run->result->number_balance, &health);
    return pm_report_health(&health);
}
