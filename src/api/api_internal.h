/* Internal pieces of the binding API (handle.h): the objects behind the
 * opaque handles and the result builder the runs share. */
#ifndef PHONOMASER_API_INTERNAL_H
#define PHONOMASER_API_INTERNAL_H

#include "core/internal.h"
#include "phonomaser/api/handle.h"
#include "phonomaser/drivers/solve.h"
#include "phonomaser/state/state.h"

struct pm_api_control {
    pm_stop_flag stop;
    pm_progress_fn report;
    void *user;
};

/* The stop flag and progress of a control that may be NULL. */
PM_INTERNAL const pm_stop_flag *pm_api_stop_of(const pm_api_control *control);
PM_INTERNAL pm_progress_fn pm_api_progress_of(const pm_api_control *control, void **user);

/* Results: each call appends entries; a failed append (PM_ENOMEM) leaves
 * the result valid. */
PM_INTERNAL pm_status pm_api_result_alloc(pm_api_result **out);
PM_INTERNAL pm_status pm_api_result_put_scalar(pm_api_result *result, const char *name, double value);
PM_INTERNAL pm_status pm_api_result_put_string(pm_api_result *result, const char *name, const char *value);
/* type 'd', 'c' or 'i'; data copied (length elements) */
PM_INTERNAL pm_status pm_api_result_put_array(pm_api_result *result, const char *name, char type,
                                              const void *data, size_t length);
/* Observables and health of a state (the /steady attributes, p_n, rho_spin). */
PM_INTERNAL pm_status pm_api_result_put_observables(pm_api_result *result, const pm_observables *obs);
/* A steady-state result: observables, solver data, path, note, method. */
PM_INTERNAL pm_status pm_api_result_put_steady(pm_api_result *result, const pm_steady_result *steady,
                                               pm_steady_method method);
/* A state as triplets rho_row, rho_col, rho_value and the scalars rho_dim,
 * rho_adjoint_implied (the stored elements; the others zero or implied). */
PM_INTERNAL pm_status pm_api_result_put_state(pm_api_result *result, const pm_state *state);
/* A time series (arrays t, n_mean, ..., a_mean, a2_mean) from index skip on. */
PM_INTERNAL pm_status pm_api_result_put_series(pm_api_result *result, const pm_timeseries *series, size_t skip);

#endif
