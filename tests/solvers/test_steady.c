/* Steady states: DIRECT (pinned LU) and ARPACK (shift-invert) against
 * closed forms (thermal and coherent oscillator, pumped two-level system),
 * against each other on the JC maser, and their failure paths. */
#include <stdlib.h>
#include <string.h>

#include "phonomaser/model/model.h"
#include "phonomaser/core/params.h"
#include "phonomaser/solvers/steady.h"
#include "testutil.h"

/* ---- small models built from scratch (one mode or a few levels) ---- */

/* The d x d matrix with entries value(i, j) != 0 given as a list. */
typedef struct entry {
    int64_t i, j;
    double complex v;
} entry;

static pm_sparse *matrix_from(int64_t d, size_t count, const entry *e)
{
    pm_triplets *t = pm_triplets_alloc(d, d, (int64_t)count);
    pm_sparse *a = NULL;
    for (size_t k = 0; k < count; k++) CHECK_OK(pm_triplets_add(t, e[k].i, e[k].j, e[k].v));
    CHECK_OK(pm_sparse_from_triplets(t, &a));
    pm_triplets_free(t);
    return a;
}

/* Oscillator operators on levels 0..N-1: a, a^dag, and delta a^dag a + F (a + a^dag). */
static void oscillator(int64_t N, double delta, double F, pm_sparse **a, pm_sparse **adag,
                       pm_sparse **H)
{
    entry *ea = malloc((size_t)N * sizeof *ea), *ead = malloc((size_t)N * sizeof *ead);
    entry *eh = malloc((size_t)(3 * N) * sizeof *eh);
    size_t na = 0, nh = 0;
    for (int64_t n = 0; n < N; n++) {
        if (delta != 0) eh[nh++] = (entry){n, n, delta * (double)n};
        if (n + 1 < N) {
            double s = sqrt((double)(n + 1));
            ead[na] = (entry){n + 1, n, s};
            ea[na++] = (entry){n, n + 1, s};
            if (F != 0) {
                eh[nh++] = (entry){n, n + 1, F * s};
                eh[nh++] = (entry){n + 1, n, F * s};
            }
        }
    }
    *a = matrix_from(N, na, ea);
    *adag = matrix_from(N, na, ead);
    *H = matrix_from(N, nh, eh);
    free(ea), free(ead), free(eh);
}

static pm_steady_options options(pm_steady_method method)
{
    pm_steady_options o;
    pm_steady_options_default(&o);
    o.method = method;
    return o;
}

static double complex trace_of(const pm_block *b, const double complex *x)
{
    double complex t = 0;
    for (int64_t p = 0; p < b->size; p++)
        if (b->row[p] == b->col[p]) t += x[p];
    return t;
}

/* Solve with `method` and check what holds for any steady state: status,
 * trace 1, residual and eigenvalue small on the scale of L, info filled in. */
static void solve_checked(const pm_block *b, const pm_steady_options *o, double complex *x,
                          pm_steady_info *info)
{
    double rate_scale = 0;
    for (int64_t k = 0; k < pm_sparse_nnz(b->L); k++)
        if (cabs(b->L->values[k]) > rate_scale) rate_scale = cabs(b->L->values[k]);
    CHECK_OK(pm_steady_solve(b, o, x, info));
    double complex t = trace_of(b, x);
    CHECK_CLOSE(creal(t), 1.0, 1e-13);
    CHECK_CLOSE(cimag(t), 0.0, 1e-13);
    CHECK(info->residual < 1e-12 * rate_scale);
    CHECK(info->seconds >= 0 && info->seconds < 10);
    CHECK(info->lu_nnz >= b->size && info->matrix_nnz > 0);
    CHECK(info->iterations >= 1);
    if (o->method == PM_STEADY_ARPACK) {
        CHECK(fabs(info->eigenvalue_re) < 1e-10 * rate_scale);
        CHECK(fabs(info->eigenvalue_im) < 1e-10 * rate_scale);
    } else if (info->pinned_element >= 0) { /* banded blocks pin one population */
        CHECK(info->pinned_element < b->size);
        CHECK(b->row[info->pinned_element] == b->col[info->pinned_element]);
    } else { /* the others replace one row by the trace row: one solve */
        CHECK(info->pinned_element == -1 && info->iterations == 1);
    }
}

