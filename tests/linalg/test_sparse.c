/* Sparse matrices: assembly from triplets (duplicates summed, zeros dropped,
 * rows sorted), and every operation against the same operation on dense
 * copies of random matrices. */
#include <stdlib.h>

#include "phonomaser/linalg/sparse.h"
#include "testutil.h"

/* random sparse matrix with about `fill` of its entries set, plus its dense copy */
static pm_sparse *random_matrix(int64_t rows, int64_t cols, double fill, double complex *dense)
{
    pm_triplets *t = pm_triplets_alloc(rows, cols, 4);
    for (int64_t k = 0; k < rows * cols; k++) dense[k] = 0;
    for (int64_t j = 0; j < cols; j++)
        for (int64_t i = 0; i < rows; i++)
            if (rand() / (double)RAND_MAX < fill) {
                double complex v = (rand() / (double)RAND_MAX - 0.5) + I * (rand() / (double)RAND_MAX - 0.5);
                /* split each entry into two duplicates to exercise the summation */
                CHECK_OK(pm_triplets_add(t, i, j, 0.25 * v));
                CHECK_OK(pm_triplets_add(t, i, j, 0.75 * v));
                dense[i + j * rows] = v;
            }
    pm_sparse *a = NULL;
    CHECK_OK(pm_sparse_from_triplets(t, &a));
    pm_triplets_free(t);
    return a;
}

static double max_error(const pm_sparse *a, const double complex *dense)
{
    double worst = 0;
    for (int64_t j = 0; j < a->ncols; j++) {
        for (int64_t k = a->colptr[j]; k < a->colptr[j + 1]; k++) {
            if (k > a->colptr[j]) CHECK(a->rowind[k] > a->rowind[k - 1]); /* sorted, no duplicates */
            CHECK(a->values[k] != 0);
        }
        for (int64_t i = 0; i < a->nrows; i++)
            worst = fmax(worst, cabs(pm_sparse_get(a, i, j) - dense[i + j * a->nrows]));
    }
    return worst;
}

int main(void)
{
    srand(11);
    enum { R = 7, M = 5, C = 6 };
    double complex da[R * M], db[M * C], dc[R * C], dd[R * M], dk[(R * M) * (M * C)];
    pm_sparse *a = random_matrix(R, M, 0.4, da), *b = random_matrix(M, C, 0.4, db), *c = NULL;
    CHECK(max_error(a, da) < 1e-15 && max_error(b, db) < 1e-15);

    /* product */
    CHECK_OK(pm_sparse_multiply(a, b, &c));
    for (int j = 0; j < C; j++)
        for (int i = 0; i < R; i++) {
            dc[i + j * R] = 0;
            for (int m = 0; m < M; m++) dc[i + j * R] += da[i + m * R] * db[m + j * M];
        }
    CHECK(max_error(c, dc) < 1e-14);
    pm_sparse_free(c);
    CHECK(pm_sparse_multiply(a, a, &c) == PM_EINVAL); /* 7x5 times 7x5 */

    /* adjoint */
    CHECK_OK(pm_sparse_adjoint(a, &c));
    double complex dat[M * R];
    for (int j = 0; j < M; j++)
        for (int i = 0; i < R; i++) dat[j + i * M] = conj(da[i + j * R]);
    CHECK(c->nrows == M && c->ncols == R && max_error(c, dat) < 1e-15);
    pm_sparse_free(c);

    /* sum, with cancellation to exact zeros */
    pm_sparse *a2 = random_matrix(R, M, 0.5, dd);
    CHECK_OK(pm_sparse_add(2.0, a, -1.0 + 1.0 * I, a2, &c));
    for (int k = 0; k < R * M; k++) dd[k] = 2.0 * da[k] + (-1.0 + 1.0 * I) * dd[k];
    CHECK(max_error(c, dd) < 1e-15);
    pm_sparse_free(c);
    CHECK_OK(pm_sparse_add(1.0, a, -1.0, a, &c));
    CHECK(pm_sparse_nnz(c) == 0);
    pm_sparse_free(c);

    /* Kronecker product: (A (x) B)[i*Mb + k, j*Cb + l] = A[i,j] B[k,l] */
    CHECK_OK(pm_sparse_kron(a, b, &c));
    for (int j = 0; j < M; j++)
        for (int i = 0; i < R; i++)
            for (int l = 0; l < C; l++)
                for (int k = 0; k < M; k++)
                    dk[(i * M + k) + (j * C + l) * (R * M)] = da[i + j * R] * db[k + l * M];
    CHECK(c->nrows == R * M && c->ncols == M * C && max_error(c, dk) < 1e-15);
    pm_sparse_free(c);

    /* matrix-vector product and identity */
    double complex x[M], y[R];
    for (int m = 0; m < M; m++) x[m] = m + 0.5 * I;
    pm_sparse_matvec(a, x, y);
    for (int i = 0; i < R; i++) {
        double complex want = 0;
        for (int m = 0; m < M; m++) want += da[i + m * R] * x[m];
        CHECK(cabs(y[i] - want) < 1e-14);
    }
    CHECK_OK(pm_sparse_identity(4, &c));
    CHECK(pm_sparse_nnz(c) == 4 && pm_sparse_get(c, 2, 2) == 1 && pm_sparse_get(c, 1, 2) == 0);
    pm_sparse_free(c);

    /* an entry outside the matrix is rejected */
    pm_triplets *t = pm_triplets_alloc(2, 2, 1);
    CHECK_OK(pm_triplets_add(t, 2, 0, 1.0));
    CHECK(pm_sparse_from_triplets(t, &c) == PM_EINVAL && c == NULL);
    pm_triplets_free(t);

    pm_sparse_free(a), pm_sparse_free(a2), pm_sparse_free(b);
    return TEST_RESULT();
}
