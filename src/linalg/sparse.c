#include "phonomaser/linalg/sparse.h"
#include "linalg/sparse_lu.h" /* pm_sparse_real */

#include <stdlib.h>
#include <string.h>

/* The arrays of a CSC matrix with values of value_size bytes (complex
 * pm_sparse, or the real pm_sparse_real of linalg/sparse_lu.h); 0 on
 * success, -1 (nothing allocated) on failure. */
static int csc_arrays(int64_t ncols, int64_t nnz, size_t value_size, int64_t **colptr, int64_t **rowind,
                      void **values)
{
    *colptr = calloc((size_t)ncols + 1, sizeof **colptr);
    *rowind = malloc((size_t)(nnz > 0 ? nnz : 1) * sizeof **rowind);
    *values = malloc((size_t)(nnz > 0 ? nnz : 1) * value_size);
    if (*colptr && *rowind && *values) return 0;
    free(*colptr), free(*rowind), free(*values);
    return -1;
}

pm_sparse *pm_sparse_alloc(int64_t nrows, int64_t ncols, int64_t nnz)
{
    pm_sparse *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    a->nrows = nrows;
    a->ncols = ncols;
    void *values = NULL;
    if (csc_arrays(ncols, nnz, sizeof *a->values, &a->colptr, &a->rowind, &values) != 0) {
        free(a);
        return NULL;
    }
    a->values = values;
    return a;
}

pm_sparse_real *pm_sparse_real_alloc(int64_t nrows, int64_t ncols, int64_t nnz)
{
    pm_sparse_real *a = calloc(1, sizeof *a);
    if (!a) return NULL;
    a->nrows = nrows;
    a->ncols = ncols;
    void *values = NULL;
    if (csc_arrays(ncols, nnz, sizeof *a->values, &a->colptr, &a->rowind, &values) != 0) {
        free(a);
        return NULL;
    }
    a->values = values;
    return a;
}

void pm_sparse_real_free(pm_sparse_real *a)
{
    if (!a) return;
    free(a->colptr), free(a->rowind), free(a->values);
    free(a);
}

void pm_sparse_free(pm_sparse *a)
{
    if (!a) return;
    free(a->colptr);
    free(a->rowind);
    free(a->values);
    free(a);
}

static pm_status out_of_memory(const char *what)
{
    return pm_error_set(PM_ENOMEM, "out of memory while building %s", what);
}

pm_triplets *pm_triplets_alloc(int64_t nrows, int64_t ncols, int64_t capacity)
{
    pm_triplets *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->nrows = nrows;
    t->ncols = ncols;
    t->capacity = capacity > 16 ? capacity : 16;
    t->row = malloc((size_t)t->capacity * sizeof *t->row);
    t->col = malloc((size_t)t->capacity * sizeof *t->col);
    t->value = malloc((size_t)t->capacity * sizeof *t->value);
    if (!t->row || !t->col || !t->value) {
        pm_triplets_free(t);
        return NULL;
    }
    return t;
}

void pm_triplets_free(pm_triplets *t)
{
    if (!t) return;
    free(t->row);
    free(t->col);
    free(t->value);
    free(t);
}

pm_status pm_triplets_add(pm_triplets *t, int64_t row, int64_t col, double complex value)
{
    if (t->count == t->capacity) {
        int64_t cap = t->capacity * 2;
        int64_t *r = realloc(t->row, (size_t)cap * sizeof *r);
        if (r) t->row = r;
        int64_t *c = realloc(t->col, (size_t)cap * sizeof *c);
        if (c) t->col = c;
        double complex *v = realloc(t->value, (size_t)cap * sizeof *v);
        if (v) t->value = v;
        if (!r || !c || !v) return out_of_memory("a sparse matrix");
        t->capacity = cap;
    }
    t->row[t->count] = row;
    t->col[t->count] = col;
    t->value[t->count] = value;
    t->count++;
    return PM_OK;
}

/* Counting sort by column, then by row within each column, then merge
 * duplicates: O(nnz + nrows + ncols), no comparison sort. */
