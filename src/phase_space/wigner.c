/* Wigner functions of the mechanical reduced state (wigner.h).
 *
 * Numbers are carried as mantissa x 2^exponent wherever they can leave the
 * double range (e^{-r^2} at r > 27, the growing recurrence in the forbidden
 * range of m): rescaling by powers of two is exact, so the only rounding is
 * that of the recurrence itself. */
#include "phonomaser/phase_space/wigner.h"
#include "phonomaser/core/constants.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "phonomaser/liouvillian/liouvillian.h"
#include "phonomaser/model/space.h"


/* Radii processed together by the recurrence kernel: independent chains
 * that hide the latency of the serial recurrence in m. */
#define LANES 8
/* Rescale when a recurrence value exceeds 2^RESCALE_BITS; checked every 4
 * steps, in which a value grows by at most (x + 4N)^4 < 2^400 (x is below
 * x_limit(N) <= 4e8 for N <= 1e8, larger x are not evaluated). */
#define RESCALE_BITS 500

/* ------------------------------------------------------------ mechanical state */

void pm_wigner_mech_free(pm_wigner_mech *mech)
{
    if (!mech) return;
    if (mech->diag)
        for (int64_t k = 0; k <= mech->kmax; k++) free(mech->diag[k]);
    free(mech->diag);
    free(mech);
}

/* An empty state with diagonals 0..kcap (all NULL). */
static pm_status mech_alloc(int64_t N, int64_t kcap, pm_wigner_mech **out)
{
    *out = NULL;
    if (N < 1) return pm_error_set(PM_EINVAL, "wigner: Fock cutoff N = %lld: must be >= 1", (long long)N);
    pm_wigner_mech *mech = calloc(1, sizeof *mech);
    if (!mech || !(mech->diag = calloc((size_t)kcap + 1, sizeof *mech->diag))) {
        free(mech);
        return pm_error_set(PM_ENOMEM, "wigner: out of memory for the mechanical state (N = %lld)", (long long)N);
    }
    mech->N = N;
    mech->kmax = kcap;
    *out = mech;
    return PM_OK;
}

/* Drop diagonals that are identically zero and shrink kmax (diag[0] is kept). */
static void mech_prune(pm_wigner_mech *mech)
{
    for (int64_t k = 1; k <= mech->kmax; k++) {
        double complex *d = mech->diag[k];
        if (!d) continue;
        int64_t m = 0, M = mech->N - k;
        while (m < M && d[m] == 0) m++;
        if (m == M) {
            free(d);
            mech->diag[k] = NULL;
        }
    }
    while (mech->kmax > 0 && !mech->diag[mech->kmax]) mech->kmax--;
}

static pm_status mech_diag(pm_wigner_mech *mech, int64_t k, double complex **out)
{
    if (!mech->diag[k]) {
        mech->diag[k] = calloc((size_t)(mech->N - k), sizeof **mech->diag);
        if (!mech->diag[k])
            return pm_error_set(PM_ENOMEM, "wigner: out of memory for diagonal k = %lld", (long long)k);
    }
    *out = mech->diag[k];
    return PM_OK;
}

pm_status pm_wigner_mech_from_populations(int64_t N, const double *p_n, pm_wigner_mech **out)
{
    pm_status s = mech_alloc(N, 0, out);
    double complex *d = NULL;
    if (s == PM_OK) s = mech_diag(*out, 0, &d);
    if (s != PM_OK) {
        pm_wigner_mech_free(*out);
        *out = NULL;
        return s;
    }
    for (int64_t n = 0; n < N; n++) d[n] = p_n[n];
    return PM_OK;
}

pm_status pm_wigner_mech_from_dense(int64_t N, const double complex *rho, pm_wigner_mech **out)
{
    pm_status s = mech_alloc(N, N - 1, out);
    for (int64_t k = 0; k < N && s == PM_OK; k++) {
        double complex *d = NULL;
        s = mech_diag(*out, k, &d);
        /* Hermitian part: (rho_{m,m+k} + conj(rho_{m+k,m})) / 2 */
        for (int64_t m = 0; s == PM_OK && m < N - k; m++)
            d[m] = 0.5 * (rho[m * N + m + k] + conj(rho[(m + k) * N + m]));
    }
    if (s != PM_OK) {
        pm_wigner_mech_free(*out);
        *out = NULL;
        return s;
    }
    mech_prune(*out);
    return PM_OK;
}

/* Tr_spin of a set of density-matrix elements, kept as the upper triangle
 * U of rho_m and the upper triangle of rho_m^dag (from the lower elements);
 * has_upper[k] / has_lower[k]: whether the source holds diagonal k of that
 * half (a held half without a nonzero element is zero, an absent one is
 * zero or implied by Hermiticity). */
typedef struct mech_builder {
    int64_t N, kmax;
    pm_wigner_mech *upper, *lower;
    unsigned char *has_upper, *has_lower;
} mech_builder;

static void builder_clear(mech_builder *mb)
{
    pm_wigner_mech_free(mb->upper);
    pm_wigner_mech_free(mb->lower);
    free(mb->has_upper);
    free(mb->has_lower);
    memset(mb, 0, sizeof *mb);
}

static pm_status builder_init(mech_builder *mb, int64_t N, int64_t kmax)
{
    memset(mb, 0, sizeof *mb);
    mb->N = N;
    mb->kmax = kmax;
    mb->has_upper = calloc((size_t)N, 1);
    mb->has_lower = calloc((size_t)N, 1);
    pm_status s = (mb->has_upper && mb->has_lower) ? PM_OK : pm_error_set(PM_ENOMEM, "wigner: out of memory");
    if (s == PM_OK) s = mech_alloc(N, kmax, &mb->upper);
    if (s == PM_OK) s = mech_alloc(N, kmax, &mb->lower);
    if (s != PM_OK) builder_clear(mb);
    return s;
}

