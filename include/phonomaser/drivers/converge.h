/* Fock-truncation convergence of the steady state.
 *
 * A ladder of cutoffs N_1 < N_2 < ... is solved with pm_steadystate(); for
 * each N the observables, their relative change from the previous N and the
 * population of the top Fock levels (the tail) are recorded.  The automatic
 * search (N = auto) starts at n_start and multiplies N by `growth` until,
 * at the same N,
 *   tail_population <= tail_tol                                (default 1e-8)
 *   |<n>_N - <n>_prev| / <n>_N <= rel_tol                       (default 1e-6)
 * or n_max is reached (then converged = 0 and the caller should warn).
 *
 * Models with coupled sectors cut at |k| <= K (model.h) and K = auto get a
 * second ladder inside the first: at each N, K grows (from k_start, or the K
 * accepted at the previous N) by k_growth until
 *   coherence_tail <= k_tail_tol    (norm of the outermost kept sectors
 *                                    relative to k = 0, default 1e-5)
 * and, the first time K grows, |<n>_K - <n>_Kprev| / <n>_K <= rel_tol.  Once
 * N's criteria hold, the accepted K is verified at that final N against the
 * previous K of its ladder (|change of <n>| <= rel_tol; the K a state needs
 * grows with N, which the tail alone can miss: measured at S = 0, K = 9
 * was 6.5e-7 off); if it fails, K grows at the same N.
 * Every solve is a step of the ladder (with its N and K).
 *
 * Progress (optional, progress.h): a report after every solved cutoff, with
 * its N, K and criteria in the detail.  For a given ladder the fraction is
 * the share of its cutoffs solved; for the automatic search, whose length is
 * not known in advance, it is how far the worse of the two N criteria has
 * come on a log scale from 1 to its tolerance (never decreasing). */
#ifndef PHONOMASER_CONVERGE_H
#define PHONOMASER_CONVERGE_H

#include <stddef.h>

#include "phonomaser/core/params.h"
#include "phonomaser/core/progress.h"
#include "phonomaser/drivers/solve.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pm_converge_options {
    double tail_tol;     /* default 1e-8 */
    double rel_tol;      /* default 1e-6 */
    long n_start;        /* first N of the automatic ladder, default 32 */
    long n_max;          /* largest N tried, default 1 << 20 */
    double growth;       /* factor between cutoffs, default 1.5 */
    double k_tail_tol;   /* K = auto: default 1e-5 */
    long k_start;        /* first K, default 4 (rounded up to the sector step) */
    double k_growth;     /* factor between sector cutoffs, default 1.5 (at least one step) */
    pm_path path;
    pm_steady_options steady;
    pm_progress_fn progress; /* NULL: no reports (default) */
    void *progress_user;
} pm_converge_options;

void pm_converge_options_default(pm_converge_options *opts);

typedef struct pm_converge_step {
    long N;
    long K;                  /* sector cutoff (-1: no coupled sectors) */
    double coherence_tail;   /* state.h (NaN without coupled sectors) */
    double a2_abs;           /* |<a^2>| */
    double n_mean, n2_mean, g2, sz_mean;
    double tail_population;
    double rel_change_n;     /* |<n> - <n>_prev| / <n> (NaN for the first) */
    double rel_change_n2;
    double abs_change_sz;
    double residual;         /* [1/s] */
    double min_eigenvalue;
    double seconds;          /* build + solve */
} pm_converge_step;

typedef struct pm_converge_result {
    size_t nsteps;
    pm_converge_step *steps;     /* owned */
    long chosen_N;               /* the last N solved */
    long chosen_K;               /* and its K (-1: no coupled sectors) */
    int converged;               /* both criteria met at chosen_N */
    pm_steady_result final;      /* the steady state at chosen_N (owned) */
} pm_converge_result;

/* Solve at every N of `ladder` (increasing, each >= 2). */
pm_status pm_converge_ladder(const pm_model_desc *model, size_t count, const long *ladder,
                             const pm_converge_options *opts, pm_converge_result *result);
/* Grow N until converged (see above). */
pm_status pm_converge_auto(const pm_model_desc *model, const pm_converge_options *opts,
                           pm_converge_result *result);
/* The steady state at the cutoffs model->params asks for: pm_converge_auto if
 * N = auto, a ladder of the one N if only K is automatic (coupled sectors),
 * a single solve otherwise (a ladder of one step).  `converged` then says
 * whether the automatic cutoffs met their criteria (1 when nothing is
 * automatic; for K alone: the coherence tail at the last K). */
pm_status pm_converge_run(const pm_model_desc *model, const pm_converge_options *opts, pm_converge_result *result);
/* The cutoffs of an evolution from `init`: where model->params leave N or K
 * automatic, those of the converged steady state (an evolution from a
 * thermal state grows towards it; the caller checks the tail population
 * along the trajectory); N raised to hold a Fock initial state.  `out` is
 * the model with params.N and params.K set (it may be model itself). */
pm_status pm_converge_evolution_cutoffs(const pm_model_desc *model, const pm_converge_options *opts,
                                        const pm_initial *init, pm_model_desc *out);
/* Whether model->params leave N or K (for a model that cuts sectors) to be chosen. */
int pm_converge_is_automatic(const pm_model_desc *model);
void pm_converge_result_clear(pm_converge_result *result);

#ifdef __cplusplus
}
#endif

#endif