static double max_difference(int64_t n, const double complex *x, const double complex *y)
{
    double d = 0;
    for (int64_t p = 0; p < n; p++)
        if (cabs(x[p] - y[p]) > d) d = cabs(x[p] - y[p]);
    return d;
}

static const pm_steady_method methods[] = {PM_STEADY_DIRECT, PM_STEADY_ARPACK};

/* (a) gamma (n_th+1) D[a] + gamma n_th D[a^dag] alone: a birth-death chain in
 * detailed balance, so even the truncated chain is exactly geometric,
 * P(n) = (1 - r) r^n / (1 - r^N), r = n_th/(n_th+1); no coherences. */
static void test_thermal_oscillator(void)
{
    const int64_t N = 30;
    const double gamma = 2.0, n_th = 0.5, r = n_th / (n_th + 1);
    pm_sparse *a, *adag, *H;
    oscillator(N, 0, 0, &a, &adag, &H);
    pm_jump jumps[] = {{gamma * (n_th + 1), a}, {gamma * n_th, adag}};
    pm_block *b = NULL;
    CHECK_OK(pm_liouvillian_full(H, 2, jumps, &b));
    double complex *x = malloc((size_t)b->size * sizeof *x);
    for (int m = 0; m < 2; m++) {
        pm_steady_options o = options(methods[m]);
        pm_steady_info info;
        solve_checked(b, &o, x, &info);
        double mean_n = 0;
        for (int64_t i = 0; i < N; i++)
            for (int64_t j = 0; j < N; j++) {
                double complex rho = x[pm_block_find(b, i, j)];
                double expect = i == j ? (1 - r) * pow(r, (double)i) / (1 - pow(r, (double)N)) : 0;
                CHECK_CLOSE(creal(rho), expect, 1e-13);
                CHECK_CLOSE(cimag(rho), 0.0, 1e-13);
                if (i == j) mean_n += (double)i * creal(rho);
            }
        CHECK_CLOSE(mean_n, n_th, 1e-12);
        if (methods[m] == PM_STEADY_DIRECT) {
            CHECK(info.iterations == 1);               /* P(0) = 2/3: no re-pin */
            CHECK(info.pinned_element == pm_block_find(b, 0, 0));
        }
    }
    free(x);
    pm_block_free(b);
    pm_sparse_free(a), pm_sparse_free(adag), pm_sparse_free(H);
}

/* A driven damped mode, H = delta a^dag a + F (a + a^dag), gamma D[a]: the
 * steady state is the coherent state |alpha>, alpha = -i F/(gamma/2 + i delta)
 * (from d<a>/dt = -(i delta + gamma/2) <a> - i F = 0): full of coherences. */
static void test_coherent_state(void)
{
    const int64_t N = 30;
    const double gamma = 1.0, delta = 0.7, F = 0.6;
    const double complex alpha = -I * F / (gamma / 2 + I * delta);
    pm_sparse *a, *adag, *H;
    oscillator(N, delta, F, &a, &adag, &H);
    pm_jump jumps[] = {{gamma, a}};
    pm_block *b = NULL;
    CHECK_OK(pm_liouvillian_full(H, 1, jumps, &b));
    double complex *x[2];
    /* coherent-state amplitudes <n|alpha> */
    double complex psi[30];
    psi[0] = cexp(-0.5 * creal(alpha * conj(alpha)));
    for (int64_t n = 1; n < N; n++) psi[n] = psi[n - 1] * alpha / sqrt((double)n);
    for (int m = 0; m < 2; m++) {
        x[m] = malloc((size_t)b->size * sizeof *x[m]);
        pm_steady_options o = options(methods[m]);
        pm_steady_info info;
        solve_checked(b, &o, x[m], &info);
        double worst = 0;
        for (int64_t i = 0; i < N; i++)
            for (int64_t j = 0; j < N; j++) {
                double err = cabs(x[m][pm_block_find(b, i, j)] - psi[i] * conj(psi[j]));
                if (err > worst) worst = err;
            }
        CHECK(worst < 1e-12);
    }
    CHECK(max_difference(b->size, x[0], x[1]) < 1e-12);
    free(x[0]), free(x[1]);
    pm_block_free(b);
    pm_sparse_free(a), pm_sparse_free(adag), pm_sparse_free(H);
}

