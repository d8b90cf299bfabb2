#include "phonomaser/liouvillian/liouvillian.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* L rho = K rho + rho K^dag + sum_mu rate_mu J_mu rho J_mu^dag  with the
 * non-Hermitian effective generator K = -i H - (1/2) sum_mu rate_mu J^dag J.
 * This is Eq. (B9) regrouped: K rho + rho K^dag = -i[H, rho] - (1/2){sum rate J^dag J, rho}.
 * Column q of L (input element rho_{i'j'}) receives
 *   K_{i i'}              at output element (i, j')
 *   conj(K_{j j'})        at output element (i', j)
 *   rate J_{i i'} conj(J_{j j'}) at output element (i, j),
 * so every entry comes from columns i' and j' of K and J (CSC): the full and
 * sector blocks are built by the same loop, only their element lists differ. */

void pm_block_free(pm_block *block)
{
    if (!block) return;
    free(block->row);
    free(block->col);
    free(block->key_sorted);
    free(block->key_pos);
    free(block->key_col_start);
    pm_sparse_free(block->L);
    free(block);
}

int64_t pm_block_find(const pm_block *block, int64_t i, int64_t j)
{
    if (i < 0 || j < 0 || i >= block->dim || j >= block->dim) return -1;
    int64_t key = i + j * block->dim;
    if (block->sector == PM_SECTOR_FULL) return key; /* column stacking */
    /* within column j: a sector block has a few elements per column, so
     * the search is short (a search over all keys was a fifth of the
     * steady state at N = 4163) */
    int64_t lo = block->key_col_start ? block->key_col_start[j] : 0;
    const int64_t end = block->key_col_start ? block->key_col_start[j + 1] : block->size;
    int64_t hi = end;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (block->key_sorted[mid] < key) lo = mid + 1;
        else hi = mid;
    }
    return (lo < end && block->key_sorted[lo] == key) ? block->key_pos[lo] : -1;
}

int64_t pm_block_diagonal(const pm_block *block, int64_t *out)
{
    int64_t count = 0;
    for (int64_t i = 0; i < block->dim; i++) {
        int64_t p = pm_block_find(block, i, i);
        if (p >= 0) out[count++] = p;
    }
    return count;
}

static pm_status check_operators(const pm_sparse *H, size_t njump, const pm_jump *jumps)
{
    if (H->nrows != H->ncols)
        return pm_error_set(PM_EINVAL, "Hamiltonian is %lldx%lld: must be square",
                            (long long)H->nrows, (long long)H->ncols);
    for (size_t m = 0; m < njump; m++) {
        if (!(jumps[m].rate >= 0) || !isfinite(jumps[m].rate))
            return pm_error_set(PM_EINVAL, "jump %zu: rate = %g: must be a finite number >= 0 [1/s]",
                                m, jumps[m].rate);
        if (jumps[m].op->nrows != H->nrows || jumps[m].op->ncols != H->ncols)
            return pm_error_set(PM_EINVAL, "jump %zu: operator is %lldx%lld, Hamiltonian %lldx%lld",
                                m, (long long)jumps[m].op->nrows, (long long)jumps[m].op->ncols,
                                (long long)H->nrows, (long long)H->ncols);
    }
    return PM_OK;
}

/* K = -i H - (1/2) sum rate J^dag J */
static pm_status effective_generator(const pm_sparse *H, size_t njump, const pm_jump *jumps,
                                     pm_sparse **out)
{
    pm_sparse *K = NULL;
    pm_status s = pm_sparse_add(-I, H, 0, H, &K);
    for (size_t m = 0; m < njump && s == PM_OK; m++) {
        pm_sparse *jdag = NULL, *jdagj = NULL, *sum = NULL;
        s = pm_sparse_adjoint(jumps[m].op, &jdag);
        if (s == PM_OK) s = pm_sparse_multiply(jdag, jumps[m].op, &jdagj);
        if (s == PM_OK) s = pm_sparse_add(1, K, -0.5 * jumps[m].rate, jdagj, &sum);
        if (s == PM_OK) {
            pm_sparse_free(K);
            K = sum;
        }
        pm_sparse_free(jdag);
        pm_sparse_free(jdagj);
    }
    if (s != PM_OK) {
        pm_sparse_free(K);
        K = NULL;
    }
    *out = K;
    return s;
}

