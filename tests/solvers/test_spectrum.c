/* Slowest eigenvalues of Liouvillian blocks (spectrum.h): the damped
 * oscillator's known spectrum, a dense LAPACK reference, trace of the
 * eigenvectors, the refined and the deflated runs against the plain one,
 * error paths. */
#include <complex.h>
#include <math.h>
#include <stdlib.h>

#include "phonomaser/model/model.h"
#include "phonomaser/solvers/spectrum.h"
#include "testutil.h"

/* LAPACK */
extern void zgeev_(const char *jobvl, const char *jobvr, const int *n, double complex *a, const int *lda,
                   double complex *w, double complex *vl, const int *ldvl, double complex *vr, const int *ldvr,
                   double complex *work, const int *lwork, double *rwork, int *info);

static pm_model *model_with(const char *const *keys, const char *const *values, int n)
{
    pm_params p;
    pm_params_init(&p);
    for (int k = 0; k < n; k++) CHECK_OK(pm_params_set(&p, keys[k], values[k]));
    CHECK_OK(pm_params_derive(&p));
    pm_model *model = NULL;
    CHECK_OK(pm_model_jc_alloc(&p, &model));
    return model;
}

/* Uncoupled spin (g = 0): the slowest modes are the damped oscillator's,
 * lambda = -gamma_m (j + |k|/2), j = 0, 1, 2, ... for any bath occupation. */
static void test_damped_oscillator(void)
{
    const char *keys[] = {"eta", "gamma_m", "n_th", "N"}, *values[] = {"0", "0.5", "2", "150"};
    pm_model *model = model_with(keys, values, 4);
    pm_block *b1 = NULL, *b0 = NULL;
    CHECK_OK(pm_model_block(model, 1, &b1));
    CHECK_OK(pm_model_block(model, 0, &b0));
    pm_spectrum_options opts;
    pm_spectrum_options_default(&opts);
    opts.nev = 3;
    opts.want_vectors = 1;
    pm_spectrum s1, s0;
    CHECK_OK(pm_spectrum_slowest(b1, &opts, &s1));
    CHECK_OK(pm_spectrum_slowest(b0, &opts, &s0));
    CHECK(s1.nev == 3 && s0.nev == 3);
    for (int j = 0; j < 3 && s1.nev == 3 && s0.nev == 3; j++) {
        /* truncation at N = 150 with n_th = 2: the low modes are exact to ~1e-10 */
        CHECK_CLOSE(creal(s1.eigenvalues[j]), -0.5 * (j + 0.5), 1e-8);
        CHECK_CLOSE(cimag(s1.eigenvalues[j]), 0.0, 1e-8);
        CHECK_CLOSE(creal(s0.eigenvalues[j]), -0.5 * j, 1e-8);
    }
    CHECK(s1.max_residual < 1e-9);
    /* the steady state has a trace, decaying modes do not */
    CHECK(cabs(pm_spectrum_trace(b0, &s0, 0)) > 1e-3);
    CHECK(cabs(pm_spectrum_trace(b0, &s0, 1)) < 1e-10);
    CHECK(cabs(pm_spectrum_trace(b1, &s1, 0)) == 0); /* no diagonal in k = 1 */
    /* deterministic */
    pm_spectrum again;
    CHECK_OK(pm_spectrum_slowest(b1, &opts, &again));
    for (int j = 0; j < 3 && again.nev == 3; j++) CHECK(again.eigenvalues[j] == s1.eigenvalues[j]);
    pm_spectrum_clear(&again);
    pm_spectrum_clear(&s1);
    pm_spectrum_clear(&s0);
    pm_block_free(b1);
    pm_block_free(b0);
    pm_model_free(model);
}

/* Coupled, detuned model on a small block: the eigenvalues ARPACK returns
 * are the nev eigenvalues of a dense LAPACK diagonalisation closest to the
 * shift. */
