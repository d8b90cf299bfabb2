/* The Hermiticity-folded direct steady state (hermitian_fold.h).
 *
 * Folding, for a representative unknown x_c = a + i b (real unknowns a, b
 * at columns r_c, r_c + 1) and an element q that is c (sigma = +1) or its
 * partner (x_q = conj(x_c), sigma = -1), an entry L[r, q] = alpha + i beta
 * of the row of a representative r (equations at rows r_r, r_r + 1) adds
 *   L[r, q] x_q = (alpha a - sigma beta b) + i (beta a + sigma alpha b):
 *   row r_r:     alpha at r_c,   -sigma beta at r_c + 1
 *   row r_r + 1: beta  at r_c,    sigma alpha at r_c + 1
 * (diagonal elements have no b and no Im row).  The rows of the partners
 * are not written: for Hermitian x, (L x)_{r'} = conj((L x)_r).
 *
 * Measured (phonomaser steady -c data/table1.ini --set model=dressed, UMFPACK
 * info; LU entries are complex (16 bytes) for the complex LU, real (8) here):
 *   N = 400, K = 21 (32718 unknowns): complex LU 2.83e9 flops, 4.6e6
 *     entries; real, UMFPACK's AMD on the real pattern 2.04e9 flops, 7.8e6
 *     (AMD does not see that Re and Im of a pair belong together); real, AMD
 *     on the pairs (pair_order) 6.7e8 flops, 5.1e6 entries;
 *   N = 1850, K = 21 (154518 unknowns): complex 1.38e10 flops, 2.21e7
 *     entries (354 MB); real with pair_order 3.25e9 flops, 2.44e7 entries
 *     (195 MB), peak RSS 613 -> 489 MB.  The numeric factorisation takes
 *     about half the time; UMFPACK's symbolic analysis does not shrink
 *     (0.8 s -> 1.1 s), so the whole solve is ~1.5x faster (README,
 *     Benchmarks).  Real KLU (COLAMD) needs 5.2e7 entries and 12 s there:
 *     the fold goes to UMFPACK like the complex coupled blocks. */
#include "solvers/hermitian_fold.h"

#include <amd.h>
#include <math.h>
#include <stdlib.h>

/* glibc defines the C11 CMPLX only for GCC >= 4.7; clang (the fuzz build,
 * tools/run_fuzz.sh) has the builtin it stands for */
#ifndef CMPLX
#define CMPLX(x, y) __builtin_complex((double)(x), (double)(y))
#endif
#include <string.h>

void pm_fold_free(pm_fold *fold)
{
    free(fold->partner);
    free(fold->real_index);
    fold->partner = fold->real_index = NULL;
    fold->size = 0;
}

pm_status pm_fold_init(const pm_block *block, pm_fold *fold)
{
    int64_t n = block->size;
    memset(fold, 0, sizeof *fold);
    fold->partner = malloc((size_t)n * sizeof *fold->partner);
    fold->real_index = malloc((size_t)n * sizeof *fold->real_index);
    if (!fold->partner || !fold->real_index) {
        pm_fold_free(fold);
        return pm_error_set(PM_ENOMEM, "out of memory for the Hermitian fold of a block of size %lld",
                            (long long)n);
    }
    fold->size = n;
    int64_t next = 0;
    for (int64_t p = 0; p < n; p++) {
        int64_t partner = pm_block_find(block, block->col[p], block->row[p]);
        if (partner < 0) {
            int64_t i = block->row[p], j = block->col[p];
            pm_fold_free(fold);
            return pm_error_set(PM_EINVAL, "real_fold: the block holds rho[%lld][%lld] but not rho[%lld][%lld]: "
                                "it is not closed under transposition; use real_fold = auto or off",
                                (long long)i, (long long)j, (long long)j, (long long)i);
        }
        fold->partner[p] = partner;
        if (partner < p) {
            fold->real_index[p] = fold->real_index[partner];
        } else {
            fold->real_index[p] = next;
            next += partner == p ? 1 : 2;
        }
    }
    return PM_OK;
}

/* Entry (row, column) of L by bisection in the (sorted) column; 0 if absent. */
static double complex entry(const pm_sparse *L, int64_t row, int64_t column)
{
    int64_t lo = L->colptr[column], hi = L->colptr[column + 1];
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (L->rowind[mid] < row) lo = mid + 1;
        else hi = mid;
    }
    return lo < L->colptr[column + 1] && L->rowind[lo] == row ? L->values[lo] : 0;
}

static double column_max(const pm_sparse *L, int64_t column)
{
    double largest = 0;
    for (int64_t k = L->colptr[column]; k < L->colptr[column + 1]; k++)
        if (cabs(L->values[k]) > largest) largest = cabs(L->values[k]);
    return largest;
}

