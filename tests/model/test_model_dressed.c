/* The dressed model of Eq. (5) (model_dressed.c) on coupled sectors:
 * the sector structure the library derives, K-truncated blocks against the
 * full Liouvillian, K convergence, parity, the JC limit, health of the state. */
#include <complex.h>
#include <math.h>
#include <string.h>

#include "phonomaser/drivers/compare_models.h"
#include "phonomaser/drivers/converge.h"
#include "phonomaser/model/model.h"
#include "phonomaser/phase_space/wigner.h"
#include "phonomaser/drivers/solve.h"
#include "model/model_terms.h"
#include "testutil.h"

/* a failed precondition ends the test function (testutil.h may define these) */
#ifndef REQUIRE
#define REQUIRE(cond)                                                                  \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #cond); \
            test_failures++;                                                           \
            return;                                                                    \
        }                                                                              \
    } while (0)
#endif
#ifndef REQUIRE_OK
#define REQUIRE_OK(call)                                                                        \
    do {                                                                                        \
        pm_status require_status_ = (call);                                                     \
        if (require_status_ != PM_OK) {                                                         \
            fprintf(stderr, "%s:%d: %s returned %d: %s\n", __FILE__, __LINE__, #call,           \
                    (int)require_status_, pm_error_message());                                  \
            test_failures++;                                                                    \
            return;                                                                             \
        }                                                                                       \
    } while (0)
#endif

/* Small-N parameters where the counter-rotating terms matter: low Q keeps
 * <n> ~ 6 at N = 30 (P(N-1) ~ 1e-3: the comparisons below are between
 * solvers at the same N, not with the untruncated model). */
static pm_params small_params(const char *theta, const char *K, long N)
{
    const char *keys[] = {"model", "Q", "eta", "n_th", "theta", "K"};
    const char *values[] = {"dressed", "100", "0.3", "0.5", theta, K};
    pm_params p = test_params_with(keys, values, 6);
    p.N = N;
    return p;
}

static pm_model *model_of(const pm_params *p)
{
    pm_model *model = NULL;
    CHECK_OK(pm_model_alloc(p, &model));
    return model;
}

static void steady(const pm_params *p, pm_path path, pm_steady_result *out)
{
    pm_model *model = model_of(p);
    pm_steady_options opts;
    pm_steady_options_default(&opts);
    REQUIRE_OK(pm_steadystate(model, path, &opts, out));
    pm_model_free(model);
}

static void test_sector_step(void)
{
    pm_params p = small_params("1.5707963267948966", "4", 10);
    pm_model *model = model_of(&p);
    CHECK(model->sector_step == 2 && pm_model_coupled(model)); /* parity */
    pm_model_free(model);
    p = small_params("1.0", "4", 10);
    model = model_of(&p);
    CHECK(model->sector_step == 1); /* the longitudinal term moves e by 1 */
    pm_model_free(model);
    pm_params jc;
    pm_params_init(&jc);
    jc.N = 10;
    model = model_of(&jc);
    CHECK(model->sector_step == 0 && !pm_model_coupled(model));
    pm_model_free(model);
    CHECK_OK(pm_params_set(&jc, "drive", "3"));
    CHECK_OK(pm_params_derive(&jc));
    model = model_of(&jc);
    CHECK(model->sector_step == 1 && !pm_model_coupled(model)); /* runs on the full path */
    pm_model_free(model);
}

/* The model types' frame and reference: the dressed model's RWA reference is
 * the JC model, which takes neither theta nor K (so a validated reference
 * keeps no key of the dressed model); the JC model has none. */