/* rho_m(n, n') += rho[(s,n), (s',n')] for s == s' (Tr_spin). */
static pm_status builder_add(mech_builder *mb, int64_t i, int64_t j, double complex value)
{
    const int64_t N = mb->N;
    if (pm_space_spin(N, i) != pm_space_spin(N, j)) return PM_OK;
    int64_t ni = pm_space_fock(N, i), nj = pm_space_fock(N, j);
    double complex *d = NULL;
    pm_status s;
    if (ni <= nj) {
        s = mech_diag(mb->upper, nj - ni, &d);
        if (s == PM_OK) d[ni] += value;
    } else {
        s = mech_diag(mb->lower, ni - nj, &d);
        if (s == PM_OK) d[nj] += conj(value); /* the upper element of rho_m^dag */
    }
    return s;
}

/* The Hermitian part (U + L^dag)/2 as a pm_wigner_mech; frees the builder. */
static pm_status builder_finish(mech_builder *mb, int adjoint_implied, pm_wigner_mech **out)
{
    const int64_t N = mb->N;
    pm_wigner_mech *upper = mb->upper, *lower = mb->lower;
    double complex *d0 = NULL;
    pm_status s = mech_diag(upper, 0, &d0);
    for (int64_t m = 0; s == PM_OK && m < N; m++) d0[m] = creal(d0[m]);
    for (int64_t k = 1; k <= mb->kmax && s == PM_OK; k++) {
        int hold_u = mb->has_upper[k], hold_l = mb->has_lower[k];
        double complex *u = upper->diag[k], *l = lower->diag[k];
        if (!hold_u && l) { /* work on the lower half alone: move it up */
            free(u);
            upper->diag[k] = u = l;
            lower->diag[k] = l = NULL;
        }
        if (!u) continue;
        if (!hold_u || !hold_l) {
            if (!adjoint_implied) /* the missing half is zero */
                for (int64_t m = 0; m < N - k; m++) u[m] *= 0.5;
        } else {
            for (int64_t m = 0; m < N - k; m++) u[m] = 0.5 * (u[m] + (l ? l[m] : 0.0));
        }
    }
    if (s == PM_OK) {
        mech_prune(upper);
        *out = upper;
        mb->upper = NULL;
    }
    builder_clear(mb);
    return s;
}

pm_status pm_wigner_mech_from_state(const pm_state *state, pm_wigner_mech **out)
{
    *out = NULL;
    if (!state || state->N < 1) return pm_error_set(PM_EINVAL, "wigner: empty state");
    const int64_t N = state->N;
    /* the diagonals the blocks hold: upper (n_i < n_j) from sector -k, lower
     * from sector +k (same spin: e_i - e_j = n_i - n_j); a full block both */
    int64_t kmax = 0;
    for (size_t b = 0; b < state->nblocks; b++) {
        int64_t sector = state->blocks[b]->sector;
        if (sector == PM_SECTOR_FULL) kmax = N - 1;
        else if (sector == PM_SECTOR_COUPLED) {
            int64_t K = state->blocks[b]->max_sector < N - 1 ? state->blocks[b]->max_sector : N - 1;
            if (K > kmax) kmax = K;
        } else if (sector > -N && sector < N && (sector < 0 ? -sector : sector) > kmax)
            kmax = sector < 0 ? -sector : sector;
    }
    mech_builder mb;
    pm_status s = builder_init(&mb, N, kmax);
    if (s != PM_OK) return s;
    for (size_t b = 0; b < state->nblocks; b++) {
        int64_t sector = state->blocks[b]->sector;
        if (sector == PM_SECTOR_FULL) {
            memset(mb.has_upper, 1, (size_t)N);
            memset(mb.has_lower, 1, (size_t)N);
        } else if (sector == PM_SECTOR_COUPLED) {
            /* coupled sectors |k| <= K of one class mod step (same spin: n_i - n_j = k) */
            const pm_block *block = state->blocks[b];
            for (int64_t m = 0; m <= kmax; m++) {
                int64_t step = block->sector_step, c = block->sector_class;
                if (((m - c) % step + step) % step == 0) mb.has_lower[m] = 1;
                if (((-m - c) % step + step) % step == 0) mb.has_upper[m] = 1;
            }
        } else if (sector > -N && sector < N) {
            if (sector <= 0) mb.has_upper[-sector] = 1;
            if (sector >= 0) mb.has_lower[sector] = 1;
        }
    }
    for (size_t b = 0; b < state->nblocks && s == PM_OK; b++) {
        const pm_block *block = state->blocks[b];
        for (int64_t q = 0; q < block->size && s == PM_OK; q++)
            s = builder_add(&mb, block->row[q], block->col[q], state->x[b][q]);
    }
    if (s != PM_OK) {
        builder_clear(&mb);
        return s;
    }
    return builder_finish(&mb, state->adjoint_implied, out);
}

