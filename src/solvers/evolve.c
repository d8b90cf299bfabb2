/* Time evolution of a Liouvillian block with SUNDIALS CVODE (BDF).
 *
 * The complex state x (n elements) is integrated as a real vector y of size
 * 2n with interleaved storage y[2p] = Re x_p, y[2p+1] = Im x_p.  That is the
 * memory layout of a double complex array (C11 6.2.5p13), so the N_Vector
 * wraps the caller's x directly and CVODE's output lands in x without
 * copies.  The system is linear, y' = L y, so the Jacobian is L itself:
 * each complex entry l at (i, j) becomes the real 2x2 block
 *   [[Re l, -Im l], [Im l, Re l]]  at rows 2i, 2i+1 and columns 2j, 2j+1,
 * which keeps the band structure of sector blocks for KLU. */
#include "phonomaser/solvers/evolve.h"
#include "phonomaser/core/progress.h"
#include "phonomaser/solvers/steady.h"
#include "phonomaser/core/timer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cvode/cvode.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_klu.h>
#include <sunlinsol/sunlinsol_spgmr.h>
#include <sunmatrix/sunmatrix_sparse.h>

#include "linalg/sparse_lu.h"

_Static_assert(sizeof(sunindextype) == sizeof(int64_t),
               "pm_sparse indices and sunindextype must both be 64-bit");
_Static_assert(sizeof(double complex) == 2 * sizeof(realtype),
               "double complex must be two realtype values");

pm_status pm_output_times(const double *list, size_t count, double t_final, size_t n_times, double **out,
                          size_t *ntimes_out, size_t *skip)
{
    *out = NULL;
    *ntimes_out = 0;
    *skip = list && count > 0 && list[0] > 0;
    size_t ntimes = list && count > 0 ? count + *skip : n_times;
    if (!list && (ntimes < 2 || !(t_final > 0) || !isfinite(t_final)))
        return pm_error_set(PM_EINVAL, "output times: n_times = %zu must be >= 2 and t_final = %g > 0", ntimes, t_final);
    double *times = malloc(ntimes * sizeof *times);
    if (!times) return pm_error_set(PM_ENOMEM, "out of memory for %zu output times", ntimes);
    if (list && count > 0) {
        times[0] = 0.0;
        memcpy(times + *skip, list, count * sizeof *times);
    } else {
        for (size_t k = 0; k < ntimes; k++) times[k] = t_final * (double)k / (double)(ntimes - 1);
    }
    *out = times;
    *ntimes_out = ntimes;
    return PM_OK;
}

const char *pm_linear_solver_name(pm_linear_solver solver)
{
    switch (solver) {
    case PM_LINSOL_AUTO: return "auto";
    case PM_LINSOL_KLU: return "klu";
    case PM_LINSOL_SPGMR: return "spgmr";
    case PM_LINSOL_LU: return "lu";
    }
    return "?";
}

void pm_evolve_options_default(pm_evolve_options *opts)
{
    opts->rtol = 1e-8;
    opts->atol = 1e-10;
    opts->linear_solver = PM_LINSOL_AUTO;
    opts->max_steps = 100000;
    opts->progress = NULL;
    opts->progress_user = NULL;
    opts->stop_flag = NULL;
}

/* SPGMR Krylov dimension.  Unpreconditioned GMRES on a stiff Liouvillian
 * needs more than SUNDIALS' default 5: on the JC full block at N = 40
 * (0-20 s) maxl = 5 gave 615 steps with 73 Newton convergence failures,
 * maxl = 15 gives 273 steps with none (30 is no better). */
enum { SPGMR_KRYLOV_DIM = 15 };

