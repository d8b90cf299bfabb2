/* Checkpoint files and resumed evolutions (checkpoint.h, pm_mesolve).
 *
 * A resumed run restarts CVODE at an output time, so it must agree with an
 * uninterrupted run to the solver tolerance: checked at every output time,
 * for checkpoints made by hand (blocks at different output indices) and for
 * the checkpoint pm_mesolve writes when a run is interrupted. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "phonomaser/io/checkpoint.h"
#include "phonomaser/io/h5io.h"
#include "phonomaser/model/model.h"
#include "phonomaser/drivers/solve.h"
#include "testutil.h"

/* The checkpoint callback the command line uses: the restart data to a file. */
static pm_status write_to_file(void *user, const pm_checkpoint *cp)
{
    return pm_checkpoint_write((const char *)user, cp);
}

static char dir[] = "/tmp/pm_test_checkpoint_XXXXXX";

static const char *temp_path(const char *name)
{
    static char path[4][256];
    static int next = 0;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", dir, name);
    return p;
}

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* ---------------------------------------------------------- file format */

static void fill_block(pm_checkpoint_block *blk, size_t reached, double seed)
{
    for (int64_t p = 0; p < blk->size; p++) blk->x[p] = seed * (double)(p + 1) + I * (seed - (double)p / 7.0);
    blk->reached = reached;
    for (size_t k = 0; k < reached; k++) {
        pm_linear_observables *o = &blk->series[k];
        o->trace = 1.0 - 1e-3 * (double)k;
        o->n_mean = seed + (double)k;
        o->n2_mean = seed * seed + 3.0 * (double)k;
        o->sz_mean = -0.5 + 0.01 * (double)k;
        o->tail_population = 1e-12 * (double)(k + 1);
        o->a_mean = 0.25 * (double)k - I * seed;
    }
}

static void test_round_trip(void)
{
    const double times[6] = {0, 0.5, 1, 2, 4, 8};
    const int64_t sizes[2] = {40, 38};
    const char *config = "[model]\nN = 20\n\n[evolve]\ntimes = 0, 0.5, 1, 2, 4, 8\n";
    pm_checkpoint *cp = NULL, *back = NULL;
    CHECK_OK(pm_checkpoint_alloc(20, PM_PATH_SECTOR, 6, times, 2, sizes, config, &cp));
    if (!cp) return;
    cp->blocks[0].sector = 0;
    cp->blocks[1].sector = 1;
    fill_block(&cp->blocks[0], 4, 1.5);
    fill_block(&cp->blocks[1], 2, -0.75);
    CHECK(pm_checkpoint_next_index(cp) == 2);
    const char *path = temp_path("rt.h5");
    CHECK_OK(pm_checkpoint_write(path, cp));
    fill_block(&cp->blocks[1], 3, -0.5); /* a second write replaces the first */
    CHECK_OK(pm_checkpoint_write(path, cp));
    CHECK_OK(pm_checkpoint_read(path, &back));
    if (back) {
        REQUIRE(back->N == 20 && back->path == PM_PATH_SECTOR && back->ntimes == 6 && back->nblocks == 2);
        CHECK(back->config && strcmp(back->config, config) == 0);
        CHECK(memcmp(back->times, times, sizeof times) == 0);
        CHECK(pm_checkpoint_next_index(back) == 3);
        for (size_t b = 0; b < 2; b++) {
            const pm_checkpoint_block *x = &cp->blocks[b], *y = &back->blocks[b];
            CHECK(x->sector == y->sector && x->size == y->size && x->reached == y->reached);
            CHECK(memcmp(x->x, y->x, (size_t)x->size * sizeof *x->x) == 0);
            for (size_t k = 0; k < x->reached; k++) {
                const pm_linear_observables *o = &x->series[k], *q = &y->series[k];
                CHECK(o->trace == q->trace && o->n_mean == q->n_mean && o->n2_mean == q->n2_mean &&
                      o->sz_mean == q->sz_mean && o->tail_population == q->tail_population &&
                      o->a_mean == q->a_mean);
            }
        }
    }
    /* the combined series is there for readers: t and n_mean at next_index outputs */
    pm_h5file *file = NULL;
    CHECK_OK(pm_h5_open_read(path, &file));
    if (file) {
        size_t n = 0;
        double n_mean[6], t_reached = 0;
        CHECK_OK(pm_h5_dataset_size(file, "/series/n_mean", &n));
        CHECK(n == 3);
        CHECK_OK(pm_h5_read_double(file, "/series/n_mean", n_mean));
        CHECK(n_mean[2] == cp->blocks[0].series[2].n_mean + cp->blocks[1].series[2].n_mean);
        CHECK_OK(pm_h5_read_attr_double(file, "/", "t_reached", &t_reached));
        CHECK(t_reached == times[2]);
        pm_h5_close(file, 0);
    }
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    CHECK(!file_exists(tmp));
    pm_checkpoint_free(back);
    pm_checkpoint_free(cp);
}

