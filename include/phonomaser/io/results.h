/* The HDF5 result layout of phonomaser (README "HDF5 layout"): the groups
 * every command writes, as library functions, so a C caller (or the Python
 * interface) writes the same files the command line does.  Files are
 * opened and closed with h5io.h (temporary name, renamed when complete). */
#ifndef PHONOMASER_RESULTS_H
#define PHONOMASER_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "phonomaser/core/complex_type.h"
#include "phonomaser/core/params.h"
#include "phonomaser/drivers/converge.h"
#include "phonomaser/io/h5io.h"
#include "phonomaser/state/state.h"

#ifdef __cplusplus
extern "C" {
#endif

/* /parameters: every input and derived rate with its unit (the keys of the
 * model only), model, the user terms (one "key = value" per line), N (the
 * cutoff used: N_used when params->N is auto) and N_mode. */
pm_status pm_results_write_parameters(pm_h5file *file, const pm_params *params, long N_used);
/* `group`: the observables and health of a state as attributes, p_n,
 * rho_spin and sector_norm as datasets. */
pm_status pm_results_write_observables(pm_h5file *file, const char *group, const pm_observables *obs);
/* `group`: the density matrix as triplets row, col, value (attrs dim,
 * adjoint_implied, basis). */
pm_status pm_results_write_state(pm_h5file *file, const char *group, const pm_state *state);
/* `group`: a cutoff ladder, one dataset per column (N, K, n_mean, ...), and
 * chosen_N, chosen_K, converged, the tolerances as attributes. */
pm_status pm_results_write_ladder(pm_h5file *file, const char *group, const pm_converge_result *result,
                                  double tail_tol, double rel_tol);

/* Readers.  The model parameters /parameters records (the inputs and
 * derived rates above; *found = 0, PM_OK, if the group or one of them is
 * missing, as in a file of another program). */
pm_status pm_results_read_parameters(pm_h5file *file, pm_params *params, int *found);

/* A density matrix as written by pm_results_write_state (owned arrays). */
typedef struct pm_results_triplets {
    int64_t dim;          /* Hilbert dimension 2N */
    size_t count;
    int64_t *row, *col;
    pm_complex *value;
    int adjoint_implied;  /* 1: rho_ji = conj(rho_ij) for the elements not stored */
} pm_results_triplets;
pm_status pm_results_read_triplets(pm_h5file *file, const char *group, pm_results_triplets *out);
void pm_results_triplets_clear(pm_results_triplets *triplets);

#ifdef __cplusplus
}
#endif

#endif