static void test_rwa_reference(void)
{
    pm_params p = small_params("1.0", "4", 10), jc;
    const pm_model_type *dressed = pm_model_type_get(p.model);
    REQUIRE(dressed && dressed->lab_frame && dressed->rwa_model == PM_MODEL_JC);
    CHECK(cimag(pm_model_type_amplitude_shift(dressed, &p)) == -p.omega_m);
    REQUIRE_OK(pm_model_rwa_params(&p, &jc));
    CHECK(jc.model == PM_MODEL_JC && jc.g == p.g && jc.S == p.S && jc.delta == p.delta);
    CHECK(!(jc.set_mask & (1u << PM_KEY_THETA)) && !(jc.set_mask & (1u << PM_KEY_K)));
    CHECK(p.set_mask & (1u << PM_KEY_THETA));
    CHECK(pm_model_type_amplitude_shift(pm_model_type_get(jc.model), &jc) == 0);
    pm_params again;
    CHECK(pm_model_rwa_params(&jc, &again) == PM_EINVAL);
    CHECK(pm_model_type_get(PM_MODEL_COUNT) == NULL && pm_model_type_get(-1) == NULL);
}

/* K >= N + 1 keeps every element: the coupled block is the full Liouvillian
 * in another order, so both solves give the same state. */
static void test_untruncated_equals_full(const char *theta)
{
    const long N = 14;
    pm_params p = small_params(theta, "30", N);
    pm_steady_result coupled, full;
    steady(&p, PM_PATH_SECTOR, &coupled);
    steady(&p, PM_PATH_FULL, &full);
    REQUIRE(coupled.block->sector == PM_SECTOR_COUPLED && full.block->sector == PM_SECTOR_FULL);
    double worst = 0;
    for (int64_t i = 0; i < 2 * N; i++)
        for (int64_t j = 0; j < 2 * N; j++) {
            double e = cabs(pm_state_element(coupled.state, i, j) - pm_state_element(full.state, i, j));
            if (e > worst) worst = e;
        }
    printf("theta = %s: max |rho_coupled - rho_full| = %.3g, <n> = %.12g\n", theta, worst, full.obs.n_mean);
    CHECK(worst < 1e-12);
    CHECK_REL(coupled.obs.n_mean, full.obs.n_mean, 1e-12);
    CHECK_CLOSE(creal(coupled.obs.a2_mean), creal(full.obs.a2_mean), 1e-13);
    CHECK_CLOSE(cimag(coupled.obs.a2_mean), cimag(full.obs.a2_mean), 1e-13);
    /* health: trace, hermiticity, positivity (banded zhbev vs dense zheev) */
    CHECK_CLOSE(coupled.obs.trace, 1.0, 1e-13);
    CHECK(coupled.obs.hermiticity_error < 1e-14);
    CHECK(coupled.obs.min_eigenvalue > -1e-14);
    CHECK_CLOSE(coupled.obs.min_eigenvalue, full.obs.min_eigenvalue, 1e-13);
    CHECK(coupled.info.residual < 1e-10);
    /* the closed-form number balance d<n>/dt = 0 (model_dressed.c) holds ... */
    printf("  number balance %.3g (coupled), %.3g (full)\n", coupled.number_balance, full.number_balance);
    CHECK(coupled.number_balance < 1e-10 && full.number_balance < 1e-10);
    /* ... and fails for the state of another coupling */
    pm_model *other = NULL;
    pm_params q = p;
    q.g *= 1.1;
    REQUIRE_OK(pm_model_alloc(&q, &other));
    double wrong = pm_model_number_balance(other, coupled.state);
    printf("  with g 10%% off: %.3g\n", wrong);
    CHECK(wrong > 1e-3);
    pm_model_free(other);
    pm_steady_result_clear(&coupled);
    pm_steady_result_clear(&full);
}

/* K convergence: the error of <n> falls with K, and with the coherence tail;
 * at theta = pi/2 only even sectors exist (parity), so <a> = 0 and <a^2> != 0. */
