/* States and observables: initial states against their closed forms (thermal
 * geometric P(n) and g2 = 2, Fock g2 = 1 - 1/n, coherent <n> = |alpha|^2,
 * g2 = 1, <a> = alpha), amplitudes of a large coherent state against a
 * long-double recursion, the sector bound of pm_initial_max_sector, the 2x2
 * eigenvalue path against LAPACK on a unitarily equivalent state, health
 * checks, and every rejected input. */
#include <stdlib.h>
#include <string.h>

#include "phonomaser/model/model.h"
#include "phonomaser/model/space.h"
#include "phonomaser/state/state.h"
#include "testutil.h"

static pm_block *block_alloc(const pm_model *model, int64_t sector)
{
    pm_block *block = NULL;
    CHECK_OK(pm_model_block(model, sector, &block));
    return block;
}

static pm_state *state_on(int64_t N, size_t nblocks, pm_block **blocks)
{
    pm_state *state = NULL;
    CHECK_OK(pm_state_alloc(N, nblocks, (const pm_block *const *)blocks, &state));
    return state;
}

static pm_initial initial(pm_initial_kind kind, double p_up)
{
    pm_initial init;
    memset(&init, 0, sizeof init);
    init.kind = kind;
    init.p_up = p_up;
    return init;
}

/* Element-wise check of a state against pm_initial_element. */
static double max_deviation_from_initial(const pm_state *state, const pm_initial *init)
{
    double worst = 0;
    for (size_t b = 0; b < state->nblocks; b++)
        for (int64_t p = 0; p < state->blocks[b]->size; p++) {
            double complex want = pm_initial_element(init, state->N, state->blocks[b]->row[p],
                                                     state->blocks[b]->col[p]);
            double dev = cabs(state->x[b][p] - want);
            if (dev > worst) worst = dev;
        }
    return worst;
}

static void test_thermal(void)
{
    const int64_t N = 60;
    const double n_th = 2.0, p_up = 0.6, q = n_th / (n_th + 1);
    pm_model *model = test_default_model(N);
    pm_block *full = block_alloc(model, PM_SECTOR_FULL), *zero = block_alloc(model, 0);
    pm_initial init = initial(PM_INITIAL_THERMAL, p_up);
    init.n_th = n_th;
    CHECK_OK(pm_initial_validate(&init, N));

    pm_state *on_full = state_on(N, 1, &full), *on_zero = state_on(N, 1, &zero);
    pm_state_fill_initial(on_full, &init);
    pm_state_fill_initial(on_zero, &init);
    CHECK(max_deviation_from_initial(on_full, &init) == 0);
    CHECK(max_deviation_from_initial(on_zero, &init) == 0);

    pm_observables obs, obs_zero;
    CHECK_OK(pm_observables_compute(on_full, &obs));
    CHECK_OK(pm_observables_compute(on_zero, &obs_zero));
    double qN = pow(q, (double)N);
    /* truncated and renormalised geometric distribution */
    CHECK_CLOSE(obs.trace, 1.0, 1e-14);
    for (int64_t n = 0; n < N; n++)
        CHECK_REL(obs.p_n[n], (1 - q) * pow(q, (double)n) / (1 - qN), 1e-13);
    double n_exact = q / (1 - q) - (double)N * qN / (1 - qN);
    CHECK_REL(obs.n_mean, n_exact, 1e-13);
    CHECK_CLOSE(obs.n_mean, n_th, 1e-7); /* N = 60 is "large enough": q^N = 2.7e-11 */
    CHECK_CLOSE(obs.g2, 2.0, 1e-7);
    CHECK_REL(pm_initial_tail(&init, N), qN, 1e-13);
    CHECK_CLOSE(obs.sz_mean, 2 * p_up - 1, 1e-14);
    CHECK_CLOSE(creal(obs.rho_spin[0][0]), p_up, 1e-14);
    CHECK_CLOSE(creal(obs.rho_spin[1][1]), 1 - p_up, 1e-14);
    CHECK(obs.rho_spin[0][1] == 0 && obs.rho_spin[1][0] == 0);
    CHECK(obs.a_mean == 0);
    CHECK(obs.hermiticity_error == 0);
    /* tail: top max(1, N/20) = 3 levels */
    CHECK(obs.tail_levels == 3);
    CHECK_REL(obs.tail_population, pow(q, (double)N - 3) * (1 - q * q * q) / (1 - qN), 1e-12);
    /* eigenvalues P(n) p_s: the smallest is P(N-1) min(p_up, p_down) */
    CHECK_REL(obs.min_eigenvalue, obs.p_n[N - 1] * (1 - p_up), 1e-12);
    /* the sector-0 block holds the same state */
    CHECK_CLOSE(obs_zero.n_mean, obs.n_mean, 1e-15);
    CHECK_CLOSE(obs_zero.n2_mean, obs.n2_mean, 1e-15);
    CHECK_CLOSE(obs_zero.trace, obs.trace, 1e-15);
    CHECK(obs_zero.min_eigenvalue == obs.min_eigenvalue);
    CHECK(obs_zero.hermiticity_error == 0);
    /* element access: present, absent from the sector block, out of range */
    int64_t i = pm_space_index(N, PM_SPIN_DOWN, 4);
    CHECK(pm_state_element(on_zero, i, i) == pm_initial_element(&init, N, i, i));
    CHECK(pm_state_element(on_zero, i, pm_space_index(N, PM_SPIN_DOWN, 5)) == 0);
    CHECK(pm_state_element(on_full, 2 * N, 0) == 0);

    pm_observables_clear(&obs);
    pm_observables_clear(&obs_zero);
    CHECK(obs.p_n == NULL);
    pm_state_free(on_full);
    pm_state_free(on_zero);
    pm_block_free(full);
    pm_block_free(zero);
    pm_model_free(model);
}

