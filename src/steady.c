/* Steady states of a Liouvillian block: direct sparse LU with a pinned
 * diagonal element, or ARPACK shift-invert (see steady.h). */
#include "phonomaser/steady.h"
#include "phonomaser/timer.h"

#include <arpack/arpack.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "umfpack_lu.h"

void pm_steady_options_default(pm_steady_options *opts)
{
    opts->method = PM_STEADY_DIRECT;
    opts->arpack_tol = 0.0;
    opts->arpack_maxiter = 1000;
    opts->arpack_ncv = 20;
    opts->shift = 0.0;
    opts->pin_row = -1;
    opts->pin_col = -1;
}

/* ------------------------------------------------------------------------
 * Helpers on the block (the UMFPACK LU and the shifted / pinned copy of L
 * live in umfpack_lu.c, shared with spectrum.c). */

/* Divide x by its trace sum_i rho_ii.  A trace that vanishes compared with
 * the largest element means x is not a density matrix (e.g. the eigenvector
 * of a decaying mode): `what` and `hint` go into the message. */
static pm_status normalise_trace(int64_t n, double complex *x, int64_t ndiag, const int64_t *diag,
                                 const char *what, const char *hint)
{
    double complex trace = 0;
    double largest = 0;
    for (int64_t q = 0; q < ndiag; q++) trace += x[diag[q]];
    for (int64_t p = 0; p < n; p++)
        if (cabs(x[p]) > largest) largest = cabs(x[p]);
    if (!isfinite(creal(trace)) || !isfinite(cimag(trace)) || !isfinite(largest))
        return pm_error_set(PM_ENUMERIC, "the %s contains NaN or Inf; %s", what, hint);
    if (!(cabs(trace) > 1e-6 * largest))
        return pm_error_set(PM_ESOLVER, "the %s has trace %.3g + %.3gi, vanishing compared with "
                            "its largest element %.3g: it is not a steady state; %s",
                            what, creal(trace), cimag(trace), largest, hint);
    for (int64_t p = 0; p < n; p++) x[p] /= trace;
    return PM_OK;
}

/* ------------------------------------------------------------------------
 * PM_STEADY_DIRECT.
 *
 * Trace preservation makes the rows of L linearly dependent (the rows of the
 * diagonal elements sum to zero), so replacing the row of one diagonal
 * element r by e_r^T (right-hand side e_r, i.e. x_r = 1) gives a system that
 * is nonsingular exactly when the steady state is unique and has x_r != 0.
 * Unlike replacing a row by the trace row, this adds no dense row to L.
 * Measured LU nonzeros (UMFPACK lnz + unz, Table I operating point):
 *   full block N = 30 (size 3600):    unit pin 33676, trace row 33846
 *   full block N = 40 (size 6400):    unit pin 60876, trace row 61106
 *   sector 0 N = 2000 (size 7998):    unit pin 79942, trace row 131928 (+65%)
 * (in the full block the trace row has only d = 2N entries, so there it
 * costs little; in sector 0 every other element is diagonal).
 * Hence: blocks that go to the band LU (sectors) pin one population, with
 * the re-pin below; the others (the full block, via UMFPACK) replace one
 * row by the trace row, which needs a single solve whatever the populations
 * (a pinned population far below the largest would force a second
 * factorisation: measured 0.39 s instead of 0.2 s at N = 100, full block). */

/* One factorisation and solve of L with row `row` replaced by the unit row
 * (trace_columns NULL) or the trace row; right-hand side e_row. */