static void test_k_convergence(void)
{
    const long N = 30;
    pm_params p = small_params("1.5707963267948966", "40", N);
    pm_steady_result exact;
    steady(&p, PM_PATH_SECTOR, &exact);
    CHECK(cabs(exact.obs.a_mean) == 0);
    CHECK(cabs(exact.obs.a2_mean) > 1e-3);
    for (int64_t k = 1; k <= exact.obs.max_sector; k += 2) CHECK(exact.obs.sector_norm[exact.obs.max_sector + k] == 0);
    double previous_error = INFINITY, previous_tail = INFINITY;
    const long ladder[] = {2, 4, 6, 8, 12};
    for (size_t m = 0; m < sizeof ladder / sizeof ladder[0]; m++) {
        p.K = ladder[m];
        pm_steady_result cut;
        steady(&p, PM_PATH_SECTOR, &cut);
        double error = fabs(cut.obs.n_mean - exact.obs.n_mean) / exact.obs.n_mean;
        printf("K = %2ld: rel. error of <n> %.3g, coherence tail %.3g\n", ladder[m], error, cut.obs.coherence_tail);
        CHECK(error < previous_error && cut.obs.coherence_tail < previous_tail);
        CHECK(error < 1e3 * cut.obs.coherence_tail * cut.obs.coherence_tail + 1e-13);
        CHECK(cut.obs.min_eigenvalue > -1e-6);
        previous_error = error;
        previous_tail = cut.obs.coherence_tail;
        pm_steady_result_clear(&cut);
    }
    CHECK(previous_error < 1e-8);
    pm_steady_result_clear(&exact);
}

/* The dressed model without the counter-rotating and longitudinal terms is
 * the JC model in the lab frame: its k = 0 state equals the JC steady state
 * (the frame rotating at omega_m changes only phases of k != 0). */
static pm_status lab_frame_jc_build(const pm_params *params, pm_model *model)
{
    pm_hamiltonian_terms terms;
    pm_hamiltonian_terms_init(&terms, model->N);
    pm_hamiltonian_terms_add(&terms, params->omega_m, PM_OP_NUM, PM_OP_IDENTITY);
    pm_hamiltonian_terms_add(&terms, (params->omega_m + params->delta) / 2, PM_OP_SIGMA_Z, PM_OP_IDENTITY);
    pm_hamiltonian_terms_add(&terms, params->g, PM_OP_A, PM_OP_SIGMA_P);
    pm_hamiltonian_terms_add(&terms, params->g, PM_OP_ADAG, PM_OP_SIGMA_M);
    pm_status s = pm_hamiltonian_terms_finish(&terms, &model->H);
    if (s == PM_OK) s = pm_model_add_paper_dissipators(model, params);
    return s;
}

static void test_jc_limit(void)
{
    const long N = 24;
    pm_params p = small_params("1.5707963267948966", "6", N);
    p.delta = -150;
    pm_model *lab = model_of(&p);
    pm_sparse_free(lab->H);
    for (size_t m = 0; m < lab->njump; m++) pm_sparse_free(lab->jump_ops[m]);
    lab->njump = 0;
    REQUIRE_OK(lab_frame_jc_build(&p, lab));
    REQUIRE_OK(pm_liouvillian_sector_step(lab->H, lab->njump, lab->jumps, lab->charge, &lab->sector_step));
    CHECK(lab->sector_step == 0); /* no counter-rotating terms: sectors decouple */
    pm_params jc = p;
    jc.model = PM_MODEL_JC;
    pm_model *rot = NULL;
    REQUIRE_OK(pm_model_jc_alloc(&jc, &rot));
    pm_steady_options opts;
    pm_steady_options_default(&opts);
    pm_steady_result a, b;
    REQUIRE_OK(pm_steadystate(lab, PM_PATH_SECTOR, &opts, &a));
    REQUIRE_OK(pm_steadystate(rot, PM_PATH_SECTOR, &opts, &b));
    CHECK_REL(a.obs.n_mean, b.obs.n_mean, 1e-11);
    CHECK_REL(a.obs.n2_mean, b.obs.n2_mean, 1e-11);
    CHECK_CLOSE(a.obs.sz_mean, b.obs.sz_mean, 1e-12);
    CHECK(b.number_balance < 1e-10); /* the JC model's closed form (model_jc.c) */
    /* and the dressed model differs from it visibly here */
    pm_steady_result dressed;
    steady(&p, PM_PATH_SECTOR, &dressed);
    printf("JC limit: <n> JC %.10g, lab-frame JC %.10g, dressed %.10g\n", b.obs.n_mean, a.obs.n_mean,
           dressed.obs.n_mean);
    CHECK(fabs(dressed.obs.n_mean - b.obs.n_mean) > 1e-2 * b.obs.n_mean);
    pm_steady_result_clear(&a);
    pm_steady_result_clear(&b);
    pm_steady_result_clear(&dressed);
    pm_model_free(lab);
    pm_model_free(rot);
}