pm_status pm_wigner_mech_from_triplets(int64_t dim, size_t count, const int64_t *row, const int64_t *col,
                                       const double complex *value, int adjoint_implied, pm_wigner_mech **out)
{
    *out = NULL;
    if (dim < 2 || dim % 2 != 0)
        return pm_error_set(PM_EINVAL, "wigner: density-matrix dimension %lld: must be 2N with N >= 1",
                            (long long)dim);
    const int64_t N = dim / 2;
    int64_t kmax = 0;
    for (size_t q = 0; q < count; q++) {
        if (row[q] < 0 || row[q] >= dim || col[q] < 0 || col[q] >= dim)
            return pm_error_set(PM_EINVAL, "wigner: element %zu at (%lld, %lld) is outside the %lld x %lld "
                                "density matrix", q, (long long)row[q], (long long)col[q], (long long)dim,
                                (long long)dim);
        if (!isfinite(creal(value[q])) || !isfinite(cimag(value[q])))
            return pm_error_set(PM_EINVAL, "wigner: element %zu at (%lld, %lld) is not finite", q,
                                (long long)row[q], (long long)col[q]);
        if (pm_space_spin(N, row[q]) == pm_space_spin(N, col[q])) {
            int64_t k = pm_space_fock(N, row[q]) - pm_space_fock(N, col[q]);
            if ((k < 0 ? -k : k) > kmax) kmax = k < 0 ? -k : k;
        }
    }
    mech_builder mb;
    pm_status s = builder_init(&mb, N, kmax);
    if (s != PM_OK) return s;
    for (size_t q = 0; q < count && s == PM_OK; q++) {
        if (pm_space_spin(N, row[q]) != pm_space_spin(N, col[q])) continue;
        int64_t k = pm_space_fock(N, row[q]) - pm_space_fock(N, col[q]);
        if (k <= 0) mb.has_upper[-k] = 1;
        if (k >= 0) mb.has_lower[k] = 1;
        s = builder_add(&mb, row[q], col[q], value[q]);
    }
    if (s != PM_OK) {
        builder_clear(&mb);
        return s;
    }
    return builder_finish(&mb, adjoint_implied, out);
}

pm_wigner_path pm_wigner_choose_path(const pm_wigner_mech *mech)
{
    return mech->kmax == 0 ? PM_WIGNER_RADIAL : PM_WIGNER_GENERAL;
}

const char *pm_wigner_path_name(pm_wigner_path path)
{
    switch (path) {
    case PM_WIGNER_RADIAL: return "radial";
    case PM_WIGNER_GENERAL: return "general";
    default: return "auto";
    }
}

/* ------------------------------------------------------------ scaled numbers */

/* value = mant * 2^exp with mant in [0.5, 1) (or 0) */
typedef struct scaled {
    double mant;
    int exp;
} scaled;

static scaled scaled_normalize(double v, int e)
{
    scaled out;
    int shift = 0;
    out.mant = frexp(v, &shift);
    out.exp = v == 0 ? 0 : e + shift;
    return out;
}

/* e^{-h}, h >= 0, as mant * 2^exp, correctly rounded to double in practice:
 * evaluated in long double (64-bit mantissa on x86-64, range to e^{-11355})
 * as e^{-(h - 8192 q)} (e^{-8192})^q, the power by repeated squaring with
 * exact power-of-two renormalisation (relative error ~ (log2 q + 2) 1e-19
 * before the final rounding to double). */
static scaled scaled_exp_neg(double h)
{
    const long double chunk = 8192.0L;
    long double q = floorl((long double)h / chunk);
    int shift = 0, e = 0;
    long double m = frexpl(expl(-((long double)h - chunk * q)), &shift);
    e += shift;
    long double base = frexpl(expl(-chunk), &shift);
    int base_e = shift;
    while (q >= 1.0L) {
        if (fmodl(q, 2.0L) == 1.0L) {
            m = frexpl(m * base, &shift);
            e += shift + base_e;
        }
        base = frexpl(base * base, &shift);
        base_e = 2 * base_e + shift;
        q = floorl(q / 2.0L);
    }
    return scaled_normalize((double)m, e);
}

/* Largest x = 2 r^2 at which the Wigner function can be nonzero in double
 * precision: f_m^k(x) = |<m|D(beta)|m+k>| with |beta| = sqrt(x) decays like
 * exp(-(|beta| - sqrt(m) - sqrt(m+k))^2) outside the classical turning point
 * |beta| = sqrt(m) + sqrt(m+k) <= 2 sqrt(N), so it is below 1e-300 once
 * sqrt(x) > 2 sqrt(N) + 40 (tested in tests/phase_space/test_wigner.c). */
static double x_limit(int64_t N)
{
    double b = 2.0 * sqrt((double)N) + 40.0;
    return b * b;
}

/* -------------------------------------------------------------- recurrence */

/* The recurrence of diagonal k in difference form.  With
 * l_m = f_m^k(x) and the scaled difference d_m (d_0 = k l_0):
 *   d_{m+1} = alpha_m d_m - x inv_m l_m,     l_{m+1} = gamma_m (l_m + d_{m+1}),
 *   alpha_0 = 1, alpha_m = sqrt(m (m+k))/(m+1), inv_m = 1/(m+1),
 *   gamma_m = sqrt((m+1)/(m+k+1)),
 * which is (m+1) L_{m+1} = (2m+k+1-x) L_m - (m+k) L_{m-1} written for
 * D_m = L_m - L_{m-1}: (m+1) D_{m+1} = (m+k) D_m - x L_m, then normalised
 * by sqrt(m!/(m+k)!).  Unlike the three-term form it never forms
 * x - (2m+k+1), whose rounding (an absolute error eps m, i.e. a shift of x
 * by eps m at every step) costs 1e-10 of accuracy near the origin at
 * N = 10^4: here x enters only multiplicatively, every rounding is a
 * relative perturbation of one term, and at x = 0 the result is exact. */
typedef struct recurrence {
    int64_t k, M; /* terms m = 0..M-1 */
    double *alpha, *inv, *gamma;
} recurrence;

static void recurrence_fill(recurrence *rc, int64_t k, int64_t M)
{
    rc->k = k;
    rc->M = M;
    for (int64_t m = 0; m < M; m++) {
        double md = (double)m, kd = (double)k;
        rc->inv[m] = 1.0 / (md + 1.0);
        if (k == 0) {
            rc->alpha[m] = m == 0 ? 1.0 : md / (md + 1.0);
            rc->gamma[m] = 1.0;
        } else {
            rc->alpha[m] = m == 0 ? 1.0 : sqrt(md * (md + kd)) / (md + 1.0);
            rc->gamma[m] = sqrt((md + 1.0) / (md + kd + 1.0));
        }
    }
}

