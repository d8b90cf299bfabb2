/* Checkpoint files: the restart data of drivers/restart.h on disk.
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
#include "phonomaser/drivers/restart.h"
#include "phonomaser/drivers/solve.h"
#include "phonomaser/state/state.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PM_CHECKPOINT_FORMAT "phonomaser checkpoint"
#define PM_CHECKPOINT_VERSION 1

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