/* Per-column entry buffer: (output element, value), merged after sorting. */
typedef struct {
    int64_t count, capacity;
    int64_t *row;
    double complex *value;
} column_buffer;

/* truncate: drop outputs outside the block (coupled sectors, P L P);
 * else such an output means the symmetry check was skipped. */
static pm_status column_push(column_buffer *c, int64_t row, double complex value, int truncate)
{
    if (row < 0) {
        if (truncate) return PM_OK;
        return pm_error_set(PM_ESYMMETRY, "Liouvillian maps the block outside itself");
    }
    if (c->count == c->capacity) {
        int64_t cap = c->capacity ? 2 * c->capacity : 64;
        int64_t *r = realloc(c->row, (size_t)cap * sizeof *r);
        if (r) c->row = r;
        double complex *v = realloc(c->value, (size_t)cap * sizeof *v);
        if (v) c->value = v;
        if (!r || !v) return pm_error_set(PM_ENOMEM, "out of memory building a Liouvillian");
        c->capacity = cap;
    }
    c->row[c->count] = row;
    c->value[c->count] = value;
    c->count++;
    return PM_OK;
}

/* Insertion sort: columns hold a handful of entries. */
static void column_sort(column_buffer *c)
{
    for (int64_t a = 1; a < c->count; a++) {
        int64_t r = c->row[a];
        double complex v = c->value[a];
        int64_t b = a - 1;
        while (b >= 0 && c->row[b] > r) {
            c->row[b + 1] = c->row[b];
            c->value[b + 1] = c->value[b];
            b--;
        }
        c->row[b + 1] = r;
        c->value[b + 1] = v;
    }
}

/* Fill block->L from the block's element list. */
static pm_status assemble(pm_block *block, const pm_sparse *K, size_t njump, const pm_jump *jumps)
{
    int64_t size = block->size;
    int64_t capacity = 8 * size + 16, nnz = 0;
    const int truncate = block->sector == PM_SECTOR_COUPLED;
    pm_sparse *L = pm_sparse_alloc(size, size, capacity);
    column_buffer col = {0};
    pm_status s = L ? PM_OK : pm_error_set(PM_ENOMEM, "out of memory building a Liouvillian of size %lld",
                                           (long long)size);
    for (int64_t q = 0; q < size && s == PM_OK; q++) {
        int64_t ip = block->row[q], jp = block->col[q];
        col.count = 0;
        for (int64_t k = K->colptr[ip]; k < K->colptr[ip + 1] && s == PM_OK; k++)
            s = column_push(&col, pm_block_find(block, K->rowind[k], jp), K->values[k], truncate);
        for (int64_t k = K->colptr[jp]; k < K->colptr[jp + 1] && s == PM_OK; k++)
            s = column_push(&col, pm_block_find(block, ip, K->rowind[k]), conj(K->values[k]), truncate);
        for (size_t m = 0; m < njump && s == PM_OK; m++) {
            const pm_sparse *J = jumps[m].op;
            if (jumps[m].rate == 0) continue;
            for (int64_t a = J->colptr[ip]; a < J->colptr[ip + 1] && s == PM_OK; a++)
                for (int64_t b = J->colptr[jp]; b < J->colptr[jp + 1] && s == PM_OK; b++)
                    s = column_push(&col, pm_block_find(block, J->rowind[a], J->rowind[b]),
                                    jumps[m].rate * J->values[a] * conj(J->values[b]), truncate);
        }
        if (s != PM_OK) break;
        column_sort(&col);
        L->colptr[q] = nnz;
        for (int64_t e = 0; e < col.count;) {
            int64_t r = col.row[e];
            double complex sum = 0;
            while (e < col.count && col.row[e] == r) sum += col.value[e++];
            if (sum == 0) continue;
            if (nnz == capacity) {
                capacity *= 2;
                int64_t *ri = realloc(L->rowind, (size_t)capacity * sizeof *ri);
                if (ri) L->rowind = ri;
                double complex *v = realloc(L->values, (size_t)capacity * sizeof *v);
                if (v) L->values = v;
                if (!ri || !v) {
                    s = pm_error_set(PM_ENOMEM, "out of memory building a Liouvillian");
                    break;
                }
            }
            L->rowind[nnz] = r;
            L->values[nnz] = sum;
            nnz++;
        }
    }
    free(col.row);
    free(col.value);
    if (s != PM_OK) {
        pm_sparse_free(L);
        return s;
    }
    L->colptr[size] = nnz;
    block->L = L;
    return PM_OK;
}