static void test_fock_and_vacuum(void)
{
    const int64_t N = 12;
    pm_model *model = test_default_model(N);
    pm_block *zero = block_alloc(model, 0);
    pm_state *state = state_on(N, 1, &zero);
    pm_observables obs;
    for (int64_t n = 1; n < N; n++) {
        pm_initial init = initial(PM_INITIAL_FOCK, 0.25);
        init.fock_n = n;
        CHECK_OK(pm_initial_validate(&init, N));
        pm_state_fill_initial(state, &init);
        CHECK_OK(pm_observables_compute(state, &obs));
        CHECK_CLOSE(obs.n_mean, (double)n, 1e-15);
        CHECK_CLOSE(obs.g2, 1.0 - 1.0 / (double)n, 1e-15);
        CHECK(obs.p_n[n] == 1.0);
        CHECK(obs.min_eigenvalue == 0);
        CHECK_CLOSE(obs.sz_mean, -0.5, 1e-15);
        CHECK(pm_initial_tail(&init, N) == 0);
        pm_observables_clear(&obs);
    }
    /* vacuum (x) |down>: <n> = 0 gives g2 = NaN (0/0), as documented */
    pm_initial vacuum = initial(PM_INITIAL_VACUUM, 0.7); /* p_up ignored */
    pm_state_fill_initial(state, &vacuum);
    CHECK_OK(pm_observables_compute(state, &obs));
    CHECK(obs.n_mean == 0 && isnan(obs.g2));
    CHECK(obs.sz_mean == -1 && obs.trace == 1 && obs.p_n[0] == 1);
    CHECK(obs.rho_spin[1][1] == 1 && obs.rho_spin[0][0] == 0);
    CHECK(obs.min_eigenvalue == 0);
    CHECK(pm_initial_max_sector(&vacuum, N, 1e-12) == 0);
    pm_observables_clear(&obs);
    pm_state_free(state);
    pm_block_free(zero);
    pm_model_free(model);
}

