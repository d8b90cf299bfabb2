/* Parameter maps (map.h): axis parsing, the point numbering, the threaded
 * engine (the same values on 1 and 2 threads, in any order), resume by a
 * skip mask, a caller's scheduler, the stop flag, and the point results
 * against the drivers they come from. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "phonomaser/drivers/compare_models.h"
#include "phonomaser/drivers/map.h"
#include "phonomaser/model/model.h"
#include "testutil.h"

static void test_axes(void)
{
    pm_map_axis a;
    REQUIRE_OK(pm_map_axis_parse("S=-0.1:0.3:5", &a));
    CHECK(!strcmp(a.key, "S") && a.count == 5 && a.values[0] == -0.1 && a.values[4] == 0.3);
    CHECK(fabs(a.values[2] - 0.1) < 1e-16);
    pm_map_axis_clear(&a);
    REQUIRE_OK(pm_map_axis_parse("n_th=log:0.1:10:3", &a));
    CHECK(a.count == 3 && a.values[0] == 0.1 && fabs(a.values[1] - 1) < 1e-15 && a.values[2] == 10);
    pm_map_axis_clear(&a);
    REQUIRE_OK(pm_map_axis_parse("delta=-300,0,250.5", &a));
    CHECK(a.count == 3 && a.values[2] == 250.5);
    pm_map_axis_clear(&a);
    /* rejected: unknown key, N, no '=', bad count, log through zero, out of range, not a number */
    const char *bad[] = {"bogus=1,2", "N=10,20", "S", "S=0:1:0", "S=0:1:2.5", "S=0:1", "S=0.1:0.1:1:3",
                         "n_th=log:-1:1:3", "S=0,2", "eta=1,x", "S=0:0.1:1"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        pm_map_axis b;
        CHECK(pm_map_axis_parse(bad[k], &b) == PM_EINVAL);
        CHECK(b.values == NULL && b.count == 0);
    }
    pm_map_axis one;
    CHECK_OK(pm_map_axis_parse("S=0.2:0.2:1", &one));
    CHECK(one.count == 1 && one.values[0] == 0.2);
    pm_map_axis_clear(&one);
}

/* index = i0 * n1 + i1: the parameters of each point */
static void test_point_params(void)
{
    pm_map_axis axes[2];
    REQUIRE_OK(pm_map_axis_parse("S=0:0.2:3", &axes[0]));
    REQUIRE_OK(pm_map_axis_parse("g=10,20", &axes[1]));
    pm_params base;
    pm_params_init(&base);
    REQUIRE_OK(pm_params_derive(&base));
    CHECK(pm_map_point_count(2, axes) == 6);
    for (size_t i = 0; i < 6; i++) {
        pm_params p;
        REQUIRE_OK(pm_map_point_params(&base, 2, axes, i, &p));
        CHECK(p.S == axes[0].values[i / 2] && p.g == axes[1].values[i % 2]);
        CHECK(p.gamma_2 == base.gamma_2 && p.n_th == base.n_th);
    }
    pm_map_axis_clear(&axes[0]);
    pm_map_axis_clear(&axes[1]);
}

typedef struct {
    pm_map_kind kind;
    size_t nq;
    double *values;       /* points x nq */
    int *runs;            /* how often each point ran */
    pthread_mutex_t lock;
    size_t order[64], norder;
} collect;

static pm_status collect_point(void *user, size_t index, const pm_params *params, pm_status applied)
{
    collect *c = user;
    if (applied != PM_OK) return applied;
    pm_status s = pm_map_point_values(c->kind, params, NULL, c->values + index * c->nq);
    pthread_mutex_lock(&c->lock);
    c->runs[index]++;
    if (c->norder < 64) c->order[c->norder++] = index;
    pthread_mutex_unlock(&c->lock);
    return s;
}

static void collect_init(collect *c, pm_map_kind kind, const pm_params *base, size_t points)
{
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->nq = pm_map_quantity_count(kind, base);
    c->values = calloc(points * c->nq, sizeof *c->values);
    c->runs = calloc(points, sizeof *c->runs);
    pthread_mutex_init(&c->lock, NULL);
}

static void collect_clear(collect *c)
{
    free(c->values), free(c->runs);
    pthread_mutex_destroy(&c->lock);
}