/* Krylov tolerance of SPGMR relative to the Newton tolerance (CVodeSetEpsLin;
 * SUNDIALS' default 0.05).  Max relative error of <n>(t) over 0-60 s from
 * the thermal state at Table I against KLU at rtol 1e-12, rtol 1e-8, in
 * units of rtol:  N = 60: 2.8 (0.05), 0.95 (5e-4), KLU 2.0;  N = 300: 16
 * (0.05), 11 (0.005), 7.1 (5e-4), 6.9 (5e-5), KLU 2.1; wall time 3.1, 4.8,
 * 6.3, 8.1 s.  Tighter than 5e-4 buys nothing: the rest of the error is
 * the step control with an inexact Newton matrix, so SPGMR stays a few
 * times less accurate than KLU at the same rtol (documented, and the
 * command line warns). */
#define SPGMR_EPS_LIN 5e-4

/* State shared with the CVODE callbacks (user data). */
typedef struct evolve_run {
    const pm_sparse *L;
    int64_t n;                      /* complex size */
    int64_t jac_nnz;                /* entries of the real 2n x 2n Jacobian */
    const pm_stop_flag *stop_flag;
    int stopped;                    /* the RHS saw the stop flag */
    pm_progress progress;           /* reports, if asked for */
    double t_first, t_last;         /* times[0], times[ntimes-1] */
    char cvode_message[320];        /* last error text CVODE reported */
    /* the linear solver's own account of a setup/solve failure, if it gave one */
    char linsol_message[512];
    int linsol_out_of_memory;
} evolve_run;

/* out = L in, on interleaved real arrays (explicit real arithmetic avoids
 * the slow NaN-checking complex multiply of C99 Annex G). */
static void apply_liouvillian(const pm_sparse *L, const double *in, double *out)
{
    const int64_t n = L->ncols;
    const int64_t *colptr = L->colptr, *rowind = L->rowind;
    const double *val = (const double *)L->values;
    memset(out, 0, (size_t)(2 * L->nrows) * sizeof(double));
    for (int64_t j = 0; j < n; ++j) {
        const double xr = in[2 * j], xi = in[2 * j + 1];
        if (xr == 0.0 && xi == 0.0)
            continue; /* common early on: most of rho is still zero */
        for (int64_t k = colptr[j]; k < colptr[j + 1]; ++k) {
            const int64_t i = rowind[k];
            const double lr = val[2 * k], li = val[2 * k + 1];
            out[2 * i] += lr * xr - li * xi;
            out[2 * i + 1] += lr * xi + li * xr;
        }
    }
}

static void progress_draw(evolve_run *run, double t, int force)
{
    if (!run->progress.report) return;
    double span = run->t_last - run->t_first;
    char detail[64];
    snprintf(detail, sizeof detail, "t = %.4g s / %.4g s", t, run->t_last);
    pm_progress_update(&run->progress, span > 0.0 ? (t - run->t_first) / span : 1.0, detail, force);
}

static int rhs(realtype t, N_Vector y, N_Vector ydot, void *user_data)
{
    evolve_run *run = user_data;
    /* An unrecoverable RHS failure makes CVode return at once, so a stop
     * request ends even a long output interval promptly. */
    if (run->stop_flag && *run->stop_flag) {
        run->stopped = 1;
        return -1;
    }
    progress_draw(run, t, 0);
    apply_liouvillian(run->L, N_VGetArrayPointer(y), N_VGetArrayPointer(ydot));
    return 0;
}

/* Jacobian-vector product for SPGMR: exact, J v = L v. */
static int jtimes(N_Vector v, N_Vector Jv, realtype t, N_Vector y, N_Vector fy, void *user_data,
                  N_Vector tmp)
{
    (void)t, (void)y, (void)fy, (void)tmp;
    evolve_run *run = user_data;
    apply_liouvillian(run->L, N_VGetArrayPointer(v), N_VGetArrayPointer(Jv));
    return 0;
}

/* Number of complex entries of the Jacobian pattern: L's entries plus any
 * missing diagonal, so that CVODE's M = I - gamma J never has to grow the
 * matrix (a changing pattern would break KLU's reused symbolic analysis). */
