/* Steady states of a Liouvillian block: direct sparse LU with a pinned
 * diagonal element, or ARPACK shift-invert (see steady.h). */
#include "phonomaser/solvers/steady.h"
#include "phonomaser/solvers/spectrum.h"
#include "phonomaser/core/timer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "linalg/sparse_lu.h"
#include "solvers/hermitian_fold.h"

void pm_steady_options_default(pm_steady_options *opts)
{
    opts->method = PM_STEADY_DIRECT;
    opts->arpack_tol = 0.0;
    opts->arpack_maxiter = 1000;
    opts->arpack_ncv = 20;
    opts->shift = 0.0;
    opts->pin_row = -1;
    opts->lu = PM_LU_AUTO;
    opts->pin_col = -1;
    opts->real_fold = PM_FOLD_AUTO;
    opts->stop = NULL;
}

static pm_status check_stop(const pm_stop_flag *stop, const char *where)
{
    if (PM_STOP_REQUESTED(stop)) return pm_error_set(PM_EINTERRUPT, "steady state: stopped by caller %s", where);
    return PM_OK;
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

/* Why a Liouvillian has several steady states: a conserved quantity that
 * nothing dissipates (both methods refuse such a block). */
#define NONUNIQUE_HINT "a quantity no dissipator relaxes, e.g. gamma_m = 0 or gamma_1 = 0"

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
static pm_status solve_constrained(const pm_block *block, pm_lu_backend backend, const pm_stop_flag *stop,
                                   int64_t row, const unsigned char *trace_columns, double complex *rhs,
                                   double complex *x, pm_steady_info *info)
{
    pm_sparse *a = NULL;
    pm_lu lu = {0};
    pm_status status = check_stop(stop, "before the factorisation");
    if (status == PM_OK) status = pm_lu_shifted_copy(block->L, 0, row, trace_columns, &a);
    if (status == PM_OK) status = check_stop(stop, "before the factorisation");
    if (status == PM_OK)
        status = pm_lu_factor(a, backend, trace_columns ? "the Liouvillian with the trace row"
                                               : "the Liouvillian with one pinned diagonal element",
                              trace_columns ? "the block has more than one steady state (" NONUNIQUE_HINT ")"
                                            : "the block has more than one steady state (" NONUNIQUE_HINT
                                              "), or the pinned population is exactly zero",
                              &lu);
    if (status == PM_OK) status = check_stop(stop, "after the factorisation");
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

pm_lu_backend pm_block_lu_backend(const pm_block *block, pm_lu_backend requested)
{
    if (requested != PM_LU_AUTO) return requested;
    if (pm_lu_uses_band(block->L)) return PM_LU_BAND;
    /* coupled sectors: a block-banded matrix (one block per excitation
     * level); at the operating point, N = 548, K = 14 (32430 unknowns):
     * UMFPACK 0.43 s, KLU 2.0 s (5.2e6 vs 3.5e6 nonzeros in L + U) */
    return block->sector == PM_SECTOR_COUPLED ? PM_LU_UMFPACK : PM_LU_KLU;
}

static pm_status solve_direct(const pm_block *block, const pm_steady_options *opts, int64_t ndiag,
                              const int64_t *diag, double complex *x, pm_steady_info *info)
{
    int64_t n = block->size;
    double complex *rhs = calloc((size_t)n, sizeof *rhs);
    if (!rhs) return pm_error_set(PM_ENOMEM, "out of memory for a steady state of size %lld",
                                  (long long)n);
    pm_status status = PM_OK;
    const pm_lu_backend backend = pm_block_lu_backend(block, opts->lu);
    int banded = backend == PM_LU_BAND && opts->real_fold != PM_FOLD_ON;
    if (!banded) {
        unsigned char *trace_columns = calloc((size_t)n, 1);
        if (!trace_columns) {
            free(rhs);
            return pm_error_set(PM_ENOMEM, "out of memory for a steady state of size %lld", (long long)n);
        }
        for (int64_t q = 0; q < ndiag; q++) trace_columns[diag[q]] = 1;
        int folded = 0; /* the real LU of the Hermitian fold, where it applies (hermitian_fold.h) */
        status = pm_fold_steady(block, opts->real_fold, opts->lu, opts->stop, ndiag, diag, x, info, &folded);
        if (status == PM_OK && !folded)
            status = solve_constrained(block, backend, opts->stop, diag[0], trace_columns, rhs, x, info);
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
        status = solve_constrained(block, backend, opts->stop, pin, NULL, rhs, x, info);
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
 * error because it lies along the wanted eigenvector.  (The shift is set
 * in spectrum.c, which does the Arnoldi work.) */

/* The ARPACK work itself (reverse communication, the lock that ARPACK's
 * Fortran SAVE state needs between threads) is the spectrum module's: the
 * steady state is its slowest eigenvector, nev = 1, trace-normalised. */
static pm_status solve_arpack(const pm_block *block, const pm_steady_options *opts, int64_t ndiag,
                              const int64_t *diag, double complex *x, pm_steady_info *info, int *nonunique)
{
    *nonunique = 0;
    int64_t n = block->size;
    if (n < 3)
        return pm_error_set(PM_EINVAL, "ARPACK steady state needs a block of size >= 3 (got %lld); "
                            "use method = direct", (long long)n);
    if (opts->arpack_maxiter < 1)
        return pm_error_set(PM_EINVAL, "arpack_maxiter = %d must be >= 1", opts->arpack_maxiter);
    if (!(opts->arpack_tol >= 0) || !isfinite(opts->arpack_tol) || !isfinite(opts->shift))
        return pm_error_set(PM_EINVAL, "arpack_tol (%g) must be finite and >= 0 and shift (%g) "
                            "finite", opts->arpack_tol, opts->shift);
    pm_spectrum_options so;
    pm_spectrum_options_default(&so);
    /* two eigenvalues: the second tells a unique steady state (lambda_2
     * well away from 0) from a degenerate null space, which the direct
     * method detects as a singular LU */
    so.nev = n >= 4 ? 2 : 1;
    so.shift = opts->shift; /* 0: the same automatic shift, -1e-9 max_p |L_pp| */
    so.arpack_tol = opts->arpack_tol;
    so.arpack_maxiter = opts->arpack_maxiter;
    so.arpack_ncv = opts->arpack_ncv;
    so.want_vectors = 1;
    so.lu = pm_block_lu_backend(block, opts->lu);
    so.stop = opts->stop;
    pm_spectrum spectrum;
    pm_status status = pm_spectrum_slowest(block, &so, &spectrum);
    if (status == PM_OK) {
        info->iterations = spectrum.iterations;
        info->lu_nnz = spectrum.lu_nnz;
        info->matrix_nnz = spectrum.matrix_nnz;
        info->eigenvalue_re = creal(spectrum.eigenvalues[0]);
        info->eigenvalue_im = cimag(spectrum.eigenvalues[0]);
        memcpy(x, spectrum.vectors, (size_t)n * sizeof *x);
        /* two eigenvalues within twice the automatic shift (1e-9 max_p |L_pp|)
         * of 0: a null space this method cannot resolve (see above) */
        double largest = 0;
        for (int64_t p = 0; p < n; p++) largest = fmax(largest, cabs(pm_sparse_get(block->L, p, p)));
        const double zero = 2e-9 * (largest > 0 ? largest : 1.0);
        if (spectrum.nev == 2 && cabs(spectrum.eigenvalues[0]) < zero && cabs(spectrum.eigenvalues[1]) < zero) {
            *nonunique = 1;
            status = pm_error_set(PM_ESOLVER, "ARPACK: the block has more than one steady state (" NONUNIQUE_HINT
                                  "): eigenvalues %.3g and %.3g 1/s, both within %.3g 1/s of 0",
                                  cabs(spectrum.eigenvalues[0]), cabs(spectrum.eigenvalues[1]), zero);
        }
        /* the trace normalisation also fixes the arbitrary phase */
        if (status == PM_OK)
            status = normalise_trace(n, x, ndiag, diag, "ARPACK eigenvector", "ARPACK found a decaying mode");
    }
    pm_spectrum_clear(&spectrum);
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
        return pm_error_set(PM_EINVAL, "steady-state method %d unknown: PM_STEADY_DIRECT or PM_STEADY_ARPACK",
                            (int)opts->method);
    if (opts->real_fold != PM_FOLD_AUTO && opts->real_fold != PM_FOLD_ON && opts->real_fold != PM_FOLD_OFF)
        return pm_error_set(PM_EINVAL, "real_fold = %d unknown: it must be one of auto, on, off", (int)opts->real_fold);

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
    int nonunique = 0;
    info->method = opts->method;
    if (opts->method == PM_STEADY_DIRECT)
        status = solve_direct(block, opts, ndiag, diag, x, info);
    else
        status = solve_arpack(block, opts, ndiag, diag, x, info, &nonunique);
    /* ARPACK failed on a block whose LU it has just factorised: the direct
     * method fits as well and takes over (with a note) */
    if (opts->method == PM_STEADY_ARPACK && !nonunique && (status == PM_ESOLVER || status == PM_ENUMERIC)) {
        char why[400];
        snprintf(why, sizeof why, "%s", pm_error_message());
        memset(info, 0, sizeof *info);
        info->pinned_element = -1;
        info->method = PM_STEADY_DIRECT;
        status = solve_direct(block, opts, ndiag, diag, x, info);
        if (status == PM_OK)
            snprintf(info->note, sizeof info->note, "method = arpack failed (%s); solved with method = direct",
                     why);
    }
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
