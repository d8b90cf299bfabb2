/* Internal (not installed): UMFPACK LU factorisation of a complex sparse
 * matrix, shared by the steady-state solvers (steady.c) and the spectrum of
 * Liouvillian blocks (spectrum.c). */
#ifndef PHONOMASER_UMFPACK_LU_H
#define PHONOMASER_UMFPACK_LU_H

#include <complex.h>
#include <stdint.h>
#include <umfpack.h>

#include "phonomaser/sparse.h"

typedef struct pm_lu {
    const pm_sparse *matrix; /* not owned; must outlive the factors */
    void *numeric;
    double control[UMFPACK_CONTROL];
    int64_t lu_nnz;          /* lnz + unz (both count the diagonal) */
} pm_lu;

/* Factorise `a`.  A singular matrix is an error (PM_ESOLVER): `what` names
 * the matrix and `hint` says what to do about it in the message. */
pm_status pm_lu_factor(const pm_sparse *a, const char *what, const char *hint, pm_lu *lu);
/* x = A^{-1} b (x and b must not overlap). */
pm_status pm_lu_solve(const pm_lu *lu, const double complex *b, double complex *x);
void pm_lu_free(pm_lu *lu);

/* A copy of L - shift I in which row `pin` (if pin >= 0) is replaced by the
 * unit row e_pin^T.  Entries stay sorted within each column. */
pm_status pm_lu_shifted_copy(const pm_sparse *L, double complex shift, int64_t pin, pm_sparse **out);

#endif
