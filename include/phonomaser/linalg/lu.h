/* Which sparse LU factorises a Liouvillian block (steady states, ARPACK
 * shift-invert).  Measured on Debian 12 at the operating point:
 *   sector 0, N = 4163 (16650 unknowns, bandwidth 4): LAPACK band 2.7 ms,
 *     KLU 20 ms, UMFPACK 95 ms;
 *   full block with the trace row, N = 100 (40000 unknowns): KLU (COLAMD)
 *     37 ms, UMFPACK 157 ms; N = 200: KLU 150 ms, UMFPACK 620 ms
 *   (UMFPACK's frontal matrices run on the reference BLAS here). */
#ifndef PHONOMASER_LU_H
#define PHONOMASER_LU_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    PM_LU_AUTO = 0,  /* LAPACK band LU when kl + ku <= 64 (sector blocks), else KLU */
    PM_LU_KLU,       /* SuiteSparse KLU, COLAMD ordering, partial pivoting */
    PM_LU_UMFPACK,   /* SuiteSparse UMFPACK (multifrontal) */
    PM_LU_BAND       /* LAPACK zgbtrf/zgbtrs; PM_EINVAL if the matrix is not narrow-banded */
} pm_lu_backend;

/* "auto", "klu", "umfpack", "band" */
const char *pm_lu_backend_name(pm_lu_backend backend);

#ifdef __cplusplus
}
#endif

#endif
