/* Density matrices stored on Liouvillian blocks, initial states, observables.
 *
 * A pm_state is a density matrix given by its elements on one or more blocks
 * (the full block, or sectors k = -K..K); elements outside every block are
 * zero.  Vectors x_b[p] hold rho[row[p], col[p]] of block b. */
#ifndef PHONOMASER_STATE_H
#define PHONOMASER_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "phonomaser/core/complex_type.h"
#include "phonomaser/liouvillian/liouvillian.h"
#include "phonomaser/core/params.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PM_STATE_MAX_BLOCKS 4097

typedef struct pm_state {
    int64_t N;                     /* Fock cutoff; dim = 2N */
    size_t nblocks;
    const pm_block *blocks[PM_STATE_MAX_BLOCKS]; /* not owned */
    pm_complex *x[PM_STATE_MAX_BLOCKS];          /* owned, blocks[b]->size each */
    /* 0 (default): elements outside every block are zero.  1: an element in no
     * block whose transpose is stored is rho_ij = conj(rho_ji) (a state kept on
     * sectors k >= 0 only, k < 0 following by Hermiticity). */
    int adjoint_implied;
} pm_state;

/* Initial states: rho0 = rho_mech (x) rho_spin. */
typedef enum {
    PM_INITIAL_THERMAL,  /* thermal mechanics with occupation n_th (x) uncoupled spin steady state (default) */
    PM_INITIAL_FOCK,     /* |n><n| (x) uncoupled spin steady state */
    PM_INITIAL_COHERENT, /* |alpha><alpha| (x) uncoupled spin steady state */
    PM_INITIAL_VACUUM    /* |0><0| (x) |down><down| */
} pm_initial_kind;

typedef struct pm_initial {
    pm_initial_kind kind;
    double n_th;            /* thermal occupation (THERMAL) */
    int64_t fock_n;         /* Fock level (FOCK) */
    pm_complex alpha;       /* amplitude (COHERENT) */
    double p_up;            /* spin population of |up> (THERMAL, FOCK, COHERENT) */
} pm_initial;

/* Initial state of `kind` for the model parameters: n_th = params->n_th,
 * p_up = gamma_up/gamma_1 (the uncoupled spin steady state; (1 + S)/2 if
 * gamma_1 = 0), alpha = 0, fock_n = 0. */
void pm_initial_default(const pm_params *params, pm_initial_kind kind, pm_initial *out);
/* Population a coherent initial state may lose above the cutoff (its
 * trace is 1 - pm_initial_tail): more is an impossible initial state. */
#define PM_INITIAL_TAIL_MAX 1e-6
/* PM_EINVAL (message names the field and its range) unless: N >= 1,
 * n_th finite and >= 0, 0 <= fock_n < N, alpha finite with at most
 * PM_INITIAL_TAIL_MAX of its population above N (the message gives the
 * cutoff it needs, pm_initial_cutoff_needed), p_up in [0, 1]. */
pm_status pm_initial_validate(const pm_initial *init, int64_t N);
/* The smallest cutoff N at which pm_initial_tail(init, N) <= tail (the
 * Poisson tail of a coherent state; 1 for other kinds, fock_n + 1 for FOCK);
 * a double, since |alpha|^2 may exceed any int64. */
double pm_initial_cutoff_needed(const pm_initial *init, double tail);
/* rho0[i][j] in the basis of space.h at cutoff N, O(1) per call.
 * THERMAL: P(n) = n_th^n/(n_th+1)^(n+1) renormalised over n < N (trace 1).
 * COHERENT: c_n = e^{-|alpha|^2/2} alpha^n/sqrt(n!), NOT renormalised after
 * truncation (as qutip.coherent(N, alpha, method='analytic')), accurate to
 * a few ulp for any |alpha| (no overflow or underflow). */
pm_complex pm_initial_element(const pm_initial *init, int64_t N, int64_t i, int64_t j);
/* Mechanical population above the cutoff before truncation: q^N for THERMAL
 * (q = n_th/(n_th+1), removed by the renormalisation), sum_{n>=N} |c_n|^2
 * for COHERENT (missing from the trace), 0 or 1 for FOCK/VACUUM. */
double pm_initial_tail(const pm_initial *init, int64_t N);
/* Smallest K such that every coherence with |e_i - e_j| > K is below
 * `tolerance`: max_n |c_n c_{n+k}| < tolerance for all k > K (a bound on
 * |rho_ij|, since spin populations are <= 1).  0 for phase-invariant states;
 * N - 1 if tolerance <= 0. */
int64_t pm_initial_max_sector(const pm_initial *init, int64_t N, double tolerance);

/* Allocate a state on `nblocks` blocks (vectors zeroed).  Every block must
 * have dim = 2N; the sector labels must be distinct, and a full block must be
 * the only block (so no element is stored twice). */
pm_status pm_state_alloc(int64_t N, size_t nblocks, const pm_block *const *blocks, pm_state **out);
/* Set every stored element to rho0 (elements outside the blocks are dropped). */
void pm_state_fill_initial(pm_state *state, const pm_initial *init);
void pm_state_free(pm_state *state);
/* rho[i][j] (0 if in no block; see adjoint_implied). */
pm_complex pm_state_element(const pm_state *state, int64_t i, int64_t j);

/* Observables and health checks of a state.  Expectation values are Tr(O rho)
 * without dividing by Tr rho (like qutip.expect); `trace` reports Tr rho. */
