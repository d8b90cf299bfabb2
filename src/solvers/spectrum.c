/* Slowest eigenvalues of a Liouvillian block: ARPACK shift-invert on a
 * UMFPACK LU of (L - sigma I) (spectrum.h). */
#include "phonomaser/solvers/spectrum.h"
#include "phonomaser/solvers/steady.h"
#include "phonomaser/core/timer.h"

#include <arpack/arpack.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "linalg/sparse_lu.h"

/* ARPACK keeps the state of its reverse-communication loop in Fortran SAVE
 * variables, so two Arnoldi runs must never overlap: compare.c runs sweep
 * points in threads.  The factorisation (the expensive part for large
 * blocks) is done outside the lock. */
static pthread_mutex_t arpack_lock = PTHREAD_MUTEX_INITIALIZER;

#define SPECTRUM_AUTO_SHIFT 1e-9

void pm_spectrum_options_default(pm_spectrum_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->nev = 4;
    opts->shift = 0;
    opts->arpack_tol = 0;
    opts->arpack_maxiter = 1000;
    opts->arpack_ncv = 0;
    opts->want_vectors = 0;
}

void pm_spectrum_clear(pm_spectrum *spectrum)
{
    free(spectrum->eigenvalues);
    free(spectrum->vectors);
    memset(spectrum, 0, sizeof *spectrum);
}

static const char *arpack_meaning(int code)
{
    switch (code) {
    case 1: return "maximum number of restarts reached";
    case 3: return "no shifts could be applied during an implicit restart";
    case -3: return "NCV must satisfy NEV < NCV <= N";
    case -7: return "the work array is too short";
    case -8: return "LAPACK failed (eigenvalues / Schur form)";
    case -9: return "the starting vector is zero / LAPACK ztrevc failed";
    case -14: return "no eigenvalue converged to sufficient accuracy";
    case -15: return "znaupd and zneupd disagree on the number of converged Ritz values";
    case -9999: return "could not build an Arnoldi factorisation";
    default: return "see the ARPACK documentation of znaupd/zneupd";
    }
}

/* The hint of every ARPACK failure.  It names keys a user can set (the
 * command line has no key for the restart limit or the Krylov dimension,
 * so those are named as the option fields of C callers). */
#define ARPACK_HINT                                                                                     \
    "the block may be ill-conditioned (check the rates and delta for extreme values); a steady "    \
    "state can use method = direct; a C caller can raise pm_spectrum_options.arpack_maxiter or " \
    ".arpack_ncv (pm_steady_options likewise)"

typedef struct work {
    double complex *resid, *v, *workd, *workl, *d, *z, *workev;
    double *rwork;
    a_int *select;
} work;

static void work_free(work *w)
{
    free(w->resid), free(w->v), free(w->workd), free(w->workl), free(w->d), free(w->z);
    free(w->workev), free(w->rwork), free(w->select);
}

/* Deterministic starting vector (a fixed pseudo-random sequence), so that a
 * run is reproducible; any vector not orthogonal to the wanted modes works. */
static void starting_vector(int64_t n, double complex *x)
{
    uint64_t state = 0x9e3779b97f4a7c15ULL;
    for (int64_t p = 0; p < n; p++) {
        state ^= state << 13, state ^= state >> 7, state ^= state << 17;
        double re = (double)(state >> 11) * 0x1.0p-53 - 0.5;
        state ^= state << 13, state ^= state >> 7, state ^= state << 17;
        double im = (double)(state >> 11) * 0x1.0p-53 - 0.5;
        x[p] = 1.0 + re + I * im;
    }
}

static int by_real_part_descending(const void *a, const void *b)
{
    double ra = creal(*(const double complex *)a), rb = creal(*(const double complex *)b);
    return (ra < rb) - (ra > rb);
}

typedef struct indexed {
    double complex value;
    int index;
} indexed;

static int indexed_descending(const void *a, const void *b)
{
    return by_real_part_descending(&((const indexed *)a)->value, &((const indexed *)b)->value);
}