static int64_t jacobian_complex_nnz(const pm_sparse *L)
{
    int64_t count = pm_sparse_nnz(L);
    for (int64_t j = 0; j < L->ncols; ++j) {
        int has_diagonal = 0;
        for (int64_t k = L->colptr[j]; k < L->colptr[j + 1]; ++k)
            if (L->rowind[k] == j)
                has_diagonal = 1;
        count += !has_diagonal;
    }
    return count;
}

/* Write the 2x2 expansion of complex column j (real columns 2j, 2j+1) of
 * the Jacobian; returns the next free position.  All four entries of each
 * block are stored, so the pattern never depends on the values. */
static int64_t fill_jacobian_column(const pm_sparse *L, int64_t j, int64_t pos, int imag_column,
                                    sunindextype *rows, realtype *data)
{
    const double *val = (const double *)L->values;
    int diagonal_done = 0;
    for (int64_t k = L->colptr[j]; k <= L->colptr[j + 1]; ++k) {
        int64_t i;
        double lr, li;
        if (k < L->colptr[j + 1]) {
            i = L->rowind[k];
            lr = val[2 * k];
            li = val[2 * k + 1];
        } else {
            i = INT64_MAX; /* sentinel: insert a missing diagonal at the end */
            lr = li = 0.0;
        }
        if (!diagonal_done && i > j) {
            rows[pos] = 2 * j;
            data[pos++] = 0.0;
            rows[pos] = 2 * j + 1;
            data[pos++] = 0.0;
            diagonal_done = 1;
        }
        if (i == INT64_MAX)
            break;
        if (i == j)
            diagonal_done = 1;
        /* d(Re out_i, Im out_i) / d Re x_j = (lr, li); / d Im x_j = (-li, lr) */
        rows[pos] = 2 * i;
        data[pos++] = imag_column ? -li : lr;
        rows[pos] = 2 * i + 1;
        data[pos++] = imag_column ? lr : li;
    }
    return pos;
}

static int jacobian(realtype t, N_Vector y, N_Vector fy, SUNMatrix jac, void *user_data,
                    N_Vector tmp1, N_Vector tmp2, N_Vector tmp3)
{
    (void)t, (void)y, (void)fy, (void)tmp1, (void)tmp2, (void)tmp3;
    evolve_run *run = user_data;
    if (SUNSparseMatrix_NNZ(jac) < run->jac_nnz &&
        SUNSparseMatrix_Reallocate(jac, run->jac_nnz) != 0)
        return -1;
    sunindextype *colptr = SUNSparseMatrix_IndexPointers(jac);
    sunindextype *rows = SUNSparseMatrix_IndexValues(jac);
    realtype *data = SUNSparseMatrix_Data(jac);
    int64_t pos = 0;
    for (int64_t j = 0; j < run->n; ++j) {
        colptr[2 * j] = pos;
        pos = fill_jacobian_column(run->L, j, pos, 0, rows, data);
        colptr[2 * j + 1] = pos;
        pos = fill_jacobian_column(run->L, j, pos, 1, rows, data);
    }
    colptr[2 * run->n] = pos;
    return 0;
}

static void error_handler(int error_code, const char *module, const char *function, char *msg,
                          void *user_data)
{
    evolve_run *run = user_data;
    if (error_code >= 0)
        return; /* warnings: CVODE recovers by itself */
    snprintf(run->cvode_message, sizeof run->cvode_message, "%s: %s", function ? function : module,
             msg ? msg : "");
}

/* What to do when the evolution runs out of memory (keys of the command line). */
#define MEMORY_HINT "not enough memory for this block: use path = sector (or auto), linear_solver = spgmr, or a smaller N"

static const char *failure_hint(int flag)
{
    switch (flag) {
    case CV_TOO_MUCH_WORK:
        return "loosen rtol/atol, or output at more times (n_times, times); a C caller can raise "
               "pm_evolve_options.max_steps";
    case CV_TOO_MUCH_ACC:
        return "rtol/atol ask for more than double precision gives: loosen them";
    case CV_ERR_FAILURE:
    case CV_CONV_FAILURE:
        return "check the model for NaN or extreme rates; try other rtol/atol or linear_solver = klu";
    case CV_LSETUP_FAIL:
    case CV_LSOLVE_FAIL:
        return "the linear solver failed: the Newton matrix may be singular (check the model for "
               "extreme rates); try another linear_solver (klu, spgmr)";
    case CV_MEM_FAIL:
        return MEMORY_HINT;
    default:
        return "check the model and the solver options";
    }
}

