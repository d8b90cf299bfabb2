/* Liouvillian builder: the sparse superoperator against a dense evaluation of
 * Eq. (B9), trace and hermiticity preservation, sector blocks against the full
 * matrix, the same sector from a wide charge range, and detection of terms
 * that break the excitation-number symmetry. */
#include <stdlib.h>
#include <string.h>

#include "phonomaser/model/model.h"
#include "phonomaser/model/space.h"
#include "testutil.h"

/* dense d x d helpers, column-major: m[i + j d] */
static void dense_from_sparse(const pm_sparse *a, double complex *m)
{
    int64_t d = a->nrows;
    for (int64_t k = 0; k < d * d; k++) m[k] = 0;
    for (int64_t c = 0; c < a->ncols; c++)
        for (int64_t k = a->colptr[c]; k < a->colptr[c + 1]; k++) m[a->rowind[k] + c * d] += a->values[k];
}

static void dense_mul(int64_t d, const double complex *a, const double complex *b, double complex *out)
{
    for (int64_t j = 0; j < d; j++)
        for (int64_t i = 0; i < d; i++) {
            double complex s = 0;
            for (int64_t m = 0; m < d; m++) s += a[i + m * d] * b[m + j * d];
            out[i + j * d] = s;
        }
}

static void dense_adjoint(int64_t d, const double complex *a, double complex *out)
{
    for (int64_t j = 0; j < d; j++)
        for (int64_t i = 0; i < d; i++) out[i + j * d] = conj(a[j + i * d]);
}

/* L rho evaluated term by term from Eq. (B9) with dense matrices */
static void dense_lindblad(const pm_model *model, const double complex *rho, double complex *out)
{
    int64_t d = model->dim;
    size_t bytes = (size_t)(d * d) * sizeof(double complex);
    double complex *h = malloc(bytes), *t1 = malloc(bytes), *t2 = malloc(bytes), *j = malloc(bytes),
                   *jd = malloc(bytes), *jdj = malloc(bytes);
    dense_from_sparse(model->H, h);
    dense_mul(d, h, rho, t1);
    dense_mul(d, rho, h, t2);
    for (int64_t k = 0; k < d * d; k++) out[k] = -I * (t1[k] - t2[k]);
    for (size_t m = 0; m < model->njump; m++) {
        double rate = model->jumps[m].rate;
        dense_from_sparse(model->jumps[m].op, j);
        dense_adjoint(d, j, jd);
        dense_mul(d, jd, j, jdj);
        dense_mul(d, j, rho, t1);
        dense_mul(d, t1, jd, t2);
        for (int64_t k = 0; k < d * d; k++) out[k] += rate * t2[k];
        dense_mul(d, jdj, rho, t1);
        dense_mul(d, rho, jdj, t2);
        for (int64_t k = 0; k < d * d; k++) out[k] -= 0.5 * rate * (t1[k] + t2[k]);
    }
    free(h), free(t1), free(t2), free(j), free(jd), free(jdj);
}

static pm_model *make_model(long N, double delta)
{
    pm_params params;
    pm_params_init(&params);
    params.N = N;
    params.delta = delta;
    params.n_th = 1.3;
    CHECK_OK(pm_params_derive(&params));
    pm_model *model = NULL;
    CHECK_OK(pm_model_jc_alloc(&params, &model));
    return model;
}