static void test_coherent(void)
{
    const int64_t N = 40;
    const double complex alpha = 1.5 + 0.8 * I;
    const double p_up = 0.6, tol = 1e-12;
    pm_initial init = initial(PM_INITIAL_COHERENT, p_up);
    init.alpha = alpha;
    CHECK_OK(pm_initial_validate(&init, N));
    CHECK(pm_initial_tail(&init, N) < 1e-20);

    pm_model *model = test_default_model(N);
    pm_block *full = block_alloc(model, PM_SECTOR_FULL);
    pm_state *on_full = state_on(N, 1, &full);
    pm_state_fill_initial(on_full, &init);
    pm_observables obs;
    CHECK_OK(pm_observables_compute(on_full, &obs));
    double x = creal(alpha * conj(alpha));
    CHECK_CLOSE(obs.trace, 1.0, 1e-14);
    CHECK_CLOSE(obs.n_mean, x, 1e-13);
    CHECK_CLOSE(obs.g2, 1.0, 1e-12);
    CHECK_CLOSE(creal(obs.a_mean), creal(alpha), 1e-13);
    CHECK_CLOSE(cimag(obs.a_mean), cimag(alpha), 1e-13);
    CHECK(obs.hermiticity_error == 0);
    /* eigenvalues {p_up, p_down, 0, ...}: the dense path finds 0 */
    CHECK(obs.min_eigenvalue >= -1e-14);
    CHECK(fabs(obs.min_eigenvalue) < 1e-14);
    CHECK_CLOSE(creal(obs.rho_spin[0][0]), p_up, 1e-14);
    CHECK(cabs(obs.rho_spin[0][1]) == 0);
    for (int64_t n = 0; n < N; n++) /* Poisson P(n) */
        CHECK_CLOSE(obs.p_n[n], exp(-x + n * log(x) - lgamma(n + 1.0)), 1e-14);

    /* sectors |k| <= K carry every coherence above tol, and K is tight */
    int64_t K = pm_initial_max_sector(&init, N, tol);
    CHECK(K > 0 && K < N - 1);
    double beyond = 0, at_K = 0;
    for (int64_t p = 0; p < full->size; p++) {
        int64_t k = pm_space_excitation(N, full->row[p]) - pm_space_excitation(N, full->col[p]);
        int same_spin = pm_space_spin(N, full->row[p]) == pm_space_spin(N, full->col[p]);
        double v = cabs(on_full->x[0][p]);
        if (llabs(k) > K && v > beyond) beyond = v;
        /* the bound is on |c_n c_m| = |rho_ij| / p_s */
        if (same_spin && llabs(k) == K) {
            double ps = pm_space_spin(N, full->row[p]) == PM_SPIN_UP ? p_up : 1 - p_up;
            if (v / ps > at_K) at_K = v / ps;
        }
    }
    CHECK(beyond < tol);
    CHECK(at_K >= tol);
    CHECK(pm_initial_max_sector(&init, N, 0.0) == N - 1);

    /* the same state on sectors -K..K: same <a>, n, and the dense eigenvalue path */
    size_t nblocks = (size_t)(2 * K + 1);
    pm_block **blocks = calloc(nblocks, sizeof *blocks);
    for (int64_t k = -K; k <= K; k++) blocks[k + K] = block_alloc(model, k);
    pm_state *on_sectors = state_on(N, nblocks, blocks);
    pm_state_fill_initial(on_sectors, &init);
    CHECK(max_deviation_from_initial(on_sectors, &init) == 0);
    pm_observables obs_sectors;
    CHECK_OK(pm_observables_compute(on_sectors, &obs_sectors));
    CHECK_CLOSE(obs_sectors.n_mean, obs.n_mean, 1e-15);
    CHECK_CLOSE(creal(obs_sectors.a_mean), creal(obs.a_mean), 1e-15);
    CHECK_CLOSE(cimag(obs_sectors.a_mean), cimag(obs.a_mean), 1e-15);
    CHECK(obs_sectors.hermiticity_error == 0);
    CHECK(fabs(obs_sectors.min_eigenvalue) < 1e-11); /* truncated coherences: tiny error */

    /* sectors 0..K with k < 0 implied by Hermiticity: the same state */
    pm_state *implied = state_on(N, (size_t)K + 1, &blocks[K]);
    implied->adjoint_implied = 1;
    pm_state_fill_initial(implied, &init);
    /* a spin coherence rho_{(up,2),(down,2)} (k = +1) and its partner (k = -1) */
    int64_t su = pm_space_index(N, PM_SPIN_UP, 2), sd = pm_space_index(N, PM_SPIN_DOWN, 2);
    const double complex spin_coherence = 0.01 - 0.02 * I;
    implied->x[1][pm_block_find(blocks[K + 1], su, sd)] = spin_coherence;
    on_sectors->x[K + 1][pm_block_find(blocks[K + 1], su, sd)] = spin_coherence;
    on_sectors->x[K - 1][pm_block_find(blocks[K - 1], sd, su)] = conj(spin_coherence);
    pm_observables_clear(&obs_sectors);
    CHECK_OK(pm_observables_compute(on_sectors, &obs_sectors));
    CHECK(cabs(obs_sectors.rho_spin[1][0] - conj(spin_coherence)) < 1e-15);
    pm_observables obs_implied;
    CHECK_OK(pm_observables_compute(implied, &obs_implied));
    CHECK(obs_implied.hermiticity_error == 0);
    CHECK_CLOSE(obs_implied.trace, obs_sectors.trace, 1e-15);
    CHECK_CLOSE(creal(obs_implied.a_mean), creal(obs_sectors.a_mean), 1e-15);
    for (int s = 0; s < 2; s++)
        for (int t = 0; t < 2; t++)
            CHECK(cabs(obs_implied.rho_spin[s][t] - obs_sectors.rho_spin[s][t]) < 1e-15);
    CHECK_CLOSE(obs_implied.min_eigenvalue, obs_sectors.min_eigenvalue, 1e-14);
    for (int64_t i = 0; i < 2 * N; i += 7)
        for (int64_t j = 0; j < 2 * N; j += 5)
            CHECK(pm_state_element(implied, i, j) == pm_state_element(on_sectors, i, j));
    pm_observables_clear(&obs_implied);
    pm_state_free(implied);

    /* sector +1 without -1: the missing partners count fully */
    pm_state *one_sided = state_on(N, 1, &blocks[K + 1]);
    pm_state_fill_initial(one_sided, &init);
    pm_observables obs_one;
    CHECK_OK(pm_observables_compute(one_sided, &obs_one));
    double largest = 0;
    for (int64_t p = 0; p < blocks[K + 1]->size; p++)
        if (cabs(one_sided->x[0][p]) > largest) largest = cabs(one_sided->x[0][p]);
    CHECK(largest > 0.1 && obs_one.hermiticity_error == largest);
    CHECK(obs_one.trace == 0 && obs_one.n_mean == 0 && isnan(obs_one.g2));

    /* a broken partner shows up as hermiticity error */
    int64_t i = pm_space_index(N, PM_SPIN_UP, 3), j = pm_space_index(N, PM_SPIN_UP, 2);
    int64_t pos = pm_block_find(blocks[K + 1], i, j);
    CHECK(pos >= 0);
    on_sectors->x[K + 1][pos] += 1e-3 * I;
    pm_observables_clear(&obs_sectors);
    CHECK_OK(pm_observables_compute(on_sectors, &obs_sectors));
    CHECK_CLOSE(obs_sectors.hermiticity_error, 1e-3, 1e-15);

    pm_observables_clear(&obs_one);
    pm_observables_clear(&obs_sectors);
    pm_observables_clear(&obs);
    pm_state_free(one_sided);
    pm_state_free(on_sectors);
    pm_state_free(on_full);
    for (size_t b = 0; b < nblocks; b++) pm_block_free(blocks[b]);
    free(blocks);
    pm_block_free(full);
    pm_model_free(model);
}

