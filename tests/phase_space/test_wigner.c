/* Wigner functions (wigner.h): QuTiP's wigner on small states (N <= 100,
 * data/wigner_reference_qutip.txt), independent closed forms and
 * high-precision Laguerre values at N = 10^4 (data/wigner_reference_large.txt),
 * both made by tools/make_wigner_reference.py; normalisation and the
 * marginal against P(n) of the operating-point steady state (N ~ 4000);
 * sector / full / adjoint-implied storage giving the same W; error paths. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "phonomaser/drivers/converge.h"
#include "phonomaser/model/model.h"
#include "phonomaser/model/space.h"
#include "phonomaser/state/state.h"
#include "phonomaser/phase_space/wigner.h"
#include "phonomaser/core/constants.h"
#include "testutil.h"

#ifndef PM_DATA_DIR
#define PM_DATA_DIR "data"
#endif

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ------------------------------------------------------------ reference file */

typedef struct ref_case {
    char name[32];
    long N;
    size_t nz, np;
    double trace, n_mean;
    double *z, *p, *W;
} ref_case;

static int read_cases(const char *path, ref_case *cases, int max_cases)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return -1;
    }
    char word[64];
    int count = 0;
    while (fscanf(f, "%63s", word) == 1) {
        if (word[0] == '#') {
            int c;
            while ((c = fgetc(f)) != '\n' && c != EOF) {}
            continue;
        }
        if (strcmp(word, "case") != 0 || count == max_cases) break;
        ref_case *rc = &cases[count];
        if (fscanf(f, "%31s %ld %zu %zu trace %lf n_mean %lf", rc->name, &rc->N, &rc->nz, &rc->np, &rc->trace,
                   &rc->n_mean) != 6)
            break;
        rc->z = malloc(rc->nz * sizeof *rc->z);
        rc->p = malloc(rc->np * sizeof *rc->p);
        rc->W = malloc(rc->nz * rc->np * sizeof *rc->W);
        int ok = fscanf(f, " z") == 0;
        for (size_t i = 0; ok && i < rc->nz; i++) ok = fscanf(f, "%lf", &rc->z[i]) == 1;
        ok = ok && fscanf(f, " p") == 0;
        for (size_t i = 0; ok && i < rc->np; i++) ok = fscanf(f, "%lf", &rc->p[i]) == 1;
        for (size_t i = 0; ok && i < rc->nz * rc->np; i++) ok = fscanf(f, "%lf", &rc->W[i]) == 1;
        if (!ok) break;
        count++;
    }
    fclose(f);
    return count;
}

/* ------------------------------------------------------------ test states */

/* Coherent amplitudes c_n = e^{-|a|^2/2} a^n/sqrt(n!), as the script. */
static void coherent(long N, double complex alpha, double complex *c)
{
    c[0] = exp(-0.5 * creal(alpha * conj(alpha)));
    for (long n = 1; n < N; n++) c[n] = c[n - 1] * alpha / sqrt((double)n);
}

static void thermal(long N, double n_th, double *p)
{
    double q = n_th / (n_th + 1), total = 0;
    for (long n = 0; n < N; n++) total += (p[n] = (1 - q) * pow(q, (double)n));
    for (long n = 0; n < N; n++) p[n] /= total;
}

/* Full spin-Fock density matrix of the script's "cat" case (2N x 2N,
 * row-major). */
static double complex *cat_matrix(long N)
{
    long d = 2 * N;
    double complex *a1 = malloc((size_t)N * sizeof *a1), *a2 = malloc((size_t)N * sizeof *a2);
    double complex *a3 = malloc((size_t)N * sizeof *a3), *psi = malloc((size_t)d * sizeof *psi);
    double complex *rho = calloc((size_t)(d * d), sizeof *rho);
    double *pt = malloc((size_t)N * sizeof *pt);
    coherent(N, 2.5, a1);
    coherent(N, 2.5 * I, a2);
    coherent(N, -2.5, a3);
    double norm = 0;
    for (long n = 0; n < N; n++) {
        psi[n] = a1[n] + cexp(I * M_PI / 3) * a2[n] + 0.5 * a3[n];
        norm += creal(psi[n] * conj(psi[n]));
    }
    coherent(N, -1.0 + 3.0 * I, a1);
    for (long n = 0; n < N; n++) {
        psi[n] /= sqrt(norm) * sqrt(2.0);
        psi[N + n] = a1[n] / sqrt(2.0);
    }
    for (long i = 0; i < d; i++)
        for (long j = 0; j < d; j++) rho[i * d + j] = 0.7 * psi[i] * conj(psi[j]);
    thermal(N, 1.5, pt);
    for (long n = 0; n < N; n++) rho[(N + n) * d + N + n] += 0.3 * pt[n];
    free(a1), free(a2), free(a3), free(psi), free(pt);
    return rho;
}