static int contains(const char *text, const char *part) { return strstr(text, part) != NULL; }

static void test_read_rejects(void)
{
    pm_checkpoint *cp = (pm_checkpoint *)1;
    CHECK(pm_checkpoint_read(temp_path("missing.h5"), &cp) == PM_EIO && cp == NULL);
    CHECK(contains(pm_error_message(), "missing.h5"));

    /* an HDF5 file that is not a checkpoint */
    pm_h5file *file = NULL;
    const char *other = temp_path("other.h5");
    CHECK_OK(pm_h5_create(other, &file));
    if (file) {
        CHECK_OK(pm_h5_attr_string(file, "/", "version", "0.1.0"));
        CHECK_OK(pm_h5_close(file, 1));
    }
    CHECK(pm_checkpoint_read(other, &cp) == PM_EIO && cp == NULL);
    CHECK(contains(pm_error_message(), "not a phonomaser checkpoint"));

    /* a checkpoint whose block claims more outputs than there are times */
    const double times[3] = {0, 1, 2};
    const int64_t sizes[1] = {8};
    pm_checkpoint *good = NULL;
    CHECK_OK(pm_checkpoint_alloc(2, PM_PATH_SECTOR, 3, times, 1, sizes, "x", &good));
    if (!good) return;
    good->blocks[0].sector = 0;
    const char *bad = temp_path("bad.h5");
    CHECK_OK(pm_checkpoint_write(bad, good));
    /* rewrite it by hand with reached = 4 (the writer never produces that) */
    CHECK_OK(pm_h5_create(bad, &file));
    if (file) {
        CHECK_OK(pm_h5_attr_string(file, "/", "format", PM_CHECKPOINT_FORMAT));
        CHECK_OK(pm_h5_attr_int(file, "/", "format_version", PM_CHECKPOINT_VERSION));
        CHECK_OK(pm_h5_attr_string(file, "/", "config", "x"));
        CHECK_OK(pm_h5_attr_string(file, "/", "path", "sector"));
        CHECK_OK(pm_h5_attr_int(file, "/", "N", 2));
        CHECK_OK(pm_h5_attr_int(file, "/", "ntimes", 3));
        CHECK_OK(pm_h5_attr_int(file, "/", "nblocks", 1));
        CHECK_OK(pm_h5_dataset_double(file, "/times", times, 3, 0, "s"));
        CHECK_OK(pm_h5_attr_int(file, "/blocks/0", "sector", 0));
        CHECK_OK(pm_h5_attr_int(file, "/blocks/0", "size", 8));
        CHECK_OK(pm_h5_attr_int(file, "/blocks/0", "reached", 4));
        CHECK_OK(pm_h5_dataset_complex(file, "/blocks/0/x", good->blocks[0].x, 8, 0, "1"));
        CHECK_OK(pm_h5_close(file, 1));
    }
    CHECK(pm_checkpoint_read(bad, &cp) == PM_EINVAL && cp == NULL);
    CHECK(contains(pm_error_message(), "reached output 4 of 3"));
    /* a hostile count (issue 12, fuzzing): ntimes = 5e8 with 3 times is
     * refused by the sizes of the datasets, before 5e8 outputs (tens of GB)
     * are allocated */
    CHECK_OK(pm_h5_create(bad, &file));
    if (file) {
        CHECK_OK(pm_h5_attr_string(file, "/", "format", PM_CHECKPOINT_FORMAT));
        CHECK_OK(pm_h5_attr_int(file, "/", "format_version", PM_CHECKPOINT_VERSION));
        CHECK_OK(pm_h5_attr_string(file, "/", "config", "x"));
        CHECK_OK(pm_h5_attr_string(file, "/", "path", "sector"));
        CHECK_OK(pm_h5_attr_int(file, "/", "N", 2));
        CHECK_OK(pm_h5_attr_int(file, "/", "ntimes", 500000000));
        CHECK_OK(pm_h5_attr_int(file, "/", "nblocks", 1));
        CHECK_OK(pm_h5_dataset_double(file, "/times", times, 3, 0, "s"));
        CHECK_OK(pm_h5_attr_int(file, "/blocks/0", "sector", 0));
        CHECK_OK(pm_h5_attr_int(file, "/blocks/0", "size", 8));
        CHECK_OK(pm_h5_attr_int(file, "/blocks/0", "reached", 1));
        CHECK_OK(pm_h5_dataset_complex(file, "/blocks/0/x", good->blocks[0].x, 8, 0, "1"));
        CHECK_OK(pm_h5_close(file, 1));
    }
    CHECK(pm_checkpoint_read(bad, &cp) == PM_EINVAL && cp == NULL);
    CHECK(contains(pm_error_message(), "/times holds 3 values, expected 500000000"));
    pm_checkpoint_free(good);
}

