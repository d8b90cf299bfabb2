#include "phonomaser/drivers/solve.h"
#include "phonomaser/core/parallel.h"
#include "phonomaser/core/timer.h"

#include "phonomaser/drivers/restart.h"

#include <math.h>
#include <pthread.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *pm_path_name(pm_path path)
{
    switch (path) {
    case PM_PATH_AUTO: return "auto";
    case PM_PATH_SECTOR: return "sector";
    case PM_PATH_FULL: return "full";
    }
    return "?";
}

int pm_path_from_name(const char *name, pm_path *out)
{
    const pm_path paths[] = {PM_PATH_AUTO, PM_PATH_SECTOR, PM_PATH_FULL};
    for (size_t k = 0; name && k < sizeof paths / sizeof paths[0]; k++)
        if (!strcmp(name, pm_path_name(paths[k]))) {
            *out = paths[k];
            return 1;
        }
    return 0;
}

pm_status pm_path_resolve(const pm_model *model, pm_path requested, pm_path *resolved, char *note,
                          size_t note_size)
{
    if (note && note_size) note[0] = '\0';
    if (requested == PM_PATH_FULL) {
        *resolved = PM_PATH_FULL;
        return PM_OK;
    }
    /* sector_step 0: the sectors are invariant; a truncating model (key K)
     * runs on its coupled sectors |k| <= K */
    if (model->sector_step == 0 || pm_model_coupled(model)) {
        *resolved = PM_PATH_SECTOR;
        return PM_OK;
    }
    pm_status s = pm_liouvillian_check_symmetry(model->H, model->njump, model->jumps, model->charge);
    if (s == PM_OK) /* not reached: a conserved charge has sector_step 0 */
        return pm_error_set(PM_ESOLVER, "model %s: inconsistent sector structure", model->type->name);
    if (s != PM_ESYMMETRY) return s;
    /* the reason, naming the first user term that breaks the symmetry */
    char reason[512];
    snprintf(reason, sizeof reason, "%s%s%s%s", pm_error_message(), model->symmetry_note[0] ? " (" : "",
             model->symmetry_note, model->symmetry_note[0] ? ")" : "");
    if (requested == PM_PATH_SECTOR)
        return pm_error_set(PM_ESYMMETRY, "path = sector: %s, so the Liouvillian has no excitation-number "
                            "sectors; use path = auto or full", reason);
    if (note && note_size) snprintf(note, note_size, "%s: using the full Liouvillian instead of sectors", reason);
    *resolved = PM_PATH_FULL;
    return PM_OK;
}

/* ------------------------------------------------------------------ memory */

/* Bytes per density-matrix element of a job (measured: solve.h). */
static double bytes_per_element(pm_path path, size_t coupled_sectors, const pm_memory_job *job)
{
    const int coupled = coupled_sectors > 1;
    double direct = coupled ? 3600.0 + 40.0 * (double)coupled_sectors : path == PM_PATH_FULL ? 640.0 : 680.0;
    if (!job->evolve) return direct + (job->method == PM_STEADY_ARPACK ? 450.0 : 0.0);
    pm_linear_solver solver = job->linear_solver;
    if (solver == PM_LINSOL_AUTO) solver = coupled ? PM_LINSOL_LU : PM_LINSOL_KLU;
    switch (solver) {
    case PM_LINSOL_SPGMR: return 600.0;
    case PM_LINSOL_LU: return direct + 600.0;
    default: return 2100.0;
    }
}

double pm_memory_estimate(int64_t N, pm_path path, size_t coupled_sectors, const pm_memory_job *job)
{
    double d = 2.0 * (double)N;
    size_t sectors = coupled_sectors ? coupled_sectors : 1;
    double per_block = path == PM_PATH_FULL ? d * d : 2.0 * d * (double)sectors;
    double blocks = job->evolve && job->blocks > 1 ? (double)job->blocks : 1.0;
    return 1.5 * bytes_per_element(path, sectors, job) * per_block * blocks + 32e6; /* + program and libraries */
}