/* |alpha|^2 = 1500, N = 3000: e^{-750} underflows in double, 3000! overflows. */
static void test_large_coherent(void)
{
    const int64_t N = 3000;
    const double complex alpha = sqrt(1500.0) * cexp(0.3 * I);
    pm_initial init = initial(PM_INITIAL_COHERENT, 0.0); /* spin down: rho_ii = |c_n|^2 */
    init.alpha = alpha;
    /* reference: the recursion c_{n+1} = c_n |alpha|/sqrt(n+1) in long double
     * (its exponent range holds e^{-750}) */
    long double ref = expl(-750.0L), sum = 0;
    double worst_rel = 0;
    int finite = 1;
    for (int64_t n = 0; n < N; n++) {
        int64_t i = pm_space_index(N, PM_SPIN_DOWN, n);
        double complex c2 = pm_initial_element(&init, N, i, i);
        if (!isfinite(creal(c2)) || cimag(c2) != 0) finite = 0;
        sum += creal(c2);
        if (ref * ref > 1e-250L) {
            double rel = fabs((double)((creal(c2) - ref * ref) / (ref * ref)));
            if (rel > worst_rel) worst_rel = rel;
        }
        ref = ref * sqrtl(1500.0L) / sqrtl((long double)(n + 1));
    }
    CHECK(finite);
    CHECK_CLOSE((double)sum, 1.0, 1e-12);
    printf("large coherent: worst relative error of |c_n|^2 %.3g, 1 - sum %.3g\n", worst_rel,
           1.0 - (double)sum);
    CHECK(worst_rel < 1e-12);
    /* the phase: rho_{n+1,n} = |c_{n+1} c_n| e^{i arg alpha} */
    double complex coh = pm_initial_element(&init, N, pm_space_index(N, PM_SPIN_DOWN, 1501),
                                            pm_space_index(N, PM_SPIN_DOWN, 1500));
    CHECK_CLOSE(carg(coh), 0.3, 1e-12);
    CHECK(pm_initial_tail(&init, N) < 1e-100);

    /* observables from sectors -1, 0, 1 */
    pm_model *model = test_default_model(N);
    pm_block *blocks[3] = {block_alloc(model, -1), block_alloc(model, 0), block_alloc(model, 1)};
    pm_state *state = state_on(N, 3, blocks);
    pm_state_fill_initial(state, &init);
    pm_observables obs;
    CHECK_OK(pm_observables_compute(state, &obs));
    CHECK_CLOSE(obs.trace, 1.0, 1e-12);
    CHECK_REL(obs.n_mean, 1500.0, 1e-12);
    CHECK_CLOSE(obs.g2, 1.0, 1e-10);
    CHECK_REL(creal(obs.a_mean), creal(alpha), 1e-12);
    CHECK_REL(cimag(obs.a_mean), cimag(alpha), 1e-12);
    CHECK(obs.hermiticity_error == 0);
    /* the pure coherent state cut to |k| <= 1 is not positive: the banded
     * check (d = 6000 is beyond the dense one) must see it */
    CHECK(obs.min_eigenvalue < -1e-3 && obs.min_eigenvalue > -1);
    int64_t K = pm_initial_max_sector(&init, N, 1e-12);
    CHECK(K > 3 * sqrt(1500.0) && K < 20 * sqrt(1500.0)); /* "a few sqrt(n)" */
    pm_observables_clear(&obs);
    pm_state_free(state);
    for (int b = 0; b < 3; b++) pm_block_free(blocks[b]);
    pm_model_free(model);
}