static pm_status solve_constrained(const pm_block *block, int64_t row, const unsigned char *trace_columns,
                                   double complex *rhs, double complex *x, pm_steady_info *info)
{
    pm_sparse *a = NULL;
    pm_lu lu = {0};
    pm_status status = pm_lu_shifted_copy(block->L, 0, row, trace_columns, &a);
    if (status == PM_OK)
        status = pm_lu_factor(a, trace_columns ? "the Liouvillian with the trace row"
                                               : "the Liouvillian with one pinned diagonal element",
                              trace_columns ? "the block has more than one steady state: try method ARPACK"
                                            : "the block has more than one steady state, or the pinned "
                                              "population is exactly zero: try method ARPACK",
                              &lu);
    if (status == PM_OK) {
        rhs[row] = 1;
        status = pm_lu_solve(&lu, rhs, x);
        rhs[row] = 0;
        info->lu_nnz = lu.lu_nnz;
        info->matrix_nnz = pm_sparse_nnz(a);
    }
    pm_lu_free(&lu);
    pm_sparse_free(a);
    return status;
}

static pm_status solve_direct(const pm_block *block, const pm_steady_options *opts, int64_t ndiag,
                              const int64_t *diag, double complex *x, pm_steady_info *info)
{
    int64_t n = block->size;
    double complex *rhs = calloc((size_t)n, sizeof *rhs);
    if (!rhs) return pm_error_set(PM_ENOMEM, "out of memory for a steady state of size %lld",
                                  (long long)n);
    pm_status status = PM_OK;
    if (!pm_lu_uses_band(block->L)) {
        unsigned char *trace_columns = calloc((size_t)n, 1);
        if (!trace_columns) {
            free(rhs);
            return pm_error_set(PM_ENOMEM, "out of memory for a steady state of size %lld", (long long)n);
        }
        for (int64_t q = 0; q < ndiag; q++) trace_columns[diag[q]] = 1;
        status = solve_constrained(block, diag[0], trace_columns, rhs, x, info);
        free(trace_columns);
        if (status == PM_OK)
            status = normalise_trace(n, x, ndiag, diag, "direct steady-state solution",
                                     "the Liouvillian may not preserve the trace, or has "
                                     "several steady states");
        info->iterations = 1;
        info->pinned_element = -1;
        free(rhs);
        return status;
    }
    /* Pin candidates: the caller's hint (e.g. the largest population at a
     * smaller cutoff), the lowest diagonal element (in sector 0 the ground
     * state |down, 0>), the highest and the middle one.  A pinned population
     * that is zero in floating point makes the LU singular: try the next. */
    int64_t candidates[4], ncandidates = 0;
    int64_t hint = opts->pin_row >= 0 ? pm_block_find(block, opts->pin_row, opts->pin_col) : -1;
    if (hint >= 0 && block->row[hint] == block->col[hint]) candidates[ncandidates++] = hint;
    candidates[ncandidates++] = diag[0];
    candidates[ncandidates++] = diag[ndiag - 1];
    candidates[ncandidates++] = diag[ndiag / 2];
    int64_t next = 0, pin = candidates[next++];
    for (int attempt = 1; attempt <= 2; attempt++) {
        status = solve_constrained(block, pin, NULL, rhs, x, info);
        if (status == PM_ESOLVER && attempt == 1 && next < ncandidates) {
            pin = candidates[next++];
            attempt = 0; /* a singular pin does not count as an attempt */
            continue;
        }
        if (status == PM_OK)
            status = normalise_trace(n, x, ndiag, diag, "direct steady-state solution",
                                     "the Liouvillian may not preserve the trace, or has "
                                     "several steady states");
        if (status != PM_OK) break;
        info->iterations = attempt;
        info->pinned_element = pin;
        /* A nearly empty pinned population makes the system ill-conditioned:
         * redo once pinning the largest population. */
        int64_t largest = pin;
        for (int64_t q = 0; q < ndiag; q++)
            if (cabs(x[diag[q]]) > cabs(x[largest])) largest = diag[q];
        if (cabs(x[pin]) >= 1e-3 * cabs(x[largest])) break;
        pin = largest;
    }
    free(rhs);
    return status;
}