/* Sorted lookup table key = row + col * d -> element number: the elements
 * counted into their columns (key_col_start), then each column sorted by
 * row (insertion sort: a sector block lists a column's rows in order
 * already, a coupled block in a few runs).  Keys are unique, so this is the
 * order a comparison sort gives; qsort was a tenth of a steady state. */
static pm_status index_keys(pm_block *block)
{
    const int64_t n = block->size, d = block->dim;
    block->key_sorted = malloc((size_t)(n > 0 ? n : 1) * sizeof *block->key_sorted);
    block->key_pos = malloc((size_t)(n > 0 ? n : 1) * sizeof *block->key_pos);
    block->key_col_start = calloc((size_t)d + 1, sizeof *block->key_col_start);
    int64_t *next = malloc(((size_t)d + 1) * sizeof *next);
    if (!block->key_sorted || !block->key_pos || !block->key_col_start || !next) {
        free(next);
        return pm_error_set(PM_ENOMEM, "out of memory indexing a Liouvillian block");
    }
    int64_t *start = block->key_col_start;
    for (int64_t p = 0; p < n; p++) start[block->col[p] + 1]++;
    for (int64_t c = 0; c < d; c++) start[c + 1] += start[c];
    memcpy(next, start, ((size_t)d + 1) * sizeof *next);
    for (int64_t p = 0; p < n; p++) {
        int64_t at = next[block->col[p]]++;
        block->key_sorted[at] = block->row[p] + block->col[p] * d;
        block->key_pos[at] = p;
    }
    free(next);
    for (int64_t c = 0; c < d; c++)
        for (int64_t a = start[c] + 1; a < start[c + 1]; a++) {
            int64_t key = block->key_sorted[a], pos = block->key_pos[a], b = a - 1;
            while (b >= start[c] && block->key_sorted[b] > key) {
                block->key_sorted[b + 1] = block->key_sorted[b];
                block->key_pos[b + 1] = block->key_pos[b];
                b--;
            }
            block->key_sorted[b + 1] = key;
            block->key_pos[b + 1] = pos;
        }
    return PM_OK;
}

static pm_block *block_alloc(int64_t dim, int64_t size, int64_t sector)
{
    pm_block *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    b->dim = dim;
    b->size = size;
    b->sector = sector;
    b->row = malloc((size_t)(size > 0 ? size : 1) * sizeof *b->row);
    b->col = malloc((size_t)(size > 0 ? size : 1) * sizeof *b->col);
    if (!b->row || !b->col) {
        pm_block_free(b);
        return NULL;
    }
    return b;
}

static pm_status build(pm_block *block, const pm_sparse *H, size_t njump, const pm_jump *jumps,
                       pm_block **out)
{
    pm_sparse *K = NULL;
    pm_status s = effective_generator(H, njump, jumps, &K);
    if (s == PM_OK) s = assemble(block, K, njump, jumps);
    pm_sparse_free(K);
    if (s != PM_OK) {
        pm_block_free(block);
        return s;
    }
    *out = block;
    return PM_OK;
}

