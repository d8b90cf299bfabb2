/* Two-time correlations and spectra by the quantum regression theorem
 * (correlation.h). */
#include "phonomaser/drivers/correlation.h"

#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "phonomaser/model/space.h"
#include "phonomaser/solvers/spectrum.h"
#include "phonomaser/theory/reduced.h"
#include "phonomaser/core/parallel.h"
#include "phonomaser/core/timer.h"

/* ---- regression problems ------------------------------------------------------- */

void pm_regression_clear(pm_regression *reg)
{
    pm_block_free(reg->block);
    free(reg->x0);
    free(reg->weight);
    memset(reg, 0, sizeof *reg);
}

/* (B rho C)_ij = sum_l B_il sum_m rho_lm C_mj; Bdag = B^dag gives B's row i
 * as its column i (B_il = conj(Bdag_li)); C = NULL: identity. */
static pm_complex sandwich_element(const pm_state *rho, const pm_sparse *Bdag, const pm_sparse *C, int64_t i,
                                   int64_t j)
{
    pm_complex sum = 0;
    for (int64_t kb = Bdag->colptr[i]; kb < Bdag->colptr[i + 1]; kb++) {
        int64_t l = Bdag->rowind[kb];
        pm_complex b = conj(Bdag->values[kb]);
        if (!C) {
            sum += b * pm_state_element(rho, l, j);
            continue;
        }
        for (int64_t kc = C->colptr[j]; kc < C->colptr[j + 1]; kc++)
            sum += b * pm_state_element(rho, l, C->rowind[kc]) * C->values[kc];
    }
    return sum;
}

pm_status pm_regression_init(const pm_model *model, const pm_steady_result *steady, const pm_sparse *A,
                             const pm_sparse *B, const pm_sparse *C, int64_t sector, pm_regression *out)
{
    memset(out, 0, sizeof *out);
    const int64_t d = model->dim;
    if (!steady || !steady->state || !steady->block || steady->state->N != model->N)
        return pm_error_set(PM_EINVAL, "pm_regression_init: the steady state must be of this model at its "
                            "cutoff N = %lld", (long long)model->N);
    if (A->nrows != d || A->ncols != d || B->nrows != d || B->ncols != d || (C && (C->nrows != d || C->ncols != d)))
        return pm_error_set(PM_EINVAL, "pm_regression_init: operators must be %lld x %lld", (long long)d,
                            (long long)d);
    int full = steady->block->sector == PM_SECTOR_FULL;
    pm_sparse *Bdag = NULL;
    pm_status s = pm_model_block(model, full ? PM_SECTOR_FULL : sector, &out->block);
    if (s == PM_OK) s = pm_sparse_adjoint(B, &Bdag);
    if (s != PM_OK) {
        pm_sparse_free(Bdag);
        pm_regression_clear(out);
        return s;
    }
    const pm_block *blk = out->block;
    int64_t n = blk->size;
    out->x0 = malloc((size_t)n * sizeof *out->x0);
    out->weight = malloc((size_t)n * sizeof *out->weight);
    if (!out->x0 || !out->weight) {
        pm_sparse_free(Bdag);
        pm_regression_clear(out);
        return pm_error_set(PM_ENOMEM, "out of memory for a regression problem of size %lld", (long long)n);
    }
    pm_complex trace = 0, a_steady = 0;
    for (int64_t p = 0; p < n; p++) {
        int64_t i = blk->row[p], j = blk->col[p];
        out->x0[p] = sandwich_element(steady->state, Bdag, C, i, j);
        out->weight[p] = pm_sparse_get(A, j, i); /* Tr[A X] = sum_ij A_ji X_ij */
        out->c0 += out->weight[p] * out->x0[p];
        if (i == j) {
            out->holds_steady = 1;
            trace += out->x0[p];
        }
        a_steady += out->weight[p] * pm_state_element(steady->state, i, j);
    }
    pm_sparse_free(Bdag);
    if (out->holds_steady) { /* Q X0 = X0 - rho_ss Tr(X0) */
        out->coherent = trace * a_steady;
        for (int64_t p = 0; p < n; p++) out->x0[p] -= trace * pm_state_element(steady->state, blk->row[p], blk->col[p]);
    }
    return PM_OK;
}

void pm_fock_window(const double *p_n, int64_t N, double tol, int64_t *n_lo, int64_t *n_hi)
{
    /* |p_n|: the solver's roundoff can leave the far tail slightly negative */
    double below = 0, above = 0;
    int64_t lo = 0, hi = N - 1;
    while (lo < N - 1 && below + fabs(p_n[lo]) <= 0.5 * tol) below += fabs(p_n[lo++]);
    while (hi > lo && above + fabs(p_n[hi]) <= 0.5 * tol) above += fabs(p_n[hi--]);
    *n_lo = lo, *n_hi = hi;
}

pm_status pm_regression_window(const pm_regression *full, int64_t N, int64_t n_lo, int64_t n_hi, pm_regression *out)
{
    memset(out, 0, sizeof *out);
    const pm_block *blk = full->block;
    if (full->holds_steady)
        return pm_error_set(PM_EINVAL, "pm_regression_window: the block holds the steady state; a window would "
                            "break its trace conservation (the resolvent near omega = 0)");
    if (N < 1 || blk->dim != 2 * N || n_lo < 0 || n_hi >= N || n_lo > n_hi)
        return pm_error_set(PM_EINVAL, "pm_regression_window: window [%lld, %lld] must lie in the Fock levels "
                            "[0, %lld] of the block", (long long)n_lo, (long long)n_hi, (long long)N - 1);
    unsigned char *keep = malloc((size_t)blk->size);
    if (!keep) return pm_error_set(PM_ENOMEM, "out of memory for a window of %lld elements", (long long)blk->size);
    for (int64_t p = 0; p < blk->size; p++) {
        int64_t n_row = pm_space_fock(N, blk->row[p]), n_col = pm_space_fock(N, blk->col[p]);
        keep[p] = n_row >= n_lo && n_row <= n_hi && n_col >= n_lo && n_col <= n_hi;
    }
    pm_status s = pm_block_principal(blk, keep, &out->block);
    if (s == PM_OK) {
        int64_t n = out->block->size;
        out->x0 = malloc((size_t)n * sizeof *out->x0);
        out->weight = malloc((size_t)n * sizeof *out->weight);
        if (!out->x0 || !out->weight) s = pm_error_set(PM_ENOMEM, "out of memory for a windowed regression");
    }
    for (int64_t p = 0, q = 0; s == PM_OK && p < blk->size; p++)
        if (keep[p]) out->x0[q] = full->x0[p], out->weight[q++] = full->weight[p];
    free(keep);
    if (s != PM_OK) {
        pm_regression_clear(out);
        return s;
    }
    out->c0 = full->c0; /* the exact C(0): the sum rule then tests the window too */
    out->coherent = full->coherent;
    out->holds_steady = 0;
    return PM_OK;
}

