#include "phonomaser/core/parallel.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct {
    size_t count, next;
    pthread_mutex_t lock;
    void (*task)(void *context, size_t index);
    void *context;
} work_queue;

static void *work(void *arg)
{
    work_queue *queue = arg;
    for (;;) {
        pthread_mutex_lock(&queue->lock);
        size_t index = queue->next++;
        pthread_mutex_unlock(&queue->lock);
        if (index >= queue->count) return NULL;
        queue->task(queue->context, index);
    }
}

size_t pm_parallel_workers(int threads, size_t count)
{
    long cores = threads > 0 ? threads : sysconf(_SC_NPROCESSORS_ONLN);
    size_t workers = cores > 1 ? (size_t)cores : 1;
    return count > 0 && workers > count ? count : workers;
}

void pm_parallel_for(size_t count, int threads, void (*task)(void *context, size_t index), void *context)
{
    if (count == 0) return;
    work_queue queue = {.count = count, .next = 0, .task = task, .context = context};
    pthread_mutex_init(&queue.lock, NULL);
    size_t nthreads = pm_parallel_workers(threads, count);
    /* the calling thread is one of the workers */
    pthread_t *helpers = nthreads > 1 ? calloc(nthreads - 1, sizeof *helpers) : NULL;
    size_t started = 0;
    if (helpers)
        while (started < nthreads - 1 && pthread_create(&helpers[started], NULL, work, &queue) == 0) started++;
    work(&queue);
    for (size_t t = 0; t < started; t++) pthread_join(helpers[t], NULL);
    free(helpers);
    pthread_mutex_destroy(&queue.lock);
}
