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
    double complex *resid, *v, *workd, *workl, *d, *workev;
    double *rwork;
    a_int *select;
} work;

static void work_free(work *w)
{
    free(w->resid), free(w->v), free(w->workd), free(w->workl), free(w->d);
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

/* x <- P x = x - r (l^H x) / (l^H r), P of pm_spectrum_options.deflate_*
 * (r_scale = 1 / (l^H r)); nothing without deflation. */
static void deflate(const pm_spectrum_options *opts, double complex r_scale, int64_t n, double complex *x)
{
    if (!opts->deflate_right) return;
    double complex overlap = 0;
    for (int64_t p = 0; p < n; p++) overlap += conj(opts->deflate_left[p]) * x[p];
    overlap *= r_scale;
    for (int64_t p = 0; p < n; p++) x[p] -= overlap * opts->deflate_right[p];
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
    if (!(opts->refine_tol >= 0) || !isfinite(opts->refine_tol))
        return pm_error_set(PM_EINVAL, "refine_tol = %g must be finite and >= 0 (0: no refinement)",
                            opts->refine_tol);
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
    if (!opts->deflate_right != !opts->deflate_left)
        return pm_error_set(PM_EINVAL, "deflation needs both the right and the left eigenvector (one is NULL)");
    *ncv_out = ncv;
    return PM_OK;
}

/* One shift-invert Arnoldi run: the `nev` eigenvalues of block->L nearest
 * `sigma` to ARPACK accuracy `tol`, unsorted, and their eigenvectors
 * (vectors[j * n ...], as ARPACK returns them) from the starting vector
 * `start` (NULL: the fixed one), with opts' LU, deflation and stop flag.
 * *restarts and the nonzero counts are added to / set in `out`. */
static pm_status arnoldi(const pm_block *block, const pm_spectrum_options *opts, double complex sigma, int nev_wanted,
                         int64_t ncv, double tol, const double complex *start, double complex *values,
                         double complex *vectors, pm_spectrum *out)
{
    const int64_t n = block->size;
    pm_sparse *shifted = NULL;
    pm_lu lu = {0};
    work w = {0};
    const a_int nev = nev_wanted, an = (a_int)n, ancv = (a_int)ncv;
    const a_int lworkl = 3 * ancv * ancv + 5 * ancv;
    a_int iparam[11] = {0}, ipntr[14] = {0};
    a_int ido = 0, arinfo = 1; /* 1: our starting vector in resid */
    int locked = 0;
    pm_status status = pm_lu_shifted_copy(block->L, sigma, -1, NULL, &shifted);
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
    w.workev = calloc(2 * (size_t)ncv, sizeof(double complex));
    w.rwork = calloc((size_t)ncv, sizeof(double));
    w.select = calloc((size_t)ncv, sizeof(a_int));
    if (!w.resid || !w.v || !w.workd || !w.workl || !w.d || !w.workev || !w.rwork || !w.select) {
        status = pm_error_set(PM_ENOMEM, "out of memory for ARPACK workspace (size %lld, ncv %lld)",
                              (long long)n, (long long)ncv);
        goto done;
    }
    double complex r_scale = 1;
    if (opts->deflate_right) {
        double complex lr = 0;
        for (int64_t p = 0; p < n; p++) lr += conj(opts->deflate_left[p]) * opts->deflate_right[p];
        if (!(cabs(lr) > 0) || !isfinite(cabs(lr))) {
            status = pm_error_set(PM_EINVAL, "deflation: the left and right eigenvectors have overlap l^H r = %g: "
                                  "must be nonzero and finite", cabs(lr));
            goto done;
        }
        r_scale = 1 / lr;
    }
    if (start) memcpy(w.resid, start, (size_t)n * sizeof *w.resid);
    else starting_vector(n, w.resid);
    deflate(opts, r_scale, n, w.resid);
    double start_norm = 0;
    for (int64_t p = 0; p < n && start; p++) start_norm = fmax(start_norm, cabs(w.resid[p]));
    if (start && !(start_norm > 0)) { /* a given start that deflation (or nothing) left empty: the fixed one */
        starting_vector(n, w.resid);
        deflate(opts, r_scale, n, w.resid);
    }

    iparam[0] = 1; /* exact shifts */
    iparam[2] = opts->arpack_maxiter;
    iparam[6] = 3; /* shift-invert: OP = (L - sigma I)^{-1} */
    pthread_mutex_lock(&arpack_lock);
    locked = 1;
    for (;;) {
        znaupd_c(&ido, "I", an, "LM", nev, tol, w.resid, ancv, w.v, an, iparam, ipntr,
                 w.workd, w.workl, lworkl, w.rwork, &arinfo);
        if (ido != -1 && ido != 1) break;
        if (PM_STOP_REQUESTED(opts->stop)) {
            status = pm_error_set(PM_EINTERRUPT, "ARPACK: stopped by caller after %d restarts", iparam[2]);
            goto done;
        }
        status = pm_lu_solve(&lu, w.workd + ipntr[0] - 1, w.workd + ipntr[1] - 1); /* 1-based */
        if (status != PM_OK) goto done;
        /* rounding brings the deflated mode back, amplified by 1/|mu - sigma| */
        deflate(opts, r_scale, n, w.workd + ipntr[1] - 1);
    }
    out->iterations += iparam[2];
    out->operator_solves += iparam[8];
    if (arinfo != 0) {
        status = pm_error_set(PM_ESOLVER, "ARPACK znaupd failed: %s (info %d) after %d restarts, %d of %d "
                              "eigenvalues converged; %s", arpack_meaning(arinfo), arinfo, iparam[2], iparam[4],
                              nev, ARPACK_HINT);
        goto done;
    }
    zneupd_c(1, "A", w.select, w.d, vectors, an, sigma, w.workev, "I", an, "LM", nev, tol,
             w.resid, ancv, w.v, an, iparam, ipntr, w.workd, w.workl, lworkl, w.rwork, &arinfo);
    pthread_mutex_unlock(&arpack_lock);
    locked = 0;
    if (arinfo != 0 || iparam[4] < nev) {
        status = pm_error_set(PM_ESOLVER, "ARPACK zneupd failed: %s (info %d, %d of %d converged); %s",
                              arpack_meaning(arinfo), arinfo, iparam[4], nev, ARPACK_HINT);
        goto done;
    }
    memcpy(values, w.d, (size_t)nev * sizeof *values); /* mode 3 returns eigenvalues of L itself */

done:
    if (locked) pthread_mutex_unlock(&arpack_lock);
    work_free(&w);
    pm_lu_free(&lu);
    pm_sparse_free(shifted);
    return status;
}

/* The refinement of refine_tol (spectrum.h): each eigenvalue values[j] of a
 * coarse run becomes the one nearest to it, by an Arnoldi run about it
 * (nev = 1) from its coarse eigenvector; shift-invert about a shift this
 * close converges in a few solves.  It is accepted only if every refined
 * eigenvalue is nearer its own coarse value than any other coarse value
 * (the same eigenvalues, one each); else *accepted = 0 and the caller runs
 * the Arnoldi about the original shift to full accuracy instead. */
static pm_status refine(const pm_block *block, const pm_spectrum_options *opts, int nev, double complex *values,
                        double complex *vectors, pm_spectrum *out, int *accepted)
{
    const int64_t n = block->size;
    *accepted = 0;
    double complex *coarse = malloc((size_t)nev * sizeof *coarse);
    if (!coarse) return pm_error_set(PM_ENOMEM, "out of memory refining %d eigenvalues", nev);
    memcpy(coarse, values, (size_t)nev * sizeof *coarse);
    pm_status status = PM_OK;
    int ok = 1;
    for (int j = 0; j < nev && ok && status == PM_OK; j++) {
        /* ARPACK's first vector: the coarse eigenvector, overwritten by the refined one */
        status = arnoldi(block, opts, coarse[j], 1, 3, opts->arpack_tol, vectors + (int64_t)j * n, &values[j],
                         vectors + (int64_t)j * n, out);
        /* a shift that is an eigenvalue to the last digit: the coarse run was exact */
        if (status == PM_ESOLVER) status = PM_OK, ok = 0;
        for (int i = 0; i < nev && ok && status == PM_OK; i++)
            if (i != j && !(cabs(values[j] - coarse[j]) < cabs(values[j] - coarse[i]))) ok = 0;
    }
    free(coarse);
    *accepted = status == PM_OK && ok;
    return status;
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
    const int64_t n = block->size;
    const int nev = opts->nev;
    double start = pm_wall_seconds();

    double complex sigma = opts->shift;
    if (sigma == 0) {
        double largest = 0;
        for (int64_t j = 0; j < n; j++)
            if (cabs(pm_sparse_get(block->L, j, j)) > largest) largest = cabs(pm_sparse_get(block->L, j, j));
        sigma = -SPECTRUM_AUTO_SHIFT * (largest > 0 ? largest : 1.0);
    }
    out->shift = sigma;

    indexed *order = malloc((size_t)nev * sizeof *order);
    double complex *lv = malloc((size_t)n * sizeof *lv);
    double complex *values = malloc((size_t)nev * sizeof *values);
    double complex *z = malloc((size_t)(n * nev) * sizeof *z);
    out->eigenvalues = calloc((size_t)nev, sizeof(double complex));
    if (opts->want_vectors) out->vectors = calloc((size_t)(n * nev), sizeof(double complex));
    if (!order || !lv || !values || !z || !out->eigenvalues || (opts->want_vectors && !out->vectors)) {
        status = pm_error_set(PM_ENOMEM, "out of memory for %d eigenvectors of size %lld", nev, (long long)n);
        goto done;
    }
    if (opts->refine_tol > 0) {
        status = arnoldi(block, opts, sigma, nev, ncv, opts->refine_tol, opts->start, values, z, out);
        if (status == PM_OK) status = refine(block, opts, nev, values, z, out, &out->refined);
    }
    if (status == PM_OK && !out->refined)
        status = arnoldi(block, opts, sigma, nev, ncv, opts->arpack_tol, opts->start, values, z, out);
    if (status != PM_OK) goto done;

    /* sort slowest first */
    for (int j = 0; j < nev; j++) order[j] = (indexed){values[j], j};
    qsort(order, (size_t)nev, sizeof order[0], indexed_descending);
    out->max_residual = 0;
    for (int j = 0; j < nev; j++) {
        const double complex *v = z + (int64_t)order[j].index * n;
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
    free(values);
    free(z);
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
