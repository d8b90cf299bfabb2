/* Steady states: the null vector of a Liouvillian block, two independent ways.
 *
 *  - PM_STEADY_DIRECT: UMFPACK LU of L with one row replaced by a unit row
 *    that pins one diagonal element (sparse; a dense trace row would fill the
 *    LU in), then normalised to unit trace.  First pinned: the caller's hint
 *    (pin_row, pin_col), else the lowest diagonal element (a singular LU
 *    moves the pin to the highest, then the middle one); if the pinned
 *    population is below 1e-3 of the largest, the solve is redone once
 *    pinning the largest, so that the pinned element is far from zero.
 *    Coupled sectors (and any block with real_fold = on, below) are solved
 *    instead as a real system folded by Hermiticity, with the trace row.
 *  - PM_STEADY_ARPACK: ARPACK znaupd/zneupd in shift-invert mode about a
 *    small shift sigma, on a UMFPACK LU of (L - sigma I); the eigenvector of
 *    the eigenvalue closest to 0, normalised to unit trace.  Two eigenvalues
 *    are computed: a second one closer to 0 than twice the shift means more
 *    than one steady state, refused (PM_ESOLVER) as the direct method
 *    refuses a singular LU.  When ARPACK fails otherwise (no convergence,
 *    NaN, a decaying mode), the direct method takes over on the same block
 *    (info->method, info->note).
 * The block must contain the diagonal (sector 0 or the full block). */
#ifndef PHONOMASER_STEADY_H
#define PHONOMASER_STEADY_H

#include <stdint.h>

#include "phonomaser/core/complex_type.h"
#include "phonomaser/liouvillian/liouvillian.h"
#include "phonomaser/linalg/lu.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { PM_STEADY_DIRECT, PM_STEADY_ARPACK } pm_steady_method;

/* DIRECT on a block closed under transposition: solve for the Hermitian
 * steady state with a real LU of the same size (Re and Im of the elements
 * rho_ij, i <= j in block order; the rest by rho_ji = conj(rho_ij)).
 * AUTO: for coupled sectors (model = dressed), where it was measured to win
 * (README, Benchmarks); ON: whenever the block and L allow it (else
 * PM_EINVAL), with KLU or UMFPACK; OFF: always the complex LU. */
typedef enum { PM_FOLD_AUTO = 0, PM_FOLD_ON, PM_FOLD_OFF } pm_real_fold;

typedef struct pm_steady_options {
    pm_steady_method method;
    pm_lu_backend lu;      /* sparse LU (lu.h); default AUTO: band LU for sectors, KLU otherwise */
    double arpack_tol;     /* ARPACK relative accuracy (0: machine precision) */
    int arpack_maxiter;    /* max Arnoldi restarts */
    int arpack_ncv;        /* Arnoldi vectors (0: default 20) */
    double shift;          /* sigma for shift-invert [1/s] (0: automatic) */
    int64_t pin_row, pin_col; /* DIRECT: rho element to pin first if the block has it
                                 (-1: none); e.g. the largest population found at a
                                 smaller cutoff, which saves the second solve */
    pm_real_fold real_fold;   /* DIRECT: real (Hermiticity-folded) LU, default AUTO */
    const pm_stop_flag *stop; /* set: PM_EINTERRUPT at the next check (NULL: never).
                                 Checked before and after each factorisation and at
                                 every ARPACK iteration, not inside one LU; through
                                 pm_converge_* also between cutoffs. */
} pm_steady_options;

void pm_steady_options_default(pm_steady_options *opts);

typedef struct pm_steady_info {
    double seconds;          /* wall time of factorisation and solve */
    double residual;         /* max_p |(L x)_p| after normalisation [1/s] */
    double eigenvalue_re, eigenvalue_im; /* ARPACK: the eigenvalue found */
    int64_t lu_nnz;          /* nonzeros of L + U */
    int64_t matrix_nnz;      /* nonzeros of the factorised matrix */
    int iterations;          /* ARPACK restarts / direct: number of solves */
    int64_t pinned_element;  /* DIRECT: element number pinned */
    pm_steady_method method; /* the method that solved: DIRECT when ARPACK failed and the
                                direct method took over (then `note` says why) */
    char note[512];          /* "" or the fallback note */
    int real_fold;           /* DIRECT: 1 if the real folded LU solved (lu_nnz, matrix_nnz
                                then count real entries, 8 bytes each instead of 16) */
} pm_steady_info;

/* The LU a block gets for `requested` = PM_LU_AUTO: the LAPACK band LU if
 * the block is narrow-banded (sectors), UMFPACK for coupled sectors, KLU
 * otherwise (the full block); any other request is returned as it is. */
pm_lu_backend pm_block_lu_backend(const pm_block *block, pm_lu_backend requested);

/* x (block->size) receives the steady state, trace normalised. */
pm_status pm_steady_solve(const pm_block *block, const pm_steady_options *opts,
                          pm_complex *x, pm_steady_info *info);

#ifdef __cplusplus
}
#endif

#endif