/* A state on the given sectors (or the full block) with elements from a
 * dense 2N x 2N matrix. */
static pm_state *state_from_dense(const pm_model *model, size_t nblocks, pm_block **blocks,
                                  const double complex *rho, int adjoint_implied)
{
    pm_state *state = NULL;
    CHECK_OK(pm_state_alloc(model->N, nblocks, (const pm_block *const *)blocks, &state));
    if (!state) return NULL;
    long d = 2 * model->N;
    for (size_t b = 0; b < nblocks; b++)
        for (int64_t q = 0; q < blocks[b]->size; q++)
            state->x[b][q] = rho[blocks[b]->row[q] * d + blocks[b]->col[q]];
    state->adjoint_implied = adjoint_implied;
    return state;
}

static double max_abs_diff(size_t n, const double *a, const double *b)
{
    double worst = 0;
    for (size_t i = 0; i < n; i++) worst = fmax(worst, fabs(a[i] - b[i]));
    return worst;
}

/* ------------------------------------------------------------ QuTiP cases */

static void compare(const ref_case *rc, const double *W, const char *how, double tol)
{
    double diff = max_abs_diff(rc->nz * rc->np, W, rc->W);
    printf("  %-9s %-28s N = %3ld: max |W - W_qutip| = %.2e\n", rc->name, how, rc->N, diff);
    CHECK(diff <= tol);
}

