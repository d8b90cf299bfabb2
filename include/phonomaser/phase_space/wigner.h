/* Wigner functions of the mechanical reduced state rho_m = Tr_spin rho.
 *
 * Quadratures (paper, text before Eq. 16): z = (a + a^dag)/sqrt(2),
 * p = (a - a^dag)/(i sqrt(2)), so a = (z + i p)/sqrt(2) and
 * <n> = <z^2 + p^2>/2 - 1/2 (symmetric ordering).  W is normalised as a
 * probability density in (z, p): integral W dz dp = Tr rho_m.  This is
 * QuTiP's `wigner(rho, xvec, yvec)` with its default g = sqrt(2) (QuTiP sets
 * a = g (x + i y)/2), with the axes swapped: QuTiP returns W[iy][ix], here
 * W[iz * np + ip].
 *
 * With x = 2 r^2 = 2 (z^2 + p^2) and phi = atan2(p, z) (Cahill-Glauber):
 *   W(z, p) = (1/pi) sum_m rho_mm (-1)^m f_m^0(x)
 *           + (2/pi) sum_{k>=1} Re[e^{i k phi} sum_m rho_{m,m+k} (-1)^m f_m^k(x)],
 *   f_m^k(x) = sqrt(m!/(m+k)!) x^{k/2} e^{-x/2} L_m^k(x),
 * the displacement-operator matrix elements (|f_m^k| <= 1).  They are
 * computed by the Laguerre recurrence in m written for the differences
 * L_m - L_{m-1} and normalised by sqrt(m!/(m+k)!) (src/phase_space/wigner.c), with
 * exact power-of-two rescaling: no factorial, no Laguerre polynomial of
 * high order, no overflow or underflow at any N.  Forward recurrence in m is
 * stable at every x: in the classically forbidden range of m the wanted
 * solution is the growing one, in the allowed range both are oscillatory;
 * the difference form keeps x out of any subtraction, so it stays accurate
 * near the origin (the usual three-term form loses 1e-10 there at N = 10^4).
 *
 * Cost: O(N) per distinct radius for a phase-invariant state (only the k = 0
 * diagonal, W depends on r alone: the radial path), O(K N) per distinct
 * radius plus O(K) per point for K nonzero diagonals (the general path).
 * Grid points that share a radius (symmetric grids) share the work: a
 * 400 x 400 symmetric grid of the operating-point steady state (N = 4163)
 * takes ~0.1 s on one core.
 *
 * Accuracy (tests/phase_space/test_wigner.c, against independent 40-digit values): the
 * error is absolute, on the scale of max |W|: 7e-16 for the Fock state
 * n = 9999, 4e-14 for a phase-averaged coherent state with <n> = 5000
 * (N = 10^4), 1e-15 against QuTiP for N <= 100.  Where W is many orders
 * below its maximum (inside or outside a ring) the sum over n cancels to
 * that level, so such values carry an absolute error of ~1e-16 max |W|,
 * not a relative one.  Beyond sqrt(2) r = 2 sqrt(N) + 40 every term is
 * below 1e-300 and W = 0 is returned without evaluation.
 *
 * A library module: no files, no printing. */
#ifndef PHONOMASER_WIGNER_H
#define PHONOMASER_WIGNER_H

#include <stddef.h>
#include <stdint.h>

#include "phonomaser/core/complex_type.h"
#include "phonomaser/core/error.h"
#include "phonomaser/state/state.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The mechanical reduced state by diagonals: diag[k][m] = rho_m(m, m+k) of
 * the Hermitian part (rho_m + rho_m^dag)/2, m = 0..N-1-k, k = 0..kmax;
 * diag[k] == NULL for a diagonal that is identically zero.  (For a
 * Hermitian rho_m this is rho_m itself; the Wigner function of the
 * Hermitian part is the real part of that of rho_m.) */
typedef struct pm_wigner_mech {
    int64_t N;              /* Fock cutoff */
    int64_t kmax;           /* largest k with a nonzero diagonal (0: phase invariant) */
    pm_complex **diag;      /* kmax + 1 pointers, owned */
} pm_wigner_mech;

/* Tr_spin of a state on any blocks (full, or sectors; elements missing from
 * every block are zero, or implied by Hermiticity when
 * state->adjoint_implied).  The mechanical coherence rho_m(n, n+k) comes
 * from the sector -k elements (same spin), its adjoint from sector +k. */
pm_status pm_wigner_mech_from_state(const pm_state *state, pm_wigner_mech **out);
/* From density-matrix elements rho[row[q]][col[q]] = value[q] of the spin
 * (x) Fock space of dimension dim = 2N (a phonomaser HDF5 file's
 * /steady/rho): a diagonal of rho_m held by no element is zero, or implied
 * by Hermiticity when adjoint_implied.  PM_EINVAL for an odd dim, an index
 * outside the matrix or a non-finite value. */
pm_status pm_wigner_mech_from_triplets(int64_t dim, size_t count, const int64_t *row, const int64_t *col,
                                       const pm_complex *value, int adjoint_implied, pm_wigner_mech **out);
