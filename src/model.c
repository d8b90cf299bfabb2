#include "phonomaser/model.h"

#include <stdlib.h>

#include "phonomaser/space.h"

void pm_model_free(pm_model *model)
{
    if (!model) return;
    pm_sparse_free(model->H);
    for (size_t m = 0; m < model->njump; m++) pm_sparse_free(model->jump_ops[m]);
    free(model->charge);
    free(model);
}

static pm_status add_jump(pm_model *model, double rate, pm_operator_kind kind)
{
    pm_sparse *op = NULL;
    pm_status s = pm_space_operator(model->N, kind, &op);
    if (s != PM_OK) return s;
    model->jump_ops[model->njump] = op;
    model->jumps[model->njump].rate = rate;
    model->jumps[model->njump].op = op;
    model->njump++;
    return PM_OK;
}

/* H = (delta/2) sigma_z + g (a sigma_+ + a^dag sigma_-): Eq. (6) in the frame
 * rotating at omega_m for both spin and mode (physics-notes.md); plus the
 * optional drive F (a + a^dag), resonant in this frame. */
static pm_status jc_hamiltonian(const pm_params *params, int64_t N, pm_sparse **out)
{
    pm_sparse *sz = NULL, *a = NULL, *adag = NULL, *sp = NULL, *exchange = NULL, *exchange_dag = NULL,
              *coupling = NULL, *position = NULL, *H = NULL;
    pm_status s = pm_space_operator(N, PM_OP_SIGMA_Z, &sz);
    if (s == PM_OK) s = pm_space_operator(N, PM_OP_A, &a);
    if (s == PM_OK) s = pm_space_operator(N, PM_OP_ADAG, &adag);
    if (s == PM_OK) s = pm_space_operator(N, PM_OP_SIGMA_P, &sp);
    if (s == PM_OK) s = pm_sparse_multiply(a, sp, &exchange);          /* a sigma_+ */
    if (s == PM_OK) s = pm_sparse_adjoint(exchange, &exchange_dag);    /* a^dag sigma_- */
    if (s == PM_OK) s = pm_sparse_add(params->g, exchange, params->g, exchange_dag, &coupling);
    if (s == PM_OK) s = pm_sparse_add(params->delta / 2, sz, 1, coupling, &H);
    if (s == PM_OK) s = pm_sparse_add(params->drive, a, params->drive, adag, &position);
    if (s == PM_OK) s = pm_sparse_add(1, H, 1, position, out); /* exact zeros are dropped */
    pm_sparse_free(sz);
    pm_sparse_free(a);
    pm_sparse_free(adag);
    pm_sparse_free(sp);
    pm_sparse_free(exchange);
    pm_sparse_free(exchange_dag);
    pm_sparse_free(coupling);
    pm_sparse_free(position);
    pm_sparse_free(H);
    return s;
}

pm_status pm_model_jc_alloc(const pm_params *params, pm_model **out)
{
    *out = NULL;
    if (params->N < 2)
        return pm_error_set(PM_EINVAL, "N = %ld: the Fock cutoff must be an integer >= 2", params->N);
    pm_model *model = calloc(1, sizeof *model);
    if (!model) return pm_error_set(PM_ENOMEM, "out of memory allocating the model");
    model->N = params->N;
    model->dim = 2 * params->N;
    model->charge = malloc((size_t)model->dim * sizeof *model->charge);
    pm_status s = model->charge ? PM_OK : pm_error_set(PM_ENOMEM, "out of memory allocating the model");
    for (int64_t i = 0; i < model->dim && s == PM_OK; i++) model->charge[i] = pm_space_excitation(model->N, i);
    if (s == PM_OK) s = jc_hamiltonian(params, model->N, &model->H);
    /* Eqs. (8)-(9) */
    if (s == PM_OK) s = add_jump(model, params->gamma_m * (params->n_th + 1), PM_OP_A);
    if (s == PM_OK) s = add_jump(model, params->gamma_m * params->n_th, PM_OP_ADAG);
    if (s == PM_OK) s = add_jump(model, params->gamma_down, PM_OP_SIGMA_M);
    if (s == PM_OK) s = add_jump(model, params->gamma_up, PM_OP_SIGMA_P);
    if (s == PM_OK) s = add_jump(model, params->gamma_phi / 2, PM_OP_SIGMA_Z);
    if (s != PM_OK) {
        pm_model_free(model);
        return s;
    }
    *out = model;
    return PM_OK;
}

pm_status pm_model_block(const pm_model *model, int64_t sector, pm_block **out)
{
    if (sector == PM_SECTOR_FULL) return pm_liouvillian_full(model->H, model->njump, model->jumps, out);
    return pm_liouvillian_sector(model->H, model->njump, model->jumps, model->charge, sector, out);
}