static void test_qutip_case(const ref_case *rc)
{
    const long N = rc->N;
    size_t npts = rc->nz * rc->np;
    double *W = malloc(npts * sizeof *W);
    pm_wigner_path used = PM_WIGNER_AUTO;
    pm_model *model = test_default_model(N);
    if (!model) return;
    const double tol = 1e-10; /* the target; measured values are printed */

    if (!strcmp(rc->name, "fock30") || !strcmp(rc->name, "thermal")) {
        /* phase invariant: the state on sector 0, radial path; the general
         * path on the same state must agree */
        pm_block *block = NULL;
        CHECK_OK(pm_model_block(model, 0, &block));
        pm_state *state = NULL;
        CHECK_OK(pm_state_alloc(N, 1, (const pm_block *const *)&block, &state));
        pm_initial init;
        pm_params params;
        pm_params_init(&params);
        if (!strcmp(rc->name, "fock30")) {
            pm_initial_default(&params, PM_INITIAL_FOCK, &init);
            init.fock_n = 30;
            init.p_up = 0.0;
        } else {
            pm_initial_default(&params, PM_INITIAL_THERMAL, &init);
            init.n_th = 2.5;
            init.p_up = 0.6;
        }
        pm_state_fill_initial(state, &init);
        CHECK_OK(pm_wigner_grid(state, rc->nz, rc->z, rc->np, rc->p, W, &used));
        CHECK(used == PM_WIGNER_RADIAL);
        compare(rc, W, "sector 0, radial", tol);
        pm_wigner_mech *mech = NULL;
        CHECK_OK(pm_wigner_mech_from_state(state, &mech));
        CHECK(mech && mech->kmax == 0);
        double *Wg = malloc(npts * sizeof *Wg);
        CHECK_OK(pm_wigner_grid_mech(mech, PM_WIGNER_GENERAL, rc->nz, rc->z, rc->np, rc->p, Wg));
        compare(rc, Wg, "sector 0, general path", tol);
        CHECK(max_abs_diff(npts, W, Wg) <= 1e-15);
        /* the marginal of a phase-invariant state does not depend on the
         * quadrature: integral W dp at z = p-marginal at the same value */
        free(Wg);
        pm_wigner_mech_free(mech);
        pm_state_free(state);
        pm_block_free(block);
    } else if (!strcmp(rc->name, "sparse_k")) {
        /* mechanical matrix with coherences at k = 3 and 7 only */
        double complex *rho = calloc((size_t)(N * N), sizeof *rho);
        double *pt = malloc((size_t)N * sizeof *pt);
        thermal(N, 4.0, pt);
        for (long m = 0; m < N; m++) rho[m * N + m] = pt[m];
        const long ks[2] = {3, 7};
        const double amps[2] = {0.4, -0.25}, freqs[2] = {0.3, -0.7};
        for (int t = 0; t < 2; t++)
            for (long m = 0; m + ks[t] < N; m++) {
                double complex v = amps[t] * cexp(I * freqs[t] * (double)m) * sqrt(pt[m] * pt[m + ks[t]]);
                rho[m * N + m + ks[t]] = v;
                rho[(m + ks[t]) * N + m] = conj(v);
            }
        pm_wigner_mech *mech = NULL;
        CHECK_OK(pm_wigner_mech_from_dense(N, rho, &mech));
        CHECK(mech && mech->kmax == 7 && mech->diag[3] && !mech->diag[4] && mech->diag[7]);
        CHECK(pm_wigner_choose_path(mech) == PM_WIGNER_GENERAL);
        CHECK_OK(pm_wigner_grid_mech(mech, PM_WIGNER_AUTO, rc->nz, rc->z, rc->np, rc->p, W));
        compare(rc, W, "dense, general", tol);
        /* the radial path refuses a state with coherences */
        CHECK(pm_wigner_grid_mech(mech, PM_WIGNER_RADIAL, rc->nz, rc->z, rc->np, rc->p, W) == PM_EINVAL);
        pm_wigner_mech_free(mech);
        free(rho);
        free(pt);
    } else {
        /* coherent or cat: full block, all sectors, and sectors k >= 0 with
         * adjoint_implied must give the same W */
        long d = 2 * N;
        double complex *rho = NULL;
        if (!strcmp(rc->name, "cat")) {
            rho = cat_matrix(N);
        } else {
            rho = calloc((size_t)(d * d), sizeof *rho);
            double complex *c = malloc((size_t)N * sizeof *c);
            coherent(N, 3.0 + 2.0 * I, c);
            for (long m = 0; m < N; m++)
                for (long n = 0; n < N; n++) {
                    rho[m * d + n] = 0.3 * c[m] * conj(c[n]);
                    rho[(N + m) * d + N + n] = 0.7 * c[m] * conj(c[n]);
                }
            free(c);
        }
        double trace = 0, n_mean = 0;
        for (long i = 0; i < d; i++) {
            trace += creal(rho[i * d + i]);
            n_mean += (double)pm_space_fock(N, i) * creal(rho[i * d + i]);
        }
        CHECK_CLOSE(trace, rc->trace, 1e-13);
        CHECK_CLOSE(n_mean, rc->n_mean, 1e-12);

        pm_block *full = NULL;
        CHECK_OK(pm_model_block(model, PM_SECTOR_FULL, &full));
        pm_state *state = state_from_dense(model, 1, &full, rho, 0);
        double t0 = wall();
        CHECK_OK(pm_wigner_grid(state, rc->nz, rc->z, rc->np, rc->p, W, &used));
        double seconds = wall() - t0;
        CHECK(used == PM_WIGNER_GENERAL);
        compare(rc, W, "full block, general", tol);
        printf("  %-9s general path, %zu points, kmax %ld: %.3f s\n", rc->name, npts, N - 1, seconds);
        pm_state_free(state);
        pm_block_free(full);

        /* sectors: e_i - e_j = k in -N..N */
        size_t nsec = (size_t)(2 * N + 1);
        pm_block **blocks = calloc(nsec, sizeof *blocks);
        for (size_t b = 0; b < nsec; b++) CHECK_OK(pm_model_block(model, (int64_t)b - N, &blocks[b]));
        double *W2 = malloc(npts * sizeof *W2);
        state = state_from_dense(model, nsec, blocks, rho, 0);
        CHECK_OK(pm_wigner_grid(state, rc->nz, rc->z, rc->np, rc->p, W2, &used));
        compare(rc, W2, "sectors -N..N", tol);
        CHECK(max_abs_diff(npts, W, W2) <= 1e-15);
        pm_state_free(state);
        /* k >= 0 only: with adjoint_implied the same; without it the
         * coherences of the Hermitian part are halved */
        state = state_from_dense(model, (size_t)N + 1, blocks + N, rho, 1);
        CHECK_OK(pm_wigner_grid(state, rc->nz, rc->z, rc->np, rc->p, W2, &used));
        compare(rc, W2, "sectors 0..N, adjoint implied", tol);
        pm_wigner_mech *implied = NULL, *halved = NULL;
        CHECK_OK(pm_wigner_mech_from_state(state, &implied));
        state->adjoint_implied = 0;
        CHECK_OK(pm_wigner_mech_from_state(state, &halved));
        if (implied && halved) {
            CHECK(implied->kmax == halved->kmax && implied->kmax > 0);
            double worst = 0;
            for (int64_t k = 0; k <= implied->kmax; k++)
                for (int64_t m = 0; implied->diag[k] && m < N - k; m++)
                    worst = fmax(worst, cabs((k ? 0.5 : 1.0) * implied->diag[k][m] - halved->diag[k][m]));
            CHECK(worst == 0);
        }
        /* the same elements as triplets (as read from an HDF5 file) */
        size_t count = 0;
        for (size_t b = 0; b < state->nblocks; b++) count += (size_t)state->blocks[b]->size;
        int64_t *trow = malloc(count * sizeof *trow), *tcol = malloc(count * sizeof *tcol);
        double complex *tval = malloc(count * sizeof *tval);
        count = 0;
        for (size_t b = 0; b < state->nblocks; b++)
            for (int64_t q = 0; q < state->blocks[b]->size; q++, count++) {
                trow[count] = state->blocks[b]->row[q];
                tcol[count] = state->blocks[b]->col[q];
                tval[count] = state->x[b][q];
            }
        pm_wigner_mech *from_triplets = NULL;
        CHECK_OK(pm_wigner_mech_from_triplets(d, count, trow, tcol, tval, 1, &from_triplets));
        if (from_triplets && implied) {
            CHECK(from_triplets->kmax == implied->kmax);
            int same = 1;
            for (int64_t k = 0; k <= implied->kmax && same; k++)
                for (int64_t m = 0; implied->diag[k] && from_triplets->diag[k] && m < N - k; m++)
                    same &= from_triplets->diag[k][m] == implied->diag[k][m];
            CHECK(same);
        }
        pm_wigner_mech *rejected = NULL;
        CHECK(pm_wigner_mech_from_triplets(d + 1, count, trow, tcol, tval, 1, &rejected) == PM_EINVAL);
        trow[0] = d;
        CHECK(pm_wigner_mech_from_triplets(d, count, trow, tcol, tval, 1, &rejected) == PM_EINVAL);
        CHECK(strstr(pm_error_message(), "outside") != NULL && rejected == NULL);
        free(trow), free(tcol), free(tval);
        pm_wigner_mech_free(from_triplets);
        pm_wigner_mech_free(implied);
        pm_wigner_mech_free(halved);
        pm_state_free(state);
        for (size_t b = 0; b < nsec; b++) pm_block_free(blocks[b]);
        free(blocks);
        free(W2);
        free(rho);
    }
    pm_model_free(model);
    free(W);
}

