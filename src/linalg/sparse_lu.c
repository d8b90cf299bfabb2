/* LU factorisation of a complex sparse matrix: LAPACK band, KLU or UMFPACK (sparse_lu.h). */
#include "linalg/sparse_lu.h"

#include <klu.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t metis_lock = PTHREAD_MUTEX_INITIALIZER;

/* LAPACK band LU (Fortran interface of liblapack) */
void zgbtrf_(const int *m, const int *n, const int *kl, const int *ku, double complex *ab, const int *ldab,
             int *ipiv, int *info);
void zgbtrs_(const char *trans, const int *n, const int *kl, const int *ku, const int *nrhs,
             const double complex *ab, const int *ldab, const int *ipiv, double complex *b, const int *ldb,
             int *info, size_t trans_len);

static const char *umfpack_status_name(int status)
{
    switch (status) {
    case UMFPACK_OK: return "ok";
    case UMFPACK_WARNING_singular_matrix: return "singular matrix";
    case UMFPACK_WARNING_determinant_underflow: return "determinant underflow";
    case UMFPACK_WARNING_determinant_overflow: return "determinant overflow";
    case UMFPACK_ERROR_out_of_memory: return "out of memory";
    case UMFPACK_ERROR_invalid_Numeric_object: return "invalid Numeric object";
    case UMFPACK_ERROR_invalid_Symbolic_object: return "invalid Symbolic object";
    case UMFPACK_ERROR_argument_missing: return "argument missing";
    case UMFPACK_ERROR_n_nonpositive: return "n nonpositive";
    case UMFPACK_ERROR_invalid_matrix: return "invalid matrix";
    case UMFPACK_ERROR_different_pattern: return "different pattern";
    case UMFPACK_ERROR_invalid_system: return "invalid system";
    case UMFPACK_ERROR_invalid_permutation: return "invalid permutation";
    case UMFPACK_ERROR_ordering_failed: return "ordering failed";
    case UMFPACK_ERROR_internal_error: return "internal error";
    default: return "unknown status";
    }
}

void pm_lu_free(pm_lu *lu)
{
    klu_l_common *common = lu->klu_common;
    if (common) {
        klu_l_numeric *numeric = lu->klu_numeric;
        klu_l_symbolic *symbolic = lu->klu_symbolic;
        if (numeric && lu->real_matrix) klu_l_free_numeric(&numeric, common);
        else if (numeric) klu_zl_free_numeric(&numeric, common);
        if (symbolic) klu_l_free_symbolic(&symbolic, common);
        free(common);
    }
    lu->klu_common = lu->klu_numeric = lu->klu_symbolic = NULL;
    if (lu->numeric && lu->real_matrix) umfpack_dl_free_numeric(&lu->numeric);
    else if (lu->numeric) umfpack_zl_free_numeric(&lu->numeric);
    if (lu->symbolic) umfpack_zl_free_symbolic(&lu->symbolic);
    lu->numeric = lu->symbolic = NULL;
    free(lu->band);
    free(lu->pivots);
    lu->band = NULL;
    lu->pivots = NULL;
}

static void bandwidths(const pm_sparse *a, int64_t *kl, int64_t *ku)
{
    *kl = *ku = 0;
    for (int64_t j = 0; j < a->ncols; j++)
        for (int64_t k = a->colptr[j]; k < a->colptr[j + 1]; k++) {
            int64_t d = a->rowind[k] - j;
            if (d > *kl) *kl = d;
            if (-d > *ku) *ku = -d;
        }
}

int pm_lu_uses_band(const pm_sparse *a)
{
    int64_t kl, ku;
    bandwidths(a, &kl, &ku);
    return a->ncols >= 64 && a->ncols <= INT32_MAX / 4 && kl + ku <= PM_LU_BAND_MAX;
}

/* Copy `a` into the band storage of `lu` (allocated; zero already if
 * `zeroed`, as calloc leaves it without a pass over 3.5 MB at N = 4163)
 * and factorise it. */