/* Two levels, pumped 0 -> 1 at rate 1e4 and decaying 1 -> 0 at rate 1:
 * P(1) = up/(up + down) exactly.  This small full block takes the trace-row
 * path (one solve whatever the populations). */
static void test_trace_row(void)
{
    const double up = 1e4, down = 1.0;
    entry lower[] = {{0, 1, 1.0}}, raise[] = {{1, 0, 1.0}};
    pm_sparse *sm = matrix_from(2, 1, lower), *sp = matrix_from(2, 1, raise);
    pm_sparse *H = matrix_from(2, 0, NULL);
    pm_jump jumps[] = {{down, sm}, {up, sp}};
    pm_block *b = NULL;
    CHECK_OK(pm_liouvillian_full(H, 2, jumps, &b));
    double complex x[4], y[4];
    pm_steady_options o = options(PM_STEADY_DIRECT);
    pm_steady_info info;
    solve_checked(b, &o, x, &info);
    CHECK(info.iterations == 1 && info.pinned_element == -1);
    CHECK_CLOSE(creal(x[pm_block_find(b, 1, 1)]), up / (up + down), 1e-14);
    CHECK_CLOSE(creal(x[pm_block_find(b, 0, 0)]), down / (up + down), 1e-14);
    o = options(PM_STEADY_ARPACK);
    solve_checked(b, &o, y, &info);
    CHECK(max_difference(4, x, y) < 1e-12);
    pm_block_free(b);
    pm_sparse_free(sm), pm_sparse_free(sp), pm_sparse_free(H);
}

/* The maser above threshold truncated at N = 40 (sector 0, band LU): the
 * ground-state population, pinned first, is tiny next to the top levels, so
 * DIRECT re-pins on the largest population (iterations 2); a hint on that
 * element needs one solve; both agree with ARPACK. */
/* The three LU backends give the same steady state (sector 0, banded:
 * LAPACK band, KLU, UMFPACK; with the unit-row pin for band, the trace row
 * for the others). */
static void test_backends_agree(void)
{
    pm_params p;
    pm_params_init(&p);
    p.N = 40;
    CHECK_OK(pm_params_set(&p, "S", "0.01"));
    CHECK_OK(pm_params_derive(&p));
    pm_model *model = NULL;
    CHECK_OK(pm_model_jc_alloc(&p, &model));
    pm_block *b = NULL;
    CHECK_OK(pm_model_block(model, 0, &b));
    double complex *x[4];
    const pm_lu_backend backends[] = {PM_LU_BAND, PM_LU_KLU, PM_LU_UMFPACK, PM_LU_AUTO};
    for (int k = 0; k < 4; k++) {
        x[k] = malloc((size_t)b->size * sizeof *x[k]);
        pm_steady_options o = options(PM_STEADY_DIRECT);
        o.lu = backends[k];
        pm_steady_info info;
        solve_checked(b, &o, x[k], &info);
        if (k > 0) CHECK(max_difference(b->size, x[0], x[k]) < 1e-12);
    }
    for (int k = 0; k < 4; k++) free(x[k]);
    pm_block_free(b);
    /* the full block is not narrow-banded: lu = band is refused */
    CHECK_OK(pm_model_block(model, PM_SECTOR_FULL, &b));
    double complex *y = malloc((size_t)b->size * sizeof *y);
    pm_steady_options o = options(PM_STEADY_DIRECT);
    o.lu = PM_LU_BAND;
    pm_steady_info info;
    CHECK(pm_steady_solve(b, &o, y, &info) == PM_EINVAL);
    CHECK(strstr(pm_error_message(), "bandwidth") != NULL);
    free(y);
    pm_block_free(b);
    pm_model_free(model);
}