static void test_full_against_dense(void)
{
    pm_model *model = make_model(5, 123.0);
    int64_t d = model->dim;
    pm_block *full = NULL;
    CHECK_OK(pm_model_block(model, PM_SECTOR_FULL, &full));
    CHECK(full->size == d * d);
    /* a random Hermitian rho: Hermiticity is not needed for linearity, but
     * lets us check that L preserves it */
    double complex *rho = malloc((size_t)(d * d) * sizeof *rho);
    double complex *want = malloc((size_t)(d * d) * sizeof *want);
    double complex *got = malloc((size_t)(d * d) * sizeof *got);
    srand(7);
    for (int64_t j = 0; j < d; j++)
        for (int64_t i = 0; i <= j; i++) {
            double complex v = (rand() / (double)RAND_MAX - 0.5) + I * (i == j ? 0 : rand() / (double)RAND_MAX - 0.5);
            rho[i + j * d] = v;
            rho[j + i * d] = conj(v);
        }
    dense_lindblad(model, rho, want);
    pm_sparse_matvec(full->L, rho, got); /* column stacking: vec(rho)[i + j d] = rho_ij */
    double scale = 0, err = 0, herm = 0, trace = 0;
    for (int64_t k = 0; k < d * d; k++) {
        scale = fmax(scale, cabs(want[k]));
        err = fmax(err, cabs(got[k] - want[k]));
    }
    for (int64_t j = 0; j < d; j++) {
        trace += creal(got[j + j * d]);
        for (int64_t i = 0; i < d; i++) herm = fmax(herm, cabs(got[i + j * d] - conj(got[j + i * d])));
    }
    CHECK(scale > 1);
    CHECK(err <= 1e-12 * scale);
    CHECK(herm <= 1e-12 * scale);
    CHECK(fabs(trace) <= 1e-12 * scale);
    /* trace preservation column by column: sum of diagonal rows vanishes */
    double worst = 0;
    for (int64_t q = 0; q < full->size; q++) {
        double complex s = 0;
        for (int64_t k = full->L->colptr[q]; k < full->L->colptr[q + 1]; k++) {
            int64_t p = full->L->rowind[k];
            if (full->row[p] == full->col[p]) s += full->L->values[k];
        }
        worst = fmax(worst, cabs(s));
    }
    CHECK(worst <= 1e-12 * scale);
    free(rho), free(want), free(got);
    pm_block_free(full);
    pm_model_free(model);
}

static void test_sectors_are_submatrices(void)
{
    pm_model *model = make_model(6, -40.0);
    int64_t d = model->dim;
    pm_block *full = NULL;
    CHECK_OK(pm_model_block(model, PM_SECTOR_FULL, &full));
    int64_t total = 0, full_nnz_covered = 0;
    for (int64_t k = -(d / 2); k <= d / 2; k++) {
        pm_block *sector = NULL;
        pm_status s = pm_model_block(model, k, &sector);
        if (s != PM_OK) { /* only the charge range is allowed to be empty */
            CHECK(llabs(k) > model->N);
            continue;
        }
        total += sector->size;
        for (int64_t p = 0; p < sector->size; p++) {
            CHECK(pm_space_excitation(model->N, sector->row[p]) - pm_space_excitation(model->N, sector->col[p]) == k);
            CHECK(pm_block_find(sector, sector->row[p], sector->col[p]) == p);
        }
        /* every entry equals the full matrix entry, and the sector's columns
         * hold all nonzeros of the full columns (block diagonality) */
        for (int64_t q = 0; q < sector->size; q++) {
            int64_t fq = pm_block_find(full, sector->row[q], sector->col[q]);
            CHECK(full->L->colptr[fq + 1] - full->L->colptr[fq] == sector->L->colptr[q + 1] - sector->L->colptr[q]);
            for (int64_t e = sector->L->colptr[q]; e < sector->L->colptr[q + 1]; e++) {
                int64_t p = sector->L->rowind[e];
                int64_t fp = pm_block_find(full, sector->row[p], sector->col[p]);
                CHECK(sector->L->values[e] == pm_sparse_get(full->L, fp, fq));
                full_nnz_covered++;
            }
        }
        pm_block_free(sector);
    }
    CHECK(total == d * d);
    CHECK(full_nnz_covered == pm_sparse_nnz(full->L));
    /* the k = 0 sector is banded in its excitation ordering: couplings reach
     * only neighbouring excitation numbers */
    pm_block *zero = NULL;
    CHECK_OK(pm_model_block(model, 0, &zero));
    int64_t bandwidth = 0;
    for (int64_t q = 0; q < zero->size; q++)
        for (int64_t e = zero->L->colptr[q]; e < zero->L->colptr[q + 1]; e++)
            bandwidth = llabs(zero->L->rowind[e] - q) > bandwidth ? llabs(zero->L->rowind[e] - q) : bandwidth;
    CHECK(bandwidth <= 8);
    pm_block_free(zero);
    pm_block_free(full);
    pm_model_free(model);
}

