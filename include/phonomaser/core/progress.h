/* Progress of long runs, reported through a callback (the SUNDIALS monitor
 * pattern): the library never prints.  A run calls `report` with the
 * fraction of its work done, a short detail ("t = 3 s / 20 s", "4 of 31
 * sweep points") and done = 1 once at the end; reports are rate-limited to
 * ten a second (the final one always goes through).  The command line
 * passes a function that draws a bar on stderr (src/cli/progress_bar.c);
 * a C or Python caller passes its own, or none. */
#ifndef PHONOMASER_PROGRESS_H
#define PHONOMASER_PROGRESS_H

#ifdef __cplusplus
extern "C" {
#endif

/* fraction in [0, 1]; detail may be NULL; done = 1: the last report. */
typedef void (*pm_progress_fn)(void *user, double fraction, const char *detail, int done);

typedef struct pm_progress {
    pm_progress_fn report; /* NULL: every call does nothing */
    void *user;
    int reported;
    double last_report_s;  /* wall clock of the last report */
} pm_progress;

/* Report `fraction` (clamped to [0, 1]) and `detail`; `force` reports even
 * within 0.1 s of the last report. */
void pm_progress_update(pm_progress *progress, double fraction, const char *detail, int force);
/* The final report (done = 1), if anything was reported. */
void pm_progress_finish(pm_progress *progress);

#ifdef __cplusplus
}
#endif

#endif