pm_status pm_fold_check_hermitian(const pm_fold *fold, const pm_sparse *L)
{
    /* Entries are the same sums of conjugated terms added in another order:
     * they agree to rounding of the largest entry of the column. */
    const double tolerance = 1e-12;
    for (int64_t q = 0; q < L->ncols; q++) {
        int64_t qp = fold->partner[q];
        double scale = fmax(column_max(L, q), column_max(L, qp));
        for (int64_t k = L->colptr[q]; k < L->colptr[q + 1]; k++) {
            int64_t r = L->rowind[k];
            double complex mirror = entry(L, fold->partner[r], qp);
            if (cabs(mirror - conj(L->values[k])) > tolerance * scale)
                return pm_error_set(PM_EINVAL, "real_fold: the Liouvillian does not map Hermitian matrices to "
                                    "Hermitian ones (entry (%lld, %lld) = %.6g%+.6gi, its mirror %.6g%+.6gi; a "
                                    "non-Hermitian Hamiltonian?); use real_fold = auto or off",
                                    (long long)r, (long long)q, creal(L->values[k]), cimag(L->values[k]),
                                    creal(mirror), cimag(mirror));
        }
    }
    return PM_OK;
}

/* Entries of one real column, merged by row. */
typedef struct {
    int64_t count, capacity;
    int64_t *row;
    double *value;
} real_column;

static pm_status column_add(real_column *c, int64_t row, double value)
{
    if (value == 0) return PM_OK;
    if (c->count == c->capacity) {
        int64_t cap = c->capacity ? 2 * c->capacity : 64;
        int64_t *r = realloc(c->row, (size_t)cap * sizeof *r);
        if (r) c->row = r;
        double *v = realloc(c->value, (size_t)cap * sizeof *v);
        if (v) c->value = v;
        if (!r || !v) return pm_error_set(PM_ENOMEM, "out of memory folding a Liouvillian");
        c->capacity = cap;
    }
    c->row[c->count] = row;
    c->value[c->count] = value;
    c->count++;
    return PM_OK;
}

/* Sort by row (insertion sort: a column holds a few dozen entries), sum
 * duplicates, drop exact zeros, append as the next column of a (growing it
 * as needed). */
static pm_status column_flush(real_column *c, pm_sparse_real *a, int64_t *capacity)
{
    for (int64_t s = 1; s < c->count; s++) {
        int64_t r = c->row[s];
        double v = c->value[s];
        int64_t t = s - 1;
        for (; t >= 0 && c->row[t] > r; t--) {
            c->row[t + 1] = c->row[t];
            c->value[t + 1] = c->value[t];
        }
        c->row[t + 1] = r;
        c->value[t + 1] = v;
    }
    int64_t nnz = a->colptr[a->ncols];
    for (int64_t e = 0; e < c->count;) {
        int64_t r = c->row[e];
        double sum = 0;
        while (e < c->count && c->row[e] == r) sum += c->value[e++];
        if (sum == 0) continue;
        if (nnz == *capacity) {
            int64_t cap = 2 * *capacity;
            int64_t *ri = realloc(a->rowind, (size_t)cap * sizeof *ri);
            if (ri) a->rowind = ri;
            double *v = realloc(a->values, (size_t)cap * sizeof *v);
            if (v) a->values = v;
            if (!ri || !v) return pm_error_set(PM_ENOMEM, "out of memory folding a Liouvillian");
            *capacity = cap;
        }
        a->rowind[nnz] = r;
        a->values[nnz++] = sum;
    }
    a->colptr[++a->ncols] = nnz; /* ncols counts the columns written so far */
    c->count = 0;
    return PM_OK;
}