/* a scheduler that gives the points in reverse */
typedef struct {
    size_t left;
} reverse_sched;
static int reverse_next(void *user, size_t *index)
{
    reverse_sched *r = user;
    if (r->left == 0) return 0;
    *index = --r->left;
    return 1;
}

static void test_engine(void)
{
    /* below and above threshold of eta = 0.25: cheap points */
    pm_params base = test_params_with((const char *const[]){"eta", "N"}, (const char *const[]){"0.25", "auto"}, 2);
    pm_map_axis axes[2];
    REQUIRE_OK(pm_map_axis_parse("S=-0.05,0.002,0.01", &axes[0]));
    REQUIRE_OK(pm_map_axis_parse("delta=0,300", &axes[1]));
    const size_t points = 6;
    collect one, two, resumed, reversed;
    collect_init(&one, PM_MAP_STEADY, &base, points);
    collect_init(&two, PM_MAP_STEADY, &base, points);
    collect_init(&resumed, PM_MAP_STEADY, &base, points);
    collect_init(&reversed, PM_MAP_STEADY, &base, points);
    REQUIRE(one.values && two.values && resumed.values && reversed.values);
    pm_map_run_options opts;
    pm_map_run_options_default(&opts);
    size_t done = 0;
    opts.threads = 1;
    REQUIRE_OK(pm_map_run(&base, 2, axes, &opts, collect_point, &one, &done));
    CHECK(done == points);
    for (size_t k = 0; k < points; k++) CHECK(one.runs[k] == 1 && one.order[k] == k);
    opts.threads = 2;
    REQUIRE_OK(pm_map_run(&base, 2, axes, &opts, collect_point, &two, &done));
    CHECK(done == points);
    /* the same numbers whatever thread computed which point */
    CHECK(memcmp(one.values, two.values, points * one.nq * sizeof *one.values) == 0);

    /* resume: the points marked done are not run again */
    unsigned char skip[6] = {1, 0, 1, 1, 0, 0};
    opts.skip = skip;
    REQUIRE_OK(pm_map_run(&base, 2, axes, &opts, collect_point, &resumed, &done));
    CHECK(done == 3);
    for (size_t k = 0; k < points; k++) CHECK(resumed.runs[k] == !skip[k]);
    CHECK(memcmp(resumed.values + 1 * one.nq, one.values + 1 * one.nq, one.nq * sizeof *one.values) == 0);
    opts.skip = NULL;

    /* a caller's scheduler decides the order */
    reverse_sched r = {.left = points};
    opts.next = reverse_next;
    opts.next_user = &r;
    opts.threads = 1;
    REQUIRE_OK(pm_map_run(&base, 2, axes, &opts, collect_point, &reversed, &done));
    CHECK(done == points && reversed.order[0] == points - 1 && reversed.order[points - 1] == 0);
    CHECK(memcmp(one.values, reversed.values, points * one.nq * sizeof *one.values) == 0);
    opts.next = NULL;

    /* a steady point equals pm_converge_run at its parameters */
    pm_params p;
    REQUIRE_OK(pm_map_point_params(&base, 2, axes, 5, &p));
    pm_converge_options copts;
    pm_converge_options_default(&copts);
    pm_converge_result direct = {0};
    REQUIRE_OK(pm_converge_run(TEST_DESC(&p), &copts, &direct));
    for (size_t q = 0; q < one.nq; q++) {
        const char *name = pm_map_quantity_name(PM_MAP_STEADY, &base, q);
        double v = one.values[5 * one.nq + q];
        if (!strcmp(name, "n_mean")) CHECK(v == direct.final.obs.n_mean);
        if (!strcmp(name, "g2")) CHECK(v == direct.final.obs.g2);
        if (!strcmp(name, "N")) CHECK(v == (double)direct.chosen_N);
        if (!strcmp(name, "K")) CHECK(isnan(v)); /* JC: no coupled sectors */
        if (!strcmp(name, "converged")) CHECK(v == 1);
    }
    pm_converge_result_clear(&direct);

    /* the stop flag: no point runs, the status says so */
    pm_stop_flag stop = 1;
    opts.stop = &stop;
    collect stopped;
    collect_init(&stopped, PM_MAP_STEADY, &base, points);
    CHECK(pm_map_run(&base, 2, axes, &opts, collect_point, &stopped, &done) == PM_EINTERRUPT);
    CHECK(done == 0);
    for (size_t k = 0; k < points; k++) CHECK(stopped.runs[k] == 0);
    collect_clear(&stopped);
    opts.stop = NULL;

    /* a failing point is named with its key values */
    pm_map_axis bad[1];
    REQUIRE_OK(pm_map_axis_parse("gamma_2=1000,100", &bad[0]));
    collect failing;
    collect_init(&failing, PM_MAP_STEADY, &base, 2);
    CHECK(pm_map_run(&base, 1, bad, &opts, collect_point, &failing, &done) == PM_EINVAL);
    CHECK(done == 1 && strstr(pm_error_message(), "point 2 (gamma_2 = 100)") != NULL);
    pm_map_axis_clear(&bad[0]);
    collect_clear(&failing);

    collect_clear(&one), collect_clear(&two), collect_clear(&resumed), collect_clear(&reversed);
    pm_map_axis_clear(&axes[0]);
    pm_map_axis_clear(&axes[1]);
}