/* For LANES radii (x[j] = 2 r_j^2, start[j] = f_0^k(x_j)):
 *   sum_{m<M} coef[m] f_m^k(x_j) = (re[j] + i im[j]) 2^exp[j]
 * (coef_im may be NULL for real coefficients; the caller folds the sign
 * (-1)^m of the Wigner sum into coef). */
static void recurrence_sums(const recurrence *rc, const double *coef_re, const double *coef_im,
                            const double *x, const scaled *start, double *re, double *im, int *exp2)
{
    double l[LANES], d[LANES], sr[LANES], si[LANES];
    const double ci0 = coef_im ? coef_im[0] : 0.0, kd = (double)rc->k;
    for (int j = 0; j < LANES; j++) {
        l[j] = start[j].mant;
        d[j] = kd * l[j];
        exp2[j] = start[j].exp;
        sr[j] = coef_re[0] * l[j];
        si[j] = ci0 * l[j];
    }
    const double big = 0x1p500, small = 0x1p-500;
    for (int64_t m = 0; m + 1 < rc->M; m++) {
        const double am = rc->alpha[m], im_ = rc->inv[m], gm = rc->gamma[m];
        const double pr = coef_re[m + 1], pi = coef_im ? coef_im[m + 1] : 0.0;
        for (int j = 0; j < LANES; j++) {
            double dn = am * d[j] - x[j] * im_ * l[j];
            double ln = gm * (l[j] + dn);
            d[j] = dn;
            l[j] = ln;
            sr[j] += pr * ln;
            si[j] += pi * ln;
        }
        if ((m & 3) == 3) {
            double largest = 0.0;
            for (int j = 0; j < LANES; j++) {
                double v = fabs(l[j]) > fabs(d[j]) ? fabs(l[j]) : fabs(d[j]);
                largest = v > largest ? v : largest;
            }
            if (largest > big)
                for (int j = 0; j < LANES; j++)
                    if (fabs(l[j]) > big || fabs(d[j]) > big) {
                        l[j] *= small;
                        d[j] *= small;
                        sr[j] *= small;
                        si[j] *= small;
                        exp2[j] += RESCALE_BITS;
                    }
        }
    }
    for (int j = 0; j < LANES; j++) {
        re[j] = sr[j];
        im[j] = si[j];
    }
}

/* Drop the trailing coefficients whose summed magnitude is below `cut`
 * (their contribution to any f-weighted sum is below cut, as |f| <= 1). */
static int64_t trimmed_length(const double complex *d, int64_t M, double cut)
{
    double tail = 0.0;
    int64_t m = M;
    while (m > 0) {
        double next = tail + cabs(d[m - 1]);
        if (next > cut) break;
        tail = next;
        m--;
    }
    return m;
}

/* ------------------------------------------------------------------- grids */

typedef struct radius_set {
    size_t count;   /* distinct radii */
    double *x;      /* 2 r^2 of each, padded to a multiple of LANES with 0 */
    size_t *id;     /* per point: its radius */
} radius_set;

static void radius_set_free(radius_set *rs)
{
    free(rs->x);
    free(rs->id);
    memset(rs, 0, sizeof *rs);
}

static int compare_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* The distinct values of v[i]^2 (sorted) and, per i, the index of its own;
 * returns the count, or 0 on allocation failure. */
static size_t distinct_squares(size_t n, const double *v, double *values, size_t *index)
{
    for (size_t i = 0; i < n; i++) values[i] = v[i] * v[i];
    qsort(values, n, sizeof *values, compare_double);
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (count == 0 || values[i] != values[count - 1]) values[count++] = values[i];
    for (size_t i = 0; i < n; i++) {
        double sq = v[i] * v[i];
        size_t lo = 0, hi = count - 1;
        while (lo < hi) { /* binary search: sq is present */
            size_t mid = lo + (hi - lo) / 2;
            if (values[mid] < sq) lo = mid + 1;
            else hi = mid;
        }
        index[i] = lo;
    }
    return count;
}

/* The radii of the grid z x p, shared by points with the same (z^2, p^2)
 * (and, if the z and p axes have the same squares, with the two swapped):
 * a symmetric n x n grid has about n^2/8 distinct radii.  Cost
 * O(nz log nz + np log np + nz np), no sort over the points. */
static pm_status radius_set_build(size_t nz, const double *z, size_t np, const double *p, radius_set *rs)
{
    memset(rs, 0, sizeof *rs);
    double *zsq = malloc(nz * sizeof *zsq), *psq = malloc(np * sizeof *psq);
    size_t *zi = malloc(nz * sizeof *zi), *pi = malloc(np * sizeof *pi);
    rs->id = malloc(nz * np * sizeof *rs->id);
    pm_status s = PM_OK;
    if (!zsq || !psq || !zi || !pi || !rs->id) {
        s = pm_error_set(PM_ENOMEM, "wigner: out of memory for %zu x %zu grid points", nz, np);
        goto done;
    }
    size_t nuz = distinct_squares(nz, z, zsq, zi), nup = distinct_squares(np, p, psq, pi);
    int same = nuz == nup && memcmp(zsq, psq, nuz * sizeof *zsq) == 0;
    /* same axes: pair (a, b) with a <= b is number b (b + 1)/2 + a */
    size_t count = same ? nuz * (nuz + 1) / 2 : nuz * nup;
    rs->x = malloc((count + LANES) * sizeof *rs->x);
    if (!rs->x) {
        s = pm_error_set(PM_ENOMEM, "wigner: out of memory for %zu radii", count);
        goto done;
    }
    for (size_t a = 0; a < nuz; a++)
        for (size_t b = same ? a : 0; b < nup; b++)
            rs->x[same ? b * (b + 1) / 2 + a : a * nup + b] = 2.0 * (zsq[a] + psq[b]);
    for (size_t j = count; j < count + LANES; j++) rs->x[j] = 0.0;
    for (size_t iz = 0; iz < nz; iz++)
        for (size_t ip = 0; ip < np; ip++) {
            size_t a = zi[iz], b = pi[ip];
            if (same && a > b) {
                size_t t = a;
                a = b, b = t;
            }
            rs->id[iz * np + ip] = same ? b * (b + 1) / 2 + a : a * nup + b;
        }
    rs->count = count;
done:
    free(zsq), free(psq), free(zi), free(pi);
    if (s != PM_OK) radius_set_free(rs);
    return s;
}