pm_status pm_liouvillian_full(const pm_sparse *H, size_t njump, const pm_jump *jumps, pm_block **out)
{
    *out = NULL;
    pm_status s = check_operators(H, njump, jumps);
    if (s != PM_OK) return s;
    int64_t d = H->nrows;
    pm_block *block = block_alloc(d, d * d, PM_SECTOR_FULL);
    if (!block)
        return pm_error_set(PM_ENOMEM, "out of memory: full Liouvillian block of %lld elements",
                            (long long)(d * d));
    for (int64_t j = 0; j < d; j++)
        for (int64_t i = 0; i < d; i++) {
            block->row[i + j * d] = i;
            block->col[i + j * d] = j;
        }
    return build(block, H, njump, jumps, out);
}

/* Charge change of a matrix: all nonzeros must share one value of
 * charge[row] - charge[col].  Returns 0 and sets *shift, or -1. */
static int charge_shift(const pm_sparse *a, const int64_t *charge, int64_t *shift)
{
    int found = 0;
    for (int64_t c = 0; c < a->ncols; c++)
        for (int64_t k = a->colptr[c]; k < a->colptr[c + 1]; k++) {
            int64_t q = charge[a->rowind[k]] - charge[c];
            if (!found) {
                *shift = q;
                found = 1;
            } else if (q != *shift) {
                return -1;
            }
        }
    if (!found) *shift = 0;
    return 0;
}

pm_status pm_liouvillian_check_symmetry(const pm_sparse *H, size_t njump, const pm_jump *jumps,
                                        const int64_t *charge)
{
    pm_status s = check_operators(H, njump, jumps);
    if (s != PM_OK) return s;
    int64_t shift;
    if (charge_shift(H, charge, &shift) != 0 || shift != 0)
        return pm_error_set(PM_ESYMMETRY,
                            "the Hamiltonian does not conserve the excitation number");
    for (size_t m = 0; m < njump; m++)
        if (jumps[m].rate > 0 && charge_shift(jumps[m].op, charge, &shift) != 0)
            return pm_error_set(PM_ESYMMETRY,
                                "jump operator %zu changes the excitation number by more than one amount",
                                m);
    return PM_OK;
}

