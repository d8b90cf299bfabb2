/* The progress bar on stderr that long runs draw when the caller asks for
 * it (the CLI does when stderr is a terminal): "[####......]  40% detail",
 * redrawn at most ten times a second. */
#ifndef PHONOMASER_PROGRESS_H
#define PHONOMASER_PROGRESS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pm_progress {
    int enabled;        /* 0: every call does nothing */
    int drawn;
    double last_draw_s; /* wall clock of the last redraw */
} pm_progress;

/* Draw `fraction` (clamped to [0, 1]) and `detail`; `force` redraws even
 * within 0.1 s of the last redraw (for the final state). */
void pm_progress_draw(pm_progress *progress, double fraction, const char *detail, int force);
/* End the bar's line if one was drawn. */
void pm_progress_finish(pm_progress *progress);

#ifdef __cplusplus
}
#endif

#endif
