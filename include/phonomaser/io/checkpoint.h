/* Restart data of an evolution (pm_mesolve): checkpoint and resume.
 *
 * pm_mesolve evolves its blocks (the full block, or sectors k = 0..K)
 * independently, in threads, so they reach the output times at different
 * moments.  A checkpoint therefore holds every block at its OWN output index:
 * block b's vector x is its state at times[reached - 1] (the initial state at
 * times[0] if reached = 0), next to its contributions to the linear
 * observables at times[0 .. reached-1].  Any such pair is a valid restart
 * point, so a checkpoint never waits for the slowest block.  Resuming
 * restarts CVODE for each block at its own index; the BDF history is lost, so
 * a resumed run agrees with an uninterrupted one to the solver tolerance
 * (rtol, atol), not bit for bit.  The combined time series is complete up to
 * next_index = min_b reached_b.
 *
 * File layout (HDF5, written under a temporary name and renamed, h5io.h):
 *   /  attributes  format = "phonomaser checkpoint", format_version = 1,
 *                  config (the caller's text; the CLI stores its INI),
 *                  N, path ("sector" | "full"), ntimes, nblocks,
 *                  next_index, t_reached [s] (= times[next_index - 1])
 *   /times                         every requested output time [s]
 *   /series/t, n_mean, n2_mean, g2, sz_mean, trace, tail_population, a_mean
 *                                  the combined series at times[0..next_index-1]
 *   /blocks/<b>  attributes sector (k, or INT64_MIN for the full block),
 *                size, reached; datasets x (complex, `size` elements) and
 *                trace, n_mean, n2_mean, sz_mean, tail_population, a_mean
 *                (this block's share at times[0..reached-1]) */
#ifndef PHONOMASER_CHECKPOINT_H
#define PHONOMASER_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "phonomaser/core/complex_type.h"
#include "phonomaser/drivers/solve.h"
#include "phonomaser/state/state.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PM_CHECKPOINT_FORMAT "phonomaser checkpoint"
#define PM_CHECKPOINT_VERSION 1

typedef struct pm_checkpoint_block {
    int64_t sector;                 /* k, or PM_SECTOR_FULL */
    int64_t size;                   /* elements of x */
    size_t reached;                 /* outputs recorded, 0..ntimes */
    pm_complex *x;                  /* state at times[reached - 1] (times[0] if reached = 0) */
    pm_linear_observables *series;  /* ntimes entries, [0, reached) valid */
} pm_checkpoint_block;

typedef struct pm_checkpoint {
    int64_t N;                      /* Fock cutoff */
    pm_path path;                   /* PM_PATH_SECTOR or PM_PATH_FULL */
    size_t ntimes;
    double *times;                  /* [s], ntimes */
    size_t nblocks;
    pm_checkpoint_block *blocks;
    char *config;                   /* caller's text (NUL-terminated), or NULL */
} pm_checkpoint;

/* Allocate a checkpoint with `nblocks` blocks of the given sizes (vectors and
 * series zeroed, reached = 0); copies `times` and `config` (may be NULL). */
pm_status pm_checkpoint_alloc(int64_t N, pm_path path, size_t ntimes, const double *times,
                              size_t nblocks, const int64_t *sizes, const char *config,
                              pm_checkpoint **out);
void pm_checkpoint_free(pm_checkpoint *cp);

/* min_b reached_b: the outputs the combined series holds. */
size_t pm_checkpoint_next_index(const pm_checkpoint *cp);

/* Write atomically to `path` (temporary name, then rename).  PM_EIO names
 * the file on failure; an existing checkpoint at `path` stays intact then. */
pm_status pm_checkpoint_write(const char *path, const pm_checkpoint *cp);

/* Read a checkpoint; PM_EIO if the file is unreadable or not a checkpoint,
 * PM_EINVAL if its contents are inconsistent (sizes, indices, times). */
pm_status pm_checkpoint_read(const char *path, pm_checkpoint **out);

#ifdef __cplusplus
}
#endif

#endif