static void test_against_dense(void)
{
    const char *keys[] = {"eta", "gamma_m", "n_th", "N", "delta", "S", "gamma_1", "gamma_2"};
    const char *values[] = {"0.3", "2", "1", "8", "300", "0.4", "100", "150"};
    pm_model *model = model_with(keys, values, 8);
    for (int k = 0; k <= 2; k++) {
        pm_block *block = NULL;
        CHECK_OK(pm_model_block(model, k, &block));
        if (!block) continue;
        int n = (int)block->size, lwork = 4 * n, info = 0, one = 1;
        double complex *a = calloc((size_t)n * n, sizeof *a), *w = calloc((size_t)n, sizeof *w);
        double complex *work = calloc((size_t)lwork, sizeof *work), dummy;
        double *rwork = calloc(2 * (size_t)n, sizeof *rwork);
        for (int j = 0; j < n; j++)
            for (int64_t q = block->L->colptr[j]; q < block->L->colptr[j + 1]; q++)
                a[(size_t)j * n + (size_t)block->L->rowind[q]] = block->L->values[q]; /* column major */
        zgeev_("N", "N", &n, a, &n, w, &dummy, &one, &dummy, &one, work, &lwork, rwork, &info);
        CHECK(info == 0);
        pm_spectrum_options opts;
        pm_spectrum_options_default(&opts);
        opts.nev = 4;
        pm_spectrum s;
        CHECK_OK(pm_spectrum_slowest(block, &opts, &s));
        /* the 4 dense eigenvalues closest to the shift */
        int used[512] = {0};
        for (int pick = 0; pick < 4 && n <= 512; pick++) {
            int best = -1;
            for (int j = 0; j < n; j++)
                if (!used[j] && (best < 0 || cabs(w[j] - s.shift) < cabs(w[best] - s.shift))) best = j;
            used[best] = 1;
            double nearest = INFINITY;
            for (int j = 0; j < s.nev; j++) nearest = fmin(nearest, cabs(s.eigenvalues[j] - w[best]));
            CHECK(nearest < 1e-9 * (1 + cabs(w[best])));
        }
        for (int j = 1; j < s.nev; j++) CHECK(creal(s.eigenvalues[j]) <= creal(s.eigenvalues[j - 1])); /* slowest first */
        pm_spectrum_clear(&s);
        free(a), free(w), free(work), free(rwork);
        pm_block_free(block);
    }
    pm_model_free(model);
}

/* Largest |L_pp|: the scale of the backward error of every shift-invert
 * solve, eps max|L_pp|, and so of the accuracy of any eigenvalue from them. */
static double diagonal_scale(const pm_block *block)
{
    double largest = 0;
    for (int64_t p = 0; p < block->size; p++) largest = fmax(largest, cabs(pm_sparse_get(block->L, p, p)));
    return largest;
}

/* A maser above threshold (n_las ~ 60 at N = 200), detuned so that the
 * eigenvalues are complex: the slowest k = 1 mode (phase diffusion) and the
 * sector-0 relaxations, spaced like 1, 2, 3 as at the operating point. */
static pm_model *maser_model(void)
{
    const char *keys[] = {"eta", "S", "n_th", "delta", "N"}, *values[] = {"0.25", "0.01", "2", "300", "200"};
    return model_with(keys, values, 5);
}

/* refine_tol: the coarse run and the refinement about each eigenvalue give
 * the eigenvalues of the plain run to machine precision: within
 * 1e-14 max|L_pp| = 1.1e-11 1/s (measured 1e-14, and 2e-13 for the
 * deflated runs below), where another eigenvalue would be ~4e-2 1/s off. */
static void test_refinement(void)
{
    pm_model *model = maser_model();
    pm_block *b1 = NULL;
    REQUIRE_OK(pm_model_block(model, 1, &b1));
    const double tol = 1e-14 * diagonal_scale(b1);
    pm_spectrum_options opts;
    pm_spectrum_options_default(&opts);
    opts.nev = 3;
    pm_spectrum plain, fast;
    REQUIRE_OK(pm_spectrum_slowest(b1, &opts, &plain));
    opts.refine_tol = 1e-3;
    opts.arpack_ncv = 12;
    REQUIRE_OK(pm_spectrum_slowest(b1, &opts, &fast));
    CHECK(plain.refined == 0 && fast.refined == 1);
    CHECK(fast.operator_solves < plain.operator_solves);
    REQUIRE(plain.nev == 3 && fast.nev == 3);
    for (int j = 0; j < 3; j++) CHECK(cabs(fast.eigenvalues[j] - plain.eigenvalues[j]) < tol);
    CHECK(fabs(cimag(plain.eigenvalues[0])) > 1e-6); /* detuned: complex, a real test of the refinement */
    CHECK(fast.max_residual < 1e-9 * diagonal_scale(b1));
    pm_spectrum_clear(&plain);
    pm_spectrum_clear(&fast);
    pm_block_free(b1);
    pm_model_free(model);
}

/* Sector 0 with the steady state deflated (trace row as its left
 * eigenvector): one eigenvalue, the slowest decaying one of the plain run
 * (the eigenvector without trace), also from a starting vector and refined. */
