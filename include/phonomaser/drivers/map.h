/* Parameter maps: a grid over one or two input keys of any model, with a
 * per-point computation that has scalar results (the steady state and its
 * observables, or the comparison with the reduced theory), run on threads
 * with dynamic load balancing (points differ in cost by 100x between below
 * and above threshold), a callback per finished point (a C caller writes
 * its results as they come; `phonomaser map` appends them to a journal and
 * so can resume), and a scheduler hook through which the command line
 * spreads the points over MPI ranks (src/cli/map_mpi.c).
 *
 * Points are numbered with the first axis slowest: index = i0 * n1 + i1
 * (n1 = 1 for a one-axis map).  A point is computed from its parameters
 * alone (N = auto and K = auto as configured), so a map is the same whatever
 * thread or rank computes which point, and a resumed map equals an
 * uninterrupted one. */
#ifndef PHONOMASER_MAP_H
#define PHONOMASER_MAP_H

#include <stddef.h>

#include "phonomaser/core/error.h"
#include "phonomaser/core/params.h"
#include "phonomaser/core/progress.h"
#include "phonomaser/drivers/compare.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PM_MAP_MAX_AXES 2
#define PM_MAP_MAX_POINTS 10000000

/* One axis: an input key and its values. */
typedef struct pm_map_axis {
    char key[32];
    size_t count;
    double *values;  /* owned (pm_map_axis_clear) */
    char *spec;      /* the specification it was parsed from, for records (owned; NULL: none) */
} pm_map_axis;

/* "KEY=START:STOP:COUNT" (linear, both ends included; COUNT >= 1, COUNT = 1
 * needs START = STOP), "KEY=log:START:STOP:COUNT" (geometric, START and STOP
 * of one sign, nonzero) or "KEY=v1,v2,..." (at most PM_SWEEP_MAX values).
 * KEY is any numeric input key (params.h) except model, N and K; every
 * value must be valid for KEY (checked here, against the key's range). */
pm_status pm_map_axis_parse(const char *spec, pm_map_axis *out);
void pm_map_axis_clear(pm_map_axis *axis);

/* Number of points of the grid (the product of the counts). */
size_t pm_map_point_count(size_t naxes, const pm_map_axis *axes);

/* The position of point `index` on each axis: idx[a] (first axis slowest). */
void pm_map_point_indices(size_t naxes, const pm_map_axis *axes, size_t index, size_t *idx);

/* `base` with `key` set to `value` through the key API (a value given by an
 * alternative key, g for eta or T for n_th, is replaced), derived again. */
pm_status pm_map_apply(const pm_params *base, const char *key, double value, pm_params *out);
/* The parameters of point `index`. */
pm_status pm_map_point_params(const pm_params *base, size_t naxes, const pm_map_axis *axes, size_t index,
                              pm_params *out);

/* ---- the engine ---------------------------------------------------------------- */

/* Computes point `index` from its parameters (applied: the status of
 * pm_map_point_params; PM_EINTERRUPT for a point not run because the stop
 * flag was set) and records its result; returns the point's status. */
typedef pm_status (*pm_map_point_fn)(void *user, size_t index, const pm_params *params, pm_status applied);
/* A scheduler: stores the next point to compute in *index and returns 1, or
 * returns 0 when there are none left.  Called from the worker threads, one
 * at a time (the engine holds a lock). */
typedef int (*pm_map_next_fn)(void *user, size_t *index);

typedef struct pm_map_run_options {
    int threads;                 /* 0: the number of cores */
    const pm_stop_flag *stop;    /* set: no new point starts (PM_EINTERRUPT); may be NULL */
    pm_progress_fn progress;     /* progress of the points, NULL: none */
    void *progress_user;
    const unsigned char *skip;   /* skip[index] != 0: not computed (done before; resume); may be NULL */
    pm_map_next_fn next;         /* NULL: every point not skipped, in order; else the points it gives */
    void *next_user;
    const char *label;           /* what a point is called in messages ("sweep point"); NULL: "point" */
} pm_map_run_options;

void pm_map_run_options_default(pm_map_run_options *opts);