/* The states sorted by charge two ways (liouvillian.c: counting sort over a
 * short charge range, comparison sort over a wide one) give the same block:
 * charges scaled by 1000 keep their order, and sector 1000 k is sector k. */
static void test_wide_charge_range(void)
{
    pm_model *model = make_model(5, -40.0);
    int64_t d = model->dim;
    int64_t *wide = malloc((size_t)d * sizeof *wide);
    REQUIRE(wide);
    for (int64_t i = 0; i < d; i++) wide[i] = 1000 * model->charge[i];
    for (int64_t k = -1; k <= 1; k++) {
        pm_block *narrow_block = NULL, *wide_block = NULL;
        REQUIRE_OK(pm_liouvillian_sector(model->H, model->njump, model->jumps, model->charge, k, &narrow_block));
        REQUIRE_OK(pm_liouvillian_sector(model->H, model->njump, model->jumps, wide, 1000 * k, &wide_block));
        REQUIRE(narrow_block->size == wide_block->size);
        int same = pm_sparse_nnz(narrow_block->L) == pm_sparse_nnz(wide_block->L);
        for (int64_t p = 0; p < narrow_block->size && same; p++)
            same = narrow_block->row[p] == wide_block->row[p] && narrow_block->col[p] == wide_block->col[p] &&
                   narrow_block->L->colptr[p + 1] == wide_block->L->colptr[p + 1];
        for (int64_t e = 0; e < pm_sparse_nnz(narrow_block->L) && same; e++)
            same = narrow_block->L->rowind[e] == wide_block->L->rowind[e] &&
                   narrow_block->L->values[e] == wide_block->L->values[e];
        CHECK(same);
        pm_block_free(narrow_block);
        pm_block_free(wide_block);
    }
    free(wide);
    pm_model_free(model);
}

static void test_symmetry_detection(void)
{
    pm_model *model = make_model(4, 0.0);
    CHECK_OK(pm_liouvillian_check_symmetry(model->H, model->njump, model->jumps, model->charge));
    /* a transverse field sigma_x breaks excitation-number conservation */
    pm_sparse *sp = NULL, *sm = NULL, *sx = NULL, *h = NULL, *a = NULL, *adag = NULL, *x = NULL;
    CHECK_OK(pm_space_operator(model->N, PM_OP_SIGMA_P, &sp));
    CHECK_OK(pm_space_operator(model->N, PM_OP_SIGMA_M, &sm));
    CHECK_OK(pm_sparse_add(1, sp, 1, sm, &sx));
    CHECK_OK(pm_sparse_add(1, model->H, 5.0, sx, &h));
    pm_block *block = NULL;
    CHECK(pm_liouvillian_sector(h, model->njump, model->jumps, model->charge, 0, &block) == PM_ESYMMETRY);
    CHECK(block == NULL);
    CHECK(strstr(pm_error_message(), "Hamiltonian") != NULL);
    /* a jump operator a + a^dag (position damping) also breaks it */
    CHECK_OK(pm_space_operator(model->N, PM_OP_A, &a));
    CHECK_OK(pm_space_operator(model->N, PM_OP_ADAG, &adag));
    CHECK_OK(pm_sparse_add(1, a, 1, adag, &x));
    pm_jump jumps[1] = {{2.0, x}};
    CHECK(pm_liouvillian_check_symmetry(model->H, 1, jumps, model->charge) == PM_ESYMMETRY);
    CHECK(strstr(pm_error_message(), "jump operator 0") != NULL);
    /* the full builder accepts anything */
    CHECK_OK(pm_liouvillian_full(h, 1, jumps, &block));
    pm_block_free(block);
    /* invalid rate */
    pm_jump bad[1] = {{-1.0, a}};
    CHECK(pm_liouvillian_full(model->H, 1, bad, &block) == PM_EINVAL);
    pm_sparse_free(sp), pm_sparse_free(sm), pm_sparse_free(sx), pm_sparse_free(h);
    pm_sparse_free(a), pm_sparse_free(adag), pm_sparse_free(x);
    pm_model_free(model);
}

int main(void)
{
    test_full_against_dense();
    test_sectors_are_submatrices();
    test_wide_charge_range();
    test_symmetry_detection();
    return TEST_RESULT();
}
