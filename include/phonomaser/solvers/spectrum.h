/* Slowest eigenvalues of a Liouvillian block (ARPACK shift-invert).
 *
 * The eigenvalues lambda of L closest to a shift sigma are those of largest
 * modulus of (L - sigma I)^{-1} (UMFPACK LU, ARPACK znaupd/zneupd mode 3).
 * With sigma ~ 0 they are the slowest modes of the block: in the sector
 * k = +1 the mode that carries <a> (rho_ij with e_i - e_j = +1, see
 * state.h) evolves as <a>(t) ~ e^{lambda t} in the frame rotating at omega_m,
 * so -Re(lambda) is the amplitude damping rate and -Im(lambda) the shift of
 * the oscillation frequency from omega_m; in sector 0 the eigenvalue 0
 * is the steady state and the next one the slowest relaxation of the
 * populations (intensity fluctuations).
 *
 * Eigenvectors of decaying modes (lambda != 0) have zero trace, which is how
 * the steady state is told apart in sector 0 (pm_spectrum_trace). */
#ifndef PHONOMASER_SPECTRUM_H
#define PHONOMASER_SPECTRUM_H

#include <stdint.h>

#include "phonomaser/core/complex_type.h"
#include "phonomaser/liouvillian/liouvillian.h"
#include "phonomaser/linalg/lu.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pm_spectrum_options {
    int nev;               /* eigenvalues wanted, >= 1 (default 4) */
    pm_complex shift;      /* sigma [1/s]; 0: automatic, -1e-9 max_p |L_pp| (real,
                              negative, like steady.h: far closer to 0 than any
                              decay rate of interest, yet L - sigma I regular) */
    double arpack_tol;     /* ARPACK relative accuracy (0: machine precision) */
    int arpack_maxiter;    /* max Arnoldi restarts (default 1000) */
    int arpack_ncv;        /* Arnoldi vectors (0: max(2 nev + 1, 20), at most size) */
    int want_vectors;      /* 1: keep the eigenvectors in result->vectors */
    pm_lu_backend lu;      /* LU of L - sigma I (lu.h); default AUTO */
    /* Arnoldi starting vector, length size (NULL: a fixed pseudo-random
     * one).  Any vector not orthogonal to the wanted eigenvectors gives the
     * same eigenvalues; one near them saves Arnoldi steps. */
    const pm_complex *start;
    /* A known eigenpair to leave out (both NULL: none, the default): a right
     * eigenvector r and a left eigenvector l (l^H L = mu l^H) of one
     * eigenvalue mu, length size, l^H r != 0.  The Arnoldi iteration runs
     * on the range of P = I - r l^H / (l^H r), which L maps into itself
     * (P commutes with L), so the other eigenvalues come out as without
     * P and mu is not among them.  Sector 0: r = the steady state, l = 1 on
     * the diagonal elements rho_ii (trace preservation), which spares the
     * Arnoldi vectors the steady state would take. */
    const pm_complex *deflate_right, *deflate_left;
    /* > 0: the Arnoldi run about the shift stops at this relative accuracy
     * (e.g. 1e-4) and each eigenvalue is then refined to arpack_tol by a
     * shift-invert run about its own coarse value (nev = 1), which needs a
     * few solves where the run about the shift needs many: the wanted
     * eigenvalues are close together compared with their distance to the
     * shift (measured at the operating point: compare.c).  If a refined
     * eigenvalue is not the one nearest its coarse value the refinement is
     * dropped for the plain run to arpack_tol.  0 (default): the plain run. */
    double refine_tol;
    const pm_stop_flag *stop; /* set: PM_EINTERRUPT after the factorisation or at the next
                                 Arnoldi step (NULL: never) */
} pm_spectrum_options;

void pm_spectrum_options_default(pm_spectrum_options *opts);

typedef struct pm_spectrum {
    int nev;                      /* eigenvalues found */
    int64_t size;                 /* block size (length of each eigenvector) */
    pm_complex *eigenvalues;      /* [1/s], sorted slowest first (decreasing Re) */
    pm_complex *vectors;          /* want_vectors: vector j at vectors + j * size, unit 2-norm */
    double max_residual;          /* max_j |L v_j - lambda_j v_j| / |v_j| [1/s] */
    pm_complex shift;             /* the shift used */
    int iterations;               /* Arnoldi restarts (all runs) */
    int operator_solves;          /* applications of (L - sigma I)^{-1}, all runs */
    int refined;                  /* 1: refine_tol's refinement was used and accepted */
    int64_t lu_nnz, matrix_nnz;   /* nonzeros of the LU factors and of L - sigma I */
    double seconds;               /* wall time: factorisation and Arnoldi */
} pm_spectrum;

/* The `opts->nev` eigenvalues of block->L closest to the shift.  `out` is
 * overwritten; release it with pm_spectrum_clear (also after a failure).
 * PM_EINVAL for nev < 1 or nev >= size - 1 (ARPACK needs nev + 2 <= ncv
 * <= size; use a dense solver for tiny blocks), PM_ESOLVER when ARPACK
 * does not converge (message with ARPACK's code and a hint). */
pm_status pm_spectrum_slowest(const pm_block *block, const pm_spectrum_options *opts,
                              pm_spectrum *out);
void pm_spectrum_clear(pm_spectrum *spectrum);

/* Sum of the diagonal elements rho_ii of eigenvector j (0 for k != 0 and
 * for decaying modes; nonzero for a steady state). */
pm_complex pm_spectrum_trace(const pm_block *block, const pm_spectrum *spectrum, int j);

#ifdef __cplusplus
}
#endif

#endif