/* The smallest limit on this process's memory [bytes] and its name. */
static double memory_available(const char **source)
{
    double available = 0;
    *source = "MemAvailable of /proc/meminfo";
    FILE *f = fopen("/proc/meminfo", "r");
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f)) {
            double kib;
            if (sscanf(line, "MemAvailable: %lf kB", &kib) == 1) {
                available = kib * 1024.0;
                break;
            }
        }
        fclose(f);
    }
    if (available <= 0) {
        available = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
        *source = "the physical memory";
    }
    /* ulimit -v: the address space left, above what is mapped already */
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        double mapped = 0, pages = 0;
        FILE *statm = fopen("/proc/self/statm", "r");
        if (statm) {
            if (fscanf(statm, "%lf", &pages) == 1) mapped = pages * (double)sysconf(_SC_PAGESIZE);
            fclose(statm);
        }
        double room = fmax(0.0, (double)rl.rlim_cur - mapped);
        if (room < available) {
            available = room;
            *source = "the address space left under RLIMIT_AS (ulimit -v)";
        }
    }
    const char *env = getenv("PHONOMASER_MEMORY_LIMIT");
    double limit = 0;
    if (env && *env && !pm_scan_byte_size(env, &limit)) limit = 0; /* invalid: no limit (the command line refuses it) */
    if (limit > 0 && limit < available) {
        available = limit;
        *source = "PHONOMASER_MEMORY_LIMIT";
    }
    return available;
}

double pm_memory_available(void)
{
    const char *source;
    return memory_available(&source);
}

pm_status pm_memory_check(int64_t N, pm_path path, size_t coupled_sectors, const pm_memory_job *job)
{
    const char *source;
    double need = pm_memory_estimate(N, path, coupled_sectors, job), have = memory_available(&source);
    if (need <= have) return PM_OK;
    const int coupled = coupled_sectors > 1;
    const int klu = job->evolve && job->linear_solver != PM_LINSOL_SPGMR;
    const char *remedy = path == PM_PATH_FULL ? "path = sector (or auto) if the model conserves the excitation "
                                                "number, or a smaller N"
                         : coupled            ? "a smaller N or K"
                                              : "a smaller N";
    char what[160];
    if (job->evolve)
        snprintf(what, sizeof what, "the evolution (linear_solver = %s, %zu block%s)",
                 pm_linear_solver_name(job->linear_solver), job->blocks > 1 ? job->blocks : 1,
                 job->blocks > 1 ? "s" : "");
    else
        snprintf(what, sizeof what, "the steady state (method = %s)",
                 job->method == PM_STEADY_ARPACK ? "arpack" : "direct");
    char sectors[64] = "";
    if (coupled) snprintf(sectors, sizeof sectors, " with %zu coupled sectors", coupled_sectors);
    return pm_error_set(PM_ETOOLARGE, "%s at N = %lld on the %s path%s needs about %.3g GB (estimate), more than "
                        "the %.3g GB available (%s): use %s%s%s", what, (long long)N, pm_path_name(path), sectors,
                        need / 1e9, have / 1e9, source, remedy,
                        klu ? ", or linear_solver = spgmr" : "",
                        !job->evolve && job->method == PM_STEADY_ARPACK ? ", or method = direct" : "");
}

/* Path and sectors per block of a model built at a small cutoff with the
 * parameters' terms: the symmetry and the sector step do not depend on N. */
enum { MEMORY_PROBE_N = 64 };

static pm_status memory_probe(const pm_model_desc *desc, pm_path requested, pm_path *path, int64_t *sector_step,
                              int *coupled)
{
    const long N = desc->params.N;
    pm_model *model = NULL;
    pm_status s = pm_model_desc_build(desc, N < MEMORY_PROBE_N ? N : MEMORY_PROBE_N, PM_K_AUTO, &model);
    if (s == PM_OK) s = pm_path_resolve(model, requested, path, NULL, 0);
    if (s == PM_OK) {
        *sector_step = model->sector_step;
        *coupled = *path == PM_PATH_SECTOR && pm_model_coupled(model);
    }
    pm_model_free(model);
    return s;
}

