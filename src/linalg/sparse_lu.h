/* Internal (not installed): LU factorisation of a complex sparse matrix,
 * shared by the steady-state solvers (steady.c) and the spectrum of
 * Liouvillian blocks (spectrum.c), with the backends of phonomaser/lu.h:
 * with PM_LU_AUTO, narrow-banded matrices (sector blocks ordered by
 * excitation number: kl + ku <= PM_LU_BAND_MAX) go to LAPACK's band LU with
 * partial pivoting (zgbtrf/zgbtrs), everything else to KLU. */
#ifndef PHONOMASER_SPARSE_LU_H
#define PHONOMASER_SPARSE_LU_H

#include <complex.h>
#include <stdint.h>
#include <umfpack.h>

#include "phonomaser/linalg/lu.h"
#include "phonomaser/linalg/sparse.h"
#include "core/internal.h"

#define PM_LU_BAND_MAX 64

/* A real sparse matrix in CSC form (the Hermiticity-folded steady-state
 * systems of solvers/hermitian_fold.h); rows sorted within a column. */
typedef struct pm_sparse_real {
    int64_t nrows, ncols;
    int64_t *colptr, *rowind; /* ncols + 1, colptr[ncols] */
    double *values;           /* colptr[ncols] */
} pm_sparse_real;

/* (sparse.c, beside pm_sparse_alloc) colptr zeroed; NULL if out of memory */
PM_INTERNAL pm_sparse_real *pm_sparse_real_alloc(int64_t nrows, int64_t ncols, int64_t nnz);
PM_INTERNAL void pm_sparse_real_free(pm_sparse_real *a);

typedef struct pm_lu {
    const pm_sparse *matrix; /* not owned; must outlive the factors */
    const pm_sparse_real *real_matrix; /* set instead of matrix by pm_lu_factor_real */
    pm_lu_backend backend;   /* the one used (never AUTO) */
    void *klu_common, *klu_symbolic, *klu_numeric; /* KLU */
    void *numeric;           /* UMFPACK factors */
    void *symbolic;          /* UMFPACK's analysis (complex path), kept for pm_lu_refactor */
    double control[UMFPACK_CONTROL];
    int64_t lu_nnz;          /* KLU, UMFPACK: lnz + unz (both count the diagonal); band: band storage */
    double complex *band;    /* band path: LAPACK band storage of the factors */
    int *pivots;
    int n, kl, ku, ldab;
} pm_lu;

/* Whether PM_LU_AUTO takes the band path for `a` (a pinned unit row keeps
 * the band; a dense trace row would not). */
PM_INTERNAL int pm_lu_uses_band(const pm_sparse *a);

/* Factorise `a`.  A singular matrix is an error (PM_ESOLVER): `what` names
 * the matrix and `hint` says what to do about it in the message. */
PM_INTERNAL pm_status pm_lu_factor(const pm_sparse *a, pm_lu_backend backend, const char *what, const char *hint,
                       pm_lu *lu);
/* pm_lu_factor for a matrix that pm_lu_refactor will factorise again at
 * many values (the resolvent's shifts): complex UMFPACK orders with METIS
 * (nested dissection; its analysis is kept, so the dearer ordering is paid
 * once): the LUs of a dressed-model regression block (S = 0, N = 500,
 * K = 14) took 4.8 s instead of 7.1 s of CPU with UMFPACK's default AMD
 * (measured).  Without METIS in UMFPACK: the default ordering. */
PM_INTERNAL pm_status pm_lu_factor_for_shifts(const pm_sparse *a, pm_lu_backend backend, const char *what,
                                              const char *hint, pm_lu *lu);
/* Factorise lu->matrix again after its values changed (same pattern, same
 * backend): band refills its storage, KLU keeps its ordering and
 * pivots afresh, UMFPACK (complex) keeps its symbolic analysis, which
 * depends on the pattern alone (UMFPACK reads the values there only for
 * statistics), and pivots afresh.  On failure the
 * factors are released (pm_lu_free is still safe). */
PM_INTERNAL pm_status pm_lu_refactor(pm_lu *lu, const char *what, const char *hint);
/* x = A^{-1} b (x and b must not overlap). */
PM_INTERNAL pm_status pm_lu_solve(const pm_lu *lu, const double complex *b, double complex *x);
/* The same for a real matrix: KLU (klu_l_*) or UMFPACK (umfpack_dl_*);
 * PM_LU_AUTO means KLU, PM_LU_BAND is refused (PM_EINVAL).  column_order
 * (NULL: the LU's own ordering): a fill-reducing order of the columns,
 * used for the rows too (UMFPACK's symmetric strategy, KLU's P = Q). */
PM_INTERNAL pm_status pm_lu_factor_real(const pm_sparse_real *a, const int64_t *column_order, pm_lu_backend backend,
                                        const char *what, const char *hint, pm_lu *lu);
PM_INTERNAL pm_status pm_lu_solve_real(const pm_lu *lu, const double *b, double *x);
PM_INTERNAL void pm_lu_free(pm_lu *lu);

/* A copy of L - shift I in which row `pin` (if pin >= 0) is replaced by the
 * unit row e_pin^T, or, if `trace_columns` is not NULL, by the trace row
 * (1 in every column c with trace_columns[c] != 0).  Entries stay sorted
 * within each column. */
PM_INTERNAL pm_status pm_lu_shifted_copy(const pm_sparse *L, double complex shift, int64_t pin,
                             const unsigned char *trace_columns, pm_sparse **out);

#endif
