/* Truncation convergence: the automatic ladder stops where both criteria
 * hold, and its answer agrees with a far larger cutoff; explicit ladders are
 * checked and recorded step by step. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phonomaser/drivers/converge.h"
#include "testutil.h"

static void test_ladders(void)
{
    /* above threshold with a few hundred phonons: eta = 0.25, S = 0.01 */
    pm_params p = test_params_with((const char *const[]){"eta", "S"}, (const char *const[]){"0.25", "0.01"}, 2);
    pm_converge_options opts;
    pm_converge_options_default(&opts);
    pm_converge_result automatic;
    REQUIRE_OK(pm_converge_auto(TEST_DESC(&p), &opts, &automatic));
    CHECK(automatic.converged);
    REQUIRE(automatic.nsteps >= 3); /* steps[nsteps - 2] below */
    const pm_converge_step *last = &automatic.steps[automatic.nsteps - 1];
    CHECK(last->N == automatic.chosen_N);
    CHECK(last->tail_population <= opts.tail_tol);
    CHECK(last->rel_change_n <= opts.rel_tol);
    for (size_t k = 1; k < automatic.nsteps; k++) CHECK(automatic.steps[k].N > automatic.steps[k - 1].N);
    CHECK(isnan(automatic.steps[0].rel_change_n));
    /* the step before the last did not meet both criteria (else it would have stopped) */
    const pm_converge_step *before = &automatic.steps[automatic.nsteps - 2];
    CHECK(before->tail_population > opts.tail_tol || !(before->rel_change_n <= opts.rel_tol));

    /* the chosen cutoff is converged: twice that N gives the same <n>, g2 */
    long ladder[2] = {automatic.chosen_N, 2 * automatic.chosen_N};
    pm_converge_result check;
    REQUIRE_OK(pm_converge_ladder(TEST_DESC(&p), 2, ladder, &opts, &check));
    REQUIRE(check.nsteps == 2);
    CHECK(check.steps[1].N == 2 * automatic.chosen_N);
    CHECK_REL(check.steps[1].n_mean, last->n_mean, 1e-8);
    CHECK_REL(check.steps[1].g2, last->g2, 1e-8);
    CHECK(check.steps[1].rel_change_n < 1e-10);
    CHECK_REL(check.final.obs.n_mean, check.steps[1].n_mean, 1e-15); /* the final state is the last N */
    pm_converge_result_clear(&check);
    pm_converge_result_clear(&automatic);

    /* a truncating ladder is recorded as not converged */
    long small[2] = {10, 20};
    REQUIRE_OK(pm_converge_ladder(TEST_DESC(&p), 2, small, &opts, &check));
    REQUIRE(check.nsteps == 2);
    CHECK(!check.converged && check.steps[1].tail_population > opts.tail_tol);
    pm_converge_result_clear(&check);

    /* rejected ladders and tolerances */
    long decreasing[2] = {40, 30}, too_small[1] = {1};
    CHECK(pm_converge_ladder(TEST_DESC(&p), 2, decreasing, &opts, &check) == PM_EINVAL);
    CHECK(strstr(pm_error_message(), "increasing") != NULL);
    pm_converge_result_clear(&check);
    CHECK(pm_converge_ladder(TEST_DESC(&p), 1, too_small, &opts, &check) == PM_EINVAL);
    pm_converge_result_clear(&check);
    opts.tail_tol = 0;
    CHECK(pm_converge_auto(TEST_DESC(&p), &opts, &check) == PM_EINVAL);
    pm_converge_result_clear(&check);
}

/* The progress reports of a search (converge.h): one per solved cutoff,
 * fractions never decreasing, 1 once converged, the detail naming the N. */
typedef struct progress_log {
    int reports, finals;
    double fractions[64];
    char last_detail[160];
} progress_log;

static void record_progress(void *user, double fraction, const char *detail, int done)
{
    progress_log *log = user;
    if (done) {
        log->finals++;
        return;
    }
    if (log->reports < 64) log->fractions[log->reports] = fraction;
    log->reports++;
    snprintf(log->last_detail, sizeof log->last_detail, "%s", detail ? detail : "");
}

static void test_progress(void)
{
    pm_params p = test_params_with((const char *const[]){"eta", "S"}, (const char *const[]){"0.25", "0.01"}, 2);
    pm_converge_options opts;
    pm_converge_options_default(&opts);
    progress_log log = {0};
    opts.progress = record_progress;
    opts.progress_user = &log;
    pm_converge_result automatic;
    REQUIRE_OK(pm_converge_auto(TEST_DESC(&p), &opts, &automatic));
    CHECK(automatic.converged);
    CHECK(log.reports == (int)automatic.nsteps && log.finals == 1);
    for (int k = 1; k < log.reports && k < 64; k++) CHECK(log.fractions[k] >= log.fractions[k - 1]);
    CHECK(log.fractions[0] < 0.5); /* the first cutoff has nothing to compare <n> with */
    CHECK(log.reports <= 64 && log.fractions[log.reports - 1] == 1.0);
    char expect[32];
    snprintf(expect, sizeof expect, "N = %ld:", automatic.chosen_N);
    CHECK(strstr(log.last_detail, expect) != NULL);
    pm_converge_result_clear(&automatic);

    /* a given ladder: the share of its cutoffs */
    memset(&log, 0, sizeof log);
    long ladder[4] = {20, 40, 60, 80};
    pm_converge_result fixed;
    REQUIRE_OK(pm_converge_ladder(TEST_DESC(&p), 4, ladder, &opts, &fixed));
    CHECK(log.reports == 4 && log.finals == 1);
    for (int k = 0; k < 4; k++) CHECK_REL(log.fractions[k], (k + 1) / 4.0, 1e-15);
    pm_converge_result_clear(&fixed);
}

int main(void)
{
    test_ladders();
    test_progress();
    return TEST_RESULT();
}