static void test_repin(void)
{
    pm_params p;
    pm_params_init(&p);
    p.N = 40;
    CHECK_OK(pm_params_derive(&p));
    pm_model *model = NULL;
    CHECK_OK(pm_model_jc_alloc(&p, &model));
    pm_block *b = NULL;
    CHECK_OK(pm_model_block(model, 0, &b));
    CHECK(b->size >= 64);
    double complex *x = malloc((size_t)b->size * sizeof *x), *y = malloc((size_t)b->size * sizeof *y);
    pm_steady_options o = options(PM_STEADY_DIRECT);
    pm_steady_info info;
    solve_checked(b, &o, x, &info);
    CHECK(info.iterations == 2);
    int64_t largest = info.pinned_element;
    for (int64_t q = 0; q < b->size; q++)
        if (b->row[q] == b->col[q]) CHECK(creal(x[q]) <= creal(x[largest]));
    o.pin_row = b->row[largest];
    o.pin_col = b->col[largest];
    solve_checked(b, &o, y, &info);
    CHECK(info.iterations == 1 && info.pinned_element == largest);
    CHECK(max_difference(b->size, x, y) < 1e-12);
    o = options(PM_STEADY_ARPACK);
    solve_checked(b, &o, y, &info);
    CHECK(max_difference(b->size, x, y) < 1e-10);
    free(x), free(y);
    pm_block_free(b);
    pm_model_free(model);
}

static void test_jc_direct_vs_arpack(void)
{
    pm_params params;
    pm_params_init(&params);
    CHECK_OK(pm_params_set(&params, "N", "8"));
    CHECK_OK(pm_params_set(&params, "delta", "300"));
    CHECK_OK(pm_params_derive(&params));
    pm_model *model = NULL;
    CHECK_OK(pm_model_jc_alloc(&params, &model));
    if (!model) return;
    const int64_t sectors[] = {PM_SECTOR_FULL, 0};
    double complex *steady[2][2] = {{0}};
    pm_block *blocks[2] = {0};
    for (int s = 0; s < 2; s++) {
        CHECK_OK(pm_model_block(model, sectors[s], &blocks[s]));
        pm_block *b = blocks[s];
        for (int m = 0; m < 2; m++) {
            steady[s][m] = malloc((size_t)b->size * sizeof(double complex));
            pm_steady_options o = options(methods[m]);
            pm_steady_info info;
            solve_checked(b, &o, steady[s][m], &info);
        }
        CHECK(max_difference(b->size, steady[s][0], steady[s][1]) < 1e-10);
    }
    /* full-block elements: those of sector 0 equal the sector solution,
     * all others (k != 0 coherences) vanish */
    const pm_block *full = blocks[0], *k0 = blocks[1];
    int coherences = 0;
    for (int64_t p = 0; p < full->size; p++) {
        int64_t q = pm_block_find(k0, full->row[p], full->col[p]);
        double complex expect = q >= 0 ? steady[1][0][q] : 0;
        CHECK(cabs(steady[0][0][p] - expect) < 1e-12);
        if (q >= 0 && full->row[p] != full->col[p] && cabs(expect) > 1e-6) coherences++;
    }
    CHECK(coherences > 0); /* the test really covers coherences */
    for (int s = 0; s < 2; s++) {
        free(steady[s][0]), free(steady[s][1]);
        pm_block_free(blocks[s]);
    }
    pm_model_free(model);
}

