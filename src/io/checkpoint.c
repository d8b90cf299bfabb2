/* Checkpoint files of pm_mesolve (checkpoint.h). */
#include "phonomaser/io/checkpoint.h"

#include <errno.h>
#include <hdf5.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phonomaser/io/h5io.h"

/* ------------------------------------------------------------------ write */

/* The linear observables of a series as columns (for datasets). */
enum { COL_TRACE, COL_N, COL_N2, COL_SZ, COL_TAIL, NCOLS };
static const char *const column_names[NCOLS] = {"trace", "n_mean", "n2_mean", "sz_mean", "tail_population"};

static double column_value(const pm_linear_observables *o, int c)
{
    switch (c) {
    case COL_TRACE: return o->trace;
    case COL_N: return o->n_mean;
    case COL_N2: return o->n2_mean;
    case COL_SZ: return o->sz_mean;
    default: return o->tail_population;
    }
}

static void column_store(pm_linear_observables *o, int c, double v)
{
    switch (c) {
    case COL_TRACE: o->trace = v; break;
    case COL_N: o->n_mean = v; break;
    case COL_N2: o->n2_mean = v; break;
    case COL_SZ: o->sz_mean = v; break;
    default: o->tail_population = v; break;
    }
}

static pm_status write_block(pm_h5file *file, const pm_checkpoint *cp, size_t b, double *column,
                             double complex *ccolumn)
{
    const pm_checkpoint_block *blk = &cp->blocks[b];
    char group[64], path[128];
    snprintf(group, sizeof group, "/blocks/%zu", b);
    pm_status s = pm_h5_attr_int(file, group, "sector", blk->sector);
    if (s == PM_OK) s = pm_h5_attr_int(file, group, "size", blk->size);
    if (s == PM_OK) s = pm_h5_attr_int(file, group, "reached", (int64_t)blk->reached);
    snprintf(path, sizeof path, "%s/x", group);
    if (s == PM_OK) s = pm_h5_dataset_complex(file, path, blk->x, (size_t)blk->size, 0, "1");
    for (int c = 0; c < NCOLS && s == PM_OK; c++) {
        for (size_t k = 0; k < blk->reached; k++) column[k] = column_value(&blk->series[k], c);
        snprintf(path, sizeof path, "%s/%s", group, column_names[c]);
        s = pm_h5_dataset_double(file, path, column, blk->reached, 0, "1");
    }
    for (size_t k = 0; k < blk->reached; k++) ccolumn[k] = blk->series[k].a_mean;
    snprintf(path, sizeof path, "%s/a_mean", group);
    if (s == PM_OK) s = pm_h5_dataset_complex(file, path, ccolumn, blk->reached, 0, "1");
    for (size_t k = 0; k < blk->reached; k++) ccolumn[k] = blk->series[k].a2_mean;
    snprintf(path, sizeof path, "%s/a2_mean", group);
    if (s == PM_OK) s = pm_h5_dataset_complex(file, path, ccolumn, blk->reached, 0, "1");
    return s;
}

/* The combined series (sums over blocks) at the complete outputs, for readers. */
static pm_status write_series(pm_h5file *file, const pm_checkpoint *cp, size_t next, double *column,
                              double complex *ccolumn)
{
    pm_status s = pm_h5_dataset_double(file, "/series/t", cp->times, next, 0, "s");
    double *n = malloc((next ? next : 1) * sizeof *n), *n2 = malloc((next ? next : 1) * sizeof *n2);
    if (!n || !n2) s = pm_error_set(PM_ENOMEM, "checkpoint: out of memory");
    for (int c = 0; c < NCOLS && s == PM_OK; c++) {
        for (size_t k = 0; k < next; k++) {
            column[k] = 0;
            for (size_t b = 0; b < cp->nblocks; b++) column[k] += column_value(&cp->blocks[b].series[k], c);
            if (c == COL_N) n[k] = column[k];
            if (c == COL_N2) n2[k] = column[k];
        }
        char path[64];
        snprintf(path, sizeof path, "/series/%s", column_names[c]);
        s = pm_h5_dataset_double(file, path, column, next, 0, "1");
    }
    if (s == PM_OK) {
        for (size_t k = 0; k < next; k++) column[k] = pm_g2_from_moments(n[k], n2[k]);
        s = pm_h5_dataset_double(file, "/series/g2", column, next, 0, "1");
    }
    for (size_t k = 0; k < next && s == PM_OK; k++) {
        ccolumn[k] = 0;
        for (size_t b = 0; b < cp->nblocks; b++) ccolumn[k] += cp->blocks[b].series[k].a_mean;
    }
    if (s == PM_OK) s = pm_h5_dataset_complex(file, "/series/a_mean", ccolumn, next, 0, "1");
    free(n), free(n2);
    return s;
}