static pm_status check_inputs(const pm_block *block, const pm_spectrum_options *opts, int64_t *ncv_out)
{
    if (!block || !block->L || block->size < 1 || block->L->nrows != block->size ||
        block->L->ncols != block->size)
        return pm_error_set(PM_EINVAL, "pm_spectrum_slowest needs a block with a size x size matrix L");
    int64_t n = block->size;
    if (opts->nev < 1 || opts->nev >= n - 1)
        return pm_error_set(PM_EINVAL, "nev = %d: must be >= 1 and < block size - 1 = %lld (ARPACK "
                            "needs nev + 2 <= ncv <= size)", opts->nev, (long long)(n - 1));
    if (opts->arpack_maxiter < 1)
        return pm_error_set(PM_EINVAL, "arpack_maxiter = %d must be >= 1", opts->arpack_maxiter);
    if (!(opts->arpack_tol >= 0) || !isfinite(opts->arpack_tol) || !isfinite(creal(opts->shift)) ||
        !isfinite(cimag(opts->shift)))
        return pm_error_set(PM_EINVAL, "arpack_tol (%g) must be finite and >= 0 and the shift finite",
                            opts->arpack_tol);
    int64_t ncv = opts->arpack_ncv > 0 ? opts->arpack_ncv : (2 * opts->nev + 1 > 20 ? 2 * opts->nev + 1 : 20);
    if (ncv > n) ncv = n;
    if (ncv < opts->nev + 2)
        return pm_error_set(PM_EINVAL, "arpack_ncv = %lld must be >= nev + 2 = %d", (long long)ncv,
                            opts->nev + 2);
    if (n > INT_MAX / ncv || ncv > 20000)
        return pm_error_set(PM_EINVAL, "block size %lld x ncv %lld exceeds ARPACK's 32-bit indices",
                            (long long)n, (long long)ncv);
    *ncv_out = ncv;
    return PM_OK;
}