/* (d) Failure paths. */
static void test_failure_paths(void)
{
    double complex x[900];
    pm_steady_info info;
    pm_steady_options o;

    /* Two decoupled two-level systems {0,1} and {2,3}: two steady states,
     * so the pinned system is singular. */
    entry l01[] = {{0, 1, 1.0}, {2, 3, 1.0}}, r01[] = {{1, 0, 1.0}, {3, 2, 1.0}};
    pm_sparse *lo = matrix_from(4, 2, l01), *hi = matrix_from(4, 2, r01);
    pm_sparse *H4 = matrix_from(4, 0, NULL);
    pm_jump jumps4[] = {{1.0, lo}, {2.0, hi}};
    pm_block *b = NULL;
    CHECK_OK(pm_liouvillian_full(H4, 2, jumps4, &b));
    /* every sparse LU backend reports it, naming itself */
    const pm_lu_backend backends[] = {PM_LU_AUTO, PM_LU_KLU, PM_LU_UMFPACK};
    const char *names[] = {"KLU", "KLU", "UMFPACK"};
    for (int k = 0; k < 3; k++) {
        o = options(PM_STEADY_DIRECT);
        o.lu = backends[k];
        pm_error_clear();
        CHECK(pm_steady_solve(b, &o, x, &info) == PM_ESOLVER);
        CHECK(strstr(pm_error_message(), names[k]) != NULL);
        CHECK(strstr(pm_error_message(), "singular") != NULL);
    }
    pm_block_free(b);
    pm_sparse_free(lo), pm_sparse_free(hi), pm_sparse_free(H4);

    /* Thermal oscillator: populations relax at rates k gamma, so a shift
     * next to -gamma makes ARPACK find a decaying mode (zero trace). */
    const int64_t N = 30;
    const double gamma = 1.0, n_th = 0.5;
    pm_sparse *a, *adag, *H;
    oscillator(N, 0, 0, &a, &adag, &H);
    pm_jump jumps[] = {{gamma * (n_th + 1), a}, {gamma * n_th, adag}};
    CHECK_OK(pm_liouvillian_full(H, 2, jumps, &b));
    /* The direct method then takes over on the same block, with a note
     * (issue 12.12), and gives the direct steady state. */
    double complex *direct = calloc((size_t)b->size, sizeof *direct);
    REQUIRE(direct != NULL);
    o = options(PM_STEADY_DIRECT);
    CHECK_OK(pm_steady_solve(b, &o, direct, &info));
    o = options(PM_STEADY_ARPACK);
    o.shift = -1.05 * gamma;
    CHECK_OK(pm_steady_solve(b, &o, x, &info));
    CHECK(info.method == PM_STEADY_DIRECT);
    CHECK(strstr(info.note, "decaying mode") != NULL && strstr(info.note, "method = direct") != NULL);
    for (int64_t p = 0; p < b->size; p++) CHECK_CLOSE(cabs(x[p] - direct[p]), 0.0, 1e-12);
    /* ... and a shift halfway to it converges too slowly for one restart */
    o.shift = -0.45 * gamma;
    o.arpack_ncv = 4; /* the fewest Arnoldi vectors for two eigenvalues */
    o.arpack_maxiter = 1;
    memset(x, 0, (size_t)b->size * sizeof *x);
    CHECK_OK(pm_steady_solve(b, &o, x, &info));
    CHECK(info.method == PM_STEADY_DIRECT);
    CHECK(strstr(info.note, "ARPACK znaupd failed") != NULL);
    for (int64_t p = 0; p < b->size; p++) CHECK_CLOSE(cabs(x[p] - direct[p]), 0.0, 1e-12);
    /* the default: ARPACK solves it itself, no note */
    o = options(PM_STEADY_ARPACK);
    CHECK_OK(pm_steady_solve(b, &o, x, &info));
    CHECK(info.method == PM_STEADY_ARPACK && info.note[0] == '\0');
    free(direct);
    /* invalid options */
    o = options(PM_STEADY_ARPACK);
    o.arpack_ncv = 1;
    CHECK(pm_steady_solve(b, &o, x, &info) == PM_EINVAL);
    o = options(PM_STEADY_ARPACK);
    o.arpack_maxiter = 0;
    CHECK(pm_steady_solve(b, &o, x, &info) == PM_EINVAL);
    o = options((pm_steady_method)7);
    CHECK(pm_steady_solve(b, &o, x, &info) == PM_EINVAL);
    CHECK(pm_steady_solve(NULL, &o, x, &info) == PM_EINVAL);
    pm_block_free(b);
    pm_sparse_free(a), pm_sparse_free(adag), pm_sparse_free(H);

    /* A one-level system: DIRECT solves it (rho = 1), ARPACK rejects size < 3. */
    pm_sparse *H1 = matrix_from(1, 0, NULL);
    CHECK_OK(pm_liouvillian_full(H1, 0, NULL, &b));
    o = options(PM_STEADY_DIRECT);
    CHECK_OK(pm_steady_solve(b, &o, x, &info));
    CHECK_CLOSE(creal(x[0]), 1.0, 1e-15);
    o = options(PM_STEADY_ARPACK);
    pm_error_clear();
    CHECK(pm_steady_solve(b, &o, x, &info) == PM_EINVAL);
    CHECK(pm_error_message()[0] != '\0');
    pm_block_free(b);
    pm_sparse_free(H1);

    /* A sector without diagonal elements has no steady state. */
    pm_params params;
    pm_params_init(&params);
    CHECK_OK(pm_params_set(&params, "N", "4"));
    CHECK_OK(pm_params_derive(&params));
    pm_model *model = NULL;
    CHECK_OK(pm_model_jc_alloc(&params, &model));
    CHECK_OK(pm_model_block(model, 1, &b));
    o = options(PM_STEADY_DIRECT);
    pm_error_clear();
    CHECK(pm_steady_solve(b, &o, x, &info) == PM_EINVAL);
    CHECK(strstr(pm_error_message(), "diagonal") != NULL);
    pm_block_free(b);
    pm_model_free(model);
}