/* Sectors in one coupled block at cutoffs N, K (K = auto: the first K of a
 * ladder, 4; each later K is checked when it is built). */
static size_t coupled_sectors(int64_t N, int64_t K, int64_t step)
{
    if (K == PM_K_AUTO) K = 4;
    if (K > N) K = N;
    return (size_t)(2 * (K / step) + 1);
}

pm_status pm_steadystate_memory_check(const pm_model_desc *desc, pm_path path, pm_steady_method method)
{
    const pm_params *params = &desc->params;
    if (params->N == PM_N_AUTO || params->N < 2) return PM_OK;
    pm_path resolved;
    int64_t step = 0;
    int coupled = 0;
    pm_status s = memory_probe(desc, path, &resolved, &step, &coupled);
    if (s != PM_OK) return s;
    pm_memory_job job = {.evolve = 0, .method = method};
    return pm_memory_check(params->N, resolved, coupled ? coupled_sectors(params->N, params->K, step) : 1, &job);
}

/* The blocks pm_mesolve evolves: the full block; or sectors k = 0..kmax
 * (all k <= K of the initial state with keep_final_state, else k <= 1: k = 1
 * carries <a>); or, for coupled sectors, the block of class 0 (a
 * phase-invariant initial state) or one block per class k mod step. */
static size_t mesolve_blocks(pm_path path, int coupled, int64_t step, int64_t N, int64_t K_initial, int keep_final)
{
    if (coupled) return K_initial == 0 ? 1 : (size_t)step;
    if (path != PM_PATH_SECTOR) return 1;
    int64_t kmax = keep_final ? K_initial : (K_initial < 1 ? K_initial : 1);
    if (kmax > N) kmax = N;
    return (size_t)kmax + 1;
}

pm_status pm_mesolve_memory_check(const pm_model_desc *desc, const pm_initial *init, const pm_mesolve_options *opts)
{
    const pm_params *params = &desc->params;
    if (params->N == PM_N_AUTO || params->N < 2 || !init || !opts) return PM_OK;
    pm_path resolved;
    int64_t step = 0;
    int coupled = 0;
    pm_status s = memory_probe(desc, opts->path, &resolved, &step, &coupled);
    if (s != PM_OK) return s;
    int64_t K_initial = pm_initial_max_sector(init, params->N, opts->sector_tolerance);
    pm_memory_job job = {.evolve = 1,
                         .linear_solver = opts->evolve.linear_solver,
                         .blocks = mesolve_blocks(resolved, coupled, step, params->N, K_initial,
                                                  opts->keep_final_state)};
    return pm_memory_check(params->N, resolved, coupled ? coupled_sectors(params->N, params->K, step) : 1, &job);
}

size_t pm_model_block_sectors(const pm_model *model, pm_path path)
{
    if (path != PM_PATH_SECTOR || !pm_model_coupled(model) || model->K == PM_K_AUTO) return 1;
    int64_t K = model->K < model->N ? model->K : model->N;
    return (size_t)(2 * (K / model->sector_step) + 1);
}

/* ------------------------------------------------------------------ steady */

void pm_steady_result_clear(pm_steady_result *result)
{
    pm_observables_clear(&result->obs);
    pm_state_free(result->state);
    pm_block_free(result->block);
    memset(result, 0, sizeof *result);
}

pm_status pm_steadystate(const pm_model *model, pm_path path, const pm_steady_options *opts,
                         pm_steady_result *result)
{
    memset(result, 0, sizeof *result);
    pm_status s = pm_path_resolve(model, path, &result->path, result->path_note, sizeof result->path_note);
    pm_memory_job job = {.evolve = 0, .method = opts ? opts->method : PM_STEADY_DIRECT};
    if (s == PM_OK) s = pm_memory_check(model->N, result->path, pm_model_block_sectors(model, result->path), &job);
    if (s != PM_OK) return s;
    double start = pm_wall_seconds();
    s = pm_model_block(model, result->path == PM_PATH_SECTOR ? 0 : PM_SECTOR_FULL, &result->block);
    result->build_seconds = pm_wall_seconds() - start;
    const pm_block *blocks[1] = {result->block};
    if (s == PM_OK) s = pm_state_alloc(model->N, 1, blocks, &result->state);
    if (s == PM_OK) s = pm_steady_solve(result->block, opts, result->state->x[0], &result->info);
    if (s == PM_OK) s = pm_observables_compute(result->state, &result->obs);
    if (s == PM_OK) result->number_balance = pm_model_number_balance(model, result->state);
    if (s != PM_OK) {
        char saved[1024];
        snprintf(saved, sizeof saved, "%s", pm_error_message());
        pm_steady_result_clear(result);
        return pm_error_set(s, "%s", saved);
    }
    return PM_OK;
}

