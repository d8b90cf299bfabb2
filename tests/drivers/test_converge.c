/* Truncation convergence: the automatic ladder stops where both criteria
 * hold, and its answer agrees with a far larger cutoff; explicit ladders are
 * checked and recorded step by step. */
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

int main(void)
{
    test_ladders();
    return TEST_RESULT();
}