/* From a dense N x N mechanical density matrix, row-major rho[m * N + n]. */
pm_status pm_wigner_mech_from_dense(int64_t N, const pm_complex *rho, pm_wigner_mech **out);
/* From a populations vector P(n), n = 0..N-1 (a phase-invariant state). */
pm_status pm_wigner_mech_from_populations(int64_t N, const double *p_n, pm_wigner_mech **out);
void pm_wigner_mech_free(pm_wigner_mech *mech);

typedef enum {
    PM_WIGNER_AUTO,    /* radial if the state is phase invariant, else general */
    PM_WIGNER_RADIAL,  /* k = 0 only (coherences, if any, are rejected) */
    PM_WIGNER_GENERAL  /* every diagonal */
} pm_wigner_path;

/* The path AUTO resolves to: RADIAL iff every coherence is exactly zero. */
pm_wigner_path pm_wigner_choose_path(const pm_wigner_mech *mech);
const char *pm_wigner_path_name(pm_wigner_path path);

/* W on the grid z[0..nz-1] x p[0..np-1], row-major W[iz * np + ip] [1].
 * PM_EINVAL for empty or non-finite grids or RADIAL on a state with
 * coherences; PM_ENOMEM. */
pm_status pm_wigner_grid_mech(const pm_wigner_mech *mech, pm_wigner_path path, size_t nz,
                              const double *z, size_t np, const double *p, double *W);
/* The same, returning PM_EINTERRUPT (W incomplete) when *stop becomes
 * nonzero; checked every 1024 radii of each diagonal (stop may be NULL). */
pm_status pm_wigner_grid_mech_interruptible(const pm_wigner_mech *mech, pm_wigner_path path, size_t nz,
                                            const double *z, size_t np, const double *p, double *W,
                                            const pm_stop_flag *stop);
/* The same for a pm_state (pm_wigner_mech_from_state, path AUTO); *path_used
 * (may be NULL) receives the path taken. */
pm_status pm_wigner_grid(const pm_state *state, size_t nz, const double *z, size_t np,
                         const double *p, double *W, pm_wigner_path *path_used);

/* Radial Wigner function of a phase-invariant state with populations
 * P(n), n = 0..N-1, at radii r[0..nr-1] (r >= 0; only r^2 matters):
 *   W(r) = (1/pi) sum_n P(n) (-1)^n e^{-r^2} L_n(2 r^2).
 * Populations beyond the last n whose tail sum exceeds 1e-3 eps x sum |P| are
 * dropped (their contribution is below 1e-19 / pi). */
pm_status pm_wigner_radial(const double *p_n, int64_t N, size_t nr, const double *r, double *W);

/* The ring of a phase-invariant state: the radius where W(r) peaks, and
 * where the radial density P_r(r) = 2 pi r W(r) (paper Eq. 20) peaks: the
 * largest value on a scan of [0, r_max] (step 1/8 of the shortest radial
 * wavelength present, r_max = sqrt(2 (n_max + 1)) + 8, n_max the last n
 * with non-negligible P(n)), refined by bisection on the analytic slope
 * dW/dr to ~1e-12.  PM_EINVAL if every P(n) is zero. */
typedef struct pm_wigner_ring {
    double r_peak_w;      /* argmax W(r) */
    double w_peak;        /* W(r_peak_w) */
    double r_peak_pr;     /* argmax 2 pi r W(r) */
    double pr_peak;       /* 2 pi r W at r_peak_pr */
} pm_wigner_ring;

pm_status pm_wigner_ring_find(const double *p_n, int64_t N, pm_wigner_ring *out);

/* The quadrature distribution <z|rho_m|z> = integral W(z, p) dp (the marginal
 * of W, for the rotated quadrature as well when the state is phase
 * invariant), from Hermite functions psi_n(z) by their stable normalised
 * recurrence with power-of-two rescaling:
 *   <z|rho_m|z> = sum_{m,n} rho_mn psi_m(z) psi_n(z). */
pm_status pm_wigner_marginal_z(const pm_wigner_mech *mech, size_t nz, const double *z, double *out);

/* W(z, p) on the square grid z, p in [-range, range] (points per axis,
 * symmetric: z[points-1-i] = -z[i]), and the phase-averaged profile W(r),
 * P_r = 2 pi r W(r) out to the grid's corner.  range <= 0: automatic, 1.3
 * times the ring radius (argmax of P_r), at least the radius that holds all
 * but 1e-6 of P(n) plus three vacuum widths. */
typedef struct pm_wigner_image {
    size_t points;
    double range, step;
    double *z;                 /* points; also the p axis */
    double *W;                 /* points x points, W[iz * points + ip] */
    pm_wigner_path path;
    pm_wigner_ring ring;
    double W_min, W_max, integral; /* integral: sum W dz dp over the grid (Tr rho_m if it holds W) */
    double grid_seconds;       /* the grid alone */
    size_t nradial;            /* 2 points */
    double *radial_r, *radial_W, *radial_P;
    double seconds;
} pm_wigner_image;

/* stop may be NULL (PM_EINTERRUPT when it is set during the grid). */
pm_status pm_wigner_image_compute(const pm_wigner_mech *mech, size_t points, double range, const pm_stop_flag *stop,
                                  pm_wigner_image *out);
void pm_wigner_image_clear(pm_wigner_image *image);

#ifdef __cplusplus
}
#endif

#endif
