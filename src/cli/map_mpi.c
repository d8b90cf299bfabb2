/* The points of `phonomaser map` over MPI ranks (cli.h, pm_cli_mpi_*).
 *
 * Why here and not in the library: the library stays free of MPI (a C or
 * Python caller of pm_map_run needs no MPI runtime); the engine's scheduler
 * hook (pm_map_run_options.next) is all this needs.
 *
 * Dynamic load balancing (points differ 100x in cost): rank 0 coordinates.
 * Its compute threads and the other ranks take the next point from one
 * cursor; a rank asks for a point (TAG_REQUEST; one point ahead, see
 * remote_next), gets its index or -1 (TAG_INDEX), and sends each result back
 * (TAG_RESULT: index, status, values; TAG_MESSAGE: the failure message), then
 * TAG_DONE when it has no more.  A coordinator thread on rank 0 answers, polling with MPI_Iprobe and
 * a 0.5 ms sleep (a blocking receive spins a core in Open MPI), and hands the
 * results to the caller's record function, which journals them: only rank 0
 * writes files.  MPI calls of one process are serialized by a lock, so
 * MPI_THREAD_SERIALIZED is enough.  A run not started by mpirun (no Open MPI
 * or PMI environment) never initialises MPI and runs on threads. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

#ifdef PM_HAVE_MPI
#include <mpi.h>

enum { TAG_REQUEST = 1, TAG_INDEX, TAG_RESULT, TAG_MESSAGE, TAG_DONE };

static pthread_mutex_t mpi_lock = PTHREAD_MUTEX_INITIALIZER;

int pm_cli_mpi_init(pm_cli_mpi *mpi)
{
    memset(mpi, 0, sizeof *mpi);
    mpi->size = 1;
    if (!getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMI_SIZE") && !getenv("PMIX_RANK")) return 0;
    int provided = 0;
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS) {
        fprintf(stderr, "phonomaser map: error: MPI_Init_thread failed\n");
        return 1;
    }
    mpi->active = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &mpi->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &mpi->size);
    if (provided < MPI_THREAD_SERIALIZED) {
        fprintf(stderr, "phonomaser map: error: the MPI library offers no MPI_THREAD_SERIALIZED\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    return 0;
}

void pm_cli_mpi_finalize(pm_cli_mpi *mpi)
{
    if (mpi->active) MPI_Finalize();
    mpi->active = 0;
}

void pm_cli_mpi_abort(pm_cli_mpi *mpi, int code)
{
    if (mpi->active && mpi->size > 1) MPI_Abort(MPI_COMM_WORLD, code);
}

pm_status pm_cli_mpi_share_text(pm_cli_mpi *mpi, char **text)
{
    if (!mpi->active || mpi->size == 1) return PM_OK;
    unsigned long long length = mpi->rank == 0 && *text ? strlen(*text) : 0;
    MPI_Bcast(&length, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
    if (mpi->rank != 0) {
        free(*text);
        if (!(*text = malloc(length + 1))) MPI_Abort(MPI_COMM_WORLD, 1);
    }
    MPI_Bcast(*text, (int)length + 1, MPI_CHAR, 0, MPI_COMM_WORLD);
    return PM_OK;
}

/* ---- rank 0: the cursor and the coordinator thread ----------------------------------------- */

typedef struct coordinator {
    pthread_mutex_t lock;
    size_t cursor, count;
    const unsigned char *skip;
    const pm_stop_flag *stop;
    size_t nvalues;
    pm_cli_mpi_record_fn record;
    void *user;
    int workers;
    volatile int failed;
} coordinator;

/* the next point not skipped, for any rank (-1: none left, or stopped) */
static long long take_point(coordinator *c)
{
    long long index = -1;
    pthread_mutex_lock(&c->lock);
    while (c->cursor < c->count && c->skip && c->skip[c->cursor]) c->cursor++;
    if (c->cursor < c->count && !PM_STOP_REQUESTED(c->stop)) index = (long long)c->cursor++;
    pthread_mutex_unlock(&c->lock);
    return index;
}

