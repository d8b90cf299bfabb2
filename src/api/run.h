/* Runs of a configuration (src/cli/config.h) as the command line performs
 * them, shared by the command line and the binding API (handle.h), so a
 * Python call and `phonomaser steady` compute the same numbers. */
#ifndef PHONOMASER_API_RUN_H
#define PHONOMASER_API_RUN_H

#include "cli/config.h"
#include "core/internal.h"
#include "phonomaser/drivers/converge.h"
#include "phonomaser/drivers/solve.h"

/* Convergence and steady-state options from the configuration (tolerances,
 * path, method, LU); stop may be NULL. */
PM_INTERNAL void pm_run_converge_options(const pm_run_config *cfg, const pm_stop_flag *stop, pm_converge_options *opts);

/* The steady state of `phonomaser steady`: N = auto (or K = auto) grows the
 * cutoffs with pm_converge_run, else one pm_steadystate at N.  Clear with
 * pm_run_steady_clear in every case. */
typedef struct pm_run_steady {
    int automatic;               /* N = auto */
    pm_converge_options copts;   /* solver options from the configuration */
    pm_converge_result ladder;   /* N = auto: the search; ladder.final is the state */
    pm_steady_result single;     /* fixed N */
    pm_steady_result *result;    /* the steady state: &ladder.final or &single */
    double total_seconds;        /* wall time of the whole solve (with N = auto: the search) */
    double seconds;              /* build + solve at the final N */
} pm_run_steady;
/* progress: a report per cutoff of N = auto (converge.h; NULL: none) */
PM_INTERNAL pm_status pm_run_steady_solve(const pm_run_config *cfg, const pm_stop_flag *stop, pm_progress_fn progress,
                                          void *progress_user, pm_run_steady *run);
PM_INTERNAL void pm_run_steady_clear(pm_run_steady *run);

/* Evolution options (path, tolerances, linear solver, sector tolerance,
 * store_rho) and the initial state of `phonomaser evolve`. */
PM_INTERNAL void pm_run_mesolve_options(const pm_run_config *cfg, const pm_stop_flag *stop, pm_mesolve_options *opts);
PM_INTERNAL void pm_run_initial(const pm_run_config *cfg, pm_initial *init);

#endif