/* The 2x2 eigenvalue path against LAPACK: a sector-0 state with spin
 * coherences inside each excitation pair, and the same state conjugated by
 * sigma_x (x) 1, which maps the pair {(down, e), (up, e-1)} to
 * {(up, e), (down, e-1)} (different e): same spectrum, dense path. */
static void test_min_eigenvalue_paths(void)
{
    const int64_t N = 30;
    pm_model *model = test_default_model(N);
    pm_block *zero = block_alloc(model, 0), *full = block_alloc(model, PM_SECTOR_FULL);
    pm_state *pairs = state_on(N, 1, &zero), *flipped = state_on(N, 1, &full);
    pm_initial init = initial(PM_INITIAL_THERMAL, 0.3);
    init.n_th = 3.0;
    pm_state_fill_initial(pairs, &init);
    /* coherences rho_{(e,up),(e,down)} = c_e, Hermitian partner conj(c_e); some pairs
     * get |c_e|^2 > p_up p_down, i.e. a negative eigenvalue */
    for (int64_t e = 1; e < N; e++) {
        int64_t u = pm_space_index(N, PM_SPIN_UP, e - 1), dn = pm_space_index(N, PM_SPIN_DOWN, e);
        double complex c = (0.5 + 0.2 * (double)(e % 7)) * cexp(0.7 * I * (double)e) *
                           sqrt(creal(pm_state_element(pairs, u, u) * pm_state_element(pairs, dn, dn)));
        pairs->x[0][pm_block_find(zero, u, dn)] = c;
        pairs->x[0][pm_block_find(zero, dn, u)] = conj(c);
    }
    for (int64_t p = 0; p < full->size; p++) {
        int64_t i = full->row[p], j = full->col[p];
        int64_t fi = (i + N) % (2 * N), fj = (j + N) % (2 * N); /* sigma_x on the spin */
        flipped->x[0][p] = pm_state_element(pairs, fi, fj);
    }
    pm_observables by_pairs, by_dense;
    CHECK_OK(pm_observables_compute(pairs, &by_pairs));
    CHECK_OK(pm_observables_compute(flipped, &by_dense));
    CHECK(by_pairs.min_eigenvalue < -1e-4); /* the test exercises a nontrivial value */
    CHECK_CLOSE(by_dense.min_eigenvalue, by_pairs.min_eigenvalue, 1e-13);
    CHECK(by_pairs.hermiticity_error == 0 && by_dense.hermiticity_error == 0);
    CHECK_CLOSE(by_dense.trace, by_pairs.trace, 1e-14);
    CHECK_CLOSE(by_dense.sz_mean, -by_pairs.sz_mean, 1e-14);
    pm_observables_clear(&by_pairs);
    pm_observables_clear(&by_dense);

    pm_state_free(pairs);
    pm_state_free(flipped);
    pm_block_free(zero);
    pm_block_free(full);
    pm_model_free(model);
}