/* The first non-finite element of x, or -1. */
static int64_t find_nonfinite(const double complex *x, int64_t n)
{
    const double *v = (const double *)x;
    for (int64_t p = 0; p < 2 * n; ++p)
        if (!isfinite(v[p]))
            return p / 2;
    return -1;
}

static pm_status check_inputs(const pm_block *block, const double complex *x, size_t ntimes,
                              const double *times, const pm_evolve_options *opts)
{
    if (!block || !block->L)
        return pm_error_set(PM_EINVAL, "evolve: block and its Liouvillian must not be NULL");
    if (block->size < 1 || block->L->nrows != block->size || block->L->ncols != block->size)
        return pm_error_set(PM_EINVAL,
                            "evolve: Liouvillian is %lld x %lld but the block has %lld elements",
                            (long long)block->L->nrows, (long long)block->L->ncols,
                            (long long)block->size);
    if (!x)
        return pm_error_set(PM_EINVAL, "evolve: state vector x must not be NULL");
    if (ntimes < 1 || !times)
        return pm_error_set(PM_EINVAL, "evolve: times must hold at least one output time");
    for (size_t k = 0; k < ntimes; ++k) {
        if (!isfinite(times[k]))
            return pm_error_set(PM_EINVAL, "evolve: times[%zu] = %g is not finite", k, times[k]);
        if (k > 0 && !(times[k] > times[k - 1]))
            return pm_error_set(PM_EINVAL,
                                "evolve: times must be strictly increasing, but times[%zu] = %g "
                                "follows times[%zu] = %g",
                                k, times[k], k - 1, times[k - 1]);
    }
    if (!(opts->rtol > 0.0) || !isfinite(opts->rtol))
        return pm_error_set(PM_EINVAL, "evolve: rtol = %g, must be > 0 (typical 1e-6 .. 1e-10)",
                            opts->rtol);
    if (!(opts->atol > 0.0) || !isfinite(opts->atol))
        return pm_error_set(PM_EINVAL, "evolve: atol = %g, must be > 0 (typical 1e-8 .. 1e-12)",
                            opts->atol);
    if (opts->max_steps < 1)
        return pm_error_set(PM_EINVAL, "evolve: max_steps = %ld, must be >= 1", opts->max_steps);
    if (opts->linear_solver != PM_LINSOL_AUTO && opts->linear_solver != PM_LINSOL_KLU &&
        opts->linear_solver != PM_LINSOL_SPGMR && opts->linear_solver != PM_LINSOL_LU)
        return pm_error_set(PM_EINVAL, "evolve: linear_solver = %d, must be AUTO, KLU, SPGMR or LU",
                            (int)opts->linear_solver);
    return PM_OK;
}

static pm_status numeric_failure(const pm_block *block, const double complex *x, double t)
{
    int64_t p = find_nonfinite(x, block->size);
    if (p < 0)
        return PM_OK;
    long long i = block->row ? (long long)block->row[p] : -1;
    long long j = block->col ? (long long)block->col[p] : -1;
    return pm_error_set(PM_ENUMERIC,
                        "evolve: state element %lld (rho[%lld][%lld]) is %g%+gi at t = %g s; "
                        "check the model rates and the initial state",
                        (long long)p, i, j, creal(x[p]), cimag(x[p]), t);
}

