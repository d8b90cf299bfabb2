/* An append-only journal of finished points, so that a long run (a map)
 * loses nothing when it dies (SIGINT, SIGTERM, SIGKILL, a killed MPI rank, a
 * full disk, a power cut) and can resume: each record is one line, written
 * to the file (flushed to the kernel: a killed process loses none) as its
 * point finishes, and fsync'ed when PM_JOURNAL_SYNC_SECONDS have passed since
 * the last fsync, and at close (a power cut loses at most the records of the
 * last second).  An fsync per record cost 4 ms on the test machine, 16 % of a
 * one-thread JC map of 20 ms points, and blocked the MPI coordinator, which
 * journals the other ranks' results, while those ranks waited for their next
 * point.  The file starts with the caller's
 * header (free text: what the run was, to check a resume against and to
 * rebuild it from), then holds one record per finished point:
 *     phonomaser-journal 1
 *     header <bytes>
 *     <header text>
 *     p <index> <value 1> ... <value nvalues>    (%.17g: exact round trip)
 * A record cut short by a crash (the last line, without its newline or with
 * fewer values) is ignored when reading; a later record of the same index
 * replaces an earlier one. */
#ifndef PHONOMASER_JOURNAL_H
#define PHONOMASER_JOURNAL_H

#include <stddef.h>

#include "phonomaser/core/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pm_journal pm_journal;

#define PM_JOURNAL_SYNC_SECONDS 1.0

/* Create `path` (replacing it) with the header; PM_EIO names the file. */
pm_status pm_journal_create(const char *path, const char *header, pm_journal **out);
/* Open an existing journal to append to (after pm_journal_read). */
pm_status pm_journal_open_append(const char *path, pm_journal **out);
/* Append the record of point `index`, flushed to the kernel, fsync'ed if the
 * last fsync is PM_JOURNAL_SYNC_SECONDS old (PM_EIO: disk full, ...). */
pm_status pm_journal_append(pm_journal *journal, size_t index, size_t nvalues, const double *values);
/* fsync what is not yet and close (PM_EIO if the last writes failed). */
pm_status pm_journal_close(pm_journal *journal);

/* Read `path`: *header (malloc'ed), and for each complete record with
 * index < npoints and exactly nvalues values: done[index] = 1 and its values
 * into values[index * nvalues ...].  PM_EIO: the file cannot be read or is
 * not a journal (the message says which). */
pm_status pm_journal_read(const char *path, char **header, size_t npoints, size_t nvalues, double *values,
                          unsigned char *done);

#ifdef __cplusplus
}
#endif

#endif