static void test_defaults_and_rejections(void)
{
    pm_params params;
    pm_params_init(&params);
    CHECK_OK(pm_params_derive(&params));
    pm_initial init;
    pm_initial_default(&params, PM_INITIAL_THERMAL, &init);
    CHECK(init.kind == PM_INITIAL_THERMAL && init.n_th == params.n_th);
    CHECK_CLOSE(init.p_up, (1 + params.S) / 2, 1e-15); /* gamma_up / gamma_1 */
    CHECK(init.alpha == 0 && init.fock_n == 0);
    CHECK(pm_initial_max_sector(&init, 40, 1e-12) == 0);

    pm_initial bad = init;
    bad.n_th = -1;
    CHECK(pm_initial_validate(&bad, 10) == PM_EINVAL);
    CHECK(strstr(pm_error_message(), "n_th") != NULL);
    bad = init;
    bad.p_up = 1.5;
    CHECK(pm_initial_validate(&bad, 10) == PM_EINVAL);
    bad = initial(PM_INITIAL_FOCK, 0.5);
    bad.fock_n = 10;
    CHECK(pm_initial_validate(&bad, 10) == PM_EINVAL);
    CHECK(strstr(pm_error_message(), "0..9") != NULL);
    CHECK(pm_initial_tail(&bad, 10) == 1);
    bad = initial(PM_INITIAL_COHERENT, 0.5);
    bad.alpha = NAN;
    CHECK(pm_initial_validate(&bad, 10) == PM_EINVAL);
    CHECK(pm_initial_validate(&init, 0) == PM_EINVAL);

    /* coherent with a short cutoff: trace + tail = 1 (not renormalised) */
    pm_initial coh = initial(PM_INITIAL_COHERENT, 0.5);
    coh.alpha = 2.0;
    const int64_t N = 5;
    pm_model *model = test_default_model(N);
    pm_block *full = block_alloc(model, PM_SECTOR_FULL), *zero = block_alloc(model, 0),
             *zero2 = block_alloc(model, 0);
    pm_state *state = state_on(N, 1, &full);
    pm_state_fill_initial(state, &coh);
    pm_observables obs;
    CHECK_OK(pm_observables_compute(state, &obs));
    CHECK_CLOSE(obs.trace + pm_initial_tail(&coh, N), 1.0, 1e-15);
    CHECK(obs.trace < 0.7);
    pm_observables_clear(&obs);

    /* NaN in the state */
    state->x[0][3] = NAN;
    CHECK(pm_observables_compute(state, &obs) == PM_ENUMERIC);
    CHECK(isnan(obs.min_eigenvalue) && isnan(obs.hermiticity_error));
    pm_observables_clear(&obs);
    CHECK(pm_observables_compute(NULL, &obs) == PM_EINVAL);
    pm_observables_clear(&obs);

    /* allocation rejections */
    pm_state *rejected = NULL;
    const pm_block *pair[2] = {zero, zero2};
    CHECK(pm_state_alloc(N, 2, pair, &rejected) == PM_EINVAL && rejected == NULL);
    pair[1] = full;
    CHECK(pm_state_alloc(N, 2, pair, &rejected) == PM_EINVAL);
    CHECK(pm_state_alloc(N + 1, 1, pair, &rejected) == PM_EINVAL);
    CHECK(strstr(pm_error_message(), "dimension") != NULL);
    CHECK(pm_state_alloc(N, 0, pair, &rejected) == PM_EINVAL);
    CHECK(pm_state_alloc(0, 1, pair, &rejected) == PM_EINVAL);

    pm_state_free(state);
    pm_block_free(full);
    pm_block_free(zero);
    pm_block_free(zero2);
    pm_model_free(model);
}