/* ----------------------------------------------------------------- mesolve */

void pm_mesolve_options_default(pm_mesolve_options *opts)
{
    memset(opts, 0, sizeof *opts);
    pm_evolve_options_default(&opts->evolve);
    opts->path = PM_PATH_AUTO;
    opts->sector_tolerance = 1e-12;
    opts->threads = 0;
    opts->keep_final_state = 0;
}

static void timeseries_free(pm_timeseries *ts)
{
    free(ts->t), free(ts->trace), free(ts->n_mean), free(ts->n2_mean), free(ts->g2), free(ts->sz_mean);
    free(ts->tail_population);
    free(ts->a_mean);
    free(ts->a2_mean);
    memset(ts, 0, sizeof *ts);
}

static pm_status timeseries_alloc(pm_timeseries *ts, size_t n)
{
    memset(ts, 0, sizeof *ts);
    ts->capacity = n;
    ts->t = calloc(n, sizeof *ts->t);
    ts->trace = calloc(n, sizeof *ts->trace);
    ts->n_mean = calloc(n, sizeof *ts->n_mean);
    ts->n2_mean = calloc(n, sizeof *ts->n2_mean);
    ts->g2 = calloc(n, sizeof *ts->g2);
    ts->sz_mean = calloc(n, sizeof *ts->sz_mean);
    ts->a_mean = calloc(n, sizeof *ts->a_mean);
    ts->a2_mean = calloc(n, sizeof *ts->a2_mean);
    ts->tail_population = calloc(n, sizeof *ts->tail_population);
    if (!ts->tail_population || !ts->t || !ts->trace || !ts->n_mean || !ts->n2_mean || !ts->g2 || !ts->sz_mean || !ts->a_mean || !ts->a2_mean) {
        timeseries_free(ts);
        return pm_error_set(PM_ENOMEM, "out of memory for %zu output times", n);
    }
    return PM_OK;
}

void pm_mesolve_result_clear(pm_mesolve_result *result)
{
    pm_state_free(result->final_state);
    for (size_t b = 0; b < result->nblocks; b++) pm_block_free(result->blocks[b]);
    free(result->blocks);
    timeseries_free(&result->series);
    memset(result, 0, sizeof *result);
}

/* Checkpoints during pm_mesolve (restart.h).  Each block keeps a copy of
 * its vector at its latest output time (its "slot", under its own lock);
 * the writer takes every slot as it is, each block at its own index, so no
 * block ever waits for another.  At most one thread writes at a time (the
 * first to reach an output time once the interval has passed). */
typedef struct {
    pm_checkpoint *cp;        /* slots: cp->blocks[b].x / reached; series shared with the jobs */
    pthread_mutex_t *slot_locks;
    pthread_mutex_t write_lock;
    pm_checkpoint_fn write;
    void *user;
    double interval, next_due; /* wall seconds; next_due under write_lock */
    size_t written, failures;
    char error[512];
} checkpointer;

/* One block's evolution, run by a worker thread. */
typedef struct {
    const pm_block *block;
    double complex *x;
    pm_linear_observables *series; /* one entry per output time */
    size_t reached;                /* output times completed */
    size_t first;                  /* index of the output time x starts at */
    size_t index;                  /* this job's block number */
    checkpointer *ckpt;            /* NULL: no checkpoints */
    int (*monitor)(void *user, size_t block, size_t index, double t); /* pm_mesolve_options */
    void *monitor_user;
    pm_evolve_options opts;
    pm_evolve_info info;
    pm_status status;
    char message[1024];
} block_job;