static int64_t gcd64(int64_t a, int64_t b)
{
    if (a < 0) a = -a;
    if (b < 0) b = -b;
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* gcd of the differences between the charge shifts of the entries of a. */
static int64_t shift_spread_gcd(const pm_sparse *a, const int64_t *charge, int64_t *first_shift, int *found)
{
    int64_t g = 0;
    *found = 0;
    for (int64_t c = 0; c < a->ncols; c++)
        for (int64_t k = a->colptr[c]; k < a->colptr[c + 1]; k++) {
            if (a->values[k] == 0) continue;
            int64_t q = charge[a->rowind[k]] - charge[c];
            if (!*found) {
                *first_shift = q;
                *found = 1;
            }
            g = gcd64(g, q - *first_shift);
        }
    return g;
}

pm_status pm_liouvillian_sector_step(const pm_sparse *H, size_t njump, const pm_jump *jumps,
                                     const int64_t *charge, int64_t *step)
{
    *step = 0;
    pm_status s = check_operators(H, njump, jumps);
    if (s != PM_OK) return s;
    int64_t first = 0;
    int found;
    /* -i[H, rho] moves k by every shift of H (the shifts include 0 on the diagonal
     * only if H has diagonal entries, so take the gcd of the shifts themselves) */
    int64_t g = shift_spread_gcd(H, charge, &first, &found);
    if (found) g = gcd64(g, first);
    for (size_t m = 0; m < njump; m++) {
        if (jumps[m].rate == 0) continue;
        g = gcd64(g, shift_spread_gcd(jumps[m].op, charge, &first, &found));
    }
    *step = g;
    return PM_OK;
}

/* lexicographic order of (int64, int64) pairs */
static int compare_pairs(const void *a, const void *b)
{
    const int64_t *x = a, *y = b;
    if (x[0] != y[0]) return (x[0] > y[0]) - (x[0] < y[0]);
    return (x[1] > y[1]) - (x[1] < y[1]);
}

/* order[] = the states sorted by charge, then by index.  A counting sort
 * over the charges' range where it is short (the models' excitation
 * numbers: at most d + 1 values), else a comparison sort (qsort was a tenth
 * of a steady state at N = 4163). */
static pm_status states_by_charge(int64_t d, const int64_t *charge, int64_t *order)
{
    int64_t charge_min = d > 0 ? charge[0] : 0, charge_max = charge_min;
    for (int64_t i = 1; i < d; i++) {
        if (charge[i] < charge_min) charge_min = charge[i];
        if (charge[i] > charge_max) charge_max = charge[i];
    }
    const uint64_t range = (uint64_t)charge_max - (uint64_t)charge_min + 1;
    if (range <= (uint64_t)(4 * d + 16)) {
        int64_t *next = calloc((size_t)range + 1, sizeof *next);
        if (!next) return pm_error_set(PM_ENOMEM, "out of memory sorting the states of a Liouvillian block");
        for (int64_t i = 0; i < d; i++) next[charge[i] - charge_min + 1]++;
        for (uint64_t q = 0; q < range; q++) next[q + 1] += next[q];
        for (int64_t i = 0; i < d; i++) order[next[charge[i] - charge_min]++] = i;
        free(next);
        return PM_OK;
    }
    int64_t *pairs = malloc((size_t)d * 2 * sizeof *pairs);
    if (!pairs) return pm_error_set(PM_ENOMEM, "out of memory sorting the states of a Liouvillian block");
    for (int64_t i = 0; i < d; i++) {
        pairs[2 * i] = charge[i];
        pairs[2 * i + 1] = i;
    }
    qsort(pairs, (size_t)d, 2 * sizeof *pairs, compare_pairs);
    for (int64_t i = 0; i < d; i++) order[i] = pairs[2 * i + 1];
    free(pairs);
    return PM_OK;
}

/* List the elements (i, j) with charge[i] - charge[j] in [k_lo, k_hi] and
 * = k_class (mod step), column states j in charge order (so that the block is
 * banded), row states in charge order within a column.  Two passes: count,
 * then fill. */
static pm_status list_elements(int64_t d, const int64_t *charge, int64_t k_lo, int64_t k_hi, int64_t step,
                               int64_t k_class, int64_t label, pm_block **out)
{
    *out = NULL;
    int64_t *order = malloc((size_t)(d > 0 ? d : 1) * sizeof *order);
    if (!order) return pm_error_set(PM_ENOMEM, "out of memory listing the elements of a Liouvillian block");
    pm_status sorted = states_by_charge(d, charge, order);
    if (sorted != PM_OK) {
        free(order);
        return sorted;
    }
    pm_block *block = NULL;
    int64_t size = 0;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            block = block_alloc(d, size, label);
            if (!block) {
                free(order);
                return pm_error_set(PM_ENOMEM, "out of memory: Liouvillian block of %lld elements",
                                    (long long)size);
            }
        }
        int64_t p = 0, lo = 0;
        for (int64_t a = 0; a < d; a++) {
            int64_t j = order[a], target = charge[j] + k_lo;
            while (lo < d && charge[order[lo]] < target) lo++;
            for (int64_t b = lo; b < d && charge[order[b]] <= charge[j] + k_hi; b++) {
                int64_t k = charge[order[b]] - charge[j];
                if (((k - k_class) % step + step) % step != 0) continue;
                if (pass == 1) {
                    block->row[p] = order[b];
                    block->col[p] = j;
                }
                p++;
            }
        }
        size = p;
    }
    free(order);
    if (size == 0) {
        pm_block_free(block);
        return pm_error_set(PM_EINVAL, "sector k = %lld is empty at this cutoff", (long long)k_lo);
    }
    pm_status s = index_keys(block);
    if (s != PM_OK) {
        pm_block_free(block);
        return s;
    }
    *out = block;
    return PM_OK;
}