/* The banded eigenvalue check on a state with one known negative eigenvalue:
 * thermal-like populations on every state plus one coherence between
 * |down, 10> and |down, 11> (k = -1) larger than sqrt(p_A p_B). */
static void test_min_eigenvalue_banded(void)
{
    const int64_t N = 200;
    pm_model *model = test_default_model(N);
    pm_block *blocks[3] = {block_alloc(model, -1), block_alloc(model, 0), block_alloc(model, 1)};
    pm_state *state = state_on(N, 3, blocks);
    int64_t A = pm_space_index(N, PM_SPIN_DOWN, 10), B = pm_space_index(N, PM_SPIN_DOWN, 11);
    double lowest_population = 1;
    for (int64_t i = 0; i < 2 * N; i++) {
        double p = 0.5 * pow(0.9, (double)pm_space_fock(N, i)) * 0.1;
        int64_t q = pm_block_find(blocks[1], i, i);
        state->x[1][q] = p;
        if (i != A && i != B && p < lowest_population) lowest_population = p;
    }
    double pA = creal(state->x[1][pm_block_find(blocks[1], A, A)]), pB = creal(state->x[1][pm_block_find(blocks[1], B, B)]);
    double complex c = 1.5 * sqrt(pA * pB) * cexp(0.4 * I);
    state->x[0][pm_block_find(blocks[0], A, B)] = c;       /* e_A - e_B = -1 */
    state->x[2][pm_block_find(blocks[2], B, A)] = conj(c);
    pm_observables obs;
    CHECK_OK(pm_observables_compute(state, &obs));
    double expected = 0.5 * (pA + pB) - hypot(0.5 * (pA - pB), cabs(c));
    CHECK(expected < 0 && expected < lowest_population);
    CHECK_CLOSE(obs.min_eigenvalue, expected, 1e-15);
    CHECK(obs.max_sector == 1);
    CHECK_CLOSE(obs.sector_norm[0], cabs(c), 1e-15); /* k = -1 holds only c */
    pm_observables_clear(&obs);
    pm_state_free(state);
    for (int b = 0; b < 3; b++) pm_block_free(blocks[b]);
    pm_model_free(model);
}

/* Every health limit: one message per violated limit, none for a healthy state. */
static void test_health_limits(void)
{
    pm_observables good = {.trace = 1, .hermiticity_error = 1e-15, .min_eigenvalue = 1e-12, .tail_population = 1e-12,
                           .tail_levels = 2, .N = 40};
    pm_health h;
    pm_health_check(&good, 1e-12, 1000, 1e-8, 1e-14, &h);
    CHECK(h.count == 0);
    pm_health_check(&good, 1e-12, 1000, 1e-8, NAN, &h); /* no balance: not checked */
    CHECK(h.count == 0);
    pm_observables bad = good;
    bad.trace = 1 + 1e-6;
    bad.hermiticity_error = 1e-6;
    bad.min_eigenvalue = -1e-6;
    bad.tail_population = 1e-3;
    pm_health_check(&bad, 1e-3, 1000, 1e-8, 1e-3, &h);
    CHECK(h.count == 6);
    const char *words[] = {"tail_tol", "trace", "hermiticity", "eigenvalue", "residual", "balance"};
    for (int k = 0; k < 6 && k < h.count; k++) CHECK(strstr(h.messages[k], words[k]) != NULL);
    pm_params p;
    pm_params_init(&p);
    CHECK_CLOSE(pm_health_rate_scale(&p, 100), p.gamma_2 + p.gamma_1 + p.g * 10 + p.gamma_m * (p.n_th + 1) * 100, 1e-9);
}

int main(void)
{
    test_health_limits();
    test_min_eigenvalue_banded();
    test_thermal();
    test_fock_and_vacuum();
    test_coherent();
    test_large_coherent();
    test_min_eigenvalue_paths();
    test_defaults_and_rejections();
    return TEST_RESULT();
}
