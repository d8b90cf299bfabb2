/* An image of the Wigner function of a state's mechanical part on a square
 * grid, with its phase-averaged radial profile (wigner.h). */
#include "phonomaser/phase_space/wigner.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "phonomaser/core/constants.h"
#include "phonomaser/core/timer.h"

/* ------------------------------------------------------------ an image of W */

/* Radius holding all but `tail` of P(n): sqrt(2 n + 1) of the smallest such
 * n, plus three vacuum widths. */
static double radius_holding(const double *p_n, int64_t N, double tail)
{
    double above = 0.0;
    int64_t n = N - 1;
    while (n > 0 && above + fabs(p_n[n]) <= tail) above += fabs(p_n[n--]);
    return sqrt(2.0 * (double)n + 1.0) + 3.0;
}

void pm_wigner_image_clear(pm_wigner_image *wr)
{
    free(wr->z), free(wr->W), free(wr->radial_r), free(wr->radial_W), free(wr->radial_P);
    memset(wr, 0, sizeof *wr);
}

pm_status pm_wigner_image_compute(const pm_wigner_mech *mech, size_t points, double range, const pm_stop_flag *stop,
                                  pm_wigner_image *wr)
{
    memset(wr, 0, sizeof *wr);
    if (points < 2) return pm_error_set(PM_EINVAL, "wigner: %zu grid points (at least 2)", points);
    double start = pm_wall_seconds();
    const int64_t N = mech->N;
    double *p_n = malloc((size_t)N * sizeof *p_n);
    if (!p_n) return pm_error_set(PM_ENOMEM, "wigner: out of memory (N = %lld)", (long long)N);
    for (int64_t n = 0; n < N; n++) p_n[n] = creal(mech->diag[0][n]);
    pm_status s = pm_wigner_ring_find(p_n, N, &wr->ring);

    /* a symmetric grid (z[n-1-i] = -z[i] exactly): points share radii */
    wr->points = points;
    wr->range = range;
    if (s == PM_OK && wr->range <= 0) {
        wr->range = 1.3 * wr->ring.r_peak_pr;
        double holding = radius_holding(p_n, N, 1e-6);
        if (holding > wr->range) wr->range = holding;
    }
    size_t np = wr->points;
    wr->step = 2.0 * wr->range / (double)(np - 1);
    wr->z = malloc(np * sizeof *wr->z);
    wr->W = malloc(np * np * sizeof *wr->W);
    wr->nradial = 2 * np;
    wr->radial_r = malloc(wr->nradial * sizeof *wr->radial_r);
    wr->radial_W = malloc(wr->nradial * sizeof *wr->radial_W);
    wr->radial_P = malloc(wr->nradial * sizeof *wr->radial_P);
    if (s == PM_OK && (!wr->z || !wr->W || !wr->radial_r || !wr->radial_W || !wr->radial_P))
        s = pm_error_set(PM_ENOMEM, "wigner: out of memory for a %zu x %zu grid", np, np);
    if (s == PM_OK) {
        for (size_t i = 0; i < np; i++) wr->z[i] = ((double)i - 0.5 * (double)(np - 1)) * wr->step;
        wr->path = pm_wigner_choose_path(mech);
        double grid_start = pm_wall_seconds();
        s = pm_wigner_grid_mech_interruptible(mech, wr->path, np, wr->z, np, wr->z, wr->W, stop);
        wr->grid_seconds = pm_wall_seconds() - grid_start;
    }
    if (s == PM_OK) {
        wr->W_min = wr->W_max = wr->W[0];
        double sum = 0.0;
        for (size_t q = 0; q < np * np; q++) {
            sum += wr->W[q];
            if (wr->W[q] < wr->W_min) wr->W_min = wr->W[q];
            if (wr->W[q] > wr->W_max) wr->W_max = wr->W[q];
        }
        wr->integral = sum * wr->step * wr->step;
        /* the phase-averaged W(r) (the W of the diagonal of rho_m), out to
         * the grid's corner */
        double r_end = sqrt(2.0) * wr->range;
        for (size_t i = 0; i < wr->nradial; i++) wr->radial_r[i] = r_end * (double)i / (double)(wr->nradial - 1);
        s = pm_wigner_radial(p_n, N, wr->nradial, wr->radial_r, wr->radial_W);
        for (size_t i = 0; s == PM_OK && i < wr->nradial; i++)
            wr->radial_P[i] = 2.0 * PM_PI * wr->radial_r[i] * wr->radial_W[i];
    }
    free(p_n);
    wr->seconds = pm_wall_seconds() - start;
    return s;
}

