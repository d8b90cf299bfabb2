/* UMFPACK LU of a complex sparse matrix (umfpack_lu.h). */
#include "umfpack_lu.h"

#include <string.h>

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
    if (lu->numeric) umfpack_zl_free_numeric(&lu->numeric);
    lu->numeric = NULL;
}

pm_status pm_lu_factor(const pm_sparse *a, const char *what, const char *hint, pm_lu *lu)
{
    memset(lu, 0, sizeof *lu);
    lu->matrix = a;
    umfpack_zl_defaults(lu->control);
    double info[UMFPACK_INFO];
    void *symbolic = NULL;
    const double *ax = (const double *)a->values; /* packed complex, Az = NULL */
    int status = (int)umfpack_zl_symbolic(a->nrows, a->ncols, a->colptr, a->rowind, ax, NULL,
                                          &symbolic, lu->control, info);
    if (status == UMFPACK_OK)
        status = (int)umfpack_zl_numeric(a->colptr, a->rowind, ax, NULL, symbolic, &lu->numeric,
                                         lu->control, info);
    umfpack_zl_free_symbolic(&symbolic);
    if (status == UMFPACK_ERROR_out_of_memory) {
        pm_lu_free(lu);
        return pm_error_set(PM_ENOMEM, "UMFPACK ran out of memory factorising %s (%lld x %lld, "
                            "%lld nonzeros); use a smaller cutoff N or a sector block",
                            what, (long long)a->nrows, (long long)a->ncols,
                            (long long)pm_sparse_nnz(a));
    }
    if (status != UMFPACK_OK) {
        pm_lu_free(lu);
        return pm_error_set(PM_ESOLVER, "UMFPACK factorisation of %s failed: %s (status %d); %s",
                            what, umfpack_status_name(status), status, hint);
    }
    SuiteSparse_long lnz, unz, n_row, n_col, nz_udiag;
    umfpack_zl_get_lunz(&lnz, &unz, &n_row, &n_col, &nz_udiag, lu->numeric);
    lu->lu_nnz = (int64_t)(lnz + unz);
    return PM_OK;
}

pm_status pm_lu_solve(const pm_lu *lu, const double complex *b, double complex *x)
{
    const pm_sparse *a = lu->matrix;
    double info[UMFPACK_INFO];
    int status = (int)umfpack_zl_solve(UMFPACK_A, a->colptr, a->rowind, (const double *)a->values,
                                       NULL, (double *)x, NULL, (const double *)b, NULL,
                                       lu->numeric, lu->control, info);
    if (status != UMFPACK_OK)
        return pm_error_set(PM_ESOLVER, "UMFPACK solve failed: %s (status %d); the factorised "
                            "matrix may be singular", umfpack_status_name(status), status);
    return PM_OK;
}

pm_status pm_lu_shifted_copy(const pm_sparse *L, double complex shift, int64_t pin, pm_sparse **out)
{
    int64_t n = L->ncols;
    pm_sparse *a = pm_sparse_alloc(n, n, pm_sparse_nnz(L) + n);
    if (!a) return pm_error_set(PM_ENOMEM, "out of memory copying a %lld x %lld Liouvillian",
                                (long long)n, (long long)n);
    int64_t pos = 0;
    for (int64_t j = 0; j < n; j++) {
        a->colptr[j] = pos;
        /* the diagonal entry is stored even where L has none */
        int need_diag = shift != 0 || j == pin;
        double complex diag_value = j == pin ? 1.0 : -shift;
        for (int64_t k = L->colptr[j]; k < L->colptr[j + 1]; k++) {
            int64_t i = L->rowind[k];
            if (i == pin && j != pin) continue; /* the replaced row */
            if (i == j) {
                a->rowind[pos] = j;
                a->values[pos++] = j == pin ? 1.0 : L->values[k] - shift;
                need_diag = 0;
                continue;
            }
            if (need_diag && i > j) {
                a->rowind[pos] = j;
                a->values[pos++] = diag_value;
                need_diag = 0;
            }
            a->rowind[pos] = i;
            a->values[pos++] = L->values[k];
        }
        if (need_diag) {
            a->rowind[pos] = j;
            a->values[pos++] = diag_value;
        }
    }
    a->colptr[n] = pos;
    *out = a;
    return PM_OK;
}