/* real_fold = on refuses block b (message containing `why`); auto leaves it
 * to the complex LU, whose state is left in x. */
static void fold_refused(const pm_block *b, double complex *x, const char *why)
{
    pm_steady_info info;
    pm_steady_options o = options(PM_STEADY_DIRECT);
    o.real_fold = PM_FOLD_ON;
    pm_error_clear();
    CHECK(pm_steady_solve(b, &o, x, &info) == PM_EINVAL);
    CHECK(strstr(pm_error_message(), why) != NULL);
    o.real_fold = PM_FOLD_AUTO;
    CHECK_OK(pm_steady_solve(b, &o, x, &info));
    CHECK(info.real_fold == 0);
}

/* real_fold: the Hermitian steady state as a real system (hermitian_fold.h).
 * On a driven oscillator (coherences of both signs of i - j) and on the
 * coupled sectors of the dressed model it equals the complex LU's state to
 * rounding and is exactly Hermitian; a Liouvillian that does not preserve
 * Hermiticity, or a block without the transpose of an element, is refused
 * with real_fold = on and left to the complex LU with auto. */
static void test_real_fold(void)
{
    pm_sparse *a, *adag, *H;
    oscillator(12, 0.7, 0.9, &a, &adag, &H);
    pm_jump jumps[] = {{1.5, a}, {0.5, adag}};
    pm_block *full = NULL, *coupled = NULL;
    CHECK_OK(pm_liouvillian_full(H, 2, jumps, &full));
    pm_params params;
    pm_params_init(&params);
    CHECK_OK(pm_params_set(&params, "model", "dressed"));
    CHECK_OK(pm_params_set(&params, "theta", "1.0"));
    CHECK_OK(pm_params_set(&params, "Q", "10"));
    CHECK_OK(pm_params_set(&params, "eta", "0.3"));
    CHECK_OK(pm_params_set(&params, "N", "10"));
    CHECK_OK(pm_params_set(&params, "K", "5"));
    CHECK_OK(pm_params_derive(&params));
    pm_model *model = NULL;
    CHECK_OK(pm_model_alloc(&params, &model));
    if (model) CHECK_OK(pm_model_block(model, 0, &coupled));
    REQUIRE(full && coupled && coupled->sector == PM_SECTOR_COUPLED);
    pm_block *blocks[] = {full, coupled};
    const pm_lu_backend backends[] = {PM_LU_AUTO, PM_LU_KLU, PM_LU_UMFPACK};
    for (int k = 0; k < 2; k++) {
        pm_block *b = blocks[k];
        double complex *x = malloc((size_t)b->size * sizeof *x), *y = malloc((size_t)b->size * sizeof *y);
        pm_steady_info info;
        pm_steady_options o = options(PM_STEADY_DIRECT);
        o.real_fold = PM_FOLD_OFF;
        solve_checked(b, &o, y, &info);
        CHECK(info.real_fold == 0);
        for (int l = 0; l < 3; l++) {
            o.lu = backends[l];
            o.real_fold = PM_FOLD_ON;
            solve_checked(b, &o, x, &info);
            CHECK(info.real_fold == 1);
            CHECK(max_difference(b->size, x, y) < 1e-13);
            int hermitian = 1;
            for (int64_t p = 0; p < b->size; p++)
                hermitian = hermitian && x[pm_block_find(b, b->col[p], b->row[p])] == conj(x[p]);
            CHECK(hermitian);
        }
        /* the default folds the coupled sectors only */
        o = options(PM_STEADY_DIRECT);
        CHECK_OK(pm_steady_solve(b, &o, x, &info));
        CHECK(info.real_fold == (b->sector == PM_SECTOR_COUPLED));
        /* the band LU is no backend of the fold */
        o.real_fold = PM_FOLD_ON;
        o.lu = PM_LU_BAND;
        pm_error_clear();
        CHECK(pm_steady_solve(b, &o, x, &info) == PM_EINVAL);
        CHECK(strstr(pm_error_message(), "real_fold") != NULL);
        o.real_fold = (pm_real_fold)9;
        o.lu = PM_LU_AUTO;
        CHECK(pm_steady_solve(b, &o, x, &info) == PM_EINVAL);
        /* break Hermiticity preservation in one entry off the diagonal */
        int64_t e = 0;
        while (e < pm_sparse_nnz(b->L) && cabs(b->L->values[e]) == 0) e++;
        for (int64_t q = 0; q < b->size; q++)
            for (int64_t kk = b->L->colptr[q]; kk < b->L->colptr[q + 1]; kk++)
                if (b->L->rowind[kk] != q && b->row[q] != b->col[q]) e = kk;
        double complex saved = b->L->values[e];
        b->L->values[e] *= 1.0 + 1e-6;
        fold_refused(b, x, "Hermitian");
        b->L->values[e] = saved;
        free(x), free(y);
    }
    pm_block_free(full), pm_block_free(coupled);
    pm_model_free(model);
    pm_sparse_free(a), pm_sparse_free(adag), pm_sparse_free(H);

    /* A hand-made "coupled" block holding rho_00, rho_11, rho_01 but not
     * rho_10: decay 1 -> 0 at rate 1, rho_01 dephasing at 1/2; steady
     * state rho_00 = 1. */
    pm_block *b = calloc(1, sizeof *b);
    REQUIRE(b);
    b->dim = 2, b->size = 3, b->sector = PM_SECTOR_COUPLED;
    b->row = malloc(3 * sizeof *b->row), b->col = malloc(3 * sizeof *b->col);
    b->key_sorted = malloc(3 * sizeof *b->key_sorted), b->key_pos = malloc(3 * sizeof *b->key_pos);
    const int64_t rows[] = {0, 1, 0}, cols[] = {0, 1, 1};
    for (int p = 0; p < 3; p++) b->row[p] = rows[p], b->col[p] = cols[p];
    /* keys row + 2 col: 0, 2, 3 */
    const int64_t keys[] = {0, 2, 3}, pos[] = {0, 2, 1};
    for (int p = 0; p < 3; p++) b->key_sorted[p] = keys[p], b->key_pos[p] = pos[p];
    const entry le[] = {{0, 1, 1.0}, {1, 1, -1.0}, {2, 2, -0.5}};
    b->L = matrix_from(3, 3, le);
    double complex x[3];
    fold_refused(b, x, "not closed under transposition");
    CHECK_CLOSE(creal(x[0]), 1.0, 1e-15);
    CHECK(cabs(x[1]) + cabs(x[2]) < 1e-15);
    pm_block_free(b);
}

