/* Status codes and the per-thread error message of phonomaser.
 *
 * Every library function that can fail returns a pm_status.  On failure it
 * also stores a one-line message (what was wrong, the allowed range, and for
 * solver failures the solver's own diagnostic) that pm_error_message()
 * returns until the next failure in the same thread.  The library never
 * prints and never calls exit(). */
#ifndef PHONOMASER_ERROR_H
#define PHONOMASER_ERROR_H

#include <stddef.h>

typedef enum {
    PM_OK = 0,
    PM_EINVAL = 1,     /* invalid input: parameter, key, value, option */
    PM_ENOMEM = 2,     /* an allocation failed */
    PM_ESOLVER = 3,    /* a numerical solver failed (CVODE, ARPACK, UMFPACK, KLU) */
    PM_EIO = 4,        /* file could not be read or written */
    PM_EINTERRUPT = 5, /* stopped by a signal (SIGINT/SIGTERM) */
    PM_ESYMMETRY = 6,  /* a model term breaks the excitation-number symmetry */
    PM_ENUMERIC = 7,   /* a NaN/Inf or a failed health check in a result */
    PM_ETOOLARGE = 8   /* refused before any allocation: the memory estimate of the run
                          exceeds the memory available (drivers/solve.h) */
} pm_status;

/* A stop request shared with long-running calls (evolution, steady state,
 * convergence ladders, sweeps, Langevin runs, Wigner grids): the caller sets
 * it to nonzero, from a signal handler or another thread, and the call
 * returns PM_EINTERRUPT at its next check (each header says how often it
 * checks).  One lock-free atomic int: storing to it is async-signal-safe
 * (C11 7.14.1.1) and every thread sees the store.  Options take a
 * `const pm_stop_flag *` (NULL: never stop). */
#ifdef __cplusplus
#include <atomic>
typedef std::atomic<int> pm_stop_flag;
#else
#include <stdatomic.h>
typedef atomic_int pm_stop_flag;
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* nonzero if stop is set (stop may be NULL) */
#define PM_STOP_REQUESTED(stop) ((stop) != NULL && atomic_load(stop) != 0)

/* Record a failure: formats the message (printf-style) and returns status. */
pm_status pm_error_set(pm_status status, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* The last message recorded in this thread ("" if none). */
const char *pm_error_message(void);

/* Clear the message of this thread. */
void pm_error_clear(void);

/* Short name of a status code, e.g. "invalid input". */
const char *pm_status_name(pm_status status);

/* ---- user text quoted in messages ----
 * Every message that echoes user text (a value, a key, a list, a file name,
 * a command or option name) quotes it through pm_text_excerpt, so that a
 * 100 kB argument gives a short line that keeps the key, the allowed range
 * and the hint: at most PM_EXCERPT_MAX bytes, a longer text as its first 57
 * and last 20 bytes around "..." (cut at UTF-8 character boundaries).
 * Control characters are escaped where the message is printed. */
#define PM_EXCERPT_MAX 80
#define PM_EXCERPT_SIZE (PM_EXCERPT_MAX + 1)
/* The excerpt of `text` ("(null)" for NULL) in `buf` (at least
 * PM_EXCERPT_SIZE bytes); returns buf. */
const char *pm_text_excerpt(const char *text, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#ifndef __cplusplus
/* The excerpt in a buffer that lives until the end of the enclosing block
 * (a C11 compound literal): pm_error_set(..., "'%s'", PM_EXCERPT(text)). */
#define PM_EXCERPT(text) pm_text_excerpt((text), (char[PM_EXCERPT_SIZE]){0}, PM_EXCERPT_SIZE)
#endif

#endif