static void collect_info(void *mem, pm_linear_solver solver, pm_evolve_info *info)
{
    long value;
    if (CVodeGetNumSteps(mem, &value) == CV_SUCCESS)
        info->steps = value;
    if (CVodeGetNumRhsEvals(mem, &value) == CV_SUCCESS)
        info->rhs_evals = value;
    if (CVodeGetNumJacEvals(mem, &value) == CV_SUCCESS)
        info->jac_evals = value;

    if (solver == PM_LINSOL_SPGMR && CVodeGetNumLinIters(mem, &value) == CV_SUCCESS)
        info->lin_iters = value;
    if (CVodeGetNumErrTestFails(mem, &value) == CV_SUCCESS)
        info->error_test_fails = value;
    if (CVodeGetNumNonlinSolvConvFails(mem, &value) == CV_SUCCESS)
        info->nonlin_conv_fails = value;
}

/* Map a negative CVode flag to a status and message. */
static pm_status solver_failure(evolve_run *run, int flag, double t_reached, double t_target,
                                const pm_evolve_options *opts)
{
    if (run->stopped || (run->stop_flag && *run->stop_flag))
        return pm_error_set(PM_EINTERRUPT, "evolve: stopped by caller at t = %g s (stop flag set)",
                            t_reached);
    char *name = CVodeGetReturnFlagName(flag); /* malloc'ed by SUNDIALS */
    int out_of_memory = flag == CV_MEM_FAIL || run->linsol_out_of_memory;
    pm_status status = out_of_memory ? PM_ENOMEM : PM_ESOLVER;
    char limit[64] = "";
    if (flag == CV_TOO_MUCH_WORK)
        snprintf(limit, sizeof limit, " (max_steps = %ld)", opts->max_steps);
    pm_error_set(status, "evolve: CVODE %s%s at t = %g s on the way to t = %g s [%s]%s%s; hint: %s",
                 name ? name : "failure", limit, t_reached, t_target,
                 run->cvode_message[0] ? run->cvode_message : "no message", run->linsol_message[0] ? ": " : "",
                 run->linsol_message, out_of_memory ? MEMORY_HINT : failure_hint(flag));
    free(name);
    return status;
}

/* ---- complex LU linear solver (matrix-embedded SUNLinearSolver) ----
 * CVODE's Newton systems are (I - gamma J) x = b with J = L in the
 * interleaved real layout, which is exactly the memory layout of a complex
 * array.  CVODE never calls setup for a matrix-embedded solver: solve
 * factorises the complex I - gamma L with pm_lu when gamma has moved by more
 * than 30 % from the factorised one (CVODE's own dgmax_lsetup), else reuses
 * the factors and scales the solution by 2/(1 + gamma/gamma_f), as CVODE
 * does for its matrix-based solvers (L is constant: no Jacobian ages). */
typedef struct {
    const pm_block *block;
    void *cvode_mem;
    pm_lu lu;
    pm_sparse *matrix;       /* I - gamma L, owned (the factors refer to it) */
    double complex *rhs;
    int factored;
    double gamma_factored;
    long setups;
    char message[512];
    pm_status status;        /* of the last failed factorisation or solve */
} complex_lu_solver;

static SUNLinearSolver_Type complex_lu_type(SUNLinearSolver S)
{
    (void)S;
    return SUNLINEARSOLVER_MATRIX_EMBEDDED;
}

static SUNLinearSolver_ID complex_lu_id(SUNLinearSolver S)
{
    (void)S;
    return SUNLINEARSOLVER_CUSTOM;
}

static int complex_lu_factor(complex_lu_solver *ls, double gamma)
{
    if (ls->factored) pm_lu_free(&ls->lu);
    ls->factored = 0;
    pm_sparse_free(ls->matrix);
    ls->matrix = NULL;
    /* I - gamma L = -gamma (L - I/gamma) */
    pm_sparse *shifted = NULL;
    pm_status s = pm_lu_shifted_copy(ls->block->L, 1.0 / gamma, -1, NULL, &shifted);
    if (s == PM_OK) s = pm_sparse_add(-gamma, shifted, 0, shifted, &ls->matrix);
    pm_sparse_free(shifted);
    if (s == PM_OK)
        s = pm_lu_factor(ls->matrix, pm_block_lu_backend(ls->block, PM_LU_AUTO), "I - gamma L (CVODE Newton matrix)",
                         "the step size may be extreme: check the model", &ls->lu);
    if (s != PM_OK) {
        snprintf(ls->message, sizeof ls->message, "%s", pm_error_message());
        ls->status = s;
        return -1; /* unrecoverable */
    }
    /* Newton corrections need no iterative refinement (UMFPACK's default 2
     * steps triple the cost of a solve) */
    ls->lu.control[UMFPACK_IRSTEP] = 0;
    ls->factored = 1;
    ls->gamma_factored = gamma;
    ls->setups++;
    return 0;
}

