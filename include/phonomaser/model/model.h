/* Models: a model type (name, operators) and a model instance (the
 * operators built at one cutoff, and the sector structure the library
 * derived from them).
 *
 * A model type is a const table in the style of GSL's gsl_odeiv2_step_type:
 * one per file under src/ (model_jc.c, model_dressed.c); pm_model_alloc
 * picks it by params->model.  Every model lives on spin (x) Fock (space.h,
 * dimension 2N) with the charge e = n + (spin == up) on each basis state.
 * The library, not the model, decides how the Liouvillian splits into
 * excitation-difference sectors k = e_i - e_j (pm_liouvillian_sector_step):
 *   sector_step = 0   every sector k is invariant (JC): blocks k = 0, +-1, ...;
 *   sector_step = s   sectors k and k +- s are coupled; the steady state lives
 *                     in k = 0 (mod s), truncated at |k| <= K (the dressed
 *                     model: s = 2 at theta = pi/2 (parity), else 1).
 * Truncation in k needs a cutoff K, which only models that declare
 * `truncates_sectors` accept (the key K); another model whose terms couple
 * the sectors runs on the full Liouvillian. */
#ifndef PHONOMASER_MODEL_H
#define PHONOMASER_MODEL_H

#include "phonomaser/liouvillian/liouvillian.h"
#include "phonomaser/core/params.h"
#include "phonomaser/model/space.h"
#include "phonomaser/state/state.h"
#include "phonomaser/model/terms.h"