static void test_defaults(void)
{
    pm_steady_options o;
    memset(&o, 0xff, sizeof o);
    pm_steady_options_default(&o);
    CHECK(o.method == PM_STEADY_DIRECT);
    CHECK(o.real_fold == PM_FOLD_AUTO);
    CHECK(o.arpack_tol == 0 && o.arpack_maxiter == 1000 && o.arpack_ncv == 20 && o.shift == 0);
}

/* A stop request: PM_EINTERRUPT from both methods, on either LU path. */
static void test_stop(void)
{
    const int64_t N = 30;
    pm_sparse *a, *adag, *H;
    oscillator(N, 0, 0, &a, &adag, &H);
    pm_jump jumps[] = {{3.0, a}, {1.0, adag}};
    pm_block *b = NULL;
    CHECK_OK(pm_liouvillian_full(H, 2, jumps, &b));
    double complex *x = malloc((size_t)b->size * sizeof *x);
    pm_stop_flag stop = 1;
    for (int m = 0; m < 2; m++) {
        pm_steady_options o = options(methods[m]);
        o.stop = &stop;
        CHECK(pm_steady_solve(b, &o, x, NULL) == PM_EINTERRUPT);
        CHECK(strstr(pm_error_message(), "stopped by caller") != NULL);
        o.lu = PM_LU_BAND;
        CHECK(pm_steady_solve(b, &o, x, NULL) == PM_EINTERRUPT);
    }
    pm_steady_options o = options(PM_STEADY_DIRECT);
    stop = 0;
    o.stop = &stop;
    CHECK_OK(pm_steady_solve(b, &o, x, NULL));
    free(x);
    pm_block_free(b);
    pm_sparse_free(a);
    pm_sparse_free(adag);
    pm_sparse_free(H);
}