static int complex_lu_solve(SUNLinearSolver S, SUNMatrix A, N_Vector x, N_Vector b, realtype tol)
{
    (void)A, (void)tol;
    complex_lu_solver *ls = S->content;
    realtype gamma = 0;
    if (CVodeGetCurrentGamma(ls->cvode_mem, &gamma) != CV_SUCCESS || !(gamma > 0)) return -1;
    double ratio = ls->factored ? gamma / ls->gamma_factored : 0;
    if (!ls->factored || fabs(ratio - 1) > 0.3) {
        if (complex_lu_factor(ls, gamma) != 0) return -1;
        ratio = 1;
    }
    memcpy(ls->rhs, N_VGetArrayPointer(b), (size_t)ls->block->size * sizeof *ls->rhs);
    double complex *out = (double complex *)N_VGetArrayPointer(x);
    pm_status s = pm_lu_solve(&ls->lu, ls->rhs, out);
    if (s != PM_OK) {
        snprintf(ls->message, sizeof ls->message, "%s", pm_error_message());
        ls->status = s;
        return -1;
    }
    if (ratio != 1)
        for (int64_t p = 0; p < ls->block->size; p++) out[p] *= 2 / (1 + ratio);
    return 0;
}

static int complex_lu_free(SUNLinearSolver S)
{
    if (!S) return 0;
    complex_lu_solver *ls = S->content;
    if (ls) {
        if (ls->factored) pm_lu_free(&ls->lu);
        pm_sparse_free(ls->matrix);
        free(ls->rhs);
        free(ls);
    }
    S->content = NULL;
    SUNLinSolFreeEmpty(S);
    return 0;
}

static SUNLinearSolver complex_lu_create(const pm_block *block, void *cvode_mem, SUNContext sunctx)
{
    SUNLinearSolver S = SUNLinSolNewEmpty(sunctx);
    complex_lu_solver *ls = calloc(1, sizeof *ls);
    if (ls) ls->rhs = malloc((size_t)block->size * sizeof *ls->rhs);
    if (!S || !ls || !ls->rhs) {
        if (ls) free(ls->rhs);
        free(ls);
        if (S) SUNLinSolFreeEmpty(S);
        return NULL;
    }
    ls->block = block;
    ls->cvode_mem = cvode_mem;
    S->content = ls;
    S->ops->gettype = complex_lu_type;
    S->ops->getid = complex_lu_id;
    S->ops->solve = complex_lu_solve;
    S->ops->free = complex_lu_free;
    return S;
}

/* Why the linear solver failed, from the solver itself (CVODE only says
 * that it did): KLU's status, or the message of the complex LU. */
static void linsol_failure(evolve_run *run, SUNLinearSolver linsol, pm_linear_solver solver)
{
    if (!linsol) return;
    if (solver == PM_LINSOL_KLU) {
        const sun_klu_common *common = SUNLinSol_KLUGetCommon(linsol);
        if (!common) return;
        run->linsol_out_of_memory = common->status == KLU_OUT_OF_MEMORY;
        const char *what = common->status == KLU_OUT_OF_MEMORY ? "KLU ran out of memory"
                           : common->status == KLU_SINGULAR    ? "KLU: singular Newton matrix"
                           : common->status == KLU_TOO_LARGE   ? "KLU: integer overflow (matrix too large)"
                                                               : NULL;
        if (what) snprintf(run->linsol_message, sizeof run->linsol_message, "%s", what);
    } else if (solver == PM_LINSOL_LU) {
        const complex_lu_solver *ls = linsol->content;
        if (!ls || !ls->message[0]) return;
        run->linsol_out_of_memory = ls->status == PM_ENOMEM;
        snprintf(run->linsol_message, sizeof run->linsol_message, "%s", ls->message);
    }
}