/* ------------------------------------------------------------ large N */

/* Poisson P(n), mean nbar, from the library's accurate coherent amplitudes. */
static double *poisson(long N, double nbar)
{
    pm_params params;
    pm_params_init(&params);
    pm_initial init;
    pm_initial_default(&params, PM_INITIAL_COHERENT, &init);
    init.alpha = sqrt(nbar);
    init.p_up = 1.0;
    double *p = malloc((size_t)N * sizeof *p);
    for (long n = 0; n < N; n++) p[n] = creal(pm_initial_element(&init, N, n, n));
    return p;
}

static void test_large_reference(void)
{
    FILE *f = fopen(PM_DATA_DIR "/wigner_reference_large.txt", "r");
    CHECK(f != NULL);
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char name[32];
        long N;
        size_t nr;
        double r_w, r_pr;
        if (sscanf(line, "ring %31s %lf %lf", name, &r_w, &r_pr) == 3) {
            double *p = poisson(strcmp(name, "poisson5000") ? 4000 : 10000, strcmp(name, "poisson5000") ? 1500 : 5000);
            pm_wigner_ring ring;
            double t0 = wall();
            CHECK_OK(pm_wigner_ring_find(p, strcmp(name, "poisson5000") ? 4000 : 10000, &ring));
            printf("  ring %-12s r_peak_W = %.12f (error %.1e), r_peak_Pr = %.12f (error %.1e), %.3f s\n", name,
                   ring.r_peak_w, ring.r_peak_w - r_w, ring.r_peak_pr, ring.r_peak_pr - r_pr, wall() - t0);
            CHECK(fabs(ring.r_peak_w - r_w) < 1e-11);
            CHECK(fabs(ring.r_peak_pr - r_pr) < 1e-11);
            free(p);
            continue;
        }
        if (sscanf(line, "radial %31s %ld %zu", name, &N, &nr) != 3) continue;
        double *r = malloc(nr * sizeof *r), *ref = malloc(nr * sizeof *ref), *W = malloc(nr * sizeof *W);
        for (size_t i = 0; i < nr; i++)
            if (!fgets(line, sizeof line, f) || sscanf(line, "%lf %lf", &r[i], &ref[i]) != 2) CHECK(0);
        double *p = NULL;
        if (!strcmp(name, "fock9999")) {
            p = calloc((size_t)N, sizeof *p);
            p[9999] = 1.0;
        } else {
            p = poisson(N, strcmp(name, "poisson5000") ? 1500.0 : 5000.0);
        }
        CHECK_OK(pm_wigner_radial(p, N, nr, r, W));
        /* The radial sum cancels to 1e-16 of its terms wherever W is far
         * below its maximum (the ring's flanks, the inside), so the error is
         * absolute, on the scale of max |W|; relative accuracy holds near
         * the ring (|W| > 1e-3 max). */
        double scale = 0, abs_err = 0, rel_err = 0;
        for (size_t i = 0; i < nr; i++) scale = fmax(scale, fabs(ref[i]));
        for (size_t i = 0; i < nr; i++) {
            abs_err = fmax(abs_err, fabs(W[i] - ref[i]));
            if (fabs(ref[i]) > 1e-3 * scale) rel_err = fmax(rel_err, fabs(W[i] - ref[i]) / fabs(ref[i]));
        }
        printf("  %-12s N = %5ld: max |W - W_ref| / max |W| = %.2e, max relative error where |W| > 1e-3 max: %.2e\n",
               name, N, abs_err / scale, rel_err);
        CHECK(abs_err <= 1e-13 * scale);
        CHECK(rel_err <= 1e-10);
        free(p), free(r), free(ref), free(W);
    }
    fclose(f);
}