/* ------------------------------------------------------------------------
 * PM_STEADY_ARPACK: shift-invert about sigma, OP = (L - sigma I)^{-1}, whose
 * largest-magnitude eigenvalue 1/(lambda - sigma) belongs to the lambda
 * closest to sigma.
 *
 * Automatic shift sigma = -1e-9 max_p |L_pp| (real, negative; L_pp are the
 * diagonal entries of L, i.e. the fastest decay rates, ~1e3 1/s at the
 * operating point; sigma ~ -1e-6 1/s).  It must be much closer to 0 than
 * the slowest nonzero eigenvalue lambda_1 (measured -0.087 1/s in sector 0 at
 * N = 2000, Table I; rates ~1e-2 1/s and smaller near the maser threshold):
 * ARPACK converges at the rate |sigma| / |lambda_1 - sigma| per Krylov step,
 * and if |lambda_1| < 2 |sigma| it returns the decaying mode instead
 * (failure mode: detected because that eigenvector has zero trace, reported
 * as PM_ESOLVER with the advice to set a smaller shift).  It must
 * not be so small that L - sigma I is singular in double precision: its
 * condition number is about max|L_pp| / |sigma| = 1e9, which costs at most
 * ~9 digits in each solve, and inverse iteration is insensitive to that
 * error because it lies along the wanted eigenvector. */
#define STEADY_AUTO_SHIFT 1e-9

static const char *arpack_naupd_meaning(int code)
{
    switch (code) {
    case 1: return "maximum number of restarts reached";
    case 3: return "no shifts could be applied during an implicit restart";
    case -1: return "N must be positive";
    case -2: return "NEV must be positive";
    case -3: return "NCV must satisfy NEV < NCV <= N";
    case -4: return "the maximum number of restarts must be positive";
    case -5: return "WHICH is invalid";
    case -6: return "BMAT is invalid";
    case -7: return "the work array is too short";
    case -8: return "LAPACK eigenvalue calculation failed";
    case -9: return "the starting vector is zero";
    case -10: return "IPARAM(7) (mode) is invalid";
    case -11: return "mode and BMAT are incompatible";
    case -12: return "IPARAM(1) must be 0 or 1";
    case -9999: return "could not build an Arnoldi factorisation";
    default: return "unknown error";
    }
}

static const char *arpack_neupd_meaning(int code)
{
    switch (code) {
    case -8: return "LAPACK zlahqr failed to compute the Schur form";
    case -9: return "LAPACK ztrevc failed to compute the eigenvectors";
    case -14: return "znaupd found no eigenvalue to sufficient accuracy";
    case -15: return "zneupd and znaupd disagree on the number of converged Ritz values";
    default: return arpack_naupd_meaning(code);
    }
}

typedef struct arpack_work {
    double complex *resid, *v, *workd, *workl, *d, *z, *workev;
    double *rwork;
    a_int *select;
} arpack_work;

static void arpack_work_free(arpack_work *w)
{
    free(w->resid), free(w->v), free(w->workd), free(w->workl), free(w->d), free(w->z);
    free(w->workev), free(w->rwork), free(w->select);
}