/* Run `run` on the points (opts->next, or all not skipped) on opts->threads
 * threads.  Returns PM_OK if every point run succeeded, else the status of
 * the first failed point with a message naming it and its key values;
 * PM_EINTERRUPT when the stop flag was set.  *completed (may be NULL): the
 * points that succeeded. */
pm_status pm_map_run(const pm_params *base, size_t naxes, const pm_map_axis *axes, const pm_map_run_options *opts,
                     pm_map_point_fn run, void *user, size_t *completed);

/* ---- what a point computes ------------------------------------------------------- */

typedef enum {
    PM_MAP_STEADY,   /* the steady state (pm_converge_run): observables, cutoffs, health */
    PM_MAP_COMPARE,  /* exact vs reduced: compare.h for the JC model, the four-way
                        comparison (compare_models.h) for a model with an RWA reference */
    PM_MAP_KIND_COUNT
} pm_map_kind;

const char *pm_map_kind_name(pm_map_kind kind); /* "steady", "compare" */
pm_status pm_map_kind_parse(const char *name, pm_map_kind *out);

/* The scalar results of a point of `kind` for the model of `params`: their
 * number, names (as on stdout: n_mean, g2, ...) and units.  The list depends
 * only on the kind and the model type, not on the values. */
size_t pm_map_quantity_count(pm_map_kind kind, const pm_params *params);
const char *pm_map_quantity_name(pm_map_kind kind, const pm_params *params, size_t q);
const char *pm_map_quantity_unit(pm_map_kind kind, const pm_params *params, size_t q);

/* Compute the point: values[pm_map_quantity_count] (NaN where a quantity does
 * not exist at the point, e.g. K for a model without coupled sectors).  The
 * options' converge part sets the cutoff search; their threads are not used
 * (one point runs on one thread), nor their nev: a JC compare point computes
 * the one k = 1 eigenvalue its quantities use. */
pm_status pm_map_point_values(pm_map_kind kind, const pm_params *params, const pm_compare_options *opts,
                              double *values);

/* ---- the results of a map ------------------------------------------------------------ */

/* Where a map's results go: values[index * nq + q] (NaN until computed) and
 * status[index] (0 ok, the status code of a failed point, NaN not computed)
 * with the failed points' messages.  pm_map_results_point is a
 * pm_map_point_fn that computes the point (pm_map_point_values) and records
 * it; a result computed elsewhere (another MPI rank) is recorded with
 * pm_map_results_record.  Each record is then passed to on_point (may be
 * NULL; called under the results' lock, in completion order): a caller
 * journals it there, or sends it on.  busy_seconds and busy_cpu_seconds sum,
 * over the points pm_map_results_point computed in this process (all its
 * threads), the wall and the CPU seconds of each point: with the map's wall
 * time they give the workers' idle fraction, 1 - busy / (workers x wall). */
typedef void (*pm_map_record_fn)(void *user, size_t index, pm_status status, const double *values,
                                 const char *message);
typedef struct pm_map_results {
    pm_map_kind kind;
    const pm_compare_options *opts; /* for pm_map_point_values (may be NULL: the defaults) */
    size_t npoints, nq;
    double *values, *status;
    char **messages;                /* NULL or the message of a failed point */
    pm_map_record_fn on_point;
    void *on_point_user;
    double busy_seconds;            /* wall seconds inside pm_map_results_point's points */
    double busy_cpu_seconds;        /* their CPU seconds (the computing threads') */
    void *lock;                     /* internal */
} pm_map_results;

pm_status pm_map_results_init(pm_map_results *results, pm_map_kind kind, const pm_params *base, size_t npoints,
                              const pm_compare_options *opts);
void pm_map_results_clear(pm_map_results *results);
pm_status pm_map_results_point(void *results, size_t index, const pm_params *params, pm_status applied);
/* PM_EINTERRUPT (a point stopped before its end) is not recorded. */
void pm_map_results_record(pm_map_results *results, size_t index, pm_status status, const double *values,
                           const char *message);

#ifdef __cplusplus
}
#endif

#endif