/* Beyond sqrt(x) = 2 sqrt(N) + 40 the library returns 0 without evaluating:
 * just inside, the most extended Fock function must already be < 1e-300. */
static void test_outer_limit(void)
{
    const long Ns[2] = {100, 10000};
    for (int t = 0; t < 2; t++) {
        long N = Ns[t];
        double *p = calloc((size_t)N, sizeof *p);
        p[N - 1] = 1.0;
        double r[2] = {(2 * sqrt((double)N) + 39.99) / sqrt(2.0), (2 * sqrt((double)N) + 40.01) / sqrt(2.0)}, W[2];
        CHECK_OK(pm_wigner_radial(p, N, 2, r, W));
        CHECK(fabs(W[0]) < 1e-300 && W[1] == 0);
        free(p);
    }
}

/* The maser steady state at the operating point (N = auto): W on a grid is
 * normalised, and its p-marginal equals sum_n P(n) psi_n(z)^2. */
static void test_operating_point(void)
{
    pm_params params;
    pm_params_init(&params); /* Table I: eta = 0.1, S = 0.2, n_th = 5 */
    params.N = PM_N_AUTO;
    CHECK_OK(pm_params_derive(&params));
    pm_converge_options opts;
    pm_converge_options_default(&opts);
    pm_converge_result result;
    memset(&result, 0, sizeof result);
    CHECK_OK(pm_converge_auto(TEST_DESC(&params), &opts, &result));
    if (!result.final.state) return;
    const pm_state *state = result.final.state;
    const long N = (long)state->N;
    const double *p_n = result.final.obs.p_n;
    printf("  operating point: N = %ld, <n> = %.4f\n", N, result.final.obs.n_mean);

    /* 400 x 400 grid covering 1.3 x the ring, symmetric (z[399 - i] = -z[i]
     * exactly, so points share radii as in `phonomaser wigner`) */
    pm_wigner_ring ring;
    CHECK_OK(pm_wigner_ring_find(p_n, N, &ring));
    size_t n = 400;
    double step = 2 * 1.3 * ring.r_peak_w / (double)(n - 1);
    double *z = malloc(n * sizeof *z), *W = malloc(n * n * sizeof *W);
    for (size_t i = 0; i < n; i++) z[i] = ((double)i - 0.5 * (double)(n - 1)) * step;
    pm_wigner_path used;
    double t0 = wall();
    CHECK_OK(pm_wigner_grid(state, n, z, n, z, W, &used));
    double seconds = wall() - t0;
    CHECK(used == PM_WIGNER_RADIAL);
    double wmin = W[0], wmax = W[0];
    for (size_t q = 0; q < n * n; q++) wmin = fmin(wmin, W[q]), wmax = fmax(wmax, W[q]);
    printf("  400 x 400 grid: %.3f s, W in [%.3e, %.3e], ring r_W = %.6f, r_Pr = %.6f\n", seconds, wmin, wmax,
           ring.r_peak_w, ring.r_peak_pr);
    CHECK(wmax > 0);
    free(W), free(z);

    /* normalisation: trapezoid rule (spectrally accurate for this smooth,
     * rapidly decaying W) on a grid wider than the ring by 10 widths */
    double h = 0.25;
    long half = (long)ceil((ring.r_peak_pr + 25.0) / h);
    size_t m = (size_t)(2 * half + 1);
    z = malloc(m * sizeof *z);
    W = malloc(m * m * sizeof *W);
    for (size_t i = 0; i < m; i++) z[i] = h * (double)((long)i - half);
    t0 = wall();
    CHECK_OK(pm_wigner_grid(state, m, z, m, z, W, NULL));
    double integral = 0;
    for (size_t q = 0; q < m * m; q++) integral += W[q];
    integral *= h * h;
    printf("  normalisation on %zu x %zu points (h = %.2f): integral W = %.15f (%.3f s)\n", m, m, h, integral,
           wall() - t0);
    CHECK_CLOSE(integral, 1.0, 1e-10);

    /* marginal: integral W(z, p) dp from the same grid rows vs Hermite */
    pm_wigner_mech *mech = NULL;
    CHECK_OK(pm_wigner_mech_from_state(state, &mech));
    double *marg = malloc(m * sizeof *marg);
    CHECK_OK(pm_wigner_marginal_z(mech, m, z, marg));
    double worst = 0, peak = 0, mass = 0;
    for (size_t i = 0; i < m; i++) {
        double row = 0;
        for (size_t j = 0; j < m; j++) row += W[i * m + j];
        row *= h;
        worst = fmax(worst, fabs(row - marg[i]));
        peak = fmax(peak, marg[i]);
        mass += marg[i] * h;
    }
    printf("  marginal: max |int W dp - sum P(n) psi_n(z)^2| = %.2e (peak %.3e), integral %.15f\n", worst, peak,
           mass);
    CHECK(worst <= 1e-12 * peak);
    CHECK_CLOSE(mass, 1.0, 1e-10);
    free(marg), free(W), free(z);
    pm_wigner_mech_free(mech);
    pm_converge_result_clear(&result);
}