/* ------------------------------------------------------------- evolution */

/* Table I at N = 16 from a coherent state: sectors k = 0 and 1 (<a>). */
typedef struct {
    pm_params params;
    pm_model *model;
    pm_initial init;
    size_t ntimes;
    double *times;
    pm_mesolve_options opts;
} setup;

static int setup_init(setup *su, long N, size_t ntimes, double t_final)
{
    memset(su, 0, sizeof *su);
    pm_params_init(&su->params);
    su->params.N = N;
    if (pm_params_derive(&su->params) != PM_OK || pm_model_jc_alloc(&su->params, &su->model) != PM_OK) {
        fprintf(stderr, "setup: %s\n", pm_error_message());
        test_failures++;
        return 0;
    }
    pm_initial_default(&su->params, PM_INITIAL_COHERENT, &su->init);
    su->init.alpha = 1.5 + 0.5 * I;
    su->ntimes = ntimes;
    su->times = malloc(ntimes * sizeof *su->times);
    for (size_t k = 0; k < ntimes; k++) su->times[k] = t_final * (double)k / (double)(ntimes - 1);
    pm_mesolve_options_default(&su->opts);
    su->opts.evolve.rtol = 1e-10;
    su->opts.evolve.atol = 1e-12;
    su->opts.threads = 2;
    return 1;
}

static void setup_clear(setup *su)
{
    pm_model_free(su->model);
    free(su->times);
}

/* Every output of `got` against `want` (same times): the resumed run agrees
 * with the uninterrupted one to the solver tolerance. */
static void compare_series(const pm_timeseries *got, const pm_timeseries *want, double tol, int line)
{
    if (got->ntimes != want->ntimes) {
        fprintf(stderr, "line %d: %zu outputs, want %zu\n", line, got->ntimes, want->ntimes);
        test_failures++;
        return;
    }
    double worst = 0, a_scale = 0;
    size_t at = 0;
    for (size_t k = 0; k < want->ntimes; k++) a_scale = fmax(a_scale, cabs(want->a_mean[k]));
    for (size_t k = 0; k < want->ntimes; k++) {
        double e = fabs(got->n_mean[k] - want->n_mean[k]) / fabs(want->n_mean[k]);
        e = fmax(e, fabs(got->n2_mean[k] - want->n2_mean[k]) / fabs(want->n2_mean[k]));
        e = fmax(e, fabs(got->sz_mean[k] - want->sz_mean[k]));
        /* <a> decays to zero: relative to its largest value */
        e = fmax(e, cabs(got->a_mean[k] - want->a_mean[k]) / a_scale);
        e = fmax(e, fabs(got->trace[k] - want->trace[k]));
        if (got->t[k] != want->t[k]) e = INFINITY;
        if (e > worst) worst = e, at = k;
    }
    if (!(worst <= tol)) {
        fprintf(stderr, "line %d: resumed series differs by %.3g (rel) at output %zu (t = %g s), tol %g\n", line,
                worst, at, want->t[at], tol);
        test_failures++;
    }
}