static int local_next(void *user, size_t *index)
{
    long long i = take_point(user);
    if (i < 0) return 0;
    *index = (size_t)i;
    return 1;
}

static void *coordinate(void *arg)
{
    coordinator *c = arg;
    double *buffer = malloc((c->nvalues + 2) * sizeof *buffer);
    char message[1024];
    int done = 0;
    while (done < c->workers) {
        int flag = 0;
        MPI_Status status;
        pthread_mutex_lock(&mpi_lock);
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status);
        if (flag) {
            int source = status.MPI_SOURCE, dummy = 0;
            if (status.MPI_TAG == TAG_REQUEST) {
                MPI_Recv(&dummy, 1, MPI_INT, source, TAG_REQUEST, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                long long index = take_point(c);
                MPI_Send(&index, 1, MPI_LONG_LONG, source, TAG_INDEX, MPI_COMM_WORLD);
            } else if (status.MPI_TAG == TAG_RESULT) {
                MPI_Recv(buffer, (int)c->nvalues + 2, MPI_DOUBLE, source, TAG_RESULT, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                MPI_Recv(message, sizeof message, MPI_CHAR, source, TAG_MESSAGE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                message[sizeof message - 1] = '\0';
                pthread_mutex_unlock(&mpi_lock);
                c->record(c->user, (size_t)buffer[0], (pm_status)buffer[1], buffer + 2, message);
                continue;
            } else {
                MPI_Recv(&dummy, 1, MPI_INT, source, TAG_DONE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                done++;
            }
        }
        pthread_mutex_unlock(&mpi_lock);
        if (!flag) nanosleep(&(struct timespec){.tv_nsec = 500000}, NULL);
    }
    free(buffer);
    return NULL;
}

/* ---- the other ranks: ask rank 0, send results back ------------------------------------------ */

typedef struct worker {
    int exhausted;
    int pending; /* a request sent whose answer is not yet received */
    size_t nvalues;
} worker;

/* One point ahead: with each index the rank asks for the next at once, so
 * the answer arrives while this point is computed and the rank does not
 * wait for rank 0's coordinator between points (it did: 11-12 % idle with 4
 * and 8 ranks on 2 cores, where the coordinator waits for a core to answer).
 * The cost: at the end of a map a rank may hold one point that an idle rank
 * could have taken (one point's time at most). */
static int remote_next(void *user, size_t *index)
{
    worker *w = user;
    if (w->exhausted) return 0;
    long long i = -1;
    int dummy = 0;
    pthread_mutex_lock(&mpi_lock);
    if (!w->pending) MPI_Send(&dummy, 1, MPI_INT, 0, TAG_REQUEST, MPI_COMM_WORLD);
    MPI_Recv(&i, 1, MPI_LONG_LONG, 0, TAG_INDEX, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    w->pending = i >= 0;
    if (w->pending) MPI_Send(&dummy, 1, MPI_INT, 0, TAG_REQUEST, MPI_COMM_WORLD);
    pthread_mutex_unlock(&mpi_lock);
    if (i < 0) {
        w->exhausted = 1;
        return 0;
    }
    *index = (size_t)i;
    return 1;
}

void pm_cli_mpi_send_result(size_t index, pm_status status, size_t nvalues, const double *values, const char *message)
{
    double *buffer = malloc((nvalues + 2) * sizeof *buffer);
    if (!buffer) MPI_Abort(MPI_COMM_WORLD, 1);
    buffer[0] = (double)index;
    buffer[1] = (double)status;
    for (size_t k = 0; k < nvalues; k++) buffer[k + 2] = values ? values[k] : 0;
    char text[1024];
    snprintf(text, sizeof text, "%s", message ? message : "");
    pthread_mutex_lock(&mpi_lock);
    MPI_Send(buffer, (int)nvalues + 2, MPI_DOUBLE, 0, TAG_RESULT, MPI_COMM_WORLD);
    MPI_Send(text, (int)strlen(text) + 1, MPI_CHAR, 0, TAG_MESSAGE, MPI_COMM_WORLD);
    pthread_mutex_unlock(&mpi_lock);
    free(buffer);
}

pm_status pm_cli_mpi_map_run(pm_cli_mpi *mpi, const pm_params *base, size_t naxes, const pm_map_axis *axes,
                             const pm_map_run_options *opts, pm_map_point_fn run, void *user, size_t nvalues,
                             pm_cli_mpi_record_fn record, size_t *completed)
{
    if (!mpi->active || mpi->size == 1) return pm_map_run(base, naxes, axes, opts, run, user, completed);
    pm_map_run_options local = *opts;
    pm_status s;
    if (mpi->rank == 0) {
        coordinator c = {.count = pm_map_point_count(naxes, axes), .skip = opts->skip, .stop = opts->stop,
                         .nvalues = nvalues, .record = record, .user = user, .workers = mpi->size - 1};
        pthread_mutex_init(&c.lock, NULL);
        pthread_t thread;
        if (pthread_create(&thread, NULL, coordinate, &c) != 0) {
            fprintf(stderr, "phonomaser map: error: cannot start the MPI coordinator thread\n");
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
        local.next = local_next;
        local.next_user = &c;
        s = pm_map_run(base, naxes, axes, &local, run, user, completed);
        pthread_join(thread, NULL);
        pthread_mutex_destroy(&c.lock);
    } else {
        worker w = {.nvalues = nvalues};
        local.next = remote_next;
        local.next_user = &w;
        local.progress = NULL;
        s = pm_map_run(base, naxes, axes, &local, run, user, completed);
        int dummy = 0;
        pthread_mutex_lock(&mpi_lock);
        MPI_Send(&dummy, 1, MPI_INT, 0, TAG_DONE, MPI_COMM_WORLD);
        pthread_mutex_unlock(&mpi_lock);
    }
    return s;
}

void pm_cli_mpi_gather_busy(pm_cli_mpi *mpi, double busy_seconds, double cpu_seconds, double *all)
{
    double mine[2] = {busy_seconds, cpu_seconds};
    if (!mpi->active || mpi->size == 1) {
        all[0] = mine[0], all[1] = mine[1];
        return;
    }
    pthread_mutex_lock(&mpi_lock);
    MPI_Gather(mine, 2, MPI_DOUBLE, all, 2, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    pthread_mutex_unlock(&mpi_lock);
}

#else /* built without MPI: one process, threads */

int pm_cli_mpi_init(pm_cli_mpi *mpi)
{
    memset(mpi, 0, sizeof *mpi);
    mpi->size = 1;
    if (getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK"))
        fprintf(stderr, "phonomaser map: warning: started by mpirun, but this build has no MPI: every rank "
                "computes the whole map\n");
    return 0;
}

void pm_cli_mpi_finalize(pm_cli_mpi *mpi) { (void)mpi; }
void pm_cli_mpi_abort(pm_cli_mpi *mpi, int code) { (void)mpi, (void)code; }
pm_status pm_cli_mpi_share_text(pm_cli_mpi *mpi, char **text) { (void)mpi, (void)text; return PM_OK; }

void pm_cli_mpi_send_result(size_t index, pm_status status, size_t nvalues, const double *values, const char *message)
{
    (void)index, (void)status, (void)nvalues, (void)values, (void)message;
}

void pm_cli_mpi_gather_busy(pm_cli_mpi *mpi, double busy_seconds, double cpu_seconds, double *all)
{
    (void)mpi;
    all[0] = busy_seconds, all[1] = cpu_seconds;
}

pm_status pm_cli_mpi_map_run(pm_cli_mpi *mpi, const pm_params *base, size_t naxes, const pm_map_axis *axes,
                             const pm_map_run_options *opts, pm_map_point_fn run, void *user, size_t nvalues,
                             pm_cli_mpi_record_fn record, size_t *completed)
{
    (void)mpi, (void)nvalues, (void)record;
    return pm_map_run(base, naxes, axes, opts, run, user, completed);
}

#endif
