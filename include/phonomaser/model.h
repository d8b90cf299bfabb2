/* The driven-dissipative Jaynes-Cummings maser (paper Eqs. 6-9).
 *
 * In the frame rotating at omega_m for spin and mode (exact, see
 * physics-notes.md):
 *   H = (delta/2) sigma_z + g (a sigma_+ + a^dag sigma_-) [+ F (a + a^dag)]
 *   jumps: gamma_m (n_th+1) D[a], gamma_m n_th D[a^dag], gamma_down D[sigma_-],
 *          gamma_up D[sigma_+], (gamma_phi/2) D[sigma_z]            (Eqs. 8-9)
 * Lab-frame results differ only by phases e^{-i omega_m t}.  The optional
 * resonant drive F (params->drive, not in the paper) breaks the
 * excitation-number symmetry, so such a model runs on the full Liouvillian. */
#ifndef PHONOMASER_MODEL_H
#define PHONOMASER_MODEL_H

#include "phonomaser/liouvillian.h"
#include "phonomaser/params.h"

#define PM_MODEL_MAX_JUMPS 8

typedef struct pm_model {
    int64_t N;               /* Fock cutoff */
    int64_t dim;             /* 2N */
    pm_sparse *H;            /* Hamiltonian [rad/s] */
    size_t njump;
    pm_jump jumps[PM_MODEL_MAX_JUMPS];
    pm_sparse *jump_ops[PM_MODEL_MAX_JUMPS]; /* owned operators of jumps[] */
    int64_t *charge;         /* excitation number of each basis state */
} pm_model;

/* Build the operators of the JC maser at cutoff params->N (must be >= 2;
 * params must have been through pm_params_derive). */
pm_status pm_model_jc_alloc(const pm_params *params, pm_model **out);
void pm_model_free(pm_model *model);

/* The block of sector k (or PM_SECTOR_FULL) of the model's Liouvillian. */
pm_status pm_model_block(const pm_model *model, int64_t sector, pm_block **out);

#endif