static pm_status solve_arpack(const pm_block *block, const pm_steady_options *opts, int64_t ndiag,
                              const int64_t *diag, double complex *x, pm_steady_info *info)
{
    int64_t n = block->size;
    int64_t ncv = opts->arpack_ncv == 0 ? 20 : opts->arpack_ncv;
    if (n < 3)
        return pm_error_set(PM_EINVAL, "ARPACK steady state needs a block of size >= 3 (got %lld); "
                            "use method DIRECT", (long long)n);
    if (ncv < 2)
        return pm_error_set(PM_EINVAL, "arpack_ncv = %lld must be >= 2 (0 for the default 20)",
                            (long long)ncv);
    if (opts->arpack_maxiter < 1)
        return pm_error_set(PM_EINVAL, "arpack_maxiter = %d must be >= 1", opts->arpack_maxiter);
    if (!(opts->arpack_tol >= 0) || !isfinite(opts->arpack_tol) || !isfinite(opts->shift))
        return pm_error_set(PM_EINVAL, "arpack_tol (%g) must be finite and >= 0 and shift (%g) "
                            "finite", opts->arpack_tol, opts->shift);
    if (ncv > n) ncv = n;
    /* ARPACK's integers are 32-bit and it indexes V (n x ncv) and its
     * 3 ncv^2 + 5 ncv work array with them. */
    if (n > INT_MAX / ncv || ncv > 20000)
        return pm_error_set(PM_EINVAL, "block size %lld x ncv %lld exceeds ARPACK's 32-bit "
                            "indices; use method DIRECT or a sector block",
                            (long long)n, (long long)ncv);

    double sigma = opts->shift;
    if (sigma == 0) {
        double largest = 0;
        for (int64_t j = 0; j < n; j++)
            if (cabs(pm_sparse_get(block->L, j, j)) > largest)
                largest = cabs(pm_sparse_get(block->L, j, j));
        sigma = -STEADY_AUTO_SHIFT * (largest > 0 ? largest : 1.0);
    }

    pm_sparse *shifted = NULL;
    pm_lu lu = {0};
    arpack_work w = {0};
    const a_int nev = 1, an = (a_int)n, ancv = (a_int)ncv;
    const a_int lworkl = 3 * ancv * ancv + 5 * ancv;
    a_int iparam[11] = {0}, ipntr[14] = {0};
    a_int ido = 0, arinfo = 0; /* arinfo = 0: random starting vector */
    pm_status status = pm_lu_shifted_copy(block->L, sigma, -1, NULL, &shifted);
    if (status == PM_OK)
        status = pm_lu_factor(shifted, "L - sigma I for ARPACK shift-invert",
                              "sigma is an eigenvalue of L: choose another shift", &lu);
    if (status != PM_OK) goto done;
    info->lu_nnz = lu.lu_nnz;
    info->matrix_nnz = pm_sparse_nnz(shifted);

    w.resid = calloc((size_t)n, sizeof(double complex));
    w.v = calloc((size_t)(n * ncv), sizeof(double complex));
    w.workd = calloc(3 * (size_t)n, sizeof(double complex));
    w.workl = calloc((size_t)lworkl, sizeof(double complex));
    w.d = calloc((size_t)nev + 1, sizeof(double complex));
    w.z = calloc((size_t)n, sizeof(double complex));
    w.workev = calloc(2 * (size_t)ncv, sizeof(double complex));
    w.rwork = calloc((size_t)ncv, sizeof(double));
    w.select = calloc((size_t)ncv, sizeof(a_int));
    if (!w.resid || !w.v || !w.workd || !w.workl || !w.d || !w.z || !w.workev || !w.rwork ||
        !w.select) {
        status = pm_error_set(PM_ENOMEM, "out of memory for ARPACK workspace (size %lld, ncv %lld)",
                              (long long)n, (long long)ncv);
        goto done;
    }

    iparam[0] = 1;                   /* exact shifts */
    iparam[2] = opts->arpack_maxiter;
    iparam[6] = 3;                   /* shift-invert */
    for (;;) {
        znaupd_c(&ido, "I", an, "LM", nev, opts->arpack_tol, w.resid, ancv, w.v, an, iparam,
                 ipntr, w.workd, w.workl, lworkl, w.rwork, &arinfo);
        if (ido != -1 && ido != 1) break;
        /* y = OP x; ipntr is 1-based */
        status = pm_lu_solve(&lu, w.workd + ipntr[0] - 1, w.workd + ipntr[1] - 1);
        if (status != PM_OK) goto done;
    }
    info->iterations = iparam[2];
    if (arinfo != 0) {
        status = pm_error_set(PM_ESOLVER, "ARPACK znaupd failed: %s (info %d) after %d restarts, "
                              "%d of %d Ritz values converged; raise arpack_maxiter or arpack_ncv, "
                              "or use method DIRECT", arpack_naupd_meaning(arinfo), arinfo,
                              iparam[2], iparam[4], nev);
        goto done;
    }
    zneupd_c(1, "A", w.select, w.d, w.z, an, sigma, w.workev, "I", an, "LM", nev,
             opts->arpack_tol, w.resid, ancv, w.v, an, iparam, ipntr, w.workd, w.workl, lworkl,
             w.rwork, &arinfo);
    if (arinfo != 0 || iparam[4] < nev) {
        status = pm_error_set(PM_ESOLVER, "ARPACK zneupd failed: %s (info %d, %d converged); "
                              "raise arpack_maxiter or arpack_ncv, or use method DIRECT",
                              arpack_neupd_meaning(arinfo), arinfo, iparam[4]);
        goto done;
    }
    /* in mode 3 zneupd returns the eigenvalue of L itself, not of OP */
    info->eigenvalue_re = creal(w.d[0]);
    info->eigenvalue_im = cimag(w.d[0]);
    memcpy(x, w.z, (size_t)n * sizeof *x);
    /* the trace normalisation also fixes the arbitrary phase */
    status = normalise_trace(n, x, ndiag, diag, "ARPACK eigenvector",
                             "ARPACK found a decaying mode: set a shift closer to 0");

done:
    arpack_work_free(&w);
    pm_lu_free(&lu);
    pm_sparse_free(shifted);
    return status;
}