pm_status pm_checkpoint_write(const char *path, const pm_checkpoint *cp)
{
    if (!path || !cp) return pm_error_set(PM_EINVAL, "checkpoint: missing file name or data");
    size_t next = pm_checkpoint_next_index(cp);
    double *column = malloc(cp->ntimes * sizeof *column);
    double complex *ccolumn = malloc(cp->ntimes * sizeof *ccolumn);
    if (!column || !ccolumn) {
        free(column), free(ccolumn);
        return pm_error_set(PM_ENOMEM, "checkpoint: out of memory for %zu output times", cp->ntimes);
    }
    pm_h5file *file = NULL;
    pm_status s = pm_h5_create(path, &file);
    if (s == PM_OK) s = pm_h5_attr_string(file, "/", "format", PM_CHECKPOINT_FORMAT);
    if (s == PM_OK) s = pm_h5_attr_int(file, "/", "format_version", PM_CHECKPOINT_VERSION);
    if (s == PM_OK) s = pm_h5_attr_string(file, "/", "config", cp->config ? cp->config : "");
    if (s == PM_OK) s = pm_h5_attr_int(file, "/", "N", cp->N);
    if (s == PM_OK) s = pm_h5_attr_string(file, "/", "path", pm_path_name(cp->path));
    if (s == PM_OK) s = pm_h5_attr_int(file, "/", "ntimes", (int64_t)cp->ntimes);
    if (s == PM_OK) s = pm_h5_attr_int(file, "/", "nblocks", (int64_t)cp->nblocks);
    if (s == PM_OK) s = pm_h5_attr_int(file, "/", "next_index", (int64_t)next);
    if (s == PM_OK) s = pm_h5_attr_double(file, "/", "t_reached", next ? cp->times[next - 1] : cp->times[0], "s");
    if (s == PM_OK) s = pm_h5_dataset_double(file, "/times", cp->times, cp->ntimes, 0, "s");
    if (s == PM_OK) s = write_series(file, cp, next, column, ccolumn);
    for (size_t b = 0; b < cp->nblocks && s == PM_OK; b++) s = write_block(file, cp, b, column, ccolumn);
    free(column), free(ccolumn);
    if (s == PM_OK) return pm_h5_close(file, 1);
    pm_h5_abort(file);
    return s;
}

/* ------------------------------------------------------------------- read */

/* A string attribute of the root group (h5io.h has no string reader). */
static pm_status read_root_string(const char *path, const char *name, char **out)
{
    *out = NULL;
    H5E_auto2_t func;
    void *data;
    H5Eget_auto2(H5E_DEFAULT, &func, &data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    pm_status s = PM_OK;
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        s = pm_error_set(PM_EIO, "cannot read checkpoint '%s': %s", PM_EXCERPT(path), strerror(errno));
        H5Eset_auto2(H5E_DEFAULT, func, data);
        return s;
    }
    fclose(probe);
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t attr = file >= 0 ? H5Aopen(file, name, H5P_DEFAULT) : -1;
    hid_t type = attr >= 0 ? H5Aget_type(attr) : -1;
    hid_t space = attr >= 0 ? H5Aget_space(attr) : -1;
    hid_t memtype = H5Tcopy(H5T_C_S1);
    if (file < 0) {
        s = pm_error_set(PM_EIO, "'%s' is not an HDF5 file (not a phonomaser checkpoint)", PM_EXCERPT(path));
    } else if (type < 0 || space < 0 || memtype < 0 || H5Tget_class(type) != H5T_STRING ||
        H5Sget_simple_extent_npoints(space) != 1) {
        s = pm_error_set(PM_EIO, "checkpoint '%s': no string attribute '%s' (not a phonomaser "
                         "checkpoint?)", PM_EXCERPT(path), name);
    } else if (H5Tis_variable_str(type) > 0) {
        char *text = NULL;
        if (H5Tset_size(memtype, H5T_VARIABLE) < 0 || H5Tset_cset(memtype, H5Tget_cset(type)) < 0 ||
            H5Aread(attr, memtype, &text) < 0)
            s = pm_error_set(PM_EIO, "checkpoint '%s': cannot read attribute '%s'", PM_EXCERPT(path), name);
        else if (!(*out = strdup(text ? text : "")))
            s = pm_error_set(PM_ENOMEM, "checkpoint: out of memory");
        if (text) H5free_memory(text);
    } else {
        size_t size = H5Tget_size(type);
        char *text = calloc(size + 1, 1);
        if (!text)
            s = pm_error_set(PM_ENOMEM, "checkpoint: out of memory");
        else if (H5Tset_size(memtype, size) < 0 || H5Tset_cset(memtype, H5Tget_cset(type)) < 0 ||
                 H5Aread(attr, memtype, text) < 0) {
            free(text);
            s = pm_error_set(PM_EIO, "checkpoint '%s': cannot read attribute '%s'", PM_EXCERPT(path), name);
        } else {
            *out = text;
        }
    }
    if (memtype >= 0) H5Tclose(memtype);
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    if (attr >= 0) H5Aclose(attr);
    if (file >= 0) H5Fclose(file);
    H5Eclear2(H5E_DEFAULT);
    H5Eset_auto2(H5E_DEFAULT, func, data);
    return s;
}