pm_status pm_fold_matrix(const pm_fold *fold, const pm_sparse *L, int64_t trace_element, int64_t ndiag,
                         const int64_t *diag, pm_sparse_real **out)
{
    *out = NULL;
    const int64_t n = fold->size, trace_row = fold->real_index[trace_element];
    int64_t capacity = 2 * pm_sparse_nnz(L) + n + 16;
    pm_sparse_real *a = pm_sparse_real_alloc(n, n, capacity);
    unsigned char *is_diagonal = calloc((size_t)n, 1);
    real_column re = {0}, im = {0};
    pm_status s = a && is_diagonal ? PM_OK
                                   : pm_error_set(PM_ENOMEM, "out of memory folding a Liouvillian of size %lld",
                                                  (long long)n);
    for (int64_t q = 0; q < ndiag && s == PM_OK; q++) is_diagonal[diag[q]] = 1;
    if (a) a->ncols = 0; /* columns are appended */
    for (int64_t c = 0; c < n && s == PM_OK; c++) {
        int64_t cp = fold->partner[c];
        if (cp < c) continue; /* not a representative */
        const int offdiagonal = cp != c;
        for (int pass = 0; pass <= offdiagonal && s == PM_OK; pass++) {
            int64_t q = pass ? cp : c;
            double sigma = pass ? -1.0 : 1.0;
            for (int64_t k = L->colptr[q]; k < L->colptr[q + 1] && s == PM_OK; k++) {
                int64_t r = L->rowind[k];
                if (fold->partner[r] < r) continue; /* the row of a partner */
                int64_t rr = fold->real_index[r];
                if (rr == trace_row) continue; /* replaced by the trace row */
                double alpha = creal(L->values[k]), beta = cimag(L->values[k]);
                s = column_add(&re, rr, alpha);
                if (s == PM_OK && offdiagonal) s = column_add(&im, rr, -sigma * beta);
                if (fold->partner[r] != r) {
                    if (s == PM_OK) s = column_add(&re, rr + 1, beta);
                    if (s == PM_OK && offdiagonal) s = column_add(&im, rr + 1, sigma * alpha);
                }
            }
        }
        if (s == PM_OK && is_diagonal[c]) s = column_add(&re, trace_row, 1.0);
        if (s == PM_OK) s = column_flush(&re, a, &capacity);
        if (s == PM_OK && offdiagonal) s = column_flush(&im, a, &capacity);
    }
    free(re.row), free(re.value), free(im.row), free(im.value);
    free(is_diagonal);
    if (s == PM_OK && a->ncols != n)
        s = pm_error_set(PM_EINVAL, "real_fold: %lld real unknowns for a block of %lld elements", (long long)a->ncols,
                         (long long)n);
    if (s != PM_OK) {
        pm_sparse_real_free(a);
        return s;
    }
    *out = a;
    return PM_OK;
}

void pm_fold_unfold(const pm_fold *fold, const double *u, double complex *x)
{
    for (int64_t p = 0; p < fold->size; p++) {
        int64_t partner = fold->partner[p], r = fold->real_index[p];
        if (partner == p) x[p] = u[r];
        else if (partner > p) x[p] = CMPLX(u[r], u[r + 1]);
        else x[p] = CMPLX(u[r], -u[r + 1]);
    }
}

/* A fill-reducing order of the real unknowns: AMD on the pattern of the
 * pairs {rho_ij, rho_ji} (one node per representative, its unknowns kept
 * together), expanded to the real columns.  AMD on the real matrix itself
 * does not see the 2x2 structure: see pm_fold_steady for the fill. */
static pm_status pair_order(const pm_fold *fold, const pm_sparse_real *a, int64_t **out)
{
    const int64_t n = fold->size;
    int64_t nodes = 0;
    int64_t *node_of = malloc((size_t)n * sizeof *node_of);   /* real unknown -> pair */
    int64_t *first = malloc((size_t)(n + 1) * sizeof *first); /* pair -> its first real unknown */
    int64_t *bp = malloc((size_t)(n + 1) * sizeof *bp);
    int64_t *bi = malloc((size_t)(a->colptr[n] > 0 ? a->colptr[n] : 1) * sizeof *bi);
    int64_t *mark = malloc((size_t)n * sizeof *mark);
    int64_t *perm = malloc((size_t)n * sizeof *perm);
    int64_t *order = malloc((size_t)n * sizeof *order);
    pm_status s = PM_OK;
    if (!node_of || !first || !bp || !bi || !mark || !perm || !order)
        s = pm_error_set(PM_ENOMEM, "out of memory ordering a folded Liouvillian of size %lld", (long long)n);
    for (int64_t p = 0; p < n && s == PM_OK; p++) {
        if (fold->partner[p] < p) continue;
        first[nodes] = fold->real_index[p];
        for (int64_t r = fold->real_index[p]; r < fold->real_index[p] + (fold->partner[p] == p ? 1 : 2); r++)
            node_of[r] = nodes;
        nodes++;
    }
    if (s == PM_OK) {
        first[nodes] = n;
        int64_t nnz = 0;
        for (int64_t b = 0; b < n; b++) mark[b] = -1;
        for (int64_t b = 0; b < nodes; b++) {
            bp[b] = nnz;
            for (int64_t c = first[b]; c < first[b + 1]; c++)
                for (int64_t k = a->colptr[c]; k < a->colptr[c + 1]; k++) {
                    int64_t node = node_of[a->rowind[k]];
                    if (mark[node] == b) continue;
                    mark[node] = b;
                    bi[nnz++] = node;
                }
        }
        bp[nodes] = nnz;
        /* AMD wants sorted columns without duplicates for speed only: it
         * accepts jumbled ones (AMD_OK_BUT_JUMBLED) */
        int64_t amd = amd_l_order(nodes, bp, bi, perm, NULL, NULL);
        if (amd != AMD_OK && amd != AMD_OK_BUT_JUMBLED)
            s = amd == AMD_OUT_OF_MEMORY ? pm_error_set(PM_ENOMEM, "AMD ran out of memory ordering a folded "
                                                        "Liouvillian of size %lld", (long long)n)
                                         : pm_error_set(PM_ESOLVER, "AMD ordering of a folded Liouvillian failed "
                                                        "(status %lld)", (long long)amd);
    }
    if (s == PM_OK) {
        int64_t pos = 0;
        for (int64_t k = 0; k < nodes; k++)
            for (int64_t c = first[perm[k]]; c < first[perm[k] + 1]; c++) order[pos++] = c;
    }
    free(node_of), free(first), free(bp), free(bi), free(mark), free(perm);
    if (s != PM_OK) {
        free(order);
        return s;
    }
    *out = order;
    return PM_OK;
}