pm_status pm_liouvillian_sector(const pm_sparse *H, size_t njump, const pm_jump *jumps,
                                const int64_t *charge, int64_t k, pm_block **out)
{
    *out = NULL;
    pm_status s = pm_liouvillian_check_symmetry(H, njump, jumps, charge);
    pm_block *block = NULL;
    if (s == PM_OK) s = list_elements(H->nrows, charge, k, k, 1, 0, k, &block);
    if (s != PM_OK) return s;
    return build(block, H, njump, jumps, out);
}

pm_status pm_liouvillian_coupled(const pm_sparse *H, size_t njump, const pm_jump *jumps,
                                 const int64_t *charge, int64_t K, int64_t step, int64_t k_class,
                                 pm_block **out)
{
    *out = NULL;
    pm_status s = check_operators(H, njump, jumps);
    if (s != PM_OK) return s;
    if (step < 1 || K < 0 || k_class < 0 || k_class >= step)
        return pm_error_set(PM_EINVAL, "coupled sectors: K = %lld must be >= 0, step = %lld >= 1, class = %lld in "
                            "[0, step)", (long long)K, (long long)step, (long long)k_class);
    pm_block *block = NULL;
    s = list_elements(H->nrows, charge, -K, K, step, k_class, PM_SECTOR_COUPLED, &block);
    if (s != PM_OK) return s;
    block->max_sector = K;
    block->sector_step = step;
    block->sector_class = k_class;
    return build(block, H, njump, jumps, out);
}

pm_status pm_block_principal(const pm_block *block, const unsigned char *keep, pm_block **out)
{
    *out = NULL;
    if (block->sector == PM_SECTOR_FULL)
        return pm_error_set(PM_EINVAL, "pm_block_principal: the full block has no sub-blocks (sector blocks only)");
    int64_t n = block->size, kept = 0;
    int64_t *new_index = malloc((size_t)(n > 0 ? n : 1) * sizeof *new_index); /* -1: dropped */
    if (!new_index) return pm_error_set(PM_ENOMEM, "out of memory for a sub-block of %lld elements", (long long)n);
    for (int64_t p = 0; p < n; p++) new_index[p] = keep[p] ? kept++ : -1;
    if (kept == 0) {
        free(new_index);
        return pm_error_set(PM_EINVAL, "pm_block_principal: no element of the block is kept");
    }
    const pm_sparse *L = block->L;
    int64_t nnz = 0;
    for (int64_t j = 0; j < n; j++)
        if (new_index[j] >= 0)
            for (int64_t k = L->colptr[j]; k < L->colptr[j + 1]; k++) nnz += new_index[L->rowind[k]] >= 0;
    pm_block *sub = block_alloc(block->dim, kept, block->sector);
    pm_sparse *S = sub ? pm_sparse_alloc(kept, kept, nnz) : NULL;
    if (!sub || !S) {
        free(new_index);
        pm_block_free(sub);
        return pm_error_set(PM_ENOMEM, "out of memory for a sub-block of %lld elements", (long long)kept);
    }
    sub->max_sector = block->max_sector;
    sub->sector_step = block->sector_step;
    sub->sector_class = block->sector_class;
    sub->L = S;
    int64_t pos = 0;
    for (int64_t j = 0; j < n; j++) {
        int64_t q = new_index[j];
        if (q < 0) continue;
        sub->row[q] = block->row[j];
        sub->col[q] = block->col[j];
        S->colptr[q] = pos;
        /* the kept rows keep their order: columns stay sorted */
        for (int64_t k = L->colptr[j]; k < L->colptr[j + 1]; k++)
            if (new_index[L->rowind[k]] >= 0) {
                S->rowind[pos] = new_index[L->rowind[k]];
                S->values[pos++] = L->values[k];
            }
    }
    S->colptr[kept] = pos;
    free(new_index);
    pm_status s = index_keys(sub);
    if (s != PM_OK) {
        pm_block_free(sub);
        return s;
    }
    *out = sub;
    return PM_OK;
}
