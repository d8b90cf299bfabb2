/* High-level drivers in QuTiP's vocabulary: pm_steadystate() and pm_mesolve().
 *
 * They choose the Liouvillian blocks for a model and run the solvers on them:
 *  - PM_PATH_SECTOR: excitation-number sectors (the steady state lives in
 *    k = 0; an evolution needs k = 0 for phase-invariant initial states and
 *    k = 0..K for states with coherences; k < 0 follows by Hermiticity,
 *    rho_ji = conj(rho_ij), so only k >= 0 is evolved);
 *  - PM_PATH_FULL: the full Liouvillian (d^2 elements, column stacking);
 *  - PM_PATH_AUTO: sectors when the model conserves the excitation number,
 *    else the full Liouvillian (with a note in result->path_note).
 * Everything the command line does goes through these functions. */
#ifndef PHONOMASER_SOLVE_H
#define PHONOMASER_SOLVE_H

#include <stddef.h>

#include "phonomaser/core/complex_type.h"
#include "phonomaser/solvers/evolve.h"
#include "phonomaser/model/model.h"
#include "phonomaser/state/state.h"
#include "phonomaser/solvers/steady.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { PM_PATH_AUTO, PM_PATH_SECTOR, PM_PATH_FULL } pm_path;

/* Resolve AUTO for a model; writes a one-line note into `note` (may be NULL)
 * when the symmetry is broken and the full path is used instead. */
pm_status pm_path_resolve(const pm_model *model, pm_path requested, pm_path *resolved,
                          char *note, size_t note_size);
const char *pm_path_name(pm_path path);
/* The path named `name` ("auto", "sector", "full"); 0 if there is none. */
int pm_path_from_name(const char *name, pm_path *out);

/* Number of sectors in the block a steady state or evolution of `model` on
 * `path` (resolved) uses: 1, or 2 K/step + 1 for coupled sectors. */
size_t pm_model_block_sectors(const pm_model *model, pm_path path);

/* Estimated peak memory [bytes] of a steady state (evolve = 0) or an
 * evolution (evolve = 1, `nsectors` sector blocks) on `path` (resolved) at
 * cutoff N.  Measured per density-matrix element on Debian 12 (UMFPACK with
 * the trace row, KLU Jacobian of the real 2x system, 2 copies of L):
 * steady ~1.2 kB, evolve ~2.1 kB; the estimate adds 50 %. */
double pm_memory_estimate(int64_t N, pm_path path, int evolve, size_t nsectors);
/* Memory available to this process [bytes] (MemAvailable of /proc/meminfo,
 * else physical memory); the limit can be lowered with the environment
 * variable PHONOMASER_MEMORY_LIMIT for shared machines: bytes, e.g. 2e9 or
 * 2GB or 1.5GiB (pm_scan_byte_size in params.h; an invalid value is no
 * limit here, the command line refuses it). */
double pm_memory_available(void);
/* PM_ENOMEM, with the estimate and a remedy, if the run would not fit. */
pm_status pm_memory_check(int64_t N, pm_path path, int evolve, size_t nsectors);

typedef struct pm_steady_result {
    pm_path path;
    pm_block *block;          /* owned: the block solved (sector 0 or full) */
    pm_state *state;          /* owned: the steady state on `block` */
    pm_observables obs;
    pm_steady_info info;
    double build_seconds;     /* Liouvillian construction */
    double number_balance;    /* the model's closed-form d<n>/dt = 0 residual (model.h), NaN if none */
    char path_note[256];
} pm_steady_result;

pm_status pm_steadystate(const pm_model *model, pm_path path, const pm_steady_options *opts,
                         pm_steady_result *result);
void pm_steady_result_clear(pm_steady_result *result);

/* Time series of the observables at the output times. */
typedef struct pm_timeseries {
    size_t ntimes;            /* output times filled so far (< requested if interrupted) */
    size_t capacity;
    double *t;                /* [s] */
    double *trace, *n_mean, *n2_mean, *g2, *sz_mean;
    double *tail_population;  /* top max(1, N/20) Fock levels: truncation check */
    pm_complex *a_mean;
    pm_complex *a2_mean;      /* <a^2> (0 unless the state has k = 2 elements) */
} pm_timeseries;

typedef struct pm_checkpoint pm_checkpoint; /* drivers/restart.h */
/* Receives restart data (the CLI writes them with pm_checkpoint_write of
 * io/checkpoint.h); a failure is counted, the run goes on. */
typedef pm_status (*pm_checkpoint_fn)(void *user, const pm_checkpoint *cp);

typedef struct pm_mesolve_options {
    pm_evolve_options evolve;
    pm_path path;
    double sector_tolerance;  /* coherences below this are dropped (sector choice), default 1e-12 */
    int threads;              /* sectors evolved in parallel (0: number of cores) */
    int keep_final_state;     /* keep all sectors' final vectors in result->final_state */
    /* Restart data (drivers/restart.h).  With `checkpoint` set, every block
     * keeps a copy of its vector at its latest output time; the callback
     * gets the restart data (one call at a time, the blocks locked meanwhile)
     * at the first output time reached at least checkpoint_interval seconds
     * of wall time after the previous call (0: never periodically), and once
     * more when the run is interrupted (PM_EINTERRUPT).  A failed call does
     * not stop the run: it is counted in result->checkpoint_failures with
     * the message in checkpoint_error.  The library writes no file itself. */
    pm_checkpoint_fn checkpoint;
    void *checkpoint_user;
    double checkpoint_interval;   /* [s] of wall time, >= 0 */
    const char *checkpoint_config; /* text stored with each checkpoint (the CLI: its INI), or NULL */
    /* Continue from a checkpoint: N, path, blocks (sectors and sizes) and the
     * output times must match this call's; `init` then only decides the
     * sectors.  The series of the result covers all output times; the
     * solver statistics in result->info count the work after the resume. */
    const pm_checkpoint *resume;
    /* Called from the worker thread of each block after each of its output
     * times (after the checkpoint of that time, if one was written), with
     * the block number, the output index and t [s]; a nonzero return stops
     * that block (PM_EINTERRUPT) as the stop flag stops all.  NULL: none. */
    int (*monitor)(void *user, size_t block, size_t index, double t);
    void *monitor_user;
} pm_mesolve_options;

void pm_mesolve_options_default(pm_mesolve_options *opts);

typedef struct pm_mesolve_result {
    pm_path path;
    size_t nblocks;
    pm_block **blocks;        /* owned */
    pm_state *final_state;    /* owned, if keep_final_state (sectors k >= 0 only on the sector path) */
    pm_timeseries series;
    pm_evolve_info info;      /* summed over blocks; seconds = wall time of all */
    double build_seconds;
    int64_t max_sector;       /* K */
    char path_note[256];
    size_t checkpoints_written;   /* periodic and final checkpoint calls that succeeded */
    size_t checkpoint_failures;
    char checkpoint_error[512];   /* message of the last failed write */
    size_t resumed_from;          /* resume: outputs already in the checkpoint (its next_index) */
} pm_mesolve_result;

pm_status pm_mesolve(const pm_model *model, const pm_initial *init, size_t ntimes, const double *times,
                     const pm_mesolve_options *opts, pm_mesolve_result *result);
void pm_mesolve_result_clear(pm_mesolve_result *result);

#ifdef __cplusplus
}
#endif

#endif