pm_status pm_evolve(const pm_block *block, double complex *x, size_t ntimes, const double *times,
                    const pm_evolve_options *opts_in, pm_evolve_callback callback, void *context,
                    pm_evolve_info *info_out)
{
    const double start_s = pm_wall_seconds();
    pm_evolve_options opts;
    if (opts_in)
        opts = *opts_in;
    else
        pm_evolve_options_default(&opts);
    pm_evolve_info info = {0};
    info.t_reached = NAN;

    pm_status status = check_inputs(block, x, ntimes, times, &opts);
    if (status != PM_OK)
        return status;

    evolve_run run = {
        .L = block->L,
        .n = block->size,
        .stop_flag = opts.stop_flag,
        .progress = {.report = opts.progress, .user = opts.progress_user},
        .t_first = times[0],
        .t_last = times[ntimes - 1],
    };
    SUNContext sunctx = NULL;
    N_Vector y = NULL;
    SUNMatrix jac = NULL;
    SUNLinearSolver linsol = NULL;
    void *mem = NULL;

    /* Output 0 is the initial state itself. */
    status = numeric_failure(block, x, times[0]);
    if (status != PM_OK)
        goto done;
    info.t_reached = times[0];
    if (run.stop_flag && *run.stop_flag) {
        status = pm_error_set(PM_EINTERRUPT, "evolve: stopped by caller at t = %g s (stop flag set)",
                              times[0]);
        goto done;
    }
    progress_draw(&run, times[0], 1);
    if (callback) {
        int rc = callback(context, 0, times[0], x);
        if (rc != 0) {
            status = pm_error_set(PM_EINTERRUPT,
                                  "evolve: stopped by caller at t = %g s (callback returned %d at "
                                  "output 0)",
                                  times[0], rc);
            goto done;
        }
    }
    if (ntimes == 1)
        goto done;

    const sunindextype nreal = 2 * block->size;
    if (SUNContext_Create(NULL, &sunctx) != 0) {
        status = pm_error_set(PM_ESOLVER, "evolve: SUNContext_Create failed");
        goto done;
    }
    y = N_VMake_Serial(nreal, (realtype *)x, sunctx);
    mem = CVodeCreate(CV_BDF, sunctx);
    if (!y || !mem) {
        status = pm_error_set(PM_ENOMEM, "evolve: cannot allocate the CVODE state (%lld unknowns)",
                              (long long)nreal);
        goto done;
    }
    int flag = CVodeInit(mem, rhs, times[0], y);
    if (flag == CV_SUCCESS)
        flag = CVodeSetUserData(mem, &run);
    if (flag == CV_SUCCESS)
        flag = CVodeSetErrHandlerFn(mem, error_handler, &run);
    if (flag == CV_SUCCESS)
        flag = CVodeSStolerances(mem, opts.rtol, opts.atol);
    if (flag == CV_SUCCESS)
        flag = CVodeSetMaxNumSteps(mem, opts.max_steps);
    if (flag != CV_SUCCESS) {
        status = solver_failure(&run, flag, times[0], times[1], &opts);
        goto done;
    }

    if (opts.linear_solver == PM_LINSOL_AUTO)
        opts.linear_solver = block->sector == PM_SECTOR_COUPLED ? PM_LINSOL_LU : PM_LINSOL_KLU;
    if (opts.linear_solver == PM_LINSOL_LU) {
        linsol = complex_lu_create(block, mem, sunctx);
    } else if (opts.linear_solver == PM_LINSOL_KLU) {
        run.jac_nnz = 4 * jacobian_complex_nnz(block->L);
        jac = SUNSparseMatrix(nreal, nreal, run.jac_nnz, CSC_MAT, sunctx);
        if (!jac) {
            status = pm_error_set(PM_ENOMEM,
                                  "evolve: cannot allocate the %lld x %lld Jacobian with %lld "
                                  "entries; " MEMORY_HINT,
                                  (long long)nreal, (long long)nreal, (long long)run.jac_nnz);
            goto done;
        }
        linsol = SUNLinSol_KLU(y, jac, sunctx);
    } else {
        linsol = SUNLinSol_SPGMR(y, SUN_PREC_NONE, SPGMR_KRYLOV_DIM, sunctx);
        /* classical Gram-Schmidt: ~10% faster than modified here, same steps */
        if (linsol && SUNLinSol_SPGMRSetGSType(linsol, SUN_CLASSICAL_GS) != 0) {
            status = pm_error_set(PM_ESOLVER, "evolve: cannot set the SPGMR Gram-Schmidt type");
            goto done;
        }
    }
    if (!linsol) {
        status = pm_error_set(PM_ENOMEM, "evolve: cannot create the %s linear solver",
                              pm_linear_solver_name(opts.linear_solver));
        goto done;
    }
    flag = CVodeSetLinearSolver(mem, linsol, jac);
    if (flag == CV_SUCCESS && opts.linear_solver != PM_LINSOL_LU)
        flag = opts.linear_solver == PM_LINSOL_KLU ? CVodeSetJacFn(mem, jacobian)
                                                   : CVodeSetJacTimes(mem, NULL, jtimes);
    if (flag == CV_SUCCESS && opts.linear_solver == PM_LINSOL_SPGMR)
        flag = CVodeSetEpsLin(mem, SPGMR_EPS_LIN);
    if (flag != CV_SUCCESS) {
        status = solver_failure(&run, flag, times[0], times[1], &opts);
        goto done;
    }

    for (size_t k = 1; k < ntimes; ++k) {
        realtype t_reached = times[k - 1];
        flag = CVode(mem, times[k], y, &t_reached, CV_NORMAL);
        if (flag < 0) {
            info.t_reached = t_reached;
            if (flag == CV_LSETUP_FAIL || flag == CV_LSOLVE_FAIL) linsol_failure(&run, linsol, opts.linear_solver);
            status = solver_failure(&run, flag, t_reached, times[k], &opts);
            goto done;
        }
        info.t_reached = times[k];
        status = numeric_failure(block, x, times[k]);
        if (status != PM_OK)
            goto done;
        progress_draw(&run, times[k], k + 1 == ntimes);
        if (callback) {
            int rc = callback(context, k, times[k], x);
            if (rc != 0) {
                status = pm_error_set(PM_EINTERRUPT,
                                      "evolve: stopped by caller at t = %g s (callback returned "
                                      "%d at output %zu)",
                                      times[k], rc, k);
                goto done;
            }
        }
        if (run.stop_flag && *run.stop_flag && k + 1 < ntimes) {
            status = pm_error_set(PM_EINTERRUPT,
                                  "evolve: stopped by caller at t = %g s (stop flag set)", times[k]);
            goto done;
        }
    }

done:
    if (mem)
        collect_info(mem, opts.linear_solver, &info);
    info.linear_solver = opts.linear_solver;
    if (linsol && opts.linear_solver == PM_LINSOL_LU) /* no Jacobian: count the factorisations */
        info.jac_evals = ((complex_lu_solver *)linsol->content)->setups;
    pm_progress_finish(&run.progress);
    /* SUNDIALS objects go before their context. */
    CVodeFree(&mem);
    if (linsol)
        SUNLinSolFree(linsol);
    if (jac)
        SUNMatDestroy(jac);
    if (y)
        N_VDestroy(y);
    if (sunctx)
        SUNContext_Free(&sunctx);
    info.seconds = pm_wall_seconds() - start_s;
    if (info_out)
        *info_out = info;
    return status;
}
