/* The /map group of the HDF5 result layout (results.h). */
#include "phonomaser/io/results.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

pm_status pm_results_write_map(pm_h5file *file, pm_map_kind kind, const pm_params *base, size_t naxes,
                               const pm_map_axis *axes, const double *values, const double *status,
                               const char *failures)
{
    size_t npoints = pm_map_point_count(naxes, axes), nq = pm_map_quantity_count(kind, base);
    size_t dim0 = axes[0].count, dim1 = naxes > 1 ? axes[1].count : 0;
    double *column = malloc((npoints ? npoints : 1) * sizeof *column);
    if (!column) return pm_error_set(PM_ENOMEM, "out of memory writing a map of %zu points", npoints);
    char keys[80] = "", path[128];
    for (size_t a = 0; a < naxes; a++)
        snprintf(keys + strlen(keys), sizeof keys - strlen(keys), "%s%s", a ? "," : "", axes[a].key);
    size_t failed = 0, missing = 0;
    for (size_t k = 0; k < npoints; k++) {
        if (isnan(status[k])) missing++;
        else if (status[k] != 0) failed++;
    }
    pm_status s = pm_h5_attr_string(file, "/map", "kind", pm_map_kind_name(kind));
    if (s == PM_OK) s = pm_h5_attr_string(file, "/map", "axes", keys);
    if (s == PM_OK) s = pm_h5_attr_int(file, "/map", "points", (int64_t)npoints);
    if (s == PM_OK) s = pm_h5_attr_int(file, "/map", "failed", (int64_t)failed);
    if (s == PM_OK) s = pm_h5_attr_int(file, "/map", "not_computed", (int64_t)missing);
    if (s == PM_OK)
        s = pm_h5_attr_string(file, "/map", "layout",
                              "/map/<quantity>[i0][i1]: the point with the first axis at i0, the second at i1 "
                              "(dimension scales /map/axes/<key>); status 0: ok, a phonomaser status code: "
                              "failed (messages in the attribute failures), NaN: not computed");
    if (s == PM_OK && failures && failures[0]) s = pm_h5_attr_string(file, "/map", "failures", failures);
    for (size_t a = 0; a < naxes && s == PM_OK; a++) {
        snprintf(path, sizeof path, "/map/axes/%s", axes[a].key);
        const char *unit = pm_params_key_unit(axes[a].key);
        s = pm_h5_dataset_double(file, path, axes[a].values, axes[a].count, 0, unit ? unit : "1");
        if (s == PM_OK) s = pm_h5_attr_string(file, path, "spec", axes[a].spec ? axes[a].spec : "");
    }
    /* status, then every quantity, each with the axes attached */
    for (size_t q = 0; q <= nq && s == PM_OK; q++) {
        const char *name = q == 0 ? "status" : pm_map_quantity_name(kind, base, q - 1);
        snprintf(path, sizeof path, "/map/%s", name);
        for (size_t k = 0; k < npoints; k++) column[k] = q == 0 ? status[k] : values[k * nq + q - 1];
        s = pm_h5_dataset_double(file, path, column, dim0, dim1, q == 0 ? "1" : pm_map_quantity_unit(kind, base, q - 1));
        for (size_t a = 0; a < naxes && s == PM_OK; a++) {
            char scale[128];
            snprintf(scale, sizeof scale, "/map/axes/%s", axes[a].key);
            s = pm_h5_dimension_scale(file, path, (unsigned)a, scale, axes[a].key);
        }
    }
    free(column);
    return s;
}

double pm_results_map_idle_fraction(int ranks, int threads_per_rank, double seconds, const double *busy)
{
    double total = 0;
    for (int r = 0; r < ranks; r++) total += busy[2 * r];
    double capacity = (double)ranks * (double)threads_per_rank * seconds;
    return capacity > 0 ? 1 - total / capacity : NAN;
}

pm_status pm_results_write_map_timing(pm_h5file *file, int ranks, int threads_per_rank, double seconds,
                                      const double *busy)
{
    double *column = malloc((ranks > 0 ? (size_t)ranks : 1) * sizeof *column);
    if (!column) return pm_error_set(PM_ENOMEM, "out of memory writing /map_timing");
    pm_status s = PM_OK;
    for (int part = 0; part < 2 && s == PM_OK; part++) {
        for (int r = 0; r < ranks; r++) column[r] = busy[2 * r + part];
        s = pm_h5_dataset_double(file, part ? "/map_timing/cpu_seconds" : "/map_timing/busy_seconds", column,
                                 (size_t)ranks, 0, "s");
    }
    free(column);
    if (s == PM_OK) s = pm_h5_attr_int(file, "/map_timing", "ranks", ranks);
    if (s == PM_OK) s = pm_h5_attr_int(file, "/map_timing", "threads_per_rank", threads_per_rank);
    if (s == PM_OK) s = pm_h5_attr_int(file, "/map_timing", "workers", (int64_t)ranks * threads_per_rank);
    if (s == PM_OK) s = pm_h5_attr_double(file, "/map_timing", "seconds", seconds, "s");
    if (s == PM_OK)
        s = pm_h5_attr_double(file, "/map_timing", "idle_fraction",
                              pm_results_map_idle_fraction(ranks, threads_per_rank, seconds, busy), "1");
    return s;
}