/* A rank-1 dataset that must hold exactly `count` elements. */
static pm_status expect_size(pm_h5file *file, const char *path, const char *where, size_t count)
{
    size_t n = 0;
    pm_status s = pm_h5_dataset_size(file, path, &n);
    if (s == PM_OK && n != count)
        s = pm_error_set(PM_EINVAL, "checkpoint '%s': %s holds %zu values, expected %zu", PM_EXCERPT(where), path, n, count);
    return s;
}

static pm_status read_block(pm_h5file *file, const char *where, pm_checkpoint_block *blk, size_t b,
                            size_t ntimes, double *column, double complex *ccolumn)
{
    char group[64], path[128];
    snprintf(group, sizeof group, "/blocks/%zu", b);
    int64_t reached = -1;
    pm_status s = pm_h5_read_attr_int(file, group, "sector", &blk->sector);
    if (s == PM_OK) s = pm_h5_read_attr_int(file, group, "reached", &reached);
    if (s == PM_OK && (reached < 0 || (uint64_t)reached > ntimes))
        s = pm_error_set(PM_EINVAL, "checkpoint '%s': block %zu reached output %" PRId64 " of %zu", PM_EXCERPT(where), b,
                         reached, ntimes);
    if (s != PM_OK) return s;
    blk->reached = (size_t)reached;
    snprintf(path, sizeof path, "%s/x", group);
    s = expect_size(file, path, where, (size_t)blk->size);
    if (s == PM_OK) s = pm_h5_read_complex(file, path, blk->x);
    for (int c = 0; c < NCOLS && s == PM_OK; c++) {
        snprintf(path, sizeof path, "%s/%s", group, column_names[c]);
        s = expect_size(file, path, where, blk->reached);
        if (s == PM_OK && blk->reached) s = pm_h5_read_double(file, path, column);
        for (size_t k = 0; k < blk->reached && s == PM_OK; k++) column_store(&blk->series[k], c, column[k]);
    }
    snprintf(path, sizeof path, "%s/a_mean", group);
    if (s == PM_OK) s = expect_size(file, path, where, blk->reached);
    if (s == PM_OK && blk->reached) s = pm_h5_read_complex(file, path, ccolumn);
    for (size_t k = 0; k < blk->reached && s == PM_OK; k++) blk->series[k].a_mean = ccolumn[k];
    /* <a^2> (absent from checkpoints written before it existed: then 0) */
    snprintf(path, sizeof path, "%s/a2_mean", group);
    int has_a2 = 0;
    if (s == PM_OK) s = pm_h5_exists(file, path, &has_a2);
    if (s == PM_OK && has_a2) s = expect_size(file, path, where, blk->reached);
    if (s == PM_OK && has_a2 && blk->reached) s = pm_h5_read_complex(file, path, ccolumn);
    for (size_t k = 0; k < blk->reached && s == PM_OK && has_a2; k++) blk->series[k].a2_mean = ccolumn[k];
    for (int64_t p = 0; p < blk->size && s == PM_OK; p++)
        if (!isfinite(creal(blk->x[p])) || !isfinite(cimag(blk->x[p])))
            s = pm_error_set(PM_EINVAL, "checkpoint '%s': block %zu element %" PRId64 " is not finite", PM_EXCERPT(where), b, p);
    return s;
}

