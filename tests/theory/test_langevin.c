/* Langevin simulation of Eq. (19) (langevin.h): the generator against the
 * reference xoshiro256**, normal deviates, reproducibility, and the
 * stationary statistics against the closed-form Fokker-Planck theory. */
#include <math.h>
#include <string.h>

#include "phonomaser/theory/langevin.h"
#include "phonomaser/theory/reduced.h"
#include "testutil.h"

static void test_generator(void)
{
    /* reference implementation (prng.di.unimi.it) from the state {1, 2, 3, 4} */
    pm_rng rng = {{1, 2, 3, 4}};
    const uint64_t expected[4] = {11520ULL, 0ULL, 1509978240ULL, 1215971899390074240ULL};
    for (int k = 0; k < 4; k++) CHECK(pm_rng_next(&rng) == expected[k]);

    /* uniform and normal moments, 5 sigma */
    pm_rng_seed(&rng, 42, 0);
    const int n = 1000000;
    double su = 0, sx = 0, sxx = 0, sxy = 0, umin = 1, umax = 0;
    for (int k = 0; k < n; k++) {
        double u = pm_rng_uniform(&rng), x, y;
        su += u;
        umin = fmin(umin, u), umax = fmax(umax, u);
        pm_rng_normal2(&rng, &x, &y);
        sx += x + y;
        sxx += x * x + y * y;
        sxy += x * y;
    }
    CHECK(umin > 0 && umax < 1);
    CHECK_CLOSE(su / n, 0.5, 5 * sqrt(1.0 / 12 / n));
    CHECK_CLOSE(sx / (2.0 * n), 0.0, 5 / sqrt(2.0 * n));
    CHECK_CLOSE(sxx / (2.0 * n), 1.0, 5 * sqrt(2.0 / (2.0 * n)));
    CHECK_CLOSE(sxy / n, 0.0, 5 / sqrt((double)n)); /* the pair is uncorrelated */

    /* streams differ, seeds reproduce */
    pm_rng a, b, c;
    pm_rng_seed(&a, 7, 0);
    pm_rng_seed(&b, 7, 1);
    pm_rng_seed(&c, 7, 0);
    uint64_t xa = pm_rng_next(&a), xb = pm_rng_next(&b), xc = pm_rng_next(&c);
    CHECK(xa != xb);
    CHECK(xa == xc);
}

/* Linear regime (n_sat ~ 1e9): Eq. (19) is an Ornstein-Uhlenbeck process
 * whose stationary <I> = D_W / |mu(0)| = n_ss + 1/2 (B92) and thermal
 * statistics g2 = 2. */
static void test_below_threshold(void)
{
    const char *keys[] = {"gamma_1", "gamma_2", "g", "gamma_m", "S", "n_th"};
    const char *values[] = {"4e6", "2e6", "44.72135955", "0.02", "0.3", "2"};
    pm_params p = test_params_with(keys, values, 6);
    pm_langevin_options opts;
    pm_langevin_options_default(&opts);
    opts.trajectories = 1000;
    pm_langevin_result r;
    CHECK_OK(pm_langevin_run(&p, &opts, NULL, &r));
    double n_ss = pm_reduced_n_ss(&p);
    /* statistical error plus the Euler-Maruyama bias, O(|mu| dt) = 0.5% */
    CHECK_CLOSE(r.n_stat, n_ss, 5 * r.n_stat_error + 0.01 * n_ss);
    CHECK_CLOSE(r.g2, 2.0, 5 * r.g2_error + 0.01);
    CHECK(r.n_stat_error > 0 && r.n_stat_error < 0.05 * n_ss);
    /* the initial thermal state has n_th = 2 */
    CHECK_CLOSE(r.n_mean[0], 2.0, 0.3);
    CHECK(r.samples > 10000);

    /* same seed: the same numbers; another seed: other numbers */
    pm_langevin_result again, other;
    CHECK_OK(pm_langevin_run(&p, &opts, NULL, &again));
    CHECK(again.n_stat == r.n_stat && again.g2 == r.g2);
    opts.seed = 2;
    CHECK_OK(pm_langevin_run(&p, &opts, NULL, &other));
    CHECK(other.n_stat != r.n_stat);
    CHECK_CLOSE(other.n_stat, r.n_stat, 5 * hypot(r.n_stat_error, other.n_stat_error));
    pm_langevin_result_clear(&again);
    pm_langevin_result_clear(&other);
    pm_langevin_result_clear(&r);
}

/* Above threshold (Table I operating point): the Langevin ring matches the
 * closed-form P_r of Eq. (20) (same D_W and mu), i.e. <n>_FP - 1/2 and its
 * g2, and <n>(t) grows from n_th to the plateau (Fig. 2b). */
static void test_operating_point(void)
{
    pm_params p;
    pm_params_init(&p);
    CHECK_OK(pm_params_derive(&p));
    pm_reduced_fp fp;
    CHECK_OK(pm_reduced_fp_solve(&p, &fp));
    pm_langevin_options opts;
    pm_langevin_options_default(&opts);
    pm_langevin_result r;
    CHECK_OK(pm_langevin_run(&p, &opts, NULL, &r));
    CHECK_CLOSE(r.n_stat, fp.n_mean - 0.5, 5 * r.n_stat_error + 0.01 * fp.n_mean);
    CHECK_CLOSE(r.g2, fp.g2_wigner, 5 * r.g2_error + 0.002);
    CHECK(r.n_mean[0] < 6);
    CHECK(r.n_mean[r.ntimes - 1] > 0.95 * pm_reduced_n_las(&p));
    pm_langevin_result_clear(&r);
}

static void test_errors(void)
{
    pm_params p;
    pm_params_init(&p);
    CHECK_OK(pm_params_derive(&p));
    pm_langevin_options opts;
    pm_langevin_result r;
    pm_langevin_options_default(&opts);
    opts.trajectories = 5;
    CHECK(pm_langevin_run(&p, &opts, NULL, &r) == PM_EINVAL);
    pm_langevin_options_default(&opts);
    opts.ntimes = 1;
    CHECK(pm_langevin_run(&p, &opts, NULL, &r) == PM_EINVAL);
    pm_langevin_options_default(&opts);
    opts.dt = -1;
    CHECK(pm_langevin_run(&p, &opts, NULL, &r) == PM_EINVAL);
    pm_langevin_options_default(&opts);
    opts.t_final = 1, opts.t_burn = 2;
    CHECK(pm_langevin_run(&p, &opts, NULL, &r) == PM_EINVAL);
    pm_langevin_options_default(&opts);
    pm_params q = p;
    q.gamma_m = 0;
    CHECK(pm_langevin_run(&q, &opts, NULL, &r) == PM_EINVAL);
    pm_stop_flag stop = 1;
    CHECK(pm_langevin_run(&p, &opts, &stop, &r) == PM_EINTERRUPT);
    pm_langevin_result_clear(&r);
}

int main(void)
{
    test_generator();
    test_below_threshold();
    test_operating_point();
    test_errors();
    return TEST_RESULT();
}
