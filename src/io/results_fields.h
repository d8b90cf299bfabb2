/* The named fields of the result layout, shared by the HDF5 writers
 * (results.c) and the binding API's results (src/api): one table each, so a
 * field added to the layout reaches both. */
#ifndef PHONOMASER_RESULTS_FIELDS_H
#define PHONOMASER_RESULTS_FIELDS_H

#include <stddef.h>

#include "core/internal.h"
#include "phonomaser/drivers/converge.h"
#include "phonomaser/state/state.h"

typedef struct pm_named_double {
    const char *name;
    double value;
    const char *unit;
} pm_named_double;

/* The scalar observables and health values of a state (the attributes of
 * /steady), in file order; returns their number (<= PM_RESULTS_OBSERVABLES). */
#define PM_RESULTS_OBSERVABLES 16
PM_INTERNAL size_t pm_results_observable_values(const pm_observables *obs, pm_named_double *out);

/* The double columns of a cutoff ladder (pm_converge_step fields). */
typedef struct pm_results_column {
    const char *name;
    size_t offset;
    const char *unit;
} pm_results_column;
PM_INTERNAL const pm_results_column *pm_results_ladder_columns(size_t *count);

#endif
