/* Model instances: the type table, operators shared by the models, the
 * sector structure and the blocks (model.h). */
#include "phonomaser/model/model.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>

#include "phonomaser/model/space.h"
#include "model/model_terms.h"


/* The model registry: one entry per model id of params.h. */
static const pm_model_type *const model_types[PM_MODEL_COUNT] = {
    [PM_MODEL_JC] = &pm_model_type_jc,
    [PM_MODEL_DRESSED] = &pm_model_type_dressed,
};

const pm_model_type *pm_model_type_get(int model_id)
{
    return model_id >= 0 && model_id < PM_MODEL_COUNT ? model_types[model_id] : NULL;
}

pm_complex pm_model_type_amplitude_shift(const pm_model_type *type, const pm_params *params)
{
    return type->lab_frame ? -I * params->omega_m : 0;
}

int pm_model_regime_warning(const pm_params *params, char *text, size_t size)
{
    if (size) text[0] = '\0';
    const pm_model_type *type = pm_model_type_get(params->model);
    return type && type->regime_warning ? type->regime_warning(params, text, size) : 0;
}

pm_status pm_model_rwa_params(const pm_params *params, pm_params *out)
{
    const pm_model_type *type = pm_model_type_get(params->model);
    if (!type || type->rwa_model < 0)
        return pm_error_set(PM_EINVAL, "model = %s has no rotating-wave reference model",
                            type ? type->name : "?");
    *out = *params;
    out->model = type->rwa_model;
    const char *const *keys = pm_params_key_names();
    for (int k = 0; keys[k]; k++)
        if (!pm_params_key_applies(keys[k], out->model)) out->set_mask &= ~(1u << k);
    return PM_OK;
}

void pm_model_free(pm_model *model)
{
    if (!model) return;
    pm_sparse_free(model->H);
    for (size_t m = 0; m < model->njump; m++) pm_sparse_free(model->jump_ops[m]);
    free(model->charge);
    free(model);
}

pm_status pm_model_add_jump(pm_model *model, double rate, pm_operator_kind kind)
{
    if (model->njump == PM_MODEL_MAX_JUMPS)
        return pm_error_set(PM_EINVAL, "model %s: more than %d jump operators", model->type->name,
                            PM_MODEL_MAX_JUMPS);
    pm_sparse *op = NULL;
    pm_status s = pm_space_operator(model->N, kind, &op);
    if (s != PM_OK) return s;
    model->jump_ops[model->njump] = op;
    model->jumps[model->njump].rate = rate;
    model->jumps[model->njump].op = op;
    model->njump++;
    return PM_OK;
}

pm_status pm_model_add_paper_dissipators(pm_model *model, const pm_params *params)
{
    /* Eqs. (8)-(9) in the dressed basis */
    pm_status s = pm_model_add_jump(model, params->gamma_m * (params->n_th + 1), PM_OP_A);
    if (s == PM_OK) s = pm_model_add_jump(model, params->gamma_m * params->n_th, PM_OP_ADAG);
    if (s == PM_OK) s = pm_model_add_jump(model, params->gamma_down, PM_OP_SIGMA_M);
    if (s == PM_OK) s = pm_model_add_jump(model, params->gamma_up, PM_OP_SIGMA_P);
    if (s == PM_OK) s = pm_model_add_jump(model, params->gamma_phi / 2, PM_OP_SIGMA_Z);
    return s;
}

static pm_status model_alloc_type(const pm_model_type *type, const pm_params *params, int user_terms,
                                  pm_model **out)
{
    *out = NULL;
    if (params->N < 2)
        return pm_error_set(PM_EINVAL, "N = %ld: the Fock cutoff must be an integer >= 2", params->N);
    pm_model *model = calloc(1, sizeof *model);
    if (!model) return pm_error_set(PM_ENOMEM, "out of memory allocating the model");
    model->type = type;
    model->params = *params;
    model->N = params->N;
    model->dim = 2 * params->N;
    model->K = type->truncates_sectors ? params->K : PM_K_AUTO;
    model->charge = malloc((size_t)model->dim * sizeof *model->charge);
    pm_status s = model->charge ? PM_OK : pm_error_set(PM_ENOMEM, "out of memory allocating the model");
    for (int64_t i = 0; i < model->dim && s == PM_OK; i++) model->charge[i] = pm_space_excitation(model->N, i);
    if (s == PM_OK) s = type->build(params, model);
    if (s == PM_OK && user_terms) s = pm_model_add_user_terms(model, &params->terms);
    if (s == PM_OK)
        s = pm_liouvillian_sector_step(model->H, model->njump, model->jumps, model->charge, &model->sector_step);
    if (s != PM_OK) {
        pm_model_free(model);
        return s;
    }
    *out = model;
    return PM_OK;
}

pm_status pm_model_desc_init(const pm_params *params, pm_model_desc *out)
{
    out->type = pm_model_type_get(params->model);
    out->params = *params;
    if (!out->type) return pm_error_set(PM_EINVAL, "model = %d: no such model (jc or dressed)", params->model);
    return PM_OK;
}

pm_status pm_model_desc_build(const pm_model_desc *desc, long N, long K, pm_model **out)
{
    pm_params at = desc->params;
    at.N = N;
    at.K = K;
    return model_alloc_type(desc->type, &at, 1, out);
}

pm_status pm_model_alloc(const pm_params *params, pm_model **out)
{
    pm_model_desc desc;
    *out = NULL;
    pm_status s = pm_model_desc_init(params, &desc);
    return s == PM_OK ? pm_model_desc_build(&desc, params->N, params->K, out) : s;
}