/* K = auto through the convergence driver: the chosen K meets the tail
 * tolerance and agrees with a run at a much larger K. */
static void test_k_auto(void)
{
    pm_params p = small_params("1.0", "auto", 30);
    pm_converge_options copts;
    pm_converge_options_default(&copts);
    long N = 30;
    pm_converge_result ladder;
    REQUIRE_OK(pm_converge_ladder(TEST_DESC(&p), 1, &N, &copts, &ladder));
    const pm_converge_step *last = &ladder.steps[ladder.nsteps - 1];
    CHECK(ladder.chosen_K == last->K && last->K > copts.k_start && last->coherence_tail <= copts.k_tail_tol);
    p.K = 40;
    pm_steady_result exact;
    steady(&p, PM_PATH_SECTOR, &exact);
    printf("K = auto: K = %ld, <n> = %.12g, K = 40: %.12g\n", ladder.chosen_K, last->n_mean, exact.obs.n_mean);
    CHECK_REL(last->n_mean, exact.obs.n_mean, 1e-9);
    pm_steady_result_clear(&exact);
    pm_converge_result_clear(&ladder);
}

/* Where the elimination is controlled (eta = 0.02, n << n_sat, below both
 * thresholds) the beyond-RWA n_ss matches the exact dressed model to 1 %
 * and the RWA formula (B92) visibly fails. */
static void test_beyond_rwa_controlled(void)
{
    const struct {
        const char *S, *theta, *delta;
    } points[] = {{"-0.2", "1.5707963267948966", "0"}, {"0.0", "1.0", "0"}, {"-0.5", "1.2", "300"}};
    for (size_t k = 0; k < sizeof points / sizeof points[0]; k++) {
        const char *keys[] = {"model", "eta", "S", "theta", "delta", "N"};
        const char *values[] = {"dressed", "0.02", points[k].S, points[k].theta, points[k].delta, "auto"};
        pm_params p = test_params_with(keys, values, 6);
        pm_compare_options opts;
        pm_compare_options_default(&opts);
        opts.converge.path = PM_PATH_AUTO;
        pm_compare4_point pt;
        REQUIRE_OK(pm_compare4_point_run(&p, &opts, &pt));
        double brwa = pt.rel_dev[PM_CMP4_N_MEAN][PM_COL_REDUCED_BEYOND_RWA];
        double rwa = pt.rel_dev[PM_CMP4_N_MEAN][PM_COL_REDUCED_RWA];
        printf("eta = 0.02, S = %s, theta = %s, delta = %s: <n> dressed %.6g (N = %ld, K = %ld), beyond-RWA %.6g "
               "(%+.2e), RWA %.6g (%+.2e)\n", points[k].S, points[k].theta, points[k].delta,
               pt.value[PM_CMP4_N_MEAN][PM_COL_DRESSED], pt.N_dressed, pt.K_dressed,
               pt.value[PM_CMP4_N_MEAN][PM_COL_REDUCED_BEYOND_RWA], brwa,
               pt.value[PM_CMP4_N_MEAN][PM_COL_REDUCED_RWA], rwa);
        CHECK(pt.converged_dressed && pt.converged_jc);
        CHECK(fabs(brwa) < 1e-2);
        CHECK(fabs(rwa) > 0.1);
        /* the damping of the slowest amplitude mode (Eq. 12 and its beyond-RWA form) */
        double g_brwa = pt.rel_dev[PM_CMP4_GAMMA_EFF][PM_COL_REDUCED_BEYOND_RWA];
        double g_rwa = pt.rel_dev[PM_CMP4_GAMMA_EFF][PM_COL_REDUCED_RWA];
        printf("  gamma_eff dressed %.6g, beyond-RWA %+.2e, RWA %+.2e\n", pt.value[PM_CMP4_GAMMA_EFF][PM_COL_DRESSED],
               g_brwa, g_rwa);
        CHECK(fabs(g_brwa) < 1e-2);
        if (p.S != 0) CHECK(fabs(g_rwa) > 0.05); /* at S = 0 both give gamma_m */
        /* and the exact JC mode matches the RWA formula there */
        CHECK(fabs(pt.value[PM_CMP4_GAMMA_EFF][PM_COL_JC] / pt.value[PM_CMP4_GAMMA_EFF][PM_COL_REDUCED_RWA] - 1) < 1e-2);
    }
}