static pm_complex weighted_trace(const pm_regression *reg, const pm_complex *x)
{
    pm_complex sum = 0;
    for (int64_t p = 0; p < reg->block->size; p++) sum += reg->weight[p] * x[p];
    return sum;
}

typedef struct evolve_sink {
    const pm_regression *reg;
    pm_complex *out;
} evolve_sink;

static int record_correlation(void *context, size_t index, double t, const pm_complex *x)
{
    (void)t;
    evolve_sink *sink = context;
    sink->out[index] = sink->reg->coherent + weighted_trace(sink->reg, x);
    return 0;
}

pm_status pm_regression_evolve(const pm_regression *reg, size_t ntimes, const double *tau,
                               const pm_evolve_options *opts, pm_complex *out, pm_evolve_info *info)
{
    int64_t n = reg->block->size;
    pm_complex *x = malloc((size_t)n * sizeof *x);
    if (!x) return pm_error_set(PM_ENOMEM, "out of memory for a regression evolution of size %lld", (long long)n);
    memcpy(x, reg->x0, (size_t)n * sizeof *x);
    evolve_sink sink = {reg, out};
    pm_evolve_info local;
    pm_status s = pm_evolve(reg->block, x, ntimes, tau, opts, record_correlation, &sink, info ? info : &local);
    free(x);
    return s;
}

pm_status pm_regression_laplace(const pm_regression *reg, pm_resolvent *r, pm_complex z, pm_complex *work,
                                pm_complex *out)
{
    pm_status s = pm_resolvent_solve(r, z, reg->x0, work);
    if (s == PM_OK) *out = -weighted_trace(reg, work);
    return s;
}

/* ---- the adaptive spectrum ----------------------------------------------------------- */

void pm_spectrum_grid_options_default(pm_spectrum_grid_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->max_points = 2000;
    opts->rtol = 1e-3;
    opts->dt_start = 0.5;
    opts->extent_factor = 1e3;
    opts->lu = PM_LU_AUTO;
    opts->threads = 0;
}

void pm_spectrum_curve_clear(pm_spectrum_curve *curve)
{
    free(curve->omega);
    free(curve->S);
    memset(curve, 0, sizeof *curve);
}

/* Gershgorin bound max_j sum_i |L_ij| of the block's rates [1/s]. */
static double rate_bound(const pm_block *block)
{
    double best = 0;
    for (int64_t j = 0; j < block->L->ncols; j++) {
        double sum = 0;
        for (int64_t k = block->L->colptr[j]; k < block->L->colptr[j + 1]; k++) sum += cabs(block->L->values[k]);
        if (sum > best) best = sum;
    }
    return best;
}

/* One thread's resolvents (one per term) and their scratch vectors. */
typedef struct eval_slot {
    pm_resolvent *res[PM_SPECTRUM_MAX_TERMS];
    pm_complex *work[PM_SPECTRUM_MAX_TERMS];
    long solves;
} eval_slot;

typedef struct spectrum_eval {
    size_t nterms;
    const pm_spectrum_term *terms;
    size_t nslots;           /* threads over frequencies; slot 0 is the calling thread's */
    eval_slot *slots;
    const pm_stop_flag *stop;
} spectrum_eval;

static pm_status eval_open(spectrum_eval *ev, size_t nterms, const pm_spectrum_term *terms, pm_lu_backend lu,
                           int threads, const pm_stop_flag *stop)
{
    memset(ev, 0, sizeof *ev);
    ev->nterms = nterms, ev->terms = terms, ev->stop = stop;
    if (nterms < 1 || nterms > PM_SPECTRUM_MAX_TERMS)
        return pm_error_set(PM_EINVAL, "spectrum: %zu terms (1..%d)", nterms, PM_SPECTRUM_MAX_TERMS);
    if (threads < 0) return pm_error_set(PM_EINVAL, "spectrum: threads = %d must be >= 0 (0: all cores)", threads);
    size_t nslots = pm_parallel_workers(threads, 0);
    ev->slots = calloc(nslots, sizeof *ev->slots);
    if (!ev->slots) return pm_error_set(PM_ENOMEM, "out of memory for %zu spectrum threads", nslots);
    ev->nslots = nslots;
    pm_status s = PM_OK;
    for (size_t k = 0; s == PM_OK && k < ev->nslots; k++)
        for (size_t t = 0; s == PM_OK && t < nterms; t++) {
            eval_slot *slot = &ev->slots[k];
            s = pm_resolvent_alloc(terms[t].reg->block, lu, &slot->res[t]);
            slot->work[t] = s == PM_OK ? malloc((size_t)terms[t].reg->block->size * sizeof(pm_complex)) : NULL;
            if (s == PM_OK && !slot->work[t]) s = pm_error_set(PM_ENOMEM, "out of memory for a resolvent solve");
        }
    return s;
}

/* Release the resolvents; the time in them (summed over threads: CPU time
 * of the LUs and solves, not wall time). */
static double eval_close(spectrum_eval *ev)
{
    double seconds = 0;
    for (size_t k = 0; ev->slots && k < ev->nslots; k++)
        for (size_t t = 0; t < PM_SPECTRUM_MAX_TERMS; t++) {
            eval_slot *slot = &ev->slots[k];
            if (slot->res[t]) {
                pm_resolvent_info info;
                pm_resolvent_get_info(slot->res[t], &info);
                seconds += info.seconds;
            }
            pm_resolvent_free(slot->res[t]);
            free(slot->work[t]);
        }
    free(ev->slots);
    ev->slots = NULL, ev->nslots = 0;
    return seconds;
}

static long eval_solves(const spectrum_eval *ev)
{
    long solves = 0;
    for (size_t k = 0; k < ev->nslots; k++) solves += ev->slots[k].solves;
    return solves;
}

/* S(omega) = sum_t scale_t 2 Re laplace_t(i (omega + offset_t)) with the
 * resolvents of one slot.  Each frequency is factorised afresh, so S does
 * not depend on which slot (thread) computes it. */