#ifdef __cplusplus
extern "C" {
#endif

/* the model type's jumps (at most 8) plus one per user term (terms.h) */
#define PM_MODEL_MAX_JUMPS (8 + PM_TERMS_MAX)

typedef struct pm_model pm_model;

typedef struct pm_model_type {
    const char *name;        /* the value of the key `model` */
    const char *description; /* one line: equations and frame */
    const char *frame;       /* "rotating at omega_m" | "lab" */
    int truncates_sectors;   /* 1: coupled sectors are cut at |k| <= K (key K) */
    int lab_frame;           /* 1: H holds the phonon's free rotation omega_m n, so the modes
                                carrying <a> lie near -i omega_m; 0: near 0 */
    int rwa_model;           /* the model id (params.h) of this model's rotating-wave
                                approximation, the exact reference of the four-way comparison
                                (compare_models.h); -1 if it has none */
    /* Build H and the jumps at model->N (dim, charge already set) from
     * derived params; add operators with pm_model_add_jump. */
    pm_status (*build)(const pm_params *params, pm_model *model);
    /* The phonon-number balance of a steady state, d<n>/dt = 0 written in
     * closed form from the model's equations (independent of the
     * Liouvillian builder): gamma_m (n_th - <n>) - gamma_m n_th N P(N-1)
     * (the truncated a^dag) + i <[H, n]>, over the scale
     * gamma_m (<n> + n_th + 1); exact at any cutoff.  A health check; NaN
     * where the closed form does not apply (user terms). */
    double (*number_balance)(const pm_model *model, const pm_state *state);
    /* Optional (NULL: none): parameters that are valid but outside what the
     * model is meant for get a one-line warning in text[size]; returns 1
     * then, else 0.  Callers show it and go on (the numbers stay exact). */
    int (*regime_warning)(const pm_params *params, char *text, size_t size);
} pm_model_type;

struct pm_model {
    const pm_model_type *type;
    pm_params params;        /* the (derived) parameters it was built from, N and K included */
    int64_t N;               /* Fock cutoff */
    int64_t dim;             /* 2N */
    pm_sparse *H;            /* Hamiltonian [rad/s] */
    size_t njump;
    pm_jump jumps[PM_MODEL_MAX_JUMPS];
    pm_sparse *jump_ops[PM_MODEL_MAX_JUMPS]; /* owned operators of jumps[] */
    int64_t *charge;         /* excitation number of each basis state */
    int64_t sector_step;     /* see above; derived from the operators */
    int64_t K;               /* sector cutoff for truncates_sectors models (PM_K_AUTO: the caller
                                chooses, e.g. pm_converge_auto) */
    char symmetry_note[96];  /* "user term H.x changes it" (the excitation number) for the first
                                user term that does ("" if none): the path notes name it */
};

/* The type of a model id (params.h), or NULL. */
const pm_model_type *pm_model_type_get(int model_id);
/* The shift at which to look for the slowest mode carrying <a> (a spectrum
 * shift, spectrum.h): -i omega_m in a lab frame, 0 in the rotating frame. */
pm_complex pm_model_type_amplitude_shift(const pm_model_type *type, const pm_params *params);
/* The model type's regime warning for derived `params` (pm_model_type), or
 * 0 with text = "". */
int pm_model_regime_warning(const pm_params *params, char *text, size_t size);
/* The parameters of the same point in type->rwa_model (PM_EINVAL if the
 * type has none): the model key changed, the keys the reference does not
 * take (pm_params_key_applies) released. */
pm_status pm_model_rwa_params(const pm_params *params, pm_params *out);

/* A model description: a model type and its (derived) parameters, user
 * terms included, at no particular cutoff (params.N and params.K may be
 * auto).  The drivers that choose cutoffs (converge.h, compare.h,
 * compare_models.h) take one and build instances from it at the cutoffs
 * they try, so a model type written outside the library (its own
 * pm_model_type table) runs through them as the library's own do. */
typedef struct pm_model_desc {
    const pm_model_type *type;
    pm_params params;
} pm_model_desc;

/* The description of the registry's model params->model, with params. */
pm_status pm_model_desc_init(const pm_params *params, pm_model_desc *out);
/* An instance of the description at cutoffs N (>= 2) and K (used by types
 * that truncate sectors), the user terms desc->params.terms appended. */
pm_status pm_model_desc_build(const pm_model_desc *desc, long N, long K, pm_model **out);

/* Build the operators of the model params->model at cutoff params->N (must
 * be >= 2; params must have been through pm_params_derive), then append the
 * user terms params->terms (terms.h) to H and the jumps. */
pm_status pm_model_alloc(const pm_params *params, pm_model **out);
/* The JC maser whatever params->model says, without user terms (tests, the
 * JC column of compare). */
pm_status pm_model_jc_alloc(const pm_params *params, pm_model **out);
void pm_model_free(pm_model *model);

/* For model types: append rate * D[op] (op: an operator of space.h). */
pm_status pm_model_add_jump(pm_model *model, double rate, pm_operator_kind kind);
/* The dissipators of Eqs. (8)-(9), shared by every model of the paper. */
pm_status pm_model_add_paper_dissipators(pm_model *model, const pm_params *params);
/* Append user terms: H terms to model->H, D terms to the jumps (a rate 0
 * adds nothing); sets model->symmetry_note.  Call before the sector
 * structure is derived (pm_model_alloc does). */
pm_status pm_model_add_user_terms(pm_model *model, const pm_terms *terms);

/* Tr(A B rho) for two operators of space.h (B = PM_OP_IDENTITY: Tr(A rho)),
 * for the models' balance checks. */
pm_complex pm_model_expect_product(const pm_model *model, const pm_state *state, pm_operator_kind a,
                                   pm_operator_kind b);
/* The number balance of the model's type (above), NaN for user terms. */
double pm_model_number_balance(const pm_model *model, const pm_state *state);

/* Whether the model's blocks are coupled sectors cut at K (sector_step > 0
 * and the type truncates). */
int pm_model_coupled(const pm_model *model);

/* The block holding sector k (or PM_SECTOR_FULL) of the model's Liouvillian:
 * the sector itself if sector_step = 0, else the coupled sectors of k's class
 * with |k| <= model->K (which must not be PM_K_AUTO). */
pm_status pm_model_block(const pm_model *model, int64_t sector, pm_block **out);

#ifdef __cplusplus
}
#endif

#endif
