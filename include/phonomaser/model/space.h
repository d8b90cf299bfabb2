/* The Hilbert space spin (x) Fock and its operators.
 *
 * Basis ordering follows QuTiP's tensor(spin, fock): state |s, n> has index
 * i = s * N + n, with s = 0 for |up> and s = 1 for |down> (QuTiP's
 * basis(2, 0) is the sigma_z = +1 state), n = 0..N-1.  Dimension d = 2N.
 * Dressed-basis operators: sigma_z = |up><up| - |down><down|,
 * sigma_- = |down><up|, sigma_+ = |up><down|.
 *
 * The excitation number e = n + (s == up) is conserved by the JC
 * Hamiltonian; pm_space_excitation() gives it for each basis index. */
#ifndef PHONOMASER_SPACE_H
#define PHONOMASER_SPACE_H

#include <stdint.h>

#include "phonomaser/linalg/sparse.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { PM_SPIN_UP = 0, PM_SPIN_DOWN = 1 };

static inline int64_t pm_space_index(int64_t N, int spin, int64_t n) { return spin * N + n; }
static inline int pm_space_spin(int64_t N, int64_t i) { return (int)(i / N); }
static inline int64_t pm_space_fock(int64_t N, int64_t i) { return i % N; }
/* Excitation number e = n + (spin == up). */
static inline int64_t pm_space_excitation(int64_t N, int64_t i)
{
    return pm_space_fock(N, i) + (pm_space_spin(N, i) == PM_SPIN_UP);
}

/* Operators on spin (x) Fock (dimension 2N), each newly allocated. */
typedef enum {
    PM_OP_A,        /* 1 (x) a */
    PM_OP_ADAG,     /* 1 (x) a^dagger */
    PM_OP_NUM,      /* 1 (x) a^dagger a */
    PM_OP_SIGMA_M,  /* sigma_- (x) 1 */
    PM_OP_SIGMA_P,  /* sigma_+ (x) 1 */
    PM_OP_SIGMA_Z,  /* sigma_z (x) 1 */
    PM_OP_IDENTITY
} pm_operator_kind;

pm_status pm_space_operator(int64_t N, pm_operator_kind kind, pm_sparse **out);

#ifdef __cplusplus
}
#endif

#endif