pm_status pm_spectrum_slowest(const pm_block *block, const pm_spectrum_options *opts,
                              pm_spectrum *out)
{
    pm_spectrum_options defaults;
    if (!opts) {
        pm_spectrum_options_default(&defaults);
        opts = &defaults;
    }
    memset(out, 0, sizeof *out);
    int64_t ncv = 0;
    pm_status status = check_inputs(block, opts, &ncv);
    if (status != PM_OK) return status;
    int64_t n = block->size;
    double start = pm_wall_seconds();

    double complex sigma = opts->shift;
    if (sigma == 0) {
        double largest = 0;
        for (int64_t j = 0; j < n; j++)
            if (cabs(pm_sparse_get(block->L, j, j)) > largest) largest = cabs(pm_sparse_get(block->L, j, j));
        sigma = -SPECTRUM_AUTO_SHIFT * (largest > 0 ? largest : 1.0);
    }
    out->shift = sigma;

    pm_sparse *shifted = NULL;
    pm_lu lu = {0};
    work w = {0};
    const a_int nev = opts->nev, an = (a_int)n, ancv = (a_int)ncv;
    const a_int lworkl = 3 * ancv * ancv + 5 * ancv;
    a_int iparam[11] = {0}, ipntr[14] = {0};
    a_int ido = 0, arinfo = 1; /* 1: our starting vector in resid */
    int locked = 0;
    indexed *order = NULL;
    double complex *lv = NULL;
    status = pm_lu_shifted_copy(block->L, sigma, -1, NULL, &shifted);
    if (status == PM_OK)
        status = pm_lu_factor(shifted, pm_block_lu_backend(block, opts->lu), "L - sigma I for the ARPACK spectrum",
                              "sigma is an eigenvalue of L: choose another shift", &lu);
    /* Arnoldi applies (L - sigma I)^{-1} many times: no iterative refinement
     * (UMFPACK's default 2 steps triple the cost of each application) */
    if (status == PM_OK) lu.control[UMFPACK_IRSTEP] = 0;
    if (status == PM_OK && PM_STOP_REQUESTED(opts->stop))
        status = pm_error_set(PM_EINTERRUPT, "ARPACK: stopped by caller after the factorisation");
    if (status != PM_OK) goto done;
    out->lu_nnz = lu.lu_nnz;
    out->matrix_nnz = pm_sparse_nnz(shifted);

    w.resid = malloc((size_t)n * sizeof(double complex));
    w.v = calloc((size_t)(n * ncv), sizeof(double complex));
    w.workd = calloc(3 * (size_t)n, sizeof(double complex));
    w.workl = calloc((size_t)lworkl, sizeof(double complex));
    w.d = calloc((size_t)nev + 1, sizeof(double complex));
    w.z = calloc((size_t)(n * nev), sizeof(double complex));
    w.workev = calloc(2 * (size_t)ncv, sizeof(double complex));
    w.rwork = calloc((size_t)ncv, sizeof(double));
    w.select = calloc((size_t)ncv, sizeof(a_int));
    out->eigenvalues = calloc((size_t)nev, sizeof(double complex));
    if (opts->want_vectors) out->vectors = calloc((size_t)(n * nev), sizeof(double complex));
    if (!w.resid || !w.v || !w.workd || !w.workl || !w.d || !w.z || !w.workev || !w.rwork || !w.select ||
        !out->eigenvalues || (opts->want_vectors && !out->vectors)) {
        status = pm_error_set(PM_ENOMEM, "out of memory for ARPACK workspace (size %lld, ncv %lld)",
                              (long long)n, (long long)ncv);
        goto done;
    }
    starting_vector(n, w.resid);

    iparam[0] = 1; /* exact shifts */
    iparam[2] = opts->arpack_maxiter;
    iparam[6] = 3; /* shift-invert: OP = (L - sigma I)^{-1} */
    pthread_mutex_lock(&arpack_lock);
    locked = 1;
    for (;;) {
        znaupd_c(&ido, "I", an, "LM", nev, opts->arpack_tol, w.resid, ancv, w.v, an, iparam, ipntr,
                 w.workd, w.workl, lworkl, w.rwork, &arinfo);
        if (ido != -1 && ido != 1) break;
        if (PM_STOP_REQUESTED(opts->stop)) {
            status = pm_error_set(PM_EINTERRUPT, "ARPACK: stopped by caller after %d restarts", iparam[2]);
            goto done;
        }
        status = pm_lu_solve(&lu, w.workd + ipntr[0] - 1, w.workd + ipntr[1] - 1); /* 1-based */
        if (status != PM_OK) goto done;
    }
    out->iterations = iparam[2];
    if (arinfo != 0) {
        status = pm_error_set(PM_ESOLVER, "ARPACK znaupd failed: %s (info %d) after %d restarts, %d of %d "
                              "eigenvalues converged; %s", arpack_meaning(arinfo), arinfo, iparam[2], iparam[4],
                              nev, ARPACK_HINT);
        goto done;
    }
    zneupd_c(1, "A", w.select, w.d, w.z, an, sigma, w.workev, "I", an, "LM", nev, opts->arpack_tol,
             w.resid, ancv, w.v, an, iparam, ipntr, w.workd, w.workl, lworkl, w.rwork, &arinfo);
    pthread_mutex_unlock(&arpack_lock);
    locked = 0;
    if (arinfo != 0 || iparam[4] < nev) {
        status = pm_error_set(PM_ESOLVER, "ARPACK zneupd failed: %s (info %d, %d of %d converged); %s",
                              arpack_meaning(arinfo), arinfo, iparam[4], nev, ARPACK_HINT);
        goto done;
    }

    /* sort slowest first; mode 3 returns eigenvalues of L itself */
    order = malloc((size_t)nev * sizeof *order);
    lv = malloc((size_t)n * sizeof *lv);
    if (!order || !lv) {
        status = pm_error_set(PM_ENOMEM, "out of memory for an eigenvector residual (size %lld)", (long long)n);
        goto done;
    }
    for (int j = 0; j < nev; j++) order[j] = (indexed){w.d[j], j};
    qsort(order, (size_t)nev, sizeof order[0], indexed_descending);
    out->max_residual = 0;
    for (int j = 0; j < nev; j++) {
        const double complex *v = w.z + (int64_t)order[j].index * n;
        double complex lambda = order[j].value;
        out->eigenvalues[j] = lambda;
        pm_sparse_matvec(block->L, v, lv);
        double rnorm = 0, vnorm = 0;
        for (int64_t p = 0; p < n; p++) {
            double complex r = lv[p] - lambda * v[p];
            rnorm += creal(r) * creal(r) + cimag(r) * cimag(r);
            vnorm += creal(v[p]) * creal(v[p]) + cimag(v[p]) * cimag(v[p]);
        }
        double residual = sqrt(rnorm / (vnorm > 0 ? vnorm : 1));
        if (!isfinite(residual) || !isfinite(creal(lambda)) || !isfinite(cimag(lambda))) {
            status = pm_error_set(PM_ENUMERIC, "ARPACK returned a NaN/Inf eigenpair; %s", ARPACK_HINT);
            goto done;
        }
        if (residual > out->max_residual) out->max_residual = residual;
        if (out->vectors) {
            double scale = vnorm > 0 ? 1 / sqrt(vnorm) : 1;
            for (int64_t p = 0; p < n; p++) out->vectors[(int64_t)j * n + p] = v[p] * scale;
        }
    }
    out->nev = nev;
    out->size = n;

done:
    free(order);
    free(lv);
    if (locked) pthread_mutex_unlock(&arpack_lock);
    work_free(&w);
    pm_lu_free(&lu);
    pm_sparse_free(shifted);
    out->seconds = pm_wall_seconds() - start;
    if (status != PM_OK) {
        free(out->eigenvalues), free(out->vectors);
        out->eigenvalues = NULL, out->vectors = NULL;
        out->nev = 0;
    }
    return status;
}

double complex pm_spectrum_trace(const pm_block *block, const pm_spectrum *spectrum, int j)
{
    if (!spectrum->vectors || j < 0 || j >= spectrum->nev) return NAN;
    double complex trace = 0;
    const double complex *v = spectrum->vectors + (int64_t)j * spectrum->size;
    for (int64_t p = 0; p < block->size; p++)
        if (block->row[p] == block->col[p]) trace += v[p];
    return trace;
}