static pm_status band_fill_factor(const pm_sparse *a, const char *what, const char *hint, int zeroed, pm_lu *lu)
{
    if (!zeroed) memset(lu->band, 0, (size_t)lu->ldab * (size_t)lu->n * sizeof *lu->band);
    for (int64_t j = 0; j < lu->n; j++) /* A(i,j) at ab[kl + ku + i - j + j * ldab] */
        for (int64_t k = a->colptr[j]; k < a->colptr[j + 1]; k++)
            lu->band[(size_t)(lu->kl + lu->ku + a->rowind[k] - j) + (size_t)j * (size_t)lu->ldab] = a->values[k];
    int info = 0;
    zgbtrf_(&lu->n, &lu->n, &lu->kl, &lu->ku, lu->band, &lu->ldab, lu->pivots, &info);
    if (info != 0) {
        pm_lu_free(lu);
        return info > 0 ? pm_error_set(PM_ESOLVER, "LAPACK band LU (zgbtrf) of %s failed: singular matrix "
                                       "(U(%d,%d) = 0); %s", what, info, info, hint)
                        : pm_error_set(PM_ESOLVER, "LAPACK zgbtrf: argument %d invalid", -info);
    }
    lu->lu_nnz = (int64_t)lu->ldab * lu->n;
    return PM_OK;
}

static pm_status factor_band(const pm_sparse *a, const char *what, const char *hint, pm_lu *lu)
{
    int64_t kl, ku, n = a->ncols;
    bandwidths(a, &kl, &ku);
    if (n < 1 || n > INT32_MAX / 4 || kl < 0 || ku < 0 || kl + ku > PM_LU_BAND_MAX)
        return pm_error_set(PM_EINVAL, "lu = band: %s has bandwidth kl + ku = %lld > %d; use lu = auto",
                            what, (long long)(kl + ku), PM_LU_BAND_MAX);
    lu->n = (int)n;
    lu->kl = (int)kl;
    lu->ku = (int)ku;
    lu->ldab = 2 * lu->kl + lu->ku + 1;
    lu->band = calloc((size_t)lu->ldab * (size_t)n, sizeof *lu->band); /* zero: see band_fill_factor */
    lu->pivots = malloc((size_t)n * sizeof *lu->pivots);
    if (!lu->band || !lu->pivots) {
        pm_lu_free(lu);
        return pm_error_set(PM_ENOMEM, "out of memory for the band LU of %s (%lld x %lld)", what,
                            (long long)n, (long long)n);
    }
    return band_fill_factor(a, what, hint, 1, lu);
}

static const char *klu_status_name(int status)
{
    switch (status) {
    case KLU_OK: return "ok";
    case KLU_SINGULAR: return "singular matrix";
    case KLU_OUT_OF_MEMORY: return "out of memory";
    case KLU_INVALID: return "invalid input";
    case KLU_TOO_LARGE: return "integer overflow";
    default: return "unknown status";
    }
}

/* The matrix a factorisation reads: complex (interleaved, UMFPACK's packed
 * format) or real, the same CSC arrays either way. */
typedef struct lu_input {
    int64_t n, nnz;
    const int64_t *colptr, *rowind;
    const double *values;
    int real;
    const int64_t *column_order; /* real only: fill-reducing column order (NULL: the LU's own) */
    int nested_dissection;        /* complex UMFPACK: order with METIS (pm_lu_factor_for_shifts) */
} lu_input;

static pm_status factor_klu(const lu_input *a, const char *what, const char *hint, pm_lu *lu)
{
    lu->klu_common = malloc(sizeof(klu_l_common));
    if (!lu->klu_common) return pm_error_set(PM_ENOMEM, "out of memory for KLU");
    klu_l_common *common = lu->klu_common;
    klu_l_defaults(common);
    common->ordering = 1; /* COLAMD: 2-4x less work than AMD on Liouvillians (measured) */
    int64_t *colptr = (int64_t *)a->colptr, *rowind = (int64_t *)a->rowind; /* KLU does not modify them */
    lu->klu_symbolic = a->column_order ? klu_l_analyze_given(a->n, colptr, rowind, (int64_t *)a->column_order,
                                                             (int64_t *)a->column_order, common)
                                       : klu_l_analyze(a->n, colptr, rowind, common);
    if (lu->klu_symbolic)
        lu->klu_numeric = a->real ? klu_l_factor(colptr, rowind, (double *)a->values, lu->klu_symbolic, common)
                                  : klu_zl_factor(colptr, rowind, (double *)a->values, lu->klu_symbolic, common);
    if (!lu->klu_symbolic || !lu->klu_numeric || common->status != KLU_OK) {
        int status = (int)common->status;
        pm_lu_free(lu);
        if (status == KLU_OUT_OF_MEMORY)
            return pm_error_set(PM_ENOMEM, "KLU ran out of memory factorising %s (%lld x %lld, %lld nonzeros); use "
                                "a smaller cutoff N or a sector block", what, (long long)a->n,
                                (long long)a->n, (long long)a->nnz);
        return pm_error_set(PM_ESOLVER, "KLU factorisation of %s failed: %s (status %d); %s", what,
                            klu_status_name(status), status, hint);
    }
    lu->lu_nnz = (int64_t)(((klu_l_numeric *)lu->klu_numeric)->lnz + ((klu_l_numeric *)lu->klu_numeric)->unz);
    return PM_OK;
}