pm_status pm_sparse_from_triplets(const pm_triplets *t, pm_sparse **out)
{
    *out = NULL;
    int64_t nnz = t->count;
    int64_t *count = calloc((size_t)(t->nrows > t->ncols ? t->nrows : t->ncols) + 1, sizeof *count);
    int64_t *by_row = malloc((size_t)(nnz > 0 ? nnz : 1) * sizeof *by_row);
    int64_t *by_col = malloc((size_t)(nnz > 0 ? nnz : 1) * sizeof *by_col);
    pm_sparse *a = pm_sparse_alloc(t->nrows, t->ncols, nnz);
    if (!count || !by_row || !by_col || !a) {
        free(count), free(by_row), free(by_col), pm_sparse_free(a);
        return out_of_memory("a sparse matrix");
    }
    for (int64_t e = 0; e < nnz; e++) {
        if (t->row[e] < 0 || t->row[e] >= t->nrows || t->col[e] < 0 || t->col[e] >= t->ncols) {
            free(count), free(by_row), free(by_col), pm_sparse_free(a);
            return pm_error_set(PM_EINVAL, "sparse entry (%lld, %lld) outside a %lld x %lld matrix",
                                (long long)t->row[e], (long long)t->col[e], (long long)t->nrows,
                                (long long)t->ncols);
        }
    }
    /* pass 1: stable sort by row */
    for (int64_t e = 0; e < nnz; e++) count[t->row[e] + 1]++;
    for (int64_t r = 0; r < t->nrows; r++) count[r + 1] += count[r];
    for (int64_t e = 0; e < nnz; e++) by_row[count[t->row[e]]++] = e;
    /* pass 2: stable sort by column keeps rows increasing inside a column */
    memset(count, 0, ((size_t)t->ncols + 1) * sizeof *count);
    for (int64_t e = 0; e < nnz; e++) count[t->col[e] + 1]++;
    for (int64_t c = 0; c < t->ncols; c++) count[c + 1] += count[c];
    for (int64_t k = 0; k < nnz; k++) {
        int64_t e = by_row[k];
        by_col[count[t->col[e]]++] = e;
    }
    /* merge duplicates, drop exact zeros */
    int64_t pos = 0, k = 0;
    for (int64_t c = 0; c < t->ncols; c++) {
        a->colptr[c] = pos;
        while (k < nnz && t->col[by_col[k]] == c) {
            int64_t r = t->row[by_col[k]];
            double complex sum = 0;
            while (k < nnz && t->col[by_col[k]] == c && t->row[by_col[k]] == r) sum += t->value[by_col[k++]];
            if (sum != 0) {
                a->rowind[pos] = r;
                a->values[pos] = sum;
                pos++;
            }
        }
    }
    a->colptr[t->ncols] = pos;
    free(count), free(by_row), free(by_col);
    *out = a;
    return PM_OK;
}

pm_status pm_sparse_copy(const pm_sparse *a, pm_sparse **out)
{
    int64_t nnz = pm_sparse_nnz(a);
    pm_sparse *b = pm_sparse_alloc(a->nrows, a->ncols, nnz);
    if (!b) return out_of_memory("a sparse matrix copy");
    memcpy(b->colptr, a->colptr, ((size_t)a->ncols + 1) * sizeof *b->colptr);
    memcpy(b->rowind, a->rowind, (size_t)nnz * sizeof *b->rowind);
    memcpy(b->values, a->values, (size_t)nnz * sizeof *b->values);
    *out = b;
    return PM_OK;
}

pm_status pm_sparse_identity(int64_t n, pm_sparse **out)
{
    pm_sparse *a = pm_sparse_alloc(n, n, n);
    if (!a) return out_of_memory("an identity matrix");
    for (int64_t i = 0; i < n; i++) {
        a->colptr[i] = i;
        a->rowind[i] = i;
        a->values[i] = 1.0;
    }
    a->colptr[n] = n;
    *out = a;
    return PM_OK;
}

/* A transpose by counting the entries of each row: visiting the columns of
 * `a` in order leaves the rows of every column of the result sorted. */
