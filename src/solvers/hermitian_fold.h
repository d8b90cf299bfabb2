/* Internal (not installed): the direct steady-state solve on real numbers,
 * folded by Hermiticity.
 *
 * The Liouvillian maps Hermitian matrices to Hermitian ones,
 * L(rho^dag) = L(rho)^dag, i.e. L[p', q'] = conj(L[p, q]) where p' is the
 * partner of element p = rho_ij, the element rho_ji.  On a block closed
 * under transposition (the full block, an excitation sector k = 0, coupled
 * sectors |k| <= K of a class with -class = class mod step) the steady state
 * is Hermitian, so it is fixed by its representative elements, p <= p' in
 * block order: a diagonal element is one real unknown, an off-diagonal
 * representative two (Re, Im), D real unknowns for a block of D complex
 * elements.  The D real equations are Re and Im of the rows of the
 * representatives (Im of a diagonal row vanishes for a Hermitian rho; the
 * rows of the partners repeat them conjugated), with the equation of one
 * diagonal element replaced by the trace condition.  A real LU of this
 * D x D system replaces the complex LU of the D x D block: about a quarter
 * of the arithmetic where the fill stays similar (measurements in
 * hermitian_fold.c). */
#ifndef PHONOMASER_HERMITIAN_FOLD_H
#define PHONOMASER_HERMITIAN_FOLD_H

#include "core/internal.h"
#include <complex.h>
#include <stdint.h>

#include "linalg/sparse_lu.h"
#include "phonomaser/solvers/steady.h"

typedef struct pm_fold {
    int64_t size;        /* complex elements of the block = real unknowns */
    int64_t *partner;    /* element number of rho[col[p], row[p]] */
    int64_t *real_index; /* first real unknown (and equation) of p's representative:
                            Re at real_index, Im at real_index + 1 if p != partner[p] */
} pm_fold;

/* The fold map of a block: PM_OK, or PM_EINVAL (message naming an element
 * without its transpose) if the block is not closed under transposition. */
PM_INTERNAL pm_status pm_fold_init(const pm_block *block, pm_fold *fold);
PM_INTERNAL void pm_fold_free(pm_fold *fold);

/* PM_OK if L[p', q'] = conj(L[p, q]) for every entry (to 1e-12 of the
 * largest entry of the two columns), else PM_EINVAL naming the first entry
 * where not (e.g. a non-Hermitian Hamiltonian). */
PM_INTERNAL pm_status pm_fold_check_hermitian(const pm_fold *fold, const pm_sparse *L);

/* The real D x D matrix of the folded equations of L, with the equation of
 * the diagonal element `trace_element` replaced by the trace row (1 at the
 * unknown of each of the ndiag diagonal elements diag[]). */
PM_INTERNAL pm_status pm_fold_matrix(const pm_fold *fold, const pm_sparse *L, int64_t trace_element, int64_t ndiag,
                         const int64_t *diag, pm_sparse_real **out);

/* The complex vector (fold->size) of the real unknowns u:
 * x_p = u_r + i u_{r+1} for a representative, its conjugate for the partner. */
PM_INTERNAL void pm_fold_unfold(const pm_fold *fold, const double *u, double complex *x);

/* The direct steady state by the folded real LU, if `mode` asks for it:
 * PM_FOLD_OFF never; PM_FOLD_AUTO for coupled sectors (where it was
 * measured to win) if the block and L can be folded; PM_FOLD_ON for any
 * block (one that cannot be folded, or lu = band, is PM_EINVAL).
 * `requested`: the caller's LU choice (AUTO: UMFPACK for coupled sectors,
 * KLU otherwise).  *folded = 1 if it solved: then x (block->size) has trace
 * 1 (to rounding) and info->lu_nnz, matrix_nnz hold the real LU's counts;
 * *folded = 0 (PM_OK) leaves the solve to the complex path.  diag: the
 * ndiag diagonal elements; the trace condition replaces the equation of
 * diag[0]. */
PM_INTERNAL pm_status pm_fold_steady(const pm_block *block, pm_real_fold mode, pm_lu_backend requested,
                         const pm_stop_flag *stop, int64_t ndiag, const int64_t *diag, double complex *x,
                         pm_steady_info *info, int *folded);

#endif
