/* Restart data of an evolution (pm_mesolve): what a checkpoint holds.
 *
 * pm_mesolve evolves its blocks (the full block, sectors k = 0..K, or the
 * classes of coupled sectors) independently, in threads, so they reach the
 * output times at different moments.  Restart data therefore hold every
 * block at its OWN output index: block b's vector x is its state at
 * times[reached - 1] (the initial state at times[0] if reached = 0), next
 * to its contributions to the linear observables at times[0 .. reached-1].
 * Any such pair is a valid restart point, so a checkpoint never waits for
 * the slowest block.  Resuming restarts CVODE for each block at its own
 * index; the BDF history is lost, so a resumed run agrees with an
 * uninterrupted one to the solver tolerance (rtol, atol), not bit for bit.
 * The combined time series is complete up to next_index = min_b reached_b.
 *
 * The solver hands these data to the caller's checkpoint callback
 * (solve.h) and takes them back for a resume; it never writes files.  The
 * file format and its reader and writer are the I/O layer's
 * (io/checkpoint.h). */
#ifndef PHONOMASER_RESTART_H
#define PHONOMASER_RESTART_H

#include <stddef.h>
#include <stdint.h>

#include "phonomaser/core/complex_type.h"
#include "phonomaser/drivers/solve.h"
#include "phonomaser/state/state.h"

#ifdef __cplusplus
extern "C" {
#endif

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

#ifdef __cplusplus
}
#endif

#endif
