/* Time evolution drho/dt = L rho of a Liouvillian block with SUNDIALS CVODE.
 *
 * BDF; the complex system of size n maps to a real one of size 2n with
 * interleaved y[2p] = Re x_p, y[2p+1] = Im x_p, whose Jacobian is L itself
 * with each entry expanded to the 2x2 block [[Re, -Im], [Im, Re]] (this keeps
 * the band structure of sector blocks).  Linear solvers: SUNLinSol_KLU on
 * that sparse Jacobian, matrix-free SPGMR for blocks too large to
 * factorise, or PM_LINSOL_LU: the complex matrix I - gamma L factorised by
 * the LU of steady.h (pm_block_lu_backend: LAPACK band LU for sectors,
 * UMFPACK for coupled sectors), a matrix-embedded SUNLinearSolver.  AUTO
 * (the default) is KLU, or LU for coupled sectors, where KLU's left-looking
 * factorisation fills in (measured on the dressed model, N = 34, K = 12:
 * 13 s of KLU refactorisations in 18 s). */
#ifndef PHONOMASER_EVOLVE_H
#define PHONOMASER_EVOLVE_H

#include <stddef.h>
#include <stdint.h>

#include "phonomaser/core/complex_type.h"
#include "phonomaser/core/progress.h"
#include "phonomaser/liouvillian/liouvillian.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { PM_LINSOL_AUTO, PM_LINSOL_KLU, PM_LINSOL_SPGMR, PM_LINSOL_LU } pm_linear_solver;

typedef struct pm_evolve_options {
    double rtol;             /* relative tolerance (default 1e-8) */
    double atol;             /* absolute tolerance (default 1e-10) */
    pm_linear_solver linear_solver;
    long max_steps;          /* CVODE mxstep between outputs (default 100000) */
    pm_progress_fn progress; /* progress reports (core/progress.h), NULL: none */
    void *progress_user;
    const pm_stop_flag *stop_flag; /* set: stop with PM_EINTERRUPT (checked at every RHS
                                      evaluation and output time); NULL: never */
} pm_evolve_options;

void pm_evolve_options_default(pm_evolve_options *opts);
/* "auto", "klu", "spgmr", "lu" */
const char *pm_linear_solver_name(pm_linear_solver solver);

typedef struct pm_evolve_info {
    double seconds;
    pm_linear_solver linear_solver; /* the one used (never AUTO) */
    long steps, rhs_evals, jac_evals, lin_iters, error_test_fails, nonlin_conv_fails;
    double t_reached;        /* last time reached [s] */
} pm_evolve_info;

/* Output times of an evolution, which starts at t = 0: the `count` listed
 * times (increasing, >= 0) after a 0 prepended if the list lacks it
 * (*skip = 1 then: the caller hides that output), or, with list = NULL,
 * n_times evenly spaced in [0, t_final] (*skip = 0).  *ntimes times are
 * malloc'ed into *out (free()). */
pm_status pm_output_times(const double *list, size_t count, double t_final, size_t n_times, double **out,
                          size_t *ntimes, size_t *skip);

/* Called at each output time with the state there; return nonzero to stop. */
typedef int (*pm_evolve_callback)(void *context, size_t index, double t, const pm_complex *x);

/* Evolve x (block->size, in/out) from times[0] through times[ntimes-1]
 * (increasing), calling `callback` at each time (including times[0]). */
pm_status pm_evolve(const pm_block *block, pm_complex *x, size_t ntimes, const double *times,
                    const pm_evolve_options *opts, pm_evolve_callback callback, void *context,
                    pm_evolve_info *info);

#ifdef __cplusplus
}
#endif

#endif