/* The real LU for a requested backend (AUTO: UMFPACK for coupled sectors,
 * as their complex LU, KLU otherwise), or PM_LU_AUTO if `mode` does not
 * fold this block: PM_FOLD_AUTO folds coupled sectors only (measured at the
 * top of this file; the full block, KLU, in README Benchmarks), never with
 * lu = band. */
static pm_lu_backend fold_backend(const pm_block *block, pm_real_fold mode, pm_lu_backend requested)
{
    int coupled = block->sector == PM_SECTOR_COUPLED;
    if (mode == PM_FOLD_OFF || (mode == PM_FOLD_AUTO && (!coupled || requested == PM_LU_BAND))) return PM_LU_AUTO;
    if (requested != PM_LU_AUTO) return requested;
    return coupled ? PM_LU_UMFPACK : PM_LU_KLU;
}

static pm_status check_stop(const pm_stop_flag *stop, const char *where)
{
    if (PM_STOP_REQUESTED(stop)) return pm_error_set(PM_EINTERRUPT, "steady state: stopped by caller %s", where);
    return PM_OK;
}

pm_status pm_fold_steady(const pm_block *block, pm_real_fold mode, pm_lu_backend requested,
                         const pm_stop_flag *stop, int64_t ndiag, const int64_t *diag, double complex *x,
                         pm_steady_info *info, int *folded)
{
    *folded = 0;
    pm_lu_backend backend = fold_backend(block, mode, requested);
    if (backend == PM_LU_AUTO) return PM_OK;
    if (backend == PM_LU_BAND)
        return pm_error_set(PM_EINVAL, "real_fold = on takes lu = auto, klu or umfpack, not band");
    pm_fold fold;
    pm_status status = pm_fold_init(block, &fold);
    if (status == PM_OK) status = pm_fold_check_hermitian(&fold, block->L);
    if (status == PM_EINVAL && mode == PM_FOLD_AUTO) { /* cannot fold: the complex path */
        pm_fold_free(&fold);
        pm_error_clear();
        return PM_OK;
    }
    pm_sparse_real *a = NULL;
    double *u = NULL, *rhs = NULL;
    pm_lu lu = {0};
    if (status == PM_OK) status = check_stop(stop, "before the factorisation");
    if (status == PM_OK) status = pm_fold_matrix(&fold, block->L, diag[0], ndiag, diag, &a);
    if (status == PM_OK) {
        u = malloc((size_t)fold.size * sizeof *u);
        rhs = calloc((size_t)fold.size, sizeof *rhs);
        if (!u || !rhs)
            status = pm_error_set(PM_ENOMEM, "out of memory for a steady state of size %lld", (long long)fold.size);
    }
    int64_t *order = NULL;
    if (status == PM_OK) status = pair_order(&fold, a, &order);
    if (status == PM_OK)
        status = pm_lu_factor_real(a, order, backend, "the real (Hermiticity-folded) Liouvillian with the trace row",
                                   "the block has more than one steady state: try method ARPACK", &lu);
    if (status == PM_OK) status = check_stop(stop, "after the factorisation");
    if (status == PM_OK) {
        rhs[fold.real_index[diag[0]]] = 1;
        status = pm_lu_solve_real(&lu, rhs, u);
    }
    if (status == PM_OK) {
        pm_fold_unfold(&fold, u, x);
        info->lu_nnz = lu.lu_nnz;
        info->matrix_nnz = a->colptr[a->ncols];
        info->real_fold = 1;
        *folded = 1;
    }
    pm_lu_free(&lu);
    pm_sparse_real_free(a);
    free(order);
    free(u);
    free(rhs);
    pm_fold_free(&fold);
    return status;
}