typedef struct {
    setup *su;
    size_t index;
    pm_checkpoint_block *slot;
    const pm_block *block;
} record_ctx;

static int record(void *context, size_t index, double t, const double complex *x)
{
    (void)t;
    record_ctx *rc = context;
    pm_observables_linear(rc->block, x, &rc->slot->series[index]);
    return 0;
}

/* A checkpoint made by hand, its two blocks at different output indices (3
 * and 7), resumes to the uninterrupted result. */
static void test_resume_hand_made(void)
{
    setup su;
    if (!setup_init(&su, 16, 21, 2.0)) return;
    pm_mesolve_result ref, resumed;
    REQUIRE_OK(pm_mesolve(su.model, &su.init, su.ntimes, su.times, &su.opts, &ref));
    REQUIRE(ref.nblocks == 2 && ref.series.ntimes == su.ntimes); /* blocks[1], a_mean[ntimes - 1] below */
    /* <a> of a coherent state is damped but still clearly nonzero at the end */
    CHECK(cabs(ref.series.a_mean[su.ntimes - 1]) > 0.1);

    const size_t reached[2] = {3, 7};
    int64_t sizes[2] = {ref.blocks[0]->size, ref.blocks[1]->size};
    pm_checkpoint *cp = NULL;
    pm_state *state = NULL;
    CHECK_OK(pm_checkpoint_alloc(su.model->N, PM_PATH_SECTOR, su.ntimes, su.times, 2, sizes, "hand made", &cp));
    CHECK_OK(pm_state_alloc(su.model->N, 2, (const pm_block *const *)ref.blocks, &state));
    if (!cp || !state) goto done;
    pm_state_fill_initial(state, &su.init);
    for (size_t b = 0; b < 2; b++) {
        pm_checkpoint_block *slot = &cp->blocks[b];
        slot->sector = ref.blocks[b]->sector;
        slot->reached = reached[b];
        memcpy(slot->x, state->x[b], (size_t)slot->size * sizeof *slot->x);
        record_ctx rc = {&su, b, slot, ref.blocks[b]};
        CHECK_OK(pm_evolve(ref.blocks[b], slot->x, reached[b], su.times, &su.opts.evolve, record, &rc, NULL));
    }
    const char *path = temp_path("hand.h5");
    pm_checkpoint *back = NULL;
    CHECK_OK(pm_checkpoint_write(path, cp));
    CHECK_OK(pm_checkpoint_read(path, &back));
    if (back) {
        pm_mesolve_options o = su.opts;
        o.resume = back;
        CHECK_OK(pm_mesolve(su.model, &su.init, su.ntimes, su.times, &o, &resumed));
        CHECK(resumed.resumed_from == 3);
        compare_series(&resumed.series, &ref.series, 1e-7, __LINE__);
        /* outputs before the restart are the checkpoint's, bit for bit */
        CHECK(resumed.series.n_mean[1] == back->blocks[0].series[1].n_mean + back->blocks[1].series[1].n_mean);
        pm_mesolve_result_clear(&resumed);

        /* a different cutoff, initial state or time grid is refused */
        setup other;
        if (setup_init(&other, 17, 21, 2.0)) {
            CHECK(pm_mesolve(other.model, &other.init, other.ntimes, other.times, &o, &resumed) == PM_EINVAL);
            CHECK(contains(pm_error_message(), "N = 16"));
            pm_mesolve_result_clear(&resumed);
            setup_clear(&other);
        }
        pm_initial thermal;
        pm_initial_default(&su.params, PM_INITIAL_THERMAL, &thermal);
        CHECK(pm_mesolve(su.model, &thermal, su.ntimes, su.times, &o, &resumed) == PM_EINVAL);
        CHECK(contains(pm_error_message(), "2 blocks"));
        pm_mesolve_result_clear(&resumed);
        double *times = malloc(su.ntimes * sizeof *times);
        memcpy(times, su.times, su.ntimes * sizeof *times);
        times[su.ntimes - 1] *= 1.5;
        CHECK(pm_mesolve(su.model, &su.init, su.ntimes, times, &o, &resumed) == PM_EINVAL);
        CHECK(contains(pm_error_message(), "output time 20"));
        pm_mesolve_result_clear(&resumed);
        free(times);
        /* a resumed state that is no density matrix is refused (issue 12.14):
         * a population doubled (trace), a coherence not matched by its adjoint,
         * a NaN */
        int64_t population = -1, coherence = -1;
        const pm_block *b0 = ref.blocks[0];
        for (int64_t p = 0; p < b0->size; p++) {
            if (b0->row[p] == b0->col[p] && cabs(back->blocks[0].x[p]) > 0.1) population = p;
            if (b0->row[p] != b0->col[p] && coherence < 0) coherence = p;
        }
        REQUIRE(population >= 0 && coherence >= 0);
        const char *expected[3] = {"trace", "hermiticity error", "not finite"};
        for (int k = 0; k < 3; k++) {
            int64_t p = k == 0 ? population : coherence;
            double complex saved = back->blocks[0].x[p];
            back->blocks[0].x[p] = k == 0 ? 2 * saved : k == 1 ? saved + 0.01 : NAN;
            CHECK(pm_mesolve(su.model, &su.init, su.ntimes, su.times, &o, &resumed) == PM_EINVAL);
            CHECK(contains(pm_error_message(), "the resumed state") && contains(pm_error_message(), expected[k]));
            pm_mesolve_result_clear(&resumed);
            back->blocks[0].x[p] = saved;
        }
    }
    pm_checkpoint_free(back);
done:
    pm_state_free(state);
    pm_checkpoint_free(cp);
    pm_mesolve_result_clear(&ref);
    setup_clear(&su);
}