static void test_deflation(void)
{
    pm_model *model = maser_model();
    pm_block *b0 = NULL;
    REQUIRE_OK(pm_model_block(model, 0, &b0));
    const int64_t n = b0->size;
    const double tol = 1e-14 * diagonal_scale(b0);
    pm_spectrum_options opts;
    pm_spectrum_options_default(&opts);
    opts.nev = 3;
    opts.want_vectors = 1;
    pm_spectrum plain;
    REQUIRE_OK(pm_spectrum_slowest(b0, &opts, &plain));
    REQUIRE(plain.nev == 3);
    int steady = 0;
    for (int j = 1; j < 3; j++)
        if (cabs(pm_spectrum_trace(b0, &plain, j)) > cabs(pm_spectrum_trace(b0, &plain, steady))) steady = j;
    const double complex slowest_decay = plain.eigenvalues[steady == 0 ? 1 : 0];
    CHECK(cabs(slowest_decay) > 1e-3); /* a decaying mode, not a second zero */
    double complex *rho = malloc((size_t)n * sizeof *rho), *trace_row = calloc((size_t)n, sizeof *trace_row);
    double complex *start = malloc((size_t)n * sizeof *start);
    REQUIRE(rho && trace_row && start);
    const double complex trace = pm_spectrum_trace(b0, &plain, steady);
    for (int64_t p = 0; p < n; p++) {
        rho[p] = plain.vectors[(int64_t)steady * n + p] / trace;
        trace_row[p] = b0->row[p] == b0->col[p];
        start[p] = (double)(b0->row[p] % 200) * rho[p]; /* n rho (Fock index: space.h) */
    }
    opts.nev = 1;
    opts.want_vectors = 0;
    opts.arpack_ncv = 6;
    opts.deflate_right = rho;
    opts.deflate_left = trace_row;
    for (int variant = 0; variant < 4; variant++) {
        /* 3: a start in the deflated direction (the steady state itself): nothing, or rounding, is left */
        opts.start = variant == 3 ? rho : variant >= 1 ? start : NULL;
        opts.refine_tol = variant == 2 ? 1e-3 : 0;
        pm_spectrum deflated;
        REQUIRE_OK(pm_spectrum_slowest(b0, &opts, &deflated));
        CHECK(deflated.nev == 1 && deflated.refined == (variant == 2));
        CHECK(cabs(deflated.eigenvalues[0] - slowest_decay) < tol);
        pm_spectrum_clear(&deflated);
    }
    /* errors: one vector without the other, l^H r = 0, a negative refine_tol */
    pm_spectrum bad;
    opts.start = NULL;
    opts.deflate_left = NULL;
    CHECK(pm_spectrum_slowest(b0, &opts, &bad) == PM_EINVAL);
    pm_spectrum_clear(&bad);
    opts.deflate_left = trace_row;
    for (int64_t p = 0; p < n; p++) start[p] = 0;
    start[b0->row[0] == b0->col[0] ? 0 : 1] = 1; /* r = e_p - e_q on two diagonal elements: zero trace */
    for (int64_t p = n - 1; p >= 0; p--)
        if (trace_row[p] != 0 && start[p] == 0) {
            start[p] = -1;
            break;
        }
    opts.deflate_right = start;
    CHECK(pm_spectrum_slowest(b0, &opts, &bad) == PM_EINVAL);
    pm_spectrum_clear(&bad);
    opts.deflate_right = rho;
    opts.refine_tol = -1;
    CHECK(pm_spectrum_slowest(b0, &opts, &bad) == PM_EINVAL);
    pm_spectrum_clear(&bad);
    free(rho), free(trace_row), free(start);
    pm_spectrum_clear(&plain);
    pm_block_free(b0);
    pm_model_free(model);
}

static void test_errors(void)
{
    const char *keys[] = {"N"}, *values[] = {"4"};
    pm_model *model = model_with(keys, values, 1);
    pm_block *block = NULL;
    CHECK_OK(pm_model_block(model, 1, &block));
    pm_spectrum_options opts;
    pm_spectrum_options_default(&opts);
    pm_spectrum s;
    opts.nev = 0;
    CHECK(pm_spectrum_slowest(block, &opts, &s) == PM_EINVAL);
    pm_spectrum_clear(&s);
    opts.nev = (int)block->size - 1;
    CHECK(pm_spectrum_slowest(block, &opts, &s) == PM_EINVAL);
    pm_spectrum_clear(&s);
    opts.nev = 2;
    opts.arpack_maxiter = 0;
    CHECK(pm_spectrum_slowest(block, &opts, &s) == PM_EINVAL);
    pm_spectrum_clear(&s);
    CHECK(pm_spectrum_slowest(NULL, &opts, &s) == PM_EINVAL);
    pm_spectrum_clear(&s);
    CHECK(isnan(creal(pm_spectrum_trace(block, &s, 0)))); /* no vectors */
    pm_block_free(block);
    pm_model_free(model);
}

int main(void)
{
    test_damped_oscillator();
    test_against_dense();
    test_refinement();
    test_deflation();
    test_errors();
    return TEST_RESULT();
}