/* Identical points of a parallel sweep give bit-identical results: every
 * library under the solvers must be thread-safe (Debian's serial OpenBLAS is
 * not: it gave <n> 6e-6 apart at these cutoffs). */
static void test_parallel_determinism(void)
{
    const char *keys[] = {"model", "N", "K"};
    const char *values[] = {"dressed", "600", "14"};
    pm_params p = test_params_with(keys, values, 3);
    pm_compare_options opts;
    pm_compare_options_default(&opts);
    opts.converge.path = PM_PATH_AUTO;
    opts.threads = 2;
    enum { COUNT = 6 };
    double S[COUNT] = {0.05, 0.05, 0.05, 0.05, 0.05, 0.05};
    pm_compare4_point points[COUNT];
    REQUIRE_OK(pm_compare4_sweep(&p, PM_SWEEP_S, COUNT, S, &opts, points, NULL));
    for (int k = 1; k < COUNT; k++)
        for (int q = 0; q < PM_CMP4_COUNT; q++)
            for (int c = 0; c < PM_COL_COUNT; c++)
                if (memcmp(&points[k].value[q][c], &points[0].value[q][c], sizeof(double)) != 0) {
                    fprintf(stderr, "point %d: %s/%s = %.17g differs from point 0: %.17g\n", k,
                            pm_compare4_quantity_name(q), pm_compare4_column_name(c), points[k].value[q][c],
                            points[0].value[q][c]);
                    test_failures++;
                }
}

/* The Wigner function of a dressed state on coupled sectors equals that of
 * the same state solved on the full Liouvillian (every diagonal), takes the
 * general path (<a^2> != 0: not phase invariant) and integrates to 1. */
static void test_wigner_of_coupled_state(void)
{
    const long N = 14;
    pm_params p = small_params("1.0", "30", N);
    pm_steady_result coupled, full;
    steady(&p, PM_PATH_SECTOR, &coupled);
    steady(&p, PM_PATH_FULL, &full);
    enum { M = 91 };
    double z[M];
    for (int k = 0; k < M; k++) z[k] = -9.0 + 18.0 * k / (M - 1);
    double W1[M * M], W2[M * M];
    pm_wigner_path path1, path2;
    REQUIRE_OK(pm_wigner_grid(coupled.state, M, z, M, z, W1, &path1));
    REQUIRE_OK(pm_wigner_grid(full.state, M, z, M, z, W2, &path2));
    CHECK(path1 == PM_WIGNER_GENERAL && path2 == PM_WIGNER_GENERAL);
    double worst = 0, integral = 0, h = z[1] - z[0];
    for (int q = 0; q < M * M; q++) {
        if (fabs(W1[q] - W2[q]) > worst) worst = fabs(W1[q] - W2[q]);
        integral += W1[q] * h * h;
    }
    printf("Wigner of the coupled state: max |W - W_full| = %.3g, integral %.12f\n", worst, integral);
    CHECK(worst < 1e-13);
    CHECK_CLOSE(integral, 1.0, 1e-6);
    pm_steady_result_clear(&coupled);
    pm_steady_result_clear(&full);
}