static pm_status factor_umfpack(const lu_input *a, const char *what, const char *hint, pm_lu *lu)
{
    double info[UMFPACK_INFO];
    void *symbolic = NULL;
    int status;
    if (a->real) {
        umfpack_dl_defaults(lu->control);
        /* a given order is symmetric: rows too (else UMFPACK takes the
         * unsymmetric strategy, measured 1000x slower on a folded Liouvillian) */
        if (a->column_order) lu->control[UMFPACK_STRATEGY] = UMFPACK_STRATEGY_SYMMETRIC;
        status = (int)umfpack_dl_qsymbolic(a->n, a->n, a->colptr, a->rowind, a->values, a->column_order, &symbolic,
                                           lu->control, info);
        if (status == UMFPACK_OK)
            status = (int)umfpack_dl_numeric(a->colptr, a->rowind, a->values, symbolic, &lu->numeric, lu->control,
                                             info);
        umfpack_dl_free_symbolic(&symbolic);
    } else { /* packed complex, Az = NULL; the analysis is kept for pm_lu_refactor */
        umfpack_zl_defaults(lu->control);
        if (a->nested_dissection) lu->control[UMFPACK_ORDERING] = UMFPACK_ORDERING_METIS;
        /* METIS keeps its random-number state in a global: concurrent analyses (the
         * spectrum's threads) could order differently and break the results'
         * independence of the thread count (test_correlation failed once without
         * this lock, in 17 runs; never in 12 with it) */
        pthread_mutex_lock(&metis_lock);
        status = (int)umfpack_zl_symbolic(a->n, a->n, a->colptr, a->rowind, a->values, NULL, &lu->symbolic,
                                          lu->control, info);
        pthread_mutex_unlock(&metis_lock);
        if (status != UMFPACK_OK && status != UMFPACK_ERROR_out_of_memory && a->nested_dissection) {
            umfpack_zl_defaults(lu->control); /* a UMFPACK built without METIS: its default ordering */
            status = (int)umfpack_zl_symbolic(a->n, a->n, a->colptr, a->rowind, a->values, NULL, &lu->symbolic,
                                              lu->control, info);
        }
        if (status == UMFPACK_OK)
            status = (int)umfpack_zl_numeric(a->colptr, a->rowind, a->values, NULL, lu->symbolic, &lu->numeric,
                                             lu->control, info);
    }
    if (status == UMFPACK_ERROR_out_of_memory) {
        pm_lu_free(lu);
        return pm_error_set(PM_ENOMEM, "UMFPACK ran out of memory factorising %s (%lld x %lld, "
                            "%lld nonzeros); use a smaller cutoff N or a sector block",
                            what, (long long)a->n, (long long)a->n, (long long)a->nnz);
    }
    if (status != UMFPACK_OK) {
        pm_lu_free(lu);
        return pm_error_set(PM_ESOLVER, "UMFPACK factorisation of %s failed: %s (status %d); %s",
                            what, umfpack_status_name(status), status, hint);
    }
    SuiteSparse_long lnz, unz, n_row, n_col, nz_udiag;
    if (a->real) umfpack_dl_get_lunz(&lnz, &unz, &n_row, &n_col, &nz_udiag, lu->numeric);
    else umfpack_zl_get_lunz(&lnz, &unz, &n_row, &n_col, &nz_udiag, lu->numeric);
    lu->lu_nnz = (int64_t)(lnz + unz);
    return PM_OK;
}

static pm_status factor_complex(const pm_sparse *a, pm_lu_backend backend, int nested_dissection, const char *what,
                                const char *hint, pm_lu *lu)
{
    memset(lu, 0, sizeof *lu);
    lu->matrix = a;
    if (backend == PM_LU_AUTO) backend = pm_lu_uses_band(a) ? PM_LU_BAND : PM_LU_KLU;
    lu->backend = backend;
    lu_input in = {a->ncols, pm_sparse_nnz(a), a->colptr, a->rowind, (const double *)a->values, 0, NULL,
                   nested_dissection};
    if (a->nrows != a->ncols)
        return pm_error_set(PM_EINVAL, "LU of %s: the matrix is %lld x %lld, not square", what,
                            (long long)a->nrows, (long long)a->ncols);
    switch (backend) {
    case PM_LU_BAND: return factor_band(a, what, hint, lu);
    case PM_LU_KLU: return factor_klu(&in, what, hint, lu);
    case PM_LU_UMFPACK: return factor_umfpack(&in, what, hint, lu);
    default: return pm_error_set(PM_EINVAL, "lu backend %d: must be auto, klu, umfpack or band", (int)backend);
    }
}