typedef struct pm_observables {
    double n_mean;            /* <a^dag a> */
    double n2_mean;           /* <(a^dag a)^2> */
    double g2;                /* (<n^2> - <n>) / <n>^2; NaN if <n> <= 0 */
    double sz_mean;           /* <sigma_z> */
    pm_complex a_mean;        /* <a> (from the k = +1 elements; 0 without them) */
    pm_complex a2_mean;       /* <a^2> (from the k = +2 elements: the spin-diagonal ones) */
    pm_complex rho_spin[2][2]; /* reduced spin state, index 0 = up */
    double *p_n;              /* P(n), n = 0..N-1 (owned; free with pm_observables_clear) */
    int64_t N;
    /* health */
    double trace;             /* Tr rho */
    double hermiticity_error; /* max |rho_ij - conj(rho_ji)| over stored elements
                                 (rho_ji = 0 if no block holds it, unless
                                 implied by state->adjoint_implied) */
    double min_eigenvalue;    /* smallest eigenvalue of (rho + rho^dag)/2: exact 2x2
                                 blocks if rho conserves e; bisection on LAPACK zpbtrf
                                 (to 1e-16) on the band |e_i - e_j| <= max_sector if
                                 that band is narrow (half-width 2 max_sector + 1 <
                                 dim/4, cost <= PM_STATE_BANDED_EIG_MAX_COST); else LAPACK
                                 zheev if dim <= PM_STATE_DENSE_EIG_MAX_DIM, else NaN */
    double tail_population;   /* sum of P(n) over the top tail_levels Fock levels */
    int64_t tail_levels;      /* max(1, N/20): the top 5% of the levels, at least 1 */
    /* sectors: sector_norm[k + max_sector] = sqrt(sum |rho_ij|^2 over e_i - e_j = k),
     * the Frobenius norm of sector k, k = -max_sector..max_sector (owned) */
    int64_t max_sector;       /* largest |e_i - e_j| any block holds */
    double *sector_norm;
    /* coupled sectors cut at K: the norm of the outermost kept sectors
     * (largest |k| <= K of the class) relative to that of k = 0, the
     * truncation measure of K; NaN for states not on coupled sectors */
    double coherence_tail;
} pm_observables;

/* The observables linear in rho, from one block's vector x alone: sums over
 * blocks give those of the state (k >= 0 suffices: trace, n, sz come from
 * k = 0, <a> from k = +1).  No allocation; for time series. */
typedef struct pm_linear_observables {
    double trace, n_mean, n2_mean, sz_mean;
    double tail_population;   /* population of the top pm_state_tail_levels(N) Fock levels */
    pm_complex a_mean, a2_mean;
} pm_linear_observables;

/* Health limits of a steady state, checked in one place (the command line
 * prints the messages as warnings):
 *   tail_population <= tail_tol (the cutoff N truncates the state),
 *   |trace - 1| <= 1e-8, hermiticity_error <= 1e-8, min_eigenvalue >= -1e-8,
 *   residual <= 1e-8 x rate_scale (residual |L rho| in 1/s against the
 *     largest rate of the problem),
 *   number_balance <= 1e-6 (the model's closed-form d<n>/dt = 0; NaN: not
 *     checked).
 * Each violated limit is one line in messages[] (at most PM_HEALTH_MAX). */
#define PM_HEALTH_MAX 8
typedef struct pm_health {
    int count;
    char messages[PM_HEALTH_MAX][256];
} pm_health;
void pm_health_check(const pm_observables *obs, double residual, double rate_scale, double tail_tol,
                     double number_balance, pm_health *out);
/* The largest rate of the paper's models at cutoff N [1/s]: gamma_2 + gamma_1
 * + g sqrt(N) + gamma_m (n_th + 1) N (the scale of a residual). */
double pm_health_rate_scale(const pm_params *params, int64_t N);

/* Tr(op rho) for an operator of the model's space (dimension 2N): sums
 * op_ji rho_ij over op's nonzeros (rho_ij from pm_state_element). */
pm_complex pm_state_expect(const pm_state *state, const pm_sparse *op);

/* g2(0) = (<n^2> - <n>) / <n>^2 from the moments; NaN if <n> <= 0. */
double pm_g2_from_moments(double n_mean, double n2_mean);

/* Number of top Fock levels whose population is the "tail": max(1, N/20). */
int64_t pm_state_tail_levels(int64_t N);

void pm_observables_linear(const pm_block *block, const pm_complex *x,
                           pm_linear_observables *out);

/* Largest d kd^2 (dimension times squared band width) for which
 * min_eigenvalue of a banded state is computed: about 50 Cholesky
 * factorisations of that cost, ~1 s at 2e8 (a coherent state with K = 200
 * at N = 4000 would take minutes; it is skipped: NaN). */
#define PM_STATE_BANDED_EIG_MAX_COST 2e8

/* Largest Hilbert dimension 2N for which min_eigenvalue of a state with
 * coherences between excitation numbers is computed densely: O(d^3), about
 * 1 s at d = 1000 and 8 s at d = 2000 with the reference LAPACK. */
#define PM_STATE_DENSE_EIG_MAX_DIM 1000

/* Fill `out` (any previous contents are overwritten, not freed).  O(size) per
 * block except the dense eigenvalue path.  Returns PM_ENUMERIC if an element
 * is NaN/Inf (min_eigenvalue then NaN), PM_ENOMEM/PM_ESOLVER if the dense
 * eigenvalue path fails; the other fields are filled in every case except
 * PM_EINVAL, and out->p_n must always be released with pm_observables_clear. */
pm_status pm_observables_compute(const pm_state *state, pm_observables *out);
void pm_observables_clear(pm_observables *obs);

#ifdef __cplusplus
}
#endif

#endif
