/* Minimal test helpers: each CHECK prints the failing expression and the
 * values, counts the failure, and the test returns test_failures != 0.
 * CHECK goes on after a failure (the next checks still report); REQUIRE
 * and REQUIRE_OK also return from the calling (void) test function: use
 * them for preconditions (an allocation, a count, a file that opened) whose
 * failure would make the following lines read out of bounds or through
 * NULL. */
#ifndef PM_TESTUTIL_H
#define PM_TESTUTIL_H

#include <complex.h>
#include <math.h>
#include <stdio.h>

#include "phonomaser/model/model.h"

static int test_failures = 0;

/* The description (model.h) of the registry's model p->model with the
 * parameters *p, as a temporary for one call: pm_converge_auto(TEST_DESC(&p), ...). */
#define TEST_DESC(p) (&(pm_model_desc){.type = pm_model_type_get((p)->model), .params = *(p)})

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
            test_failures++;                                                           \
        }                                                                              \
    } while (0)

/* |a - b| <= tol * max(1, |b|)  (relative for |b| > 1, absolute below) */
#define CHECK_CLOSE(a, b, tol)                                                         \
    do {                                                                               \
        double check_a_ = (a), check_b_ = (b);                                         \
        double check_scale_ = fabs(check_b_) > 1.0 ? fabs(check_b_) : 1.0;             \
        if (!(fabs(check_a_ - check_b_) <= (tol) * check_scale_)) {                    \
            fprintf(stderr, "%s:%d: CHECK_CLOSE failed: %s = %.15g, %s = %.15g, tol %g\n", \
                    __FILE__, __LINE__, #a, check_a_, #b, check_b_, (double)(tol));    \
            test_failures++;                                                           \
        }                                                                              \
    } while (0)

/* relative: |a - b| <= tol * |b| */
#define CHECK_REL(a, b, tol)                                                           \
    do {                                                                               \
        double check_a_ = (a), check_b_ = (b);                                         \
        if (!(fabs(check_a_ - check_b_) <= (tol) * fabs(check_b_))) {                  \
            fprintf(stderr, "%s:%d: CHECK_REL failed: %s = %.15g, %s = %.15g, rel tol %g\n", \
                    __FILE__, __LINE__, #a, check_a_, #b, check_b_, (double)(tol));    \
            test_failures++;                                                           \
        }                                                                              \
    } while (0)

#define CHECK_OK(call)                                                                 \
    do {                                                                               \
        pm_status check_s_ = (call);                                                   \
        if (check_s_ != PM_OK) {                                                       \
            fprintf(stderr, "%s:%d: %s returned %d: %s\n", __FILE__, __LINE__, #call,  \
                    (int)check_s_, pm_error_message());                                \
            test_failures++;                                                           \
        }                                                                              \
    } while (0)

#define REQUIRE(cond)                                                                  \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: REQUIRE failed: %s (rest of %s skipped)\n", __FILE__, \
                    __LINE__, #cond, __func__);                                        \
            test_failures++;                                                           \
            return;                                                                    \
        }                                                                              \
    } while (0)

#define REQUIRE_OK(call)                                                               \
    do {                                                                               \
        pm_status require_s_ = (call);                                                 \
        if (require_s_ != PM_OK) {                                                     \
            fprintf(stderr, "%s:%d: %s returned %d: %s (rest of %s skipped)\n", __FILE__, \
                    __LINE__, #call, (int)require_s_, pm_error_message(), __func__);    \
            test_failures++;                                                           \
            return;                                                                    \
        }                                                                              \
    } while (0)

#define TEST_RESULT() (test_failures == 0 ? 0 : 1)

/* Table I parameters with keys[k] = values[k] set (k < n), derived. */
static inline pm_params test_params_with(const char *const *keys, const char *const *values, int n)
{
    pm_params p;
    pm_params_init(&p);
    for (int k = 0; k < n; k++) CHECK_OK(pm_params_set(&p, keys[k], values[k]));
    CHECK_OK(pm_params_derive(&p));
    return p;
}

/* The JC model of the Table I parameters at cutoff N. */
static inline pm_model *test_default_model(long N)
{
    pm_params params;
    pm_params_init(&params);
    params.N = N;
    pm_model *model = NULL;
    CHECK_OK(pm_params_derive(&params));
    CHECK_OK(pm_model_jc_alloc(&params, &model));
    return model;
}

#endif