pm_status pm_lu_factor(const pm_sparse *a, pm_lu_backend backend, const char *what, const char *hint, pm_lu *lu)
{
    return factor_complex(a, backend, 0, what, hint, lu);
}

pm_status pm_lu_factor_for_shifts(const pm_sparse *a, pm_lu_backend backend, const char *what, const char *hint,
                                  pm_lu *lu)
{
    return factor_complex(a, backend, 1, what, hint, lu);
}

pm_status pm_lu_factor_real(const pm_sparse_real *a, const int64_t *column_order, pm_lu_backend backend,
                            const char *what, const char *hint, pm_lu *lu)
{
    memset(lu, 0, sizeof *lu);
    lu->real_matrix = a;
    if (backend == PM_LU_AUTO) backend = PM_LU_KLU;
    lu->backend = backend;
    lu_input in = {a->ncols, a->colptr[a->ncols], a->colptr, a->rowind, a->values, 1, column_order, 0};
    if (a->nrows != a->ncols)
        return pm_error_set(PM_EINVAL, "LU of %s: the matrix is %lld x %lld, not square", what,
                            (long long)a->nrows, (long long)a->ncols);
    switch (backend) {
    case PM_LU_KLU: return factor_klu(&in, what, hint, lu);
    case PM_LU_UMFPACK: return factor_umfpack(&in, what, hint, lu);
    default:
        return pm_error_set(PM_EINVAL, "lu = %s: the real (Hermiticity-folded) LU of %s takes klu or umfpack",
                            pm_lu_backend_name(backend), what);
    }
}

pm_status pm_lu_refactor(pm_lu *lu, const char *what, const char *hint)
{
    const pm_sparse *a = lu->matrix;
    if (lu->band) return band_fill_factor(a, what, hint, 0, lu);
    if (lu->klu_numeric) { /* keep the ordering, pivot afresh (klu_zl_refactor would keep the pivots) */
        klu_l_common *common = lu->klu_common;
        klu_l_numeric *numeric = lu->klu_numeric;
        klu_zl_free_numeric(&numeric, common);
        lu->klu_numeric = klu_zl_factor(a->colptr, a->rowind, (double *)a->values, lu->klu_symbolic, common);
        if (lu->klu_numeric && common->status == KLU_OK) {
            lu->lu_nnz = (int64_t)(((klu_l_numeric *)lu->klu_numeric)->lnz + ((klu_l_numeric *)lu->klu_numeric)->unz);
            return PM_OK;
        }
    }
    if (lu->symbolic) { /* UMFPACK: the kept analysis, a new numeric factorisation */
        double info[UMFPACK_INFO];
        umfpack_zl_free_numeric(&lu->numeric);
        int status = (int)umfpack_zl_numeric(a->colptr, a->rowind, (const double *)a->values, NULL, lu->symbolic,
                                             &lu->numeric, lu->control, info);
        if (status == UMFPACK_OK) {
            SuiteSparse_long lnz, unz, n_row, n_col, nz_udiag;
            umfpack_zl_get_lunz(&lnz, &unz, &n_row, &n_col, &nz_udiag, lu->numeric);
            lu->lu_nnz = (int64_t)(lnz + unz);
            return PM_OK;
        }
        pm_lu_free(lu);
        return status == UMFPACK_ERROR_out_of_memory
                   ? pm_error_set(PM_ENOMEM, "UMFPACK ran out of memory factorising %s", what)
                   : pm_error_set(PM_ESOLVER, "UMFPACK factorisation of %s failed: %s (status %d); %s", what,
                                  umfpack_status_name(status), status, hint);
    }
    pm_lu_backend backend = lu->backend;
    pm_lu_free(lu);
    return pm_lu_factor(a, backend, what, hint, lu);
}

const char *pm_lu_backend_name(pm_lu_backend backend)
{
    switch (backend) {
    case PM_LU_AUTO: return "auto";
    case PM_LU_KLU: return "klu";
    case PM_LU_UMFPACK: return "umfpack";
    case PM_LU_BAND: return "band";
    }
    return "?";
}

static pm_status klu_solve_status(int ok, const klu_l_common *common)
{
    if (ok) return PM_OK;
    return pm_error_set(PM_ESOLVER, "KLU solve failed: %s (status %d)", klu_status_name((int)common->status),
                        (int)common->status);
}

