/* Density matrices stored on Liouvillian blocks, initial states, observables.
 *
 * A pm_state is a density matrix given by its elements on one or more blocks
 * (the full block, or sectors k = -K..K); elements outside every block are
 * zero.  Vectors x_b[p] hold rho[row[p], col[p]] of block b. */
#ifndef PHONOMASER_STATE_H
#define PHONOMASER_STATE_H

#include <complex.h>
#include <stddef.h>
#include <stdint.h>

#include "phonomaser/liouvillian.h"
#include "phonomaser/params.h"

#define PM_STATE_MAX_BLOCKS 4097

typedef struct pm_state {
    int64_t N;                     /* Fock cutoff; dim = 2N */
    size_t nblocks;
    const pm_block *blocks[PM_STATE_MAX_BLOCKS]; /* not owned */
    double complex *x[PM_STATE_MAX_BLOCKS];      /* owned, blocks[b]->size each */
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
    double complex alpha;   /* amplitude (COHERENT) */
    double p_up;            /* spin population of |up> (THERMAL, FOCK, COHERENT) */
} pm_initial;

/* Initial state of `kind` for the model parameters (n_th, p_up = gamma_up/gamma_1). */
void pm_initial_default(const pm_params *params, pm_initial_kind kind, pm_initial *out);
/* rho0[i][j] in the basis of space.h (cutoff N; coherent amplitudes are not
 * renormalised after truncation: pm_initial_tail() reports what is lost). */
double complex pm_initial_element(const pm_initial *init, int64_t N, int64_t i, int64_t j);
/* Largest |k| needed so that the sectors |k| <= K carry all coherences with
 * |rho_ij| above `tolerance` (0 for phase-invariant states). */
int64_t pm_initial_max_sector(const pm_initial *init, int64_t N, double tolerance);

/* Allocate a state on `nblocks` blocks (vectors zeroed) / fill from an initial state. */
pm_status pm_state_alloc(int64_t N, size_t nblocks, const pm_block *const *blocks, pm_state **out);
void pm_state_fill_initial(pm_state *state, const pm_initial *init);
void pm_state_free(pm_state *state);
/* rho[i][j] (0 if in no block). */
double complex pm_state_element(const pm_state *state, int64_t i, int64_t j);

/* Observables and health checks of a state. */
typedef struct pm_observables {
    double n_mean;            /* <a^dag a> */
    double n2_mean;           /* <(a^dag a)^2> */
    double g2;                /* (<n^2> - <n>) / <n>^2 */
    double sz_mean;           /* <sigma_z> */
    double complex a_mean;    /* <a> (0 without the k = +-1 sectors) */
    double complex rho_spin[2][2]; /* reduced spin state, index 0 = up */
    double *p_n;              /* P(n), n = 0..N-1 (owned; free with pm_observables_clear) */
    int64_t N;
    /* health */
    double trace;             /* Tr rho */
    double hermiticity_error; /* max |rho_ij - conj(rho_ji)| */
    double min_eigenvalue;    /* smallest eigenvalue of rho (NaN if not computed) */
    double tail_population;   /* population of the top Fock levels (see tail_levels) */
    int64_t tail_levels;      /* number of top levels summed: max(1, N/20) ... documented in .c */
} pm_observables;

pm_status pm_observables_compute(const pm_state *state, pm_observables *out);
void pm_observables_clear(pm_observables *obs);

#endif