/* ------------------------------------------------------------------------ */

static pm_status check_block(const pm_block *block, const double complex *x)
{
    if (!block || !block->L || !block->row || !block->col || !x)
        return pm_error_set(PM_EINVAL, "pm_steady_solve needs a block with L, row and col, and "
                            "an output vector");
    if (block->size < 1 || block->L->nrows != block->size || block->L->ncols != block->size)
        return pm_error_set(PM_EINVAL, "block of size %lld has a %lld x %lld matrix L; it must "
                            "be size x size with size >= 1", (long long)block->size,
                            (long long)block->L->nrows, (long long)block->L->ncols);
    return PM_OK;
}

pm_status pm_steady_solve(const pm_block *block, const pm_steady_options *opts,
                          double complex *x, pm_steady_info *info)
{
    pm_steady_options defaults;
    pm_steady_info scratch;
    if (!opts) {
        pm_steady_options_default(&defaults);
        opts = &defaults;
    }
    if (!info) info = &scratch;
    memset(info, 0, sizeof *info);
    info->pinned_element = -1;
    pm_status status = check_block(block, x);
    if (status != PM_OK) return status;
    if (opts->method != PM_STEADY_DIRECT && opts->method != PM_STEADY_ARPACK)
        return pm_error_set(PM_EINVAL, "steady-state method %d unknown: use DIRECT or ARPACK",
                            (int)opts->method);

    int64_t n = block->size;
    int64_t *diag = malloc((size_t)n * sizeof *diag);
    if (!diag) return pm_error_set(PM_ENOMEM, "out of memory for a block of size %lld",
                                   (long long)n);
    int64_t ndiag = 0;
    for (int64_t p = 0; p < n; p++)
        if (block->row[p] == block->col[p]) diag[ndiag++] = p;
    if (ndiag == 0) {
        free(diag);
        return pm_error_set(PM_EINVAL, "block (sector %lld) has no diagonal elements rho_ii: "
                            "a steady state needs sector 0 or the full block",
                            (long long)block->sector);
    }

    double start = pm_wall_seconds();
    if (opts->method == PM_STEADY_DIRECT)
        status = solve_direct(block, opts, ndiag, diag, x, info);
    else
        status = solve_arpack(block, opts, ndiag, diag, x, info);
    info->seconds = pm_wall_seconds() - start;
    free(diag);
    if (status != PM_OK) return status;

    double complex *lx = malloc((size_t)n * sizeof *lx);
    if (!lx) return pm_error_set(PM_ENOMEM, "out of memory for a block of size %lld",
                                 (long long)n);
    pm_sparse_matvec(block->L, x, lx);
    info->residual = 0;
    for (int64_t p = 0; p < n; p++)
        if (cabs(lx[p]) > info->residual) info->residual = cabs(lx[p]);
    free(lx);
    if (!isfinite(info->residual))
        return pm_error_set(PM_ENUMERIC, "the steady state contains NaN or Inf (residual %g)",
                            info->residual);
    return PM_OK;
}
