#include "phonomaser/model/space.h"

#include <math.h>

/* Single-mode and single-spin factors; the spin (x) Fock operator is their
 * Kronecker product in QuTiP's tensor(spin, fock) order. */
static pm_status fock_factor(int64_t N, pm_operator_kind kind, pm_sparse **out)
{
    pm_triplets *t = pm_triplets_alloc(N, N, N);
    if (!t) return pm_error_set(PM_ENOMEM, "out of memory building a Fock operator (N = %lld)", (long long)N);
    pm_status s = PM_OK;
    for (int64_t n = 0; n < N && s == PM_OK; n++) {
        switch (kind) {
        case PM_OP_A: /* a|n> = sqrt(n)|n-1> */
            if (n > 0) s = pm_triplets_add(t, n - 1, n, sqrt((double)n));
            break;
        case PM_OP_ADAG: /* a^dag|n> = sqrt(n+1)|n+1>, truncated at N-1 */
            if (n + 1 < N) s = pm_triplets_add(t, n + 1, n, sqrt((double)(n + 1)));
            break;
        case PM_OP_NUM:
            s = pm_triplets_add(t, n, n, (double)n);
            break;
        default:
            s = pm_triplets_add(t, n, n, 1.0);
            break;
        }
    }
    if (s == PM_OK) s = pm_sparse_from_triplets(t, out);
    pm_triplets_free(t);
    return s;
}

static pm_status spin_factor(pm_operator_kind kind, pm_sparse **out)
{
    pm_triplets *t = pm_triplets_alloc(2, 2, 2);
    if (!t) return pm_error_set(PM_ENOMEM, "out of memory building a spin operator");
    pm_status s = PM_OK;
    switch (kind) {
    case PM_OP_SIGMA_M: /* |down><up| */
        s = pm_triplets_add(t, PM_SPIN_DOWN, PM_SPIN_UP, 1.0);
        break;
    case PM_OP_SIGMA_P: /* |up><down| */
        s = pm_triplets_add(t, PM_SPIN_UP, PM_SPIN_DOWN, 1.0);
        break;
    case PM_OP_SIGMA_Z:
        s = pm_triplets_add(t, PM_SPIN_UP, PM_SPIN_UP, 1.0);
        if (s == PM_OK) s = pm_triplets_add(t, PM_SPIN_DOWN, PM_SPIN_DOWN, -1.0);
        break;
    default:
        s = pm_triplets_add(t, 0, 0, 1.0);
        if (s == PM_OK) s = pm_triplets_add(t, 1, 1, 1.0);
        break;
    }
    if (s == PM_OK) s = pm_sparse_from_triplets(t, out);
    pm_triplets_free(t);
    return s;
}

pm_status pm_space_operator(int64_t N, pm_operator_kind kind, pm_sparse **out)
{
    *out = NULL;
    if (N < 1) return pm_error_set(PM_EINVAL, "N = %lld: the Fock cutoff must be >= 1", (long long)N);
    int acts_on_spin = kind == PM_OP_SIGMA_M || kind == PM_OP_SIGMA_P || kind == PM_OP_SIGMA_Z;
    pm_sparse *spin = NULL, *fock = NULL;
    pm_status s = spin_factor(acts_on_spin ? kind : PM_OP_IDENTITY, &spin);
    if (s == PM_OK) s = fock_factor(N, acts_on_spin ? PM_OP_IDENTITY : kind, &fock);
    if (s == PM_OK) s = pm_sparse_kron(spin, fock, out);
    pm_sparse_free(spin);
    pm_sparse_free(fock);
    return s;
}