static pm_status slot_S(const spectrum_eval *ev, eval_slot *slot, double omega, double *S)
{
    if (PM_STOP_REQUESTED(ev->stop)) return pm_error_set(PM_EINTERRUPT, "spectrum: stopped by caller");
    double sum = 0;
    for (size_t t = 0; t < ev->nterms; t++) {
        pm_complex value = 0;
        pm_status s = pm_regression_laplace(ev->terms[t].reg, slot->res[t], I * (omega + ev->terms[t].offset),
                                            slot->work[t], &value);
        if (s != PM_OK) return s;
        slot->solves++;
        sum += ev->terms[t].scale * 2 * creal(value);
    }
    *S = sum;
    return PM_OK;
}

/* One frequency on the calling thread (the sequential searches: peak, crossings). */
static pm_status eval_S(spectrum_eval *ev, double omega, double *S) { return slot_S(ev, &ev->slots[0], omega, S); }

/* A batch of frequencies over the slots: each slot's thread takes the next
 * index until none is left or an index below it failed.  Indices are taken
 * in increasing order and every index below the lowest failure is still
 * evaluated, so the failure reported is that of the lowest failing index
 * whatever the timing. */
typedef struct eval_batch {
    spectrum_eval *ev;
    size_t count;
    const double *omega;
    double *S;
    atomic_size_t next;
    atomic_size_t first_failure; /* SIZE_MAX: none */
    pthread_mutex_t lock;        /* guards first_failure's status and message */
    pm_status fail_status;
    char fail_message[1024];
} eval_batch;

static void batch_slot(void *context, size_t slot_index)
{
    eval_batch *b = context;
    eval_slot *slot = &b->ev->slots[slot_index];
    for (;;) {
        size_t k = atomic_fetch_add(&b->next, 1);
        if (k >= b->count || k > atomic_load(&b->first_failure)) return;
        pm_status s = slot_S(b->ev, slot, b->omega[k], &b->S[k]);
        if (s == PM_OK) continue;
        pthread_mutex_lock(&b->lock);
        if (k < atomic_load(&b->first_failure)) {
            atomic_store(&b->first_failure, k);
            b->fail_status = s;
            snprintf(b->fail_message, sizeof b->fail_message, "%s", pm_error_message());
        }
        pthread_mutex_unlock(&b->lock);
        return;
    }
}

static pm_status eval_batch_S(spectrum_eval *ev, size_t count, const double *omega, double *S)
{
    if (ev->nslots == 1 || count < 2) {
        for (size_t k = 0; k < count; k++) {
            pm_status s = eval_S(ev, omega[k], &S[k]);
            if (s != PM_OK) return s;
        }
        return PM_OK;
    }
    eval_batch b = {.ev = ev, .count = count, .omega = omega, .S = S};
    atomic_init(&b.next, 0);
    atomic_init(&b.first_failure, SIZE_MAX);
    pthread_mutex_init(&b.lock, NULL);
    size_t slots = ev->nslots < count ? ev->nslots : count;
    pm_parallel_for(slots, (int)slots, batch_slot, &b);
    pthread_mutex_destroy(&b.lock);
    if (atomic_load(&b.first_failure) != SIZE_MAX) return pm_error_set(b.fail_status, "%s", b.fail_message);
    return PM_OK;
}

/* The mode of the term's block closest to `hint` (the steady state's 0 excluded). */
static pm_status find_line(const pm_spectrum_term *term, pm_complex hint, double scale, const pm_stop_flag *stop,
                           pm_spectrum_line *line)
{
    pm_spectrum_options so;
    pm_spectrum_options_default(&so);
    so.stop = stop;
    so.nev = term->reg->block->size > 8 ? 4 : (int)term->reg->block->size - 2;
    so.shift = hint;
    pm_spectrum spec = {0};
    pm_status s = so.nev >= 1 ? pm_spectrum_slowest(term->reg->block, &so, &spec)
                              : pm_error_set(PM_EINVAL, "spectrum: block of size %lld is too small",
                                             (long long)term->reg->block->size);
    int best = -1;
    for (int j = 0; s == PM_OK && j < spec.nev; j++) {
        pm_complex lambda = spec.eigenvalues[j];
        if (term->reg->holds_steady && cabs(lambda) < 1e-10 * scale) continue;
        if (best < 0 || cabs(lambda - hint) < cabs(spec.eigenvalues[best] - hint)) best = j;
    }
    if (s == PM_OK && best < 0) s = pm_error_set(PM_ESOLVER, "spectrum: no decaying mode near the shift");
    if (s == PM_OK) {
        line->lambda = spec.eigenvalues[best];
        line->half_width = fmax(fabs(creal(line->lambda)), 1e-14 * scale);
        /* on a block holding the steady state L - i omega is singular at omega = 0: keep
         * the grid's centre point off it (the projected resolvent is regular there) */
        double w = cimag(line->lambda);
        if (term->reg->holds_steady && fabs(w) < 1e-6 * line->half_width) w = 1e-6 * line->half_width;
        line->centre = w - term->offset;
    }
    pm_spectrum_clear(&spec);
    return s;
}

typedef struct tpoint {
    double t, S;
} tpoint;

/* One line's part of the grid: omega = c + h sinh(t) for t in [t_lo, t_hi]. */
typedef struct line_grid {
    double c, h, t_lo, t_hi;
    tpoint *pts;
    size_t n, cap;
} line_grid;

static double omega_of(const line_grid *g, double t) { return g->c + g->h * sinh(t); }

static int by_t(const void *a, const void *b)
{
    double x = ((const tpoint *)a)->t, y = ((const tpoint *)b)->t;
    return (x > y) - (x < y);
}

static pm_status grid_push(line_grid *g, double t, double S)
{
    if (g->n == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 256;
        tpoint *p = realloc(g->pts, cap * sizeof *p);
        if (!p) return pm_error_set(PM_ENOMEM, "out of memory for a frequency grid");
        g->pts = p, g->cap = cap;
    }
    g->pts[g->n++] = (tpoint){t, S};
    return PM_OK;
}

/* Linear interpolation in t of the first n points (sorted). */
static double interpolate(const line_grid *g, size_t n, double t)
{
    size_t lo = 0, hi = n - 1;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (g->pts[mid].t <= t) lo = mid;
        else hi = mid;
    }
    double w = (t - g->pts[lo].t) / (g->pts[hi].t - g->pts[lo].t);
    return g->pts[lo].S + w * (g->pts[hi].S - g->pts[lo].S);
}

/* Trapezoid in t of S(omega(t)) domega/dt. */
static double grid_integral(const line_grid *g)
{
    double sum = 0;
    for (size_t k = 0; k + 1 < g->n; k++) {
        double f0 = g->pts[k].S * g->h * cosh(g->pts[k].t), f1 = g->pts[k + 1].S * g->h * cosh(g->pts[k + 1].t);
        sum += 0.5 * (g->pts[k + 1].t - g->pts[k].t) * (f0 + f1);
    }
    return sum;
}