/* A synthetic P(n) with mean 1500 at N = 4000 (super-Poissonian: a Gaussian
 * of width 120), phase invariant: radial and general paths agree, and the
 * marginal of the radial W matches the Hermite form. */
static void test_synthetic_paths(void)
{
    const long N = 4000;
    double *p = malloc((size_t)N * sizeof *p), total = 0;
    for (long n = 0; n < N; n++) total += (p[n] = exp(-0.5 * pow(((double)n - 1500.0) / 120.0, 2)));
    for (long n = 0; n < N; n++) p[n] /= total;
    pm_wigner_mech *mech = NULL;
    CHECK_OK(pm_wigner_mech_from_populations(N, p, &mech));
    size_t nz = 9, np = 7;
    double z[9], pp[7], Wr[63], Wg[63];
    for (size_t i = 0; i < nz; i++) z[i] = 40.0 + 2.1 * (double)i;
    for (size_t i = 0; i < np; i++) pp[i] = -30.0 + 9.3 * (double)i;
    CHECK_OK(pm_wigner_grid_mech(mech, PM_WIGNER_RADIAL, nz, z, np, pp, Wr));
    CHECK_OK(pm_wigner_grid_mech(mech, PM_WIGNER_GENERAL, nz, z, np, pp, Wg));
    double scale = 0;
    for (size_t q = 0; q < nz * np; q++) scale = fmax(scale, fabs(Wr[q]));
    CHECK(max_abs_diff(nz * np, Wr, Wg) <= 1e-15 * scale);
    /* the radial W at r = sqrt(z^2 + p^2) */
    double r = sqrt(z[3] * z[3] + pp[2] * pp[2]), W1;
    CHECK_OK(pm_wigner_radial(p, N, 1, &r, &W1));
    CHECK_CLOSE(W1, Wr[3 * np + 2], 1e-16);
    pm_wigner_mech_free(mech);
    free(p);
}

