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

void pm_parallel_for(size_t count, int threads, void (*task)(void *context, size_t index), void *context)
{
    work_queue queue = {.count = count, .next = 0, .task = task, .context = context};
    pthread_mutex_init(&queue.lock, NULL);
    long cores = threads > 0 ? threads : sysconf(_SC_NPROCESSORS_ONLN);
    size_t nthreads = cores > 1 ? (size_t)cores : 1;
    if (nthreads > count) nthreads = count;
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