/* int of S_t beyond the grid: S_t(w) ~ a2/w^2 + a3/w^3 + a4/w^4 for |w| -> inf
 * (w = omega + offset), from -Tr[A (L - i w)^{-1} X0] = -sum_n m_n i^{1-n} w^{-(n+1)},
 * m_n = Tr[A L^n Q X0]: a2 = -2 Re m1, a3 = -2 Im m2, a4 = 2 Re m3. */
static pm_status tail_integral(const pm_spectrum_term *term, double omega_lo, double omega_hi, double *out)
{
    const pm_regression *reg = term->reg;
    int64_t n = reg->block->size;
    pm_complex *u = malloc((size_t)n * sizeof *u), *v = malloc((size_t)n * sizeof *v);
    if (!u || !v) {
        free(u), free(v);
        return pm_error_set(PM_ENOMEM, "out of memory for the spectrum's tail moments");
    }
    pm_complex m[4];
    memcpy(u, reg->x0, (size_t)n * sizeof *u);
    for (int k = 1; k <= 3; k++) {
        pm_sparse_matvec(reg->block->L, u, v);
        memcpy(u, v, (size_t)n * sizeof *u);
        m[k] = weighted_trace(reg, u);
    }
    free(u), free(v);
    double a2 = -2 * creal(m[1]), a3 = -2 * cimag(m[2]), a4 = 2 * creal(m[3]);
    double hi = omega_hi + term->offset, lo = -(omega_lo + term->offset); /* both > 0 */
    *out = term->scale * (a2 / hi + a3 / (2 * hi * hi) + a4 / (3 * hi * hi * hi) + a2 / lo -
                          a3 / (2 * lo * lo) + a4 / (3 * lo * lo * lo));
    return PM_OK;
}

/* Golden-section search of the maximum of S(omega(t)) on [a, b] of line g. */
static pm_status refine_peak(spectrum_eval *ev, const line_grid *g, double a, double b, double *t_best,
                             double *S_best)
{
    const double r = 0.5 * (sqrt(5.0) - 1);
    double x1 = b - r * (b - a), x2 = a + r * (b - a), f1, f2;
    pm_status s = eval_S(ev, omega_of(g, x1), &f1);
    if (s == PM_OK) s = eval_S(ev, omega_of(g, x2), &f2);
    for (int it = 0; s == PM_OK && it < 40 && b - a > 1e-9; it++) {
        if (f1 > f2) {
            b = x2, x2 = x1, f2 = f1, x1 = b - r * (b - a);
            s = eval_S(ev, omega_of(g, x1), &f1);
        } else {
            a = x1, x1 = x2, f1 = f2, x2 = a + r * (b - a);
            s = eval_S(ev, omega_of(g, x2), &f2);
        }
    }
    if (s == PM_OK) *t_best = f1 > f2 ? x1 : x2, *S_best = fmax(f1, f2);
    return s;
}

/* The omega in [lo, hi] (S(lo) - level and S(hi) - level of opposite signs)
 * where S = level, by the Illinois variant of regula falsi. */
static pm_status find_crossing(spectrum_eval *ev, double lo, double f_lo, double hi, double f_hi, double level,
                               double *out)
{
    double a = lo, b = hi, fa = f_lo - level, fb = f_hi - level;
    int side = 0;
    pm_status s = PM_OK;
    for (int it = 0; it < 60 && fabs(b - a) > 1e-12 * (fabs(a) + fabs(b)) + 1e-300; it++) {
        double c = (a * fb - b * fa) / (fb - fa), fc;
        s = eval_S(ev, c, &fc);
        if (s != PM_OK) break;
        fc -= level;
        if (fabs(fc) <= 1e-12 * level) {
            a = b = c;
            break;
        }
        if ((fc > 0) == (fb > 0)) {
            b = c, fb = fc;
            if (side == -1) fa /= 2;
            side = -1;
        } else {
            a = c, fa = fc;
            if (side == 1) fb /= 2;
            side = 1;
        }
    }
    *out = 0.5 * (a + b);
    return s;
}

/* S at the points of each line from index first_new[m] on (pushed with S
 * unknown), as one batch over the threads. */
static pm_status eval_new_points(spectrum_eval *ev, int nlines, line_grid *grids, const size_t *first_new)
{
    size_t count = 0;
    for (int m = 0; m < nlines; m++) count += grids[m].n - first_new[m];
    double *omega = calloc(count ? count : 1, sizeof *omega), *S = calloc(count ? count : 1, sizeof *S);
    if (!omega || !S) {
        free(omega), free(S);
        return pm_error_set(PM_ENOMEM, "out of memory for %zu frequencies", count);
    }
    size_t k = 0;
    for (int m = 0; m < nlines; m++)
        for (size_t p = first_new[m]; p < grids[m].n; p++) omega[k++] = omega_of(&grids[m], grids[m].pts[p].t);
    pm_status s = eval_batch_S(ev, count, omega, S);
    k = 0;
    for (int m = 0; s == PM_OK && m < nlines; m++)
        for (size_t p = first_new[m]; p < grids[m].n; p++) grids[m].pts[p].S = S[k++];
    free(omega), free(S);
    return s;
}