/* The z-marginal of a state with coherences: a coherent state |alpha>
 * has <z|rho|z> = exp(-(z - sqrt(2) Re alpha)^2) / sqrt(pi). */
static void test_marginal_coherent(void)
{
    const long N = 80;
    const double complex alpha = 3.0 - 2.5 * I;
    double complex *c = malloc((size_t)N * sizeof *c), *rho = malloc((size_t)(N * N) * sizeof *rho);
    coherent(N, alpha, c);
    for (long m = 0; m < N; m++)
        for (long n = 0; n < N; n++) rho[m * N + n] = c[m] * conj(c[n]);
    pm_wigner_mech *mech = NULL;
    CHECK_OK(pm_wigner_mech_from_dense(N, rho, &mech));
    double z[7] = {-2.0, 0.0, 2.5, 4.2426406871192848, 5.0, 7.5, 12.0}, out[7];
    CHECK_OK(pm_wigner_marginal_z(mech, 7, z, out));
    double worst = 0;
    for (int i = 0; i < 7; i++) {
        double exact = exp(-pow(z[i] - sqrt(2.0) * creal(alpha), 2)) / sqrt(M_PI);
        worst = fmax(worst, fabs(out[i] - exact));
    }
    printf("  coherent state, N = %ld: max |<z|rho|z> - Gaussian| = %.2e\n", N, worst);
    CHECK(worst <= 1e-14);
    pm_wigner_mech_free(mech);
    free(c), free(rho);
}

static void test_errors(void)
{
    double p1[3] = {0.5, 0.3, 0.2}, z[2] = {0, 1}, W[4], r = 1.0;
    pm_wigner_mech *mech = NULL;
    CHECK(pm_wigner_mech_from_populations(0, p1, &mech) == PM_EINVAL && mech == NULL);
    CHECK_OK(pm_wigner_mech_from_populations(3, p1, &mech));
    CHECK(pm_wigner_grid_mech(mech, PM_WIGNER_AUTO, 0, z, 2, z, W) == PM_EINVAL);
    double bad[2] = {0, NAN};
    CHECK(pm_wigner_grid_mech(mech, PM_WIGNER_AUTO, 2, bad, 2, z, W) == PM_EINVAL);
    CHECK(strstr(pm_error_message(), "z[1]") != NULL);
    CHECK(pm_wigner_grid_mech(mech, PM_WIGNER_AUTO, 2, z, 2, bad, W) == PM_EINVAL);
    double negative = -1;
    CHECK(pm_wigner_radial(p1, 3, 1, &negative, W) == PM_EINVAL);
    double pnan[2] = {1, NAN};
    CHECK(pm_wigner_radial(pnan, 2, 1, &r, W) == PM_EINVAL);
    double zero[3] = {0, 0, 0};
    pm_wigner_ring ring;
    CHECK(pm_wigner_ring_find(zero, 3, &ring) == PM_EINVAL);
    CHECK(pm_wigner_marginal_z(mech, 2, bad, W) == PM_EINVAL);
    CHECK(strcmp(pm_wigner_path_name(PM_WIGNER_RADIAL), "radial") == 0);
    /* the vacuum: W = e^{-r^2}/pi, a Fock state n = 1: (2 r^2 - 1) e^{-r^2}/pi */
    double vac[2] = {1, 0}, one[2] = {0, 1}, rr[3] = {0, 0.8, 3.0}, W3[3];
    CHECK_OK(pm_wigner_radial(vac, 2, 3, rr, W3));
    for (int i = 0; i < 3; i++) CHECK_CLOSE(W3[i], exp(-rr[i] * rr[i]) / M_PI, 1e-16);
    CHECK_OK(pm_wigner_radial(one, 2, 3, rr, W3));
    for (int i = 0; i < 3; i++) CHECK_CLOSE(W3[i], (2 * rr[i] * rr[i] - 1) * exp(-rr[i] * rr[i]) / M_PI, 1e-16);
    pm_wigner_mech_free(mech);
}