/* f_0^0(x) = e^{-x/2} per radius; 0 beyond the x limit (W vanishes there). */
static void starts_k0(const radius_set *rs, int64_t N, scaled *start)
{
    double limit = x_limit(N);
    for (size_t u = 0; u < rs->count; u++)
        start[u] = rs->x[u] > limit ? scaled_normalize(0.0, 0) : scaled_exp_neg(0.5 * rs->x[u]);
}

static double total_weight(const pm_wigner_mech *mech)
{
    double total = 0.0;
    for (int64_t m = 0; m < mech->N; m++) total += cabs(mech->diag[0][m]);
    return total;
}

/* sum_m coef[m] g_m^k(x_u) for every distinct radius u. */
/* Returns 0, or 1 if stopped (checked every STOP_CHECK_RADII radii: a few
 * milliseconds of work at N = 10^4). */
enum { STOP_CHECK_RADII = 1024 };
static int diagonal_sums(const recurrence *rc, const double *coef_re, const double *coef_im,
                         const radius_set *rs, const scaled *start, double complex *sums, const pm_stop_flag *stop)
{
    scaled lane_start[LANES];
    double re[LANES], im[LANES];
    int e2[LANES];
    for (size_t u0 = 0; u0 < rs->count; u0 += LANES) {
        if (u0 % STOP_CHECK_RADII == 0 && PM_STOP_REQUESTED(stop)) return 1;
        for (int j = 0; j < LANES; j++)
            lane_start[j] = u0 + (size_t)j < rs->count ? start[u0 + (size_t)j] : scaled_normalize(0.0, 0);
        recurrence_sums(rc, coef_re, coef_im, rs->x + u0, lane_start, re, im, e2);
        for (int j = 0; j < LANES && u0 + (size_t)j < rs->count; j++)
            sums[u0 + (size_t)j] = ldexp(re[j], e2[j]) + I * ldexp(im[j], e2[j]);
    }
    return 0;
}

static pm_status check_grid(size_t nz, const double *z, size_t np, const double *p)
{
    if (nz == 0 || np == 0 || !z || !p)
        return pm_error_set(PM_EINVAL, "wigner: empty grid (%zu x %zu points): need at least one z and one p", nz, np);
    if (nz > ((size_t)1 << 40) / np)
        return pm_error_set(PM_EINVAL, "wigner: grid of %zu x %zu points is too large", nz, np);
    for (size_t i = 0; i < nz; i++)
        if (!isfinite(z[i]) || fabs(z[i]) > 1e15)
            return pm_error_set(PM_EINVAL, "wigner: z[%zu] = %g: grid values must be finite, |z| <= 1e15", i, z[i]);
    for (size_t i = 0; i < np; i++)
        if (!isfinite(p[i]) || fabs(p[i]) > 1e15)
            return pm_error_set(PM_EINVAL, "wigner: p[%zu] = %g: grid values must be finite, |p| <= 1e15", i, p[i]);
    return PM_OK;
}

pm_status pm_wigner_grid_mech(const pm_wigner_mech *mech, pm_wigner_path path, size_t nz,
                              const double *z, size_t np, const double *p, double *W)
{
    return pm_wigner_grid_mech_interruptible(mech, path, nz, z, np, p, W, NULL);
}