pm_status pm_spectrum_adaptive(size_t nterms, const pm_spectrum_term *terms, const pm_spectrum_grid_options *opts_in,
                               pm_spectrum_curve *out)
{
    memset(out, 0, sizeof *out);
    pm_spectrum_grid_options opts;
    if (opts_in) opts = *opts_in;
    else pm_spectrum_grid_options_default(&opts);
    if (!(opts.rtol > 0 && opts.rtol < 1) || !(opts.dt_start > 0 && opts.dt_start <= 2) || opts.max_points < 16 ||
        !(opts.extent_factor >= 10))
        return pm_error_set(PM_EINVAL, "spectrum grid: rtol = %g must be in (0, 1), dt_start = %g in (0, 2], "
                            "max_points = %zu >= 16, extent_factor = %g >= 10", opts.rtol, opts.dt_start,
                            opts.max_points, opts.extent_factor);
    double start = pm_wall_seconds();
    spectrum_eval ev;
    line_grid grids[PM_SPECTRUM_MAX_LINES];
    memset(grids, 0, sizeof grids);
    int nlines = 0;
    pm_progress progress = {opts.progress, opts.progress_user, 0, 0};
    pm_status s = eval_open(&ev, nterms, terms, opts.lu, opts.threads, opts.stop);
    double scale = 0;
    for (size_t t = 0; s == PM_OK && t < nterms; t++) {
        double bound = rate_bound(terms[t].reg->block);
        if (bound > scale) scale = bound;
    }
    for (size_t t = 0; s == PM_OK && t < nterms; t++) {
        for (int h = 0; s == PM_OK && h < terms[t].nhints; h++) {
            if (nlines == PM_SPECTRUM_MAX_LINES) {
                s = pm_error_set(PM_EINVAL, "spectrum: more than %d line hints", PM_SPECTRUM_MAX_LINES);
                break;
            }
            pm_spectrum_line line;
            s = find_line(&terms[t], terms[t].hints[h], scale, opts.stop, &line);
            /* the same mode found twice (two hints, or two terms' lines): keep one */
            int duplicate = 0;
            for (int m = 0; s == PM_OK && m < nlines; m++)
                if (fabs(out->lines[m].centre - line.centre) < 1e-6 * (out->lines[m].half_width + line.half_width) +
                        1e-12 * scale)
                    duplicate = 1;
            if (s == PM_OK && !duplicate) out->lines[nlines++] = line;
        }
    }
    if (s != PM_OK) goto done;
    out->nlines = nlines;
    /* sort the lines by centre; each owns the frequencies closer to it than to its neighbours */
    for (int a = 1; a < nlines; a++)
        for (int b = a; b > 0 && out->lines[b].centre < out->lines[b - 1].centre; b--) {
            pm_spectrum_line tmp = out->lines[b];
            out->lines[b] = out->lines[b - 1], out->lines[b - 1] = tmp;
        }
    out->extent = opts.extent_factor * scale;
    for (int m = 0; m < nlines; m++) {
        line_grid *g = &grids[m];
        g->c = out->lines[m].centre;
        g->h = out->lines[m].half_width;
        double lo = m == 0 ? out->lines[0].centre - out->extent : 0.5 * (out->lines[m - 1].centre + g->c);
        double hi = m == nlines - 1 ? out->lines[m].centre + out->extent : 0.5 * (out->lines[m + 1].centre + g->c);
        g->t_lo = asinh((lo - g->c) / g->h);
        g->t_hi = asinh((hi - g->c) / g->h);
    }
    /* the first level: the region ends and the t-lattice dt_start */
    double dt = opts.dt_start, S_max = 0;
    size_t first_new[PM_SPECTRUM_MAX_LINES] = {0};
    for (int m = 0; s == PM_OK && m < nlines; m++) {
        line_grid *g = &grids[m];
        for (long j = (long)ceil(g->t_lo / dt); s == PM_OK && j * dt <= g->t_hi; j++) {
            double t = (double)j * dt;
            if (t - g->t_lo < 1e-9 * dt || g->t_hi - t < 1e-9 * dt) continue;
            s = grid_push(g, t, NAN);
        }
        if (s == PM_OK) s = grid_push(g, g->t_lo, NAN);
        if (s == PM_OK) s = grid_push(g, g->t_hi, NAN);
    }
    if (s == PM_OK) s = eval_new_points(&ev, nlines, grids, first_new);
    size_t total = 0;
    for (int m = 0; s == PM_OK && m < nlines; m++) {
        qsort(grids[m].pts, grids[m].n, sizeof *grids[m].pts, by_t);
        total += grids[m].n;
        for (size_t k = 0; k < grids[m].n; k++) S_max = fmax(S_max, grids[m].pts[k].S);
    }
    /* halve dt until the new points agree with interpolation */
    for (int level = 0; s == PM_OK && level < 40; level++) {
        size_t new_count = 0;
        for (int m = 0; m < nlines; m++)
            new_count += (size_t)fmax(0.0, floor((grids[m].t_hi - grids[m].t_lo) / dt) + 1);
        if (total + new_count > opts.max_points) break;
        for (int m = 0; s == PM_OK && m < nlines; m++) {
            line_grid *g = &grids[m];
            first_new[m] = g->n;
            for (long j = (long)ceil((g->t_lo - 0.5 * dt) / dt); s == PM_OK && (j + 0.5) * dt < g->t_hi; j++) {
                double t = ((double)j + 0.5) * dt;
                if (t > g->t_lo) s = grid_push(g, t, NAN);
            }
        }
        if (s == PM_OK) s = eval_new_points(&ev, nlines, grids, first_new);
        double max_err = 0;
        for (int m = 0; s == PM_OK && m < nlines; m++) {
            line_grid *g = &grids[m];
            for (size_t k = first_new[m]; k < g->n; k++) {
                /* the old points stay sorted in [0, first_new) */
                max_err = fmax(max_err, fabs(g->pts[k].S - interpolate(g, first_new[m], g->pts[k].t)));
                S_max = fmax(S_max, g->pts[k].S);
            }
            qsort(g->pts, g->n, sizeof *g->pts, by_t);
            total += g->n - first_new[m];
        }
        dt *= 0.5;
        pm_progress_update(&progress, fmin(1.0, (double)total / (double)opts.max_points), "spectrum grid", 0);
        if (s == PM_OK && max_err <= opts.rtol * S_max) {
            out->resolved = 1;
            break;
        }
    }
    if (s != PM_OK) goto done;
    out->dt = dt;
    /* the sum rule: trapezoid in t per line, analytic tails outside */
    double integral = 0;
    for (int m = 0; m < nlines; m++) integral += grid_integral(&grids[m]);
    for (size_t t = 0; s == PM_OK && t < nterms; t++) {
        double tail = 0;
        s = tail_integral(&terms[t], grids[0].c - out->extent, grids[nlines - 1].c + out->extent, &tail);
        integral += tail;
        out->c0 += terms[t].scale * creal(terms[t].reg->c0 - terms[t].reg->coherent);
        out->coherent += terms[t].scale * creal(terms[t].reg->coherent);
    }
    if (s != PM_OK) goto done;
    out->integral = integral / (2 * M_PI);
    out->sum_rule_error = fabs(out->integral - out->c0) / fabs(out->c0);
    /* the merged grid (region ends shared by neighbouring lines appear once) */
    out->omega = malloc(total * sizeof *out->omega);
    out->S = malloc(total * sizeof *out->S);
    tpoint *merged = malloc(total * sizeof *merged);
    if (!out->omega || !out->S || !merged) {
        free(merged);
        s = pm_error_set(PM_ENOMEM, "out of memory for a spectrum of %zu points", total);
        goto done;
    }
    size_t count = 0;
    for (int m = 0; m < nlines; m++)
        for (size_t k = 0; k < grids[m].n; k++) merged[count++] = (tpoint){omega_of(&grids[m], grids[m].pts[k].t), grids[m].pts[k].S};
    qsort(merged, count, sizeof *merged, by_t);
    out->n = 0;
    for (size_t k = 0; k < count; k++) {
        if (out->n > 0 && merged[k].t == out->omega[out->n - 1]) continue;
        out->omega[out->n] = merged[k].t;
        out->S[out->n++] = merged[k].S;
    }
    free(merged);
    /* the peak (on its line's grid, refined) and its half-maximum crossings */
    int best_line = 0;
    size_t best_k = 0;
    for (int m = 0; m < nlines; m++)
        for (size_t k = 0; k < grids[m].n; k++)
            if (grids[m].pts[k].S > grids[best_line].pts[best_k].S) best_line = m, best_k = k;
    const line_grid *g = &grids[best_line];
    double t_peak = g->pts[best_k].t, S_peak = g->pts[best_k].S;
    if (best_k > 0 && best_k + 1 < g->n)
        s = refine_peak(&ev, g, g->pts[best_k - 1].t, g->pts[best_k + 1].t, &t_peak, &S_peak);
    if (s != PM_OK) goto done;
    out->peak_omega = omega_of(g, t_peak);
    out->peak_S = fmax(S_peak, g->pts[best_k].S);
    size_t ip = 0;
    while (ip + 1 < out->n && out->omega[ip + 1] <= out->peak_omega) ip++;
    double half = 0.5 * out->peak_S, left = NAN, right = NAN;
    for (size_t k = ip + 1; k-- > 0;)
        if (out->S[k] < half) {
            double f_hi = k + 1 < out->n && out->omega[k + 1] <= out->peak_omega ? out->S[k + 1] : out->peak_S;
            double w_hi = k + 1 < out->n && out->omega[k + 1] <= out->peak_omega ? out->omega[k + 1] : out->peak_omega;
            s = find_crossing(&ev, out->omega[k], out->S[k], w_hi, f_hi, half, &left);
            break;
        }
    for (size_t k = ip + 1; s == PM_OK && k < out->n; k++)
        if (out->S[k] < half) {
            double f_lo = out->omega[k - 1] >= out->peak_omega ? out->S[k - 1] : out->peak_S;
            double w_lo = out->omega[k - 1] >= out->peak_omega ? out->omega[k - 1] : out->peak_omega;
            s = find_crossing(&ev, w_lo, f_lo, out->omega[k], out->S[k], half, &right);
            break;
        }
    out->fwhm = right - left;

done:
    for (int m = 0; m < PM_SPECTRUM_MAX_LINES; m++) free(grids[m].pts);
    out->solves = eval_solves(&ev);
    out->lu_seconds = eval_close(&ev);
    out->seconds = pm_wall_seconds() - start;
    pm_progress_finish(&progress);
    if (s != PM_OK) {
        free(out->omega), free(out->S);
        out->omega = NULL, out->S = NULL, out->n = 0;
    }
    return s;
}