/* The image of a thermal state, n_th = 1 (N = 60 holds it to 1e-17):
 * W = exp(-r^2/(2 n_th + 1)) / (pi (2 n_th + 1)), so W(0) = 1/(3 pi) at the
 * centre of an odd grid, the grid integral is 1 (the automatic range holds
 * all but 1e-6), the radial profile equals the closed form and P_r
 * integrates to 1; too few points and an interruption are errors. */
static void test_image_thermal(void)
{
    const int64_t N = 60;
    double p_n[60];
    for (int64_t n = 0; n < N; n++) p_n[n] = 0.5 * pow(0.5, (double)n);
    pm_wigner_mech *mech = NULL;
    REQUIRE_OK(pm_wigner_mech_from_populations(N, p_n, &mech));
    pm_wigner_image image;
    REQUIRE_OK(pm_wigner_image_compute(mech, 101, 0, NULL, &image));
    CHECK(image.points == 101 && image.z[50] == 0 && image.z[0] == -image.z[100] && image.range > 4);
    CHECK_CLOSE(image.W[50 * 101 + 50], 1 / (3 * PM_PI), 1e-12);
    CHECK_CLOSE(image.W_max, 1 / (3 * PM_PI), 1e-12);
    CHECK(fabs(image.integral - 1) < 1e-5);
    double worst = 0, pr_integral = 0;
    for (size_t i = 0; i < image.nradial; i++) {
        double r = image.radial_r[i];
        worst = fmax(worst, fabs(image.radial_W[i] - exp(-r * r / 3) / (3 * PM_PI)));
        if (i > 0) pr_integral += 0.5 * (image.radial_P[i] + image.radial_P[i - 1]) * (r - image.radial_r[i - 1]);
    }
    CHECK(worst < 1e-12);
    CHECK(fabs(pr_integral - 1) < 1e-3);
    pm_wigner_image_clear(&image);
    pm_wigner_image bad;
    CHECK(pm_wigner_image_compute(mech, 1, 0, NULL, &bad) == PM_EINVAL);
    pm_wigner_image_clear(&bad);
    pm_stop_flag stop = 1;
    pm_wigner_image stopped;
    CHECK(pm_wigner_image_compute(mech, 101, 0, &stop, &stopped) == PM_EINTERRUPT);
    pm_wigner_image_clear(&stopped);
    pm_wigner_mech_free(mech);
}

int main(void)
{
    test_image_thermal();
    ref_case cases[8];
    memset(cases, 0, sizeof cases);
    int count = read_cases(PM_DATA_DIR "/wigner_reference_qutip.txt", cases, 8);
    CHECK(count == 5);
    printf("QuTiP reference (N <= 100):\n");
    for (int c = 0; c < count; c++) test_qutip_case(&cases[c]);
    for (int c = 0; c < count; c++) free(cases[c].z), free(cases[c].p), free(cases[c].W);
    printf("large N, independent references:\n");
    test_large_reference();
    test_outer_limit();
    test_synthetic_paths();
    test_marginal_coherent();
    test_errors();
    printf("operating point:\n");
    test_operating_point();
    return TEST_RESULT();
}
