/* Resolvent solves (L - z I)^{-1} b of a Liouvillian block (resolvent.h). */
#include "phonomaser/solvers/resolvent.h"
#include "phonomaser/solvers/steady.h"
#include "phonomaser/core/timer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linalg/sparse_lu.h"

struct pm_resolvent {
    const pm_block *block;
    pm_sparse *shifted;      /* L - z I, every diagonal entry stored */
    int64_t *diag_pos;       /* position of entry (j, j) in shifted->values */
    pm_complex *diag_L;      /* L_jj */
    pm_lu lu;
    int factored;            /* lu holds factors (of some shift) */
    pm_lu_backend requested;
    pm_resolvent_info info;
};

pm_status pm_resolvent_alloc(const pm_block *block, pm_lu_backend lu, pm_resolvent **out)
{
    *out = NULL;
    if (!block || !block->L || block->L->nrows != block->size || block->L->ncols != block->size || block->size < 1)
        return pm_error_set(PM_EINVAL, "pm_resolvent_alloc needs a block with a size x size matrix L");
    pm_resolvent *r = calloc(1, sizeof *r);
    if (!r) return pm_error_set(PM_ENOMEM, "out of memory for a resolvent");
    r->block = block;
    r->requested = lu;
    int64_t n = block->size;
    /* a nonzero shift makes pm_lu_shifted_copy store every diagonal entry */
    pm_status s = pm_lu_shifted_copy(block->L, 1.0, -1, NULL, &r->shifted);
    r->diag_pos = malloc((size_t)n * sizeof *r->diag_pos);
    r->diag_L = malloc((size_t)n * sizeof *r->diag_L);
    if (s == PM_OK && (!r->diag_pos || !r->diag_L))
        s = pm_error_set(PM_ENOMEM, "out of memory for a resolvent of size %lld", (long long)n);
    for (int64_t j = 0; s == PM_OK && j < n; j++) {
        r->diag_pos[j] = -1;
        for (int64_t k = r->shifted->colptr[j]; k < r->shifted->colptr[j + 1]; k++)
            if (r->shifted->rowind[k] == j) r->diag_pos[j] = k;
        r->diag_L[j] = pm_sparse_get(block->L, j, j);
    }
    r->info.backend = lu;
    if (s != PM_OK) {
        pm_resolvent_free(r);
        return s;
    }
    *out = r;
    return PM_OK;
}

pm_status pm_resolvent_solve(pm_resolvent *r, pm_complex z, const pm_complex *b, pm_complex *x)
{
    double start = pm_wall_seconds();
    for (int64_t j = 0; j < r->block->size; j++) r->shifted->values[r->diag_pos[j]] = r->diag_L[j] - z;
    char what[96];
    snprintf(what, sizeof what, "L - z I at z = %.6g%+.6gi", creal(z), cimag(z));
    const char *hint = "z is an eigenvalue of the block (z = 0 on a block holding the steady state)";
    pm_status s = r->factored ? pm_lu_refactor(&r->lu, what, hint)
                              : pm_lu_factor_for_shifts(r->shifted, pm_block_lu_backend(r->block, r->requested), what, hint,
                                                        &r->lu);
    r->factored = s == PM_OK;
    if (s == PM_OK) {
        r->info.factorizations++;
        r->info.backend = r->lu.backend;
        r->info.lu_nnz = r->lu.lu_nnz;
        s = pm_lu_solve(&r->lu, b, x);
    }
    r->info.seconds += pm_wall_seconds() - start;
    return s;
}

void pm_resolvent_get_info(const pm_resolvent *r, pm_resolvent_info *out) { *out = r->info; }

void pm_resolvent_free(pm_resolvent *r)
{
    if (!r) return;
    pm_lu_free(&r->lu);
    pm_sparse_free(r->shifted);
    free(r->diag_pos);
    free(r->diag_L);
    free(r);
}
