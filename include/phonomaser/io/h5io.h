/* HDF5 result files.
 *
 * A file is written under a temporary name (<path>.tmp.<pid>) and renamed to
 * <path> by pm_h5_close(..., complete = 1), so an interrupted run never leaves
 * a file that looks finished.  pm_h5_close(..., complete = 0) renames it too
 * but marks the root attribute `complete` = 0 (partial results of an
 * interrupted run); pm_h5_abort() deletes the temporary file.
 *
 * pm_h5_create() also writes the root attributes `creator` ("phonomaser
 * <version>"), `created` (ISO-8601 UTC, e.g. "2024-05-01T12:00:00Z") and the
 * provenance: `schema_version` (PM_H5_SCHEMA_VERSION), `source_revision`,
 * `sundials_version`, `suitesparse_version`, `arpack_version`,
 * `hdf5_version` (version.h).
 *
 * Paths name groups and datasets inside the file ("/steady/p_n"); missing
 * parent groups are created.  Writing an attribute or dataset that already
 * exists replaces it.  Strings are variable-length UTF-8 (h5py reads str),
 * reals IEEE double, integers int64, complex data the compound type
 * {double r; double i} that h5py reads as complex128.  Datasets above 64 KiB
 * are chunked and compressed (shuffle + deflate 4).
 *
 * The file is built in memory and written to the disk by pm_h5_close, so a
 * disk error (full disk, quota, file size limit) is one PM_EIO from
 * pm_h5_close that names the file and the reason ("No space left on device
 * (the disk is full)"); the temporary file is then removed and an existing
 * <path> is left as it was.
 *
 * Every HDF5 failure returns PM_EIO with a message naming the file and the
 * object; HDF5's own error printing is silenced during each call. */
#ifndef PHONOMASER_H5IO_H
#define PHONOMASER_H5IO_H

#include <stddef.h>
#include <stdint.h>

#include "phonomaser/core/complex_type.h"
#include "phonomaser/core/error.h"

/* The version of the result layout (README "HDF5 layout"): raised whenever
 * a group, dataset or attribute changes name or meaning, so readers can
 * tell.  2: the provenance attributes, /parameters sweep_key, sweep_values
 * and N_values, N_mode "unused"; 1: files without schema_version. */
#define PM_H5_SCHEMA_VERSION 2

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pm_h5file pm_h5file;

/* Check, before any work, that <path> can be written: it is not a directory
 * or other non-regular file, and its directory takes a new file (a probe
 * temporary file is created and removed).  Also removes the temporary files
 * <path>.tmp.<pid> of processes that no longer exist (interrupted by
 * SIGKILL, a crash or a power cut); *stale_removed (may be NULL) counts
 * them.  PM_EIO names the file and the reason.  Works for any file written
 * under a temporary name and renamed, not only HDF5. */
pm_status pm_h5_check_output(const char *path, size_t *stale_removed);

/* Create <path>.tmp.<pid> (a missing or read-only directory, or a <path>
 * that is a directory, gives PM_EIO and no file). */
pm_status pm_h5_create(const char *path, pm_h5file **out);
/* Finish: write root attribute complete = 1/0, write the file to the disk
 * (fsync), rename into place.  Frees the handle in every case.  If only the
 * rename fails, the temporary file is kept and named in the message; other
 * failures (a full disk among them) delete it.  On a
 * handle from pm_h5_open_read() it just closes (complete is ignored). */
pm_status pm_h5_close(pm_h5file *file, int complete);
/* Close and delete the temporary file; frees the handle (NULL is a no-op). */
void pm_h5_abort(pm_h5file *file);

/* Attributes on a group or dataset `object` ("/" is the root; created as a
 * group if absent).  pm_h5_attr_double with unit != NULL also writes the
 * string attribute "<name>_unit" = unit next to it. */
pm_status pm_h5_attr_double(pm_h5file *file, const char *object, const char *name,
                            double value, const char *unit);
pm_status pm_h5_attr_int(pm_h5file *file, const char *object, const char *name, int64_t value);
pm_status pm_h5_attr_string(pm_h5file *file, const char *object, const char *name,
                            const char *value);

/* Datasets of rank 1 (dim1 == 0) or 2 (row-major, dim0 x dim1), with a
 * string attribute `unit` when unit != NULL: pass "1" for dimensionless
 * quantities, NULL only for pure index arrays. */
pm_status pm_h5_dataset_double(pm_h5file *file, const char *path, const double *data,
                               size_t dim0, size_t dim1, const char *unit);
pm_status pm_h5_dataset_complex(pm_h5file *file, const char *path, const pm_complex *data,
                                size_t dim0, size_t dim1, const char *unit);
pm_status pm_h5_dataset_int(pm_h5file *file, const char *path, const int64_t *data,
                            size_t dim0, const char *unit);

/* Readers (for --resume and for `phonomaser wigner --state FILE`). */
/* Make dataset `scale` (1-D) a dimension scale named `label` (HDF5's H5DS:
 * h5py shows it as dataset.dims[dim]) and attach it to dimension `dim` of
 * `dataset`, labelled `label` too. */
pm_status pm_h5_dimension_scale(pm_h5file *file, const char *dataset, unsigned dim, const char *scale,
                                const char *label);

pm_status pm_h5_open_read(const char *path, pm_h5file **out);
/* *exists = 1 if the group or dataset `path` exists, else 0. */
pm_status pm_h5_exists(pm_h5file *file, const char *path, int *exists);
/* Size of a rank-1 dataset, or total elements of a rank-2 one. */
pm_status pm_h5_dataset_size(pm_h5file *file, const char *path, size_t *count);
/* Read a whole dataset into data (pm_h5_dataset_size elements); integer
 * data convert to double, a wrong type class gives PM_EIO. */
pm_status pm_h5_read_double(pm_h5file *file, const char *path, double *data);
pm_status pm_h5_read_complex(pm_h5file *file, const char *path, pm_complex *data);
pm_status pm_h5_read_int(pm_h5file *file, const char *path, int64_t *data);
/* Scalar attributes; an integer attribute also reads as double. */
pm_status pm_h5_read_attr_double(pm_h5file *file, const char *object, const char *name, double *value);
pm_status pm_h5_read_attr_int(pm_h5file *file, const char *object, const char *name, int64_t *value);

#ifdef __cplusplus
}
#endif

#endif