/* The peak of line g near t = 0 by successive parabolas through three points
 * of S(omega(t)) (spacing d, shrunk with the step; at the top of a line S is
 * a parabola in t, so a few steps reach |step| < 1e-6: S_peak to ~1e-12),
 * moving to the higher side while the middle point is not the highest.
 * d stays >= 1e-3 so that the second difference (~d^2 S) stays far above the
 * solves' rounding (a vertex from d = 1e-6 is noise: 40 iterations were seen
 * with KLU), and at most 12 parabolas are tried. */
static pm_status parabolic_peak(spectrum_eval *ev, const line_grid *g, double *t_best, double *S_best)
{
    double t0 = 0, f0, d = 0.25;
    pm_status s = eval_S(ev, omega_of(g, t0), &f0);
    for (int it = 0; s == PM_OK && it < 12; it++) {
        double fm, fp;
        s = eval_S(ev, omega_of(g, t0 - d), &fm);
        if (s == PM_OK) s = eval_S(ev, omega_of(g, t0 + d), &fp);
        if (s != PM_OK) break;
        if (fm > f0 || fp > f0) { /* the maximum lies outside [t0 - d, t0 + d] */
            double shift = fm > fp ? -d : d;
            t0 += shift, f0 = fmax(fm, fp);
            continue;
        }
        double step = 0.5 * d * (fm - fp) / (fm - 2 * f0 + fp); /* the vertex, |step| <= d/2 */
        if (!isfinite(step) || fabs(step) < 1e-6) break;
        double f_new;
        s = eval_S(ev, omega_of(g, t0 + step), &f_new);
        if (s != PM_OK) break;
        if (f_new > f0) t0 += step, f0 = f_new;
        d = fmax(2 * fabs(step), 1e-3);
    }
    *t_best = t0, *S_best = f0;
    return s;
}

pm_status pm_spectrum_linewidth(const pm_spectrum_term *term, const pm_spectrum_grid_options *opts_in,
                                pm_spectrum_curve *out)
{
    memset(out, 0, sizeof *out);
    pm_spectrum_grid_options opts;
    if (opts_in) opts = *opts_in;
    else pm_spectrum_grid_options_default(&opts);
    double start = pm_wall_seconds();
    spectrum_eval ev;
    pm_status s = eval_open(&ev, 1, term, opts.lu, 1, opts.stop); /* sequential searches: one thread */
    double scale = s == PM_OK ? rate_bound(term->reg->block) : 0;
    pm_spectrum_line line;
    if (s == PM_OK) s = find_line(term, term->hints[0], scale, opts.stop, &line);
    if (s != PM_OK) goto done;
    out->nlines = 1;
    out->lines[0] = line;
    line_grid g = {.c = line.centre, .h = line.half_width};
    double t_peak, S_peak;
    s = parabolic_peak(&ev, &g, &t_peak, &S_peak);
    out->peak_omega = omega_of(&g, t_peak);
    out->peak_S = S_peak;
    /* the half-maximum crossings: bracketed from the Lorentzian's (t = +-asinh 1 from the peak) outwards */
    double half = 0.5 * S_peak, crossing[2] = {NAN, NAN};
    for (int side = 0; s == PM_OK && side < 2; side++) {
        double sign = side ? 1 : -1, t_in = t_peak, f_in = S_peak, t_out = t_peak + sign * asinh(1.0), f_out;
        s = eval_S(&ev, omega_of(&g, t_out), &f_out);
        for (int it = 0; s == PM_OK && f_out >= half; it++) {
            if (it == 60) {
                s = pm_error_set(PM_ESOLVER, "spectrum: no half-maximum crossing within %g half-widths of the peak",
                                 sinh(fabs(t_out - t_peak)));
                break;
            }
            t_in = t_out, f_in = f_out, t_out += sign * 0.5;
            s = eval_S(&ev, omega_of(&g, t_out), &f_out);
        }
        if (s != PM_OK) break;
        if (side) s = find_crossing(&ev, omega_of(&g, t_in), f_in, omega_of(&g, t_out), f_out, half, &crossing[1]);
        else s = find_crossing(&ev, omega_of(&g, t_out), f_out, omega_of(&g, t_in), f_in, half, &crossing[0]);
    }
    out->fwhm = crossing[1] - crossing[0];
    out->c0 = term->scale * creal(term->reg->c0 - term->reg->coherent);
    out->coherent = term->scale * creal(term->reg->coherent);
    out->integral = out->sum_rule_error = NAN; /* no grid */

done:
    out->solves = eval_solves(&ev);
    out->lu_seconds = eval_close(&ev);
    out->seconds = pm_wall_seconds() - start;
    return s;
}