pm_status pm_wigner_grid_mech_interruptible(const pm_wigner_mech *mech, pm_wigner_path path, size_t nz,
                                            const double *z, size_t np, const double *p, double *W,
                                            const pm_stop_flag *stop)
{
    pm_status s = check_grid(nz, z, np, p);
    if (s != PM_OK) return s;
    if (!mech || !mech->diag || !mech->diag[0])
        return pm_error_set(PM_EINVAL, "wigner: no mechanical state");
    if (path == PM_WIGNER_AUTO) path = pm_wigner_choose_path(mech);
    if (path == PM_WIGNER_RADIAL && mech->kmax > 0)
        return pm_error_set(PM_EINVAL, "wigner: the radial path needs a phase-invariant state, but the "
                            "state has coherences up to k = %lld; use the general path", (long long)mech->kmax);
    const int64_t N = mech->N;
    const size_t npoints = nz * np;
    const int64_t kmax = path == PM_WIGNER_RADIAL ? 0 : mech->kmax;

    radius_set rs;
    s = radius_set_build(nz, z, np, p, &rs);
    if (s != PM_OK) return s;

    const size_t nu = rs.count;
    scaled *start = malloc(nu * sizeof *start);
    double *sqrt_x = malloc(nu * sizeof *sqrt_x);
    double complex *sums = malloc(nu * sizeof *sums);
    double *coef_re = malloc((size_t)N * sizeof *coef_re), *coef_im = malloc((size_t)N * sizeof *coef_im);
    recurrence rc = {0, 0, malloc((size_t)N * sizeof(double)), malloc((size_t)N * sizeof(double)),
                     malloc((size_t)N * sizeof(double))};
    double complex *phase = kmax > 0 ? malloc(npoints * sizeof *phase) : NULL;
    double complex *step = kmax > 0 ? malloc(npoints * sizeof *step) : NULL;
    if (!start || !sqrt_x || !sums || !coef_re || !coef_im || !rc.alpha || !rc.inv || !rc.gamma ||
        (kmax > 0 && (!phase || !step))) {
        s = pm_error_set(PM_ENOMEM, "wigner: out of memory (N = %lld, %zu distinct radii)", (long long)N, nu);
        goto done;
    }
    starts_k0(&rs, N, start);
    for (size_t u = 0; u < nu; u++) sqrt_x[u] = sqrt(rs.x[u]);
    for (size_t q = 0; q < npoints; q++) W[q] = 0.0;
    if (kmax > 0)
        for (size_t iz = 0; iz < nz; iz++)
            for (size_t ip = 0; ip < np; ip++) {
                size_t q = iz * np + ip;
                double phi = atan2(p[ip], z[iz]);
                step[q] = cos(phi) + I * sin(phi);
                phase[q] = 1.0;
            }

    const double cut = 1e-3 * DBL_EPSILON * total_weight(mech);
    int64_t last_k = 0;
    for (int64_t k = 0; k <= kmax; k++) {
        if (k > 0) {
            /* f_0^k = f_0^{k-1} sqrt(x/k) */
            double inv_sqrt_k = 1.0 / sqrt((double)k);
            for (size_t u = 0; u < nu; u++) {
                double v = start[u].mant * sqrt_x[u] * inv_sqrt_k;
                start[u] = (v > 0x1p300 || v < 0x1p-300) ? scaled_normalize(v, start[u].exp)
                                                          : (scaled){v, start[u].exp};
            }
        }
        const double complex *d = mech->diag[k];
        if (!d) continue;
        int64_t M = trimmed_length(d, N - k, cut);
        if (M == 0) continue;
        for (int64_t m = 0; m < M; m++) {
            double sign = (m & 1) ? -1.0 : 1.0; /* (-1)^m of the Wigner sum */
            coef_re[m] = sign * creal(d[m]);
            coef_im[m] = sign * cimag(d[m]);
        }
        recurrence_fill(&rc, k, M);
        if (diagonal_sums(&rc, coef_re, k > 0 ? coef_im : NULL, &rs, start, sums, stop)) {
            s = pm_error_set(PM_EINTERRUPT, "wigner: grid stopped by caller at coherence order k = %lld",
                             (long long)k);
            goto done;
        }
        if (k == 0) {
            for (size_t q = 0; q < npoints; q++) W[q] += creal(sums[rs.id[q]]);
            continue;
        }
        /* e^{i k phi}: by multiplication from the previous diagonal, afresh
         * after a gap or every 32 steps (bounds the rounding drift) */
        if (k == last_k + 1 && k % 32 != 0) {
            for (size_t q = 0; q < npoints; q++) phase[q] *= step[q];
        } else {
            for (size_t iz = 0; iz < nz; iz++)
                for (size_t ip = 0; ip < np; ip++) {
                    double kphi = (double)k * atan2(p[ip], z[iz]);
                    phase[iz * np + ip] = cos(kphi) + I * sin(kphi);
                }
        }
        last_k = k;
        for (size_t q = 0; q < npoints; q++) W[q] += 2.0 * creal(phase[q] * sums[rs.id[q]]);
    }
    for (size_t q = 0; q < npoints; q++) W[q] /= PM_PI;

done:
    free(start);
    free(sqrt_x);
    free(sums);
    free(coef_re);
    free(coef_im);
    free(rc.alpha);
    free(rc.inv);
    free(rc.gamma);
    free(phase);
    free(step);
    radius_set_free(&rs);
    return s;
}

pm_status pm_wigner_grid(const pm_state *state, size_t nz, const double *z, size_t np, const double *p,
                         double *W, pm_wigner_path *path_used)
{
    pm_wigner_mech *mech = NULL;
    pm_status s = pm_wigner_mech_from_state(state, &mech);
    if (s != PM_OK) return s;
    pm_wigner_path path = pm_wigner_choose_path(mech);
    s = pm_wigner_grid_mech(mech, path, nz, z, np, p, W);
    if (path_used) *path_used = path;
    pm_wigner_mech_free(mech);
    return s;
}

/* ----------------------------------------------------------------- radial */

static pm_status check_populations(const double *p_n, int64_t N)
{
    if (N < 1 || !p_n) return pm_error_set(PM_EINVAL, "wigner: Fock cutoff N = %lld: must be >= 1", (long long)N);
    for (int64_t n = 0; n < N; n++)
        if (!isfinite(p_n[n]))
            return pm_error_set(PM_EINVAL, "wigner: P(%lld) = %g is not finite", (long long)n, p_n[n]);
    return PM_OK;
}

static int64_t populations_length(const double *p_n, int64_t N)
{
    double total = 0.0;
    for (int64_t n = 0; n < N; n++) total += fabs(p_n[n]);
    double cut = 1e-3 * DBL_EPSILON * total, tail = 0.0;
    int64_t M = N;
    while (M > 0 && tail + fabs(p_n[M - 1]) <= cut) tail += fabs(p_n[--M]);
    return M;
}

/* Radial evaluation of one P(n) at up to `capacity` radii at a time. */
typedef struct radial_work {
    int64_t N, M;       /* cutoff, populations kept (trimmed tail) */
    double *coef;       /* (-1)^n P(n), n < M */
    recurrence rc;      /* k = 0, M terms */
    radius_set rs;
    scaled *start;
    double complex *sums;
    double *W_u;
} radial_work;