/* Raises the stop flag, as a user's Ctrl-C would, once every block has
 * passed an eighth of the output times and a periodic checkpoint exists.
 * It runs in the solver's own threads (pm_mesolve_options.monitor), so the
 * run cannot finish before the stop, however loaded the machine: the
 * interruption is deterministic.  (A watcher thread polling for the file
 * raced the run: on a fast machine the run ended first, on a loaded one
 * the watcher was not scheduled in time.)  If the index condition holds
 * while the first checkpoint is still being written by the other block,
 * it waits for the file (at most 30 s: a broken checkpointer fails the
 * test instead of hanging it). */
enum { MONITOR_MAX_BLOCKS = 8 };
typedef struct {
    const char *path;
    pm_stop_flag *stop;
    size_t threshold;                           /* output index every block must pass */
    atomic_size_t reached[MONITOR_MAX_BLOCKS];  /* per block: output times done */
    size_t nblocks;
    atomic_int file_timeout;
} interrupter;

static int interrupt_monitor(void *user, size_t block, size_t index, double t)
{
    (void)t;
    interrupter *w = user;
    if (block < MONITOR_MAX_BLOCKS) atomic_store(&w->reached[block], index + 1);
    for (size_t b = 0; b < w->nblocks; b++)
        if (b >= MONITOR_MAX_BLOCKS || atomic_load(&w->reached[b]) <= w->threshold) return 0;
    struct timespec pause = {0, 1000000};
    for (int waited = 0; !file_exists(w->path); waited++) {
        if (waited == 30000) {
            atomic_store(&w->file_timeout, 1);
            break;
        }
        nanosleep(&pause, NULL);
    }
    atomic_store(w->stop, 1);
    return 0;
}

