/* The spectrum command's HDF5 groups (results.h): /spectrum and /correlation. */
#include "phonomaser/io/results.h"

#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static pm_status write_line_attrs(pm_h5file *file, const char *g, const pm_spectrum_curve *c)
{
    pm_status s = pm_h5_attr_double(file, g, "sum_rule_integral", c->integral, "1");
    if (s == PM_OK) s = pm_h5_attr_double(file, g, "sum_rule_expected", c->c0, "1");
    if (s == PM_OK) s = pm_h5_attr_double(file, g, "sum_rule_error", c->sum_rule_error, "1");
    if (s == PM_OK) s = pm_h5_attr_double(file, g, "coherent_weight", c->coherent, "1");
    if (s == PM_OK) s = pm_h5_attr_double(file, g, "peak_omega", c->peak_omega, "rad/s");
    if (s == PM_OK) s = pm_h5_attr_double(file, g, "peak_S", c->peak_S, "s/rad");
    if (s == PM_OK) s = pm_h5_attr_double(file, g, "fwhm", c->fwhm, "rad/s");
    if (s == PM_OK) s = pm_h5_attr_int(file, g, "resolved", c->resolved);
    if (s == PM_OK) s = pm_h5_attr_int(file, g, "solves", c->solves);
    if (s == PM_OK) s = pm_h5_attr_double(file, g, "extent", c->extent, "rad/s");
    if (s == PM_OK) s = pm_h5_attr_double(file, g, "dt", c->dt, "1");
    if (s == PM_OK) s = pm_h5_attr_double(file, g, "seconds", c->seconds, "s");
    for (int m = 0; s == PM_OK && m < c->nlines; m++) {
        char name[64];
        snprintf(name, sizeof name, "line%d_centre", m);
        s = pm_h5_attr_double(file, g, name, c->lines[m].centre, "rad/s");
        snprintf(name, sizeof name, "line%d_half_width", m);
        if (s == PM_OK) s = pm_h5_attr_double(file, g, name, c->lines[m].half_width, "1/s");
    }
    return s;
}

/* A curve on its grid: the datasets omega_path and S_path, the line's attributes on S_path. */
static pm_status write_curve(pm_h5file *file, const char *omega_path, const char *S_path, const char *definition,
                             const pm_spectrum_curve *c)
{
    pm_status s = pm_h5_dataset_double(file, omega_path, c->omega, c->n, 0, "rad/s");
    if (s == PM_OK) s = pm_h5_dataset_double(file, S_path, c->S, c->n, 0, "s/rad");
    if (s == PM_OK) s = pm_h5_attr_string(file, S_path, "definition", definition);
    if (s == PM_OK) s = write_line_attrs(file, S_path, c);
    return s;
}

pm_status pm_results_write_spectrum(pm_h5file *file, const pm_correlation_result *r)
{
    pm_status s = PM_OK;
    const char *g = "/spectrum";
    if (r->S_a.n > 0 || r->linewidth_only) {
        if (r->S_a.n > 0)
            s = write_curve(file, "/spectrum/omega", "/spectrum/S_a",
                            "S_a(omega) = int e^{-i omega tau} (<a^dag(tau) a(0)> - |<a>|^2) dtau on /spectrum/omega, "
                            "in the model's frame (attribute frame of /spectrum); int S_a domega/2pi = <n> - |<a>|^2",
                            &r->S_a);
        else /* --linewidth-only: the line's attributes on the group, no curve */
            s = write_line_attrs(file, g, &r->S_a);
        if (s == PM_OK) s = pm_h5_attr_int(file, g, "linewidth_only", r->linewidth_only);
        if (s == PM_OK) s = pm_h5_attr_string(file, g, "frame", r->frame);
        if (s == PM_OK) s = pm_h5_attr_double(file, g, "frame_omega", r->frame_omega, "rad/s");
        if (s == PM_OK) s = pm_h5_attr_double(file, g, "linewidth_fwhm", r->linewidth_fwhm, "rad/s");
        if (s == PM_OK) s = pm_h5_attr_double(file, g, "line_shift", r->line_shift, "rad/s");
        if (s == PM_OK) s = pm_h5_attr_double(file, g, "linewidth_slowest_mode", r->linewidth_slowest_mode, "rad/s");
        if (s == PM_OK) s = pm_h5_attr_double(file, g, "linewidth_fp", r->linewidth_fp, "rad/s");
        if (s == PM_OK) s = pm_h5_attr_double(file, g, "linewidth_reduced", r->linewidth_reduced, "rad/s");
        if (s == PM_OK) s = pm_h5_attr_double(file, g, "sum_rule_error", r->S_a.sum_rule_error, "1");
        if (s == PM_OK) s = pm_h5_attr_int(file, g, "above_threshold", r->above_threshold);
        if (s == PM_OK) s = pm_h5_attr_double(file, g, "S_th", r->S_th, "1");
        if (s == PM_OK) s = pm_h5_attr_int(file, g, "window_lo", r->window_lo);
        if (s == PM_OK) s = pm_h5_attr_int(file, g, "window_hi", r->window_hi);
    }
    if (s == PM_OK && r->S_x.n > 0)
        s = write_curve(file, "/spectrum/omega_x", "/spectrum/S_x",
                        "S_xx(omega) = int e^{-i omega tau} (<x(tau) x(0)> - <x>^2) dtau, x = (a + a^dag)/sqrt(2), "
                        "lab frame, on /spectrum/omega_x; int S_xx domega/2pi = <x^2> - <x>^2",
                        &r->S_x);
    if (s == PM_OK && r->ntau > 0) {
        s = pm_h5_dataset_double(file, "/correlation/tau", r->tau, r->ntau, 0, "s");
        if (s == PM_OK) s = pm_h5_dataset_complex(file, "/correlation/g1", r->g1, r->ntau, 0, "1");
        if (s == PM_OK)
            s = pm_h5_attr_string(file, "/correlation/g1", "definition",
                                  "<a^dag(tau) a(0)> / <n>, model frame (quantum regression, CVODE)");
        if (s == PM_OK) s = pm_h5_dataset_double(file, "/correlation/g2", r->g2, r->ntau, 0, "1");
        if (s == PM_OK)
            s = pm_h5_attr_string(file, "/correlation/g2", "definition",
                                  "<a^dag(0) a^dag(tau) a(tau) a(0)> / <n>^2");
        if (s == PM_OK && r->xx) s = pm_h5_dataset_complex(file, "/correlation/xx", r->xx, r->ntau, 0, "1");
        if (s == PM_OK && r->xx)
            s = pm_h5_attr_string(file, "/correlation/xx", "definition", "<x(tau) x(0)>, lab frame");
        if (s == PM_OK) s = pm_h5_attr_double(file, "/correlation", "n_mean", r->n_mean, "1");
        if (s == PM_OK) s = pm_h5_attr_double(file, "/correlation", "seconds", r->tau_seconds, "s");
    }
    return s;
}