/* The lab-frame evolution on coupled sectors converges with the CVODE
 * tolerances (issue 11: within 1e-6 of a run at tighter tolerances).  Table I
 * rates at N = 30, K = 6, from thermal(0.5) (x) uncoupled spin over 0-0.05 s
 * (15 periods of the fastest phase K omega_m), at the default rtol, atol and
 * 100 times looser and tighter, each against a run at rtol = 1e-12,
 * atol = 1e-14: the largest |<n>(t) - <n>_ref(t)| must shrink with the
 * tolerances and be below 1e-6 at the defaults. */
static void test_evolution_tolerance(void)
{
    const char *keys[] = {"model", "n_th", "K"};
    const char *values[] = {"dressed", "0.5", "6"};
    pm_params p = test_params_with(keys, values, 3);
    p.N = 30;
    pm_model *model = model_of(&p);
    REQUIRE(model);
    pm_initial init;
    pm_initial_default(&p, PM_INITIAL_THERMAL, &init);
    enum { NTIMES = 11, RUNS = 4 };
    double times[NTIMES];
    for (int k = 0; k < NTIMES; k++) times[k] = 0.005 * k;
    pm_mesolve_options defaults;
    pm_mesolve_options_default(&defaults);
    const double rtol = defaults.evolve.rtol, atol = defaults.evolve.atol;
    /* the reference first, then looser, default, tighter */
    const double tolerance[RUNS][2] = {{1e-12, 1e-14}, {100 * rtol, 100 * atol}, {rtol, atol}, {rtol / 100, atol / 100}};
    double n_mean[RUNS][NTIMES], deviation[RUNS] = {0};
    for (int m = 0; m < RUNS; m++) {
        pm_mesolve_options mo = defaults;
        mo.evolve.rtol = tolerance[m][0];
        mo.evolve.atol = tolerance[m][1];
        pm_mesolve_result r;
        pm_status s = pm_mesolve(model, &init, NTIMES, times, &mo, &r);
        if (s != PM_OK || r.series.ntimes != NTIMES) {
            CHECK_OK(s);
            CHECK(r.series.ntimes == NTIMES);
            pm_mesolve_result_clear(&r);
            pm_model_free(model);
            return;
        }
        CHECK(r.path == PM_PATH_SECTOR && r.blocks[0]->sector == PM_SECTOR_COUPLED);
        for (int k = 0; k < NTIMES; k++) {
            n_mean[m][k] = r.series.n_mean[k];
            deviation[m] = fmax(deviation[m], fabs(n_mean[m][k] - n_mean[0][k]));
        }
        printf("evolution at rtol = %.0e, atol = %.0e: %ld steps, <n>(0.05 s) = %.12f, max |<n> - <n>_ref| = %.2g\n",
               tolerance[m][0], tolerance[m][1], r.info.steps, n_mean[m][NTIMES - 1], deviation[m]);
        pm_mesolve_result_clear(&r);
    }
    pm_model_free(model);
    CHECK(n_mean[0][NTIMES - 1] > 1.05 * n_mean[0][0]); /* <n> moves: the comparison means something */
    CHECK(deviation[1] > deviation[2] && deviation[2] > deviation[3]);
    CHECK(deviation[2] < 1e-6);
}

int main(void)
{
    test_wigner_of_coupled_state();
    test_parallel_determinism();
    test_beyond_rwa_controlled();
    test_sector_step();
    test_rwa_reference();
    test_untruncated_equals_full("1.5707963267948966");
    test_untruncated_equals_full("1.0");
    test_k_convergence();
    test_jc_limit();
    test_k_auto();
    test_evolution_tolerance();
    return TEST_RESULT();
}
