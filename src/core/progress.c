#include "phonomaser/core/progress.h"

#include <stddef.h>

#include "phonomaser/core/timer.h"

static double clamp_fraction(double fraction)
{
    if (!(fraction >= 0.0)) return 0.0;
    return fraction > 1.0 ? 1.0 : fraction;
}

void pm_progress_update(pm_progress *progress, double fraction, const char *detail, int force)
{
    if (!progress->report) return;
    double now = pm_wall_seconds();
    if (!force && progress->reported && now - progress->last_report_s < 0.1) return;
    progress->last_report_s = now;
    progress->reported = 1;
    progress->report(progress->user, clamp_fraction(fraction), detail, 0);
}

void pm_progress_finish(pm_progress *progress)
{
    if (progress->report && progress->reported) progress->report(progress->user, 1.0, NULL, 1);
    progress->reported = 0;
}
