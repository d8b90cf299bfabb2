/* HDF5 result files.
 *
 * A file is written under a temporary name (<path>.tmp.<pid>) and renamed to
 * <path> by pm_h5_close(..., complete = 1), so an interrupted run never leaves
 * a file that looks finished.  pm_h5_close(..., complete = 0) renames it too
 * but marks the root attribute `complete` = 0 (partial results of an
 * interrupted run); pm_h5_abort() deletes the temporary file.
 *
 * Paths name groups and datasets inside the file ("/steady/p_n"); missing
 * parent groups are created.  Every dataset carries a `unit` attribute.
 * Complex data use the compound type {r, i} that h5py reads as complex128. */
#ifndef PHONOMASER_H5IO_H
#define PHONOMASER_H5IO_H

#include <complex.h>
#include <stddef.h>
#include <stdint.h>

#include "phonomaser/error.h"

typedef struct pm_h5file pm_h5file;

pm_status pm_h5_create(const char *path, pm_h5file **out);
/* Finish: write root attribute complete = 1/0, close, rename into place. */
pm_status pm_h5_close(pm_h5file *file, int complete);
/* Close and delete the temporary file. */
void pm_h5_abort(pm_h5file *file);

/* Attributes on a group or dataset `object` (created as a group if absent). */
pm_status pm_h5_attr_double(pm_h5file *file, const char *object, const char *name,
                            double value, const char *unit);
pm_status pm_h5_attr_int(pm_h5file *file, const char *object, const char *name, int64_t value);
pm_status pm_h5_attr_string(pm_h5file *file, const char *object, const char *name,
                            const char *value);

/* Datasets of rank 1 (dims[1] == 0) or 2, with a `unit` attribute. */
pm_status pm_h5_dataset_double(pm_h5file *file, const char *path, const double *data,
                               size_t dim0, size_t dim1, const char *unit);
pm_status pm_h5_dataset_complex(pm_h5file *file, const char *path, const double complex *data,
                                size_t dim0, size_t dim1, const char *unit);
pm_status pm_h5_dataset_int(pm_h5file *file, const char *path, const int64_t *data,
                            size_t dim0, const char *unit);

/* Readers (for --resume and for `phonomaser wigner --state FILE`). */
pm_status pm_h5_open_read(const char *path, pm_h5file **out);
/* Size of a rank-1 dataset, or total elements of a rank-2 one. */
pm_status pm_h5_dataset_size(pm_h5file *file, const char *path, size_t *count);
pm_status pm_h5_read_double(pm_h5file *file, const char *path, double *data);
pm_status pm_h5_read_complex(pm_h5file *file, const char *path, double complex *data);
pm_status pm_h5_read_int(pm_h5file *file, const char *path, int64_t *data);
pm_status pm_h5_read_attr_double(pm_h5file *file, const char *object, const char *name, double *value);

#endif
