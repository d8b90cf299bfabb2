/* Resolvent solves of a Liouvillian block: x = (L - z I)^{-1} b for many
 * complex shifts z (a spectrum: z = i omega, one LU per frequency).
 *
 * The shifted matrix L - z I is kept with its pattern fixed (every diagonal
 * entry stored), so a new shift only rewrites the diagonal and factorises
 * again with the block's LU (steady.h, pm_block_lu_backend: LAPACK band LU
 * for sector blocks, UMFPACK for coupled sectors, KLU for the full block,
 * KLU keeping its ordering).  Measured at the operating point (sector
 * k = -1, N = 4163, 16650 unknowns, kl = ku = 4): see README "spectrum". */
#ifndef PHONOMASER_RESOLVENT_H
#define PHONOMASER_RESOLVENT_H

#include <stdint.h>

#include "phonomaser/core/complex_type.h"
#include "phonomaser/liouvillian/liouvillian.h"
#include "phonomaser/linalg/lu.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pm_resolvent pm_resolvent;

typedef struct pm_resolvent_info {
    long factorizations;   /* LUs computed so far */
    double seconds;        /* wall time in factorisations and solves */
    pm_lu_backend backend; /* the LU used (never AUTO once a solve ran) */
    int64_t lu_nnz;        /* nonzeros of the last factors */
} pm_resolvent_info;

/* Prepare the solves on `block` (not owned: it must outlive the resolvent). */
pm_status pm_resolvent_alloc(const pm_block *block, pm_lu_backend lu, pm_resolvent **out);
/* x = (L - z I)^{-1} b (x and b of block->size, not overlapping).
 * PM_ESOLVER (message with z) if L - z I is singular, e.g. z = 0 on a block
 * that holds the steady state. */
pm_status pm_resolvent_solve(pm_resolvent *r, pm_complex z, const pm_complex *b, pm_complex *x);
void pm_resolvent_get_info(const pm_resolvent *r, pm_resolvent_info *out);
void pm_resolvent_free(pm_resolvent *r);

#ifdef __cplusplus
}
#endif

#endif
