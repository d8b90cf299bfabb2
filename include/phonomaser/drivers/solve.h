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

/* ------------------------------------------------------------------ memory
 * Every run is checked against the memory available before anything large
 * is allocated, from the cutoffs and the solver alone.  What a run does: */
typedef struct pm_memory_job {
    int evolve;                     /* 0: a steady state, 1: an evolution */
    pm_steady_method method;        /* steady state: DIRECT (LU fill) or ARPACK (LU + Arnoldi) */
    pm_linear_solver linear_solver; /* evolution: AUTO (KLU; LU on coupled sectors), KLU, SPGMR, LU */
    size_t blocks;                  /* evolution: blocks evolved at once (0 counts as 1) */
} pm_memory_job;

/* Estimated peak memory [bytes] of `job` at cutoff N on `path` (resolved),
 * each block holding `coupled_sectors` excitation-difference sectors (1
 * unless the model's sectors are coupled and cut at K: 2 K/step + 1).  Per
 * density-matrix element (4N per sector, 4N^2 for the full Liouvillian),
 * measured as peak RSS on Debian 12 (2026-12, the model's operators
 * included): steady direct 680 B (sector, band LU), 640 B (full, KLU),
 * 3600 + 40 s B (s coupled sectors, UMFPACK); ARPACK adds 450 B (20 Arnoldi
 * vectors); evolution with KLU 2100 B, SPGMR 600 B, the complex LU the
 * steady direct cost + 600 B.  The estimate adds 50 % and 32 MB. */
double pm_memory_estimate(int64_t N, pm_path path, size_t coupled_sectors, const pm_memory_job *job);
/* Memory available to this process [bytes]: the smallest of MemAvailable
 * (/proc/meminfo, else the physical memory), the room left under RLIMIT_AS
 * (ulimit -v) and the environment variable PHONOMASER_MEMORY_LIMIT for
 * shared machines: bytes, e.g. 2e9 or 2GB or 1.5GiB (pm_scan_byte_size in
 * params.h; an invalid value is no limit here, the command line refuses
 * it). */
double pm_memory_available(void);
/* PM_ETOOLARGE, with the estimate, the limit and a remedy (keys of the
 * command line), if the job would not fit. */
pm_status pm_memory_check(int64_t N, pm_path path, size_t coupled_sectors, const pm_memory_job *job);
/* The same checks from the parameters alone, before any model is built
 * (the path and the sector structure come from the model at a small
 * cutoff): a steady state of the model at its params.N with `method` (N = auto: PM_OK, the
 * ladder checks each cutoff before building it), and an evolution of
 * `init` with `opts` (the blocks pm_mesolve would evolve). */
pm_status pm_steadystate_memory_check(const pm_model_desc *model, pm_path path, pm_steady_method method);
/* (pm_mesolve_memory_check, below pm_mesolve_options) */

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
/* The memory check of an evolution (above) before any model is built. */
pm_status pm_mesolve_memory_check(const pm_model_desc *model, const pm_initial *init, const pm_mesolve_options *opts);

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