static void radial_work_free(radial_work *w)
{
    radius_set_free(&w->rs);
    free(w->coef);
    free(w->start);
    free(w->sums);
    free(w->rc.alpha);
    free(w->rc.inv);
    free(w->rc.gamma);
    free(w->W_u);
}

static pm_status radial_work_alloc(const double *p_n, int64_t N, size_t capacity, radial_work *w)
{
    memset(w, 0, sizeof *w);
    w->N = N;
    w->M = populations_length(p_n, N);
    size_t terms = w->M > 0 ? (size_t)w->M : 1;
    w->coef = malloc(terms * sizeof *w->coef);
    w->rs.x = malloc((capacity + LANES) * sizeof *w->rs.x);
    w->start = malloc(capacity * sizeof *w->start);
    w->sums = malloc(capacity * sizeof *w->sums);
    w->W_u = malloc(capacity * sizeof *w->W_u);
    w->rc.alpha = malloc(terms * sizeof(double));
    w->rc.inv = malloc(terms * sizeof(double));
    w->rc.gamma = malloc(terms * sizeof(double));
    if (!w->coef || !w->rs.x || !w->start || !w->sums || !w->W_u || !w->rc.alpha || !w->rc.inv ||
        !w->rc.gamma) {
        radial_work_free(w);
        return pm_error_set(PM_ENOMEM, "wigner: out of memory (N = %lld, %zu radii)", (long long)N, capacity);
    }
    for (int64_t n = 0; n < w->M; n++) w->coef[n] = (n & 1) ? -p_n[n] : p_n[n];
    recurrence_fill(&w->rc, 0, w->M);
    return PM_OK;
}

/* W(r) at `count` <= capacity radii into w->W_u (no deduplication). */
static void radial_eval(radial_work *w, size_t count, const double *r)
{
    w->rs.count = count;
    for (size_t u = 0; u < count; u++) w->rs.x[u] = 2.0 * r[u] * r[u];
    for (size_t j = count; j < count + LANES; j++) w->rs.x[j] = 0.0;
    if (w->M == 0) {
        for (size_t u = 0; u < count; u++) w->W_u[u] = 0.0;
        return;
    }
    starts_k0(&w->rs, w->N, w->start);
    (void)diagonal_sums(&w->rc, w->coef, NULL, &w->rs, w->start, w->sums, NULL);
    for (size_t u = 0; u < count; u++) w->W_u[u] = creal(w->sums[u]) / PM_PI;
}

pm_status pm_wigner_radial(const double *p_n, int64_t N, size_t nr, const double *r, double *W)
{
    pm_status s = check_populations(p_n, N);
    if (s != PM_OK) return s;
    if (nr == 0) return PM_OK;
    for (size_t u = 0; u < nr; u++)
        if (!isfinite(r[u]) || r[u] < 0 || r[u] > 1e15)
            return pm_error_set(PM_EINVAL, "wigner: r[%zu] = %g: radii must be finite, in [0, 1e15]", u, r[u]);
    radial_work w;
    s = radial_work_alloc(p_n, N, nr, &w);
    if (s != PM_OK) return s;
    radial_eval(&w, nr, r);
    memcpy(W, w.W_u, nr * sizeof *W);
    radial_work_free(&w);
    return PM_OK;
}

/* ------------------------------------------------------------------- ring */

/* W(r) and dW/dr at one radius.  With l_n = e^{-x/2} L_n(x) and
 * d_n = e^{-x/2} (L_n - L_{n-1}) from the k = 0 recurrence,
 * x L_n'(x) = n (L_n - L_{n-1}) gives
 *   dW/dx = (1/pi) sum_n (-1)^n P(n) (-l_n/2 + n d_n/x),  dW/dr = 4 r dW/dx. */
static void radial_value_slope(const radial_work *w, double r, double *value, double *slope)
{
    double x = 2.0 * r * r;
    *value = *slope = 0.0;
    if (w->M == 0 || x > x_limit(w->N)) return;
    scaled start = scaled_exp_neg(0.5 * x);
    double l = start.mant, d = 0.0, sum_l = w->coef[0] * l, sum_d = 0.0;
    int e = start.exp;
    for (int64_t m = 0; m + 1 < w->M; m++) {
        d = w->rc.alpha[m] * d - x * w->rc.inv[m] * l;
        l += d;
        sum_l += w->coef[m + 1] * l;
        sum_d += (double)(m + 1) * w->coef[m + 1] * d;
        if (fabs(l) + fabs(d) > 0x1p500) {
            l *= 0x1p-500, d *= 0x1p-500, sum_l *= 0x1p-500, sum_d *= 0x1p-500;
            e += 500;
        }
    }
    double A = ldexp(sum_l, e), B = ldexp(sum_d, e);
    *value = A / PM_PI;
    *slope = r > 0 ? 4.0 * r * (-0.5 * A + B / x) / PM_PI : 0.0;
}

/* d/dr of W (weight 0) or of r W (weight 1) */
static double ring_slope(const radial_work *w, double r, int weight, double *value)
{
    double W, dW;
    radial_value_slope(w, r, &W, &dW);
    *value = weight ? 2.0 * PM_PI * r * W : W;
    return weight ? W + r * dW : dW;
}

/* The maximum of W or 2 pi r W in [lo, hi] (from a scan: the slope is >= 0
 * at lo and <= 0 at hi): bisection on the slope, which is computed to
 * ~1e-14 relative, so the peak is located to ~1e-12 (a search on the
 * values alone resolves only ~sqrt(eps) of the peak width). */
