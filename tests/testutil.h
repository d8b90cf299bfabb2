/* Minimal test helpers: each CHECK prints the failing expression and the
 * values, counts the failure, and the test returns test_failures != 0. */
#ifndef PM_TESTUTIL_H
#define PM_TESTUTIL_H

#include <complex.h>
#include <math.h>
#include <stdio.h>

static int test_failures = 0;

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

#define TEST_RESULT() (test_failures == 0 ? 0 : 1)

#endif