/* Caller holds write_lock; takes every slot lock while writing. */
static void checkpoint_write_locked(checkpointer *ck)
{
    for (size_t b = 0; b < ck->cp->nblocks; b++) pthread_mutex_lock(&ck->slot_locks[b]);
    pm_status s = ck->write(ck->user, ck->cp);
    for (size_t b = ck->cp->nblocks; b-- > 0;) pthread_mutex_unlock(&ck->slot_locks[b]);
    if (s == PM_OK) {
        ck->written++;
    } else {
        ck->failures++;
        snprintf(ck->error, sizeof ck->error, "%s", pm_error_message());
    }
}

static int record_linear(void *context, size_t local_index, double t, const double complex *x)
{
    block_job *job = context;
    size_t index = job->first + local_index;
    pm_observables_linear(job->block, x, &job->series[index]);
    job->reached = index + 1;
    checkpointer *ck = job->ckpt;
    if (ck) {
        pm_checkpoint_block *slot = &ck->cp->blocks[job->index];
        pthread_mutex_lock(&ck->slot_locks[job->index]);
        memcpy(slot->x, x, (size_t)slot->size * sizeof *x);
        slot->reached = index + 1;
        pthread_mutex_unlock(&ck->slot_locks[job->index]);
        if (ck->interval > 0 && pthread_mutex_trylock(&ck->write_lock) == 0) {
            double now = pm_wall_seconds();
            if (now >= ck->next_due) {
                checkpoint_write_locked(ck);
                ck->next_due = pm_wall_seconds() + ck->interval;
            }
            pthread_mutex_unlock(&ck->write_lock);
        }
    }
    return job->monitor ? job->monitor(job->monitor_user, job->index, index, t) : 0;
}

/* The evolution of one block, run by pm_parallel_for. */
typedef struct {
    block_job *jobs;
    size_t ntimes;
    const double *times;
} evolve_context;

static void evolve_block(void *context, size_t index)
{
    const evolve_context *ctx = context;
    block_job *job = &ctx->jobs[index];
    if (job->reached == ctx->ntimes) return; /* resumed from a checkpoint: done */
    job->status = pm_evolve(job->block, job->x, ctx->ntimes - job->first, ctx->times + job->first, &job->opts,
                            record_linear, job, &job->info);
    if (job->status != PM_OK) snprintf(job->message, sizeof job->message, "%s", pm_error_message());
}

/* The checkpoint to resume from must describe the same evolution. */
static pm_status check_resume(const pm_checkpoint *cp, const pm_model *model, const pm_mesolve_result *result,
                              size_t ntimes, const double *times)
{
    if (cp->N != model->N)
        return pm_error_set(PM_EINVAL, "resume: the checkpoint is at N = %lld, the model at N = %lld", (long long)cp->N,
                            (long long)model->N);
    if (cp->path != result->path)
        return pm_error_set(PM_EINVAL, "resume: the checkpoint evolved on the %s path, this run uses the %s path",
                            pm_path_name(cp->path), pm_path_name(result->path));
    if (cp->nblocks != result->nblocks)
        return pm_error_set(PM_EINVAL, "resume: the checkpoint holds %zu blocks, this run evolves %zu (initial "
                            "state or store_rho differ)", cp->nblocks, result->nblocks);
    for (size_t b = 0; b < cp->nblocks; b++)
        if (cp->blocks[b].sector != result->blocks[b]->sector || cp->blocks[b].size != result->blocks[b]->size)
            return pm_error_set(PM_EINVAL, "resume: checkpoint block %zu (sector %lld, %lld elements) differs from "
                                "this run's (sector %lld, %lld elements)", b, (long long)cp->blocks[b].sector,
                                (long long)cp->blocks[b].size, (long long)result->blocks[b]->sector,
                                (long long)result->blocks[b]->size);
    if (cp->ntimes != ntimes)
        return pm_error_set(PM_EINVAL, "resume: the checkpoint has %zu output times, this run %zu", cp->ntimes,
                            ntimes);
    for (size_t k = 0; k < ntimes; k++)
        if (cp->times[k] != times[k])
            return pm_error_set(PM_EINVAL, "resume: output time %zu is %.17g s in the checkpoint, %.17g s here", k,
                                cp->times[k], times[k]);
    return PM_OK;
}