pm_status pm_sparse_adjoint(const pm_sparse *a, pm_sparse **out)
{
    const int64_t nnz = pm_sparse_nnz(a);
    pm_sparse *t = pm_sparse_alloc(a->ncols, a->nrows, nnz);
    int64_t *next = calloc((size_t)a->nrows + 1, sizeof *next);
    if (!t || !next) {
        pm_sparse_free(t), free(next);
        return out_of_memory("an adjoint");
    }
    /* stored zeros are dropped, as pm_sparse_from_triplets drops them */
    for (int64_t k = 0; k < nnz; k++) next[a->rowind[k] + 1] += a->values[k] != 0;
    for (int64_t r = 0; r < a->nrows; r++) next[r + 1] += next[r];
    memcpy(t->colptr, next, ((size_t)a->nrows + 1) * sizeof *next);
    for (int64_t c = 0; c < a->ncols; c++)
        for (int64_t k = a->colptr[c]; k < a->colptr[c + 1]; k++) {
            if (a->values[k] == 0) continue;
            int64_t at = next[a->rowind[k]]++;
            t->rowind[at] = c;
            t->values[at] = conj(a->values[k]);
        }
    free(next);
    *out = t;
    return PM_OK;
}

/* Column by column (Gustavson): the products a(:, mid) b(mid, c) of
 * column c are summed in a dense accumulator in the order the triplet path
 * summed them (kb, then ka), so the result is the same to the bit; the
 * rows of the column are then sorted (insertion sort: a handful). */
pm_status pm_sparse_multiply(const pm_sparse *a, const pm_sparse *b, pm_sparse **out)
{
    if (a->ncols != b->nrows)
        return pm_error_set(PM_EINVAL, "matrix product of %lldx%lld and %lldx%lld",
                            (long long)a->nrows, (long long)a->ncols, (long long)b->nrows,
                            (long long)b->ncols);
    int64_t capacity = pm_sparse_nnz(a) + pm_sparse_nnz(b) + 16;
    pm_sparse *p = pm_sparse_alloc(a->nrows, b->ncols, capacity);
    double complex *sum = calloc((size_t)a->nrows + 1, sizeof *sum);
    int64_t *seen = malloc(((size_t)a->nrows + 1) * sizeof *seen); /* column that last touched the row */
    if (!p || !sum || !seen) {
        pm_sparse_free(p), free(sum), free(seen);
        return out_of_memory("a matrix product");
    }
    for (int64_t r = 0; r < a->nrows; r++) seen[r] = -1;
    int64_t pos = 0;
    for (int64_t c = 0; c < b->ncols; c++) {
        p->colptr[c] = pos;
        const int64_t first = pos;
        for (int64_t kb = b->colptr[c]; kb < b->colptr[c + 1]; kb++) {
            int64_t mid = b->rowind[kb];
            for (int64_t ka = a->colptr[mid]; ka < a->colptr[mid + 1]; ka++) {
                int64_t r = a->rowind[ka];
                if (seen[r] != c) {
                    seen[r] = c;
                    sum[r] = 0;
                    if (pos == capacity) {
                        capacity *= 2;
                        int64_t *ri = realloc(p->rowind, (size_t)capacity * sizeof *ri);
                        if (ri) p->rowind = ri;
                        double complex *v = realloc(p->values, (size_t)capacity * sizeof *v);
                        if (v) p->values = v;
                        if (!ri || !v) {
                            pm_sparse_free(p), free(sum), free(seen);
                            return out_of_memory("a matrix product");
                        }
                    }
                    p->rowind[pos++] = r;
                }
                sum[r] += a->values[ka] * b->values[kb];
            }
        }
        for (int64_t e = first + 1; e < pos; e++) { /* rows in order */
            int64_t r = p->rowind[e], f = e - 1;
            while (f >= first && p->rowind[f] > r) {
                p->rowind[f + 1] = p->rowind[f];
                f--;
            }
            p->rowind[f + 1] = r;
        }
        int64_t kept = first; /* products that cancel exactly are dropped, as pm_sparse_from_triplets does */
        for (int64_t e = first; e < pos; e++)
            if (sum[p->rowind[e]] != 0) {
                p->values[kept] = sum[p->rowind[e]];
                p->rowind[kept++] = p->rowind[e];
            }
        pos = kept;
    }
    p->colptr[b->ncols] = pos;
    free(sum), free(seen);
    *out = p;
    return PM_OK;
}