pm_status pm_spectrum_evaluate(size_t nterms, const pm_spectrum_term *terms, size_t count, const double *omega,
                               const pm_spectrum_grid_options *opts_in, double *S)
{
    pm_spectrum_grid_options opts;
    if (opts_in) opts = *opts_in;
    else pm_spectrum_grid_options_default(&opts);
    spectrum_eval ev;
    pm_status s = eval_open(&ev, nterms, terms, opts.lu, opts.threads, opts.stop);
    if (s == PM_OK) s = eval_batch_S(&ev, count, omega, S);
    eval_close(&ev);
    return s;
}

/* ---- the emission and displacement spectra of a model ------------------------------ */

void pm_correlation_options_default(pm_correlation_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->want_spectrum = 1;
    opts->want_x = 1;
    opts->want_tau = 1;
    opts->tau_points = 400;
    opts->tau_max = 0;
    opts->tau_min_ratio = 1e-6;
    opts->window_tol = 1e-16;
    pm_spectrum_grid_options_default(&opts->grid);
    pm_evolve_options_default(&opts->evolve);
}

void pm_correlation_result_clear(pm_correlation_result *result)
{
    pm_spectrum_curve_clear(&result->S_a);
    pm_spectrum_curve_clear(&result->S_x);
    free(result->tau), free(result->g1), free(result->g2), free(result->xx);
    memset(result, 0, sizeof *result);
}

/* The reduced theory's linewidth (FWHM of S_a): 2 D_W <1/r^2> above threshold
 * (phase diffusion, Eqs. 16-18), gamma_eff below (Eq. 12; the amplitude decays
 * at gamma_eff / 2, B112), beyond the RWA for a model with an RWA reference. */
static void reduced_linewidths(const pm_model *model, pm_correlation_result *out)
{
    const pm_params *p = &model->params;
    int beyond = model->type->rwa_model >= 0;
    double S_th = beyond ? pm_reduced_beyond_rwa_S_th(p) : pm_reduced_S_th(p);
    out->S_th = S_th;
    out->above_threshold = p->S > S_th;
    out->linewidth_fp = NAN;
    out->linewidth_reduced = NAN;
    if (!out->above_threshold) {
        out->linewidth_reduced = beyond ? pm_reduced_beyond_rwa_gamma_eff(p) : pm_reduced_gamma_eff(p);
        return;
    }
    pm_reduced_fp fp;
    if (pm_reduced_fp_solve(p, &fp) == PM_OK) out->linewidth_fp = 2 * pm_reduced_linewidth_fp(p, &fp);
}

/* tau = 0 and `points` geometric values from tau_max * ratio to tau_max */
static pm_status tau_grid(double tau_max, double ratio, size_t points, double **out)
{
    *out = malloc((points + 1) * sizeof **out);
    if (!*out) return pm_error_set(PM_ENOMEM, "out of memory for %zu correlation times", points + 1);
    (*out)[0] = 0;
    for (size_t k = 0; k < points; k++)
        (*out)[k + 1] = tau_max * pow(ratio, 1.0 - (double)k / (double)(points > 1 ? points - 1 : 1));
    return PM_OK;
}

