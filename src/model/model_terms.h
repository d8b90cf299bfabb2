/* Internal: a Hamiltonian as a sum of terms coef * A B of the operators of
 * space.h, for the model types.  Errors are sticky: the first failure is
 * returned by pm_hamiltonian_terms_finish, which also frees on failure.
 * Terms with coef = 0 are skipped (so H keeps no explicit zeros). */
#ifndef PHONOMASER_MODEL_TERMS_H
#define PHONOMASER_MODEL_TERMS_H

#include "phonomaser/model/model.h"
#include "phonomaser/model/space.h"
#include "core/internal.h"

typedef struct pm_hamiltonian_terms {
    int64_t N;
    pm_sparse *sum;
    pm_status status;
} pm_hamiltonian_terms;

PM_INTERNAL void pm_hamiltonian_terms_init(pm_hamiltonian_terms *terms, int64_t N);
/* sum += coef * A B (B = PM_OP_IDENTITY for a single operator) */
PM_INTERNAL void pm_hamiltonian_terms_add(pm_hamiltonian_terms *terms, double complex coef, pm_operator_kind a,
                              pm_operator_kind b);
PM_INTERNAL pm_status pm_hamiltonian_terms_finish(pm_hamiltonian_terms *terms, pm_sparse **out);

/* For the model types' number_balance: the residual of
 * gamma_m (n_th - <n>) + flux = 0 over gamma_m (<n> + n_th + 1). */
PM_INTERNAL double pm_model_balance_residual(const pm_model *model, const pm_state *state, double flux);

/* The model types (model_jc.c, model_dressed.c), for pm_model_type_get. */
PM_INTERNAL extern const pm_model_type pm_model_type_jc;
PM_INTERNAL extern const pm_model_type pm_model_type_dressed;

#endif