pm_status pm_model_jc_alloc(const pm_params *params, pm_model **out)
{
    return model_alloc_type(&pm_model_type_jc, params, 0, out);
}

double complex pm_model_expect_product(const pm_model *model, const pm_state *state, pm_operator_kind a,
                                       pm_operator_kind b)
{
    pm_sparse *op_a = NULL, *op_b = NULL, *product = NULL;
    double complex value = NAN;
    pm_status s = pm_space_operator(model->N, a, &op_a);
    if (s == PM_OK && b != PM_OP_IDENTITY) {
        s = pm_space_operator(model->N, b, &op_b);
        if (s == PM_OK) s = pm_sparse_multiply(op_a, op_b, &product);
    }
    if (s == PM_OK) value = pm_state_expect(state, product ? product : op_a);
    pm_sparse_free(op_a);
    pm_sparse_free(op_b);
    pm_sparse_free(product);
    return value;
}

/* The dissipators' part of d<n>/dt for the truncated a (a^dag|N-1> = 0):
 * D[a] gives -<n> exactly, D[a^dag] gives <(n + 1)(1 - P_top)> = <n> + 1 - N P(N-1),
 * so gamma_m (n_th - <n>) - gamma_m n_th N P(N-1); plus flux = i<[H, n]>, over
 * gamma_m (<n> + n_th + 1).  Exact for the truncated model at any N. */
double pm_model_balance_residual(const pm_model *model, const pm_state *state, double flux)
{
    const pm_params *params = &model->params;
    const int64_t N = model->N;
    double n = creal(pm_model_expect_product(model, state, PM_OP_NUM, PM_OP_IDENTITY));
    double top = creal(pm_state_element(state, pm_space_index(N, PM_SPIN_UP, N - 1), pm_space_index(N, PM_SPIN_UP, N - 1)) +
                       pm_state_element(state, pm_space_index(N, PM_SPIN_DOWN, N - 1),
                                        pm_space_index(N, PM_SPIN_DOWN, N - 1)));
    double dissipation = params->gamma_m * (params->n_th - n) - params->gamma_m * params->n_th * (double)N * top;
    return fabs(dissipation + flux) / (params->gamma_m * (n + params->n_th + 1));
}

double pm_model_number_balance(const pm_model *model, const pm_state *state)
{
    if (model->params.terms.count > 0 || !model->type->number_balance) return NAN;
    return model->type->number_balance(model, state);
}

int pm_model_coupled(const pm_model *model)
{
    return model->sector_step > 0 && model->type->truncates_sectors;
}

pm_status pm_model_block(const pm_model *model, int64_t sector, pm_block **out)
{
    if (sector == PM_SECTOR_FULL) return pm_liouvillian_full(model->H, model->njump, model->jumps, out);
    if (!pm_model_coupled(model))
        return pm_liouvillian_sector(model->H, model->njump, model->jumps, model->charge, sector, out);
    if (model->K == PM_K_AUTO) {
        *out = NULL;
        return pm_error_set(PM_EINVAL, "K = auto: the sector cutoff must be chosen before a block is built "
                            "(pm_converge_auto does)");
    }
    int64_t step = model->sector_step, k_class = ((sector % step) + step) % step;
    /* more than every charge difference keeps every element */
    int64_t K = model->K < model->N + 1 ? model->K : model->N + 1;
    return pm_liouvillian_coupled(model->H, model->njump, model->jumps, model->charge, K, step, k_class, out);
}

/* ------------------------------------------------- Hamiltonian terms (model_terms.h) */

void pm_hamiltonian_terms_init(pm_hamiltonian_terms *terms, int64_t N)
{
    terms->N = N;
    terms->sum = NULL;
    terms->status = PM_OK;
}

void pm_hamiltonian_terms_add(pm_hamiltonian_terms *terms, double complex coef, pm_operator_kind a,
                              pm_operator_kind b)
{
    if (terms->status != PM_OK || coef == 0) return;
    pm_sparse *op_a = NULL, *op_b = NULL, *product = NULL, *sum = NULL;
    pm_status s = pm_space_operator(terms->N, a, &op_a);
    if (s == PM_OK && b != PM_OP_IDENTITY) {
        s = pm_space_operator(terms->N, b, &op_b);
        if (s == PM_OK) s = pm_sparse_multiply(op_a, op_b, &product);
    }
    const pm_sparse *term = product ? product : op_a;
    if (s == PM_OK) s = terms->sum ? pm_sparse_add(1, terms->sum, coef, term, &sum) : pm_sparse_add(coef, term, 0, term, &sum);
    if (s == PM_OK) {
        pm_sparse_free(terms->sum);
        terms->sum = sum;
    }
    pm_sparse_free(op_a);
    pm_sparse_free(op_b);
    pm_sparse_free(product);
    terms->status = s;
}

pm_status pm_hamiltonian_terms_finish(pm_hamiltonian_terms *terms, pm_sparse **out)
{
    *out = NULL;
    if (terms->status == PM_OK && !terms->sum) {
        /* H = 0: an empty N x N matrix (the zero operator) */
        pm_sparse *zero = NULL;
        pm_status s = pm_space_operator(terms->N, PM_OP_IDENTITY, &zero);
        if (s == PM_OK) s = pm_sparse_add(0, zero, 0, zero, &terms->sum);
        pm_sparse_free(zero);
        terms->status = s;
    }
    if (terms->status != PM_OK) {
        pm_sparse_free(terms->sum);
        terms->sum = NULL;
        return terms->status;
    }
    *out = terms->sum;
    terms->sum = NULL;
    return PM_OK;
}
