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
#include "phonomaser/drivers/compare.h"
#include "phonomaser/drivers/compare_models.h"
#include "phonomaser/drivers/converge.h"
#include "phonomaser/drivers/map.h"
#include "phonomaser/drivers/correlation.h"
#include "phonomaser/drivers/solve.h"
#include "phonomaser/io/h5io.h"
#include "phonomaser/phase_space/wigner.h"
#include "phonomaser/state/state.h"
#include "phonomaser/theory/langevin.h"

#ifdef __cplusplus
extern "C" {
#endif

/* /parameters: every input and derived rate with its unit (the keys of the
 * model only), model, the user terms (one "key = value" per line), N (the
 * cutoff used: N_used when params->N is auto) and N_mode ("auto", "fixed";
 * N_used < 0: "unused" and no N, for results of no master equation). */
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

/* steady: /steady (observables, method, path, residual, seconds: the wall
 * time of the whole run) and /steady/solver (LU and matrix sizes, timings;
 * ARPACK: the eigenvalue); store_rho: /steady/rho. */
pm_status pm_results_write_steady(pm_h5file *file, const pm_steady_result *result, pm_steady_method method,
                                  double seconds, int store_rho);
/* /parameters K and K_mode for models that cut coupled sectors at K
 * (nothing for the others): K_used the cutoff of the block solved. */
pm_status pm_results_write_sector_cutoff(pm_h5file *file, const pm_params *params, long K_used);

/* evolve: /evolve, the time series of result->series from output `skip` on
 * (skip = 1 hides a t = 0 start the caller added before its own times),
 * the run's attributes and /evolve/solver (CVODE statistics); with a final
 * state, /evolve/rho_final. */
typedef struct pm_results_evolve_run {
    const char *initial;  /* the initial state, as the key `initial` names it */
    double rtol, atol;    /* the tolerances given */
    double seconds;       /* wall time of the run */
    double resumed_at;    /* time [s] a resumed run continued from, NaN if not resumed */
} pm_results_evolve_run;
pm_status pm_results_write_evolve(pm_h5file *file, const pm_mesolve_result *result, size_t skip,
                                  const pm_results_evolve_run *run);

/* wigner: /wigner (the grid, W, its attributes) and /wigner/radial; n_las
 * (Eq. 15) NaN: no Maxwell-Bloch radius (a state without parameters);
 * source: where the state came from ("steady state", a file name). */
pm_status pm_results_write_wigner(pm_h5file *file, const pm_wigner_image *image, const pm_wigner_mech *mech,
                                  double n_las, const char *source);

/* The sweep of a file whose points differ in one key (compare --sweep):
 * /parameters attrs sweep_key (the key) and datasets /parameters/sweep_values
 * (the value of the key at each point; /parameters/<key> keeps the base
 * value of the configuration) and /parameters/N_values (the cutoff used at
 * each point, NaN for a point that failed). */
pm_status pm_results_write_sweep(pm_h5file *file, pm_sweep_variable v, size_t count, const double *values,
                                 const long *N_used);

/* compare (JC model): /compare, per point (count >= 1) the exact value, the
 * reduced prediction, the deviation and whether the formula applies, for
 * every pm_compare_quantity, and the exact, Fokker-Planck, validity and
 * (thresholds != NULL) threshold columns; langevin: the Langevin columns. */
pm_status pm_results_write_compare(pm_h5file *file, pm_sweep_variable v, size_t count, const double *values,
                                   const pm_compare_point *points, const pm_compare_threshold *thresholds,
                                   int langevin);
/* One point: /compare/p_n and /compare/radial (P_r exact and Eq. 20). */
pm_status pm_results_write_compare_radial(pm_h5file *file, const pm_compare_point *pt, const double *p_n);
/* One point: /compare/langevin, <n>(t) and the run's seed and trajectories. */
pm_status pm_results_write_compare_langevin(pm_h5file *file, const pm_langevin_options *opts,
                                            const pm_langevin_result *lr);
/* The four-way comparison (dressed model): /compare4/<quantity>/<column>
 * and the per-point cutoffs, thresholds and RWA ratios. */
pm_status pm_results_write_compare4(pm_h5file *file, pm_sweep_variable v, size_t count, const double *values,
                                    const pm_compare4_point *points);

/* map: /map (attrs kind, axes, points, failed, not_computed, failures),
 * /map/axes/<key> (the axis values, dimension scales), /map/status and one
 * dataset /map/<quantity> per result of the kind (pm_map_quantity_name),
 * shaped first axis x second axis.  values[index * nq + q] (NaN where not
 * computed), status[index]: 0 ok, the status code of a failed point, NaN
 * not computed; failures: one "point: message" line per failed point (may
 * be NULL). */
pm_status pm_results_write_map(pm_h5file *file, pm_map_kind kind, const pm_params *base, size_t naxes,
                               const pm_map_axis *axes, const double *values, const double *status,
                               const char *failures);
/* /map_timing: how busy the map's workers were.  busy[2 r], busy[2 r + 1]:
 * the wall and the CPU seconds rank r spent in points (summed over its
 * threads_per_rank threads), written as /map_timing/busy_seconds and
 * /map_timing/cpu_seconds (one per rank), with the attributes ranks,
 * threads_per_rank, workers (their product), seconds (the map's wall time on
 * rank 0) and idle_fraction = 1 - sum(busy_seconds) / (workers x seconds). */
double pm_results_map_idle_fraction(int ranks, int threads_per_rank, double seconds, const double *busy);
pm_status pm_results_write_map_timing(pm_h5file *file, int ranks, int threads_per_rank, double seconds,
                                      const double *busy);
/* spectrum: /spectrum (omega and S_a in the model's frame, omega_x and S_x
 * in the lab, the line's attributes) and /correlation (tau, g1, g2, xx);
 * the parts the run did not compute are left out. */
pm_status pm_results_write_spectrum(pm_h5file *file, const pm_correlation_result *result);

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
