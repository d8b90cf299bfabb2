/* Sparse Liouvillians and Liouvillian blocks.
 *
 * Master equation (paper Eq. B9):
 *   drho/dt = L rho = -i [H, rho] + sum_mu rate_mu D[J_mu] rho,
 *   D[J] rho = J rho J^dag - (1/2) {J^dag J, rho}.
 *
 * Vectorisation (documented here once): a block holds a set of density-matrix
 * elements rho_ij; element number p of the block is rho[row[p], col[p]].  For
 * the full block the elements are column-stacked, p = i + j d (d = Hilbert
 * dimension), exactly QuTiP's operator_to_vector, so that
 *   vec(A rho B) = (B^T (x) A) vec(rho).
 * For an excitation-difference sector k the block holds the elements with
 * e(i) - e(j) = k (e from pm_space_excitation or any other charge), ordered
 * by excitation number so that the matrix is banded.
 *
 * A pm_block is the one interface every solver and analysis uses: it knows
 * its elements and its sparse matrix L (size x size), and nothing about
 * where the model came from.  Full and sector blocks are built by the same
 * code from the same operators (pm_liouvillian_build). */
#ifndef PHONOMASER_LIOUVILLIAN_H
#define PHONOMASER_LIOUVILLIAN_H

#include <stddef.h>
#include <stdint.h>

#include "phonomaser/linalg/sparse.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A dissipator term rate * D[op]. */
typedef struct pm_jump {
    double rate;          /* [1/s], >= 0 */
    const pm_sparse *op;  /* d x d jump operator (not owned) */
} pm_jump;

/* Sector label of the full (unrestricted) block. */
#define PM_SECTOR_FULL INT64_MIN
/* Sector label of a block of coupled sectors: the elements with
 * k = charge[i] - charge[j] in {k : |k| <= max_sector, k = sector_class (mod
 * sector_step)}, the Liouvillian projected onto them (truncation). */
#define PM_SECTOR_COUPLED (INT64_MIN + 1)

typedef struct pm_block {
    int64_t dim;      /* Hilbert-space dimension d */
    int64_t size;     /* number of density-matrix elements in the block */
    int64_t sector;   /* excitation difference k, PM_SECTOR_FULL or PM_SECTOR_COUPLED */
    int64_t max_sector;   /* COUPLED: the cutoff K of |k| (else unused) */
    int64_t sector_step;  /* COUPLED: the Liouvillian couples k to k +- sector_step */
    int64_t sector_class; /* COUPLED: k = sector_class (mod sector_step), 0 <= class < step */
    int64_t *row;     /* element p is rho[row[p], col[p]] */
    int64_t *col;
    int64_t *key_sorted; /* keys row + col * d in increasing order ... */
    int64_t *key_pos;    /* ... and the element number of each (lookup) */
    int64_t *key_col_start; /* dim + 1, may be NULL: the keys of column j are
                               key_sorted[key_col_start[j] .. key_col_start[j + 1]) */
    pm_sparse *L;     /* the Liouvillian restricted to the block, size x size */
} pm_block;

/* The full Liouvillian (size d^2, column stacking). */
pm_status pm_liouvillian_full(const pm_sparse *H, size_t njump, const pm_jump *jumps,
                              pm_block **out);

/* Whether H commutes with the charge (H_ij != 0 only if charge[i] == charge[j])
 * and every jump operator changes it by one fixed amount.  Returns PM_OK if
 * so, PM_ESYMMETRY with a message naming the offending term otherwise. */
pm_status pm_liouvillian_check_symmetry(const pm_sparse *H, size_t njump, const pm_jump *jumps,
                                        const int64_t *charge);

/* The block of excitation difference k = charge[i] - charge[j], built
 * directly (the full matrix is never formed).  PM_ESYMMETRY if the model
 * does not conserve the charge. */
pm_status pm_liouvillian_sector(const pm_sparse *H, size_t njump, const pm_jump *jumps,
                                const int64_t *charge, int64_t k, pm_block **out);

/* The Liouvillian's coupling between sectors: the greatest common divisor
 * of every charge change it makes, i.e. of the charge shifts of the entries
 * of H and of the differences between the shifts within each jump operator
 * (J rho J^dag moves k by s_a - s_b).  0 if it maps every sector into
 * itself (then pm_liouvillian_sector applies).  Parity conservation (only
 * shifts +-2) gives 2. */
pm_status pm_liouvillian_sector_step(const pm_sparse *H, size_t njump, const pm_jump *jumps,
                                     const int64_t *charge, int64_t *step);

/* The block of the coupled sectors |k| <= K, k = k_class (mod step) (labels
 * above), built directly: element (i, j) enters only if its k does, and the
 * Liouvillian's output into elements outside is dropped, so the block is
 * P L P with P the projection onto the kept elements.  The trace is still
 * conserved (every diagonal is kept when k_class = 0).  With K large enough
 * to keep every element (K >= max charge - min charge) it is the full
 * Liouvillian in another element order.  step must be >= 1. */
pm_status pm_liouvillian_coupled(const pm_sparse *H, size_t njump, const pm_jump *jumps,
                                 const int64_t *charge, int64_t K, int64_t step, int64_t k_class,
                                 pm_block **out);

/* The principal sub-block of `block` on the elements p with keep[p] != 0
 * (in their order): the Liouvillian with every other element held at zero,
 * P L P, like the Fock cutoff N itself (the spectrum's window on the steady
 * state's support, correlation.h).  The labels (sector, K, class) are
 * copied.  Sector and coupled blocks only: PM_EINVAL for the full block,
 * whose column-stacking lookup a subset would break, or an empty subset. */
pm_status pm_block_principal(const pm_block *block, const unsigned char *keep, pm_block **out);

void pm_block_free(pm_block *block);

/* Element number of rho[i][j] in the block, or -1 if the block lacks it. */
int64_t pm_block_find(const pm_block *block, int64_t i, int64_t j);

/* Element numbers of the diagonal rho_ii present in the block: writes up to
 * `block->dim` numbers into `out` and returns their count (0 for k != 0). */
int64_t pm_block_diagonal(const pm_block *block, int64_t *out);

#ifdef __cplusplus
}
#endif

#endif
