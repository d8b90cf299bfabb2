/* Independent tasks on the available cores: the sectors of an evolution,
 * the points of a sweep.  Threads take the next index from a shared counter,
 * so uneven tasks balance themselves. */
#ifndef PHONOMASER_PARALLEL_H
#define PHONOMASER_PARALLEL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Run task(context, k) for k = 0..count-1 on up to `threads` threads (0: the
 * number of online cores), the calling thread included; returns when all
 * are done.  If no thread can be started the calling thread runs them all.
 * Tasks must be thread-safe with respect to each other. */
void pm_parallel_for(size_t count, int threads, void (*task)(void *context, size_t index), void *context);
/* The workers pm_parallel_for uses for `count` tasks on `threads` threads
 * (0: the number of online cores): at least 1, at most count (count = 0: no
 * cap, the threads alone). */
size_t pm_parallel_workers(int threads, size_t count);

#ifdef __cplusplus
}
#endif

#endif