/* Both operands' columns are sorted by row, so their sum is a merge, column
 * by column (the triplet path sorted every entry again: a tenth of a
 * compare point's model building at N = 4163).  Entries that cancel
 * exactly are dropped, as pm_sparse_from_triplets does. */
pm_status pm_sparse_add(double complex alpha, const pm_sparse *a, double complex beta,
                        const pm_sparse *b, pm_sparse **out)
{
    if (a->nrows != b->nrows || a->ncols != b->ncols)
        return pm_error_set(PM_EINVAL, "matrix sum of different shapes");
    pm_sparse *sum = pm_sparse_alloc(a->nrows, a->ncols, pm_sparse_nnz(a) + pm_sparse_nnz(b));
    if (!sum) return out_of_memory("a matrix sum");
    int64_t pos = 0;
    for (int64_t c = 0; c < a->ncols; c++) {
        sum->colptr[c] = pos;
        int64_t ka = a->colptr[c], kb = b->colptr[c];
        const int64_t ea = a->colptr[c + 1], eb = b->colptr[c + 1];
        while (ka < ea || kb < eb) {
            int64_t row;
            double complex value;
            if (kb == eb || (ka < ea && a->rowind[ka] < b->rowind[kb])) {
                row = a->rowind[ka], value = alpha * a->values[ka++];
            } else if (ka == ea || b->rowind[kb] < a->rowind[ka]) {
                row = b->rowind[kb], value = beta * b->values[kb++];
            } else { /* the same row in both */
                row = a->rowind[ka];
                value = alpha * a->values[ka++];
                value += beta * b->values[kb++];
            }
            if (value == 0) continue;
            sum->rowind[pos] = row;
            sum->values[pos++] = value;
        }
    }
    sum->colptr[a->ncols] = pos;
    *out = sum;
    return PM_OK;
}

/* Column ca * b->ncols + cb of a (x) b holds the rows ra * b->nrows + rb of
 * column ca of a and column cb of b: in increasing order when both columns
 * are, so the product is written directly (no triplet sort). */
pm_status pm_sparse_kron(const pm_sparse *a, const pm_sparse *b, pm_sparse **out)
{
    pm_sparse *k = pm_sparse_alloc(a->nrows * b->nrows, a->ncols * b->ncols, pm_sparse_nnz(a) * pm_sparse_nnz(b));
    if (!k) return out_of_memory("a Kronecker product");
    int64_t pos = 0;
    for (int64_t ca = 0; ca < a->ncols; ca++)
        for (int64_t cb = 0; cb < b->ncols; cb++) {
            k->colptr[ca * b->ncols + cb] = pos;
            for (int64_t ka = a->colptr[ca]; ka < a->colptr[ca + 1]; ka++)
                for (int64_t kb = b->colptr[cb]; kb < b->colptr[cb + 1]; kb++) {
                    double complex value = a->values[ka] * b->values[kb];
                    if (value == 0) continue; /* underflow: dropped like pm_sparse_from_triplets */
                    k->rowind[pos] = a->rowind[ka] * b->nrows + b->rowind[kb];
                    k->values[pos++] = value;
                }
        }
    k->colptr[a->ncols * b->ncols] = pos;
    *out = k;
    return PM_OK;
}

double complex pm_sparse_get(const pm_sparse *a, int64_t row, int64_t col)
{
    int64_t lo = a->colptr[col], hi = a->colptr[col + 1];
    while (lo < hi) { /* binary search: rows are sorted within a column */
        int64_t mid = lo + (hi - lo) / 2;
        if (a->rowind[mid] < row) lo = mid + 1;
        else hi = mid;
    }
    return (lo < a->colptr[col + 1] && a->rowind[lo] == row) ? a->values[lo] : 0;
}

void pm_sparse_matvec(const pm_sparse *a, const double complex *x, double complex *y)
{
    for (int64_t r = 0; r < a->nrows; r++) y[r] = 0;
    for (int64_t c = 0; c < a->ncols; c++) {
        double complex xc = x[c];
        if (xc == 0) continue;
        for (int64_t k = a->colptr[c]; k < a->colptr[c + 1]; k++) y[a->rowind[k]] += a->values[k] * xc;
    }
}