/* the compare set: the JC comparison's exact and reduced values, and the
 * names follow the quantity tables */
static void test_compare_kind(void)
{
    pm_params p = test_params_with((const char *const[]){"eta", "S", "N"}, (const char *const[]){"0.25", "-0.05", "auto"}, 3);
    size_t nq = pm_map_quantity_count(PM_MAP_COMPARE, &p);
    CHECK(nq == 4 * PM_CMP_COUNT + 3);
    CHECK(!strcmp(pm_map_quantity_name(PM_MAP_COMPARE, &p, 0), "gamma_eff_exact"));
    CHECK(!strcmp(pm_map_quantity_unit(PM_MAP_COMPARE, &p, 0), "1/s"));
    CHECK(!strcmp(pm_map_quantity_name(PM_MAP_COMPARE, &p, nq - 1), "S_th"));
    double *v = calloc(nq, sizeof *v);
    REQUIRE(v);
    REQUIRE_OK(pm_map_point_values(PM_MAP_COMPARE, &p, NULL, v));
    pm_compare_point pt;
    pm_compare_options one_mode; /* the map's: one k = 1 eigenvalue (map.c) */
    pm_compare_options_default(&one_mode);
    one_mode.nev = 1;
    REQUIRE_OK(pm_compare_point_run(&p, &one_mode, &pt, NULL));
    CHECK(v[0] == pt.q[0].exact && v[1] == pt.q[0].reduced && v[nq - 3] == (double)pt.N && v[nq - 1] == pt.S_th);
    free(v);
    pm_params d = test_params_with((const char *const[]){"model"}, (const char *const[]){"dressed"}, 1);
    CHECK(pm_map_quantity_count(PM_MAP_COMPARE, &d) == (size_t)PM_CMP4_COUNT * PM_COL_COUNT + 5);
    CHECK(!strcmp(pm_map_quantity_name(PM_MAP_COMPARE, &d, 0), "n_mean_dressed"));
    pm_map_kind kind;
    CHECK(pm_map_kind_parse("compare", &kind) == PM_OK && kind == PM_MAP_COMPARE);
    CHECK(pm_map_kind_parse("spectra", &kind) == PM_EINVAL);
}

/* pm_map_results: NaN until computed, a failure keeps its message, a stopped
 * point is not recorded, every record reaches on_point; point indices. */
static size_t hook_calls;
static void count_record(void *user, size_t index, pm_status status, const double *values, const char *message)
{
    (void)user, (void)index, (void)status, (void)values, (void)message;
    hook_calls++;
}

