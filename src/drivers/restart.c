/* Restart data of pm_mesolve (restart.h). */
#include "phonomaser/drivers/restart.h"

#include <stdlib.h>
#include <string.h>

pm_status pm_checkpoint_alloc(int64_t N, pm_path path, size_t ntimes, const double *times,
                              size_t nblocks, const int64_t *sizes, const char *config,
                              pm_checkpoint **out)
{
    *out = NULL;
    if (ntimes < 1 || nblocks < 1 || nblocks > PM_STATE_MAX_BLOCKS)
        return pm_error_set(PM_EINVAL, "checkpoint: %zu output times and %zu blocks (need >= 1 and "
                            "1..%d)", ntimes, nblocks, PM_STATE_MAX_BLOCKS);
    pm_checkpoint *cp = calloc(1, sizeof *cp);
    if (!cp) return pm_error_set(PM_ENOMEM, "checkpoint: out of memory");
    cp->N = N;
    cp->path = path;
    cp->ntimes = ntimes;
    cp->nblocks = nblocks;
    cp->times = malloc(ntimes * sizeof *cp->times);
    cp->blocks = calloc(nblocks, sizeof *cp->blocks);
    int ok = cp->times && cp->blocks;
    if (ok && times) memcpy(cp->times, times, ntimes * sizeof *times);
    if (ok && config) ok = (cp->config = strdup(config)) != NULL;
    for (size_t b = 0; b < nblocks && ok; b++) {
        pm_checkpoint_block *blk = &cp->blocks[b];
        blk->size = sizes[b];
        blk->sector = PM_SECTOR_FULL;
        ok = sizes[b] >= 1 && (blk->x = calloc((size_t)sizes[b], sizeof *blk->x)) &&
             (blk->series = calloc(ntimes, sizeof *blk->series));
    }
    if (!ok) {
        pm_checkpoint_free(cp);
        return pm_error_set(PM_ENOMEM, "checkpoint: out of memory for %zu blocks and %zu output times",
                            nblocks, ntimes);
    }
    *out = cp;
    return PM_OK;
}

void pm_checkpoint_free(pm_checkpoint *cp)
{
    if (!cp) return;
    for (size_t b = 0; cp->blocks && b < cp->nblocks; b++) {
        free(cp->blocks[b].x);
        free(cp->blocks[b].series);
    }
    free(cp->blocks);
    free(cp->times);
    free(cp->config);
    free(cp);
}

size_t pm_checkpoint_next_index(const pm_checkpoint *cp)
{
    size_t next = cp->ntimes;
    for (size_t b = 0; b < cp->nblocks; b++)
        if (cp->blocks[b].reached < next) next = cp->blocks[b].reached;
    return next;
}