static double peak_in(const radial_work *w, double lo, double hi, int weight, double *value)
{
    double v;
    double s_lo = ring_slope(w, lo, weight, &v), s_hi = ring_slope(w, hi, weight, &v);
    if (!(s_lo >= 0 && s_hi <= 0)) { /* no bracket: the larger end */
        double v_lo, v_hi;
        ring_slope(w, lo, weight, &v_lo);
        ring_slope(w, hi, weight, &v_hi);
        *value = v_lo >= v_hi ? v_lo : v_hi;
        return v_lo >= v_hi ? lo : hi;
    }
    for (int it = 0; it < 200 && hi - lo > 4 * DBL_EPSILON * hi; it++) {
        double mid = 0.5 * (lo + hi);
        if (ring_slope(w, mid, weight, &v) > 0) lo = mid;
        else hi = mid;
    }
    double peak = 0.5 * (lo + hi);
    ring_slope(w, peak, weight, value);
    return peak;
}

pm_status pm_wigner_ring_find(const double *p_n, int64_t N, pm_wigner_ring *out)
{
    memset(out, 0, sizeof *out);
    pm_status s = check_populations(p_n, N);
    if (s != PM_OK) return s;
    int64_t M = populations_length(p_n, N);
    if (M == 0) return pm_error_set(PM_EINVAL, "wigner: ring of a zero state (every P(n) is 0)");
    /* scan step: 1/8 of the shortest radial wavelength 2 pi / sqrt(8 n + 4)
     * of the Laguerre functions present (and at most 0.05) */
    double r_max = sqrt(2.0 * (double)M) + 8.0;
    double h = 2.0 * PM_PI / sqrt(8.0 * (double)(M - 1) + 4.0) / 8.0;
    if (h > 0.05) h = 0.05;
    size_t count = (size_t)ceil(r_max / h) + 1;
    radial_work w;
    s = radial_work_alloc(p_n, N, count, &w);
    if (s != PM_OK) return s;
    double *r = malloc(count * sizeof *r), *scan = malloc(count * sizeof *scan);
    if (!r || !scan) {
        free(r);
        free(scan);
        radial_work_free(&w);
        return pm_error_set(PM_ENOMEM, "wigner: out of memory for the ring scan");
    }
    for (size_t u = 0; u < count; u++) r[u] = h * (double)u;
    radial_eval(&w, count, r);
    memcpy(scan, w.W_u, count * sizeof *scan);
    size_t best_w = 0, best_pr = 0;
    for (size_t u = 1; u < count; u++) {
        if (scan[u] > scan[best_w]) best_w = u;
        if (r[u] * scan[u] > r[best_pr] * scan[best_pr]) best_pr = u;
    }
    if (best_w == 0) {
        out->r_peak_w = 0.0;
        out->w_peak = scan[0];
    } else {
        double hi = best_w + 1 < count ? r[best_w + 1] : r[best_w];
        out->r_peak_w = peak_in(&w, r[best_w - 1], hi, 0, &out->w_peak);
    }
    double lo = best_pr > 0 ? r[best_pr - 1] : 0.0, hi = best_pr + 1 < count ? r[best_pr + 1] : r[best_pr];
    out->r_peak_pr = peak_in(&w, lo, hi, 1, &out->pr_peak);
    free(r);
    free(scan);
    radial_work_free(&w);
    return PM_OK;
}

/* --------------------------------------------------------------- marginal */

/* psi_n(z), n < N: psi_0 = pi^{-1/4} e^{-z^2/2},
 * psi_{n+1} = sqrt(2/(n+1)) z psi_n - sqrt(n/(n+1)) psi_{n-1}
 * (forward stable: growing in the forbidden range n < z^2/2, oscillatory
 * beyond), rescaled by powers of two, returned as plain doubles (values
 * below the double range are 0). */
static void hermite_functions(double z, int64_t N, double *psi)
{
    scaled start = scaled_exp_neg(0.5 * z * z);
    double g = start.mant * 0.75112554446494248286, gp = 0.0; /* pi^{-1/4} */
    int e = start.exp;
    psi[0] = ldexp(g, e);
    for (int64_t n = 0; n + 1 < N; n++) {
        double nd = (double)n;
        double next = sqrt(2.0 / (nd + 1.0)) * z * g - sqrt(nd / (nd + 1.0)) * gp;
        gp = g;
        g = next;
        if (fabs(g) > 0x1p500 || fabs(gp) > 0x1p500) {
            g *= 0x1p-500;
            gp *= 0x1p-500;
            e += 500;
        }
        psi[n + 1] = ldexp(g, e);
    }
}

pm_status pm_wigner_marginal_z(const pm_wigner_mech *mech, size_t nz, const double *z, double *out)
{
    if (!mech || !mech->diag || !mech->diag[0]) return pm_error_set(PM_EINVAL, "wigner: no mechanical state");
    for (size_t i = 0; i < nz; i++)
        if (!isfinite(z[i]) || fabs(z[i]) > 1e15)
            return pm_error_set(PM_EINVAL, "wigner: z[%zu] = %g: must be finite, |z| <= 1e15", i, z[i]);
    const int64_t N = mech->N;
    double *psi = malloc((size_t)N * sizeof *psi);
    if (!psi) return pm_error_set(PM_ENOMEM, "wigner: out of memory (N = %lld)", (long long)N);
    for (size_t i = 0; i < nz; i++) {
        hermite_functions(z[i], N, psi);
        double sum = 0.0;
        for (int64_t k = 0; k <= mech->kmax; k++) {
            const double complex *d = mech->diag[k];
            if (!d) continue;
            double part = 0.0;
            for (int64_t m = 0; m + k < N; m++) part += creal(d[m]) * psi[m] * psi[m + k];
            sum += k == 0 ? part : 2.0 * part;
        }
        out[i] = sum;
    }
    free(psi);
    return PM_OK;
}