/* Slots for the checkpoints (NULL if off): a checkpoint on the run's blocks,
 * its vectors and series filled from `state`/`jobs` as they stand. */
static pm_status checkpointer_alloc(const pm_mesolve_options *opts, const pm_model *model,
                                    const pm_mesolve_result *result, size_t ntimes, const double *times,
                                    const pm_state *state, const block_job *jobs, checkpointer **out)
{
    *out = NULL;
    if (!opts->checkpoint) return PM_OK;
    if (!(opts->checkpoint_interval >= 0) || !isfinite(opts->checkpoint_interval))
        return pm_error_set(PM_EINVAL, "checkpoint interval = %g s: must be a finite number >= 0",
                            opts->checkpoint_interval);
    checkpointer *ck = calloc(1, sizeof *ck);
    int64_t *sizes = calloc(result->nblocks, sizeof *sizes);
    if (ck) ck->slot_locks = calloc(result->nblocks, sizeof *ck->slot_locks);
    pm_status s = ck && sizes && ck->slot_locks ? PM_OK : pm_error_set(PM_ENOMEM, "out of memory for checkpoints");
    for (size_t b = 0; b < result->nblocks && s == PM_OK; b++) sizes[b] = result->blocks[b]->size;
    if (s == PM_OK)
        s = pm_checkpoint_alloc(model->N, result->path, ntimes, times, result->nblocks, sizes,
                                opts->checkpoint_config, &ck->cp);
    free(sizes);
    if (s != PM_OK) {
        if (ck) free(ck->slot_locks);
        free(ck);
        return s;
    }
    for (size_t b = 0; b < result->nblocks; b++) {
        pm_checkpoint_block *slot = &ck->cp->blocks[b];
        slot->sector = result->blocks[b]->sector;
        slot->reached = jobs[b].reached;
        memcpy(slot->x, state->x[b], (size_t)slot->size * sizeof *slot->x);
        /* the series is the job's own array, filled in place */
        free(slot->series);
        slot->series = jobs[b].series;
        pthread_mutex_init(&ck->slot_locks[b], NULL);
    }
    pthread_mutex_init(&ck->write_lock, NULL);
    ck->write = opts->checkpoint;
    ck->user = opts->checkpoint_user;
    ck->interval = opts->checkpoint_interval;
    ck->next_due = pm_wall_seconds() + ck->interval;
    *out = ck;
    return PM_OK;
}

static void checkpointer_free(checkpointer *ck)
{
    if (!ck) return;
    for (size_t b = 0; b < ck->cp->nblocks; b++) {
        ck->cp->blocks[b].series = NULL; /* owned by the job */
        pthread_mutex_destroy(&ck->slot_locks[b]);
    }
    pthread_mutex_destroy(&ck->write_lock);
    pm_checkpoint_free(ck->cp);
    free(ck->slot_locks);
    free(ck);
}

/* The state an evolution starts from must be a density matrix: finite,
 * trace 1 and Hermitian to PM_INITIAL_TAIL_MAX (a coherent state truncated
 * within that bound, or a resumed state within the solver tolerance). */
static pm_status check_initial_state(const pm_state *state, int resumed)
{
    const char *what = resumed ? "the resumed state" : "the initial state";
    double complex trace = 0;
    double asymmetry = 0;
    for (size_t b = 0; b < state->nblocks; b++) {
        const pm_block *block = state->blocks[b];
        for (int64_t p = 0; p < block->size; p++) {
            double complex x = state->x[b][p];
            if (!isfinite(creal(x)) || !isfinite(cimag(x)))
                return pm_error_set(PM_EINVAL, "%s has rho[%lld][%lld] = %g%+gi: not finite", what,
                                    (long long)block->row[p], (long long)block->col[p], creal(x), cimag(x));
            if (block->row[p] == block->col[p]) trace += x;
            asymmetry = fmax(asymmetry, cabs(x - conj(pm_state_element(state, block->col[p], block->row[p]))));
        }
    }
    if (cabs(trace - 1) > PM_INITIAL_TAIL_MAX || asymmetry > PM_INITIAL_TAIL_MAX)
        return pm_error_set(PM_EINVAL, "%s has trace %.12g%+.3gi and hermiticity error %.3g; a density matrix "
                            "needs trace 1 and rho = rho^dag (to %g)", what, creal(trace), cimag(trace), asymmetry,
                            PM_INITIAL_TAIL_MAX);
    return PM_OK;
}