static pm_status umfpack_solve_status(int status)
{
    if (status == UMFPACK_OK) return PM_OK;
    return pm_error_set(PM_ESOLVER, "UMFPACK solve failed: %s (status %d); the factorised "
                        "matrix may be singular", umfpack_status_name(status), status);
}

pm_status pm_lu_solve(const pm_lu *lu, const double complex *b, double complex *x)
{
    const pm_sparse *a = lu->matrix;
    if (lu->backend == PM_LU_KLU) {
        memcpy(x, b, (size_t)a->ncols * sizeof *x);
        klu_l_common *common = lu->klu_common;
        return klu_solve_status(klu_zl_solve(lu->klu_symbolic, lu->klu_numeric, a->ncols, 1, (double *)x, common),
                                common);
    }
    if (lu->band) {
        int one = 1, info = 0;
        memcpy(x, b, (size_t)lu->n * sizeof *x);
        zgbtrs_("N", &lu->n, &lu->kl, &lu->ku, &one, lu->band, &lu->ldab, lu->pivots, x, &lu->n, &info, 1);
        if (info != 0) return pm_error_set(PM_ESOLVER, "LAPACK zgbtrs: argument %d invalid", -info);
        return PM_OK;
    }
    double info[UMFPACK_INFO];
    return umfpack_solve_status((int)umfpack_zl_solve(UMFPACK_A, a->colptr, a->rowind, (const double *)a->values,
                                                      NULL, (double *)x, NULL, (const double *)b, NULL,
                                                      lu->numeric, lu->control, info));
}

pm_status pm_lu_solve_real(const pm_lu *lu, const double *b, double *x)
{
    const pm_sparse_real *a = lu->real_matrix;
    if (lu->backend == PM_LU_KLU) {
        memcpy(x, b, (size_t)a->ncols * sizeof *x);
        klu_l_common *common = lu->klu_common;
        return klu_solve_status(klu_l_solve(lu->klu_symbolic, lu->klu_numeric, a->ncols, 1, x, common), common);
    }
    double info[UMFPACK_INFO];
    return umfpack_solve_status((int)umfpack_dl_solve(UMFPACK_A, a->colptr, a->rowind, a->values, x, b,
                                                      lu->numeric, lu->control, info));
}

pm_status pm_lu_shifted_copy(const pm_sparse *L, double complex shift, int64_t pin,
                             const unsigned char *trace_columns, pm_sparse **out)
{
    int64_t n = L->ncols;
    pm_sparse *a = pm_sparse_alloc(n, n, pm_sparse_nnz(L) + 2 * n);
    if (!a) return pm_error_set(PM_ENOMEM, "out of memory copying a %lld x %lld Liouvillian",
                                (long long)n, (long long)n);
    int64_t pos = 0;
    for (int64_t j = 0; j < n; j++) {
        a->colptr[j] = pos;
        /* the diagonal entry is stored even where L has none */
        /* the replaced row's entry in this column: 1 for the unit row at
         * j = pin, 1 in the trace row at every diagonal-element column */
        int in_pin_row = pin >= 0 && (trace_columns ? trace_columns[j] != 0 : j == pin);
        int need_diag = shift != 0 || j == pin;
        double complex diag_value = j == pin ? 1.0 : -shift;
        int64_t start = pos;
        for (int64_t k = L->colptr[j]; k < L->colptr[j + 1]; k++) {
            int64_t i = L->rowind[k];
            if (i == pin) continue; /* the replaced row */
            if (i == j) {
                a->rowind[pos] = j;
                a->values[pos++] = L->values[k] - shift;
                need_diag = 0;
                continue;
            }
            if (need_diag && i > j && j != pin) {
                a->rowind[pos] = j;
                a->values[pos++] = diag_value;
                need_diag = 0;
            }
            a->rowind[pos] = i;
            a->values[pos++] = L->values[k];
        }
        if (need_diag && j != pin) {
            a->rowind[pos] = j;
            a->values[pos++] = diag_value;
        }
        if (in_pin_row) { /* insert (pin, j) = 1 in row order */
            int64_t at = pos;
            while (at > start && a->rowind[at - 1] > pin) {
                a->rowind[at] = a->rowind[at - 1];
                a->values[at] = a->values[at - 1];
                at--;
            }
            a->rowind[at] = pin;
            a->values[at] = 1.0;
            pos++;
        }
    }
    a->colptr[n] = pos;
    *out = a;
    return PM_OK;
}