pm_status pm_correlation_run(const pm_model *model, const pm_steady_result *steady,
                             const pm_correlation_options *opts_in, pm_correlation_result *out)
{
    memset(out, 0, sizeof *out);
    pm_correlation_options opts;
    if (opts_in) opts = *opts_in;
    else pm_correlation_options_default(&opts);
    /* the block's own LU in CVODE's Newton matrix: at the operating point (sector -1,
     * N = 4163) g1 over 20000 s took 1.9 s with the band LU, 2.2 s with KLU */
    if (opts.evolve.linear_solver == PM_LINSOL_AUTO) opts.evolve.linear_solver = PM_LINSOL_LU;
    if (!(opts.window_tol >= 0 && opts.window_tol < 1))
        return pm_error_set(PM_EINVAL, "correlations: window_tol = %g must be in [0, 1) (0: the full blocks)",
                            opts.window_tol);
    if (opts.want_tau && (opts.tau_points < 2 || !(opts.tau_max >= 0) || !isfinite(opts.tau_max) ||
                          !(opts.tau_min_ratio > 0 && opts.tau_min_ratio < 1)))
        return pm_error_set(PM_EINVAL, "correlations: tau_points = %zu must be >= 2, tau_max = %g >= 0 (0: auto), "
                            "tau_min_ratio = %g in (0, 1)", opts.tau_points, opts.tau_max, opts.tau_min_ratio);
    double start = pm_wall_seconds();
    const int lab = model->type->lab_frame;
    const double omega_f = lab ? 0 : model->params.omega_m;
    out->frame = model->type->frame;
    out->frame_omega = omega_f;
    out->n_mean = steady->obs.n_mean;
    const pm_complex hint_a = conj(pm_model_type_amplitude_shift(model->type, &model->params));
    const pm_complex hint_adag = pm_model_type_amplitude_shift(model->type, &model->params);

    pm_sparse *a = NULL, *adag = NULL, *num = NULL, *x = NULL;
    pm_regression r_ada = {0}, r_aad = {0}, r_xx = {0}, r_g2 = {0}, windowed[3] = {{0}};
    pm_complex *c = NULL, *c2 = NULL;
    pm_status s = pm_space_operator(model->N, PM_OP_A, &a);
    if (s == PM_OK) s = pm_space_operator(model->N, PM_OP_ADAG, &adag);
    if (s == PM_OK) s = pm_space_operator(model->N, PM_OP_NUM, &num);
    if (s == PM_OK) s = pm_sparse_add(M_SQRT1_2, a, M_SQRT1_2, adag, &x);
    /* <a^dag(tau) a>: a rho_ss lowers k by one */
    if (s == PM_OK) s = pm_regression_init(model, steady, adag, a, NULL, -1, &r_ada);
    if (s == PM_OK && opts.want_x) {
        if (lab) s = pm_regression_init(model, steady, x, x, NULL, 1, &r_xx);
        else s = pm_regression_init(model, steady, a, adag, NULL, 1, &r_aad); /* <a(tau) a^dag> */
    }
    if (s != PM_OK) goto done;
    reduced_linewidths(model, out);
    /* the blocks of the spectra on the steady state's support (correlation.h).  Not
     * for the time domain: CVODE took twice the CPU time for g1 over 20000 s on the
     * windowed block at the operating point (2.8 -> 5.6 s; cause not analysed) */
    out->window_lo = 0, out->window_hi = model->N - 1;
    if (steady->obs.p_n) pm_fock_window(steady->obs.p_n, model->N, opts.window_tol, &out->window_lo, &out->window_hi);
    pm_regression *full[] = {&r_ada, &r_aad, &r_xx}, *spectral[] = {&r_ada, &r_aad, &r_xx};
    if (out->window_lo > 0 || out->window_hi < model->N - 1)
        for (size_t k = 0; s == PM_OK && k < 3; k++) {
            if (!full[k]->block || full[k]->holds_steady) continue;
            s = pm_regression_window(full[k], model->N, out->window_lo, out->window_hi, &windowed[k]);
            if (s == PM_OK) spectral[k] = &windowed[k];
        }
    if (s != PM_OK) goto done;
    pm_regression *s_ada = spectral[0], *s_aad = spectral[1], *s_xx = spectral[2];

    /* in the lab frame the counter-rotating terms put a second line near -omega_m: its own grid */
    pm_spectrum_term term_a = {.reg = s_ada, .scale = 1, .offset = 0, .nhints = lab ? 2 : 1,
                               .hints = {hint_a, hint_adag}};
    out->linewidth_only = opts.linewidth_only;
    if (opts.want_spectrum) {
        s = opts.linewidth_only ? pm_spectrum_linewidth(&term_a, &opts.grid, &out->S_a)
                                : pm_spectrum_adaptive(1, &term_a, &opts.grid, &out->S_a);
        if (s != PM_OK) goto done;
        out->linewidth_fwhm = out->S_a.fwhm;
        out->line_shift = out->S_a.peak_omega + omega_f - model->params.omega_m;
        out->linewidth_slowest_mode = -2 * creal(out->S_a.lines[0].lambda);
    }
    if (opts.want_spectrum && opts.want_x && !opts.linewidth_only) {
        pm_spectrum_term terms[2];
        size_t nterms = 1;
        if (lab) {
            terms[0] = (pm_spectrum_term){.reg = s_xx, .scale = 1, .offset = 0, .nhints = 2,
                                          .hints = {hint_a, hint_adag}};
        } else {
            terms[0] = (pm_spectrum_term){.reg = s_ada, .scale = 0.5, .offset = -omega_f, .nhints = 1,
                                          .hints = {hint_a}};
            terms[1] = (pm_spectrum_term){.reg = s_aad, .scale = 0.5, .offset = omega_f, .nhints = 1,
                                          .hints = {hint_adag}};
            nterms = 2;
        }
        s = pm_spectrum_adaptive(nterms, terms, &opts.grid, &out->S_x);
        if (s != PM_OK) goto done;
    }
    if (opts.want_tau) {
        double t0 = pm_wall_seconds();
        double tau_max = opts.tau_max;
        if (tau_max == 0) {
            pm_spectrum_line line = out->S_a.lines[0];
            if (!opts.want_spectrum) {
                double scale = rate_bound(s_ada->block);
                s = find_line(&term_a, hint_a, scale, opts.grid.stop, &line);
            }
            tau_max = 5 / line.half_width;
        }
        if (s == PM_OK) s = pm_regression_init(model, steady, num, a, adag, 0, &r_g2);
        if (s == PM_OK) s = tau_grid(tau_max, opts.tau_min_ratio, opts.tau_points, &out->tau);
        size_t nt = opts.tau_points + 1;
        out->ntau = s == PM_OK ? nt : 0;
        out->g1 = calloc(nt, sizeof *out->g1);
        out->g2 = calloc(nt, sizeof *out->g2);
        out->xx = opts.want_x ? calloc(nt, sizeof *out->xx) : NULL;
        c = calloc(nt, sizeof *c);
        c2 = calloc(nt, sizeof *c2);
        if (s == PM_OK && (!out->g1 || !out->g2 || (opts.want_x && !out->xx) || !c || !c2))
            s = pm_error_set(PM_ENOMEM, "out of memory for %zu correlation times", nt);
        double n = steady->obs.n_mean;
        if (s == PM_OK) s = pm_regression_evolve(&r_ada, nt, out->tau, &opts.evolve, c, NULL);
        for (size_t k = 0; s == PM_OK && k < nt; k++) out->g1[k] = c[k] / n;
        if (s == PM_OK) s = pm_regression_evolve(&r_g2, nt, out->tau, &opts.evolve, c2, NULL);
        for (size_t k = 0; s == PM_OK && k < nt; k++) out->g2[k] = creal(c2[k]) / (n * n);
        if (s == PM_OK && opts.want_x) {
            if (lab) {
                s = pm_regression_evolve(&r_xx, nt, out->tau, &opts.evolve, out->xx, NULL);
            } else { /* <x(tau) x> = [<a^dag(tau) a> e^{i w tau} + <a(tau) a^dag> e^{-i w tau}] / 2 (lab) */
                s = pm_regression_evolve(&r_aad, nt, out->tau, &opts.evolve, c2, NULL);
                for (size_t k = 0; s == PM_OK && k < nt; k++)
                    out->xx[k] = 0.5 * (c[k] * cexp(I * omega_f * out->tau[k]) + c2[k] * cexp(-I * omega_f * out->tau[k]));
            }
        }
        out->tau_seconds = pm_wall_seconds() - t0;
    }

done:
    free(c), free(c2);
    pm_regression_clear(&r_ada), pm_regression_clear(&r_aad), pm_regression_clear(&r_xx), pm_regression_clear(&r_g2);
    for (int k = 0; k < 3; k++) pm_regression_clear(&windowed[k]);
    pm_sparse_free(a), pm_sparse_free(adag), pm_sparse_free(num), pm_sparse_free(x);
    out->seconds = pm_wall_seconds() - start;
    return s;
}