pm_status pm_mesolve(const pm_model *model, const pm_initial *init, size_t ntimes, const double *times,
                     const pm_mesolve_options *opts, pm_mesolve_result *result)
{
    memset(result, 0, sizeof *result);
    if (ntimes < 1) return pm_error_set(PM_EINVAL, "n_times = %zu: at least one output time is needed", ntimes);
    if (!init) return pm_error_set(PM_EINVAL, "mesolve: no initial state given");
    pm_status valid = pm_initial_validate(init, model->N);
    if (valid != PM_OK) return valid;
    pm_status s = pm_path_resolve(model, opts->path, &result->path, result->path_note, sizeof result->path_note);
    if (s != PM_OK) return s;

    /* the blocks to evolve (mesolve_blocks) */
    int64_t K = pm_initial_max_sector(init, model->N, opts->sector_tolerance);
    result->max_sector = K;
    const int coupled = result->path == PM_PATH_SECTOR && pm_model_coupled(model);
    size_t nblocks = mesolve_blocks(result->path, coupled, model->sector_step, model->N, K, opts->keep_final_state);
    if (coupled) result->max_sector = model->K;
    pm_memory_job job = {.evolve = 1, .linear_solver = opts->evolve.linear_solver, .blocks = nblocks};
    s = pm_memory_check(model->N, result->path, pm_model_block_sectors(model, result->path), &job);
    if (s != PM_OK) return s;
    result->nblocks = nblocks;
    if (result->nblocks > PM_STATE_MAX_BLOCKS) result->nblocks = PM_STATE_MAX_BLOCKS;
    result->blocks = calloc(result->nblocks, sizeof *result->blocks);
    block_job *jobs = calloc(result->nblocks, sizeof *jobs);
    if (!result->blocks || !jobs) {
        free(jobs);
        pm_mesolve_result_clear(result);
        return pm_error_set(PM_ENOMEM, "out of memory setting up the evolution");
    }
    double start = pm_wall_seconds();
    for (size_t b = 0; b < result->nblocks && s == PM_OK; b++)
        s = pm_model_block(model, result->path == PM_PATH_SECTOR ? (int64_t)b : PM_SECTOR_FULL, &result->blocks[b]);
    result->build_seconds = pm_wall_seconds() - start;
    const pm_checkpoint *resume = opts->resume;
    if (s == PM_OK && resume) s = check_resume(resume, model, result, ntimes, times);
    pm_state *state = NULL;
    if (s == PM_OK) s = pm_state_alloc(model->N, result->nblocks, (const pm_block *const *)result->blocks, &state);
    if (s == PM_OK) {
        /* sectors k < 0 are the adjoints of k > 0 and are not evolved */
        state->adjoint_implied = result->path == PM_PATH_SECTOR && !coupled;
        pm_state_fill_initial(state, init);
        s = timeseries_alloc(&result->series, ntimes);
    }
    for (size_t b = 0; b < result->nblocks && s == PM_OK; b++) {
        jobs[b].block = result->blocks[b];
        jobs[b].x = state->x[b];
        jobs[b].index = b;
        jobs[b].monitor = opts->monitor;
        jobs[b].monitor_user = opts->monitor_user;
        jobs[b].opts = opts->evolve;
        if (b > 0) jobs[b].opts.progress = NULL; /* one report: the k = 0 block */
        jobs[b].series = calloc(ntimes, sizeof *jobs[b].series);
        if (!jobs[b].series) {
            s = pm_error_set(PM_ENOMEM, "out of memory for %zu output times", ntimes);
        } else if (resume) {
            /* each block restarts at its own latest output time */
            const pm_checkpoint_block *saved = &resume->blocks[b];
            memcpy(jobs[b].x, saved->x, (size_t)saved->size * sizeof *saved->x);
            memcpy(jobs[b].series, saved->series, saved->reached * sizeof *saved->series);
            jobs[b].reached = saved->reached;
            jobs[b].first = saved->reached ? saved->reached - 1 : 0;
        }
    }
    if (resume) result->resumed_from = pm_checkpoint_next_index(resume);
    if (s == PM_OK) s = check_initial_state(state, resume != NULL);
    checkpointer *ckpt = NULL;
    if (s == PM_OK) s = checkpointer_alloc(opts, model, result, ntimes, times, state, jobs, &ckpt);
    for (size_t b = 0; b < result->nblocks && s == PM_OK; b++) jobs[b].ckpt = ckpt;
    if (s == PM_OK) {
        evolve_context context = {jobs, ntimes, times};
        start = pm_wall_seconds();
        pm_parallel_for(result->nblocks, opts->threads, evolve_block, &context);
        result->info.seconds = pm_wall_seconds() - start;
        /* combine: the linear observables add up over blocks */
        size_t reached = ntimes;
        for (size_t b = 0; b < result->nblocks; b++) {
            if (jobs[b].reached < reached) reached = jobs[b].reached;
            result->info.steps += jobs[b].info.steps;
            result->info.rhs_evals += jobs[b].info.rhs_evals;
            result->info.jac_evals += jobs[b].info.jac_evals;
            result->info.lin_iters += jobs[b].info.lin_iters;
            result->info.error_test_fails += jobs[b].info.error_test_fails;
            result->info.nonlin_conv_fails += jobs[b].info.nonlin_conv_fails;
            result->info.linear_solver = jobs[b].info.linear_solver;
        }
        pm_timeseries *ts = &result->series;
        for (size_t k = 0; k < reached; k++) {
            ts->t[k] = times[k];
            for (size_t b = 0; b < result->nblocks; b++) {
                const pm_linear_observables *o = &jobs[b].series[k];
                ts->trace[k] += o->trace;
                ts->n_mean[k] += o->n_mean;
                ts->n2_mean[k] += o->n2_mean;
                ts->sz_mean[k] += o->sz_mean;
                ts->a_mean[k] += o->a_mean;
                ts->a2_mean[k] += o->a2_mean;
                ts->tail_population[k] += o->tail_population;
            }
            ts->g2[k] = pm_g2_from_moments(ts->n_mean[k], ts->n2_mean[k]);
        }
        ts->ntimes = reached;
        result->info.t_reached = reached ? times[reached - 1] : times[0];
        for (size_t b = 0; b < result->nblocks && s == PM_OK; b++)
            if (jobs[b].status != PM_OK) s = pm_error_set(jobs[b].status, "%s", jobs[b].message);
        /* the final checkpoint of an interrupted run: every block at its latest output */
        if (s == PM_EINTERRUPT && ckpt) {
            char saved[1024];
            snprintf(saved, sizeof saved, "%s", pm_error_message());
            pthread_mutex_lock(&ckpt->write_lock);
            checkpoint_write_locked(ckpt);
            pthread_mutex_unlock(&ckpt->write_lock);
            pm_error_set(s, "%s", saved);
        }
    }
    if (ckpt) {
        result->checkpoints_written = ckpt->written;
        result->checkpoint_failures = ckpt->failures;
        snprintf(result->checkpoint_error, sizeof result->checkpoint_error, "%s", ckpt->error);
    }
    checkpointer_free(ckpt);
    for (size_t b = 0; b < result->nblocks; b++) free(jobs[b].series);
    free(jobs);
    if (opts->keep_final_state && state) {
        result->final_state = state;
        state = NULL;
    }
    pm_state_free(state);
    /* on failure the partial series stays in result (an interrupted run keeps
     * what it computed); the caller clears it */
    return s;
}