pm_status pm_checkpoint_read(const char *path, pm_checkpoint **out)
{
    *out = NULL;
    if (!path) return pm_error_set(PM_EINVAL, "checkpoint: missing file name");
    char *format = NULL, *config = NULL, *path_name = NULL;
    pm_status s = read_root_string(path, "format", &format);
    if (s == PM_OK && strcmp(format, PM_CHECKPOINT_FORMAT) != 0)
        s = pm_error_set(PM_EIO, "'%s' is not a phonomaser checkpoint (format '%.40s')", PM_EXCERPT(path), format);
    if (s == PM_OK) s = read_root_string(path, "config", &config);
    if (s == PM_OK) s = read_root_string(path, "path", &path_name);
    free(format);
    pm_h5file *file = NULL;
    if (s == PM_OK) s = pm_h5_open_read(path, &file);
    int64_t version = 0, N = 0, ntimes = 0, nblocks = 0;
    if (s == PM_OK) s = pm_h5_read_attr_int(file, "/", "format_version", &version);
    if (s == PM_OK && version != PM_CHECKPOINT_VERSION)
        s = pm_error_set(PM_EIO, "checkpoint '%s': format version %" PRId64 ", this phonomaser reads %d", PM_EXCERPT(path),
                         version, PM_CHECKPOINT_VERSION);
    if (s == PM_OK) s = pm_h5_read_attr_int(file, "/", "N", &N);
    if (s == PM_OK) s = pm_h5_read_attr_int(file, "/", "ntimes", &ntimes);
    if (s == PM_OK) s = pm_h5_read_attr_int(file, "/", "nblocks", &nblocks);
    pm_path solver_path = PM_PATH_AUTO;
    if (s == PM_OK) {
        if (!pm_path_from_name(path_name, &solver_path) || solver_path == PM_PATH_AUTO)
            s = pm_error_set(PM_EINVAL, "checkpoint '%s': path '%.20s' (want sector or full)", PM_EXCERPT(path), path_name);
    }
    if (s == PM_OK && (N < 2 || ntimes < 1 || ntimes > (int64_t)1e9 || nblocks < 1 || nblocks > PM_STATE_MAX_BLOCKS))
        s = pm_error_set(PM_EINVAL, "checkpoint '%s': N = %" PRId64 ", ntimes = %" PRId64 ", nblocks = %" PRId64
                         " out of range", PM_EXCERPT(path), N, ntimes, nblocks);
    int64_t *sizes = NULL;
    if (s == PM_OK && !(sizes = calloc((size_t)nblocks, sizeof *sizes)))
        s = pm_error_set(PM_ENOMEM, "checkpoint: out of memory");
    for (int64_t b = 0; b < nblocks && s == PM_OK; b++) {
        char group[64];
        snprintf(group, sizeof group, "/blocks/%" PRId64, b);
        s = pm_h5_read_attr_int(file, group, "size", &sizes[b]);
        /* a block has at most d^2 = 4 N^2 elements */
        if (s == PM_OK && (sizes[b] < 1 || (double)sizes[b] > 4.0 * (double)N * (double)N))
            s = pm_error_set(PM_EINVAL, "checkpoint '%s': block %" PRId64 " size %" PRId64 " out of range", PM_EXCERPT(path),
                             b, sizes[b]);
    }
    /* a hostile file declares counts far beyond its data: the counts must
     * match the datasets, and the whole must fit in memory (a dataset may be
     * declared larger than its file, HDF5 fills it on reading), before any
     * of it is allocated */
    if (s == PM_OK) s = expect_size(file, "/times", path, (size_t)ntimes);
    double need = 0.0;
    for (int64_t b = 0; b < nblocks && s == PM_OK; b++) {
        char x[80];
        snprintf(x, sizeof x, "/blocks/%" PRId64 "/x", b);
        s = expect_size(file, x, path, (size_t)sizes[b]);
        need += (double)sizes[b] * sizeof(double complex) +
                (double)ntimes * sizeof(((pm_checkpoint_block *)0)->series[0]);
    }
    need += (double)ntimes * (sizeof(double) * 2 + sizeof(double complex));
    if (s == PM_OK && need > pm_memory_available())
        s = pm_error_set(PM_ETOOLARGE, "checkpoint '%s': its %" PRId64 " output times and %" PRId64 " blocks need about "
                         "%.3g GB, more than the %.3g GB available", PM_EXCERPT(path), ntimes, nblocks, need / 1e9,
                         pm_memory_available() / 1e9);
    pm_checkpoint *cp = NULL;
    if (s == PM_OK)
        s = pm_checkpoint_alloc(N, solver_path, (size_t)ntimes, NULL, (size_t)nblocks, sizes, config, &cp);
    free(sizes);
    if (s == PM_OK) s = pm_h5_read_double(file, "/times", cp->times);
    for (size_t k = 0; k < (s == PM_OK ? cp->ntimes : 0); k++)
        if (!isfinite(cp->times[k]) || (k && !(cp->times[k] > cp->times[k - 1])))
            s = pm_error_set(PM_EINVAL, "checkpoint '%s': /times is not finite and increasing at %zu", PM_EXCERPT(path), k);
    double *column = NULL;
    double complex *ccolumn = NULL;
    if (s == PM_OK && (!(column = malloc(cp->ntimes * sizeof *column)) ||
                       !(ccolumn = malloc(cp->ntimes * sizeof *ccolumn))))
        s = pm_error_set(PM_ENOMEM, "checkpoint: out of memory");
    for (size_t b = 0; s == PM_OK && b < cp->nblocks; b++)
        s = read_block(file, path, &cp->blocks[b], b, cp->ntimes, column, ccolumn);
    free(column), free(ccolumn);
    free(config), free(path_name);
    if (file) pm_h5_close(file, 0);
    if (s != PM_OK) {
        pm_checkpoint_free(cp);
        return s;
    }
    *out = cp;
    return PM_OK;
}