static void test_interrupt_and_resume(void)
{
    setup su;
    if (!setup_init(&su, 40, 401, 40.0)) return;
    pm_mesolve_result ref, partial, resumed;
    memset(&partial, 0, sizeof partial);
    CHECK_OK(pm_mesolve(su.model, &su.init, su.ntimes, su.times, &su.opts, &ref));

    const char *path = temp_path("run.checkpoint.h5");
    pm_stop_flag stop = 0;
    interrupter w = {.path = path, .stop = &stop, .threshold = su.ntimes / 8, .nblocks = ref.nblocks};
    REQUIRE(ref.nblocks >= 1 && ref.nblocks <= MONITOR_MAX_BLOCKS);
    pm_mesolve_options o = su.opts;
    o.evolve.stop_flag = &stop;
    o.checkpoint = write_to_file;
    o.checkpoint_user = (void *)path;
    o.checkpoint_interval = 1e-9; /* a checkpoint at the first output of the run */
    o.checkpoint_config = "[model]\nN = 40\n";
    o.monitor = interrupt_monitor;
    o.monitor_user = &w;
    pm_status s = pm_mesolve(su.model, &su.init, su.ntimes, su.times, &o, &partial);
    CHECK(!atomic_load(&w.file_timeout));
    CHECK(s == PM_EINTERRUPT);
    /* the periodic one(s) and the final one at the interruption */
    CHECK(partial.checkpoints_written >= 2 && partial.checkpoint_failures == 0);

    pm_checkpoint *cp = NULL;
    CHECK_OK(pm_checkpoint_read(path, &cp));
    if (cp) {
        size_t next = pm_checkpoint_next_index(cp);
        CHECK(next > 0 && next < su.ntimes);
        CHECK(next == partial.series.ntimes);
        CHECK(strcmp(cp->config, o.checkpoint_config) == 0);
        /* the final checkpoint holds every block at its latest output */
        for (size_t b = 0; b < cp->nblocks; b++) CHECK(cp->blocks[b].reached >= next);
        pm_mesolve_options r = su.opts;
        r.resume = cp;
        CHECK_OK(pm_mesolve(su.model, &su.init, su.ntimes, su.times, &r, &resumed));
        CHECK(resumed.resumed_from == next);
        compare_series(&resumed.series, &ref.series, 1e-7, __LINE__);
        for (size_t k = 0; k < next; k++) CHECK(resumed.series.n_mean[k] == partial.series.n_mean[k]);
        pm_mesolve_result_clear(&resumed);
    }
    pm_checkpoint_free(cp);
    pm_mesolve_result_clear(&partial);
    pm_mesolve_result_clear(&ref);
    setup_clear(&su);
}

/* A checkpoint that cannot be written does not stop the run. */
static void test_write_failure(void)
{
    setup su;
    if (!setup_init(&su, 14, 5, 0.1)) return;
    pm_mesolve_result result;
    pm_mesolve_options o = su.opts;
    o.checkpoint = write_to_file;
    o.checkpoint_user = (void *)temp_path("no/such/dir/c.h5");
    o.checkpoint_interval = 1e-9;
    CHECK_OK(pm_mesolve(su.model, &su.init, su.ntimes, su.times, &o, &result));
    CHECK(result.series.ntimes == su.ntimes);
    CHECK(result.checkpoints_written == 0 && result.checkpoint_failures > 0);
    CHECK(contains(result.checkpoint_error, "c.h5"));
    pm_mesolve_result_clear(&result);
    o.checkpoint_user = (void *)temp_path("c.h5");
    o.checkpoint_interval = -1;
    CHECK(pm_mesolve(su.model, &su.init, su.ntimes, su.times, &o, &result) == PM_EINVAL);
    CHECK(contains(pm_error_message(), "checkpoint interval"));
    pm_mesolve_result_clear(&result);
    setup_clear(&su);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_round_trip();
    test_read_rejects();
    test_resume_hand_made();
    test_interrupt_and_resume();
    test_write_failure();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return TEST_RESULT();
}