static void test_results(void)
{
    pm_params base = test_params_with((const char *const[]){"eta", "N"}, (const char *const[]){"0.25", "auto"}, 2);
    pm_map_axis axes[2];
    REQUIRE_OK(pm_map_axis_parse("S=-0.05,0.01", &axes[0]));
    REQUIRE_OK(pm_map_axis_parse("delta=0,100,200", &axes[1]));
    size_t idx[2];
    pm_map_point_indices(2, axes, 5, idx);
    CHECK(idx[0] == 1 && idx[1] == 2);
    pm_map_results r;
    REQUIRE_OK(pm_map_results_init(&r, PM_MAP_STEADY, &base, 6, NULL));
    r.on_point = count_record;
    CHECK(isnan(r.values[0]) && isnan(r.status[5]) && r.messages[3] == NULL);
    pm_params p;
    REQUIRE_OK(pm_map_point_params(&base, 2, axes, 4, &p));
    CHECK_OK(pm_map_results_point(&r, 4, &p, PM_OK));
    CHECK(r.status[4] == 0 && r.values[4 * r.nq] > 0 && hook_calls == 1);
    /* the point's time is counted: CPU seconds of the thread, never more than its wall seconds */
    CHECK(r.busy_seconds > 0 && r.busy_cpu_seconds > 0 && r.busy_cpu_seconds <= 1.01 * r.busy_seconds + 1e-3);
    pm_map_results_record(&r, 2, PM_EINVAL, NULL, "bad point");
    CHECK(r.status[2] == PM_EINVAL && r.messages[2] && !strcmp(r.messages[2], "bad point") && hook_calls == 2);
    pm_map_results_record(&r, 1, PM_EINTERRUPT, NULL, "stopped");
    CHECK(isnan(r.status[1]) && r.messages[1] == NULL && hook_calls == 2);
    pm_map_results_clear(&r);
    pm_map_axis_clear(&axes[0]);
    pm_map_axis_clear(&axes[1]);
}

/* intensity_ratio, <I^2>/<I>^2 of the Wigner function: the statistic whose
 * pi/2 crossing compare --threshold calls the transition centre.  Thermal
 * (2 for a thermal state) far below, coherent (1) far above, and pi/2 at
 * the S_mid that pm_compare_transition_centre finds by bisection, so the
 * contour of a map over S is that transition line. */
static void test_intensity_ratio(void)
{
    pm_params base = test_params_with((const char *const[]){"eta", "N"}, (const char *const[]){"0.25", "auto"}, 2);
    double S_mid = NAN;
    pm_compare_options copts;
    pm_compare_options_default(&copts);
    REQUIRE_OK(pm_compare_transition_centre(&base, &copts, -1.0, 1.0, &S_mid, NULL));
    REQUIRE(isfinite(S_mid));
    pm_map_axis axis;
    char spec[96];
    snprintf(spec, sizeof spec, "S=-0.5,%.17g,1", S_mid);
    REQUIRE_OK(pm_map_axis_parse(spec, &axis));
    size_t nq = pm_map_quantity_count(PM_MAP_STEADY, &base), q_ratio = nq, q_n = nq, q_n2 = nq;
    for (size_t q = 0; q < nq; q++) {
        const char *name = pm_map_quantity_name(PM_MAP_STEADY, &base, q);
        if (!strcmp(name, "intensity_ratio")) q_ratio = q;
        if (!strcmp(name, "n_mean")) q_n = q;
        if (!strcmp(name, "n2_mean")) q_n2 = q;
    }
    REQUIRE(q_ratio < nq && q_n < nq && q_n2 < nq);
    double *v = calloc(3 * nq, sizeof *v);
    REQUIRE(v);
    for (size_t k = 0; k < 3; k++) {
        pm_params p;
        REQUIRE_OK(pm_map_point_params(&base, 1, &axis, k, &p));
        REQUIRE_OK(pm_map_point_values(PM_MAP_STEADY, &p, &copts, v + k * nq));
        const double *w = v + k * nq;
        CHECK(w[q_ratio] == pm_compare_intensity_ratio(w[q_n], w[q_n2]));
    }
    const double half_pi = 1.5707963267948966;
    CHECK(fabs(v[q_ratio] - 2) < 0.01);                       /* S = -0.5: nearly thermal (2 exactly) */
    CHECK(fabs(v[nq + q_ratio] - half_pi) < 1e-3);            /* S = S_mid */
    CHECK(v[2 * nq + q_ratio] > 1.0 && v[2 * nq + q_ratio] < 1.1); /* S = 1: nearly coherent */
    free(v);
    pm_map_axis_clear(&axis);
}

int main(void)
{
    test_intensity_ratio();
    test_results();
    test_axes();
    test_point_params();
    test_engine();
    test_compare_kind();
    return TEST_RESULT();
}
