/* Complex sparse matrices in compressed-sparse-column (CSC) form.
 *
 * Indices are int64_t, identical to SuiteSparse_long and to SUNDIALS'
 * sunindextype on Debian 12, so the arrays go to UMFPACK (umfpack_zl_*) and
 * KLU without copying.  Values are interleaved complex (UMFPACK's "packed"
 * complex format: pass (double *) values with Az = NULL). */
#ifndef PHONOMASER_SPARSE_H
#define PHONOMASER_SPARSE_H

#include <stddef.h>
#include <stdint.h>

#include "phonomaser/core/complex_type.h"
#include "phonomaser/core/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pm_sparse {
    int64_t nrows, ncols;
    int64_t *colptr;        /* ncols + 1 */
    int64_t *rowind;        /* colptr[ncols] entries, sorted within a column */
    pm_complex *values; /* colptr[ncols] entries */
} pm_sparse;

/* Number of stored entries. */
static inline int64_t pm_sparse_nnz(const pm_sparse *a) { return a->colptr[a->ncols]; }

/* Triplet (coordinate) accumulator used to assemble matrices. */
typedef struct pm_triplets {
    int64_t nrows, ncols;
    int64_t count, capacity;
    int64_t *row, *col;
    pm_complex *value;
} pm_triplets;

pm_triplets *pm_triplets_alloc(int64_t nrows, int64_t ncols, int64_t capacity);
void pm_triplets_free(pm_triplets *t);
/* Append one entry (grows as needed). */
pm_status pm_triplets_add(pm_triplets *t, int64_t row, int64_t col, pm_complex value);

/* CSC from triplets: duplicates are summed, exact zeros dropped. */
pm_status pm_sparse_from_triplets(const pm_triplets *t, pm_sparse **out);

pm_sparse *pm_sparse_alloc(int64_t nrows, int64_t ncols, int64_t nnz);
void pm_sparse_free(pm_sparse *a);
pm_status pm_sparse_copy(const pm_sparse *a, pm_sparse **out);

pm_status pm_sparse_identity(int64_t n, pm_sparse **out);
/* A^dagger (conjugate transpose). */
pm_status pm_sparse_adjoint(const pm_sparse *a, pm_sparse **out);
/* A B */
pm_status pm_sparse_multiply(const pm_sparse *a, const pm_sparse *b, pm_sparse **out);
/* alpha A + beta B */
pm_status pm_sparse_add(pm_complex alpha, const pm_sparse *a,
                        pm_complex beta, const pm_sparse *b, pm_sparse **out);
/* Kronecker product A (x) B. */
pm_status pm_sparse_kron(const pm_sparse *a, const pm_sparse *b, pm_sparse **out);
/* Entry (i, j), 0 if not stored. */
pm_complex pm_sparse_get(const pm_sparse *a, int64_t row, int64_t col);
/* y = A x */
void pm_sparse_matvec(const pm_sparse *a, const pm_complex *x, pm_complex *y);

#ifdef __cplusplus
}
#endif

#endif