/* Without dissipation every function of H is a steady state: both methods
 * refuse (direct: a singular LU; ARPACK: a second eigenvalue at 0), on the
 * sector and the full block (issue 12.13). */
static void test_nonunique(void)
{
    const char *keys[] = {"N", "gamma_m", "gamma_1", "gamma_2"}, *values[] = {"12", "0", "0", "0"};
    pm_params p = test_params_with(keys, values, 4);
    pm_model *model = NULL;
    REQUIRE_OK(pm_model_jc_alloc(&p, &model));
    const int64_t sectors[] = {0, PM_SECTOR_FULL};
    for (int k = 0; k < 2; k++) {
        pm_block *b = NULL;
        REQUIRE_OK(pm_model_block(model, sectors[k], &b));
        double complex *x = calloc((size_t)b->size, sizeof *x);
        REQUIRE(x != NULL);
        const pm_steady_method methods[] = {PM_STEADY_DIRECT, PM_STEADY_ARPACK};
        for (int m = 0; m < 2; m++) {
            pm_steady_options o = options(methods[m]);
            pm_steady_info info;
            pm_error_clear();
            CHECK(pm_steady_solve(b, &o, x, &info) == PM_ESOLVER);
            CHECK(strstr(pm_error_message(), "more than one steady state") != NULL);
        }
        free(x);
        pm_block_free(b);
    }
    pm_model_free(model);
}

int main(void)
{
    test_defaults();
    test_thermal_oscillator();
    test_coherent_state();
    test_trace_row();
    test_repin();
    test_backends_agree();
    test_jc_direct_vs_arpack();
    test_failure_paths();
    test_nonunique();
    test_real_fold();
    test_stop();
    return TEST_RESULT();
}
